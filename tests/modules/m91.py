"""Test-only module 91 · Checking limits: one exercise per remaining answer kind (a count, a choice,
a set of labels, a table, a figure, two numbers at once), on the same mini plant as module 90.
"""
from __future__ import annotations

import numpy as np

from academy.exercise import Choice, Exercise, Figure, Integer, Labels, Mistake, Number, Table, expected_figure

from .mini_plant import mini_plant

MODULE = "91"

ALARM_LIMIT_MM_S = 2.8
# ISO 10816 class II (machines of 15-75 kW): zone boundaries A/B, B/C, C/D in mm/s.
CLASS_II_ZONES = (1.12, 2.8, 7.1)


def data_source():
    return mini_plant()


def _telemetry(data, variant: str = "clean"):
    return data.load("telemetry", variant)


def _vibration(data, asset_id: str, variant: str = "clean"):
    telemetry = _telemetry(data, variant)
    return telemetry.loc[telemetry["asset_id"] == asset_id, "vibration_rms_mm_s"]


def zone(vibration_mm_s: float) -> str:
    return "ABCD"[int(np.searchsorted(CLASS_II_ZONES, vibration_mm_s, side="right"))]


def _machines_above(data, statistic: str) -> list[str]:
    by_machine = _telemetry(data).groupby("asset_id")["vibration_rms_mm_s"].agg(statistic)
    return by_machine[by_machine > ALARM_LIMIT_MM_S].index.tolist()


def _mean_power(data, keys: list[str]):
    return _telemetry(data).groupby(keys)["power_kw"].mean().rename("mean_power_kw").reset_index()


def _individuals_limits(data, asset_id: str = "CNC-101"):
    telemetry = _telemetry(data)
    temperature = telemetry.loc[telemetry["asset_id"] == asset_id, "spindle_temp_c"]
    moving_range = temperature.diff().abs().mean()
    centre = temperature.mean()
    return centre - 2.66 * moving_range, centre + 2.66 * moving_range


def _three_sigma_limits(data):
    telemetry = _telemetry(data)
    temperature = telemetry.loc[telemetry["asset_id"] == "CNC-101", "spindle_temp_c"]
    return temperature.mean() - 3 * temperature.std(), temperature.mean() + 3 * temperature.std()


WORDS = {
    "q1": {
        "todo": "how many of CNC-101's readings lie above the 2.8 mm/s alarm limit",
        "hints": [
            "Keep CNC-101's vibration readings, then compare them with 2.8.",
            "A comparison gives True/False for each reading; .sum() counts the True ones.",
            "(cnc101_vibration > 2.8).sum()",
        ],
        "mistakes": {"all_machines": "That counts the readings of all machines. Keep only CNC-101's rows first."},
    },
    "q2": {
        "todo": "the zone letter ('A', 'B', 'C' or 'D') of CNC-201's average vibration",
        "hints": [
            "Work out CNC-201's average vibration first.",
            "Class II zones: A below 1.12 mm/s, B up to 2.8, C up to 7.1, D above.",
            "CNC-201 averages between 1.12 and 2.8 mm/s: which zone is that?",
        ],
        "mistakes": {"used_max": "That is the zone of CNC-201's highest reading. The task asks about its average."},
    },
    "q3": {
        "todo": "the machines whose highest vibration reading lies above 2.8 mm/s, as a list",
        "hints": [
            "Find each machine's highest vibration reading with groupby and max.",
            "Keep the machines whose highest reading is above 2.8, then take their names from the index.",
            "peaks = telemetry.groupby('asset_id')['vibration_rms_mm_s'].max(); peaks[peaks > 2.8].index.tolist()",
        ],
        "mistakes": {"used_mean": "You compared each machine's average with the limit. An alarm fires on a single reading: use the highest."},
    },
    "q4": {
        "todo": "a table of the mean power of each machine in each state (columns asset_id, machine_state, mean_power_kw)",
        "hints": [
            "Group by two columns at once: groupby(['asset_id', 'machine_state']).",
            "Average the power_kw column, name the result mean_power_kw, and turn the groups back into columns.",
            "telemetry.groupby(['asset_id', 'machine_state'])['power_kw'].mean().rename('mean_power_kw').reset_index()",
        ],
        "mistakes": {
            "forgot_state": "Your table averages each machine over all its states; idle hours pull the average down. "
            "Group by machine_state as well.",
        },
    },
    "q5": {
        "todo": "a figure (fig) of CNC-101's vibration over time with the 2.8 mm/s alarm limit drawn in",
        "hints": [
            "Start with fig, ax = plt.subplots() and plot CNC-101's timestamp against its vibration.",
            "Draw the limit with ax.axhline(2.8); give the figure a title and both axes labels, the y label with mm/s.",
            "ax.plot(cnc101['timestamp'], cnc101['vibration_rms_mm_s']); ax.axhline(2.8); "
            "ax.set_title(...); ax.set_xlabel('time'); ax.set_ylabel('vibration RMS (mm/s)')",
        ],
        "mistakes": {"plotted_raw": "Your line still shows the dropouts (the drops to 0.0): plot the clean telemetry."},
    },
    "q6": {
        "todo": "the lower and upper control limits of CNC-101's spindle temperature in degC",
        "hints": [
            "An individuals chart: the centre line is the average; the limits sit 2.66 average moving ranges away from it.",
            "The moving range is the size of the step from one reading to the next: temperature.diff().abs().",
            "mr_bar = temperature.diff().abs().mean(); lcl = temperature.mean() - 2.66 * mr_bar; ucl = ... + 2.66 * mr_bar",
        ],
        "mistakes": {
            "used_std": "You used three standard deviations. Control limits of an individuals chart come from the "
            "average moving range: 2.66 times it on each side.",
        },
    },
}

