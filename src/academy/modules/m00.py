"""Module 00 · Getting started: the exercises of the course's first notebook.

Four small steps on the plant's own data, one per learning objective:

* q1: read CNC-103's rated power off the asset register into a variable;
* q2: average CNC-102's spindle temperature over the year in the telemetry table;
* q3: average the spindle temperature of the historian export (a week of CNC-102, as IT hands it
  over) without the 0.0 readings a sensor fault left in it;
* q4: draw that week's vibration against its times with the zone B/C limit of CNC-102's ISO 10816
  class, dashed, under a title that asks about the vibration and labels that carry local time and
  the unit. The public check enforces all of it; the hidden point repeats the question-title test
  for the grader.

Each exercise's ``minutes`` come from a trainee review of the module (about 30 minutes for the
four exercises, trying a wrong answer or two at each); with the page read at 120 words a minute
they give the module's stated minutes (:mod:`academy.minutes`).

The historian export is a committed file (``datasets/plant/historian_CNC-102_2025-03-27.csv``,
written by ``plantsim export-historian``); everything else comes from the generated plant, so the
checks hold on a plant generated with another seed.
"""
from __future__ import annotations

import pandas as pd

from academy.exercise import Exercise, Figure, Mistake, Number, expected_figure
from academy.exercise.kinds import ONE_ROW

MODULE = "00"

RATED_POWER_MACHINE = "CNC-103"
# The machine whose row sits above CNC-103 in the register: the row a reader's eye slips to.
NEIGHBOUR_MACHINE = "CNC-102"
EXAMPLE_MACHINE = "CNC-201"  # the worked example's machine in the notebook
EXPORT_MACHINE = "CNC-102"  # the machine of the historian export (plantsim.historian.DEFAULT_EXPORT_ASSET)
HISTORIAN_FILE = "historian_CNC-102_2025-03-27.csv"
SPINDLE_HEADER = "Spindle Temp [degC]"
BEARING_HEADER = "Bearing Temp [degC]"
VIBRATION_HEADER = "Vibration RMS [mm/s]"


# --- the data the checks read -----------------------------------------------------------------


def read_historian() -> pd.DataFrame:
    """The historian export, read as the notebook reads it (comment lines skipped, times parsed)."""
    from academy.data import project_root

    path = project_root() / "datasets" / "plant" / HISTORIAN_FILE
    return pd.read_csv(path, comment="#", parse_dates=["Timestamp"])


def _asset(data, asset_id: str) -> pd.Series:
    assets = data.load("assets")
    return assets.loc[assets["asset_id"] == asset_id].iloc[0]


def _readings(data, asset_id: str, column: str) -> pd.Series:
    telemetry = data.load("telemetry")
    return telemetry.loc[telemetry["asset_id"] == asset_id, column]


def zone_limits(data, asset_id: str) -> tuple[float, float, float]:
    """ISO 10816 zone boundaries A/B, B/C, C/D (mm/s) of the machine's class in the asset register."""
    from plantsim.sensors import zone_limits as limits_of_class

    return limits_of_class(str(_asset(data, asset_id)["machine_class"]))


def _week_mean_above_zero(header: str) -> float:
    readings = read_historian()[header]
    return readings[readings > 0].mean()


A_B, B_C, C_D = 0, 1, 2  # positions of the zone boundaries in zone_limits()


def _week_vibration_figure(data, boundary: int) -> dict:
    """The week's vibration as it is in the export, with one zone boundary of CNC-102's class."""
    historian = read_historian()
    return expected_figure(
        x=historian["Timestamp"], y=historian[VIBRATION_HEADER], hlines=[zone_limits(data, EXPORT_MACHINE)[boundary]]
    )


def _week_vibration_above_zero(data) -> dict:
    historian = read_historian()
    kept = historian[historian[VIBRATION_HEADER] > 0]
    return expected_figure(x=kept["Timestamp"], y=kept[VIBRATION_HEADER])


def _week_spindle_figure(data) -> dict:
    historian = read_historian()
    return expected_figure(x=historian["Timestamp"], y=historian[SPINDLE_HEADER])


# --- trainee-facing words -----------------------------------------------------------------------

