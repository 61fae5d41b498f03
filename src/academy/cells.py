"""The notebook format of a course module: cell roles, metadata and marked regions.

A solution notebook ``solutions/NN_name.ipynb`` is the only hand-edited form of module NN. Its
notebook metadata holds ``{"academy": {"module": "NN"}}``; every cell holds ``metadata.academy``
with its ``role`` (below) and, for cells that belong to an exercise, ``exercise`` (its name, such
as ``"q1"``) and ``objectives`` (learning-objective ids, such as ``["00.2"]``).

Roles, in the order a module uses them (see the house style):

============  ========  ======  =====================================================================
role          type      locked  content
============  ========  ======  =====================================================================
title         markdown  yes     ``# Module NN · Title``, level, minutes, prerequisites, objectives
situation     markdown  yes     the plant story
setup         code      yes     imports, ``ex = academy.exercises("NN")``, data loading
text          markdown  yes     explanation
example       code      no      a worked example (trainees may play with it)
task          markdown  yes     an exercise's task in plain words and the form of its answer
exercise      code      no      the answer cell: one solution region
check         code      yes     ``ex.qN.check()``; right after its exercise cell
hidden_tests  code      yes     instructor-only tests for an exercise's hidden points
recap         markdown  yes     what you can do now, new words, **On the shop floor**
============  ========  ======  =====================================================================

nbgrader schema-3 metadata (``metadata.nbgrader``) sits on every locked or graded cell, so a site
running nbgrader can use the solution notebooks as source notebooks unchanged:

* exercise cell: ``solution: true``, ``grade_id`` = the exercise name (``q1``);
* check cell: ``grade: true``, ``locked: true``, ``grade_id`` ``q1-check``, ``points`` = the
  exercise's public points. Its hidden-tests region (``ex.q1.assert_correct()``) makes the cell
  fail under nbgrader's autograder when the answer is wrong, because a check itself never raises;
* hidden-tests cell: ``grade: true``, ``locked: true``, ``grade_id`` ``q1-hidden``, ``points`` =
  the hidden points;
* other locked cells: ``locked: true``, ``grade_id`` = the cell id.

Marked regions: solution code sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines,
instructor-only tests between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

The ``*_cell`` functions and :func:`new_module_notebook` write cells in this format, for
scripts that author modules.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Iterable

import nbformat
from nbformat import NotebookNode

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"

ROLES = ("title", "situation", "setup", "text", "example", "task", "exercise", "check", "hidden_tests", "recap")
MARKDOWN_ROLES = frozenset({"title", "situation", "text", "task", "recap"})
LOCKED_ROLES = frozenset({"title", "situation", "setup", "text", "task", "check", "hidden_tests", "recap"})
EXERCISE_ROLES = frozenset({"task", "exercise", "check", "hidden_tests"})
FORMS = ("solution", "trainee")

NBGRADER_KEYS = frozenset({"schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum", "cell_type"})
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")
CELL_ID = re.compile(r"^[a-zA-Z0-9_\-]{1,64}$")
CHECK_CALL = "ex.{name}.check()"
ASSERT_CALL = "ex.{name}.assert_correct()"


class NotebookFormatError(ValueError):
    """A cell that breaks the module notebook format (unbalanced markers, for example)."""


# --- metadata --------------------------------------------------------------------------------


def academy_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("academy", {})


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def role(cell: NotebookNode) -> str | None:
    return academy_meta(cell).get("role")


def module_id(nb: NotebookNode) -> str | None:
    return nb.get("metadata", {}).get("academy", {}).get("module")


def is_locked(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("locked"))


def is_solution_cell(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_grade_cell(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def exercise_names(nb: NotebookNode) -> list[str]:
    """Exercise names in notebook order, from the exercise cells."""
    return [academy_meta(cell).get("exercise") for cell in nb.cells if role(cell) == "exercise"]


def cell_points(nb: NotebookNode) -> dict[str, float]:
    """nbgrader points by exercise name (check cell plus hidden-tests cell)."""
    points: dict[str, float] = {}
    for cell in nb.cells:
        if is_grade_cell(cell) and academy_meta(cell).get("exercise"):
            name = academy_meta(cell)["exercise"]
            points[name] = points.get(name, 0) + nbgrader_meta(cell).get("points", 0)
    return points


# --- marked regions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    begin: int  # line index of the BEGIN marker
    end: int  # line index of the END marker
    indent: str  # the BEGIN marker's indentation


def regions(source: str, begin: str, end: str) -> list[Region]:
    """The marked regions of a cell source; raises :class:`NotebookFormatError` when unbalanced."""
    found, start = [], None
    lines = source.split("\n")
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped == begin:
            if start is not None:
                raise NotebookFormatError(f"'{begin}' at line {number + 1} comes before the previous region ended")
            start = number
        elif stripped == end:
            if start is None:
                raise NotebookFormatError(f"'{end}' at line {number + 1} has no '{begin}' before it")
            found.append(Region(start, number, lines[start][: len(lines[start]) - len(lines[start].lstrip())]))
            start = None
    if start is not None:
        raise NotebookFormatError(f"'{begin}' at line {start + 1} is never closed with '{end}'")
    return found


def replace_regions(source: str, begin: str, end: str, replacement: str | None) -> str:
    """Replace every region (markers included) with ``replacement``, indented like its marker;
    ``None`` removes the regions and the blank lines they leave at the end of the cell."""
    lines = source.split("\n")
    for region in reversed(regions(source, begin, end)):
        new = [] if replacement is None else [region.indent + line if line else line for line in replacement.split("\n")]
        lines[region.begin : region.end + 1] = new
    result = "\n".join(lines)
    return result.rstrip("\n ") if replacement is None else result


def region_text(source: str, begin: str = SOLUTION_BEGIN, end: str = SOLUTION_END) -> str | None:
    """The code inside the first region, dedented; ``None`` when there is no region."""
    found = regions(source, begin, end)
    if not found:
        return None
    lines = source.split("\n")[found[0].begin + 1 : found[0].end]
    return textwrap.dedent("\n".join(lines)).strip("\n")


# --- validation ------------------------------------------------------------------------------


def nbgrader_problems(nb: NotebookNode) -> list[str]:
    """Breaches of nbgrader's cell metadata schema version 3 (what nbgrader's validator rejects)."""
    problems, grade_ids = [], set()
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        meta = cell.metadata.nbgrader
        where = f"cell {index} ({cell.get('id', '?')})"
        extra = set(meta) - NBGRADER_KEYS
        if extra:
            problems.append(f"{where}: unknown nbgrader keys {sorted(extra)}")
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version must be 3")
        for key in ("grade", "locked", "solution"):
            if not isinstance(meta.get(key), bool):
                problems.append(f"{where}: nbgrader '{key}' must be true or false")
        if "task" in meta and not isinstance(meta["task"], bool):
            problems.append(f"{where}: nbgrader 'task' must be true or false")
        grade, solution, locked = meta.get("grade"), meta.get("solution"), meta.get("locked")
        if grade or solution or locked:
            grade_id = meta.get("grade_id")
            if not isinstance(grade_id, str) or not GRADE_ID.match(grade_id):
                problems.append(f"{where}: nbgrader grade_id must be letters, digits, '_' or '-'")
            elif grade_id in grade_ids:
                problems.append(f"{where}: duplicate nbgrader grade_id '{grade_id}'")
            else:
                grade_ids.add(grade_id)
        if grade:
            points = meta.get("points")
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
                problems.append(f"{where}: a graded cell needs points >= 0")
        if meta.get("task"):
            if cell.cell_type != "markdown":
                problems.append(f"{where}: nbgrader task cells must be markdown")
        elif cell.cell_type == "markdown" and bool(grade) != bool(solution):
            problems.append(f"{where}: a markdown cell must be both grade and solution, or neither")
    return problems


def academy_problems(nb: NotebookNode, form: str = "solution") -> list[str]:
    """Breaches of the course's own notebook format (the table in the module docstring).

    ``form`` is ``"solution"`` (regions present, outputs allowed) or ``"trainee"`` (no regions,
    no outputs, locked cells non-editable and non-deletable).
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}")
    problems: list[str] = []
    module = module_id(nb)
    if not (isinstance(module, str) and re.match(r"^\d{2}$", module)):
        problems.append("notebook metadata academy.module must be the two-digit module id")
    cells = nb.cells
    roles = [role(cell) for cell in cells]
    for index, (cell, cell_role) in enumerate(zip(cells, roles)):
        where = f"cell {index} ({cell.get('id', '?')})"
        if cell_role not in ROLES:
            problems.append(f"{where}: metadata academy.role must be one of {', '.join(ROLES)}")
            continue
        wanted_type = "markdown" if cell_role in MARKDOWN_ROLES else "code"
        if cell.cell_type != wanted_type:
            problems.append(f"{where}: a {cell_role} cell must be a {wanted_type} cell")
        if cell_role in LOCKED_ROLES and not is_locked(cell):
            problems.append(f"{where}: a {cell_role} cell must be locked (nbgrader locked: true)")
        if cell_role in EXERCISE_ROLES and not academy_meta(cell).get("exercise"):
            problems.append(f"{where}: a {cell_role} cell must name its exercise (academy.exercise)")
        objectives = academy_meta(cell).get("objectives", [])
        if not (isinstance(objectives, list) and all(isinstance(o, str) for o in objectives)):
            problems.append(f"{where}: academy.objectives must be a list of objective ids")
        problems += _marker_problems(cell, cell_role, form, where)
        if form == "trainee":
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
                problems.append(f"{where}: a trainee notebook carries no outputs")
            if is_locked(cell) and (cell.metadata.get("editable") is not False or cell.metadata.get("deletable") is not False):
                problems.append(f"{where}: a locked cell must be marked editable: false and deletable: false")
    if roles.count("title") != 1 or roles[0] != "title":
        problems.append("the first cell, and only it, must be the title cell")
    if roles.count("setup") != 1:
        problems.append("a module has exactly one setup cell")
    else:
        setup = cells[roles.index("setup")]
        if f'academy.exercises("{module}")' not in setup.source:
            problems.append(f'the setup cell must bind ex = academy.exercises("{module}")')
    recaps = [cell for cell in cells if role(cell) == "recap"]
    if not recaps or not any("On the shop floor" in cell.source for cell in recaps):
        problems.append("a module needs a recap cell with an 'On the shop floor' part")
    problems += _exercise_sequence_problems(cells)
    return problems


