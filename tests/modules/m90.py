"""Test-only module 90 · Reading a sensor table: two exercises, the second with hidden points.

It exists so the course tooling (checks, build, manifest, grading) can be tested on small
in-memory tables; it is not part of the course.
"""
from __future__ import annotations

from academy.exercise import Column, Exercise, Mistake, Number

from .mini_plant import mini_plant

MODULE = "90"


def data_source():
    return mini_plant()


def _cnc101_vibration(data, variant: str):
    telemetry = data.load("telemetry", variant)
    return telemetry.loc[telemetry["asset_id"] == "CNC-101", "vibration_rms_mm_s"]


def _without_dropouts(data):
    vibration = _cnc101_vibration(data, "raw")
    return vibration[vibration > 0].mean()


def _all_machines_without_dropouts(data):
    vibration = data.load("telemetry", "raw")["vibration_rms_mm_s"]
    return vibration[vibration > 0].mean()


def _spindle(data):
    return data.load("telemetry").groupby("asset_id")["spindle_temp_c"]


WORDS = {
    "q1": {
        "todo": "the average vibration of CNC-101 in mm/s, without its dropout readings",
        "hints": [
            "Keep only CNC-101's rows first: telemetry_raw[telemetry_raw['asset_id'] == 'CNC-101'].",
            "A dropout shows as a reading of exactly 0.0. Keep the readings above 0 before you average.",
            "readings = telemetry_raw.loc[telemetry_raw['asset_id'] == 'CNC-101', 'vibration_rms_mm_s'], "
            "then readings[readings > 0].mean()",
        ],
        "mistakes": {
            "kept_dropouts": "Your average still includes the 0.0 readings from the dropout, "
            "so CNC-101 looks calmer than it is. Leave out the readings of exactly 0.0.",
            "all_machines": "That is the average of all three machines. Keep only CNC-101's rows first.",
        },
    },
    "q2": {
        "todo": "the highest spindle temperature of each machine in degC, hottest machine first",
        "hints": [
            "Group the readings by machine: telemetry.groupby('asset_id').",
            "Take the spindle_temp_c column of the groups and its .max(); then sort the result.",
            "telemetry.groupby('asset_id')['spindle_temp_c'].max().sort_values(ascending=False)",
        ],
        "mistakes": {
            "used_mean": "These are the machines' average temperatures. The task asks for the highest reading: use .max().",
        },
    },
}

EXERCISES = [
    Exercise(
        name="q1",
        number="90.1",
        answer="mean_vibration_mm_s",
        expected=_without_dropouts,
        kind=Number(unit="mm/s"),
        mistakes=[
            Mistake("kept_dropouts", lambda data: _cnc101_vibration(data, "raw").mean()),
            Mistake("all_machines", _all_machines_without_dropouts),
        ],
        points=2,
        objective=("90.1", "90.2"),
    ),
    Exercise(
        name="q2",
        number="90.2",
        answer="hottest_spindle_c",
        expected=lambda data: _spindle(data).max(),
        kind=Column(per="machine", unit="degC"),
        mistakes=[Mistake("used_mean", lambda data: _spindle(data).mean())],
        points=3,
        hidden_points=1,
        objective="90.3",
    ),
]
