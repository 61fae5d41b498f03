"""``academy new-module NN --title ...``: a new module's skeleton, ready to build, validate and test.

It writes the three files a module is made of, and a test file, each with one small worked
exercise on the plant (how many CNC machines the asset register lists) to show the form:

* ``solutions/NN_<title words>.ipynb``: the solution notebook, in the module format
  (:mod:`academy.cells`), from the ``cells.*_cell`` helpers: title, situation, setup, one section
  with a worked example and an exercise, recap;
* ``mNN.py`` in the course's exercise folder (``src/academy/modules/``, or the ``module_path``
  course.yml declares): ``MODULE``, ``WORDS`` and ``EXERCISES``, the single source of the
  exercises' points;
* an entry in ``course.yml`` (in course order), with three placeholder objectives and the
  minutes the skeleton measures (:mod:`academy.minutes`);
* ``tests/test_module_NN.py`` (when the course has a ``tests/`` folder): the exercise checked on
  answers typed as a trainee would, and the stated minutes against the measured ones.

Then it builds the module (``academy build --execute --module NN``), so the solution notebook
holds its outputs and ``notebooks/`` its trainee notebook. Every text to replace is marked
``(skeleton)``; docs/authoring.md is the guide from here.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from academy import cells
from academy.course import MANIFEST, CourseError, ModuleEntry, Objective, find_course_root, load_course

SKELETON_MARK = "(skeleton)"
PLACEHOLDER_MINUTES = 5
TEST_FILE = "tests/test_module_{id}.py"


class NewModuleError(ValueError):
    """A module that cannot be added (its id is taken, its title gives no file name, ...)."""


@dataclass
class NewModule:
    """What :func:`new_module` wrote."""

    module_id: str
    written: list[Path] = field(default_factory=list)
    minutes: int = 0


def file_name(module_id: str, title: str) -> str:
    """``NN_<title words>.ipynb``: the title's words in lower case, joined by ``_``."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    if not words:
        raise NewModuleError(f"the title {title!r} has no letters or digits to name the notebook file by")
    return f"{module_id}_{'_'.join(words)}.ipynb"


# --- the skeleton's contents ----------------------------------------------------------------------


def objectives(module_id: str) -> tuple[Objective, ...]:
    return tuple(
        Objective(f"{module_id}.{n}", f"{SKELETON_MARK} Objective {n}: start with a verb a supervisor could observe")
        for n in (1, 2, 3)
    )


def skeleton_notebook(course, entry: ModuleEntry, public_points: float) -> nbformat.NotebookNode:
    """The solution notebook of the skeleton, title cell written from ``entry``."""
    from academy.course import render_title_cell

    module_id, number = entry.id, f"{int(entry.id)}.1"
    objective_ids = [objective.id for objective in entry.objectives]
    title = cells.markdown_cell("title", render_title_cell(course, entry), objectives=objective_ids)
    situation = cells.markdown_cell(
        "situation",
        f"{SKELETON_MARK} Two or three sentences of plant story: which line, which machine, what went wrong "
        "or what the plant manager wants. Reuse the plant's names (see datasets/plant/DATASHEET.md).",
    )
    setup = cells.setup_cell(
        "# Tools: the course's own (academy), with this module's exercises and the plant's tables.\n"
        "import academy\n\n"
        f'ex = academy.exercises("{module_id}")  # this module\'s exercises: ex.q1.check(), ex.q1.hint()\n'
        'assets = academy.data.load("assets")  # the asset register: one row per machine'
    )
    section = cells.markdown_cell(
        "text",
        f"## 1 · {SKELETON_MARK} The first section\n\n"
        f"{SKELETON_MARK} Explain one idea in a few short sentences, then show it on plant data in the "
        "cell below. Here: the rows of one kind of machine, picked out of the asset register.",
    )
    example = cells.example_cell('assets[assets["kind"] == "coolant_pump"]', cell_id="pumps-example")
    task = cells.task_cell(
        "q1",
        f"### Exercise {number} · {SKELETON_MARK} How many CNC machines?\n\n"
        f"{SKELETON_MARK} The task in plain words: count the CNC machines in the asset register, the rows "
        'whose `kind` is `"cnc"`.\n\n'
        "**Your answer:** a whole number, in the variable `cnc_count`.",
    )
    answer = cells.exercise_cell("q1", 'cnc_count = len(assets[assets["kind"] == "cnc"])', objective_ids)
    check = cells.check_cell("q1", points=public_points)
    recap = cells.markdown_cell(
        "recap",
        "## Recap\n\n"
        f"**What you can do now**\n\n- {SKELETON_MARK} One line per learning objective.\n\n"
        f"**New words**\n\n- {SKELETON_MARK} *word*: its meaning in one line.\n\n"
        f"**On the shop floor**\n\n{SKELETON_MARK} How this shows up in a real plant, and what to ask your engineers.",
    )
    return cells.new_module_notebook(module_id, [title, situation, setup, section, example, task, answer, check, recap])


