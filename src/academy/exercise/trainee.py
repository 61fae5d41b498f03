"""What a trainee's notebook calls: ``ex = academy.exercises("00")``, then ``ex.q1.check()``,
``ex.q1.hint()``, ``ex.q1.hint(2)`` and ``ex.q1.solution()``.

Answers are read from the namespace the call is made from (the notebook's), so the exercise
object needs no reference to the trainee's variables. Nothing here raises into a notebook: a
check always shows one of its three verdicts.

``academy.exercises(...)`` also starts watching the module's exercise cells in the IPython shell
(:mod:`academy.exercise.cellruns`): a check after an exercise cell that stopped with an error says
so, and never judges the older answer the variable still holds.

In an assessment (a ``release.json`` that says ``"assessment": true``, see
:mod:`academy.exercise.assessment`) the exercises come from the release's exercise forms, never
from an exercise file: a check says only whether the answer has the right form, and there are no
hints, worked answers or expected values. The grader's own process reads the real exercises
(:func:`answer_key_side`).
"""
from __future__ import annotations

import contextvars
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Mapping

from academy.exercise import assessment as forms
from academy.exercise import cellruns
from academy.exercise.core import (
    Exercise, Verdict, extract_answer, named_elsewhere, not_stored_verdict, score, stopped_verdict, worded_for_cell,
)
from academy.exercise.display import check_bundle, hint_bundle, note_bundle, solution_bundle
from academy.exercise.plain import MISSING
from academy.exercise.solutions import read_release_settings, solution_text
from academy.exercise.words import word
from academy.modules import CourseModule, load_module


# True in the grader's own process while it runs a module's setup cell for the hidden tests: there
# the real exercises are wanted, whatever the release is.
_ANSWER_KEY_SIDE = contextvars.ContextVar("academy_answer_key_side", default=False)


@contextmanager
def answer_key_side():
    """Within this block ``exercises()`` loads the real exercise files even in an assessment (the
    grader, outside every kernel, scoring with the answer key)."""
    token = _ANSWER_KEY_SIDE.set(True)
    try:
        yield
    finally:
        _ANSWER_KEY_SIDE.reset(token)


def exercises(module_id: str | int) -> "ModuleExercises":
    """The exercises of one module, ready for a notebook: ``ex = academy.exercises("00")``."""
    if not _ANSWER_KEY_SIDE.get():
        settings = read_release_settings()
        if settings.assessment:
            return ModuleExercises(forms.form_module(module_id, settings.forms or {}), assessment=True)
    return ModuleExercises(load_module(module_id))


class ModuleExercises:
    """One module's exercises by name (``ex.q1``), with the tables their checks read (``ex.data``)."""

    def __init__(self, module: CourseModule, assessment: bool = False):
        self._module = module
        self._assessment = assessment
        self._data: Any = None
        # Exercises whose check has shown its standing lines in this notebook session.
        self._standing_lines_shown: set[str] = set()
        try:  # the runs of the exercise cells, so that a check knows when one stopped with an error
            cellruns.watch(module.exercises)
        except Exception:  # a shell without hooks: the checks still judge the answers
            pass

    @property
    def module(self) -> str:
        return self._module.module_id

    @property
    def assessment(self) -> bool:
        """Whether this is an assessment: the checks judge only an answer's form."""
        return self._assessment

    @property
    def course_module(self) -> CourseModule:
        """The loaded exercise file (its exercises, words and Python module)."""
        return self._module

    @property
    def data(self) -> Any:
        """The tables the checks use: ``ex.data.load("telemetry")`` reads what the checks read."""
        if self._data is None:
            self._data = self._module.data()
        return self._data

    @property
    def names(self) -> list[str]:
        return [exercise.name for exercise in self._module.exercises]

    def __getattr__(self, name: str) -> "BoundExercise":
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return BoundExercise(self._module.exercise(name), self)
        except KeyError as error:
            raise AttributeError(error.args[0]) from None

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self.names]

    def __repr__(self) -> str:
        listed = ", ".join(f"{e.name} ({e.label})" for e in self._module.exercises)
        return f"Module {self.module} exercises: {listed}"


