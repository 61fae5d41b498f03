"""Exercises, verdicts and the pure scoring function.

An :class:`Exercise` is declared once, in its module's ``mNN.py`` (see :mod:`academy.modules`)::

    Exercise(
        name="q1", number="0.1", answer="mean_vibration_mm_s",
        expected=lambda data: clean_vibration(data).mean(),
        kind=Number(unit="mm/s"),
        mistakes=[Mistake("kept_dropouts", lambda data: raw_vibration(data).mean())],
        points=2, objective="00.1",
    )

Its ``points`` (and ``hidden_points``) and ``objective`` are written here and nowhere else:
``course.yml`` does not repeat them, and ``academy build`` copies them into the solution notebook's
nbgrader and cell metadata (:mod:`academy.derived`).

``expected`` and every ``Mistake.compute`` are functions of the data (an object with
``load(name, variant="clean")`` and ``load_truth(name)``: :mod:`academy.data` itself, or
:class:`InMemoryTables`), evaluated when a check runs, so a plant generated with another seed
checks just as well. The trainee-facing words (placeholder ``todo``, ``hints``, mistake
messages) are looked up in the module's ``WORDS`` under the exercise's name; loading the module
binds them to the exercise (``module`` and ``words`` fields).

An exercise may ask for several variables: ``answer=("lcl_mm", "ucl_mm")`` with one kind for all
or a tuple of kinds, and ``expected`` (and each mistake) returning a tuple in the same order.

Scoring
-------
:func:`score` is pure and runs outside a kernel: ``score(exercise, answer_value, data)`` returns
a :class:`Verdict` with ``status`` ``"not_attempted"``, ``"incorrect"`` or ``"correct"``, the
message a trainee sees and ``fraction``, the share of the public points earned (1.0 or 0.0).
:func:`variable_results` judges each variable of a several-variable exercise on its own (the
grader's partial credit).
When the exercise's cell stopped with an error the last time it ran, neither the notebook's check
nor the grader judges what the answer variable holds: :func:`stopped_verdict` says so instead
(see :mod:`academy.exercise.cellruns`).
``points - hidden_points`` are public: the check decides them. ``hidden_points`` are decided only
by the hidden-tests cell of the solution notebook, which the grader runs.

``answer_value`` is a plain value (see :mod:`academy.exercise.plain`) for a one-variable exercise,
or a dict ``{variable: plain value}``. Inside a kernel, :func:`extract_answer` reads the variables
from a namespace into JSON; :func:`load_answer` turns that JSON back into ``answer_value``.
"""
from __future__ import annotations

import difflib
import math
import re
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pandas as pd

from academy.exercise import cellruns
from academy.exercise import plain as plain_values
from academy.exercise.kinds import AnswerKind, WrongForm
from academy.exercise.plain import MISSING, is_unanswered, to_plain
from academy.exercise.words import word

