"""Grading follows the cohort's plant: a release made with its own seed is graded against that
seed's data, inside the kernels and outside, whether the release ships the tables or the command
that generates them."""
from __future__ import annotations

import json

import nbformat
import pytest

from academy import data, modules
from academy.exercise import check_results
from academy.exercise.solutions import RELEASE_ENV
from academy.grade import grade
from academy.grading.execute import Limits
from academy.release import release
from grading_helpers import FILES, PLANT_COURSE, TEST_COURSE, answered, hand_in, solution

pytestmark = pytest.mark.slow
TINY_SCENARIO = PLANT_COURSE / "tiny_scenario.yml"
LIMITS = Limits(cell_timeout_s=60, memory_mb=4096, cpu_seconds=120)
# Answers worked out on another plant than the cohort's. The course's own plant is not in a graded
# kernel's sandbox, so the other plant is the cohort's with one machine fewer and every reading shifted.
OTHER_TELEMETRY = ("telemetry[telemetry['asset_id'].astype(str) != telemetry['asset_id'].astype(str).max()].assign("
                   "spindle_temp_c=lambda t: t['spindle_temp_c'] + 3.0, vibration_rms_mm_s=lambda t: t['vibration_rms_mm_s'] * 1.5)")
OTHER_PLANT = {
    "q1": f"other = {OTHER_TELEMETRY}\n"
          "cnc101_mean_spindle_c = other.loc[other['asset_id'] == 'CNC-101', 'spindle_temp_c'].mean()",
    "q2": "peak_vibration_mm_s = other.groupby('asset_id')['vibration_rms_mm_s'].max().sort_values(ascending=False)",
    "q3": "spindle_c = other.loc[other['asset_id'] == 'CNC-101', 'spindle_temp_c']\n"
          "lowest_spindle_c = spindle_c.min()\nhighest_spindle_c = spindle_c.max()",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modules.MODULE_PATH_ENV, f"{TEST_COURSE}:{PLANT_COURSE}")
        patch.delenv(RELEASE_ENV, raising=False)
        patch.delenv(data.PLANT_DIR_ENV, raising=False)
        root = tmp_path_factory.mktemp("plant")
        made = release("92", "seed-five", root / "release", root=PLANT_COURSE, scenario=TINY_SCENARIO, seed=5)
        submissions = root / "submissions"
        hand_in(submissions, "right", "92", solution("92"))
        hand_in(submissions, "course-plant", "92", answered("92", OTHER_PLANT))
        report = grade(submissions, made.folder, root / "grades", jobs=2, limits=LIMITS, log=lambda line: None)
    return report


def test_the_cohorts_plant_decides(graded):
    right = graded.records[("right", "92")]
    assert (right.status, right.earned) == ("graded", 8)
    assert right.exercises[1].hidden_passed == 4, "the hidden tests read the cohort's telemetry from the setup cell"
    other = {e.name: e for e in graded.records[("course-plant", "92")].exercises}
    assert other["q1"].earned == 0 and other["q3"].earned == 0
    assert other["q2"].public_earned == 0 and 2 <= other["q2"].hidden_passed < 4
    executed = nbformat.read(graded.out / "executed" / "right" / FILES["92"], as_version=4)
    assert [r["status"] for r in check_results(executed)] == ["correct"] * 3, "the kernel read the cohort's plant too"


def test_a_release_without_tables_is_graded_on_a_plant_generated_from_its_seed(tmp_path, monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, f"{TEST_COURSE}:{PLANT_COURSE}")
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    monkeypatch.delenv(data.PLANT_DIR_ENV, raising=False)
    made = release("92", "seed-six", tmp_path / "release", root=PLANT_COURSE, scenario=TINY_SCENARIO, seed=6, data="command")
    hand_in(tmp_path / "submissions", "right", "92", solution("92"))
    report = grade(tmp_path / "submissions", made.folder, tmp_path / "grades", jobs=1, limits=LIMITS, log=lambda line: None)
    assert report.records[("right", "92")].earned == 8
    assert json.loads((tmp_path / "grades" / "plant" / "tables" / "MANIFEST.json").read_text())["seed"] == 6


def test_a_plant_changed_after_the_release_is_refused(graded, tmp_path):
    import shutil

    from academy.grade import GradeError

    release_copy = tmp_path / "release"
    shutil.copytree(graded.out.parent / "release", release_copy)
    table = sorted((release_copy / "seed-five" / "datasets" / "plant" / "tables" / "clean" / "telemetry").glob("*.parquet"))[0]
    table.write_bytes(table.read_bytes() + b"tampered")
    hand_in(tmp_path / "submissions", "right", "92", solution("92"))
    with pytest.raises(GradeError, match="changed since it was generated"):
        grade(tmp_path / "submissions", release_copy, tmp_path / "grades", log=lambda line: None)
