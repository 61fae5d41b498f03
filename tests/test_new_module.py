"""``academy new-module``: in a scratch copy of the course, a new module's skeleton builds, validates,
passes the structure test, its own tests and nbval, as every module must (docs/authoring.md)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from academy import modules
from academy.course import ModuleEntry, load_course
from academy.new_module import NewModuleError, file_name, insert_entry, new_module, objectives

REPO = Path(__file__).resolve().parents[1]


def scratch_course(tmp_path: Path) -> Path:
    """The course's manifest, README, notebooks and exercise files, copied: what new-module touches."""
    root = tmp_path / "course"
    root.mkdir()
    for name in ("course.yml", "README.md"):
        shutil.copyfile(REPO / name, root / name)
    for folder in ("solutions", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "src" / "academy" / "modules").mkdir(parents=True)
    for path in (REPO / "src" / "academy" / "modules").glob("m[0-9][0-9].py"):
        shutil.copyfile(path, root / "src" / "academy" / "modules" / path.name)
    (root / "tests").mkdir()
    return root


def run(command: list[str], root: Path) -> subprocess.CompletedProcess:
    """A command in the scratch course, as an author would type it there (no test-only module path)."""
    env = {k: v for k, v in os.environ.items() if k != modules.MODULE_PATH_ENV}
    env.setdefault("MPLCONFIGDIR", str(root / ".mpl"))
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)


ACADEMY = [sys.executable, "-m", "academy.cli"]


@pytest.mark.slow
def test_a_new_module_builds_validates_and_passes_the_structure_test(tmp_path, monkeypatch):
    root = scratch_course(tmp_path)
    before = load_course(root)
    modules_after, points_after = len(before.modules) + 1, before.total_points + 1  # the skeleton's one point
    made = run([*ACADEMY, "new-module", "93", "--title", "Reading alarms", "--level", "2", "--prerequisites", "00"], root)
    assert made.returncode == 0, made.stdout + made.stderr
    for path in ("src/academy/modules/m93.py", "solutions/93_reading_alarms.ipynb", "notebooks/93_reading_alarms.ipynb",
                 "tests/test_module_93.py"):
        assert (root / path).is_file() and f"wrote {path}" in made.stdout, path
    entry = load_course(root).module("93")
    assert (entry.title, entry.level, entry.prerequisites, len(entry.objectives)) == ("Reading alarms", 2, ("00",), 3)
    assert [e.id for e in load_course(root).modules] == sorted([*(e.id for e in before.modules), "93"])

    built = run([*ACADEMY, "build"], root)
    assert built.returncode == 0 and f"0 notebook(s) written, {modules_after} already up to date." in built.stdout, built.stdout
    validated = run([*ACADEMY, "validate"], root)
    sound = f"course.yml is sound: {modules_after} modules, {points_after:g} points."
    assert validated.returncode == 0 and sound in validated.stdout, validated.stdout
    assert run([*ACADEMY, "build", "--check"], root).returncode == 0
    assert "| 93 | [Reading alarms](notebooks/93_reading_alarms.ipynb) | 2 · Monitor |" in (root / "README.md").read_text()

    # The structure test, every check of it, on the new module's solution and trainee notebooks.
    from test_notebook_structure import TestModuleNotebook

    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(root / "src" / "academy" / "modules"))
    try:
        course = load_course(root)
        for form, path in (("solution", course.solution_path(entry)), ("trainee", course.notebook_path(entry))):
            for name in dir(TestModuleNotebook):
                if name.startswith("test_"):
                    getattr(TestModuleNotebook(), name)(root, "93", form, path)
    finally:
        sys.modules.pop("academy.modules.m93", None)

    # Its own tests, and nbval as make test runs it: strict on the solution, lax on the trainee notebook.
    pytest_command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    for extra in (["tests/test_module_93.py"],
                  ["--nbval", "--nbval-sanitize-with", str(REPO / "tests" / "nbval_sanitize.cfg"), "solutions/93_reading_alarms.ipynb"],
                  ["--nbval-lax", "notebooks/93_reading_alarms.ipynb"]):
        result = run([*pytest_command, *extra], root)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_skeleton_is_refused_where_it_would_overwrite_or_clash(tmp_path):
    root = scratch_course(tmp_path)
    before = (root / "course.yml").read_text()
    with pytest.raises(NewModuleError, match="course.yml already has a module 00"):
        new_module("00", "Getting started again", root, execute=False)
    with pytest.raises(NewModuleError, match="two digits"):
        new_module("7", "Seven", root, execute=False)
    with pytest.raises(NewModuleError, match="prerequisite 42 is not a module"):
        new_module("07", "Seven", root, prerequisites=("42",), execute=False)
    with pytest.raises(NewModuleError, match="no letters or digits"):
        new_module("07", "· ·", root, execute=False)
    (root / "src" / "academy" / "modules" / "m07.py").write_text("MODULE = '07'\n")
    with pytest.raises(NewModuleError, match=r"these files exist already: src/academy/modules/m07\.py"):
        new_module("07", "Seven", root, execute=False)
    assert (root / "course.yml").read_text() == before, "nothing is written when a module cannot be added"
    assert not list((root / "solutions").glob("07_*"))


def test_the_entry_goes_into_course_order_with_comments_kept():
    manifest = '# the course\nmodules:\n  - id: "00"\n    title: A\n\n  # later ones\n  - id: "05"\n    title: B\n'
    entry = ModuleEntry("03", "Seeing: patterns", file_name("03", "Seeing: patterns"), 2, 40, ("00",), objectives("03"))
    text = insert_entry(manifest, entry)
    assert text.startswith("# the course\n") and "# later ones" in text
    listed = yaml.safe_load(text)["modules"]
    assert [m["id"] for m in listed] == ["00", "03", "05"]
    assert listed[1]["title"] == "Seeing: patterns" and listed[1]["file"] == "03_seeing_patterns.ipynb"
    assert listed[1]["objectives"][0] == {"id": "03.1", "text": objectives("03")[0].text}
    assert [m["id"] for m in yaml.safe_load(insert_entry("course: x\nmodules: []\n", entry))["modules"]] == ["03"]


def test_the_skeleton_notebook_is_made_with_the_cell_helpers():
    from academy import cells
    from academy.new_module import skeleton_notebook

    course = load_course(REPO)
    entry = ModuleEntry("93", "Reading alarms", "93_reading_alarms.ipynb", 2, 10, ("00",), objectives("93"))
    nb = skeleton_notebook(course, entry, public_points=1)
    assert [cells.role(c) for c in nb.cells] == ["title", "situation", "setup", "text", "example", "task", "exercise",
                                                "check", "recap"]
    assert cells.nbgrader_problems(nb) == [] and cells.academy_problems(nb, "solution") == []
    assert nbformat.validate(nb) is None
