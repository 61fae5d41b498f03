"""Building trainee notebooks from solution notebooks.

``solutions/NN_name.ipynb`` is the source; first its derived parts (title cell, nbgrader points
and grade ids) are written from ``course.yml`` and the exercise file (:mod:`academy.derived`),
then ``notebooks/NN_name.ipynb`` is made from it by a chain of small steps, each a function from notebook to new notebook (the input is never changed), each
usable alone (the grader reuses them):

:func:`strip_solutions`
    Every solution region becomes its exercise's placeholder: a comment saying what to do and
    ``answer_variable = ...``, which runs, so a notebook with every exercise blank runs top to bottom.
:func:`strip_hidden_tests`
    Removes hidden-test regions (instructor-only tests).
:func:`clear_outputs`
    Removes outputs and execution counts.
:func:`lock_cells`
    Marks locked cells (nbgrader ``locked``) ``editable: false`` and ``deletable: false``.
:func:`run_on_after_exercise_errors`
    Tags each exercise cell ``raises-exception``: when a trainee's answer stops with a red error,
    **Run All** goes on (JupyterLab and nbclient then do not abort the cells after it), so the
    check below says what happened instead of never running.
:func:`clean_metadata`
    Drops run-time metadata (timings, scroll state, widget state, and the widget views that would
    point into that state) so files only change when their content does.

:data:`TRAINEE_STEPS` is the chain; :func:`build_trainee_notebook` applies it. :func:`build_course`
does every module of a course (``academy build``): it writes the derived parts of each solution
notebook, optionally re-executes the solutions (``academy build --execute``, with nbclient) to
refresh their stored outputs, builds the trainee notebooks and regenerates the README's module
table. Output is byte-for-byte reproducible: :func:`stale_notebooks` tells whether the committed
solutions and notebooks are what a fresh build would write.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import nbformat
from nbformat import NotebookNode

from academy import cells
from academy.course import (
    Course,
    CourseError,
    README,
    TABLE_START,
    course_problems,
    exercise_file,
    find_course_root,
    load_course,
    prerequisite_problems,
    write_readme_table,
)
from academy.derived import write_derived

Step = Callable[[NotebookNode], NotebookNode]
CELL_TIMEOUT_S = 60
RUNTIME_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
BUILD_COMMAND = "make build (or: academy build)"


class BuildError(ValueError):
    """A solution notebook that cannot be turned into a trainee notebook."""


def _copy(nb: NotebookNode) -> NotebookNode:
    return nbformat.from_dict(nb)  # a deep copy


def placeholders_for(nb: NotebookNode) -> dict[str, str]:
    """Placeholder code by grade_id, from the exercise file of the notebook's module."""
    from academy.modules import load_module

    module = load_module(cells.module_id(nb))
    return {exercise.grade_id: exercise.placeholder() for exercise in module.exercises}


def strip_solutions(nb: NotebookNode, placeholders: Mapping[str, str] | None = None) -> NotebookNode:
    """Replace each solution region with its placeholder (by the cell's nbgrader grade_id).

    ``placeholders`` maps grade_id to code; by default it comes from the module's exercise file.
    Markdown answer cells get a short "write your answer here" line.
    """
    from academy.exercise.words import word

    nb = _copy(nb)
    if placeholders is None and any(cells.is_solution_cell(c) and c.cell_type == "code" for c in nb.cells):
        placeholders = placeholders_for(nb)
    for cell in nb.cells:
        if not cells.is_solution_cell(cell):
            continue
        grade_id = cells.nbgrader_meta(cell).get("grade_id")
        if grade_id in (placeholders or {}):
            replacement = placeholders[grade_id]
        elif cell.cell_type == "markdown":
            replacement = word("placeholder.markdown")
        else:
            raise BuildError(f"cell {cell.get('id')}: no exercise with grade_id '{grade_id}' in the module's exercise file")
        cell.source = cells.replace_regions(cell.source, cells.SOLUTION_BEGIN, cells.SOLUTION_END, replacement)
    return nb


def strip_hidden_tests(nb: NotebookNode) -> NotebookNode:
    """Remove every hidden-test region."""
    nb = _copy(nb)
    for cell in nb.cells:
        if cells.HIDDEN_BEGIN in cell.source:
            cell.source = cells.replace_regions(cell.source, cells.HIDDEN_BEGIN, cells.HIDDEN_END, None)
    return nb


