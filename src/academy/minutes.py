"""How long a module takes, measured the way the course guide says: its words read at about
:data:`WORDS_PER_MINUTE`, plus the minutes its exercises take (each exercise declares them).

The words are those of the trainee notebook, text and code cells alike: a trainee reads the
code of the worked examples too. The stated minutes in ``course.yml`` (and so in the module's
title cell) are this measure rounded up to the next five minutes.
"""
from __future__ import annotations

import math

WORDS_PER_MINUTE = 120


def page_words(notebook) -> int:
    """Every word on the trainee's page: text cells and code cells."""
    return sum(len(cell.source.split()) for cell in notebook.cells if cell.cell_type in ("markdown", "code"))


def reading_minutes(notebook) -> float:
    return page_words(notebook) / WORDS_PER_MINUTE


def exercise_minutes(exercises) -> float:
    return float(sum(exercise.minutes for exercise in exercises))


def module_minutes(notebook, exercises) -> int:
    """Reading plus exercises, rounded up to the next five minutes: what a module should state."""
    return 5 * math.ceil((reading_minutes(notebook) + exercise_minutes(exercises)) / 5)
