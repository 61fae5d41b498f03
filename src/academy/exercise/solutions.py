"""Release settings (worked answers, the cohort and its data) and the text of worked answers.

Whether ``ex.q1.solution()`` shows anything is a release setting: a ``release.json`` file,
``{"show_solutions": true|false, "solutions": "solutions.json"}``, found through
``$ACADEMY_RELEASE`` (the file, or the folder holding it) or else in the current folder (a
kernel's current folder is its notebook's folder). Without any ``release.json`` we are in the
course repository and worked answers are shown. A ``release.json`` that cannot be read switches
them off: a release is where an instructor wants control.

A release (``academy release``) also names its cohort and its course folder, relative to
``release.json``::

    "cohort": "spring-2027",
    "course_root": ".."

An assessment (``academy release --assessment``) says so and carries, per module, the form of
each exercise instead of an exercise file (:mod:`academy.exercise.assessment`)::

    "assessment": true,
    "forms": {"format": "academy.exercise-forms/1", "modules": {"00": [{"name": "q1", ...}]}}

A release folder is laid out like the course (``notebooks/``, ``datasets/plant/``), with the
cohort's plant in ``datasets/plant/``; :func:`academy.data.project_root` returns it, so the
notebooks, their checks and the grader all read the cohort's tables (generated from the release's
scenario, which carries the cohort's seed, when a release ships the command instead of the tables).

The text of a worked answer has a single source, the solution region of the exercise's answer
cell in ``solutions/NN_name.ipynb`` (found by nbgrader ``grade_id``). A release that ships
worked answers without the solution notebooks ships a solutions file instead, made from those
notebooks by :func:`export_solutions`::

    {"format": "academy.solutions/1", "modules": {"00": {"q1": "<code>", ...}, ...}}

``release.json``'s ``"solutions"`` names that file, relative to ``release.json``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

RELEASE_ENV = "ACADEMY_RELEASE"
RELEASE_FILE = "release.json"
SOLUTIONS_FORMAT = "academy.solutions/1"


@dataclass(frozen=True)
class ReleaseSettings:
    show_solutions: bool = True
    solutions_file: Path | None = None
    source: Path | None = None  # the release.json read; None in the course repository
    cohort: str | None = None
    course_root: Path | None = None  # a release's own course folder, with the cohort's plant
    assessment: bool = False  # an assessment: the checks judge an answer's form only
    forms: dict | None = None  # module id -> exercise forms, in an assessment


def read_release_settings(folder: Path | None = None) -> ReleaseSettings:
    """The release settings in force for notebooks in ``folder`` (default: the current folder)."""
    configured = os.environ.get(RELEASE_ENV)
    if configured:
        path = Path(configured)
        path = path / RELEASE_FILE if path.is_dir() else path
    else:
        path = Path(folder or Path.cwd()) / RELEASE_FILE
        if not path.is_file():
            return ReleaseSettings()
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
        show = settings["show_solutions"]
        if not isinstance(show, bool):
            raise TypeError("show_solutions must be true or false")
    except (OSError, ValueError, KeyError, TypeError):
        return ReleaseSettings(show_solutions=False, source=path)
    shipped = settings.get("solutions")
    cohort, course_root = settings.get("cohort"), settings.get("course_root")
    # Anything but a plain false counts as an assessment: a release is where an instructor wants control.
    assessment = settings.get("assessment", False) is not False
    forms = settings.get("forms")
    modules = forms.get("modules") if isinstance(forms, dict) else None
    return ReleaseSettings(
        show and not assessment,
        path.parent / shipped if isinstance(shipped, str) and not assessment else None,
        path,
        cohort=cohort if isinstance(cohort, str) else None,
        course_root=(path.parent / course_root).resolve() if isinstance(course_root, str) else None,
        assessment=assessment,
        forms=modules if isinstance(modules, dict) else ({} if assessment else None),
    )


def solution_from_notebook(notebook: Path, grade_id: str) -> str | None:
    """The solution region of the answer cell with this grade_id, or None."""
    import nbformat  # slow to import: only when a worked answer is asked for

    from academy.cells import nbgrader_meta, region_text

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and meta.get("grade_id") == grade_id:
            return region_text(cell.source)
    return None


def find_solution_notebook(module: str, course_roots: list[Path]) -> Path | None:
    for root in course_roots:
        matches = sorted((root / "solutions").glob(f"{module}_*.ipynb"))
        if matches:
            return matches[0]
    return None


def solution_text(module: str, grade_id: str, settings: ReleaseSettings, course_roots: list[Path]) -> str | None:
    """The worked answer's code: from the release's solutions file when it ships one, else from
    the first solution notebook found under ``course_roots``."""
    if settings.solutions_file is not None:
        try:
            shipped = json.loads(settings.solutions_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if shipped.get("format") != SOLUTIONS_FORMAT:
            return None
        return shipped.get("modules", {}).get(module, {}).get(grade_id)
    notebook = find_solution_notebook(module, course_roots)
    return solution_from_notebook(notebook, grade_id) if notebook else None


def export_solutions(solution_notebooks: list[Path]) -> dict:
    """A solutions file's content from solution notebooks (each holding its module id)."""
    import nbformat

    from academy.cells import nbgrader_meta, region_text

    modules: dict[str, dict[str, str]] = {}
    for notebook in sorted(solution_notebooks):
        nb = nbformat.read(notebook, as_version=4)
        module = nb.metadata.get("academy", {}).get("module")
        answers = modules.setdefault(module, {})
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if meta.get("solution"):
                answers[meta["grade_id"]] = region_text(cell.source)
    return {"format": SOLUTIONS_FORMAT, "modules": modules}
