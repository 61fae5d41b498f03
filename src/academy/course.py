"""The course manifest, ``course.yml``, and what is checked against it.

``course.yml`` (the course folder's root) lists the modules in course order::

    course: Smart Factory Academy
    levels: {1: Read and clean, 2: Monitor, 3: Predict, 4: Decide}
    module_path: tests/modules        # optional: a folder of extra mNN.py exercise files
    modules:
      - id: "00"                      # two digits, quoted
        title: Getting started
        file: 00_getting_started.ipynb   # in solutions/ (source) and notebooks/ (built)
        level: 1
        minutes: 60
        prerequisites: []             # module ids
        objectives:                   # 3 to 5, ids "<module>.<n>"
          - {id: "00.1", text: Open a plant table and say what one row means}

One source per fact: the manifest holds what a module *is* (title, file, level, minutes,
prerequisites, objectives); the module's exercise file ``mNN.py`` holds its exercises, with their
points and the objectives each assesses, and the manifest does not repeat them
(:func:`module_points` reads them from there). The solution notebook's title cell and nbgrader
points are copies that ``academy build`` writes (:mod:`academy.derived`).

:func:`validate` reports every problem at once, each naming what to fix: unknown keys or
values, an unknown module in prerequisites, a cycle of prerequisites, a missing solution
notebook, an objective no exercise assesses, an exercise in the notebook but not in the exercise
file (or the other way round), nbgrader points that disagree with the exercise file, a title cell
that disagrees with the manifest, and any breach of the notebook format
(:func:`academy.cells.notebook_problems`).

The README's module table, between ``<!-- module-table:start -->`` and
``<!-- module-table:end -->``, is generated from the manifest (:func:`write_readme_table`).
"""
from __future__ import annotations

import argparse
import graphlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from academy import cells

MANIFEST = "course.yml"
README = "README.md"
TABLE_START = "<!-- module-table:start -->"
TABLE_END = "<!-- module-table:end -->"
LEVEL_NAMES = {1: "Read and clean", 2: "Monitor", 3: "Predict", 4: "Decide"}
MODULE_KEYS = ("id", "title", "file", "level", "minutes", "prerequisites", "objectives")
COURSE_KEYS = ("course", "levels", "module_path", "modules")
# Keys an older manifest carried, now declared once in the exercise file.
MOVED_KEYS = ("exercises", "points")
# Where a course keeps its exercise files when course.yml declares no module_path.
EXERCISE_FOLDER = Path("src") / "academy" / "modules"
BUILD_HINT = "academy build writes it"


class CourseError(ValueError):
    """The manifest, or something checked against it, is wrong; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("The course has problems:\n" + "\n".join(f"  - {p}" for p in self.problems))


@dataclass(frozen=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True)
class ModuleEntry:
    id: str
    title: str
    file: str
    level: int
    minutes: int
    prerequisites: tuple[str, ...]
    objectives: tuple[Objective, ...]


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    levels: dict[int, str]
    modules: tuple[ModuleEntry, ...]
    module_path: Path | None = None
    manifest_problems: tuple[str, ...] = field(default=(), compare=False)

    def module(self, module_id: str) -> ModuleEntry:
        for entry in self.modules:
            if entry.id == module_id:
                return entry
        raise KeyError(f"course.yml has no module '{module_id}'")

    def solution_path(self, entry: ModuleEntry) -> Path:
        return self.root / "solutions" / entry.file

    def notebook_path(self, entry: ModuleEntry) -> Path:
        return self.root / "notebooks" / entry.file

    @property
    def exercise_folder(self) -> Path:
        """Where this course's ``mNN.py`` files live: its ``module_path``, else ``src/academy/modules``."""
        return self.module_path if self.module_path is not None else self.root / EXERCISE_FOLDER

    def exercise_file_path(self, entry: ModuleEntry) -> Path:
        return self.exercise_folder / f"m{entry.id}.py"

    @property
    def total_points(self) -> float:
        return sum(module_points(self, entry) or 0 for entry in self.modules)

    def module_points(self, module_id: str) -> float | None:
        return module_points(self, self.module(module_id))


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the current folder) holding course.yml,
    else the project folder of this installation."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / MANIFEST).is_file():
            return folder
    from academy.data import project_root

    root = project_root()
    if (root / MANIFEST).is_file():
        return root
    raise CourseError([f"no {MANIFEST} at or above {start}"])