EXERCISES = [
    Exercise(
        name="q1",
        number="91.1",
        answer="readings_above_limit",
        expected=lambda data: int((_vibration(data, "CNC-101") > ALARM_LIMIT_MM_S).sum()),
        kind=Integer(),
        mistakes=[Mistake("all_machines", lambda data: int((_telemetry(data)["vibration_rms_mm_s"] > ALARM_LIMIT_MM_S).sum()))],
        points=1,
        objective="91.1",
    ),
    Exercise(
        name="q2",
        number="91.2",
        answer="cnc201_zone",
        expected=lambda data: zone(_vibration(data, "CNC-201").mean()),
        kind=Choice(options=("A", "B", "C", "D")),
        mistakes=[Mistake("used_max", lambda data: zone(_vibration(data, "CNC-201").max()))],
        points=1,
        objective="91.2",
    ),
    Exercise(
        name="q3",
        number="91.3",
        answer="machines_over_limit",
        expected=lambda data: _machines_above(data, "max"),
        kind=Labels(noun="machine ids"),
        mistakes=[Mistake("used_mean", lambda data: _machines_above(data, "mean"))],
        points=1,
        objective="91.1",
    ),
    Exercise(
        name="q4",
        number="91.4",
        answer="mean_power_by_state",
        expected=lambda data: _mean_power(data, ["asset_id", "machine_state"]),
        kind=Table(columns=("asset_id", "machine_state", "mean_power_kw"), key=("asset_id", "machine_state"), rel_tol=1e-6),
        mistakes=[Mistake("forgot_state", lambda data: _mean_power(data, ["asset_id"]))],
        points=2,
        objective="91.3",
    ),
    Exercise(
        name="q5",
        number="91.5",
        answer="fig",
        expected=lambda data: expected_figure(y=_vibration(data, "CNC-101"), hlines=[ALARM_LIMIT_MM_S]),
        kind=Figure(ylabel_units=("mm/s",), unit="mm/s"),
        mistakes=[Mistake("plotted_raw", lambda data: expected_figure(y=_vibration(data, "CNC-101", "raw")))],
        points=2,
        objective="91.4",
    ),
    Exercise(
        name="q6",
        number="91.6",
        answer=("lcl_c", "ucl_c"),
        expected=_individuals_limits,
        kind=Number(unit="degC"),
        mistakes=[Mistake("used_std", _three_sigma_limits)],
        points=2,
        objective="91.5",
    ),
]