STATUSES = ("not_attempted", "incorrect", "correct")
# Attributes of a notebook's ``ex`` object, which an exercise name would hide.
RESERVED_NAMES = frozenset({"data", "module", "names", "course_module"})
ANSWER_FORMAT = "academy.answer/1"


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: ``compute(data)`` gives it; ``WORDS[exercise]["mistakes"][key]`` explains it."""

    key: str
    compute: Callable[[Any], Any]


@dataclass(frozen=True)
class Exercise:
    """One exercise of one module (see the module docstring)."""

    name: str
    number: str
    answer: str | tuple[str, ...]
    expected: Callable[[Any], Any]
    kind: AnswerKind | tuple[AnswerKind, ...]
    objective: str | tuple[str, ...]
    points: float
    mistakes: tuple[Mistake, ...] | list[Mistake] = ()
    hidden_points: float = 0
    # How long a trainee takes over it, trying a wrong answer or two: the exercise part of the
    # module's stated minutes (see academy.minutes).
    minutes: float = 0
    module: str = ""
    words: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.answer,) if isinstance(self.answer, str) else tuple(self.answer)

    @property
    def kinds(self) -> tuple[AnswerKind, ...]:
        if isinstance(self.kind, AnswerKind):
            return (self.kind,) * len(self.variables)
        return tuple(self.kind)

    @property
    def objectives(self) -> tuple[str, ...]:
        """The learning objectives this exercise assesses."""
        return (self.objective,) if isinstance(self.objective, str) else tuple(self.objective)

    @property
    def public_points(self) -> float:
        return self.points - self.hidden_points

    @property
    def label(self) -> str:
        return word("exercise", number=self.number)

    @property
    def grade_id(self) -> str:
        """The nbgrader grade_id of the exercise's answer cell; its check cell is ``<grade_id>-check``."""
        return self.name

    @property
    def hints(self) -> list[str]:
        return list(self.words.get("hints", []))

    def mistake_message(self, key: str) -> str:
        return self.words.get("mistakes", {})[key]

    def placeholder(self) -> str:
        """The code that replaces the solution region in the trainee notebook: it runs, and says what to do."""
        todo = self.words.get("todo", "your answer")
        if len(self.variables) == 1 and self.kinds[0].placeholder_key == "not_attempted.placeholder_line":
            comment = word("placeholder.line", exercise_label=self.label, variable=self.variables[0], todo=todo)
        else:
            comment = word("placeholder", exercise_label=self.label, todo=todo)
        return "\n".join([comment, *(f"{variable} = ..." for variable in self.variables)])

    def split(self, value: Any) -> dict[str, Any]:
        """A whole answer (one value, a tuple, or a dict by variable) as ``{variable: value}``."""
        if len(self.variables) == 1:
            if isinstance(value, Mapping) and set(value) == set(self.variables):
                return dict(value)
            return {self.variables[0]: value}
        if isinstance(value, Mapping):
            return {variable: value.get(variable, MISSING) for variable in self.variables}
        values = tuple(value)
        if len(values) != len(self.variables):
            raise ValueError(f"{self.name}: expected {len(self.variables)} values, got {len(values)}")
        return dict(zip(self.variables, values))


@dataclass(frozen=True)
class Verdict:
    """The result of one check: a status from :data:`STATUSES`, its message, the share of public points."""

    status: str
    message: str
    fraction: float
    mistake: str | None = None  # key of the known mistake the answer matched, for progress reports
    # The reason alone, without the standing lines (what a red error means, how to ask for a
    # hint) that ``message`` ends with; a notebook shows those once per exercise.
    reason: str = ""

    def __post_init__(self):
        if not self.reason:
            object.__setattr__(self, "reason", self.message)

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def score(exercise: Exercise, answer_value: Any, data: Any, elsewhere: Mapping[str, Any] | None = None,
          *, cell_source: str | None = None) -> Verdict:
    """Judge an answer. Never raises: a failure inside the check becomes a calm message.

    ``elsewhere`` (optional) holds the notebook's other variables: when the answer variable is
    still empty, one of them that holds what the task asks for is named in the message (a figure
    drawn under another name is "not yet right", not "not attempted yet"), and so is a variable
    spelled almost like the answer's (see :func:`named_elsewhere`).

    ``cell_source`` (optional) is the code of the exercise's cell as it last ran: a number rounded
    too far is told to leave out its round() only when that code used one.
    """
    try:
        return _score(exercise, answer_value, data, elsewhere or {}, cell_source or "")
    except Exception as error:  # the promise is a verdict, whatever went wrong
        return Verdict("incorrect", word("check.unreadable", error=_short(error)), 0.0)