def clear_outputs(nb: NotebookNode) -> NotebookNode:
    """Remove outputs and execution counts."""
    nb = _copy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def lock_cells(nb: NotebookNode) -> NotebookNode:
    """Make locked cells non-editable and non-deletable in Jupyter."""
    nb = _copy(nb)
    for cell in nb.cells:
        if cells.is_locked(cell):
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
    return nb


RAISES_EXCEPTION_TAG = "raises-exception"


def run_on_after_exercise_errors(nb: NotebookNode) -> NotebookNode:
    """Tag every exercise cell ``raises-exception``, so that a red error in a trainee's answer does
    not stop Run All before the checks (which then say the cell stopped, and with which error)."""
    nb = _copy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and cells.role(cell) == "exercise":
            tags = list(cell.metadata.get("tags", []))
            if RAISES_EXCEPTION_TAG not in tags:
                cell.metadata["tags"] = [*tags, RAISES_EXCEPTION_TAG]
    return nb


def clean_metadata(nb: NotebookNode) -> NotebookNode:
    """Drop run-time metadata: cell timings and view state, the notebook's widget state, and the
    widget views in outputs, whose random model ids point into that state (their plain-text form,
    such as ``Dropdown(...)``, stays)."""
    nb = _copy(nb)
    for key in ("widgets",):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in RUNTIME_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW_MIME, None)
    return nb


TRAINEE_STEPS: tuple[Step, ...] = (
    strip_solutions, strip_hidden_tests, clear_outputs, lock_cells, run_on_after_exercise_errors, clean_metadata,
)


def build_trainee_notebook(solution: NotebookNode, steps: tuple[Step, ...] = TRAINEE_STEPS) -> NotebookNode:
    """The trainee notebook made from a solution notebook."""
    nb = solution
    for step in steps:
        nb = step(nb)
    return nb


