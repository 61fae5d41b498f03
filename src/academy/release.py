"""Handing modules out to a cohort: ``academy release``.

::

    academy release --modules 00-03 --cohort spring-2027 --out releases/spring-2027 [--seed 4242]

writes a release folder::

    releases/spring-2027/
      release_manifest.json       for the instructor: what was handed out (academy grade reads it)
      sources/NN_name.ipynb       for the instructor: the solution notebooks as released
      spring-2027/                hand this folder (or the zip) to the trainees
        README.md                 how to start, in plain words
        requirements.lock         the library versions the course was tested with
        notebooks/NN_name.ipynb   the trainee notebooks
        notebooks/release.json    what the notebooks read: cohort, course folder, worked answers
        notebooks/solutions.json  worked answers, only with --show-solutions
        datasets/plant/           the cohort's plant: its scenario (with the cohort's seed), the
                                  files made from it (the historian export), and with
                                  --data include its tables (else README.md gives the command)
      spring-2027.zip             the trainee folder, zipped (byte-for-byte reproducible)

``--assessment`` makes the modules an assessment whose answers are not in the trainee's hands
(:mod:`academy.exercise.assessment`): the trainee folder holds the cohort's tables without their
ground truth (no ``truth/`` tables, no scenario or seed to make them again) and, in
``release.json``, only the form of each exercise, never an exercise file; its checks say only
whether an answer has the right form. What grading needs and the trainees never get goes to::

      grader/datasets/plant/      for the instructor: the cohort's whole plant (ground truth
                                  included) and its scenario, which the grader scores with

An assessment needs a plant of its own (``--seed``, not the course's own plant, which anyone with
the course can generate), ships its tables (not ``--data command``) and no worked answers, and
takes only modules whose checks read the plant.

The trainee folder is laid out like the course itself, so a notebook's relative paths
(``../datasets/plant/...``) work unchanged, and ``release.json`` makes it the course folder
(:func:`academy.data.project_root`): the notebooks, their checks and the grader all read the
cohort's plant. A cohort may get its own plant (``--seed``); files made from the plant, such as
the historian export, are made again from the cohort's plant.

The release manifest records, per module, a version (a content hash of the solution notebook,
the trainee notebook and the exercise file), the points (public and hidden) per exercise and the
learning objectives. Nothing in it depends on the clock, so releasing the same modules twice gives
the same files.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from academy.build import build_trainee_notebook, notebook_text
from academy.course import Course, CourseError, course_problems, find_course_root, load_course
from academy.exercise.solutions import RELEASE_FILE, export_solutions
from academy.exercise.words import word

MANIFEST_FILE = "release_manifest.json"
MANIFEST_FORMAT = "academy.release-manifest/1"
SETTINGS_FORMAT = "academy.release/1"
SOURCES_DIR = "sources"
GRADER_DIR = "grader"  # an assessment's instructor-only data: the whole plant, ground truth included
TRUTH_DIR = "truth"  # the plant's ground-truth tables, inside its tables folder
SOLUTIONS_FILE = "solutions.json"
NOTEBOOKS_DIR = "notebooks"
PLANT_DIR = "datasets/plant"  # in a release's trainee folder, as in the course
COURSE_PLANT = Path("datasets") / "plant"
HISTORIAN_FILE = re.compile(r"^historian_(?P<asset>.+)_(?P<start>\d{4}-\d{2}-\d{2})\.csv$")
NOT_SHIPPED = ("scenario.yml", "SHA256SUMS", "tables")  # in the course's datasets/plant/
DATA_MODES = ("include", "command")
COHORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: no wall-clock in the file


class ReleaseError(ValueError):
    """A release that cannot be made (or read) as asked; the message says what to change."""


@dataclass
class Release:
    """A release on disk, as :func:`release` wrote it or :func:`load_release` read it."""

    folder: Path  # the release folder (holds the manifest)
    manifest: dict
    notes: list[str] = field(default_factory=list)

    @property
    def cohort(self) -> str:
        return self.manifest["cohort"]

    @property
    def trainee_folder(self) -> Path:
        return self.folder / self.manifest["trainee_folder"]

    @property
    def zip_path(self) -> Path | None:
        name = self.manifest.get("zip")
        return self.folder / name if name else None

    @property
    def sources(self) -> Path:
        return self.folder / self.manifest["sources"]

    @property
    def notebooks(self) -> Path:
        return self.trainee_folder / NOTEBOOKS_DIR

    @property
    def settings_path(self) -> Path:
        return self.notebooks / RELEASE_FILE

    @property
    def modules(self) -> list[dict]:
        return self.manifest["modules"]

    def module(self, module_id: str) -> dict:
        for entry in self.modules:
            if entry["id"] == module_id:
                return entry
        raise KeyError(f"module {module_id} is not part of release {self.cohort}")

    def source_path(self, module_id: str) -> Path:
        return self.sources / self.module(module_id)["file"]

    @property
    def assessment(self) -> bool:
        """Whether the modules were released as an assessment (``--assessment``)."""
        return bool(self.manifest.get("assessment", False))

    @property
    def plant_tables(self) -> Path | None:
        """The cohort's plant tables the grader scores with, where the release ships them (else
        None); in an assessment the instructor's copy, ground truth included."""
        tables = self.manifest["plant"].get("tables")
        return self.folder / tables if tables else None

    @property
    def trainee_tables(self) -> Path | None:
        """The tables the trainees (and the kernels that run their notebooks) get: in an
        assessment those without the ground truth, else the same as :attr:`plant_tables`."""
        tables = self.manifest["plant"].get("trainee_tables")
        return self.folder / tables if tables else self.plant_tables

    @property
    def plant_scenario(self) -> Path:
        return self.folder / self.manifest["plant"]["scenario"]

    @property
    def plant_seed(self) -> int:
        return self.manifest["plant"]["seed"]

    @property
    def module_path(self) -> Path | None:
        path = self.manifest.get("module_path")
        return Path(path) if path else None


