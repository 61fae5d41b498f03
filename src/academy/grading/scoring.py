"""Points for one hand-in, decided outside the trainee's kernel.

Inputs are the answers read out of the kernel as JSON (:mod:`academy.grading.execute`), the
module's exercises and the cohort's data; nothing the kernel computed about correctness is used.

* Public points: :func:`academy.exercise.score` on the decoded answer. For an exercise with
  several answer variables, each right variable earns its share
  (:func:`academy.exercise.variable_results`).
* Hidden points: the hidden-tests cell of the released solution notebook, run here against the
  decoded answers (plain values: numbers, text, lists, pandas objects; a figure is rebuilt from
  its summary as a matplotlib figure with the same titles, labels, lines and limit lines) and the
  names the module's setup cell defines. Hidden tests may use nothing else of the notebook. Each top-level ``assert`` is one test and earns an equal share
  of the hidden points; other statements prepare the tests (when one fails, the tests after it
  fail too). An exercise not attempted earns no hidden points, whatever the tests say.
* An exercise whose cell stopped with an error the last time it ran before its check earns
  nothing: its answer variable holds an older answer (or none), which the notebook's own check
  does not judge either (:func:`academy.exercise.stopped_verdict`).

Expected answers are computed once per exercise and grading run (:class:`Memo`), since every
trainee's answer is compared with the same ones.
"""
from __future__ import annotations

import ast
import copy
import math
import os
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from academy import cells
from academy.exercise import Exercise, Mistake, load_answer, score, stopped_verdict, variable_results
from academy.exercise.figures import FigureSummary
from academy.exercise.plain import MISSING


@dataclass
class ExerciseResult:
    """One exercise of one hand-in."""

    name: str
    number: str
    result: str  # correct | partly | incorrect | not_attempted | unreadable | not_run
    message: str  # the check's words for the trainee
    public_earned: float
    public_max: float
    hidden_earned: float
    hidden_max: float
    hidden_passed: int = 0
    hidden_total: int = 0
    mistake: str | None = None
    variables: dict[str, bool] = field(default_factory=dict)

    @property
    def earned(self) -> float:
        return self.public_earned + self.hidden_earned

    @property
    def max_points(self) -> float:
        return self.public_max + self.hidden_max


class Memo:
    """Computes each exercise's expected answer and mistakes once per data object."""

    def __init__(self):
        self._cache: dict[tuple, Any] = {}

    def wrap(self, exercise: Exercise) -> Exercise:
        return replace(
            exercise,
            expected=self._memoised(("expected", exercise.module, exercise.name), exercise.expected),
            mistakes=tuple(
                Mistake(m.key, self._memoised(("mistake", exercise.module, exercise.name, m.key), m.compute))
                for m in exercise.mistakes
            ),
        )

    def _memoised(self, key: tuple, compute):
        def memoised(data):
            full_key = (*key, id(data))
            if full_key not in self._cache:
                try:
                    self._cache[full_key] = ("value", compute(data))
                except Exception as error:  # remembered too, and raised again each time like the original
                    self._cache[full_key] = ("error", error)
            kind, value = self._cache[full_key]
            if kind == "error":
                raise value
            return copy.deepcopy(value)  # a kind may convert it in place

        return memoised


@dataclass
class HiddenTests:
    code: str
    statements: list[ast.stmt]
    test_count: int


def hidden_tests(released_solution) -> dict[str, HiddenTests]:
    """The hidden tests of each exercise, from the released solution notebook."""
    found = {}
    for cell in released_solution.cells:
        if cells.role(cell) != "hidden_tests":
            continue
        lines = cell.source.split("\n")
        code = "\n\n".join(
            textwrap.dedent("\n".join(lines[region.begin + 1: region.end]))
            for region in cells.regions(cell.source, cells.HIDDEN_BEGIN, cells.HIDDEN_END)
        )
        statements = ast.parse(code).body
        asserts = sum(isinstance(statement, ast.Assert) for statement in statements)
        found[cells.academy_meta(cell)["exercise"]] = HiddenTests(code, statements, asserts or 1)
    return found


def run_hidden_tests(tests: HiddenTests, namespace: dict[str, Any]) -> int:
    """How many of the tests pass in ``namespace`` (a copy is used)."""
    namespace = dict(namespace)
    asserts = [s for s in tests.statements if isinstance(s, ast.Assert)]
    if not asserts:  # a cell of calls: one test, passed when nothing raises
        try:
            exec(compile(ast.Module(tests.statements, []), "<hidden tests>", "exec"), namespace)
            return 1
        except Exception:
            return 0
    passed, broken = 0, False
    for statement in tests.statements:
        if broken:
            break
        try:
            exec(compile(ast.Module([statement], []), "<hidden tests>", "exec"), namespace)
        except Exception:
            if not isinstance(statement, ast.Assert):
                broken = True
            continue
        if isinstance(statement, ast.Assert):
            passed += 1
    return passed


