"""Exercises in an assessment (``academy release --assessment``): checks that say only whether an
answer has the right form.

A check that teaches computes the right answer in the trainee's kernel, so that it can say what
is wrong; a determined trainee can always read it there. An assessment release therefore ships no
exercise file at all. ``release.json`` carries each exercise's *form* instead (see
:func:`exercise_forms`): its name and number, its answer variables, the kind of answer each is
(a number in kW, a table with these columns, a figure), its points and the words of its
placeholder. In an assessment notebook ``academy.exercises("00")`` builds its exercises from
those forms (:func:`form_module`): no expected answer, no known mistakes, no hints, nothing that
could compute them. A check says

* not attempted yet, as always;
* not in the form the task asks for yet, and what it got instead (:func:`form_verdict`);
* answer recorded: it has the right form, and your instructor grades it.

The grader alone scores an assessment, outside the kernel, with the exercise files and the data
(ground truth included) that never reach the trainee (:mod:`academy.grade`).
"""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any, Iterable, Mapping

from academy.exercise import kinds as kind_classes
from academy.exercise.core import Exercise, Verdict
from academy.exercise.kinds import AnswerKind, Table, WrongForm
from academy.exercise.plain import MISSING, is_unanswered, to_plain
from academy.exercise.words import word

FORMS_FORMAT = "academy.exercise-forms/1"
# What an assessment check says: the statuses of a form check.
FORM_STATUSES = ("not_attempted", "wrong_form", "recorded")


class NotInAssessment(LookupError):
    """What an assessment notebook does not hold: expected answers, mistakes, hints, solutions."""


def _not_here(*args: Any, **kwargs: Any) -> Any:
    raise NotInAssessment(word("assessment.no_expected"))


def kind_form(kind: AnswerKind) -> dict:
    """An answer kind as plain data: its class name and fields (what it asks of the answer's form)."""
    if not dataclasses.is_dataclass(kind) or getattr(kind_classes, type(kind).__name__, None) is not type(kind):
        raise ValueError(f"{type(kind).__name__} is not one of the answer kinds of academy.exercise.kinds")
    fields = {}
    for field in dataclasses.fields(kind):
        value = getattr(kind, field.name)
        fields[field.name] = list(value) if isinstance(value, tuple) else value
    return {"kind": type(kind).__name__, "fields": fields}


def kind_from_form(form: Mapping[str, Any]) -> AnswerKind:
    cls = getattr(kind_classes, str(form.get("kind")), None)
    if not (isinstance(cls, type) and issubclass(cls, AnswerKind) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"'{form.get('kind')}' is not an answer kind")
    known = {field.name: field for field in dataclasses.fields(cls)}
    values = {}
    for name, value in dict(form.get("fields", {})).items():
        if name not in known:
            raise ValueError(f"an answer kind {cls.__name__} has no field '{name}'")
        values[name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def exercise_forms(exercises: Iterable[Exercise]) -> list[dict]:
    """What an assessment notebook may know of each exercise: everything but how it is scored."""
    forms = []
    for exercise in exercises:
        forms.append({
            "name": exercise.name,
            "number": exercise.number,
            "variables": list(exercise.variables),
            "kinds": [kind_form(kind) for kind in exercise.kinds],
            "points": exercise.points,
            "hidden_points": exercise.hidden_points,
            "objectives": list(exercise.objectives),
            "todo": exercise.words.get("todo", ""),
        })
    return forms


def exercise_from_form(module_id: str, form: Mapping[str, Any]) -> Exercise:
    variables = tuple(form["variables"])
    kinds = tuple(kind_from_form(kind) for kind in form["kinds"])
    return Exercise(
        name=form["name"],
        number=form["number"],
        answer=variables[0] if len(variables) == 1 else variables,
        expected=_not_here,
        kind=kinds[0] if len(kinds) == 1 else kinds,
        objective=tuple(form.get("objectives", ())),
        points=form["points"],
        hidden_points=form.get("hidden_points", 0),
        module=module_id,
        words={"todo": form.get("todo", "")},
    )


def form_module(module_id: str, forms: Mapping[str, Any]):
    """A module's exercises as an assessment notebook sees them (the shape of
    :class:`academy.modules.CourseModule`, with no exercise file behind it)."""
    from academy.modules import CourseModule, normalise_module_id

    module_id = normalise_module_id(module_id)
    listed = forms.get(module_id)
    if not isinstance(listed, list):
        raise NotInAssessment(word("assessment.no_module", module=module_id, modules=", ".join(sorted(forms)) or "none"))
    exercises = tuple(exercise_from_form(module_id, form) for form in listed)
    return _FormModule(module_id, exercises, {}, SimpleNamespace(__name__=f"assessment forms of module {module_id}"))


class _FormModule:
    """:class:`academy.modules.CourseModule` without an exercise file: its tables are the plant's."""

    def __init__(self, module_id, exercises, words, python_module):
        self.module_id, self.exercises, self.words, self.python_module = module_id, exercises, words, python_module

    def exercise(self, name: str) -> Exercise:
        from academy.modules import CourseModule  # imported here: academy.modules imports this package

        return CourseModule.exercise(self, name)

    def data(self) -> Any:
        from academy import data

        return data


def form_problem(kind: AnswerKind, value: Any) -> str | None:
    """What is wrong with the answer's form (None: the form the task asks for). Only what the task
    itself states: a number, a table with these columns, a figure; never a comparison."""
    try:
        converted = kind.convert(to_plain(value))
    except WrongForm as reason:
        return str(reason)
    if isinstance(kind, Table) and kind.columns:
        missing = [column for column in kind.columns if column not in converted.columns]
        if missing:
            return word("assessment.missing_columns", columns=", ".join(missing), expected=kind.describe())
    return None


def form_verdict(exercise: Exercise, answer: Mapping[str, Any]) -> Verdict:
    """The verdict of an assessment check on ``answer`` (``{variable: value}``, a variable not
    there being missing). Never raises."""
    try:
        answer = {variable: answer.get(variable, MISSING) for variable in exercise.variables}
        unanswered = [variable for variable in exercise.variables if is_unanswered(answer[variable])]
        if len(unanswered) == len(exercise.variables):
            first = exercise.variables[0]
            key = "not_attempted.missing" if answer[first] is MISSING else exercise.kinds[0].placeholder_key
            reason = word(key, variable=first)
            return Verdict("not_attempted", reason + " " + word("assessment.graded_later"), 0.0, reason=reason)
        if unanswered:
            answered = next(variable for variable in exercise.variables if variable not in unanswered)
            reason = word("incorrect.partly_answered", answered=answered, missing=unanswered[0])
            return Verdict("wrong_form", reason, 0.0, reason=reason)
        for variable, kind in zip(exercise.variables, exercise.kinds):
            problem = form_problem(kind, answer[variable])
            if problem is not None:
                reason = problem if len(exercise.variables) == 1 else f"`{variable}`: {problem}"
                return Verdict("wrong_form", reason, 0.0, reason=reason)
        forms = "; ".join(f"`{variable}`: {kind.describe()}" for variable, kind in zip(exercise.variables, exercise.kinds))
        reason = word("assessment.recorded", forms=forms)
        return Verdict("recorded", reason, 0.0, reason=reason)
    except Exception as error:  # the promise is a verdict, whatever the answer is
        reason = word("check.unreadable", error=f"{type(error).__name__}: {str(error)[:150]}")
        return Verdict("wrong_form", reason, 0.0, reason=reason)