# --- choosing modules --------------------------------------------------------------------------


def parse_module_selection(text: str, course: Course) -> list[str]:
    """Module ids from ``"01-05"``, ``"00,02,04"``, ``"3"`` or ``"all"``, in course order.

    Every module asked for must be in course.yml: a range with a gap is refused rather than
    shipped short.
    """
    known = [entry.id for entry in course.modules]
    if not known:
        raise ReleaseError("course.yml lists no modules yet, so there is nothing to release.")
    wanted: list[str] = []
    for part in (piece.strip() for piece in str(text).split(",")):
        if not part:
            continue
        if part.lower() == "all":
            wanted += known
            continue
        match = re.fullmatch(r"(\d{1,2})\s*-\s*(\d{1,2})", part)
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if first > last:
                raise ReleaseError(f"'{part}': the first module of a range comes first (e.g. 01-05).")
            wanted += [f"{number:02d}" for number in range(first, last + 1)]
        elif re.fullmatch(r"\d{1,2}", part):
            wanted.append(f"{int(part):02d}")
        else:
            raise ReleaseError(f"'{part}' is not a module number or range; write e.g. 01-05 or 00,02.")
    missing = [module_id for module_id in dict.fromkeys(wanted) if module_id not in known]
    if missing:
        raise ReleaseError(
            f"module(s) {', '.join(missing)} are not in course.yml (it has {', '.join(known)})."
        )
    if not wanted:
        raise ReleaseError("no modules chosen; write e.g. --modules 01-05.")
    return [module_id for module_id in known if module_id in wanted]


# --- writing a release -------------------------------------------------------------------------


