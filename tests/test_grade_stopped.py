"""The grader and an exercise cell that stopped with an error: the answer its variable still holds
is not scored, as the notebook's own check does not judge it either (academy.exercise.cellruns).

The grader decides this outside the kernel, from the replies of the cells it ran, so nothing the
trainee's code does inside the kernel changes it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from academy import modules
from academy.grading.execute import Limits, run_notebook
from academy.grading.restore import restore
from academy.grading.scoring import score_exercise
from grading_helpers import TEST_COURSE, answered, insert_after, trainee

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("test_modules_on_path")]

RIGHT_Q1 = (
    'cnc101 = telemetry_raw.loc[telemetry_raw["asset_id"] == "CNC-101", "vibration_rms_mm_s"]\n'
    "mean_vibration_mm_s = cnc101[cnc101 > 0].mean()"
)
RIGHT_Q2 = 'hottest_spindle_c = telemetry.groupby("asset_id")["spindle_temp_c"].max().sort_values(ascending=False)'


def graded(nb, tmp_path: Path):
    env = {key: os.environ[key] for key in ("PATH", "LANG", "VIRTUAL_ENV") if key in os.environ}
    src = str(Path(modules.__file__).resolve().parents[2])
    env.update({"PYTHONPATH": src, "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path / "mpl"),
                "IPYTHONDIR": str(tmp_path / "ipython"), modules.MODULE_PATH_ENV: str(TEST_COURSE)})
    released = trainee("90")
    exercises = {exercise.name: exercise for exercise in modules.load_module("90").exercises}
    execution = run_notebook(restore(nb, released).notebook, "90", {name: exercises[name].variables for name in ("q1", "q2")},
                             tmp_path, env, Limits(cell_timeout_s=60, memory_mb=4096, cpu_seconds=120))
    data = modules.load_module("90").data()
    results = {name: score_exercise(exercise, execution.answers.get(name), data, None, {},
                                    stopped_with=execution.stopped.get(name))
               for name, exercise in exercises.items()}
    return execution, results


def test_a_right_answer_stored_before_the_cell_stopped_earns_nothing(tmp_path):
    nb = answered("90", {"q1": RIGHT_Q1 + "\nprint(cnc101.iloc[10**9])", "q2": RIGHT_Q2})
    execution, results = graded(nb, tmp_path)
    assert execution.stopped == {"q1": "IndexError"}
    q1, q2 = results["q1"], results["q2"]
    assert (q1.result, q1.public_earned, q1.hidden_earned) == ("incorrect", 0.0, 0.0)
    assert q1.message.startswith("The last time your exercise cell ran, it stopped with an error (IndexError)")
    assert q2.public_earned == q2.public_max, "the next exercise is scored as ever"


def test_a_cell_added_after_the_failed_one_that_stores_the_answer_counts(tmp_path):
    """The notebook's rule: the last run of a cell that stores the answer decides."""
    nb = answered("90", {"q1": RIGHT_Q1.replace("CNC-101", "CNC 101") + "\n1 / 0"})
    nb = insert_after(nb, "q1", RIGHT_Q1, "fixed-q1")
    execution, results = graded(nb, tmp_path)
    assert "q1" not in execution.stopped and results["q1"].result == "correct"