class BoundExercise:
    """One exercise as the notebook sees it."""

    def __init__(self, exercise: Exercise, module: ModuleExercises):
        self.exercise = exercise
        self._module = module

    def __repr__(self) -> str:
        return f"{self.exercise.label} (ex.{self.exercise.name}): run ex.{self.exercise.name}.check()"

    def verdict(self, namespace: Mapping[str, Any] | None = None) -> Verdict:
        """The verdict on the answer in ``namespace`` (default: the caller's), without showing it."""
        namespace = namespace if namespace is not None else sys._getframe(1).f_globals
        return self._verdict(namespace)

    def _verdict(self, namespace: Mapping[str, Any]) -> Verdict:
        values = {variable: namespace.get(variable, MISSING) for variable in self.exercise.variables}
        if self._module.assessment:
            return forms.form_verdict(self.exercise, values)
        answer = values if len(values) > 1 else next(iter(values.values()))
        last_run = cellruns.last_run(self.exercise)
        if last_run is not None and last_run.error is not None:
            return stopped_verdict(self.exercise, last_run.error, answer)
        if last_run is not None:
            stale = not_stored_verdict(self.exercise, last_run.source, answer)
            if stale is not None:
                return stale
        # The data loads only when the answer is compared, so "not attempted yet" never waits for
        # the plant, and a loading failure becomes the check's calm "could not work out" message.
        data = _LazyData(self._module)
        verdict = score(self.exercise, answer, data)  # the three-argument form (see core.named_elsewhere)
        verdict = worded_for_cell(self.exercise, verdict, answer, data, last_run.source if last_run is not None else None)
        others = {name: value for name, value in namespace.items() if name not in values}
        return named_elsewhere(self.exercise, verdict, data, others, answer_value=answer)

    def check(self) -> None:
        """Show whether the answer is not attempted yet, not yet right (and why), or correct."""
        try:
            verdict = self._verdict(sys._getframe(1).f_globals)
        except Exception as error:  # score() does not raise; this guards the lookup around it
            verdict = Verdict("incorrect", word("check.unreadable", error=f"{type(error).__name__}: {error}"), 0.0)
        shown = self._module._standing_lines_shown
        first_time = self.exercise.name not in shown
        if verdict.status == "incorrect":  # only "not yet right" ends with the standing line
            shown.add(self.exercise.name)
        _show(check_bundle(self.exercise, verdict, standing_lines=first_time))

    def assert_correct(self) -> None:
        """Raise AssertionError unless the answer is correct: for graders that count exceptions."""
        verdict = self._verdict(sys._getframe(1).f_globals)
        if self._module.assessment:
            raise AssertionError(f"{self.exercise.label}: {word('assessment.graded_later')}")
        assert verdict.correct, f"{self.exercise.label}: {verdict.message}"

    def answer(self, namespace: Mapping[str, Any] | None = None) -> dict:
        """The answer as JSON-able data (see :func:`academy.exercise.extract_answer`)."""
        return extract_answer(self.exercise, namespace if namespace is not None else sys._getframe(1).f_globals)

    def hint(self, level: int = 1) -> None:
        """Show hint ``level`` (1 is the gentlest; the last is close to the answer)."""
        if self._module.assessment:
            _show(note_bundle(self.exercise, word("assessment.no_hints")))
            return
        try:
            allowed = read_release_settings().show_solutions
            bundle = hint_bundle(self.exercise, level, show_solution_pointer=allowed)
        except Exception:
            bundle = hint_bundle(self.exercise, 1, show_solution_pointer=False)
        _show(bundle)

    def solution(self) -> None:
        """Show a worked answer where the course run allows it."""
        if self._module.assessment:
            _show(note_bundle(self.exercise, word("assessment.no_solution")))
            return
        try:
            settings = read_release_settings()
            code = None
            if settings.show_solutions:
                code = solution_text(self.exercise.module, self.exercise.grade_id, settings, self._course_roots())
            bundle = solution_bundle(self.exercise, code, settings.show_solutions)
        except Exception:
            bundle = solution_bundle(self.exercise, None, True)
        _show(bundle)

    def _course_roots(self) -> list[Path]:
        roots = []
        for folder in (Path.cwd(), *Path.cwd().parents):
            if (folder / "course.yml").is_file():
                roots.append(folder)
                break
        module_file = getattr(self._module.course_module.python_module, "__file__", None)
        if module_file:
            roots.append(Path(module_file).resolve().parent)
        try:
            from academy.data import project_root

            roots.append(project_root())
        except Exception:
            pass
        return roots


class _LazyData:
    """The module's tables, loaded on first use."""

    def __init__(self, module: ModuleExercises):
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module.data, name)


def _show(bundle: dict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(bundle, raw=True)
            return
    except Exception:
        pass
    print(bundle["text/plain"])