def _marker_problems(cell: NotebookNode, cell_role: str, form: str, where: str) -> list[str]:
    problems = []
    try:
        solution_regions = regions(cell.source, SOLUTION_BEGIN, SOLUTION_END)
        hidden_regions = regions(cell.source, HIDDEN_BEGIN, HIDDEN_END)
    except NotebookFormatError as error:
        return [f"{where}: {error}"]
    if form == "trainee":
        if solution_regions or hidden_regions:
            problems.append(f"{where}: a trainee notebook must not contain solution or hidden-test regions")
        return problems
    if solution_regions and not is_solution_cell(cell):
        problems.append(f"{where}: solution regions belong in solution cells (nbgrader solution: true)")
    if hidden_regions and not is_grade_cell(cell):
        problems.append(f"{where}: hidden tests belong in graded cells (nbgrader grade: true)")
    if cell_role == "exercise" and len(solution_regions) != 1:
        problems.append(f"{where}: an exercise cell holds exactly one solution region")
    if cell_role == "hidden_tests" and not hidden_regions:
        problems.append(f"{where}: a hidden_tests cell holds its tests between hidden-test markers")
    return problems


def _exercise_sequence_problems(cells: list[NotebookNode]) -> list[str]:
    problems, seen = [], set()
    for index, cell in enumerate(cells):
        if role(cell) != "exercise":
            continue
        name = academy_meta(cell).get("exercise")
        if name in seen:
            problems.append(f"exercise '{name}' has more than one exercise cell")
        seen.add(name)
        grader = nbgrader_meta(cell)
        if not grader.get("solution") or grader.get("grade_id") != name:
            problems.append(f"exercise '{name}': its cell needs nbgrader solution: true and grade_id '{name}'")
        following = cells[index + 1] if index + 1 < len(cells) else None
        if following is None or role(following) != "check" or academy_meta(following).get("exercise") != name:
            problems.append(f"exercise '{name}': the cell right after it must be its check cell")
            continue
        if CHECK_CALL.format(name=name) not in following.source:
            problems.append(f"exercise '{name}': its check cell must call {CHECK_CALL.format(name=name)}")
        check_meta = nbgrader_meta(following)
        if not check_meta.get("grade") or check_meta.get("grade_id") != f"{name}-check":
            problems.append(f"exercise '{name}': its check cell needs nbgrader grade: true and grade_id '{name}-check'")
    for cell in cells:
        if role(cell) == "hidden_tests":
            name = academy_meta(cell).get("exercise")
            if name not in seen:
                problems.append(f"hidden tests for '{name}' have no exercise cell")
            if nbgrader_meta(cell).get("grade_id") != f"{name}-hidden":
                problems.append(f"exercise '{name}': its hidden-tests cell needs grade_id '{name}-hidden'")
    return problems


