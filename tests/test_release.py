"""Releasing modules to a cohort: choosing modules, the release folder, its manifest and zip, worked
answers on or off, and a cohort plant of its own seed that the notebooks and their checks read."""
from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from academy import cells, data, modules
from academy.build import build_trainee_notebook, execute_notebook, notebook_text
from academy.cli import main
from academy.course import load_course
from academy.exercise import check_results
from academy.exercise.solutions import RELEASE_ENV, read_release_settings
from academy.release import (
    MANIFEST_FILE,
    ReleaseError,
    load_release,
    parse_module_selection,
    release,
    scenario_with_seed,
)

REPO = Path(__file__).resolve().parents[1]
TEST_COURSE = Path(__file__).parent / "modules"
PLANT_COURSE = TEST_COURSE / "plant_course"
TINY_SCENARIO = PLANT_COURSE / "tiny_scenario.yml"
COHORT_SEED = 5


@pytest.fixture(autouse=True)
def course_environment(monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, f"{TEST_COURSE}:{PLANT_COURSE}")
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    monkeypatch.delenv(data.PLANT_DIR_ENV, raising=False)


@pytest.fixture(scope="module")
def test_release(tmp_path_factory):
    """Modules 90 and 91 of the tooling's test course, for cohort 'night-shift', tables by command."""
    return release("90-91", "night-shift", tmp_path_factory.mktemp("rel") / "night", root=TEST_COURSE, data="command")


@pytest.fixture(scope="module")
def plant_release(tmp_path_factory):
    """Module 92 on a six-week plant of the cohort's own seed, tables included."""
    return release("92", "seed-five", tmp_path_factory.mktemp("rel") / "five", root=PLANT_COURSE,
                   scenario=TINY_SCENARIO, seed=COHORT_SEED)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- choosing modules ---------------------------------------------------------------------------


def test_module_selections():
    course = load_course(TEST_COURSE)
    assert parse_module_selection("90-91", course) == ["90", "91"]
    assert parse_module_selection("91, 90", course) == ["90", "91"], "course order"
    assert parse_module_selection("all", course) == ["90", "91"]
    assert parse_module_selection("90", course) == ["90"]
    with pytest.raises(ReleaseError, match="module\\(s\\) 92 are not in course.yml \\(it has 90, 91\\)"):
        parse_module_selection("90-92", course)
    with pytest.raises(ReleaseError, match="first module of a range comes first"):
        parse_module_selection("91-90", course)
    with pytest.raises(ReleaseError, match="not a module number or range"):
        parse_module_selection("ninety", course)


# --- the release folder -------------------------------------------------------------------------


def test_the_release_folder_holds_what_trainees_need(test_release):
    trainee = test_release.trainee_folder
    assert trainee.name == "night-shift"
    for module_id, file in (("90", "90_reading_a_sensor_table.ipynb"), ("91", "91_checking_limits.ipynb")):
        shipped = trainee / "notebooks" / file
        solution = nbformat.read(TEST_COURSE / "solutions" / file, as_version=4)
        assert shipped.read_text() == notebook_text(build_trainee_notebook(solution))
        assert cells.notebook_problems(nbformat.read(shipped, as_version=4), "trainee") == []
        assert (test_release.sources / file).read_bytes() == (TEST_COURSE / "solutions" / file).read_bytes()
    settings = json.loads((trainee / "notebooks" / "release.json").read_text())
    assert settings["cohort"] == "night-shift" and settings["show_solutions"] is False and settings["course_root"] == ".."
    assert [m["id"] for m in settings["modules"]] == ["90", "91"]
    readme = (trainee / "README.md").read_text()
    assert "90_reading_a_sensor_table.ipynb" in readme and "academy.progress()" in readme
    assert "A number is right when it agrees with the expected one to two decimals" in readme, "the number rule, once"
    assert "32.316734" not in readme, "the rule's example is no exercise's answer"
    assert "so they show fewer (module 90: 4 of its 5)" in readme, "the hidden points explained, from the exercises"
    assert "plantsim generate --scenario datasets/plant/scenario.yml --out datasets/plant/tables" in readme
    assert not (trainee / "datasets" / "plant" / "tables").exists(), "--data command ships no tables"
    assert (trainee / "requirements.lock").read_text() == (REPO / "requirements.lock").read_text()


