"""Where a trainee stands: ``academy.progress()`` in a notebook, ``academy progress`` in a terminal.

It reads the trainee's own saved notebooks, nothing else: every check a notebook ran stores its
result (the ``application/vnd.academy.check+json`` data of the check's output, see
:mod:`academy.exercise.display`), so nothing is run again. The last stored check of each exercise
counts. Only the check's points are known here; an instructor's extra (hidden) tests come on top.

Which modules: those a release hands out (``release.json`` in the folder, or ``$ACADEMY_RELEASE``),
else the modules of the course (``course.yml`` at or above the folder), else every ``NN_*.ipynb``
notebook in the folder. Notebooks are looked for in the folder, then in its ``notebooks/``.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

from academy.exercise.display import CHECK_MIME
from academy.exercise.solutions import RELEASE_FILE

# Trainee-facing words, in one place for translation.
PROGRESS_WORDS = {
    "title": "Your progress",
    "status.correct": "correct",
    "status.incorrect": "not yet right",
    "status.not_attempted": "not attempted yet",
    "status.not_checked": "not checked yet",
    "status.recorded": "answer recorded",
    "status.wrong_form": "not in the form the task asks for yet",
    "module": "Module {module}",
    "module.titled": "Module {module} · {title}",
    "module.line": "{heading}: {correct} of {count} exercises correct, {points} of {max_points} points",
    "module.missing": "{heading}: notebook {file} not found here",
    "module.unreadable": "{heading}: {file} could not be read ({reason})",
    "module.other": "{heading}: {file} is the notebook of module {other}",
    "total": "In all: {correct} of {count} exercises correct, {points} of {max_points} points from the checks.",
    "module.line_assessment": "{heading}: {recorded} of {count} answers recorded in the form the task asks for "
    "(an assessment: your instructor grades them)",
    "total_assessment": "In all: {recorded} of {count} answers recorded. This is an assessment: the checks say only "
    "whether an answer has the right form, and your instructor grades your answers after you hand in.",
    "save_first": "This reads your saved notebooks: save (Ctrl + S) to include your latest work. "
    "Your instructor's extra tests are not counted here.",
    "none": "No course notebooks found in {folder}.",
}
SYMBOLS = {"correct": "✔", "incorrect": "✎", "not_attempted": "…", "not_checked": "○", "recorded": "✉", "wrong_form": "✎"}
NOTEBOOK_NAME = re.compile(r"^(\d{2})_[^/]*\.ipynb$")


def _word(key: str, **values) -> str:
    return PROGRESS_WORDS[key].format(**values)


@dataclass
class ExerciseProgress:
    name: str
    label: str
    status: str  # correct | incorrect | not_attempted | not_checked; in an assessment recorded | wrong_form
    score: float
    max_score: float | None


@dataclass
class ModuleProgress:
    module: str
    title: str
    file: str
    exercises: list[ExerciseProgress] = field(default_factory=list)
    problem: str | None = None  # the notebook is missing, unreadable or another module's
    assessment: bool = False  # released as an assessment: its checks judge an answer's form only

    @property
    def correct(self) -> int:
        return sum(e.status == "correct" for e in self.exercises)

    @property
    def recorded(self) -> int:
        return sum(e.status == "recorded" for e in self.exercises)

    @property
    def points(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_points(self) -> float:
        return sum(e.max_score or 0 for e in self.exercises)

    def line(self) -> str:
        if self.problem:
            return self.problem
        if self.assessment:
            return _word("module.line_assessment", heading=self.heading, recorded=self.recorded, count=len(self.exercises))
        return _word("module.line", heading=self.heading, correct=self.correct, count=len(self.exercises),
                     points=_num(self.points), max_points=_num(self.max_points))

    @property
    def heading(self) -> str:
        return _word("module.titled", module=self.module, title=self.title) if self.title else _word("module", module=self.module)


@dataclass
class ProgressReport:
    folder: Path
    modules: list[ModuleProgress]

    def text(self) -> str:
        if not self.modules:
            return _word("none", folder=self.folder)
        lines = []
        for module in self.modules:
            lines.append(module.line())
            for exercise in module.exercises:
                points = f"{_num(exercise.score)}/{_num(exercise.max_score)}" if exercise.max_score is not None else ""
                lines.append(f"  {SYMBOLS[exercise.status]} {exercise.label}: {_word('status.' + exercise.status)} {points}".rstrip())
        lines += ["", self._total(), _word("save_first")]
        return "\n".join(lines)

    def _total(self) -> str:
        exercises = [e for m in self.modules for e in m.exercises]
        if self.modules and all(m.assessment for m in self.modules):
            return _word("total_assessment", recorded=sum(e.status == "recorded" for e in exercises), count=len(exercises))
        return _word("total", correct=sum(e.status == "correct" for e in exercises), count=len(exercises),
                     points=_num(sum(e.score for e in exercises)), max_points=_num(sum(e.max_score or 0 for e in exercises)))

    def _repr_html_(self) -> str:
        if not self.modules:
            return f"<p>{html.escape(_word('none', folder=self.folder))}</p>"
        parts = [f"<h3>{html.escape(_word('title'))}</h3>"]
        for module in self.modules:
            parts.append(f"<p><strong>{html.escape(module.line())}</strong></p>")
            if module.exercises:
                rows = "".join(
                    f"<tr><td>{html.escape(e.label)}</td><td>{SYMBOLS[e.status]} {html.escape(_word('status.' + e.status))}</td>"
                    f"<td>{_num(e.score)} of {_num(e.max_score) if e.max_score is not None else '?'}</td></tr>"
                    for e in module.exercises
                )
                parts.append(f'<table style="margin-left:1em">{rows}</table>')
        parts.append(f"<p>{html.escape(self._total())}</p><p><em>{html.escape(_word('save_first'))}</em></p>")
        return "".join(parts)

    def __repr__(self) -> str:
        return self.text()


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    value = round(float(value), 2)
    return str(int(value)) if value.is_integer() else f"{value:g}"


# --- reading ------------------------------------------------------------------------------------


def _planned_modules(folder: Path) -> list[tuple[str, str, str | None]]:
    """(module id, title, file name or None) for the modules this folder should hold."""
    from academy.exercise.solutions import read_release_settings

    settings = read_release_settings(folder)
    if settings.source is not None:
        try:
            released = json.loads(settings.source.read_text(encoding="utf-8")).get("modules", [])
            planned = [(m["id"], m.get("title", ""), m.get("file")) for m in released if isinstance(m, dict) and "id" in m]
            if planned:
                return planned
        except (OSError, ValueError, TypeError):
            pass
    for candidate in (folder, *folder.parents):
        if (candidate / "course.yml").is_file():
            from academy.course import load_course

            try:
                course = load_course(candidate)
                if course.module_path is not None:
                    from academy.modules import add_search_path

                    add_search_path(course.module_path)
                return [(entry.id, entry.title, entry.file) for entry in course.modules]
            except Exception:
                break
    found = {}
    for path in sorted([*folder.glob("*.ipynb"), *(folder / "notebooks").glob("*.ipynb")]):
        match = NOTEBOOK_NAME.match(path.name)
        if match and match.group(1) not in found:
            found[match.group(1)] = ("", path.name)
    return [(module_id, title, file) for module_id, (title, file) in sorted(found.items())]


def _find_notebook(folder: Path, module_id: str, file: str | None) -> Path | None:
    for place in (folder, folder / "notebooks"):
        if file and (place / file).is_file():
            return place / file
    for place in (folder, folder / "notebooks"):
        matches = sorted(place.glob(f"{module_id}_*.ipynb"))
        if matches:
            return matches[0]
    return None


def _form_list(module_id: str, forms: dict) -> list[tuple[str, str, float]] | None:
    try:
        from academy.exercise.assessment import form_module

        return [(e.name, e.label, e.public_points) for e in form_module(module_id, forms).exercises]
    except Exception:  # a module the assessment does not list: fall back on what the notebook says
        return None


def _exercise_list(module_id: str) -> list[tuple[str, str, float]] | None:
    try:
        from academy.modules import load_module

        return [(e.name, e.label, e.public_points) for e in load_module(module_id).exercises]
    except Exception:  # an exercise file that is not installed here: fall back on what the notebook says
        return None


def module_progress(module_id: str, title: str, notebook: Path | None, file: str | None,
                    forms: dict | None = None) -> ModuleProgress:
    """One module's progress from its saved notebook. ``forms``: an assessment's exercise forms
    (module id -> forms), which then list the exercises."""
    shown_file = file or (notebook.name if notebook else f"{module_id}_*.ipynb")
    progress = ModuleProgress(module_id, title, shown_file, assessment=forms is not None)
    known = _exercise_list(module_id) if forms is None else _form_list(module_id, forms)
    if notebook is None:
        progress.problem = _word("module.missing", heading=progress.heading, file=shown_file)
    else:
        try:
            nb = json.loads(notebook.read_text(encoding="utf-8"))
            cells = nb["cells"]
            declared = nb.get("metadata", {}).get("academy", {}).get("module")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            progress.problem = _word("module.unreadable", heading=progress.heading, file=notebook.name, reason=type(error).__name__)
            cells, declared = [], None
        if declared not in (None, module_id):
            progress.problem = _word("module.other", heading=progress.heading, file=notebook.name, other=declared)
            cells = []
        elif not progress.title:
            progress.title = _title_from(cells, module_id)
        results = {}
        for cell in cells if isinstance(cells, list) else []:
            for output in cell.get("outputs", []) if isinstance(cell, dict) and cell.get("cell_type") == "code" else []:
                data = output.get("data", {}) if isinstance(output, dict) else {}
                check = data.get(CHECK_MIME) if isinstance(data, dict) else None
                if isinstance(check, dict) and check.get("module") == module_id and isinstance(check.get("exercise"), str):
                    results[check["exercise"]] = check  # the last stored check of an exercise counts
        exercises = known or [(name, name, results[name].get("max_score")) for name in results]
        for name, label, max_score in exercises:
            check = results.get(name)
            status = check.get("status") if check else "not_checked"
            if status not in SYMBOLS:
                status = "not_checked"
            score = check.get("score", 0) if check and isinstance(check.get("score"), (int, float)) else 0
            progress.exercises.append(ExerciseProgress(name, label, status, float(score), max_score))
        return progress
    progress.exercises = [ExerciseProgress(name, label, "not_checked", 0.0, points) for name, label, points in known or []]
    return progress


def _title_from(cells: list, module_id: str) -> str:
    """The module's title from its title cell (``# Module NN · Title``), when nothing else names it."""
    for cell in cells[:3] if isinstance(cells, list) else []:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        source = "".join(source) if isinstance(source, list) else str(source)
        match = re.match(rf"#\s*Module {module_id} · (.+)", source.strip())
        if match:
            return match.group(1).split("\n")[0].strip()
    return ""