def exercise_file_text(module_id: str, title: str) -> str:
    number = f"{int(module_id)}.1"
    objective_ids = ", ".join(f'"{module_id}.{n}"' for n in (1, 2, 3))
    return f'''"""Module {module_id} · {title}: the exercises of its notebook.

{SKELETON_MARK} One line per exercise: what it asks and on which data.

Written by `academy new-module`; docs/authoring.md says how to go on. The points of each exercise
are declared here and nowhere else: `academy build` copies them into the notebook.
"""
from __future__ import annotations

from academy.exercise import Exercise, Integer, Mistake

MODULE = "{module_id}"


def _cnc_rows(data):
    assets = data.load("assets")
    return assets[assets["kind"] == "cnc"]


# --- trainee-facing words -----------------------------------------------------------------------

WORDS = {{
    "q1": {{
        "todo": "the number of CNC machines in the asset register",
        "hints": [
            "Each row of assets is one machine, and its kind column says what kind of machine it is.",
            'Keep the rows whose kind is "cnc", as the worked example does for the pumps, '
            "and count them with len(...).",
        ],
        "mistakes": {{
            "all_assets": "That counts every machine in the register, pumps, conveyors and compressors too. "
            'Keep only the rows whose kind is "cnc" first.',
        }},
    }},
}}


# --- the exercises ------------------------------------------------------------------------------

EXERCISES = [
    Exercise(
        name="q1",
        number="{number}",
        answer="cnc_count",
        expected=lambda data: len(_cnc_rows(data)),
        kind=Integer(),
        mistakes=[Mistake("all_assets", lambda data: len(data.load("assets")))],
        points=1,
        minutes=3,
        objective=({objective_ids}),
    ),
]
'''


def test_file_text(module_id: str, title: str) -> str:
    return f'''"""Module {module_id} · {title}: its checks on answers typed as a trainee would.

tests/test_exercise_check.py already checks every exercise three ways on computed answers. Here
the answers are code: the worked answer and other good ways pass, each known mistake gets its own
message, and the blank placeholder is "not attempted yet" (docs/authoring.md, "Test it").
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import academy
from academy import data
from academy.course import find_course_root, load_course
from academy.minutes import module_minutes


@pytest.fixture(scope="module")
def ex():
    return academy.exercises("{module_id}")


@pytest.fixture(scope="module")
def tables():
    """What the setup cell gives the trainee."""
    return {{"assets": data.load("assets")}}


def verdict(ex, name: str, code: str, tables: dict):
    namespace = dict(tables)
    exec(code, namespace)
    return getattr(ex, name).verdict(namespace)


def test_q1_accepts_the_worked_answer_and_other_ways(ex, tables):
    assert verdict(ex, "q1", 'cnc_count = len(assets[assets["kind"] == "cnc"])', tables).status == "correct"
    assert verdict(ex, "q1", 'cnc_count = (assets["kind"] == "cnc").sum()', tables).status == "correct"


def test_q1_names_the_slip(ex, tables):
    result = verdict(ex, "q1", "cnc_count = len(assets)", tables)
    assert (result.status, result.mistake) == ("incorrect", "all_assets"), result.message
    assert result.message.startswith(ex.q1.exercise.mistake_message("all_assets"))


def test_q1_placeholder_is_not_attempted(ex, tables):
    result = verdict(ex, "q1", "cnc_count = ...", tables)
    assert result.status == "not_attempted" and "cnc_count" in result.message


def test_the_stated_minutes_are_the_measured_ones(ex):
    """Reading at 120 words a minute plus the exercises' minutes, rounded up to five (academy.minutes)."""
    course = load_course(find_course_root(Path(__file__).parent))
    entry = course.module("{module_id}")
    trainee = nbformat.read(course.notebook_path(entry), as_version=4)
    assert entry.minutes == module_minutes(trainee, ex.course_module.exercises)
'''


