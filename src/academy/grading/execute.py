"""Running one hand-in in a kernel of its own, and reading its answers out as plain JSON.

:func:`run_notebook` starts a kernel under resource limits (:mod:`academy.grading.kernel`) in an
empty folder of its own and runs the restored notebook cell by cell. The grader calls it from a
pool of threads, one hand-in per thread: each kernel is a separate process, so the cores are used
and a kernel that hangs, crashes or eats memory takes nothing else with it.

Answers leave the kernel as data, never as verdicts: the grader adds a cell right after each
check that shows the exercise's answer variables as JSON (mime type :data:`ANSWER_MIME`, tagged
with a nonce of that read-out's own, which the kernel first sees when the cell runs). The
read-out is one self-contained statement: no grader function or nonce sits in the notebook for a
cell to take or replace. Everything that decides points happens outside the kernel
(:mod:`academy.grading.scoring`); what the notebook's own checks say is ignored. An answer is read
at its check, as the trainee saw it checked, so a notebook that stops later keeps the answers
read before. Whether each exercise's cell stopped with an error the last time it ran before its
check is also decided here, from the kernel's replies (:class:`academy.exercise.cellruns.CellRuns`,
the notebook's own rule for which cell is an exercise's): such an answer is not scored.

The kernel is the trainee's: code that runs in it can change what any read-out shows (patch the
modules it imports, for one). What keeps grades honest is that a read-out carries only answers,
which the grader scores itself; in an assessment (``academy release --assessment``) nothing in the
kernel can work out an expected answer, so a read-out made to lie can only hand in an answer the
trainee could have written into the variable.

Per cell: a time limit (the kernel is interrupted and the notebook goes on; a kernel that does not
answer within a few seconds after that is shut down) and an output limit (more output is cut).
Per kernel: the memory, CPU-time and file-size limits of :mod:`academy.grading.kernel`; with a
sandbox (:mod:`academy.grading.sandbox`) the kernel runs inside ``bwrap``, and the grader's
watchdog holds memory and CPU time for the sandbox's whole process tree.

Statuses: ``graded`` (ran to the end, cell errors included), ``timed_out`` (a cell hit the time
limit or the kernel used up its CPU time), ``kernel_died`` (the kernel stopped: ``os._exit``, a
crash, a kill).
"""
from __future__ import annotations

import json
import secrets
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import nbformat
from nbformat import NotebookNode

from academy import cells
from academy.grading.sandbox import Mounts
from academy.grading.sandbox import command as sandbox_command

ANSWER_MIME = "application/vnd.academy.answer+json"
GRADER_ROLE = "grader"
TIMEOUT_ERROR = "GraderTimeout"
PROBE_SECONDS = 5  # an interrupted kernel that cannot answer within this is stuck
# The longest the grader waits on the kernel's shell socket before looking again (see
# :func:`poll_in_slices`): a reply that arrived unnoticed is picked up within this.
SHELL_POLL_SLICE_S = 0.2
KERNEL_NAME = "academy-grading"


@dataclass(frozen=True)
class Limits:
    """What one hand-in may use. Defaults suit the course (a module runs in under a minute)."""

    cell_timeout_s: int = 60
    memory_mb: int = 6144  # address space: module 00 peaks near 2.9 GB of it (0.5 GB resident)
    cpu_seconds: int = 600
    output_kb: int = 1024  # per cell, as stored in the graded copy


# --- the grader's cells ------------------------------------------------------------------------


def extraction_source(module_id: str, exercise: str, variables: Sequence[str], nonce: str) -> str:
    """One read-out: a single self-contained statement that binds no name in the notebook. Its
    nonce is new for every read-out and reaches the kernel only when this cell runs, so no cell
    run before it can know it, and there is no grader function in the notebook to take from a
    closure or to replace."""
    return (f"__import__('academy.exercise.core', fromlist=['show_answer']).show_answer("
            f"{ANSWER_MIME!r}, {nonce!r}, {module_id!r}, {exercise!r}, {tuple(variables)!r}, globals())")


