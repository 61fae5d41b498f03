"""What ``academy build`` writes into a solution notebook from the module's single sources.

Every fact about a module is written by hand in one place only:

* ``course.yml`` (:mod:`academy.course`): the module's title, level, minutes, prerequisites and
  learning objectives (their ids and texts);
* the exercise file ``mNN.py`` (:mod:`academy.modules`): each exercise's points, hidden points and
  the objectives it assesses.

A solution notebook carries copies of some of them, because nbgrader and a trainee read them there:
the title cell's text and its objective ids; each exercise cell's nbgrader ``solution`` flag and
``grade_id`` and its objective ids; each check cell's and hidden-tests cell's nbgrader ``grade``
flag, ``grade_id`` and ``points`` (the exercise's public and hidden points). Those copies are never
edited by hand: :func:`write_derived` writes them, and ``academy build`` calls it on every solution
notebook before it builds the trainee notebook, so changing the points in ``mNN.py`` (or a title in
``course.yml``) and running ``academy build`` changes every notebook that shows them.
``academy validate`` still reports a notebook whose copies disagree (one edited by hand, or not
built since), naming what to run.

A locked-role cell without nbgrader metadata (a text cell added in Jupyter, with only its
``academy.role``) gets the usual ``locked: true`` metadata too.
"""
from __future__ import annotations

import nbformat
from nbformat import NotebookNode

from academy import cells


def json_number(value: float) -> int | float:
    """A number as a notebook stores it: ``2``, not ``2.0``, when it is whole."""
    return int(value) if float(value).is_integer() else float(value)


def _nbgrader(grade_id: str, *, points: float | None = None, **flags: bool) -> dict:
    return cells._nbgrader(grade_id, points=None if points is None else json_number(points), **flags)


def write_derived(nb: NotebookNode, course, entry, module) -> NotebookNode:
    """A copy of solution notebook ``nb`` with its derived parts written from ``course.yml``
    (``course``, ``entry``: an :class:`academy.course.ModuleEntry`) and the exercise file
    (``module``: an :class:`academy.modules.CourseModule`). Cells of exercises the exercise file
    does not declare are left as they are (``academy validate`` names them)."""
    from academy.course import render_title_cell

    nb = nbformat.from_dict(nb)  # a deep copy: the input is never changed
    exercises = {exercise.name: exercise for exercise in module.exercises}
    for cell in nb.cells:
        role = cells.role(cell)
        meta = cell.setdefault("metadata", {})
        name = cells.academy_meta(cell).get("exercise")
        exercise = exercises.get(name)
        if role == "title":
            cell.source = render_title_cell(course, entry)
            meta.setdefault("academy", {})["objectives"] = [objective.id for objective in entry.objectives]
        elif role == "exercise" and exercise is not None:
            meta["academy"]["objectives"] = list(exercise.objectives)
            meta["nbgrader"] = _nbgrader(exercise.grade_id, solution=True)
        elif role == "check" and exercise is not None:
            meta["nbgrader"] = _nbgrader(f"{exercise.grade_id}-check", grade=True, locked=True,
                                         points=exercise.public_points)
        elif role == "hidden_tests" and exercise is not None:
            meta["nbgrader"] = _nbgrader(f"{exercise.grade_id}-hidden", grade=True, locked=True,
                                         points=exercise.hidden_points)
        if role in cells.LOCKED_ROLES and "nbgrader" not in meta and cell.get("id"):
            meta["nbgrader"] = _nbgrader(cell["id"], locked=True)
    return nb


def derived_parts_differ(nb: NotebookNode, course, entry, module) -> bool:
    """Whether ``academy build`` would change the notebook's derived parts."""
    return write_derived(nb, course, entry, module) != nbformat.from_dict(nb)