def _score(exercise: Exercise, answer_value: Any, data: Any, elsewhere: Mapping[str, Any], cell_source: str) -> Verdict:
    answers = exercise.split(answer_value)
    unanswered = [variable for variable in exercise.variables if is_unanswered(answers[variable])]
    if len(unanswered) == len(exercise.variables):
        first = unanswered[0]
        verdict = named_elsewhere(exercise, None, data, elsewhere, answers[first] is MISSING)
        if verdict is not None:
            return verdict
        if answers[first] is MISSING:
            reason = word("not_attempted.missing", variable=first)
        else:
            reason = word(exercise.kinds[0].placeholder_key, variable=first)
        return Verdict("not_attempted", reason, 0.0)
    if unanswered:
        answered = next(variable for variable in exercise.variables if variable not in unanswered)
        return _incorrect(exercise, word("incorrect.partly_answered", answered=answered, missing=unanswered[0]))

    converted: dict[str, Any] = {}
    for variable, kind in zip(exercise.variables, exercise.kinds):
        try:
            converted[variable] = kind.convert(to_plain(answers[variable]))
        except WrongForm as reason:
            return _incorrect(exercise, _about(exercise, variable, str(reason)))

    try:
        expected = expected_answer(exercise, data)
    except Exception as error:
        return Verdict("incorrect", word("check.broken", error=_short(error)), 0.0)

    reasons = []
    for variable, kind in zip(exercise.variables, exercise.kinds):
        comparison = kind.compare(converted[variable], expected[variable])
        if not comparison.ok:
            used_round = comparison.reason_if_rounded and _calls_round(cell_source)
            reasons.append(_about(exercise, variable, comparison.reason_if_rounded if used_round else comparison.reason))
    if not reasons:
        key = "correct.public_only" if exercise.hidden_points else "correct.done"
        return Verdict("correct", word(key), 1.0)

    for mistake in exercise.mistakes:
        try:
            wrong = _converted_expected(exercise, mistake.compute(data))
        except Exception:  # a mistake that cannot be computed simply does not match
            continue
        if all(
            kind.matches_mistake(converted[variable], wrong[variable], expected[variable])
            for variable, kind in zip(exercise.variables, exercise.kinds)
        ):
            reason = exercise.mistake_message(mistake.key)
            also = [
                problem
                for variable, kind in zip(exercise.variables, exercise.kinds)
                for problem in kind.also_wrong(converted[variable], expected[variable], wrong[variable])
            ]
            if also:  # every problem in one round: the mistake first, then the rest
                reason = "\n".join([reason, word("reason.figure.also"), *(word("reason.figure.item", problem=p) for p in also)])
            return _incorrect(exercise, reason, mistake=mistake.key)
    return _incorrect(exercise, reasons[0])


def stopped_verdict(exercise: Exercise, error: str, answer_value: Any = MISSING) -> Verdict:
    """The verdict when the exercise's cell stopped with ``error`` (an error's name, such as
    ``"KeyError"``) the last time it ran: never right, whatever the answer variable holds, since
    that is an older answer (or none) rather than the one the cell works out now. The answer is
    not judged, so no stale reason is given either (see :mod:`academy.exercise.cellruns`)."""
    answers = exercise.split(answer_value)
    names = ", ".join(f"`{variable}`" for variable in exercise.variables)
    if all(is_unanswered(answers[variable]) for variable in exercise.variables):
        reason = word("stopped.no_answer", error=error, variables=names)
    else:
        reason = word("stopped.older_answer", error=error, variables=names)
    return _incorrect(exercise, reason)


def not_stored_verdict(exercise: Exercise, source: str, answer_value: Any = MISSING) -> Verdict | None:
    """The verdict when the exercise's cell, as it last ran (``source``), stores none of the answer
    variables although they hold something: that value is left from an earlier run (the trainee
    renamed or misspelled the variable, or kept a figure under another name), and judging it would
    give advice about code that is no longer there. ``None`` when the cell stores an answer
    variable, when they hold nothing, or when its code does not parse."""
    answers = exercise.split(answer_value)
    if all(is_unanswered(answers[variable]) for variable in exercise.variables):
        return None
    if cellruns.stores_answer(exercise, source):
        return None
    stored = cellruns.stored_names(source)
    if stored is None or any(variable in stored for variable in exercise.variables):
        return None
    names = ", ".join(f"`{variable}`" for variable in exercise.variables)
    if stored:
        reason = word("stale.stores_other", variables=names, stored=", ".join(f"`{name}`" for name in stored))
    else:
        reason = word("stale.stores_nothing", variables=names)
    return _incorrect(exercise, reason)


def variable_results(exercise: Exercise, answer_value: Any, data: Any) -> dict[str, bool]:
    """Whether each answer variable on its own matches the expected answer, ``{variable: bool}``.

    The grader's partial credit for an exercise with several variables (each right variable earns
    its share of the public points). Pure and never raises, like :func:`score`: an unanswered,
    unreadable or wrongly formed variable is simply not right.
    """
    try:
        answers = exercise.split(answer_value)
        expected = expected_answer(exercise, data)
    except Exception:
        return {variable: False for variable in exercise.variables}
    results = {}
    for variable, kind in zip(exercise.variables, exercise.kinds):
        value = answers.get(variable, MISSING)
        try:
            results[variable] = not is_unanswered(value) and kind.compare(kind.convert(to_plain(value)), expected[variable]).ok
        except Exception:  # WrongForm, or anything odd about the answer
            results[variable] = False
    return results