# --- course.yml -----------------------------------------------------------------------------------


def manifest_entry_text(entry: ModuleEntry) -> str:
    """The module's entry as course.yml writes it (two-space list items under ``modules:``)."""
    lines = [
        f'  - id: "{entry.id}"',
        f"    title: {_yaml_scalar(entry.title)}",
        f"    file: {entry.file}",
        f"    level: {entry.level}",
        f"    minutes: {entry.minutes}",
        "    prerequisites: [" + ", ".join(f'"{p}"' for p in entry.prerequisites) + "]",
        "    objectives:",
        *(f'      - {{id: "{o.id}", text: {_yaml_scalar(o.text)}}}' for o in entry.objectives),
    ]
    return "\n".join(lines) + "\n"


def _yaml_scalar(text: str) -> str:
    """``text`` as a one-line YAML scalar: bare when YAML reads it back as the same text, else quoted."""
    dumped = yaml.safe_dump(text, width=10_000).strip()
    return dumped.removesuffix("\n...").strip() if "\n" in dumped else dumped


def insert_entry(manifest: str, entry: ModuleEntry) -> str:
    """course.yml's text with the entry added in course order (before the first module with a
    higher id), comments and layout kept."""
    if re.search(r"^modules:\s*\[\]\s*$", manifest, re.MULTILINE):
        manifest = re.sub(r"^modules:\s*\[\]\s*$", "modules:", manifest, count=1, flags=re.MULTILINE)
    block = manifest_entry_text(entry)
    later = [m for m in re.finditer(r'^  - id: "(\d{2})"', manifest, re.MULTILINE) if m.group(1) > entry.id]
    if later:
        at = later[0].start()
        text = manifest[:at] + block + "\n" + manifest[at:]
    else:
        text = manifest.rstrip("\n") + "\n\n" + block
    try:
        ids = [str(m.get("id")) for m in (yaml.safe_load(text) or {}).get("modules") or [] if isinstance(m, dict)]
    except yaml.YAMLError:
        ids = []
    if entry.id not in ids:
        raise NewModuleError(
            f"could not add module {entry.id} to {MANIFEST} by itself (its modules are not a list of "
            f"'  - id: \"NN\"' entries): add this entry by hand, then run academy build\n{block}"
        )
    return text


# --- the command ------------------------------------------------------------------------------------


