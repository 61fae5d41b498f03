"""Exercises and their checks: one declarative object per exercise, read by checking, hinting,
grading and the course manifest alike.

Where to look:

* :mod:`academy.exercise.core`: :class:`Exercise`, :class:`Mistake`, :class:`Verdict`, the pure
  :func:`score`, :func:`extract_answer` / :func:`load_answer`, declaration checks.
* :mod:`academy.exercise.kinds`: the answer kinds (how answers are read and compared).
* :mod:`academy.exercise.plain`: kernel values as plain values, and their JSON form.
* :mod:`academy.exercise.figures`: matplotlib figures summarised for checks.
* :mod:`academy.exercise.trainee`: ``academy.exercises("00")`` and ``ex.q1.check()`` etc.
* :mod:`academy.exercise.display`: the display bundles a check shows.
* :mod:`academy.exercise.cellruns`: which exercise cells stopped with an error the last time they ran.
* :mod:`academy.exercise.solutions`: release settings and the text of worked answers.
* :mod:`academy.exercise.words`: the checking machinery's own trainee-facing words.
"""
from academy.exercise.core import (
    ANSWER_FORMAT,
    STATUSES,
    Exercise,
    InMemoryTables,
    Mistake,
    Verdict,
    expected_answer,
    exercise_problems,
    extract_answer,
    load_answer,
    module_problems,
    score,
    stopped_verdict,
    variable_results,
)
from academy.exercise.display import CHECK_MIME, check_bundle, check_results
from academy.exercise.figures import expected_figure
from academy.exercise.kinds import (
    AnswerKind,
    Choice,
    Column,
    Comparison,
    Figure,
    Integer,
    Labels,
    Number,
    Table,
    WrongForm,
)
from academy.exercise.plain import MISSING, to_plain
from academy.exercise.trainee import BoundExercise, ModuleExercises, exercises

__all__ = [
    "ANSWER_FORMAT", "CHECK_MIME", "MISSING", "STATUSES",
    "AnswerKind", "BoundExercise", "Choice", "Column", "Comparison", "Exercise", "Figure",
    "InMemoryTables", "Integer", "Labels", "Mistake", "ModuleExercises", "Number", "Table",
    "Verdict", "WrongForm",
    "check_bundle", "check_results", "expected_answer", "expected_figure", "exercise_problems", "exercises",
    "extract_answer", "load_answer", "module_problems", "score", "stopped_verdict", "to_plain", "variable_results",
]
