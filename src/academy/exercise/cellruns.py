"""Which exercise cells stopped with an error the last time they ran.

A cell that stops with an error does not finish: the lines after the failing one do not run, so a
check run next would judge whatever the answer variable held before (an older answer, or none)
and could call it right under a red cell. So every check first asks whether the exercise's cell
stopped with an error the last time it ran, and if it did, says so instead of judging the old
value (:func:`academy.exercise.core.stopped_verdict`).

Which cell is an exercise's cell: the one whose id is the exercise's ``grade_id`` (JupyterLab
sends the id of the cell it runs, and the built notebooks keep the course's ids), or any cell
whose code stores one of the exercise's answer variables (``name = ...``, ``name, ax = ...``): a
copied exercise cell, a front end that sends no ids, the grader's runs. See
:func:`is_exercise_cell`.

In a notebook, :func:`watch` (called by ``academy.exercises("00")`` in the module's setup cell)
registers IPython ``pre_run_cell`` and ``post_run_cell`` hooks that keep a :class:`CellRuns` per
shell. The grader keeps its own :class:`CellRuns` outside the trainee's kernel, from the replies
of the cells it ran (:mod:`academy.grading.execute`), so nothing the trainee's code does to the
kernel's copy changes a grade.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class LastRun:
    """The last run of an exercise's cell: its code, and the name of the error it stopped with
    (``None`` when it finished, or while it is still running)."""

    source: str
    error: str | None = None


def _assigns(variable: str) -> re.Pattern:
    # `variable = ...`, `variable, ax = ...`, `fig, variable = ...`, `variable: float = ...`,
    # `variable += ...`; not `variable == ...` (a question, not a store).
    name = re.escape(variable)
    return re.compile(
        rf"^[ \t]*(?:[A-Za-z_]\w*[ \t]*,[ \t]*)*{name}[ \t]*(?:,[ \t]*[A-Za-z_]\w*[ \t]*)*"
        rf"(?::[^=\n]*)?(?:[-+*/]?=(?!=))",
        re.MULTILINE,
    )


def stores_answer(exercise, source: str) -> bool:
    """Whether the code stores one of the exercise's answer variables."""
    return any(_assigns(variable).search(source or "") for variable in exercise.variables)


def stored_names(source: str) -> list[str] | None:
    """The names the code stores (assignment targets, in order), or ``None`` when it is not Python
    that parses (a cell with IPython magics, or one that stopped with a SyntaxError)."""
    import ast

    try:
        tree = ast.parse(source or "")
    except SyntaxError:
        return None
    names: list[str] = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)):
            targets = [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = [node.optional_vars]
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and leaf.id not in names:
                    names.append(leaf.id)
    return names


def is_exercise_cell(exercise, cell_id: str | None, source: str) -> bool:
    """Whether a cell (its id, perhaps unknown, and its code) is the exercise's cell."""
    return (cell_id is not None and cell_id == exercise.grade_id) or stores_answer(exercise, source)


class CellRuns:
    """The last run of each exercise's cell, by ``(module, exercise name)``."""

    def __init__(self):
        self._runs: dict[tuple[str, str], LastRun] = {}
        self._exercises: dict[tuple[str, str], Any] = {}

    def watch(self, exercises: Iterable) -> None:
        """Keep track of these exercises' cells from now on."""
        for exercise in exercises:
            self._exercises[(exercise.module, exercise.name)] = exercise

    def started(self, cell_id: str | None, source: str) -> None:
        """A cell began to run: an exercise cell among them has not stopped with an error (yet)."""
        self._record(cell_id, source, None)

    def finished(self, cell_id: str | None, source: str, error: str | None) -> None:
        """A cell ran to its end (``error`` None) or stopped with the error named."""
        self._record(cell_id, source, error)

    def _record(self, cell_id: str | None, source: str, error: str | None) -> None:
        for key, exercise in self._exercises.items():
            if is_exercise_cell(exercise, cell_id, source):
                self._runs[key] = LastRun(source or "", error)

    @property
    def exercises(self) -> list:
        """The exercises watched."""
        return list(self._exercises.values())

    def last_run(self, exercise) -> LastRun | None:
        """The last run of the exercise's cell, or None when none has run since watching began."""
        return self._runs.get((exercise.module, exercise.name))


# One CellRuns per IPython shell, filled by the shell's hooks.
_SHELL_RUNS: "weakref.WeakKeyDictionary[Any, CellRuns]" = weakref.WeakKeyDictionary()


def _current_shell():
    try:
        from IPython import get_ipython
    except Exception:  # IPython missing: a check run from plain Python
        return None
    return get_ipython()


def watch(exercises: Iterable, shell: Any = None) -> CellRuns | None:
    """Track the runs of these exercises' cells in the IPython shell (default: the running one).

    Registers the shell's hooks the first time; safe to call again (a setup cell run twice).
    Returns the shell's :class:`CellRuns`, or None outside IPython."""
    shell = shell if shell is not None else _current_shell()
    if shell is None or not hasattr(shell, "events"):
        return None
    try:
        runs = _SHELL_RUNS.get(shell)
    except TypeError:  # a shell that cannot be weakly referenced: nothing to track on
        return None
    if runs is None:
        runs = CellRuns()
        _SHELL_RUNS[shell] = runs

        def before(info):
            runs.started(getattr(info, "cell_id", None), getattr(info, "raw_cell", "") or "")

        def after(result):
            if result is None:
                return
            info = getattr(result, "info", None)
            error = result.error_before_exec if result.error_before_exec is not None else result.error_in_exec
            runs.finished(getattr(info, "cell_id", None), getattr(info, "raw_cell", "") or "",
                          type(error).__name__ if error is not None else None)

        shell.events.register("pre_run_cell", before)
        shell.events.register("post_run_cell", after)
    runs.watch(exercises)
    return runs


def last_run(exercise, shell: Any = None) -> LastRun | None:
    """The last run of the exercise's cell in the shell (default: the running one), if tracked."""
    shell = shell if shell is not None else _current_shell()
    if shell is None:
        return None
    try:
        runs = _SHELL_RUNS.get(shell)
    except TypeError:
        return None
    return runs.last_run(exercise) if runs is not None else None
