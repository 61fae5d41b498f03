"""How long a module takes, measured the way the course guide says: its words read at about
:data:`WORDS_PER_MINUTE`, plus the minutes its exercises take (each exercise declares them), plus
the minutes of the page's unchecked tasks.

The words are those of the trainee notebook, text and code cells alike: a trainee reads the
code of the worked examples too. The unchecked tasks are what the page asks a trainee to do
besides reading and the checked exercises: run the first cell, a **Try it**, scroll through a
wide table, open the export in the editor, play with a machine picker. A module file declares
them as ``HANDS_ON_MINUTES = {cell_id: minutes}``, on the cell where the task is asked (see
:func:`hands_on_minutes`). The stated minutes in ``course.yml`` (and so in the module's title
cell) are this measure rounded up to the next five minutes.
"""
from __future__ import annotations

import math
from typing import Mapping

WORDS_PER_MINUTE = 120


def page_words(notebook) -> int:
    """Every word on the trainee's page: text cells and code cells."""
    return sum(len(cell.source.split()) for cell in notebook.cells if cell.cell_type in ("markdown", "code"))


def reading_minutes(notebook) -> float:
    return page_words(notebook) / WORDS_PER_MINUTE


def exercise_minutes(exercises) -> float:
    return float(sum(exercise.minutes for exercise in exercises))


def hands_on_minutes(notebook, hands_on: Mapping[str, float] | None) -> float:
    """The minutes of the page's unchecked tasks, ``{cell_id: minutes}``; every id must be a cell
    of the notebook (a task whose cell was renamed or removed would silently stop counting)."""
    hands_on = dict(hands_on or {})
    ids = {cell.get("id") for cell in notebook.cells}
    unknown = sorted(set(hands_on) - ids)
    if unknown:
        raise ValueError(f"HANDS_ON_MINUTES names cells the notebook does not have: {', '.join(unknown)}")
    return float(sum(hands_on.values()))


def module_minutes(notebook, exercises, hands_on: Mapping[str, float] | None = None) -> int:
    """Reading, exercises and unchecked tasks, rounded up to the next five minutes: what a module
    should state."""
    total = reading_minutes(notebook) + exercise_minutes(exercises) + hands_on_minutes(notebook, hands_on)
    return 5 * math.ceil(total / 5)