def release(
    modules: str | list[str],
    cohort: str,
    out: Path | str,
    root: Path | str | None = None,
    seed: int | None = None,
    scenario: Path | str | None = None,
    show_solutions: bool = False,
    data: str = "include",
    make_zip: bool = True,
    assessment: bool = False,
) -> Release:
    """Write a release of ``modules`` for ``cohort`` into ``out`` (see the module docstring).

    ``modules`` is a selection such as ``"01-05"`` or a list of ids. ``seed`` gives the cohort its
    own plant (default: the scenario's seed); ``scenario`` replaces the course's scenario file.
    ``data`` is ``"include"`` (generate or copy the tables into the release) or ``"command"``
    (ship the scenario and the command that generates the tables). Refuses a non-empty ``out``,
    so a folder already handed out is never changed. ``assessment`` releases the modules as an
    assessment (see the module docstring).
    """
    from academy.data import installation_root
    from academy.modules import add_search_path, load_module

    course = load_course(root or find_course_root())
    if course.module_path is not None:
        add_search_path(course.module_path)
    problems = course_problems(course)
    if problems:
        raise CourseError(problems)
    if not COHORT_NAME.match(cohort or "") or cohort in (SOURCES_DIR, MANIFEST_FILE):
        raise ReleaseError(f"cohort '{cohort}' must be letters, digits, '.', '_' or '-' (up to 64), e.g. spring-2027.")
    if data not in DATA_MODES:
        raise ReleaseError(f"--data must be one of {', '.join(DATA_MODES)}, not '{data}'.")
    chosen = parse_module_selection(",".join(modules) if isinstance(modules, list) else modules, course)
    if assessment:
        _refuse_weak_assessment(chosen, seed, show_solutions, data)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out} is not empty: a release folder is written once (choose a new --out).")

    scenario_file = Path(scenario) if scenario is not None else installation_root() / COURSE_PLANT / "scenario.yml"
    if not scenario_file.is_file():
        raise ReleaseError(f"there is no scenario file {scenario_file}.")
    from plantsim.scenario import load_scenario

    seed = load_scenario(scenario_file).seed if seed is None else int(seed)
    if assessment:
        course_scenario = installation_root() / COURSE_PLANT / "scenario.yml"
        if course_scenario.is_file() and scenario_with_seed(scenario_file.read_text(encoding="utf-8"), seed) == \
                course_scenario.read_text(encoding="utf-8"):
            raise ReleaseError(f"seed {seed} makes the course's own plant, which anyone with the course can generate with its "
                               "ground truth: an assessment needs a plant of its own (another --seed).")

    trainee = out / cohort
    notebooks = trainee / NOTEBOOKS_DIR
    sources = out / SOURCES_DIR
    notebooks.mkdir(parents=True)
    sources.mkdir()
    notes: list[str] = []

    module_entries = []
    for module_id in chosen:
        entry = course.module(module_id)
        source_bytes = course.solution_path(entry).read_bytes()
        notebook = notebook_text(build_trainee_notebook(nbformat.reads(source_bytes.decode("utf-8"), as_version=4)))
        (notebooks / entry.file).write_text(notebook, encoding="utf-8")
        (sources / entry.file).write_bytes(source_bytes)
        built = course.notebook_path(entry)
        if built.is_file() and built.read_text(encoding="utf-8") != notebook:
            notes.append(f"notebooks/{entry.file} is stale; the release uses a fresh build (run academy build).")
        module_entries.append(_module_entry(entry, load_module(module_id), source_bytes, notebook))
        for prerequisite in entry.prerequisites:
            if prerequisite not in chosen:
                notes.append(f"module {module_id} builds on module {prerequisite}, which this release does not include.")

    if assessment:
        # The whole plant (ground truth, scenario and seed) for the grader only; the trainees get
        # the tables without the ground truth and the files made from the plant.
        plant = _release_plant(out / GRADER_DIR / PLANT_DIR, scenario_file, seed, data, notes)
        plant.update({key: f"{GRADER_DIR}/{value}" for key, value in plant.items() if key in ("scenario", "tables") and value})
        plant.update(_trainee_plant(out / GRADER_DIR / PLANT_DIR, trainee / PLANT_DIR))
        plant["trainee_tables"] = f"{cohort}/{PLANT_DIR}/tables"
        plant["files"] = sorted(p.name for p in (trainee / PLANT_DIR).iterdir() if p.is_file())
    else:
        plant = _release_plant(trainee / PLANT_DIR, scenario_file, seed, data, notes)
        plant.update({key: f"{cohort}/{value}" for key, value in plant.items() if key in ("scenario", "tables") and value})
    settings = {
        "format": SETTINGS_FORMAT,
        "cohort": cohort,
        "show_solutions": bool(show_solutions),
        "course_root": "..",  # the trainee folder, relative to this file: it holds datasets/plant/
        "plant_seed": seed,
        "modules": [{"id": m["id"], "title": m["title"], "file": m["file"], "version": m["version"]} for m in module_entries],
    }
    if assessment:
        from academy.exercise.assessment import FORMS_FORMAT, exercise_forms

        del settings["plant_seed"]  # with the scenario, it would make the ground truth again
        settings["assessment"] = True
        settings["forms"] = {"format": FORMS_FORMAT,
                             "modules": {m: exercise_forms(load_module(m).exercises) for m in chosen}}
    if show_solutions:
        _write_json(notebooks / SOLUTIONS_FILE, export_solutions([sources / m["file"] for m in module_entries]))
        settings["solutions"] = SOLUTIONS_FILE
    _write_json(notebooks / RELEASE_FILE, settings)
    lock = installation_root() / "requirements.lock"
    if lock.is_file():
        shutil.copyfile(lock, trainee / "requirements.lock")
    (trainee / "README.md").write_text(trainee_readme(course.title, cohort, module_entries, plant, data, show_solutions, assessment),
                                       encoding="utf-8")

    manifest = {
        "format": MANIFEST_FORMAT,
        "course": course.title,
        "cohort": cohort,
        "show_solutions": bool(show_solutions),
        # An assessment: the trainees' checks judge an answer's form only, their folder holds no
        # ground truth and no exercise file, and the grader alone scores (from grader/).
        "assessment": bool(assessment),
        "trainee_folder": cohort,
        "zip": f"{cohort}.zip" if make_zip else None,
        "sources": SOURCES_DIR,
        # Where the exercise files of test or extra courses live (absent for the course's own).
        "module_path": str(course.module_path) if course.module_path is not None else None,
        "plant": plant,
        # Every file a check or hidden test reads (the tables are in the plant's own MANIFEST.json,
        # hashed above): the grader verifies them before any hand-in runs.
        "answer_key": answer_key(out, trainee, out / GRADER_DIR / PLANT_DIR if assessment else None),
        "points": _number(sum(m["points"] for m in module_entries)),
        "modules": module_entries,
    }
    _write_json(out / MANIFEST_FILE, manifest)
    if make_zip:
        zip_folder(trainee, out / f"{cohort}.zip")
    return Release(out, manifest, notes)