def notebook_problems(nb: NotebookNode, form: str = "solution") -> list[str]:
    """Everything wrong with a module notebook: nbformat schema, cell ids, nbgrader, course format."""
    problems = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        problems.append(f"not a valid notebook: {error.message}")
    ids = [cell.get("id") for cell in nb.cells]
    if len(set(ids)) != len(ids):
        problems.append("cell ids repeat")
    problems += [f"cell id {cell_id!r} is not a valid id" for cell_id in ids if not (isinstance(cell_id, str) and CELL_ID.match(cell_id))]
    return problems + nbgrader_problems(nb) + academy_problems(nb, form)


# --- authoring -------------------------------------------------------------------------------


def _cell(kind: str, source: str, cell_role: str, cell_id: str | None, **academy: object) -> NotebookNode:
    maker = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = maker(source=source.strip("\n"))
    cell.metadata["academy"] = {"role": cell_role, **academy}
    cell["id"] = cell_id or ""
    return cell


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def markdown_cell(cell_role: str, text: str, cell_id: str | None = None, **academy: object) -> NotebookNode:
    """A locked markdown cell: title, situation, text, task or recap."""
    if cell_role not in MARKDOWN_ROLES:
        raise ValueError(f"{cell_role} is not a markdown role")
    return _cell("markdown", text, cell_role, cell_id, **academy)