def _grader_cell(source: str, cell_id: str, exercise: str, nonce: str) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = cell_id
    # The nonce stays in the grader's copy of the notebook; a kernel is sent a cell's source only.
    cell.metadata["academy"] = {"role": GRADER_ROLE, "exercise": exercise, "nonce": nonce}
    return cell


def with_grader_cells(nb: NotebookNode, module_id: str, exercises: Mapping[str, Sequence[str]],
                      nonces: Mapping[str, str] | None = None) -> NotebookNode:
    """A copy of ``nb`` with an answer read-out after each exercise's check (``exercises``: name ->
    answer variables). Each read-out gets a nonce of its own (``nonces``, else fresh random ones)."""
    nb = nbformat.from_dict(nb)
    nonces = dict(nonces or {})
    for name in exercises:
        nonces.setdefault(name, secrets.token_hex(16))

    def readout(name: str) -> NotebookNode:
        return _grader_cell(extraction_source(module_id, name, exercises[name], nonces[name]), f"academy-grader-{name}", name,
                            nonces[name])

    out = []
    placed = set()
    for cell in nb.cells:
        out.append(cell)
        name = cells.academy_meta(cell).get("exercise")
        if cells.role(cell) == "check" and name in exercises and name not in placed:
            out.append(readout(name))
            placed.add(name)
    for name in exercises:  # an exercise without a check cell is read at the end
        if name not in placed:
            out.append(readout(name))
    nb.cells = out
    return nb


def without_grader_cells(nb: NotebookNode) -> NotebookNode:
    nb = nbformat.from_dict(nb)
    nb.cells = [cell for cell in nb.cells if cells.role(cell) != GRADER_ROLE]
    nb.metadata.pop("widgets", None)
    return nb


def read_answers(nb: NotebookNode, ran: set[str]) -> dict[str, dict | None]:
    """The answer JSON shown by each read-out cell that ran (ids in ``ran``): its first output
    that carries that cell's own nonce, by exercise; None where the cell ran but showed no answer."""
    answers: dict[str, dict | None] = {}
    for cell in nb.cells:
        meta = cells.academy_meta(cell)
        if cells.role(cell) != GRADER_ROLE or not meta.get("exercise") or not meta.get("nonce"):
            continue
        if cell.get("id") not in ran:
            continue  # never reached: the notebook stopped before it
        name = meta["exercise"]
        answers[name] = None
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(ANSWER_MIME)
            if isinstance(payload, dict) and payload.get("nonce") == meta["nonce"] and isinstance(payload.get("answer"), dict):
                answers[name] = payload["answer"]
                break
    return answers


# --- running -----------------------------------------------------------------------------------


@dataclass
class Execution:
    status: str  # graded | timed_out | kernel_died
    events: list[str]
    cell_errors: dict[str, str]  # cell id -> "NameError: ..."
    answers: dict[str, dict | None]
    notebook: dict
    # exercise -> the name of the error its cell stopped with, the last time it ran before its check
    stopped: dict[str, str] = field(default_factory=dict)


def _kernel_spec_dir(limits: Limits, folder: Path, sandbox: Sandboxed | None) -> Path:
    spec = folder / KERNEL_NAME
    spec.mkdir()
    # The launcher runs as a plain script: importing it as academy.grading.kernel would first import
    # the academy package (pandas and all) in a process that is about to replace itself.
    argv = [sys.executable, str(Path(__file__).with_name("kernel.py")), "--memory-mb", str(limits.memory_mb),
            "--cpu-seconds", str(limits.cpu_seconds), "-f", "{connection_file}"]
    spec_json = {"argv": argv, "display_name": "Grading", "language": "python"}
    if sandbox is not None:
        spec_json["argv"] = sandbox_command(sandbox.bwrap, sandbox.mounts, argv)
        # An interrupt as a signal would go to bwrap's process group, and a signal ends bwrap (and
        # so the whole sandbox); as a message, the kernel interrupts itself.
        spec_json["interrupt_mode"] = "message"
    (spec / "kernel.json").write_text(json.dumps(spec_json))
    return folder