def test_the_manifest_records_versions_hashes_and_points(test_release):
    manifest = json.loads((test_release.folder / MANIFEST_FILE).read_text())
    assert manifest["cohort"] == "night-shift" and manifest["points"] == 14
    by_id = {m["id"]: m for m in manifest["modules"]}
    assert by_id["90"]["source_sha256"] == sha256(TEST_COURSE / "solutions" / "90_reading_a_sensor_table.ipynb")
    assert by_id["90"]["notebook_sha256"] == sha256(test_release.notebooks / "90_reading_a_sensor_table.ipynb")
    assert by_id["90"]["exercise_file_sha256"] == sha256(TEST_COURSE / "m90.py")
    assert len(by_id["90"]["version"]) == 12 and by_id["90"]["version"] != by_id["91"]["version"]
    assert (by_id["90"]["points"], by_id["90"]["public_points"], by_id["90"]["hidden_points"]) == (5, 4, 1)
    q6 = next(e for e in by_id["91"]["exercises"] if e["name"] == "q6")
    assert q6["variables"] == ["lcl_c", "ucl_c"] and q6["objectives"] == ["91.5"]
    assert [o["id"] for o in by_id["91"]["objectives"]] == ["91.1", "91.2", "91.3", "91.4", "91.5"]
    assert manifest["plant"]["seed"] == 20250101 and manifest["plant"]["tables"] is None


def test_the_zip_is_the_trainee_folder_without_solutions_and_reproducible(test_release, tmp_path):
    with zipfile.ZipFile(test_release.zip_path) as archive:
        names = sorted(archive.namelist())
        text = "".join(archive.read(name).decode("utf-8", errors="replace") for name in names)
    on_disk = sorted(f"night-shift/{p.relative_to(test_release.trainee_folder).as_posix()}"
                     for p in test_release.trainee_folder.rglob("*") if p.is_file())
    assert names == on_disk
    assert cells.SOLUTION_BEGIN not in text and cells.HIDDEN_BEGIN not in text
    assert "is_monotonic_decreasing" not in text, "no hidden test travels to the trainees"
    again = release("90-91", "night-shift", tmp_path / "again", root=TEST_COURSE, data="command")
    assert again.zip_path.read_bytes() == test_release.zip_path.read_bytes()
    assert (again.folder / MANIFEST_FILE).read_bytes() == (test_release.folder / MANIFEST_FILE).read_bytes()


def test_a_release_is_written_once_and_names_are_checked(test_release, tmp_path):
    with pytest.raises(ReleaseError, match="is not empty"):
        release("90", "night-shift", test_release.folder, root=TEST_COURSE, data="command")
    with pytest.raises(ReleaseError, match="cohort 'night shift'"):
        release("90", "night shift", tmp_path / "a", root=TEST_COURSE, data="command")
    with pytest.raises(ReleaseError, match="--data must be one of"):
        release("90", "ok", tmp_path / "b", root=TEST_COURSE, data="sometimes")


