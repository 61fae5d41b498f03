"""Test-only module 92 · Reading the plant: three exercises on the generated plant itself.

Unlike modules 90 and 91 (an in-memory mini plant), its checks read the plant through
:mod:`academy.data`, so a release made with another seed checks against that seed's plant. It
also covers what grading must handle beyond modules 90 and 91: hidden tests that use the setup
cell's tables, several hidden tests sharing the hidden points, and two answer variables scored
one by one. Not part of the course.
"""
from __future__ import annotations

from academy.exercise import Column, Exercise, Mistake, Number

MODULE = "92"
MACHINE = "CNC-101"


def _machine(data, column: str, variant: str = "clean"):
    telemetry = data.load("telemetry", variant)
    return telemetry.loc[telemetry["asset_id"] == MACHINE, column]


def _peaks(data, statistic: str = "max"):
    return data.load("telemetry").groupby("asset_id")["vibration_rms_mm_s"].agg(statistic)


WORDS = {
    "q1": {
        "todo": "CNC-101's average spindle temperature in degC",
        "hints": [
            "Keep CNC-101's rows of telemetry first.",
            "Take the spindle_temp_c column of those rows and its .mean().",
            "telemetry.loc[telemetry['asset_id'] == 'CNC-101', 'spindle_temp_c'].mean()",
        ],
        "mistakes": {"all_machines": "That is the average of every machine. Keep only CNC-101's rows first."},
    },
    "q2": {
        "todo": "the highest vibration of each machine in mm/s, highest first",
        "hints": [
            "Group the readings by machine: telemetry.groupby('asset_id').",
            "Take the vibration_rms_mm_s column of the groups and its .max(); then sort the result.",
            "telemetry.groupby('asset_id')['vibration_rms_mm_s'].max().sort_values(ascending=False)",
        ],
        "mistakes": {"used_mean": "These are the machines' average vibrations. The task asks for the highest reading: use .max()."},
    },
    "q3": {
        "todo": "the lowest and the highest spindle temperature of CNC-101 in degC",
        "hints": [
            "Keep CNC-101's spindle_temp_c readings first.",
            "The lowest is .min(), the highest .max().",
            "spindle = telemetry.loc[telemetry['asset_id'] == 'CNC-101', 'spindle_temp_c']; lowest_spindle_c = spindle.min()",
        ],
        "mistakes": {"raw_readings": "Your lowest reading is a 0.0 dropout of the raw table. Use the clean telemetry."},
    },
}

EXERCISES = [
    Exercise(
        name="q1",
        number="92.1",
        answer="cnc101_mean_spindle_c",
        expected=lambda data: _machine(data, "spindle_temp_c").mean(),
        kind=Number(unit="degC"),
        mistakes=[Mistake("all_machines", lambda data: data.load("telemetry")["spindle_temp_c"].mean())],
        points=2,
        objective="92.1",
    ),
    Exercise(
        name="q2",
        number="92.2",
        answer="peak_vibration_mm_s",
        expected=_peaks,
        kind=Column(per="machine", unit="mm/s"),
        mistakes=[Mistake("used_mean", lambda data: _peaks(data, "mean"))],
        points=4,
        hidden_points=2,
        objective="92.2",
    ),
    Exercise(
        name="q3",
        number="92.3",
        answer=("lowest_spindle_c", "highest_spindle_c"),
        expected=lambda data: (_machine(data, "spindle_temp_c").min(), _machine(data, "spindle_temp_c").max()),
        kind=Number(unit="degC"),
        mistakes=[Mistake("raw_readings", lambda data: (_machine(data, "spindle_temp_c", "raw").min(), _machine(data, "spindle_temp_c", "raw").max()))],
        points=2,
        objective=("92.1", "92.3"),
    ),
]