def expected_answer(exercise: Exercise, data: Any) -> dict[str, Any]:
    """The expected answer for this data, converted by the exercise's kind(s), by variable."""
    return _converted_expected(exercise, exercise.expected(data))


def _converted_expected(exercise: Exercise, value: Any) -> dict[str, Any]:
    parts = exercise.split(value if len(exercise.variables) > 1 else {exercise.variables[0]: value})
    return {variable: kind.convert_expected(parts[variable]) for variable, kind in zip(exercise.variables, exercise.kinds)}


def _incorrect(exercise: Exercise, reason: str, mistake: str | None = None) -> Verdict:
    message = reason + word("incorrect.next_step", exercise=exercise.name)
    return Verdict("incorrect", message, 0.0, mistake, reason=reason)


def _calls_round(source: str) -> bool:
    return re.search(r"\bround\s*\(", source or "") is not None


def worded_for_cell(exercise: Exercise, verdict: Verdict, answer_value: Any, data: Any, cell_source: str | None) -> Verdict:
    """A verdict of :func:`score` worded for the exercise cell's code (see ``cell_source`` there):
    the notebook scores with the three arguments first, then, only for a "not yet right" from a
    cell that calls round(), again with the code. Never raises."""
    if verdict.status != "incorrect" or verdict.mistake is not None or not _calls_round(cell_source or ""):
        return verdict
    try:
        return score(exercise, answer_value, data, cell_source=cell_source)
    except Exception:
        return verdict


def named_elsewhere(exercise: Exercise, verdict: Verdict | None, data: Any, elsewhere: Mapping[str, Any],
                    missing: bool | None = None, answer_value: Any = MISSING) -> Verdict | None:
    """For a "not attempted yet" ``verdict``: a "not yet right" that names the other variable
    holding the answer (a figure kept in the worked example's ``fig``), or, when the answer
    variable does not exist at all (``missing``), a variable spelled almost like it. For a "not yet
    right" figure (``answer_value``): the other variable holding a newer figure that shows what the
    task asks, since the trainee is looking at that one. Any other verdict, or when none is found,
    ``verdict`` unchanged. Never raises."""
    if verdict is not None and verdict.status == "incorrect" and answer_value is not MISSING:
        try:
            newer = _newer_right_figure(exercise, answer_value, data, elsewhere)
        except Exception:
            newer = None
        if newer is not None:
            return _incorrect(exercise, word("reason.older_figure", variable=exercise.variables[0], found=newer))
        return verdict
    if verdict is not None and verdict.status != "not_attempted":
        return verdict
    variable = exercise.variables[0]
    if missing is None:
        missing = verdict is not None and verdict.reason == word("not_attempted.missing", variable=variable)
    try:
        found = _answer_under_another_name(exercise, data, elsewhere)
        if found is not None:
            return _incorrect(exercise, word("reason.other_name", variable=variable, found=found))
        similar = _similar_name(exercise, elsewhere) if missing else None
        if similar is not None:
            return _incorrect(exercise, word("reason.similar_name", variable=variable, found=similar))
    except Exception:  # the plain "not attempted yet" is still true
        pass
    return verdict


def _newer_right_figure(exercise: Exercise, answer_value: Any, data: Any, elsewhere: Mapping[str, Any]) -> str | None:
    """The name of another variable holding a figure made after the answer's (pyplot numbers its
    figures in the order they are made) that shows what the task asks, for a figure exercise."""
    own = getattr(answer_value, "number", None)
    if len(exercise.variables) != 1 or not exercise.kinds[0].look_elsewhere or not isinstance(own, int):
        return None
    kind = exercise.kinds[0]
    newer = sorted(((value.number, name) for name, value in elsewhere.items()
                    if not name.startswith("_") and kind.may_hold(value)
                    and isinstance(getattr(value, "number", None), int) and value.number > own), reverse=True)
    if not newer:
        return None
    expected = expected_answer(exercise, data)[exercise.variables[0]]
    for _, name in newer:
        try:
            if kind.resembles(kind.convert(to_plain(elsewhere[name])), expected):
                return name
        except Exception:  # WrongForm, or a value that cannot be read: not the answer
            continue
    return None