def _refuse_weak_assessment(chosen: list[str], seed: int | None, show_solutions: bool, data: str) -> None:
    """Refuse an assessment that would leave its answers in the trainees' hands, saying why."""
    from academy.modules import load_module

    if show_solutions:
        raise ReleaseError("an assessment ships no worked answers: leave out --show-solutions.")
    if data != "include":
        raise ReleaseError("an assessment ships the plant's tables without their ground truth; with --data command every "
                           "trainee's computer would generate the ground truth too: leave out --data command.")
    if seed is None:
        raise ReleaseError("an assessment needs a plant of its own that no trainee can generate: give --seed (a number "
                           "no other cohort had), not the course's own plant.")
    for module_id in chosen:
        if getattr(load_module(module_id).python_module, "data_source", None) is not None:
            raise ReleaseError(f"module {module_id}'s checks read tables its exercise file makes (data_source), which an "
                               "assessment cannot ship without that file: release it without --assessment.")


def _trainee_plant(full: Path, folder: Path) -> dict:
    """An assessment's trainee plant folder from the whole plant in ``full``: the files made from
    the plant and the tables without the ground truth, with a tables manifest of their own (no
    seed, no scenario hash). Returns the manifest's entries about it."""
    from academy.data import WITHHELD_TRUTH

    folder.mkdir(parents=True)
    for path in sorted(full.iterdir()):
        if path.is_file() and path.name != "scenario.yml":
            shutil.copyfile(path, folder / path.name)
    tables = folder / "tables"
    shutil.copytree(full / "tables", tables, ignore=lambda where, names: [TRUTH_DIR] if Path(where) == full / "tables" else [])
    listed = json.loads((full / "tables" / "MANIFEST.json").read_text(encoding="utf-8"))
    kept = {
        "plant": listed.get("plant"),
        "start": listed.get("start"),
        "days": listed.get("days"),
        "step_minutes": listed.get("step_minutes"),
        "generator_version": listed.get("generator_version"),
        WITHHELD_TRUTH: True,
        "tables": {name: count for name, count in listed.get("tables", {}).items() if not name.startswith(f"{TRUTH_DIR}/")},
        "files": {name: digest for name, digest in listed.get("files", {}).items() if not name.startswith(f"{TRUTH_DIR}/")},
    }
    (tables / "MANIFEST.json").write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {"trainee_tables_manifest_sha256": _sha256((tables / "MANIFEST.json").read_bytes()),
            "ground_truth": "in grader/ only: not in the trainee folder"}