@dataclass(frozen=True)
class Sandboxed:
    """Run the kernel inside bubblewrap (:mod:`academy.grading.sandbox`) with these mounts."""

    bwrap: str
    mounts: Mounts


def run_notebook(nb: NotebookNode, module_id: str, exercises: Mapping[str, Sequence[str]], kernel_dir: Path,
                 env: dict[str, str], limits: Limits, on_kernel_start: Callable[[Any], None] | None = None,
                 sandbox: Sandboxed | None = None) -> Execution:
    """Run ``nb`` (already restored) under ``limits`` in a kernel started in ``kernel_dir``.

    The kernel's connection file, its unix sockets (``transport="ipc"``: they work across the
    sandbox's network namespace, and no TCP port is opened) and its kernel spec all live in
    ``kernel_dir``'s parent, the kernel's own folder, which the caller removes afterwards.

    ``on_kernel_start`` receives the kernel's process (a ``subprocess.Popen``; with a sandbox the
    ``bwrap`` process) as soon as it runs, so a watchdog can stop it."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    from academy.exercise.cellruns import CellRuns
    from academy.modules import load_module

    graded = with_grader_cells(nb, module_id, exercises)
    events: list[str] = []
    cell_errors: dict[str, str] = {}
    runs = CellRuns()
    runs.watch(exercise for exercise in load_module(module_id).exercises if exercise.name in exercises)
    stopped: dict[str, str] = {}
    timeouts: list[str] = []
    ran: set[str] = set()
    output_cap = limits.output_kb * 1024

    class GradingClient(NotebookClient):
        """Cuts a cell's output once it passes the limit, so a flood never fills the grader's memory."""

        def output(self, outs, msg, display_id, cell_index):
            sizes = self.__dict__.setdefault("_academy_sizes", {})
            content = msg.get("content", {})
            size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
            used = sizes.get(cell_index, 0)
            if used + size > output_cap:
                if used <= output_cap:
                    sizes[cell_index] = output_cap + 1
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr", text=f"\n[output cut by the grader after {limits.output_kb} KB]\n"))
                    events.append(f"the output of cell '{graded.cells[cell_index].get('id')}' was cut at {limits.output_kb} KB")
                return None
            sizes[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)

    def on_cell_executed(cell, cell_index, execute_reply):
        content = (execute_reply or {}).get("content", {})
        if cells.role(cell) != GRADER_ROLE:
            failed = content.get("status") == "error"
            runs.finished(cell.get("id"), cell.get("source", ""), str(content.get("ename") or "Error") if failed else None)
        if content.get("status") != "error":
            return
        if content.get("ename") == TIMEOUT_ERROR:
            timeouts.append(cell.get("id"))
        else:
            cell_errors.setdefault(cell.get("id"), f"{content.get('ename')}: {str(content.get('evalue'))[:200]}")

    own_folder = kernel_dir.parent
    spec_dir = own_folder / "kernelspec"
    spec_dir.mkdir(exist_ok=True)
    _kernel_spec_dir(limits, spec_dir, sandbox)
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir)]),
                                 transport="ipc", connection_file=str(own_folder / "connection.json"))
    client = GradingClient(
        graded,
        km=manager,
        timeout=limits.cell_timeout_s,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ERROR, "evalue": f"stopped after {limits.cell_timeout_s} s", "traceback": []},
        record_timing=False,
        # ipywidgets Output widgets (a figure redrawn by a control) route their output through
        # the widget state; without it nbclient fails on such cells.
        store_widget_state=True,
        iopub_timeout=2,
        on_cell_executed=on_cell_executed,
        resources={"metadata": {"path": str(kernel_dir)}},
    )
    status = "graded"
    process = None
    try:
        with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            poll_in_slices(client.kc.shell_channel)
            process = getattr(manager.provisioner, "process", None)
            if on_kernel_start is not None and process is not None:
                on_kernel_start(process)
            for index, cell in enumerate(graded.cells):
                if cell.cell_type != "code":
                    continue
                before = len(timeouts)
                try:
                    # The grader's own cells stay out of the kernel's history (In, _ih).
                    client.execute_cell(cell, index, store_history=cells.role(cell) != GRADER_ROLE)
                    ran.add(cell.get("id"))
                    read_out = cells.academy_meta(cell).get("exercise") if cells.role(cell) == GRADER_ROLE else None
                    if read_out:  # the answer was just read: as its check saw it
                        last = runs.last_run(next(e for e in runs.exercises if e.name == read_out))
                        if last is not None and last.error is not None:
                            stopped[read_out] = last.error
                except DeadKernelError:
                    code = process.poll() if process is not None else None
                    # bwrap reports a child killed by a signal as 128 + the signal's number
                    if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
                        status = "timed_out"
                        events.append(f"the notebook used up its {limits.cpu_seconds} s of CPU time in cell '{cell.get('id')}'")
                    else:
                        status = "kernel_died"
                        events.append(f"the notebook's Python kernel stopped in cell '{cell.get('id')}'" + (f" (exit code {code})" if code is not None else ""))
                    break
                if len(timeouts) > before:
                    status = "timed_out"
                    events.append(f"cell '{cell.get('id')}' ran longer than {limits.cell_timeout_s} s and was stopped")
                    if not _responds(client, PROBE_SECONDS):
                        events.append("the kernel did not stop when asked, so the rest of the notebook was not run")
                        if process is not None:
                            process.kill()  # it ignores interrupts; a polite shutdown would only wait
                        break
    except DeadKernelError:
        status = "kernel_died"
        events.append("the notebook's Python kernel stopped")
    except RuntimeError as error:  # the kernel did not start
        status = "kernel_died"
        events.append(f"the kernel could not start ({error})")
    finally:
        if process is not None and process.poll() is None:
            process.kill()
        shutil.rmtree(spec_dir, ignore_errors=True)
    for cell_id, error in cell_errors.items():
        if error.startswith("MemoryError"):
            events.append(f"cell '{cell_id}' ran out of memory (limit {limits.memory_mb} MB)")
    answers = read_answers(graded, ran)
    return Execution(status, events, {k: v for k, v in cell_errors.items() if not k.startswith("academy-grader")},
                     answers, without_grader_cells(graded), stopped)


def poll_in_slices(channel, slice_s: float = SHELL_POLL_SLICE_S) -> None:
    """Make ``channel`` (a kernel client's asyncio shell channel) wait for a message in slices of
    at most ``slice_s`` seconds, up to the timeout asked for, instead of in one long poll.

    Why: jupyter_client sends every message through a blocking shadow of the asyncio socket
    (``Session.send``), so pyzmq's asyncio layer never learns of the send. A send made while a
    poll on the same socket is pending can consume the socket's wake-up for a reply that arrives
    at that moment, and the poll then sleeps until its timeout, where its last look finds the reply
    waiting. nbclient does exactly this: it polls the shell socket for a cell's reply with the
    cell's whole time limit, and its stand-in for an ipywidgets Output widget sends the widget's
    outputs back to the kernel on that socket while the cell runs. So a cell that draws into an
    Output widget (``widgets.interactive_output``) often waited out the full 60 s cell limit for
    a reply that had come within a second. Each slice ends with that same last look, so a missed
    wake-up now costs at most one slice; the time limit of the cell is unchanged."""
    from queue import Empty
    from time import monotonic

    whole = channel.get_msg

    async def get_msg(timeout: float | None = None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - monotonic())
            try:
                return await whole(timeout=slice_s if left is None else min(slice_s, left))
            except Empty:
                if left is not None and left <= slice_s:
                    raise

    channel.get_msg = get_msg


def _responds(client, seconds: int) -> bool:
    """Whether the kernel, interrupted after a time-out, answers an empty request within ``seconds``."""
    message = client.kc.execute("", silent=True, store_history=False)
    saved = client.timeout, client.shell_timeout_interval
    client.timeout, client.shell_timeout_interval = seconds, 1
    try:
        return client.wait_for_reply(message) is not None
    finally:
        client.timeout, client.shell_timeout_interval = saved