WORDS = {
    "q1": {
        "todo": "CNC-103's rated power in kW, just the number",
        "hints": [
            "Look at the table that assets[columns] shows in section 2. Find the row whose asset_id is CNC-103, "
            "then read across to the rated_power_kw column.",
            "Write the name, an equals sign and the number you read, as cycle_time_min = 3.5 does in section 1: "
            "no quotes around the number and no unit after it (the _kw at the end of the name says the unit).",
            "CNC-103 is the row with index 2, the third row (the index counts from 0). The cell holds one line, "
            "cnc103_rated_power_kw = ___, with the number from that row's rated_power_kw column in place of the ___.",
        ],
        "mistakes": {
            "neighbour_row": "That is the rated power of the smaller VMC-850 machines, such as CNC-102 in the row above. "
            "Read the row whose asset_id is CNC-103.",
            "speed_column": "That number is CNC-103's spindle speed in rpm (the nominal_speed_rpm column). "
            "The task asks for its rated power, the rated_power_kw column.",
            "in_watts": "That is the power in watts. The column is already in kW: keep the number as the table shows it.",
        },
    },
    "q2": {
        "todo": "CNC-102's average spindle temperature over the year in °C",
        "hints": [
            "Do what the worked example does for CNC-201, with CNC-102: keep CNC-102's rows of telemetry "
            "first, then take the spindle_temp_c column.",
            "Keep the rows with telemetry[telemetry[\"asset_id\"] == \"CNC-102\"] and store them under a name, "
            "such as cnc102. The average of a column is .mean(), like AVERAGE in Excel.",
            "Fill in each ___ with a text in quotes: the machine's id in the first line, the column's name "
            "in the second.\n"
            "cnc102 = telemetry[telemetry[\"asset_id\"] == ___]\n"
            "cnc102_mean_spindle_c = cnc102[___].mean()",
        ],
        "mistakes": {
            "example_machine": "That is the average of CNC-201, the machine of the worked example. "
            "Change the machine id to \"CNC-102\".",
            "all_machines": "That is the average spindle temperature of all six CNC machines together. "
            "Keep only CNC-102's rows first.",
            "used_max": "That is CNC-102's highest spindle temperature. The task asks for the average: use .mean().",
            "bearing_column": "That is CNC-102's average bearing temperature (bearing_temp_c). "
            "The task asks about the spindle: spindle_temp_c.",
        },
    },
    "q3": {
        "todo": "the week's spindle average in °C, without the 0.0 readings",
        "hints": [
            "Take the spindle column of historian first: historian[\"Spindle Temp [degC]\"], "
            "with the whole header, brackets and all.",
            "Keep only the readings above 0, as the worked example does before .min(), "
            "and average what is left with .mean().",
            "Fill in the ___ with the question that keeps only the readings above 0, as in section 4:\n"
            "spindle_c = historian[\"Spindle Temp [degC]\"]\n"
            "mean_spindle_week_c = spindle_c[___].mean()",
        ],
        "mistakes": {
            "kept_zeros": "Your average still includes the 0.0 readings from the sensor fault, "
            "so the spindle looks cooler than it ran. Keep only the readings above 0 before you average.",
            "bearing_column": "That is the average bearing temperature (\"Bearing Temp [degC]\"). "
            "The task asks about the spindle: \"Spindle Temp [degC]\".",
            "whole_year": "That is CNC-102's spindle average over the whole year, from the telemetry table. "
            "The task asks about the week in the historian export: use historian.",
        },
    },
    "q4": {
        "todo": "your figure's lines (see the task above)",
        "hints": [
            "Copy the lines of the spindle figure in section 4 and change what differs: the column "
            "\"Vibration RMS [mm/s]\" (under a name such as vibration_mm_s), vibration_fig in place of fig, "
            "the title and the y label. "
            "Keep the plt.show() at the end of the cell.",
            "Draw the limit with ax.axhline(2.8, color=\"#D55E00\", linestyle=\"--\"). "
            "The y label carries the unit, such as \"vibration RMS (mm/s)\"; the title asks the figure's question "
            "and ends with a question mark.",
            "Fill in each ___ (the column's header, the limit, your title, the y label's words):\n"
            "vibration_mm_s = historian[___]\n"
            "vibration_fig, ax = plt.subplots(figsize=(9, 3.5))\n"
            "ax.plot(historian[\"Timestamp\"], vibration_mm_s, color=\"#0072B2\")\n"
            "ax.axhline(___, color=\"#D55E00\", linestyle=\"--\")\n"
            "ax.set_title(\"___?\")\n"
            "ax.set_xlabel(\"local time (Europe/Berlin)\")\n"
            "ax.set_ylabel(\"___ (mm/s)\")",
        ],
        "mistakes": {
            "plotted_temperature": "Your figure still shows the spindle temperature. "
            "Plot the vibration column, \"Vibration RMS [mm/s]\".",
            "limit_c_d": "Your limit line sits at the C/D limit, 7.1 mm/s, where vibration damages the machine. "
            "The task asks for the B/C limit, 2.8 mm/s, above which maintenance should be planned.",
            "limit_a_b": "Your limit line sits at the A/B limit, 1.12 mm/s, between a new machine and one fit for "
            "long-term running. The task asks for the B/C limit, 2.8 mm/s.",
            "left_out_readings": "Your line leaves readings out. For this figure, plot the vibration column just as "
            "it is in historian, so the gap and the 0.0 readings stay visible.",
        },
    },
}