def _module_entry(entry, loaded, source_bytes: bytes, notebook: str) -> dict:
    """What the manifest records about one released module."""
    hashes = {
        "source_sha256": _sha256(source_bytes),
        "notebook_sha256": _sha256(notebook.encode("utf-8")),
        "exercise_file_sha256": _sha256(Path(loaded.python_module.__file__).read_bytes()),
    }
    exercises = loaded.exercises
    return {
        "id": entry.id,
        "title": entry.title,
        "file": entry.file,
        "level": entry.level,
        "minutes": entry.minutes,
        "prerequisites": list(entry.prerequisites),
        "version": _sha256("".join(hashes.values()).encode())[:12],
        **hashes,
        "points": _number(sum(e.points for e in exercises)),
        "public_points": _number(sum(e.public_points for e in exercises)),
        "hidden_points": _number(sum(e.hidden_points for e in exercises)),
        "uses_plant": getattr(loaded.python_module, "data_source", None) is None,
        "objectives": [{"id": o.id, "text": o.text} for o in entry.objectives],
        "exercises": [
            {
                "name": e.name,
                "number": e.number,
                "points": _number(e.points),
                "public_points": _number(e.public_points),
                "hidden_points": _number(e.hidden_points),
                "objectives": list(e.objectives),
                "variables": list(e.variables),
            }
            for e in exercises
        ],
    }


def scenario_with_seed(text: str, seed: int) -> str:
    """The scenario file's text with the plant's seed replaced (comments and layout kept)."""
    pattern = re.compile(r"^(?P<key>\s+seed:\s*)(?P<seed>-?\d+)", re.MULTILINE)
    if len(pattern.findall(text)) != 1:
        raise ReleaseError("the scenario file must hold exactly one 'seed:' line (under plant:).")
    return pattern.sub(lambda match: f"{match.group('key')}{seed}", text)


