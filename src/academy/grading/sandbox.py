"""The sandbox a hand-in's kernel runs in: bubblewrap (``bwrap``, Debian package ``bubblewrap``).

A hand-in is code. Its kernel is started inside ``bwrap`` with

* its own PID namespace: the kernel sees only its own processes, and when the kernel stops every
  process it started stops with it (a detached ``Popen(start_new_session=True)`` included);
  the grader's command line (``/proc/<parent>/cmdline``) is not there to read;
* no network (its own network namespace, with nothing but an unconfigured loopback); the grader
  talks to the kernel over unix sockets (jupyter_client's ``transport="ipc"``) in the kernel's
  own folder, which is bound into the sandbox;
* a read-only view of the system (``/usr``, ``/etc``, the Python environment, the course code)
  and of the data the notebook needs (the release's trainee folder, the cohort's plant tables,
  the exercise files);
* a private ``/tmp`` and a private writable working copy (the kernel's folder);
* no view at all of anything else: the output folder, the hand-ins folder, the release's
  ``sources/`` (solutions and hidden tests), the repository's ``solutions/`` and every other file
  of the machine are simply not in its file system; in an assessment neither are the exercise
  files (a masked folder: an empty file system with only the named files bound back) nor the
  ground truth.

Memory and CPU limits for the whole sandbox (all its processes together) are kept by
:class:`TreeWatch`, a watchdog over the sandbox's process tree run by the grader; the per-process
limits of :mod:`academy.grading.kernel` stay as a first line.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "bubblewrap"
BWRAP = "bwrap"
# Folders of the system the kernel may read; each is bound read-only where it exists.
SYSTEM_FOLDERS = ("/usr", "/etc", "/opt")
# Top-level names that merged-/usr systems keep as symbolic links into /usr.
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here; the message names what to install."""


def bwrap_path() -> str | None:
    return shutil.which(os.environ.get("ACADEMY_BWRAP", BWRAP))


def check_available() -> str:
    """The path of a working ``bwrap``, or :class:`SandboxUnavailable` saying what to install."""
    found = bwrap_path()
    if found is None:
        raise SandboxUnavailable(
            f"the grader runs every hand-in in a sandbox made by bubblewrap, which is not installed: install the "
            f"Debian package '{PACKAGE}' (sudo apt-get install {PACKAGE}), or grade without a sandbox with --no-sandbox "
            "(only for hand-ins you trust: see the README)")
    probe = subprocess.run([found, "--unshare-pid", "--unshare-net", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap ({found}) cannot make a sandbox on this machine ({probe.stderr.strip()[:200] or 'exit code ' + str(probe.returncode)}): "
            "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run the grader as a user "
            "that may, or grade without a sandbox with --no-sandbox (only for hand-ins you trust: see the README)")
    return found


@dataclass(frozen=True)
class Mounts:
    """What one kernel's sandbox sees: ``writable`` folders and ``read_only`` files and folders,
    each at the same path as outside (so every path in the kernel's environment stays valid)."""

    writable: tuple[Path, ...]
    read_only: tuple[Path, ...]
    working_folder: Path
    # Folders seen empty but for the named files in them: (folder, (file name, ...)). An
    # assessment's kernel sees the course code's academy/modules folder so, without exercise files.
    masked: tuple[tuple[Path, tuple[str, ...]], ...] = ()


def python_folders() -> list[Path]:
    """The Python environment the kernel runs: interpreter, standard library, site-packages."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.executable).resolve().parent}
    for entry in sys.path:
        if entry and Path(entry).is_dir() and "site-packages" in entry:
            folders.add(Path(entry))
    return sorted(folders)


def command(bwrap: str, mounts: Mounts, argv: list[str]) -> list[str]:
    """``argv`` wrapped to run inside the sandbox."""
    args = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--hostname", "grading", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for folder in SYSTEM_FOLDERS:
        if Path(folder).is_dir():
            args += ["--ro-bind", folder, folder]
    for link in SYSTEM_LINKS:
        path = Path(link)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), link]
        elif path.is_dir():
            args += ["--ro-bind", link, link]
    # Longer paths after shorter ones: a folder bound inside another bound folder stays visible.
    read_only = sorted({Path(p) for p in mounts.read_only if Path(p).exists()}, key=lambda p: len(p.parts))
    for path in read_only:
        if not any(str(path).startswith(folder + "/") for folder in SYSTEM_FOLDERS):
            args += ["--ro-bind", str(path), str(path)]
    for folder, kept in mounts.masked:
        if not Path(folder).is_dir():
            continue
        # An empty file system over the folder, the kept files bound back, then all of it read-only.
        args += ["--tmpfs", str(folder)]
        for name in kept:
            if (Path(folder) / name).is_file():
                args += ["--ro-bind", str(Path(folder) / name), str(Path(folder) / name)]
        args += ["--remount-ro", str(folder)]
    for path in sorted(set(mounts.writable), key=lambda p: len(p.parts)):
        args += ["--bind", str(path), str(path)]
    # ipykernel stops when its parent's pid is not the one jupyter_client gave it; in its own PID
    # namespace its parent is always pid 1. --die-with-parent already ends it with the grader.
    args += ["--unsetenv", "JPY_PARENT_PID", "--chdir", str(mounts.working_folder), "--"]
    return args + argv


class TreeWatch:
    """Memory and CPU time of a sandbox's whole process tree (the ``bwrap`` process and everything
    under it, however detached), so limits hold for all its processes together."""

    def __init__(self, pid: int):
        import psutil

        self._psutil = psutil
        self.root = psutil.Process(pid)
        self._finished_cpu: dict[int, float] = {}

    def usage(self) -> tuple[float, float]:
        """(resident memory in MB, CPU seconds used) of the whole tree now."""
        psutil = self._psutil
        resident = 0
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return 0.0, sum(self._finished_cpu.values())
        for process in processes:
            try:
                with process.oneshot():
                    resident += process.memory_info().rss
                    times = process.cpu_times()
                    # Each process's own time, the most seen, kept after it ends. A process that
                    # starts and ends between two looks is not counted; the per-process CPU limit
                    # of every kernel still holds for it.
                    used = times.user + times.system
                    self._finished_cpu[process.pid] = max(used, self._finished_cpu.get(process.pid, 0.0))
            except psutil.Error:
                continue
        cpu = sum(self._finished_cpu.values())
        return resident / 2**20, cpu