# --- reading ---------------------------------------------------------------------------------


def load_course(root: Path | str) -> Course:
    """Read course.yml. Problems of its own shape are kept in ``manifest_problems`` (and raised
    by :func:`validate`), so a partly broken manifest can still be reported on in full."""
    root = Path(root).resolve()
    path = root / MANIFEST
    if not path.is_file():
        raise CourseError([f"{path} does not exist"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise CourseError([f"{MANIFEST} is not valid YAML: {error}"]) from None
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise CourseError([f"{MANIFEST} must be a mapping with keys {', '.join(COURSE_KEYS)}"])
    for key in sorted(set(raw) - set(COURSE_KEYS)):
        problems.append(f"{MANIFEST}: unknown key '{key}' (known: {', '.join(COURSE_KEYS)})")
    levels = raw.get("levels")
    if not isinstance(levels, dict) or sorted(levels) != [1, 2, 3, 4] or not all(isinstance(v, str) and v for v in levels.values()):
        problems.append(f"{MANIFEST}: levels must name the four levels 1 to 4, e.g. {LEVEL_NAMES}")
        levels = dict(LEVEL_NAMES)
    modules = []
    raw_modules = raw.get("modules")
    if not isinstance(raw_modules, list):
        problems.append(f"{MANIFEST}: 'modules' must be a list (it may be empty)")
        raw_modules = []
    for position, item in enumerate(raw_modules):
        entry, entry_problems = _read_module(item, position, levels)
        problems += entry_problems
        if entry is not None:
            modules.append(entry)
    ids = [entry.id for entry in modules]
    for module_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"module {module_id} appears more than once")
    module_path = raw.get("module_path")
    return Course(
        root=root,
        title=str(raw.get("course", "")),
        levels={int(k): v for k, v in levels.items()},
        modules=tuple(modules),
        module_path=(root / module_path).resolve() if isinstance(module_path, str) else None,
        manifest_problems=tuple(problems),
    )


def _read_module(item: object, position: int, levels: dict) -> tuple[ModuleEntry | None, list[str]]:
    where = f"{MANIFEST}: module #{position + 1}"
    if not isinstance(item, dict):
        return None, [f"{where} must be a mapping"]
    module_id = item.get("id")
    if not (isinstance(module_id, str) and re.match(r"^\d{2}$", module_id)):
        return None, [f"{where}: id must be two digits in quotes, such as \"00\" (got {module_id!r})"]
    where = f"{MANIFEST}: module {module_id}"
    problems = [
        f"{where}: '{key}' is declared in m{module_id}.py, not here (each exercise's points, "
        f"Exercise(points=...)): remove it from {MANIFEST}"
        if key in MOVED_KEYS else f"{where}: unknown key '{key}'"
        for key in sorted(set(item) - set(MODULE_KEYS))
    ]
    problems += [f"{where}: '{key}' is missing" for key in MODULE_KEYS if key not in item]
    title, file = item.get("title"), item.get("file")
    if not (isinstance(title, str) and title.strip()):
        problems.append(f"{where}: title must be a non-empty text")
    if not (isinstance(file, str) and re.match(rf"^{module_id}_[a-z0-9_]+\.ipynb$", file)):
        problems.append(f"{where}: file must be named {module_id}_<words>.ipynb (got {file!r})")
    level, minutes = item.get("level"), item.get("minutes")
    if level not in levels:
        problems.append(f"{where}: level must be one of {sorted(levels)}")
    if not (isinstance(minutes, int) and not isinstance(minutes, bool) and 0 < minutes <= 240):
        problems.append(f"{where}: minutes must be a whole number of minutes (1 to 240)")
    prerequisites = item.get("prerequisites", [])
    if not (isinstance(prerequisites, list) and all(isinstance(p, str) for p in prerequisites)):
        problems.append(f"{where}: prerequisites must be a list of module ids in quotes")
        prerequisites = []
    objectives = []
    raw_objectives = item.get("objectives")
    if not isinstance(raw_objectives, list) or not 3 <= len(raw_objectives) <= 5:
        problems.append(f"{where}: give 3 to 5 learning objectives")
    for objective in raw_objectives if isinstance(raw_objectives, list) else []:
        if not (isinstance(objective, dict) and set(objective) == {"id", "text"}):
            problems.append(f"{where}: each objective is {{id: \"{module_id}.1\", text: ...}}")
            continue
        if not re.match(rf"^{module_id}\.\d+$", str(objective["id"])):
            problems.append(f"{where}: objective id '{objective['id']}' must look like {module_id}.1")
        objectives.append(Objective(str(objective["id"]), str(objective["text"])))
    objective_ids = [o.id for o in objectives]
    if len(set(objective_ids)) != len(objective_ids):
        problems.append(f"{where}: objective ids repeat")
    entry = ModuleEntry(
        id=module_id,
        title=str(title),
        file=str(file),
        level=level if isinstance(level, int) else 0,
        minutes=minutes if isinstance(minutes, int) else 0,
        prerequisites=tuple(prerequisites),
        objectives=tuple(objectives),
    )
    return entry, problems


# --- the exercise files ----------------------------------------------------------------------


def exercise_file(course: Course, entry: ModuleEntry):
    """The module's exercise file ``mNN.py``, loaded (an :class:`academy.modules.CourseModule`):
    the one source of its exercises, their points and the objectives each assesses."""
    from academy import modules

    if course.exercise_folder.is_dir():
        modules.add_search_path(course.exercise_folder)
    return modules.load_module(entry.id)


def module_points(course: Course, entry: ModuleEntry) -> float | None:
    """The module's points, the sum of its exercises' in ``mNN.py`` (``None`` when it cannot be loaded)."""
    try:
        return sum(exercise.points for exercise in exercise_file(course, entry).exercises)
    except Exception:  # a broken exercise file is reported by validate; here it has no points
        return None


# --- validation ------------------------------------------------------------------------------


def validate(root: Path | str | None = None) -> Course:
    """Load and check the whole course; raise :class:`CourseError` listing every problem."""
    course = load_course(root or find_course_root())
    problems = course_problems(course)
    if problems:
        raise CourseError(problems)
    return course


def course_problems(course: Course) -> list[str]:
    """Every problem of the course (see the module docstring), empty when it is sound."""
    problems = list(course.manifest_problems)
    problems += prerequisite_problems(course)
    for entry in course.modules:
        problems += module_entry_problems(course, entry)
    return problems


def prerequisite_problems(course: Course) -> list[str]:
    known = {entry.id for entry in course.modules}
    problems = []
    graph = {}
    for entry in course.modules:
        for prerequisite in entry.prerequisites:
            if prerequisite not in known:
                problems.append(f"module {entry.id}: prerequisite '{prerequisite}' is not a module in {MANIFEST}")
            if prerequisite == entry.id:
                problems.append(f"module {entry.id} lists itself as a prerequisite")
        graph[entry.id] = [p for p in entry.prerequisites if p in known and p != entry.id]
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        cycle = " -> ".join(error.args[1])
        problems.append(f"prerequisites form a cycle: {cycle} (each module needs the next before it)")
    return problems


def module_entry_problems(course: Course, entry: ModuleEntry) -> list[str]:
    """Problems of one module: its exercise file and its solution notebook against the manifest."""
    from academy.exercise import module_problems

    where = f"module {entry.id}"
    problems = []
    try:
        module = exercise_file(course, entry)
    except Exception as error:  # report a broken exercise file like any other problem
        return [f"{where}: cannot load its exercise file m{entry.id}.py ({type(error).__name__}: {error})"]
    problems += module_problems(module)
    objective_ids = {objective.id for objective in entry.objectives}
    assessed = {objective for exercise in module.exercises for objective in exercise.objectives}
    for objective in sorted(objective_ids - assessed):
        problems.append(f"{where}: objective {objective} is assessed by no exercise")
    for objective in sorted(assessed - objective_ids):
        problems.append(f"{where}: an exercise assesses objective {objective}, which {MANIFEST} does not list")

    path = course.solution_path(entry)
    if not path.is_file():
        return problems + [f"{where}: the solution notebook {path.relative_to(course.root)} is missing"]
    nb = nbformat.read(path, as_version=4)
    problems += [f"{path.name}: {p}" for p in notebook_manifest_problems(course, entry, module, nb)]
    problems += [f"{path.name}: {p}" for p in cells.notebook_problems(nb, "solution")]
    return problems


def notebook_manifest_problems(course: Course, entry: ModuleEntry, module, nb: nbformat.NotebookNode) -> list[str]:
    """Where a module notebook (solution or trainee) disagrees with the manifest and exercise file."""
    problems = []
    if cells.module_id(nb) != entry.id:
        problems.append(f"its metadata says module {cells.module_id(nb)!r}, the manifest says {entry.id}")
    title_cells = [cell for cell in nb.cells if cells.role(cell) == "title"]
    expected_title = render_title_cell(course, entry)
    if title_cells and title_cells[0].source.strip() != expected_title:
        problems.append(f"the title cell disagrees with course.yml ({BUILD_HINT}); it should read:\n" + expected_title)
    if title_cells and cells.academy_meta(title_cells[0]).get("objectives") != [o.id for o in entry.objectives]:
        problems.append(f"the title cell's objectives metadata is not course.yml's objective ids ({BUILD_HINT})")
    in_notebook = cells.exercise_names(nb)
    in_module = [exercise.name for exercise in module.exercises]
    for name in sorted(set(in_notebook) - set(in_module)):
        problems.append(f"exercise '{name}' is in the notebook but not in m{entry.id}.py")
    for name in sorted(set(in_module) - set(in_notebook)):
        problems.append(f"exercise '{name}' is in m{entry.id}.py but has no exercise cell in the notebook")
    if set(in_notebook) == set(in_module) and in_notebook != in_module:
        problems.append(f"the notebook's exercises come in the order {in_notebook}, m{entry.id}.py has {in_module}")
    points = cells.cell_points(nb)
    for exercise in module.exercises:
        if exercise.name not in in_notebook:
            continue
        if not math.isclose(points.get(exercise.name, 0), exercise.points):
            problems.append(
                f"exercise '{exercise.name}': its graded cells carry {points.get(exercise.name, 0)} nbgrader points, "
                f"m{entry.id}.py says {exercise.points} ({BUILD_HINT})"
            )
        by_role = {
            cells.role(cell): cell
            for cell in nb.cells
            if cells.academy_meta(cell).get("exercise") == exercise.name
        }
        check = by_role.get("check")
        if check is not None and not math.isclose(cells.nbgrader_meta(check).get("points", 0), exercise.public_points):
            problems.append(
                f"exercise '{exercise.name}': its check cell should carry the {exercise.public_points} public points ({BUILD_HINT})"
            )
        hidden = by_role.get("hidden_tests")
        if bool(exercise.hidden_points) != (hidden is not None):
            problems.append(
                f"exercise '{exercise.name}': hidden points ({exercise.hidden_points}) need a hidden-tests cell, "
                "and a hidden-tests cell needs hidden points"
            )
        answer = by_role.get("exercise")
        if answer is not None and tuple(cells.academy_meta(answer).get("objectives", [])) != exercise.objectives:
            problems.append(
                f"exercise '{exercise.name}': the cell's objectives {cells.academy_meta(answer).get('objectives')} "
                f"differ from m{entry.id}.py's {list(exercise.objectives)} ({BUILD_HINT})"
            )
    return problems


# --- generated text --------------------------------------------------------------------------


def render_title_cell(course: Course, entry: ModuleEntry) -> str:
    """The title cell's markdown, exactly as a module notebook must carry it."""
    if entry.prerequisites:
        titles = {module.id: module.title for module in course.modules}
        before = ", ".join(f"Module {p} ({titles.get(p, '?')})" for p in entry.prerequisites)
    else:
        before = "no other module"
    objectives = "\n".join(f"{number}. {objective.text}" for number, objective in enumerate(entry.objectives, 1))
    level_name = course.levels.get(entry.level, "?")
    return (
        f"# Module {entry.id} · {entry.title}\n\n"
        f"**Level {entry.level} · {level_name}** · about {entry.minutes} minutes · before this: {before}\n\n"
        f"**By the end of this module you can:**\n\n{objectives}"
    )


def render_module_table(course: Course) -> str:
    """The README's module table (markdown), one row per module in course order."""
    rows = [
        "| Module | Title | Level | Minutes | Before this | Points |",
        "|---|---|---|---|---|---|",
    ]
    for entry in course.modules:
        before = ", ".join(entry.prerequisites) or "–"
        rows.append(
            f"| {entry.id} | [{entry.title}](notebooks/{entry.file}) | {entry.level} · {course.levels.get(entry.level, '?')} "
            f"| {entry.minutes} | {before} | {_points_or_unknown(module_points(course, entry))} |"
        )
    if not course.modules:
        rows.append("| – | No modules yet | | | | |")
    return "\n".join(rows)


def _points(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def _points_or_unknown(points: float | None) -> str:
    return "?" if points is None else _points(points)


def replace_table(readme: str, table: str) -> str:
    """README text with the part between the table markers replaced."""
    start, end = readme.find(TABLE_START), readme.find(TABLE_END)
    if start < 0 or end < 0 or end < start:
        raise CourseError([f"{README} needs the markers {TABLE_START} and {TABLE_END} around its module table"])
    return readme[: start + len(TABLE_START)] + "\n" + table + "\n" + readme[end:]


def _read_readme(root: Path) -> str:
    path = root / README
    if not path.is_file():
        raise CourseError([f"there is no {README} in {root} to hold the module table"])
    return path.read_text(encoding="utf-8")


def readme_table_is_fresh(root: Path | str) -> bool:
    root = Path(root)
    readme = _read_readme(root)
    return replace_table(readme, render_module_table(load_course(root))) == readme


def write_readme_table(root: Path | str) -> bool:
    """Regenerate the README's module table; return whether the file changed."""
    root = Path(root)
    path = root / README
    readme = _read_readme(root)
    updated = replace_table(readme, render_module_table(load_course(root)))
    if updated != readme:
        path.write_text(updated, encoding="utf-8")
        return True
    return False


# --- command line ----------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``academy validate`` and ``academy readme-table``."""
    validate_parser = subparsers.add_parser("validate", help="check course.yml, exercise files and solution notebooks")
    validate_parser.add_argument("--root", type=Path, default=None, help="course folder (default: the one holding course.yml)")
    validate_parser.set_defaults(run=_run_validate)

    table_parser = subparsers.add_parser("readme-table", help="regenerate the README's module table from course.yml")
    table_parser.add_argument("--root", type=Path, default=None, help="course folder (default: the one holding course.yml)")
    table_parser.add_argument("--check", action="store_true", help="only report whether the table is up to date")
    table_parser.set_defaults(run=_run_readme_table)


def _run_validate(args: argparse.Namespace) -> int:
    try:
        course = validate(args.root)
    except CourseError as error:
        print(error)
        return 1
    print(f"course.yml is sound: {len(course.modules)} modules, {_points(course.total_points)} points.")
    return 0


def _run_readme_table(args: argparse.Namespace) -> int:
    root = args.root or find_course_root()
    try:
        if args.check:
            fresh = readme_table_is_fresh(root)
            print("The README's module table is up to date." if fresh else "The README's module table is stale: run `academy readme-table`.")
            return 0 if fresh else 1
        changed = write_readme_table(root)
    except CourseError as error:
        print(error)
        return 1
    print("Updated the README's module table." if changed else "The README's module table was already up to date.")
    return 0
