"""Grading a cohort end to end on the tooling's test course (modules 90 and 91): full marks for the
solutions, zero for blank notebooks, partial credit, every accepted layout, the gradebook, feedback
and summary, and re-runs that skip what is done, also after a crash half-way."""
from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from academy import modules
from academy.cli import main
from academy.exercise.solutions import RELEASE_ENV
from academy.grade import GradeError, grade
from academy.grading.execute import Limits
from academy.grading.records import read_record, record_path
from academy.release import release
from grading_helpers import FILES, TEST_COURSE, answered, hand_in, snapshot, solution, trainee

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout_s=60, memory_mb=4096, cpu_seconds=120)
CAROL_90 = {
    # the known mistake: the dropouts are still in the average
    "q1": 'mean_vibration_mm_s = telemetry_raw.loc[telemetry_raw["asset_id"] == "CNC-101", "vibration_rms_mm_s"].mean()',
    # the right values, sorted the wrong way: the check passes, the hidden tests do not
    "q2": 'hottest_spindle_c = telemetry.groupby("asset_id")["spindle_temp_c"].max().sort_values()',
}
CAROL_91_Q6 = (
    'temperature = cnc101["spindle_temp_c"]\n'
    "lcl_c = temperature.mean() - 2.66 * temperature.diff().abs().mean()\n"
    "ucl_c = 0.0"
)


@pytest.fixture(autouse=True)
def course_environment(monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    monkeypatch.delenv(RELEASE_ENV, raising=False)


def make_submissions(folder: Path) -> Path:
    hand_in(folder, "alice", "90", solution("90"))
    hand_in(folder, "alice", "91", solution("91"))
    hand_in(folder, "bob", "90", trainee("90"))
    hand_in(folder, "bob", "91", trainee("91"))
    hand_in(folder, "carol", "90", answered("90", CAROL_90))
    carol_91 = solution("91")
    next(c for c in carol_91.cells if c.get("id") == "q6").source = CAROL_91_Q6
    hand_in(folder, "carol", "91", carol_91)
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "dave.zip", "w") as archive:  # a zip per trainee, notebook in a sub-folder
        archive.writestr(f"dave-work/{FILES['90']}", nbformat.writes(solution("90")))
    hand_in(folder, "erin", "91", solution("91"), file="91_checking_limits (1).ipynb")  # a copy's name
    return folder


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
        root = tmp_path_factory.mktemp("cohort")
        made = release("90-91", "night-shift", root / "release", root=TEST_COURSE, data="command")
        submissions = make_submissions(root / "submissions")
        before = snapshot(submissions)
        report = grade(submissions, made.folder, root / "grades", jobs=2, limits=LIMITS, log=lambda line: None)
    return {"root": root, "release": made, "submissions": submissions, "before": before, "report": report}


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def row_of(rows: list[dict], trainee_name: str) -> dict:
    return next(row for row in rows if row["trainee"] == trainee_name)


def test_solutions_get_full_marks_and_blank_notebooks_zero(cohort):
    rows = read_csv(cohort["report"].gradebook)
    assert [row["trainee"] for row in rows] == ["alice", "bob", "carol", "dave", "erin"]
    assert row_of(rows, "alice")["total (14 pts)"] == "14" and row_of(rows, "alice")["total %"] == "100.0"
    bob = row_of(rows, "bob")
    assert bob["total (14 pts)"] == "0" and bob["90 status"] == bob["91 status"] == "graded"


def test_partial_credit_public_hidden_and_per_variable(cohort):
    carol = row_of(read_csv(cohort["report"].gradebook), "carol")
    assert carol["90.q1 (2 pts)"] == "0"
    assert carol["90.q2 (3 pts)"] == "2", "public points from the check, no hidden points for the wrong order"
    assert carol["91.q6 (2 pts)"] == "1", "one of the two limits is right"
    assert carol["91 total (9 pts)"] == "8" and carol["total (14 pts)"] == "10"
    assert carol["objective 90.2 %"] == "0.0" and carol["objective 90.3 %"] == "66.7"
    record = read_record(cohort["report"].out, "carol", "90")
    q1, q2 = record.exercises
    assert (q1.result, q1.mistake) == ("incorrect", "kept_dropouts")
    assert (q2.result, q2.public_earned, q2.hidden_earned, q2.hidden_passed, q2.hidden_total) == ("partly", 2.0, 0.0, 0, 2)


def test_every_row_has_a_status_and_missing_work_says_so(cohort):
    rows = read_csv(cohort["report"].out / "grades_by_exercise.csv")
    assert len(rows) == 5 * 8
    assert {row["status"] for row in rows} == {"graded", "missing"}
    dave = [row for row in rows if row["trainee"] == "dave"]
    assert {row["status"] for row in dave if row["module"] == "91"} == {"missing"}
    assert {row["status"] for row in dave if row["module"] == "90"} == {"graded"}
    assert sum(float(row["points"]) for row in dave) == 5
    erin = [row for row in rows if row["trainee"] == "erin" and row["module"] == "91"]
    assert sum(float(row["points"]) for row in erin) == 9, "a renamed copy of the notebook is still graded"
    q2 = next(row for row in rows if row["trainee"] == "carol" and row["exercise"] == "q2" and row["module"] == "90")
    assert (q2["public_points"], q2["hidden_points"], q2["hidden_tests_passed"], q2["hidden_tests"]) == ("2", "0", "0", "2")