# --- the exercises ------------------------------------------------------------------------------

EXERCISES = [
    Exercise(
        name="q1",
        number="0.1",
        answer="cnc103_rated_power_kw",
        expected=lambda data: _asset(data, RATED_POWER_MACHINE)["rated_power_kw"],
        # A whole column handed in is told how to pick one row's value, not to average it.
        kind=Number(unit="kW", from_column=ONE_ROW),
        mistakes=[
            Mistake("neighbour_row", lambda data: _asset(data, NEIGHBOUR_MACHINE)["rated_power_kw"]),
            Mistake("speed_column", lambda data: _asset(data, RATED_POWER_MACHINE)["nominal_speed_rpm"]),
            Mistake("in_watts", lambda data: 1000 * _asset(data, RATED_POWER_MACHINE)["rated_power_kw"]),
        ],
        points=1,
        minutes=5,
        objective="00.1",
    ),
    Exercise(
        name="q2",
        number="0.2",
        answer="cnc102_mean_spindle_c",
        expected=lambda data: _readings(data, EXPORT_MACHINE, "spindle_temp_c").mean(),
        kind=Number(unit="°C"),
        mistakes=[
            Mistake("example_machine", lambda data: _readings(data, EXAMPLE_MACHINE, "spindle_temp_c").mean()),
            Mistake("all_machines", lambda data: data.load("telemetry")["spindle_temp_c"].mean()),
            Mistake("used_max", lambda data: _readings(data, EXPORT_MACHINE, "spindle_temp_c").max()),
            Mistake("bearing_column", lambda data: _readings(data, EXPORT_MACHINE, "bearing_temp_c").mean()),
        ],
        points=2,
        minutes=8,
        objective="00.2",
    ),
    Exercise(
        name="q3",
        number="0.3",
        answer="mean_spindle_week_c",
        expected=lambda data: _week_mean_above_zero(SPINDLE_HEADER),
        kind=Number(unit="°C"),
        mistakes=[
            Mistake("kept_zeros", lambda data: read_historian()[SPINDLE_HEADER].mean()),
            Mistake("bearing_column", lambda data: _week_mean_above_zero(BEARING_HEADER)),
            Mistake("whole_year", lambda data: _readings(data, EXPORT_MACHINE, "spindle_temp_c").mean()),
        ],
        points=2,
        minutes=7,
        objective="00.3",
    ),
    Exercise(
        name="q4",
        number="0.4",
        answer="vibration_fig",
        expected=lambda data: _week_vibration_figure(data, B_C),
        # Everything the task states: the readings against their times, the limit dashed, a title
        # asking about the vibration, local time on the x axis, quantity and unit on the y axis.
        kind=Figure(
            ylabel_units=("mm/s",),
            unit="mm/s",
            title_words=("vibration",),
            xlabel_words=("local",),
            ylabel_words=("vibration",),
            limit_linestyle="dashed",
            x_name='historian["Timestamp"]',
        ),
        mistakes=[
            Mistake("plotted_temperature", _week_spindle_figure),
            Mistake("limit_c_d", lambda data: _week_vibration_figure(data, C_D)),
            Mistake("limit_a_b", lambda data: _week_vibration_figure(data, A_B)),
            Mistake("left_out_readings", _week_vibration_above_zero),
        ],
        points=3,
        hidden_points=1,
        minutes=12,
        objective="00.4",
    ),
]