def progress_report(folder: Path | str | None = None) -> ProgressReport:
    """The progress of the notebooks in ``folder`` (default: the current folder)."""
    folder = Path(folder or Path.cwd()).resolve()
    if not (folder / RELEASE_FILE).is_file() and (folder / "notebooks" / RELEASE_FILE).is_file():
        folder = folder / "notebooks"  # a release's top folder: its notebooks sit one level down
    from academy.exercise.solutions import read_release_settings

    settings = read_release_settings(folder)
    forms = (settings.forms or {}) if settings.assessment else None
    modules = []
    for module_id, title, file in _planned_modules(folder):
        modules.append(module_progress(module_id, title, _find_notebook(folder, module_id, file), file, forms))
    return ProgressReport(folder, modules)


def progress(folder: Path | str | None = None) -> None:
    """Show which modules and exercises pass, from your saved notebooks (in a notebook: a table)."""
    report = progress_report(folder)
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({"text/plain": report.text(), "text/html": report._repr_html_()}, raw=True)
            return
    except Exception:
        pass
    print(report.text())


# --- command line ------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``academy progress``."""
    parser = subparsers.add_parser("progress", help="show which modules and exercises pass, from your saved notebooks")
    parser.add_argument("folder", nargs="?", type=Path, default=None, help="folder of your notebooks (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the progress as JSON")
    parser.set_defaults(run=_run_progress)


def _run_progress(args: argparse.Namespace) -> int:
    report = progress_report(args.folder)
    if args.json:
        from dataclasses import asdict

        print(json.dumps({"folder": str(report.folder), "modules": [asdict(m) for m in report.modules]}, indent=1))
    else:
        print(report.text())
    return 0


class _CallableModule(types.ModuleType):
    """Lets a notebook call ``academy.progress()`` although ``academy.progress`` is this module
    (importing a submodule makes it the package's attribute of that name)."""

    def __call__(self, folder: Path | str | None = None) -> None:
        progress(folder)


sys.modules[__name__].__class__ = _CallableModule