def _similar_name(exercise: Exercise, elsewhere: Mapping[str, Any]) -> str | None:
    """A notebook variable spelled almost like the (one) answer variable: a typo or a lost unit."""
    if len(exercise.variables) != 1:
        return None
    names = [name for name, value in elsewhere.items()
             if not name.startswith("_") and not isinstance(value, types.ModuleType) and not callable(value)]
    close = difflib.get_close_matches(exercise.variables[0], names, n=1, cutoff=0.8)
    return close[0] if close else None


def _answer_under_another_name(exercise: Exercise, data: Any, elsewhere: Mapping[str, Any]) -> str | None:
    """The name of another variable that holds a right answer's data, for a one-variable exercise
    whose kind looks for it (figures: a trainee often keeps the ``fig`` of the worked example)."""
    if len(exercise.variables) != 1 or not exercise.kinds[0].look_elsewhere or not elsewhere:
        return None
    kind = exercise.kinds[0]
    candidates = {name: value for name, value in elsewhere.items() if not name.startswith("_") and kind.may_hold(value)}
    if not candidates:
        return None
    expected = expected_answer(exercise, data)[exercise.variables[0]]
    for name, value in candidates.items():
        try:
            if kind.resembles(kind.convert(to_plain(value)), expected):
                return name
        except Exception:  # WrongForm, or a value that cannot be read: not the answer
            continue
    return None


def _about(exercise: Exercise, variable: str, reason: str) -> str:
    return reason if len(exercise.variables) == 1 else f"`{variable}`: {reason}"


