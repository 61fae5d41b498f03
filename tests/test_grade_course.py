"""The grader on the course's own modules: every solution notebook gets full marks and every blank
trainee notebook zero, on the course's plant, for every module course.yml lists."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import nbformat
import pytest

from academy import data
from academy.build import build_trainee_notebook
from academy.course import load_course
from academy.exercise.solutions import RELEASE_ENV
from academy.grade import grade
from academy.grading.execute import Limits
from academy.release import release

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
COURSE = load_course(REPO)


@pytest.mark.skipif(not COURSE.modules, reason="course.yml lists no modules yet")
def test_solutions_get_full_marks_and_blank_notebooks_zero(tmp_path, monkeypatch):
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    monkeypatch.delenv(data.PLANT_DIR_ENV, raising=False)
    made = release("all", "course-check", tmp_path / "release", root=REPO, make_zip=False)
    submissions = tmp_path / "submissions"
    for folder in ("solutions", "blank"):
        (submissions / folder).mkdir(parents=True)
    for entry in COURSE.modules:
        solution = nbformat.read(COURSE.solution_path(entry), as_version=4)
        nbformat.write(solution, submissions / "solutions" / entry.file)
        nbformat.write(build_trainee_notebook(solution), submissions / "blank" / entry.file)
    report = grade(submissions, made.folder, tmp_path / "grades", jobs=2, limits=Limits(cell_timeout_s=120),
                   log=lambda line: None)
    for entry in COURSE.modules:
        full, blank = report.records[("solutions", entry.id)], report.records[("blank", entry.id)]
        assert (full.status, full.earned) == ("graded", COURSE.module_points(entry.id)), f"module {entry.id}: {full.events} {full.exercises}"
        assert (blank.status, blank.earned) == ("graded", 0), f"module {entry.id}: {blank.events}"
    rows = {row["trainee"]: row for row in csv.DictReader(io.StringIO(report.gradebook.read_text()))}
    assert rows["solutions"]["total %"] == "100.0" and rows["blank"]["total %"] == "0.0"