def setup_cell(code: str, cell_id: str = "setup") -> NotebookNode:
    return _cell("code", code, "setup", cell_id)


def example_cell(code: str, cell_id: str | None = None, tags: Iterable[str] = ()) -> NotebookNode:
    """An editable worked example. Tag ``nbval-ignore-output`` where the output cannot be compared
    run to run (an ipywidgets control, for example)."""
    cell = _cell("code", code, "example", cell_id)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def task_cell(exercise: str, text: str) -> NotebookNode:
    return _cell("markdown", text, "task", f"{exercise}-task", exercise=exercise)


def exercise_cell(exercise: str, solution: str, objectives: Iterable[str], before: str = "", after: str = "") -> NotebookNode:
    """An answer cell: ``before`` and ``after`` stay in the trainee notebook, ``solution`` does not."""
    parts = [before.strip("\n"), SOLUTION_BEGIN, solution.strip("\n"), SOLUTION_END, after.strip("\n")]
    cell = _cell("code", "\n".join(part for part in parts if part), "exercise", exercise, exercise=exercise, objectives=list(objectives))
    cell.metadata["nbgrader"] = _nbgrader(exercise, solution=True)
    return cell


def check_cell(exercise: str, points: float) -> NotebookNode:
    """The check cell; ``points`` are the exercise's public points."""
    source = "\n".join([CHECK_CALL.format(name=exercise), HIDDEN_BEGIN, ASSERT_CALL.format(name=exercise), HIDDEN_END])
    cell = _cell("code", source, "check", f"{exercise}-check", exercise=exercise)
    cell.metadata["nbgrader"] = _nbgrader(f"{exercise}-check", grade=True, locked=True, points=points)
    return cell


def hidden_tests_cell(exercise: str, tests: str, points: float, comment: str) -> NotebookNode:
    """Instructor-only tests worth ``points`` (the exercise's hidden points); ``comment`` stays visible."""
    source = "\n".join([comment, HIDDEN_BEGIN, tests.strip("\n"), HIDDEN_END])
    cell = _cell("code", source, "hidden_tests", f"{exercise}-hidden", exercise=exercise)
    cell.metadata["nbgrader"] = _nbgrader(f"{exercise}-hidden", grade=True, locked=True, points=points)
    return cell


def new_module_notebook(module: str, cells: Iterable[NotebookNode]) -> NotebookNode:
    """A module notebook from cells: ids filled in (``<role>-<n>``), locked roles locked for nbgrader."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["academy"] = {"module": module}
    counts: dict[str, int] = {}
    for cell in cells:
        cell_role = role(cell)
        if not cell.get("id"):
            counts[cell_role] = counts.get(cell_role, 0) + 1
            cell["id"] = cell_role if cell_role in ("title", "recap") and counts[cell_role] == 1 else f"{cell_role}-{counts[cell_role]}"
        if cell_role in LOCKED_ROLES and "nbgrader" not in cell.metadata:
            cell.metadata["nbgrader"] = _nbgrader(cell["id"], locked=True)
        nb.cells.append(cell)
    return nb
