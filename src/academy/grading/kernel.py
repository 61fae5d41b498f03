"""The kernel a hand-in runs in: an ordinary IPython kernel started under resource limits.

``python .../academy/grading/kernel.py --memory-mb 6144 --cpu-seconds 600 -f CONNECTION_FILE``
(run as a script, so it imports nothing but the standard library) sets the limits on its own process
with :func:`resource.setrlimit`, then replaces itself with ``ipykernel`` (limits survive ``exec``):

* address space (``RLIMIT_AS``): an allocation beyond it fails with ``MemoryError`` inside the
  notebook instead of pushing the machine into swap or the out-of-memory killer;
* CPU time (``RLIMIT_CPU``): past the soft limit the kernel receives ``SIGXCPU`` and stops, so a
  loop that ignores interrupts still ends;
* file size (``RLIMIT_FSIZE``): a notebook cannot fill the disk;
* no core files (``RLIMIT_CORE`` 0).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys

FILE_SIZE_LIMIT_BYTES = 256 * 2**20


def apply_limits(memory_mb: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    # The hard limit a little above the soft one: SIGXCPU first (reported as a time-out), SIGKILL after.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT_BYTES, FILE_SIZE_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="academy.grading.kernel")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    args, kernel_args = parser.parse_known_args(argv)
    apply_limits(args.memory_mb, args.cpu_seconds)
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *kernel_args])


if __name__ == "__main__":
    main()