def test_feedback_says_what_passed_and_what_to_revisit_and_keeps_hidden_tests_hidden(cohort):
    carol = cohort["report"].feedback("carol").read_text()
    assert "Module 90 · Reading a sensor table: 2 of 5 points" in carol
    assert "Your average still includes the 0.0 readings from the dropout" in carol, "the check's words for the mistake"
    assert "A hint to start from" in carol and "Extra tests from your instructor: 0 of 2 passed." in carol
    assert "Average a sensor reading without its dropouts" in carol.split("To revisit")[1]
    assert "is_monotonic_decreasing" not in carol and "CNC-201" not in carol, "no hidden test code"
    assert "Nothing: every exercise is right" in cohort["report"].feedback("alice").read_text()
    assert "No notebook was handed in for this module." in cohort["report"].feedback("dave").read_text()


def test_the_summary_shows_which_exercises_most_trainees_miss(cohort):
    out = cohort["report"].out
    summary = (out / "summary.html").read_text()
    assert '<img src="exercises_missed.png"' in summary
    assert (out / "exercises_missed.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "kept_dropouts (1 trainee(s))" in summary
    rows = summary.split("Without full marks")[1]
    assert "<td>Exercise 90.1</td><td>60 %</td>" in rows, "bob, carol and erin (missing) miss it"


def test_the_graded_notebooks_are_kept_for_the_instructor(cohort):
    executed = nbformat.read(cohort["report"].out / "executed" / "alice" / FILES["90"], as_version=4)
    assert all(cell.metadata.get("academy", {}).get("role") != "grader" for cell in executed.cells)
    assert any(output.get("output_type") for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs)


def test_a_rerun_grades_nothing_again_and_never_touches_the_hand_ins(cohort):
    out = cohort["report"].out
    records_before = snapshot(out / "records")
    gradebook = cohort["report"].gradebook.read_bytes()
    again = grade(cohort["submissions"], cohort["release"].folder, out, jobs=2, limits=LIMITS, log=lambda line: None)
    assert again.graded == [] and len(again.skipped) == 8
    assert snapshot(out / "records") == records_before
    assert again.gradebook.read_bytes() == gradebook, "the same records give the same gradebook"
    assert snapshot(cohort["submissions"]) == cohort["before"], "hand-ins are never written, moved or deleted"


def test_a_changed_hand_in_is_graded_again_alone(cohort, tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "grades"
    shutil.copytree(cohort["submissions"], submissions)
    shutil.copytree(cohort["report"].out, out)
    hand_in(submissions, "bob", "90", solution("90"))
    again = grade(submissions, cohort["release"].folder, out, jobs=2, limits=LIMITS, log=lambda line: None)
    assert again.graded == [("bob", "90")] and len(again.skipped) == 7
    assert row_of(read_csv(again.gradebook), "bob")["total (14 pts)"] == "5"


def test_folders_that_overlap_are_refused(cohort):
    with pytest.raises(GradeError, match="must be separate folders"):
        grade(cohort["submissions"], cohort["release"].folder, cohort["submissions"] / "grades", log=lambda line: None)
    with pytest.raises(GradeError, match="must be separate folders"):
        grade(cohort["submissions"], cohort["release"].folder, cohort["submissions"], log=lambda line: None)


def test_the_grade_command(cohort, tmp_path, capsys):
    submissions = tmp_path / "submissions"
    hand_in(submissions, "frank", "90", solution("90"))
    code = main(["grade", str(submissions), "--release", str(cohort["release"].folder / "release_manifest.json"),
                 "--out", str(tmp_path / "grades"), "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "frank 90: graded, 5 of 5 points" in out and "Gradebook:" in out
    assert main(["grade", str(submissions), "--release", str(tmp_path / "nowhere"), "--out", str(tmp_path / "g2")]) == 1


def test_a_batch_that_crashed_half_way_finishes_without_grading_twice(cohort, tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "grades"
    for name in ("alice", "bob", "carol"):
        shutil.copytree(cohort["submissions"] / name, submissions / name)
    command = [sys.executable, "-m", "academy.cli", "grade", str(submissions), "--release", str(cohort["release"].folder),
               "--out", str(out), "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": str(Path(modules.__file__).parents[2])})
    try:
        deadline = time.monotonic() + 120
        while not list((out / "records").glob("*/*.json")) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the grader, its job process and kernel: a crash
        process.wait()
    done_before = {(p.parent.name, p.stem): p.stat().st_mtime_ns for p in (out / "records").glob("*/*.json")}
    assert 1 <= len(done_before) < 6, "the run was stopped half-way"
    finished = grade(submissions, cohort["release"].folder, out, jobs=2, limits=LIMITS, log=lambda line: None)
    assert sorted(finished.skipped) == sorted(done_before)
    assert len(finished.graded) == 6 - len(done_before)
    for key, mtime in done_before.items():
        assert record_path(out, *key).stat().st_mtime_ns == mtime, f"{key} was graded twice"
    totals = {row["trainee"]: row["total (14 pts)"] for row in read_csv(finished.gradebook)}
    assert totals == {"alice": "14", "bob": "0", "carol": "10"}