def notebook_text(nb: NotebookNode) -> str:
    """The exact file content written for a notebook (nbformat's layout, final newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def execute_notebook(nb: NotebookNode, folder: Path, timeout: int = CELL_TIMEOUT_S, env: Mapping[str, str] | None = None) -> NotebookNode:
    """Run every cell in a fresh kernel started in ``folder``; return the executed copy.

    No timings or widget state are recorded, so two runs give the same file. ``env`` adds
    environment variables for the kernel (for example another plant folder).
    """
    from nbclient import NotebookClient

    nb = _copy(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,
        store_widget_state=False,
    )
    # nbclient plays the browser's part for ipywidgets' Output widget by answering the kernel on
    # the shell channel, which races with its own wait for the cell's reply and can stall the cell
    # until its timeout (jupyter/nbclient#312). Without that part, what an Output widget shows (a
    # figure a control redraws) lands in the cell's own outputs, where a reader of the file wants it.
    client.widget_registry = {}
    # The kernel inherits this process's environment; ``env`` only adds to it.
    client.execute(**({"env": {**os.environ, **env}} if env else {}))
    return clean_metadata(nb)


# --- whole course ----------------------------------------------------------------------------


@dataclass
class BuildReport:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    executed: list[Path] = field(default_factory=list)
    derived: list[Path] = field(default_factory=list)  # solutions whose derived parts were rewritten
    readme_changed: bool = False


def _prepare(root: Path | str | None) -> Course:
    course = load_course(root or find_course_root())
    if course.exercise_folder.is_dir():
        from academy.modules import add_search_path

        add_search_path(course.exercise_folder)
    return course


def derived_solution(course: Course, entry) -> nbformat.NotebookNode | None:
    """The module's solution notebook with its derived parts written (``None`` when the notebook or
    its exercise file is missing or broken: :func:`academy.course.course_problems` says why)."""
    path = course.solution_path(entry)
    if not path.is_file():
        return None
    try:
        module = exercise_file(course, entry)
    except Exception:
        return None
    return write_derived(nbformat.read(path, as_version=4), course, entry, module)


def write_derived_parts(root: Path | str | None = None, only: list[str] | None = None) -> list[Path]:
    """Write the derived parts of every solution notebook (or ``only`` some modules); return the
    notebooks that changed. Refuses while course.yml itself has problems, which the title cells
    would copy."""
    course = _prepare(root)
    problems = list(course.manifest_problems) + prerequisite_problems(course)
    if problems:
        raise CourseError(problems)
    changed = []
    for entry in course.modules:
        if only and entry.id not in only:
            continue
        derived = derived_solution(course, entry)
        path = course.solution_path(entry)
        if derived is not None and derived != nbformat.read(path, as_version=4):
            path.write_text(notebook_text(derived), encoding="utf-8")
            changed.append(path)
    return changed


def build_course(
    root: Path | str | None = None,
    execute: bool = False,
    only: list[str] | None = None,
    timeout: int = CELL_TIMEOUT_S,
) -> BuildReport:
    """Build ``notebooks/`` from ``solutions/`` for every module (or ``only`` some ids).

    First writes each solution notebook's derived parts (:func:`write_derived_parts`). Then
    refuses (:class:`CourseError`) while the course has problems, so a broken module is never
    shipped. With ``execute``, solution notebooks are re-executed and rewritten first.
    """
    derived = write_derived_parts(root, only)
    course = _prepare(root)
    problems = course_problems(course)
    if problems:
        raise CourseError(problems)
    report = BuildReport(derived=derived)
    (course.root / "notebooks").mkdir(exist_ok=True)
    for entry in course.modules:
        if only and entry.id not in only:
            continue
        solution_path = course.solution_path(entry)
        solution = nbformat.read(solution_path, as_version=4)
        if execute:
            solution = execute_notebook(solution, solution_path.parent, timeout=timeout)
            _write_if_changed(solution_path, notebook_text(solution))
            report.executed.append(solution_path)
        target = course.notebook_path(entry)
        if _write_if_changed(target, notebook_text(build_trainee_notebook(solution))):
            report.written.append(target)
        else:
            report.unchanged.append(target)
    readme = course.root / README
    if readme.is_file() and TABLE_START in readme.read_text(encoding="utf-8"):
        report.readme_changed = write_readme_table(course.root)
    return report


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def stale_notebooks(root: Path | str | None = None) -> list[str]:
    """What differs between ``solutions/`` and ``notebooks/`` and a fresh build (empty when they agree)."""
    course = _prepare(root)
    findings = []
    expected_files = set()
    for entry in course.modules:
        solution_path = course.solution_path(entry)
        if not solution_path.is_file():
            continue
        target = course.notebook_path(entry)
        expected_files.add(target.name)
        solution = nbformat.read(solution_path, as_version=4)
        derived = derived_solution(course, entry)
        if derived is not None and derived != solution:
            findings.append(
                f"solutions/{solution_path.name}: its title cell or nbgrader points and grade ids differ from "
                f"course.yml and m{entry.id}.py"
            )
            solution = derived
        fresh = notebook_text(build_trainee_notebook(solution))
        if not target.is_file():
            findings.append(f"notebooks/{target.name} is missing")
        elif target.read_text(encoding="utf-8") != fresh:
            findings.append(f"notebooks/{target.name} differs from a fresh build of solutions/{solution_path.name}")
    for orphan in sorted((course.root / "notebooks").glob("*.ipynb")):
        if orphan.name not in expected_files:
            findings.append(f"notebooks/{orphan.name} belongs to no module in course.yml")
    return findings


# --- command line ----------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``academy build``."""
    parser = subparsers.add_parser("build", help="build notebooks/ from solutions/ (and the README's module table)")
    parser.add_argument("--root", type=Path, default=None, help="course folder (default: the one holding course.yml)")
    parser.add_argument("--execute", action="store_true", help="re-execute the solution notebooks first to refresh their outputs")
    parser.add_argument("--check", action="store_true", help="only report whether notebooks/ is up to date")
    parser.add_argument("--module", action="append", dest="modules", metavar="NN", help="build only this module (repeatable)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds allowed per cell when executing")
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    try:
        if args.check:
            findings = stale_notebooks(args.root)
            for finding in findings:
                print(finding)
            print(f"notebooks/ is stale: run {BUILD_COMMAND}." if findings else "notebooks/ is up to date.")
            return 1 if findings else 0
        report = build_course(args.root, execute=args.execute, only=args.modules, timeout=args.timeout)
    except (CourseError, BuildError) as error:
        print(error)
        return 1
    for path in report.derived:
        print(f"wrote the title cell and nbgrader points of {path.parent.name}/{path.name}")
    for path in report.executed:
        print(f"executed {path.parent.name}/{path.name}")
    for path in report.written:
        print(f"wrote {path.parent.name}/{path.name}")
    print(
        f"{len(report.written)} notebook(s) written, {len(report.unchanged)} already up to date"
        + ("; README module table updated." if report.readme_changed else ".")
    )
    return 0