def score_exercise(exercise: Exercise, payload: dict | None, data: Any, tests: HiddenTests | None,
                   namespace: dict[str, Any], ran: bool = True, stopped_with: str | None = None) -> ExerciseResult:
    """Points for one exercise from its read-out answer (``payload``; None when none was read).

    ``stopped_with`` names the error the exercise's cell stopped with, the last time it ran before
    the answer was read (None when it finished): then the answer is not scored."""
    base = dict(name=exercise.name, number=exercise.number, public_max=exercise.public_points, hidden_max=exercise.hidden_points,
                hidden_total=tests.test_count if tests else 0)
    if payload is None:
        result = "not_attempted" if ran else "not_run"
        return ExerciseResult(result=result, message="", public_earned=0.0, hidden_earned=0.0, **base)
    try:
        if payload.get("module") != exercise.module or payload.get("exercise") != exercise.name:
            raise ValueError("the answer belongs to another exercise")
        if set(payload.get("values", {})) != set(exercise.variables):
            raise ValueError("the answer does not name the exercise's variables")
        answer = load_answer(payload)
    except Exception as error:
        return ExerciseResult(result="unreadable", message=f"The grader could not read this answer ({type(error).__name__}).",
                              public_earned=0.0, hidden_earned=0.0, **base)
    if stopped_with is not None:
        verdict = stopped_verdict(exercise, stopped_with, answer)
        return ExerciseResult(result="incorrect", message=verdict.message, public_earned=0.0, hidden_earned=0.0,
                              variables={variable: False for variable in exercise.variables}, **base)
    verdict = score(exercise, answer, data)
    if len(exercise.variables) > 1:
        by_variable = variable_results(exercise, answer, data)
        share = 1.0 if verdict.correct else sum(by_variable.values()) / len(by_variable)
    else:
        by_variable = {exercise.variables[0]: verdict.correct}
        share = verdict.fraction
    public = _round(share * exercise.public_points)
    hidden_passed = 0
    if tests is not None and verdict.status != "not_attempted":
        answers = exercise.split(answer)
        values = {variable: _for_tests(value) for variable, value in answers.items() if value is not MISSING}
        hidden_passed = run_hidden_tests(tests, {**namespace, **values})
    hidden = _round(exercise.hidden_points * hidden_passed / tests.test_count) if tests else 0.0
    if verdict.status == "not_attempted":
        result = "not_attempted"
    elif math.isclose(public + hidden, exercise.points):
        result = "correct"
    elif public + hidden > 0:
        result = "partly"
    else:
        result = "incorrect"
    return ExerciseResult(result=result, message=verdict.message, public_earned=public, hidden_earned=hidden,
                          hidden_passed=hidden_passed, mistake=verdict.mistake, variables=by_variable, **base)


def _round(points: float) -> float:
    return round(points, 4)


def _for_tests(value: Any) -> Any:
    return figure_from_summary(value) if isinstance(value, FigureSummary) else value


def figure_from_summary(summary: FigureSummary):
    """A matplotlib figure drawn from a figure summary: what hidden tests about figures look at
    (suptitle, each axes' title and labels, data lines with their labels, limit and marker lines)."""
    from matplotlib.figure import Figure

    figure = Figure()
    if summary.get("suptitle"):
        figure.suptitle(summary["suptitle"])
    for axes_summary in summary.get("axes", []):
        axes = figure.add_subplot(len(summary["axes"]), 1, len(figure.axes) + 1)
        axes.set_title(axes_summary.get("title", ""))
        axes.set_xlabel(axes_summary.get("xlabel", ""))
        axes.set_ylabel(axes_summary.get("ylabel", ""))
        for line in axes_summary.get("lines", []):
            x, y = line.get("x"), line.get("y")
            if y is None:  # a long line kept as statistics only: its extremes and mean stand in
                x, y = [0.0, 1.0, 2.0], [line.get("y_min"), line.get("y_mean"), line.get("y_max")]
            to_float = [float("nan") if v is None else v for v in y]
            axes.plot([float("nan") if v is None else v for v in x] if x is not None else range(len(to_float)), to_float,
                      label=line.get("label") or None)
        for value in axes_summary.get("hlines", []):
            axes.axhline(value)
        for value in axes_summary.get("vlines", []):
            axes.axvline(value)
    return figure


# --- the setup namespace -----------------------------------------------------------------------


class _NoMagic:
    """``get_ipython()`` for setup code run outside IPython: line and cell magics do nothing."""

    def run_line_magic(self, *args, **kwargs):
        return None

    def run_cell_magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None


def setup_namespace(released_solution, folder: Path | None = None) -> tuple[dict[str, Any], str | None]:
    """The names the module's setup cell defines, run here (trusted course code), and any problem.

    Hidden tests may use them (``telemetry``, ``ex``...). Magics are ignored.
    """
    setup = next((cell for cell in released_solution.cells if cells.role(cell) == "setup"), None)
    namespace: dict[str, Any] = {"__name__": "__main__", "get_ipython": _NoMagic}
    if setup is None:
        return namespace, None
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        code = TransformerManager().transform_cell(setup.source)
    except Exception:
        code = setup.source
    from academy.exercise.trainee import answer_key_side

    try:
        # The real exercises, even in an assessment: this runs in the grader, with the answer key.
        with _working_folder(folder), answer_key_side():
            exec(compile(code, "<setup cell>", "exec"), namespace)
    except Exception as error:
        return namespace, f"the setup cell could not run for the extra tests ({type(error).__name__}: {error})"
    return namespace, None


@contextmanager
def _working_folder(folder: Path | None):
    if folder is None:
        yield
        return
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