def _short(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 200 else text[:197] + "..."


# --- answers in and out of the kernel ---------------------------------------------------------


def extract_answer(exercise: Exercise, namespace: Mapping[str, Any]) -> dict:
    """The exercise's answer variables from ``namespace``, as JSON-able data.

    Format: ``{"format": "academy.answer/1", "module": "00", "exercise": "q1",
    "values": {variable: <plain.encode(...) dict>}}``. Figures are summarised; missing variables
    are recorded as missing. Never raises: an unencodable value is recorded as unsupported.
    """
    return answer_of(exercise.module, exercise.name, exercise.variables, namespace)


def answer_of(module: str, exercise: str, variables: tuple[str, ...] | list[str], namespace: Mapping[str, Any]) -> dict:
    """:func:`extract_answer` from the exercise's names alone (no exercise file needed)."""
    values = {}
    for variable in variables:
        value = namespace.get(variable, MISSING)
        try:
            values[variable] = plain_values.encode(value)
        except Exception:
            values[variable] = {"type": "unsupported", "type_name": type(value).__name__}
    return {"format": ANSWER_FORMAT, "module": module, "exercise": exercise, "values": values}


def show_answer(mime: str, nonce: str, module: str, exercise: str, variables: tuple[str, ...],
                namespace: Mapping[str, Any]) -> None:
    """The grader's read-out in a kernel: show the answer (:func:`answer_of`) as ``mime`` with ``nonce``."""
    from IPython.display import display

    display({mime: {"nonce": nonce, "answer": answer_of(module, exercise, variables, namespace)}}, raw=True)


def load_answer(jsonable: Mapping[str, Any]) -> Any:
    """The ``answer_value`` for :func:`score` from :func:`extract_answer`'s output.

    One variable: its plain value. Several: a dict ``{variable: plain value}``.
    """
    if jsonable.get("format") != ANSWER_FORMAT:
        raise ValueError(f"not an extracted answer (format {jsonable.get('format')!r}, expected {ANSWER_FORMAT!r})")
    values = {variable: plain_values.decode(encoded) for variable, encoded in jsonable["values"].items()}
    return next(iter(values.values())) if len(values) == 1 else values


# --- validation of exercise declarations ------------------------------------------------------


def exercise_problems(exercise: Exercise, module_id: str) -> list[str]:
    """What is wrong with one exercise declaration (empty when it is fine)."""
    where = f"module {module_id}, exercise '{exercise.name}'"
    problems = []
    if not exercise.name.isidentifier() or exercise.name.startswith("_") or exercise.name in RESERVED_NAMES:
        problems.append(f"{where}: the name must be a Python name such as q1, and not one of {sorted(RESERVED_NAMES)}")
    if not exercise.number.startswith(f"{int(module_id)}."):
        problems.append(f"{where}: number '{exercise.number}' should start with '{int(module_id)}.'")
    for variable in exercise.variables:
        if not variable.isidentifier():
            problems.append(f"{where}: answer variable '{variable}' is not a valid Python name")
    if len(exercise.kinds) != len(exercise.variables) or not all(isinstance(k, AnswerKind) for k in exercise.kinds):
        problems.append(f"{where}: give one answer kind, or one per answer variable")
    if not (isinstance(exercise.points, (int, float)) and exercise.points > 0 and math.isfinite(exercise.points)):
        problems.append(f"{where}: points must be a positive number")
    elif not 0 <= exercise.hidden_points < exercise.points:
        problems.append(f"{where}: hidden points must be at least 0 and less than the points")
    if not exercise.objectives:
        problems.append(f"{where}: name the learning objective(s) the exercise assesses")
    for objective in exercise.objectives:
        if not objective.startswith(f"{module_id}."):
            problems.append(f"{where}: objective '{objective}' is not one of module {module_id}'s (they look like {module_id}.1)")
    if not exercise.mistakes:
        problems.append(f"{where}: declare at least one common mistake, so the check can be tested on a wrong answer")
    keys = [mistake.key for mistake in exercise.mistakes]
    if len(set(keys)) != len(keys):
        problems.append(f"{where}: mistake keys repeat")
    words = exercise.words
    if not isinstance(words.get("todo"), str) or not words.get("todo"):
        problems.append(f"{where}: WORDS['{exercise.name}']['todo'] is missing")
    hints = words.get("hints")
    if not isinstance(hints, list) or len(hints) < 2 or not all(isinstance(h, str) and h for h in hints):
        problems.append(f"{where}: WORDS['{exercise.name}']['hints'] needs at least two hints, the last close to the answer")
    messages = words.get("mistakes", {})
    for key in keys:
        if not isinstance(messages.get(key), str) or not messages.get(key):
            problems.append(f"{where}: WORDS['{exercise.name}']['mistakes']['{key}'] is missing")
    for key in set(messages) - set(keys):
        problems.append(f"{where}: WORDS['{exercise.name}']['mistakes']['{key}'] belongs to no declared mistake")
    for text in [*(hints or []), *messages.values()]:
        if isinstance(text, str) and "correct" in text.casefold():
            problems.append(
                f"{where}: the word 'correct' is reserved for the correct status; rephrase: {text[:60]!r}"
            )
    return problems


def module_problems(module) -> list[str]:
    """Problems of a whole :class:`academy.modules.CourseModule`: each exercise, names, words."""
    problems = []
    names = [exercise.name for exercise in module.exercises]
    if not names:
        problems.append(f"module {module.module_id}: EXERCISES is empty")
    if len(set(names)) != len(names):
        problems.append(f"module {module.module_id}: exercise names repeat")
    numbers = [exercise.number for exercise in module.exercises]
    if len(set(numbers)) != len(numbers):
        problems.append(f"module {module.module_id}: exercise numbers repeat")
    for name in set(module.words) - set(names):
        problems.append(f"module {module.module_id}: WORDS['{name}'] belongs to no exercise")
    for exercise in module.exercises:
        problems += exercise_problems(exercise, module.module_id)
    return problems


class InMemoryTables:
    """Tables held in memory, with the same ``load``/``load_truth`` interface as :mod:`academy.data`.

    ``observed`` maps a table name to a DataFrame, or to ``{"clean": df, "raw": df}`` when the
    two variants differ. Every load returns a copy, like the real loader.
    """

    def __init__(self, observed: Mapping[str, Any], truth: Mapping[str, pd.DataFrame] | None = None):
        self._observed = dict(observed)
        self._truth = dict(truth or {})

    def load(self, name: str, variant: str = "clean") -> pd.DataFrame:
        if name not in self._observed:
            raise LookupError(f"There is no table called '{name}'. Tables: {', '.join(sorted(self._observed))}.")
        table = self._observed[name]
        if isinstance(table, Mapping):
            table = table[variant]
        return table.copy()

    def load_truth(self, name: str) -> pd.DataFrame:
        if name not in self._truth:
            raise LookupError(f"There is no ground-truth table called '{name}'.")
        return self._truth[name].copy()