def _release_plant(folder: Path, scenario_file: Path, seed: int, data: str, notes: list[str]) -> dict:
    """Write the cohort's plant folder; return the manifest's plant entry (paths relative to the trainee folder)."""
    import tempfile

    from academy.data import installation_root
    from plantsim.scenario import load_scenario

    folder.mkdir(parents=True)
    scenario_text = scenario_with_seed(scenario_file.read_text(encoding="utf-8"), seed)
    (folder / "scenario.yml").write_text(scenario_text, encoding="utf-8")
    if load_scenario(folder / "scenario.yml").seed != seed:
        raise ReleaseError(f"could not give the scenario the seed {seed}.")
    course_plant = installation_root() / COURSE_PLANT
    default_tables = course_plant / "tables"
    same_as_course = (
        scenario_text == (course_plant / "scenario.yml").read_text(encoding="utf-8") and (default_tables / "MANIFEST.json").is_file()
    )
    tables = folder / "tables"
    extra_files = sorted(p for p in course_plant.iterdir() if p.is_file() and p.name not in NOT_SHIPPED)
    made_from_plant = [p for p in extra_files if HISTORIAN_FILE.match(p.name)]
    scratch = None
    if same_as_course:
        if data == "include":
            shutil.copytree(default_tables, tables)
        source_tables = default_tables
    else:
        from plantsim.simulate import generate

        if data == "include":
            source_tables = generate(folder / "scenario.yml", tables)
        elif made_from_plant:
            scratch = Path(tempfile.mkdtemp(prefix="academy-release-plant-"))
            source_tables = generate(folder / "scenario.yml", scratch / "tables")
        else:
            source_tables = None
    try:
        for path in extra_files:
            if path in made_from_plant and not same_as_course:
                try:
                    (folder / path.name).write_text(_historian_again(path, source_tables, folder / "scenario.yml"), encoding="utf-8")
                except Exception as error:  # a window the cohort's plant does not cover, for example
                    notes.append(f"{path.name} could not be made from the cohort's plant ({type(error).__name__}: {error}); not included.")
            else:
                shutil.copyfile(path, folder / path.name)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    included = data == "include"
    return {
        "seed": seed,
        "scenario": f"{PLANT_DIR}/scenario.yml",
        "scenario_sha256": _sha256(scenario_text.encode("utf-8")),
        "command": f"plantsim generate --scenario {PLANT_DIR}/scenario.yml --out {PLANT_DIR}/tables",
        "tables": f"{PLANT_DIR}/tables" if included else None,
        "tables_manifest_sha256": _sha256((tables / "MANIFEST.json").read_bytes()) if included else None,
        "files": sorted(p.name for p in folder.iterdir() if p.is_file()),
    }


def _historian_again(original: Path, tables: Path, scenario: Path) -> str:
    """A historian export like ``original`` (same machine and window), made from another plant."""
    import pandas as pd

    from plantsim.historian import EXPORT_DAYS, export_csv
    from plantsim.scenario import load_scenario

    match = HISTORIAN_FILE.match(original.name)
    first_line = original.read_text(encoding="utf-8").split("\n", 1)[0]
    window = re.search(r"(\d{4}-\d{2}-\d{2}) \d{2}:\d{2} to (\d{4}-\d{2}-\d{2})", first_line)
    days = (pd.Timestamp(window.group(2)) - pd.Timestamp(window.group(1))).days if window else EXPORT_DAYS
    asset = match.group("asset")
    raw = pd.read_parquet(tables / "raw" / "telemetry", filters=[("asset_id", "==", asset)])
    if raw.empty:
        raise ReleaseError(f"the cohort's plant has no machine {asset}")
    return export_csv(raw, asset, match.group("start"), days, load_scenario(scenario).timezone)