def test_grading_refuses_sources_changed_since_the_release(test_release, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(test_release.folder, copy)
    assert load_release(copy / MANIFEST_FILE).cohort == "night-shift"
    source = copy / "sources" / "90_reading_a_sensor_table.ipynb"
    source.write_text(source.read_text().replace("CNC-201", "CNC-202"))
    with pytest.raises(ReleaseError, match="differs from the notebook released"):
        load_release(copy)


# --- worked answers -------------------------------------------------------------------------------


def test_worked_answers_follow_the_release(test_release, tmp_path, monkeypatch, capsys):
    import academy

    monkeypatch.chdir(test_release.notebooks)
    academy.exercises("90").q1.solution()
    assert "switched off" in capsys.readouterr().out
    shown = release("90", "day-shift", tmp_path / "day", root=TEST_COURSE, data="command", show_solutions=True)
    shipped = json.loads((shown.notebooks / "solutions.json").read_text())
    assert set(shipped["modules"]) == {"90"}
    monkeypatch.chdir(shown.notebooks)
    academy.exercises("90").q1.solution()
    assert 'cnc101[cnc101 > 0].mean()' in capsys.readouterr().out


# --- the cohort's plant ---------------------------------------------------------------------------


def test_the_seed_goes_into_the_scenario_and_nowhere_else():
    text = TINY_SCENARIO.read_text()
    changed = scenario_with_seed(text, 7)
    assert "  seed: 7 " in changed and changed.replace("seed: 7 ", "seed: 92 ") == text
    with pytest.raises(ReleaseError, match="exactly one 'seed:' line"):
        scenario_with_seed("plant:\n  name: x\n", 7)


def test_the_cohort_plant_has_the_cohorts_seed(plant_release):
    plant = plant_release.trainee_folder / "datasets" / "plant"
    assert json.loads((plant / "tables" / "MANIFEST.json").read_text())["seed"] == COHORT_SEED
    from plantsim.scenario import load_scenario

    assert load_scenario(plant / "scenario.yml").seed == COHORT_SEED
    historian = (plant / "historian_CNC-102_2025-03-27.csv").read_text()
    course_historian = (REPO / "datasets" / "plant" / "historian_CNC-102_2025-03-27.csv").read_text()
    assert historian.split("\n")[:3] == course_historian.split("\n")[:3], "same machine, window and columns"
    assert historian != course_historian, "made again from the cohort's plant"
    assert plant_release.manifest["plant"]["tables_manifest_sha256"] == sha256(plant / "tables" / "MANIFEST.json")


def test_the_release_folder_is_the_course_folder_for_its_notebooks(plant_release, monkeypatch):
    monkeypatch.chdir(plant_release.notebooks)
    assert read_release_settings().cohort == "seed-five"
    assert data.project_root() == plant_release.trainee_folder.resolve()
    assert data.plant_dir() == plant_release.trainee_folder.resolve() / "datasets" / "plant" / "tables"
    assert data.manifest()["seed"] == COHORT_SEED


def cnc101_mean_spindle_c(tables: Path) -> float:
    telemetry = pd.read_parquet(tables / "clean" / "telemetry")
    return float(telemetry.loc[telemetry["asset_id"] == "CNC-101", "spindle_temp_c"].mean())


@pytest.mark.slow
def test_a_notebook_in_the_release_checks_against_the_cohorts_plant(plant_release, tmp_path):
    """The solution, run where the trainee runs it, computes its answers from the cohort's plant, and
    the checks agree: the seed reaches the trainee's checks."""
    solution = nbformat.read(PLANT_COURSE / "solutions" / "92_reading_the_plant.ipynb", as_version=4)
    executed = execute_notebook(solution, plant_release.notebooks, timeout=120)
    assert [r["status"] for r in check_results(executed)] == ["correct"] * 3
    answer = next(c for c in executed.cells if c.get("id") == "q1").outputs[0]["data"]["text/plain"]
    ours = cnc101_mean_spindle_c(plant_release.trainee_folder / "datasets" / "plant" / "tables")
    course = cnc101_mean_spindle_c(REPO / "datasets" / "plant" / "tables")
    shown = float(re.search(r"-?\d+\.\d+", answer).group())
    assert shown == pytest.approx(ours, rel=1e-6) and abs(ours - course) > 1e-3


@pytest.mark.slow
def test_a_release_without_tables_generates_the_cohorts_plant_on_first_use(tmp_path, monkeypatch):
    made = release("92", "seed-six", tmp_path / "six", root=PLANT_COURSE, scenario=TINY_SCENARIO, seed=6, data="command")
    tables = made.trainee_folder / "datasets" / "plant" / "tables"
    assert not tables.exists() and (made.trainee_folder / "datasets" / "plant" / "historian_CNC-102_2025-03-27.csv").is_file()
    monkeypatch.chdir(made.notebooks)
    assert len(data.load("assets")) == 6
    assert json.loads((tables / "MANIFEST.json").read_text())["seed"] == 6


# --- command line ---------------------------------------------------------------------------------


def test_the_release_command(tmp_path, capsys):
    assert main(["release", "--root", str(TEST_COURSE), "--modules", "90", "--cohort", "cli", "--out", str(tmp_path / "r"),
                 "--data", "command", "--no-zip"]) == 0
    out = capsys.readouterr().out
    assert "Released module(s) 90 to cli" in out and "academy grade SUBMISSIONS --release" in out
    assert not (tmp_path / "r" / "cli.zip").exists()
    assert main(["release", "--root", str(TEST_COURSE), "--modules", "07", "--cohort", "cli", "--out", str(tmp_path / "s")]) == 1
    assert "module(s) 07 are not in course.yml" in capsys.readouterr().out


def test_the_release_command_says_what_an_assessment_needs(tmp_path, capsys):
    assert main(["release", "--root", str(TEST_COURSE), "--modules", "90", "--cohort", "exam", "--out", str(tmp_path / "r"),
                 "--assessment"]) == 1
    assert "an assessment needs a plant of its own that no trainee can generate: give --seed" in capsys.readouterr().out
    assert main(["release", "--root", str(TEST_COURSE), "--modules", "90", "--cohort", "exam", "--out", str(tmp_path / "r"),
                 "--assessment", "--seed", "7"]) == 1
    assert "module 90's checks read tables its exercise file makes" in capsys.readouterr().out
    assert not (tmp_path / "r").exists()
