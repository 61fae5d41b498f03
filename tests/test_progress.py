"""academy.progress(): which modules and exercises pass, read from the trainee's saved notebooks
(the stored check results), without running anything."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import academy
from academy import modules
from academy.cli import main
from academy.exercise import CHECK_MIME
from academy.exercise.solutions import RELEASE_ENV
from academy.progress import progress_report
from academy.release import release
from grading_helpers import FILES, TEST_COURSE, solution, trainee


@pytest.fixture(autouse=True)
def course_environment(monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    monkeypatch.delenv(RELEASE_ENV, raising=False)


def check_output(module_id: str, exercise: str, status: str, score: float, max_score: float) -> dict:
    data = {CHECK_MIME: {"module": module_id, "exercise": exercise, "status": status, "score": score, "max_score": max_score},
            "text/plain": f"{exercise}: {status}"}
    return nbformat.v4.new_output("display_data", data=data)


def saved(folder: Path, module_id: str, nb) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILES[module_id]
    nbformat.write(nb, path)
    return path


def test_executed_solutions_pass_everywhere(tmp_path):
    for module_id in ("90", "91"):
        saved(tmp_path, module_id, solution(module_id))
    report = progress_report(tmp_path)
    assert [m.module for m in report.modules] == ["90", "91"]
    assert [(m.correct, len(m.exercises), m.points, m.max_points) for m in report.modules] == [(2, 2, 4, 4), (6, 6, 9, 9)]
    text = report.text()
    assert "In all: 8 of 8 exercises correct, 13 of 13 points from the checks." in text
    assert "✔ Exercise 90.1: correct 2/2" in text


def test_the_last_stored_check_counts_and_unchecked_exercises_say_so(tmp_path):
    nb = trainee("90")
    check = next(cell for cell in nb.cells if cell.get("id") == "q1-check")
    check.outputs = [check_output("90", "q1", "incorrect", 0, 2), check_output("90", "q1", "correct", 2, 2)]
    saved(tmp_path, "90", nb)
    module = progress_report(tmp_path).modules[0]
    assert [(e.name, e.status, e.score) for e in module.exercises] == [("q1", "correct", 2.0), ("q2", "not_checked", 0.0)]
    assert "○ Exercise 90.2: not checked yet 0/2" in progress_report(tmp_path).text()
    check.outputs = [check_output("90", "q1", "not_attempted", 0, 2)]
    saved(tmp_path, "90", nb)
    assert progress_report(tmp_path).modules[0].exercises[0].status == "not_attempted"


def test_wrong_and_broken_notebooks_are_named(tmp_path):
    nbformat.write(solution("91"), tmp_path / FILES["90"])  # module 91's notebook under 90's name
    (tmp_path / FILES["91"]).write_text("{broken")
    lines = progress_report(tmp_path).text()
    assert "90_reading_a_sensor_table.ipynb is the notebook of module 91" in lines
    assert "91_checking_limits.ipynb could not be read" in lines


def test_in_a_release_the_released_modules_are_listed(tmp_path):
    made = release("90-91", "progress", tmp_path / "release", root=TEST_COURSE, data="command", make_zip=False)
    saved(made.notebooks, "90", solution("90"))
    (made.notebooks / FILES["91"]).unlink()
    report = progress_report(made.trainee_folder)  # the release's top folder: notebooks are one level down
    assert [(m.module, m.title) for m in report.modules] == [("90", "Reading a sensor table"), ("91", "Checking limits")]
    assert report.modules[0].correct == 2
    assert "Module 91 · Checking limits: notebook 91_checking_limits.ipynb not found here" in report.text()


def test_in_the_course_folder_the_course_modules_are_listed():
    report = progress_report(TEST_COURSE)
    assert [m.module for m in report.modules] == ["90", "91"]
    assert all(e.status == "not_checked" for m in report.modules for e in m.exercises), "built notebooks carry no outputs"


def test_a_notebook_calls_academy_progress(tmp_path, monkeypatch, capsys):
    import academy.progress as progress_module  # importing the submodule keeps academy.progress callable

    saved(tmp_path, "90", solution("90"))
    monkeypatch.chdir(tmp_path)
    assert academy.progress is progress_module
    academy.progress()
    assert "Module 90 · Reading a sensor table: 2 of 2 exercises correct, 4 of 4 points" in capsys.readouterr().out
    assert "<table" in progress_report(tmp_path)._repr_html_()


def test_the_progress_command(tmp_path, capsys):
    saved(tmp_path, "90", solution("90"))
    assert main(["progress", str(tmp_path)]) == 0
    assert "4 of 4 points" in capsys.readouterr().out
    assert main(["progress", str(tmp_path), "--json"]) == 0
    reported = json.loads(capsys.readouterr().out)
    assert reported["modules"][0]["exercises"][0]["status"] == "correct"
    assert main(["progress", str(tmp_path / "empty")]) == 0
    assert "No course notebooks found" in capsys.readouterr().out