def trainee_readme(course_title: str, cohort: str, modules: list[dict], plant: dict, data: str, show_solutions: bool,
                   assessment: bool = False) -> str:
    """The trainee folder's README: how to start, in plain words."""
    rows = "\n".join(
        f"| {m['id']} | {m['title']} | `{m['file']}` | about {m['minutes']} min | {_points(m['points'])} |" for m in modules
    )
    first = modules[0]["file"]
    if data == "include":
        data_text = "The plant's data is in the `datasets/plant` folder. You do not need to do anything with it."
    else:
        data_text = (
            "The plant's data is made on your computer the first time a notebook needs it (this takes "
            "a few minutes, once). You can also make it beforehand: open a terminal in this folder and run\n\n"
            f"    {plant['command']}"
        )
    solutions_text = (
        "When you are stuck after the last hint, `ex.q1.solution()` shows a worked answer."
        if show_solutions
        else "Worked answers are switched off for this course run: ask your instructor when the hints are not enough."
    )
    number_rule = word("guide.number_rule")
    with_hidden = [m for m in modules if float(m.get("hidden_points", 0) or 0) > 0]
    hidden_text = ""
    if with_hidden:
        examples = ", ".join(
            f"module {m['id']}: {_points(m['public_points'])} of its {_points(m['points'])}" for m in with_hidden
        )
        hidden_text = (
            "\n  The Points column above counts those extra tests' points too; the checks and `academy progress` "
            f"count only the checks' own points, so they show fewer ({examples})."
        )
    exercises_text = f"""- Write your answer in the exercise cell, where it says `...`, and run that cell.
- Then run the check cell right under it. It tells you: not attempted yet, not yet right (and
  why), or correct.
- {number_rule}
- Stuck? `ex.q1.hint()` gives a first hint, `ex.q1.hint(2)` the next one. {solutions_text}
- Some exercises have extra tests that only your instructor runs. A correct check is a very good
  sign, not a guarantee.{hidden_text}"""
    if assessment:
        exercises_text = f"""These modules are an **assessment**: your instructor grades them after you hand in.

- Write your answer in the exercise cell, where it says `...`, and run that cell.
- Then run the check cell right under it. It tells you only whether your answer has the form the
  task asks for (a number, a table with the columns asked for, a figure): not attempted yet, not
  in the form the task asks for yet (and what it found instead), or answer recorded. It does not
  say whether your answer is right.
- {number_rule}
- There are no hints and no worked answers in an assessment. If a task is unclear, ask your
  instructor."""
    return f"""# {course_title} · {cohort}

Welcome! This folder holds your course notebooks and the data of the plant you will work on.

## Start

1. Open JupyterLab in this folder. On a course PC: open a terminal in this folder and type
   `jupyter lab`, then press Enter. Your browser opens.
2. In the file list on the left, double-click the **notebooks** folder, then **{first}**.
3. Read from the top. Run each grey code cell with **Shift + Enter**. Run every cell in order:
   later cells need the earlier ones.

The course software must be installed on the computer. Course PCs have it. On your own computer,
ask your instructor; the library versions the course was tested with are in `requirements.lock`.

## Your modules

| Module | Title | Notebook | Time | Points |
|---|---|---|---|---|
{rows}

## Exercises

{exercises_text}

## See where you are

In any notebook, run

    import academy
    academy.progress()

or, in a terminal in this folder, `academy progress`. Save your notebooks first (Ctrl + S): it
reads the saved files, and counts the checks only (not your instructor's extra tests).

## Hand in

Save each notebook (Ctrl + S) and hand in the `.ipynb` files from the `notebooks` folder with
their names unchanged. Do not copy, split or merge notebooks. If you changed a cell you were not meant to change, no harm done:
the grader puts the course's own version of those cells back.

## The data

{data_text}
"""


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip ``folder`` (its name as the top folder) with fixed dates and order: same files, same zip."""
    folder = Path(folder)
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target


# --- reading a release -------------------------------------------------------------------------


def load_release(path: Path | str) -> Release:
    """Read a release manifest (the file, or the release folder holding it) and check its sources."""
    path = Path(path)
    manifest_path = path / MANIFEST_FILE if path.is_dir() else path
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReleaseError(f"cannot read the release manifest {manifest_path}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ReleaseError(f"{manifest_path} is not a release manifest (format {MANIFEST_FORMAT}).")
    found = Release(manifest_path.parent, manifest)
    changed = changed_answer_key(found)
    if changed:
        raise ReleaseError(f"{changed[0]} differs from the file released to {found.cohort} (the answer key is fixed when a "
                           "release is made): restore the release folder from its zip"
                           + (f"; {len(changed) - 1} other file(s) differ too" if len(changed) > 1 else ""))
    for entry in found.modules:
        source = found.source_path(entry["id"])
        if not source.is_file():
            raise ReleaseError(f"the released source of module {entry['id']} is missing: {source}")
        if _sha256(source.read_bytes()) != entry["source_sha256"]:
            raise ReleaseError(f"{source} differs from the notebook released to {found.cohort}; grading needs the released version.")
    return found


# --- helpers -----------------------------------------------------------------------------------


def answer_key(out: Path, trainee: Path, grader_plant: Path | None = None) -> dict[str, str]:
    """sha256 per file the checks and hidden tests read, by path relative to the release folder:
    the plant's small files (scenario, historian export, datasheet, the tables' MANIFEST.json) and
    the notebooks' release.json; in an assessment those of the grader's whole plant too."""
    files = []
    for plant in (trainee / PLANT_DIR, grader_plant):
        if plant is not None and plant.is_dir():
            files += [path for path in sorted(plant.rglob("*")) if path.is_file()
                      and (path.parent == plant or path.name == "MANIFEST.json")]
    files.append(trainee / NOTEBOOKS_DIR / RELEASE_FILE)
    return {path.relative_to(out).as_posix(): _sha256(path.read_bytes()) for path in files if path.is_file()}


def changed_answer_key(found: Release) -> list[str]:
    """Files of the release's answer key that are missing or differ from their recorded hash."""
    changed = []
    for name, digest in sorted(found.manifest.get("answer_key", {}).items()):
        path = found.folder / name
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            changed.append(name)
    return changed


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _points(value: float) -> str:
    return str(_number(value))


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# --- command line ------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``academy release``."""
    parser = subparsers.add_parser("release", help="hand modules out to a cohort: trainee notebooks, data, README, manifest, zip")
    parser.add_argument("--modules", required=True, help="which modules: 01-05, 00,02,04 or all")
    parser.add_argument("--cohort", required=True, help="the cohort's name, e.g. spring-2027")
    parser.add_argument("--out", required=True, type=Path, help="a new folder for the release")
    parser.add_argument("--root", type=Path, default=None, help="course folder (default: the one holding course.yml)")
    parser.add_argument("--seed", type=int, default=None, help="the cohort's own plant seed (default: the scenario's)")
    parser.add_argument("--scenario", type=Path, default=None, help="another plant scenario file")
    parser.add_argument("--show-solutions", action="store_true", help="let ex.qN.solution() show worked answers")
    parser.add_argument("--data", choices=DATA_MODES, default="include",
                        help="include the plant's tables, or ship the command that generates them")
    parser.add_argument("--no-zip", action="store_true", help="do not write the zip")
    parser.add_argument("--assessment", action="store_true",
                        help="release as an assessment: no ground truth or exercise files for the trainees, checks that "
                             "judge only an answer's form, the grader alone scores (needs --seed)")
    parser.set_defaults(run=_run_release)


def _run_release(args: argparse.Namespace) -> int:
    try:
        made = release(
            args.modules, args.cohort, args.out, root=args.root, seed=args.seed, scenario=args.scenario,
            show_solutions=args.show_solutions, data=args.data, make_zip=not args.no_zip, assessment=args.assessment,
        )
    except (ReleaseError, CourseError) as error:
        print(error)
        return 1
    for note in made.notes:
        print(f"note: {note}")
    modules = ", ".join(m["id"] for m in made.modules)
    kind = "as an assessment " if made.assessment else ""
    print(f"Released module(s) {modules} {kind}to {made.cohort} (plant seed {made.plant_seed}, {_points(made.manifest['points'])} points).")
    if made.assessment:
        print(f"Keep {made.folder / GRADER_DIR} and {made.sources} to yourself: the ground truth and the solutions are there.")
    print(f"Hand out: {made.zip_path or made.trainee_folder}")
    print(f"Grade with: academy grade SUBMISSIONS --release {made.folder / MANIFEST_FILE} --out GRADES")
    return 0