def new_module(
    module_id: str,
    title: str,
    root: Path | str | None = None,
    level: int = 1,
    prerequisites: tuple[str, ...] = (),
    execute: bool = True,
) -> NewModule:
    """Write module ``module_id``'s skeleton into the course at ``root`` and build it."""
    from academy.build import build_course, build_trainee_notebook
    from academy.course import exercise_file, validate
    from academy.minutes import module_minutes

    root = Path(root or find_course_root()).resolve()
    course = load_course(root)
    if course.manifest_problems:
        raise CourseError(list(course.manifest_problems))
    if not re.fullmatch(r"\d{2}", module_id or ""):
        raise NewModuleError(f"the module id must be two digits, such as 07 (got {module_id!r})")
    if any(entry.id == module_id for entry in course.modules):
        raise NewModuleError(f"{MANIFEST} already has a module {module_id}")
    if level not in course.levels:
        raise NewModuleError(f"the level must be one of {sorted(course.levels)}")
    known = {entry.id for entry in course.modules}
    for prerequisite in prerequisites:
        if prerequisite not in known:
            raise NewModuleError(f"prerequisite {prerequisite} is not a module in {MANIFEST}")
    title = " ".join(title.split())
    notebook_file = file_name(module_id, title)
    exercise_path = course.exercise_folder / f"m{module_id}.py"
    test_path = root / TEST_FILE.format(id=module_id) if (root / "tests").is_dir() else None
    taken = [
        path for path in (
            *(root / "solutions").glob(f"{module_id}_*.ipynb"),
            *(root / "notebooks").glob(f"{module_id}_*.ipynb"),
            exercise_path,
            test_path,
        )
        if path is not None and path.exists()
    ]
    if taken:
        raise NewModuleError("these files exist already: " + ", ".join(str(p.relative_to(root)) for p in taken))

    manifest_path = root / MANIFEST
    insert_entry(manifest_path.read_text(encoding="utf-8"), ModuleEntry(
        module_id, title, notebook_file, level, PLACEHOLDER_MINUTES, tuple(prerequisites), objectives(module_id)))

    report = NewModule(module_id)
    exercise_path.parent.mkdir(parents=True, exist_ok=True)
    exercise_path.write_text(exercise_file_text(module_id, title), encoding="utf-8")
    report.written.append(exercise_path)

    entry = ModuleEntry(module_id, title, notebook_file, level, PLACEHOLDER_MINUTES, tuple(prerequisites), objectives(module_id))
    module = exercise_file(course, entry)
    public = sum(exercise.public_points for exercise in module.exercises)
    # The stated minutes are measured on the page: reading at 120 words a minute plus the exercises.
    draft = skeleton_notebook(course, entry, public)
    minutes = module_minutes(build_trainee_notebook(draft), module.exercises)
    entry = ModuleEntry(module_id, title, notebook_file, level, minutes, tuple(prerequisites), objectives(module_id))
    report.minutes = minutes

    manifest_path.write_text(insert_entry(manifest_path.read_text(encoding="utf-8"), entry), encoding="utf-8")
    report.written.append(manifest_path)
    solution_path = root / "solutions" / notebook_file
    solution_path.parent.mkdir(exist_ok=True)
    nbformat.write(skeleton_notebook(load_course(root), entry, public), solution_path)
    report.written.append(solution_path)
    if test_path is not None:
        test_path.write_text(test_file_text(module_id, title), encoding="utf-8")
        report.written.append(test_path)

    validate(root)
    build_course(root, execute=execute, only=[module_id])
    report.written.append(root / "notebooks" / notebook_file)
    return report


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``academy new-module``."""
    parser = subparsers.add_parser("new-module", help="write a new module's skeleton (notebook, exercise file, course.yml entry) and build it")
    parser.add_argument("module_id", metavar="NN", help="the module's two-digit id, such as 07")
    parser.add_argument("--title", required=True, help="the module's title, such as 'Reading sensor data'")
    parser.add_argument("--level", type=int, default=1, help="the course level, 1 to 4 (default 1)")
    parser.add_argument("--prerequisites", default="", metavar="NN,NN", help="modules to do first, comma separated")
    parser.add_argument("--root", type=Path, default=None, help="course folder (default: the one holding course.yml)")
    parser.add_argument("--no-execute", action="store_true", help="do not run the solution notebook to store its outputs")
    parser.set_defaults(run=_run_new_module)


def _run_new_module(args: argparse.Namespace) -> int:
    prerequisites = tuple(p.strip() for p in args.prerequisites.split(",") if p.strip())
    try:
        report = new_module(args.module_id, args.title, args.root, args.level, prerequisites, execute=not args.no_execute)
    except (NewModuleError, CourseError) as error:
        print(error)
        return 1
    root = Path(args.root or find_course_root()).resolve()
    for path in report.written:
        print(f"wrote {path.relative_to(root)}")
    print(
        f"Module {report.module_id} is a skeleton that builds and validates ({report.minutes} minutes as it stands). "
        f"Replace every '{SKELETON_MARK}' text; docs/authoring.md says how."
    )
    return 0
