"""Module 00 · Getting started: its checks on the answers a trainee really writes, its notebooks,
and the historian export its story stands on.

The tooling's own tests already check every exercise three ways on computed answers
(tests/test_exercise_check.py). Here the answers are code, as a trainee types it into the exercise
cells: the worked answer and other good ways pass, the usual slips get their own message, and the
blank placeholder is "not attempted yet".
"""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
from shell_cells import run_cell

import academy
from academy import cells, data
from academy.build import build_trainee_notebook, execute_notebook, notebook_text
from academy.course import load_course
from academy.exercise import check_results
from academy.exercise.kinds import NUMBER_ABS_TOL
from academy.modules import m00

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "00_getting_started.ipynb"
TRAINEE = REPO / "notebooks" / "00_getting_started.ipynb"

# What the browser test (tests/browser/test_trainee_session.py) recognises as an exercise cell.
PLACEHOLDER_LINE = re.compile(r"^\s*[A-Za-z_]\w*\s*=\s*\.\.\.\s*(#.*)?$", re.MULTILINE)


@pytest.fixture(scope="module")
def ex():
    return academy.exercises("00")


@pytest.fixture(scope="module")
def tables():
    """What the setup cell and the historian section give the trainee."""
    return {
        "assets": data.load("assets"),
        "telemetry": data.load("telemetry"),
        "historian": m00.read_historian(),
        "pd": pd,
        "np": np,
        "plt": plt,
    }


def run_answer(code: str, tables: dict) -> dict:
    """The notebook's namespace after a trainee's exercise cell ran."""
    namespace = dict(tables)
    exec(code, namespace)
    plt.close("all")
    return namespace


def verdict(ex, name: str, code: str, tables: dict):
    return getattr(ex, name).verdict(run_answer(code, tables))


def assert_mistake(result, ex, name: str, key: str) -> None:
    assert (result.status, result.mistake) == ("incorrect", key), result.message
    assert result.message.startswith(getattr(ex, name).exercise.mistake_message(key))


# --- Exercise 0.1: a value read off the asset register -------------------------------------------


def test_q1_takes_the_number_read_off_the_register(ex, tables):
    assert verdict(ex, "q1", "cnc103_rated_power_kw = 22.0", tables).status == "correct"
    assert verdict(ex, "q1", "cnc103_rated_power_kw = 22", tables).status == "correct"
    looked_up = 'cnc103_rated_power_kw = assets.loc[assets["asset_id"] == "CNC-103", "rated_power_kw"].iloc[0]'
    assert verdict(ex, "q1", looked_up, tables).status == "correct"


@pytest.mark.parametrize(
    "code, key",
    [
        ("cnc103_rated_power_kw = 18.5", "neighbour_row"),
        ("cnc103_rated_power_kw = 12000", "speed_column"),
        ("cnc103_rated_power_kw = 22000", "in_watts"),
    ],
)
def test_q1_names_the_slip(ex, tables, code, key):
    assert_mistake(verdict(ex, "q1", code, tables), ex, "q1", key)


def test_q1_explains_a_number_written_as_text(ex, tables):
    result = verdict(ex, "q1", 'cnc103_rated_power_kw = "22 kW"', tables)
    assert result.status == "incorrect"
    assert result.message.startswith(
        "Expected a number in kW, got the text '22 kW'. The quotes make it text: write just the number, 22, "
        "without quotes and without the unit."
    )
    result = verdict(ex, "q1", 'cnc103_rated_power_kw = "22"', tables)
    assert result.message.startswith("Expected a number in kW, got the text '22'. The quotes make it text: write 22 without quotes.")


def test_q1_placeholder_is_not_attempted(ex, tables):
    result = verdict(ex, "q1", "cnc103_rated_power_kw = ...", tables)
    assert result.status == "not_attempted" and "cnc103_rated_power_kw" in result.message


# --- Exercise 0.2: one machine's rows, one column's average --------------------------------------

Q2_ANSWER = """
cnc102 = telemetry[telemetry["asset_id"] == "CNC-102"]
cnc102_mean_spindle_c = cnc102["spindle_temp_c"].mean()
"""


def test_q2_accepts_the_worked_answer_and_other_ways(ex, tables):
    assert verdict(ex, "q2", Q2_ANSWER, tables).status == "correct"
    one_line = 'cnc102_mean_spindle_c = telemetry.loc[telemetry["asset_id"] == "CNC-102", "spindle_temp_c"].mean()'
    assert verdict(ex, "q2", one_line, tables).status == "correct"
    by_hand = Q2_ANSWER.replace(".mean()", ".sum() / cnc102[\"spindle_temp_c\"].count()")
    assert verdict(ex, "q2", by_hand, tables).status == "correct"


@pytest.mark.parametrize(
    "change, key",
    [
        (("CNC-102", "CNC-201"), "example_machine"),
        ((".mean()", ".max()"), "used_max"),
        (("spindle_temp_c", "bearing_temp_c"), "bearing_column"),
    ],
)
def test_q2_names_the_slip(ex, tables, change, key):
    assert_mistake(verdict(ex, "q2", Q2_ANSWER.replace(*change), tables), ex, "q2", key)


def test_q2_catches_a_forgotten_filter(ex, tables):
    result = verdict(ex, "q2", 'cnc102_mean_spindle_c = telemetry["spindle_temp_c"].mean()', tables)
    assert_mistake(result, ex, "q2", "all_machines")


def test_q2_takes_a_number_right_to_two_decimals_however_it_was_obtained(ex, tables):
    """The course's one rule: 32.32 and 32.316734 typed off the screen are right, as is round(x, 2)."""
    exact = float(ex.q2.exercise.expected(ex.data))
    for typed in (f"{exact:.2f}", f"{exact:.6f}", f"round({exact!r}, 2)"):
        assert verdict(ex, "q2", f"cnc102_mean_spindle_c = {typed}", tables).status == "correct", typed
    rounded = round(exact, 1)
    result = verdict(ex, "q2", Q2_ANSWER + "cnc102_mean_spindle_c = round(cnc102_mean_spindle_c, 1)", tables)
    if abs(rounded - exact) <= NUMBER_ABS_TOL:  # this plant's average happens to end in 0 at two decimals
        assert result.status == "correct", result.message
        return
    assert (result.status, result.mistake) == ("incorrect", None)
    assert result.message.startswith(f"Close: {rounded:g} °C agrees with the expected number, but to fewer than the 2 decimals the course asks for.")
    assert "steps again" not in result.message and "by hand" not in result.message


@pytest.mark.parametrize("machine", ["cnc-102", "CNC 102"])
def test_q2_says_the_filter_matched_no_rows_and_how_to_list_the_ids(ex, tables, machine):
    result = verdict(ex, "q2", Q2_ANSWER.replace('"CNC-102"', f'"{machine}"'), tables)
    assert result.status == "incorrect"
    assert "the filter kept no rows" in result.message and 'assets["asset_id"]' in result.message
    assert "missing reading" not in result.message and ".unique()" not in result.message


@pytest.mark.parametrize("exercise, answer", [
    ("q1", 'cnc103_rated_power_kw = assets[assets["asset_id"] == "cnc-103"]["rated_power_kw"]'),
    ("q2", 'cnc102_mean_spindle_c = telemetry[telemetry["asset_id"] == "cnc-102"]["spindle_temp_c"]'),
])
def test_an_empty_column_says_the_filter_kept_no_rows_not_zero_readings(ex, tables, exercise, answer):
    """The second review read "a whole column of 0 readings" as readings of value 0."""
    result = verdict(ex, exercise, answer, tables)
    assert result.status == "incorrect"
    assert "your filter kept no rows" in result.message and 'assets["asset_id"]' in result.message
    assert "0 readings" not in result.message and "0 values" not in result.message


@pytest.fixture
def kernel(tables):
    """An IPython shell with the setup cell's names, as the notebook's kernel holds them."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns.update(tables)
    shell.run_cell('import academy\nex = academy.exercises("00")')
    yield shell
    InteractiveShell.clear_instance()




@pytest.mark.parametrize(
    "first, failing, error",
    [
        # the review's cases: each second try stops with an error, and the first try is still stored
        ("cnc102_mean_spindle_c = 32.32", Q2_ANSWER + 'cnc102["spindle_temp"].mean()', "KeyError"),
        ("cnc102_mean_spindle_c = 22,0", "cnc102_mean_spindle_c = 22 kW", "SyntaxError"),
        (Q2_ANSWER.replace("CNC-102", "CNC-201"), "cnc102_mean_spindle_c = np.float32(32.316734)", "NameError"),
    ],
)
def test_q2_after_a_cell_that_stopped_says_so_and_judges_no_older_answer(kernel, first, failing, error):
    run_cell(kernel, first, cell_id="q2")
    before = run_cell(kernel, "ex.q2.check()", cell_id="q2-check")
    kernel.user_ns.pop("np")  # the notebook never gives Python the name np
    run_cell(kernel, failing, cell_id="q2")
    after = run_cell(kernel, "ex.q2.check()", cell_id="q2-check")
    assert after.startswith(f"Exercise 0.2: not yet right. The last time your exercise cell ran, it stopped with an error ({error})")
    assert "correct" not in after.lower() and "Fix the red error" in after
    reason = before.split(". ", 1)[1].split("\n")[0]
    assert reason not in after, "no stale reason about the older answer"


def test_review3_a_renamed_answer_is_not_judged_on_the_older_value(kernel):
    """Third review: after a wrong 18.5, the cell stored `cnc103_rated_power = 22`; the check judged
    the old 18.5 and named the VMC-850, while the trainee saw 22 in the cell."""
    run_cell(kernel, "cnc103_rated_power_kw = 18.5", cell_id="q1")
    assert "VMC-850" in run_cell(kernel, "ex.q1.check()")
    run_cell(kernel, "cnc103_rated_power = 22", cell_id="q1")
    after = run_cell(kernel, "ex.q1.check()")
    assert after.startswith("Exercise 0.1: not yet right. Your exercise cell, as it last ran, does not store "
                            "`cnc103_rated_power_kw`: it stores `cnc103_rated_power`.")
    assert "VMC-850" not in after and "correct." not in after
    run_cell(kernel, "cnc103_rated_power_kw = 22", cell_id="q1")
    assert run_cell(kernel, "ex.q1.check()").startswith("Exercise 0.1: correct")


def test_review3_a_figure_kept_under_fig_is_not_judged_on_the_older_one(kernel):
    """Third review: a right `vibration_fig` first, then an untitled figure under `fig` was called
    correct; a figure without a title first, then a right one under `fig`, was told it had no title."""
    run_cell(kernel, "import matplotlib.pyplot as plt", cell_id="imports")
    run_cell(kernel, Q4_ANSWER, cell_id="q4")
    assert run_cell(kernel, "ex.q4.check()").startswith("Exercise 0.4: correct")
    run_cell(kernel, Q4_ANSWER.replace("vibration_fig, ax", "fig, ax").replace("ax.set_title", "# ax.set_title"), cell_id="q4")
    after = run_cell(kernel, "ex.q4.check()")
    assert after.startswith("Exercise 0.4: not yet right. Your exercise cell, as it last ran, does not store "
                            "`vibration_fig`: it stores `fig`, `ax`.")
    plt.close("all")


def test_q3_after_a_type_error_does_not_repeat_the_zeros_message(kernel):
    run_cell(kernel, 'mean_spindle_week_c = historian["Spindle Temp [degC]"].mean()', cell_id="q3")
    assert "still includes the 0.0 readings" in run_cell(kernel, "ex.q3.check()")
    run_cell(kernel, 'mean_spindle_week_c = historian[historian["Spindle Temp [degC]"] > 0].mean()', cell_id="q3")
    after = run_cell(kernel, "ex.q3.check()")
    assert "stopped with an error (TypeError)" in after and "0.0 readings" not in after


def test_q4_after_a_value_error_names_it_rather_than_the_empty_figure(kernel):
    code = Q4_ANSWER.replace('ax.plot(historian["Timestamp"], historian["Vibration RMS [mm/s]"]',
                             'ax.plot(historian["Timestamp"][:10], historian["Vibration RMS [mm/s]"]')
    run_cell(kernel, code, cell_id="q4")
    after = run_cell(kernel, "ex.q4.check()")
    assert "stopped with an error (ValueError)" in after and "things to change" not in after
    plt.close("all")


def test_q2_tells_twin_machines_apart(ex, tables):
    """CNC-101 is CNC-102's twin: their averages differ in the fourth digit, and the check sees it."""
    result = verdict(ex, "q2", Q2_ANSWER.replace("CNC-102", "CNC-101"), tables)
    assert result.status == "incorrect"


# --- Exercise 0.3: an average without the dropout's 0.0 readings ---------------------------------

Q3_ANSWER = """
spindle_c = historian["Spindle Temp [degC]"]
mean_spindle_week_c = spindle_c[spindle_c > 0].mean()
"""


def test_q3_accepts_the_worked_answer_and_other_ways(ex, tables):
    assert verdict(ex, "q3", Q3_ANSWER, tables).status == "correct"
    as_gaps = 'mean_spindle_week_c = historian["Spindle Temp [degC]"].replace(0, np.nan).mean()'
    assert verdict(ex, "q3", as_gaps, tables).status == "correct"
    rows = 'mean_spindle_week_c = historian[historian["Spindle Temp [degC]"] != 0]["Spindle Temp [degC]"].mean()'
    assert verdict(ex, "q3", rows, tables).status == "correct"


def test_q3_catches_the_zeros_left_in(ex, tables):
    result = verdict(ex, "q3", 'mean_spindle_week_c = historian["Spindle Temp [degC]"].mean()', tables)
    assert_mistake(result, ex, "q3", "kept_zeros")
    assert "0.0 readings" in result.message


def test_q3_says_to_finish_a_whole_column_with_mean(ex, tables):
    result = verdict(ex, "q3", 'spindle_c = historian["Spindle Temp [degC]"]\nmean_spindle_week_c = spindle_c[spindle_c > 0]', tables)
    readings = int((tables["historian"]["Spindle Temp [degC]"] > 0).sum())
    assert result.status == "incorrect"
    assert result.message.startswith(
        f"Expected a number in °C, got a whole column of {readings} readings: finish with a step that makes "
        "one number of them, such as .mean() or .max(), whichever the task asks for."
    )
    assert "Series" not in result.message


def test_q3_takes_two_decimals_and_says_close_to_one(ex, tables):
    expected = float(ex.q3.exercise.expected(ex.data))
    assert verdict(ex, "q3", f"mean_spindle_week_c = {round(expected, 2)}", tables).status == "correct"
    result = verdict(ex, "q3", f"mean_spindle_week_c = {round(expected, 1)}", tables)
    assert result.status == "incorrect" and result.message.startswith("Close:")


def test_q3_names_the_other_slips(ex, tables):
    assert_mistake(verdict(ex, "q3", Q3_ANSWER.replace("Spindle", "Bearing"), tables), ex, "q3", "bearing_column")
    year = 'mean_spindle_week_c = telemetry.loc[telemetry["asset_id"] == "CNC-102", "spindle_temp_c"].mean()'
    assert_mistake(verdict(ex, "q3", year, tables), ex, "q3", "whole_year")


def test_q3_the_dropout_moves_the_average_beyond_the_tolerance(tables):
    """The mistake is only catchable if the zeros shift the average by more than the check forgives."""
    spindle = tables["historian"]["Spindle Temp [degC]"]
    assert abs(spindle.mean() - spindle[spindle > 0].mean()) > 10 * NUMBER_ABS_TOL


# --- Exercise 0.4: a figure with its limit ---------------------------------------------------------

Q4_ANSWER = """
vibration_fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(historian["Timestamp"], historian["Vibration RMS [mm/s]"], color="#0072B2")
ax.axhline(2.8, color="#D55E00", linestyle="--")
ax.set_title("Did CNC-102's vibration stay below the zone B/C limit this week?")
ax.set_xlabel("local time")
ax.set_ylabel("vibration RMS (mm/s)")
"""


def test_q4_accepts_the_worked_answer_and_a_pandas_plot(ex, tables):
    assert verdict(ex, "q4", Q4_ANSWER, tables).status == "correct"
    pandas_plot = """
ax = historian.plot(x="Timestamp", y="Vibration RMS [mm/s]", legend=False, figsize=(9, 3.5))
ax.axhline(2.8, color="#D55E00", linestyle="--")
ax.set(title="Is CNC-102's vibration in zone C?", xlabel="local time", ylabel="vibration (mm/s)")
vibration_fig = ax.figure
"""
    assert verdict(ex, "q4", pandas_plot, tables).status == "correct"


@pytest.mark.parametrize(
    "change, key",
    [
        (("Vibration RMS [mm/s]", "Spindle Temp [degC]"), "plotted_temperature"),
        (("axhline(2.8", "axhline(7.1"), "limit_c_d"),
        (("axhline(2.8", "axhline(1.12"), "limit_a_b"),
        (
            ('historian["Timestamp"], historian["Vibration RMS [mm/s]"]', 'clean["Timestamp"], clean["Vibration RMS [mm/s]"]'),
            "left_out_readings",
        ),
    ],
)
def test_q4_names_the_slip(ex, tables, change, key):
    code = 'clean = historian[historian["Vibration RMS [mm/s]"] > 0]\n' + Q4_ANSWER.replace(*change)
    assert_mistake(verdict(ex, "q4", code, tables), ex, "q4", key)


@pytest.mark.parametrize(
    "change, words",
    [
        (('ax.set_title("Did CNC-102\'s vibration stay below the zone B/C limit this week?")', ""), "no title yet"),
        (('"vibration RMS (mm/s)"', '"vibration RMS"'), "should carry the unit (mm/s)"),
        (('ax.axhline(2.8, color="#D55E00", linestyle="--")', ""), "limit line at 2.8 mm/s is missing"),
    ],
)
def test_q4_says_what_the_figure_lacks(ex, tables, change, words):
    result = verdict(ex, "q4", Q4_ANSWER.replace(*change), tables)
    assert result.status == "incorrect" and words in result.message


def test_q4_lists_everything_the_figure_lacks_at_once(ex, tables):
    untitled = Q4_ANSWER.replace('ax.set_title("Did CNC-102\'s vibration stay below the zone B/C limit this week?")\n', "")
    result = verdict(ex, "q4", untitled.replace('"vibration RMS (mm/s)"', '"vibration RMS"'), tables)
    assert result.status == "incorrect"
    assert result.message.startswith("2 things to change in your figure:\n- Your figure has no title yet")
    assert "\n- The y-axis label should carry the unit (mm/s)." in result.message


def test_q4_takes_the_zone_d_limit_drawn_as_well(ex, tables):
    """The text after the exercise invites a second line at 7.1 mm/s: the check must not punish it."""
    both = Q4_ANSWER + 'ax.axhline(7.1, color="#D55E00", linestyle=":")\n'
    assert verdict(ex, "q4", both, tables).status == "correct"


def test_q4_a_second_limit_line_is_not_the_c_d_mistake_when_something_else_is_wrong(ex, tables):
    """The second review: a dashed 2.8 line, a dotted 7.1 line and a title without 'vibration' were
    told "your limit line sits at the C/D limit"; the figure's real problem is its title."""
    both = Q4_ANSWER.replace("Did CNC-102's vibration stay below the zone B/C limit this week?",
                             "Did CNC-102 stay below 2.8 mm/s this week?")
    both += 'ax.axhline(7.1, color="#D55E00", linestyle=":")\n'
    result = verdict(ex, "q4", both, tables)
    assert result.status == "incorrect" and result.mistake is None
    assert "C/D limit" not in result.message and "vibration" in result.message and "title" in result.message


def test_q4_a_mistyped_header_stops_before_the_figure_is_begun(ex, tables):
    """Taking the column first (as the worked answer and the last hint do) leaves no empty frame behind."""
    namespace = dict(tables)
    solution = nbformat.read(SOLUTION, as_version=4)
    worked = cells.region_text(next(c for c in solution.cells if c.id == "q4").source)
    figures_before = plt.get_fignums()
    with pytest.raises(KeyError):
        exec(worked.replace("Vibration RMS [mm/s]", "Vibration RMS"), namespace)
    assert plt.get_fignums() == figures_before and "vibration_fig" not in namespace


def hidden_tests(name: str) -> str:
    solution = nbformat.read(SOLUTION, as_version=4)
    cell = next(c for c in solution.cells if cells.role(c) == "hidden_tests" and cells.academy_meta(c)["exercise"] == name)
    return cells.region_text(cell.source, cells.HIDDEN_BEGIN, cells.HIDDEN_END)


def test_q4_hidden_points_agree_with_the_public_check_on_the_title(ex, tables):
    """The public check now asks for the question itself; the hidden test still guards it for the grader."""
    statement = Q4_ANSWER.replace("stay below the zone B/C limit this week?", "vibration this week")
    namespace = run_answer(statement, tables)
    assert "does not ask a question yet" in ex.q4.verdict(namespace).message
    with pytest.raises(AssertionError, match="question"):
        exec(hidden_tests("q4"), namespace)
    exec(hidden_tests("q4"), run_answer(Q4_ANSWER, tables))


@pytest.mark.parametrize(
    "change, says",
    [
        (("Did CNC-102's vibration stay below the zone B/C limit this week?", "CNC-102 vibration this week"),
         "does not ask a question yet"),
        (("Did CNC-102's vibration stay below the zone B/C limit this week?", "How warm did CNC-102's spindle run this week?"),
         "asks about something else: the question of this figure is about 'vibration'"),
        (('ax.plot(historian["Timestamp"], historian["Vibration RMS [mm/s]"]', 'ax.plot(historian["Vibration RMS [mm/s]"]'),
         "drawn against their row numbers (0, 1, 2, ...), not against time"),
        (('set_xlabel("local time")', 'set_xlabel("time (UTC)")'), "The x-axis label 'time (UTC)' should say 'local'"),
        (('set_xlabel("local time")', 'set_xlabel("time")'), "The x-axis label 'time' should say 'local'"),
        (('set_ylabel("vibration RMS (mm/s)")', 'set_ylabel("mm/s")'), "should name what is measured ('vibration')"),
        (('linestyle="--"', 'linestyle="-"'), "The limit line at 2.8 mm/s should be dashed"),
    ],
)
def test_q4_enforces_every_requirement_the_task_states(ex, tables, change, says):
    """The figures a trainee review found passing, each with the reason it is not yet right."""
    result = verdict(ex, "q4", Q4_ANSWER.replace(*change), tables)
    assert result.status == "incorrect" and says in result.message, result.message


def test_q4_names_the_figure_drawn_under_another_name(ex, tables):
    """The spindle figure of section 4 sits in `fig`; a vibration figure drawn as `fig, ax = ...` is named."""
    namespace = run_answer(Q4_ANSWER.replace("vibration_fig, ax", "fig, ax") + "vibration_fig = ...", tables)
    result = ex.q4.verdict(namespace)
    assert result.status == "incorrect", "the figure is good, only its name is not: not yet right"
    assert result.message.startswith("Your figure is in `fig`, but the check reads only `vibration_fig`")


def test_q4_names_the_newer_figure_when_the_checked_one_is_older(ex, tables):
    """Second trainee review: a first wrong figure stored as `vibration_fig`, then a right one as
    `fig`: the check names `fig` as the newer figure rather than judging the old one alone."""
    wrong_first = Q4_ANSWER.replace('linestyle="--"', 'linestyle="-"')
    namespace = run_answer(wrong_first + Q4_ANSWER.replace("vibration_fig, ax", "fig, ax"), tables)
    result = ex.q4.verdict(namespace)
    assert result.status == "incorrect"
    assert result.message.startswith("`vibration_fig` holds an older figure than `fig`, and the check reads only `vibration_fig`.")
    # The other way round (the checked figure is the newer one) it is judged as usual.
    namespace = run_answer(Q4_ANSWER.replace("vibration_fig, ax", "fig, ax") + wrong_first, tables)
    result = ex.q4.verdict(namespace)
    assert result.status == "incorrect" and "older figure" not in result.message


def test_q4_placeholder_says_delete_that_line(ex, tables):
    result = verdict(ex, "q4", "vibration_fig = ...", tables)
    assert result.status == "not_attempted" and "delete the line `vibration_fig = ...`" in result.message
    assert "Replace the `...`" not in result.message


def test_q1_whole_column_is_told_to_pick_one_row_and_a_decimal_comma_is_explained(ex, tables):
    result = verdict(ex, "q1", 'cnc103_rated_power_kw = assets["rated_power_kw"]', tables)
    assert "The task asks for one row's value" in result.message and ".iloc[0]" in result.message
    assert ".mean()" not in result.message
    result = verdict(ex, "q1", "cnc103_rated_power_kw = 22,0", tables)
    assert result.message.startswith("Python writes a decimal with a point, not a comma: 22.0, not 22,0.")
    assert "a list of 2 items" not in result.message


def test_a_hint_past_the_last_says_it_was_the_last(ex, capsys):
    count = len(ex.q1.exercise.hints)
    ex.q1.hint(count + 1)
    shown = capsys.readouterr().out
    assert ex.q1.exercise.hints[-1] in shown and "That was the last hint." in shown
    assert f"Exercise 0.1 has {count} hints, so here is the last one again." in shown


# --- the trainee review's wrong answers (/work/review/trainee00_report.md), each with its message ---


def test_review_mean_without_brackets_is_told_to_add_them(ex, tables):
    result = verdict(ex, "q2", Q2_ANSWER.replace(".mean()", ".mean"), tables)
    assert result.message.startswith("Expected a number in °C, got `.mean` without the () after it: add () after .mean,")
    assert "method" not in result.message


def test_review_one_row_filter_column_is_one_value_not_the_number_1(ex, tables):
    code = 'cnc103_rated_power_kw = assets[assets["asset_id"] == "CNC-103"]["rated_power_kw"]'
    result = verdict(ex, "q1", code, tables)
    assert result.message.startswith("Expected a number in kW, got a column (or a list) holding one value")
    assert "holding 1" not in result.message and ".iloc[0] at the end of a column" in result.message


def test_review_one_row_table_says_1_row_and_what_to_do_next(ex, tables):
    result = verdict(ex, "q1", 'cnc103_rated_power_kw = assets[assets["asset_id"] == "CNC-103"]', tables)
    columns = tables["assets"].shape[1]
    assert result.message.startswith(f"Expected a number in kW, got a whole table, 1 row and {columns} columns. "
                                      "Take the one column the task asks about first")
    assert "then add .iloc[0]" in result.message and "1 rows" not in result.message and "pandas" not in result.message


def test_review_decimal_comma_is_no_tuple(ex, tables):
    result = verdict(ex, "q1", "cnc103_rated_power_kw = 22,0", tables)
    assert "tuple" not in result.message and "Python reads two numbers, 22 and 0." in result.message


@pytest.mark.parametrize("name", ["q2", "q3"])
def test_review_cut_off_numbers_are_caught_like_rounded_ones(ex, tables, name):
    """32.31 for 32.316734: the answer cut off after the first decimal places where cutting and
    rounding differ (the trainee review typed both kinds)."""
    import math

    exact = float(getattr(ex, name).exercise.expected(ex.data))
    decimals = next(d for d in (1, 2) if math.trunc(exact * 10**d) / 10**d != round(exact, d))
    cut = math.trunc(exact * 10**decimals) / 10**decimals
    variable = getattr(ex, name).exercise.variables[0]
    result = verdict(ex, name, f"{variable} = {cut}", tables)
    written = "has its digits cut off rather than rounded" if decimals == 2 else "agrees with the expected number, but to fewer than the 2 decimals the course asks for"
    assert result.message.startswith(f"Close: {cut:g} °C {written}."), result.message
    assert "steps again" not in result.message and "round()" not in result.message


def test_review_a_whole_number_typed_in_is_not_told_to_leave_out_a_round(ex, tables, kernel):
    exact = float(ex.q2.exercise.expected(ex.data))
    run_cell(kernel, f"cnc102_mean_spindle_c = {round(exact)}", cell_id="q2")
    typed = run_cell(kernel, "ex.q2.check()")
    assert "agrees with the expected number, but to fewer than the 2 decimals the course asks for" in typed and "round()" not in typed
    run_cell(kernel, Q2_ANSWER + "cnc102_mean_spindle_c = round(cnc102_mean_spindle_c, 1)", cell_id="q2")
    rounded = run_cell(kernel, "ex.q2.check()")
    assert "rounded to fewer decimals" in rounded and "leave out the round(), or write round(..., 2)" in rounded


def test_review_a_misspelt_name_is_pointed_out(ex, tables):
    result = verdict(ex, "q1", "cnc103_rated_power = 22", tables)
    assert result.status == "incorrect"
    assert result.message.startswith("There is no `cnc103_rated_power_kw` yet, but there is `cnc103_rated_power`: "
                                     "check the spelling.")



def test_review_a_figure_with_left_out_readings_also_lists_its_other_problems(ex, tables):
    """The review's a5: readings above 0 only, the 7.1 line, bare labels: every problem in one round."""
    code = Q4_ANSWER.replace('historian["Timestamp"], historian["Vibration RMS [mm/s]"]',
                             'historian["Timestamp"][vibration_mm_s > 0], vibration_mm_s[vibration_mm_s > 0]')
    code = 'vibration_mm_s = historian["Vibration RMS [mm/s]"]\n' + code.replace("axhline(2.8", "axhline(7.1")
    code = code.replace('set_xlabel("local time")', 'set_xlabel("Europe/Berlin")').replace(
        'set_ylabel("vibration RMS (mm/s)")', 'set_ylabel("mm/s")')
    result = verdict(ex, "q4", code, tables)
    assert result.mistake == "left_out_readings"
    lines = result.reason.split("\n")
    assert lines[0] == ex.q4.exercise.mistake_message("left_out_readings") and lines[1] == "Also to change in your figure:"
    assert lines[2:] == [
        "- The x-axis label 'Europe/Berlin' should say 'local': the times of this table are the plant's local time, not UTC.",
        "- The y-axis label 'mm/s' should name what is measured ('vibration'), not only its unit.",
        "- The limit line at 2.8 mm/s is missing (draw it with ax.axhline(...)).",
    ]


def test_review_a_figure_at_the_wrong_limit_also_lists_its_labels(ex, tables):
    code = Q4_ANSWER.replace("axhline(2.8", "axhline(7.1").replace('set_xlabel("local time")', 'set_xlabel("time")')
    result = verdict(ex, "q4", code, tables)
    assert result.mistake == "limit_c_d" and "Also to change in your figure:\n- The x-axis label 'time'" in result.reason
    assert "2.8 mm/s is missing" not in result.reason, "the mistake's own message explains the limit"


def test_review_a_german_x_label_is_told_to_say_local(ex, tables):
    result = verdict(ex, "q4", Q4_ANSWER.replace('set_xlabel("local time")', 'set_xlabel("Zeit (Ortszeit)")'), tables)
    assert result.message.startswith("The x-axis label 'Zeit (Ortszeit)' should say 'local'")


# --- hints ----------------------------------------------------------------------------------------

# What a trainee writes into each ___ of a last hint, in order.
BLANKS = {
    "q1": ["22.0"],
    "q2": ['"CNC-102"', '"spindle_temp_c"'],
    "q3": ["spindle_c > 0"],
    "q4": ['"Vibration RMS [mm/s]"', "2.8", "Is CNC-102's vibration in zone C", "vibration RMS"],
}


@pytest.mark.parametrize("name", ["q1", "q2", "q3", "q4"])
def test_the_last_hint_is_the_answer_but_for_its_blanks(ex, tables, name):
    """Close to the answer: its blanks filled in, it passes the check. Not the worked answer itself:
    that is what ex.qN.solution() is for."""
    last = getattr(ex, name).exercise.hints[-1]
    solution = nbformat.read(SOLUTION, as_version=4)
    worked = cells.region_text(next(c for c in solution.cells if c.id == name).source)
    assert worked not in last and "___" in last
    if name == "q1":
        code = re.search(r"cnc103_rated_power_kw = ___", last).group(0)
    else:
        code = "\n".join(line for line in last.split("\n")[1:])
    for blank in BLANKS[name]:
        code = code.replace("___", blank, 1)
    assert "___" not in code
    assert verdict(ex, name, code, tables).status == "correct", code


def test_the_hints_of_exercise_0_1_point_at_the_right_row():
    assets = data.load("assets")
    assert assets.loc[2, "asset_id"] == "CNC-103", "hint 3 of exercise 0.1 names CNC-103's row by its index"


# --- the notebooks ------------------------------------------------------------------------------


def test_the_solution_notebook_checks_correct_everywhere():
    results = check_results(nbformat.read(SOLUTION, as_version=4))
    assert [(r["exercise"], r["status"]) for r in results] == [(q, "correct") for q in ("q1", "q2", "q3", "q4")]
    course = load_course(REPO)
    assert sum(r["max_score"] for r in results) + 1 == course.module_points("00") == 8, "q4's hidden point comes on top"


def test_the_trainee_notebook_is_the_build_of_the_solution():
    assert TRAINEE.read_text(encoding="utf-8") == notebook_text(build_trainee_notebook(nbformat.read(SOLUTION, as_version=4)))


def test_the_trainee_notebook_keeps_what_the_browser_session_needs():
    trainee = nbformat.read(TRAINEE, as_version=4)
    code = [cell for cell in trainee.cells if cell.cell_type == "code"]
    with_placeholder = [cell.id for cell in code if PLACEHOLDER_LINE.search(cell.source)]
    assert with_placeholder == ["q1", "q2", "q3", "q4"], "only exercise cells hold a `name = ...` line"
    for cell in code:
        if cell.id in with_placeholder:
            following = code[code.index(cell) + 1]
            assert following.id == f"{cell.id}-check" and following.source == f"ex.{cell.id}.check()"
    first_answer = next(c for c in nbformat.read(SOLUTION, as_version=4).cells if c.id == "q1")
    assert cells.region_text(first_answer.source) == "cnc103_rated_power_kw = 22.0", "a one-liner a browser can type"
    widget_cells = [cell for cell in code if "widgets.Dropdown(" in cell.source]
    assert len(widget_cells) == 1 and "nbval-ignore-output" in widget_cells[0].metadata["tags"]
    assert "interactive_output(plot_vibration_year" in widget_cells[0].source


def test_no_cell_hands_out_a_hint_by_itself():
    """Run top to bottom, the notebook shows no hint or worked answer: the trainee asks for them."""
    trainee = nbformat.read(TRAINEE, as_version=4)
    asked = [cell.id for cell in trainee.cells if cell.cell_type == "code"
             if re.search(r"^[^#\n]*\bex\.\w+\.(hint|solution)\(", cell.source, re.MULTILINE)]
    assert asked == []
    own = next(cell for cell in trainee.cells if cell.id == "own-tries")
    assert own.metadata.get("editable", True) and "ex.q1.hint()" in own.source


def test_the_solution_shows_every_figure_without_a_live_kernel():
    """Including the machine picker's first figure, which the build keeps as a plain output."""
    solution = nbformat.read(SOLUTION, as_version=4)
    drawn = [cell.id for cell in solution.cells for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
    assert drawn == ["spindle-figure", "zone-static", "zone-widget", "q4"]
    for cell in solution.cells:
        if cell.cell_type == "code" and "plt.subplots(" in cell.source:
            assert cell.source.rstrip().endswith("plt.show()"), f"{cell.id} ends with plt.show()"


@pytest.mark.slow
def test_a_blank_trainee_notebook_runs_and_says_not_attempted(tmp_path):
    executed = execute_notebook(nbformat.read(TRAINEE, as_version=4), TRAINEE.parent)
    errors = [output for cell in executed.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert errors == []
    assert [(r["exercise"], r["status"]) for r in check_results(executed)] == [
        (q, "not_attempted") for q in ("q1", "q2", "q3", "q4")
    ]
    streams = [output.text for cell in executed.cells for output in cell.get("outputs", []) if output.output_type == "stream"]
    assert not any("Warning" in text for text in streams), "warnings are part of the output: fix their cause"


@pytest.mark.slow
def test_run_all_goes_on_past_a_red_exercise_cell_and_its_check_says_so(tmp_path):
    """The review: a red error in an exercise cell stopped Run All, so the later checks never ran.
    The exercise cells are tagged raises-exception, so the run goes on (nbclient, like JupyterLab,
    then does not abort the cells after it); the check under the red cell names its error."""
    trainee = nbformat.read(TRAINEE, as_version=4)
    answers = {
        "q2": Q2_ANSWER + 'cnc102["spindle_temp"].mean()',  # the right answer stored, then a KeyError
        "q3": Q3_ANSWER,
    }
    for cell in trainee.cells:
        if cell.get("id") in answers:
            assert "raises-exception" in cell.metadata["tags"]
            cell.source = answers[cell.id]
    executed = execute_notebook(trainee, TRAINEE.parent)
    results = {r["exercise"]: r["status"] for r in check_results(executed)}
    assert results == {"q1": "not_attempted", "q2": "incorrect", "q3": "correct", "q4": "not_attempted"}
    check = next(c for c in executed.cells if c.id == "q2-check").outputs[0]["data"]["text/plain"]
    assert check.startswith("Exercise 0.2: not yet right. The last time your exercise cell ran, it stopped with an error (KeyError)")


@pytest.mark.slow
def test_executing_a_notebook_with_a_widget_keeps_its_figure_and_no_widget_state(tmp_path):
    """The build runs the module's machine picker. The figure its Output widget shows is kept as a
    plain output; no widget state, and no widget views pointing into it, are written."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import ipywidgets as widgets\nimport matplotlib.pyplot as plt\nfrom IPython.display import display\n"
                "def draw(limit):\n    fig, ax = plt.subplots()\n    ax.axhline(limit)\n    plt.show()\n"
                "picker = widgets.Dropdown(options=[1, 2], value=1)\n"
                "display(picker, widgets.interactive_output(draw, {'limit': picker}))"
            )
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executed = execute_notebook(nb, tmp_path)
    assert "widgets" not in executed.metadata
    outputs = executed.cells[0].outputs
    assert [output.data["text/plain"].split(" ")[0].split("(")[0] for output in outputs] == ["<Figure", "Dropdown", "Output"]
    assert [sorted(output.data) for output in outputs] == [["image/png", "text/plain"], ["text/plain"], ["text/plain"]]


# --- the historian export the story stands on ---------------------------------------------------


def test_the_export_shows_what_the_notebook_tells():
    historian = m00.read_historian()
    spindle = historian[m00.SPINDLE_HEADER]
    zeros = historian[spindle == 0]
    assert len(zeros) >= 3 and (zeros["Machine State"] == "PRODUCING").all() and (zeros["Speed [rpm]"] > 0).all(), (
        "section 4 shows a run of 0.0 spindle readings while the machine cuts"
    )
    assert spindle.notna().all(), "section 4 says the spindle's bad readings are zeros, not gaps"
    vibration = historian[m00.VIBRATION_HEADER]
    assert vibration.isna().sum() > 0 and (vibration == 0).sum() > 0, "the vibration dropout: empty cells, 0.0 at its edges"
    times = historian["Timestamp"]
    spring_night = times[(times >= "2025-03-30 00:00") & (times < "2025-03-30 04:00")]
    assert not ((spring_night >= "2025-03-30 02:00") & (spring_night < "2025-03-30 03:00")).any()
    assert spring_night.max() >= pd.Timestamp("2025-03-30 03:00") and (spring_night == "2025-03-30 01:55").any()


def test_the_week_s_vibration_tells_what_the_notebook_says():
    """Section 4 and the text after Exercise 0.4 describe this week in words and dates; the export
    is the same file for every plant, so the words are checked here once."""
    historian = m00.read_historian()
    times, state = historian["Timestamp"], historian["Machine State"]
    vibration = historian[m00.VIBRATION_HEADER]
    assert times.iloc[0].day_name() == "Thursday" and times.iloc[0].strftime("%d %B") == "27 March"
    assert times.iloc[-1] < pd.Timestamp("2025-04-03"), "the dates along the bottom run to Thursday 3 April"

    weekend = (times >= "2025-03-29 14:00") & (times < "2025-03-31 06:00")
    assert state[weekend].isin(["OFF", "DOWN"]).all() and not (state[~weekend] == "OFF").any()
    # The bearing was replaced over the weekend: down from Saturday 14:00 to Sunday 08:30, then off.
    repair = (times >= "2025-03-29 14:00") & (times <= "2025-03-30 08:30")
    assert (state[repair] == "DOWN").all() and (state[weekend & ~repair] == "OFF").all()
    assert [times[weekend].iloc[0].day_name(), times[weekend].iloc[-1].day_name()] == ["Saturday", "Monday"]
    after_clock_change = historian[times >= "2025-03-30 01:45"].head()
    assert after_clock_change["Timestamp"].dt.strftime("%H:%M").tolist() == ["01:45", "01:50", "01:55", "03:00", "03:05"]
    assert (after_clock_change["Machine State"] == "DOWN").all(), "the jump hides in the times alone"

    gap = times[vibration.isna()]
    assert gap.min() >= pd.Timestamp("2025-03-27 13:20") and gap.max() <= pd.Timestamp("2025-03-27 17:05")
    assert gap.iloc[0].day_name() == "Thursday" and len(gap) == (gap.max() - gap.min()) / pd.Timedelta("5min") + 1
    at_rest = vibration[state != "PRODUCING"]
    assert at_rest.min() >= 0.01 and at_rest.max() <= 0.05, "a machine at rest reads 0.01 to 0.05 mm/s, never 0.00"
    zeros = historian[vibration == 0]
    assert zeros["Timestamp"].dt.strftime("%d %B %H:%M").tolist() == ["27 March 13:20", "27 March 17:05"]
    assert (zeros["Machine State"] == "PRODUCING").all(), "the dropout's 0.00 edges come while the machine cuts"
    assert gap.min() - zeros["Timestamp"].min() == pd.Timedelta("5min") == zeros["Timestamp"].max() - gap.max(), (
        "the empty stretch lies between the two 0.00 readings"
    )

    cutting = vibration[(state == "PRODUCING") & (vibration > 0)]
    before, after = cutting[times < "2025-03-29 14:00"], cutting[times >= "2025-03-31 06:00"]
    assert (before > 2.8).mean() > 0.99 and before.max() == 4.56, "Thursday to Saturday: zone C, up to 4.56 mm/s"
    assert after.round(1).between(0.5, 0.8).all() and after.max() < 1.12, "after the weekend: 0.5 to 0.8 mm/s, zone A"
    assert not (vibration > 7.1).any(), "no reading in zone D: the filter finds no row"
    # The finding the replacement came from: the weekly round's reading on Monday 24 March.
    sheet = data.load("inspections")
    found = sheet[(sheet["asset_id"] == "CNC-102") & (sheet["component"] == "spindle bearing")
                  & (sheet["timestamp"].dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m-%d") == "2025-03-24")]
    assert found["finding"].tolist() == [True] and round(float(found["reading"].iloc[0]), 1) == 3.0


def test_drops_to_almost_0_in_the_year_figure_are_days_at_rest():
    """Section 5: where a machine's highest vibration of the day is almost 0, it did not cut that day."""
    telemetry = data.load("telemetry")
    by_day = telemetry.groupby(["asset_id", telemetry["timestamp"].dt.floor("D")])
    daily = by_day.agg(highest_mm_s=("vibration_rms_mm_s", "max"), producing=("machine_state", lambda s: (s == "producing").sum()))
    quiet = daily[daily["highest_mm_s"] < 0.2]
    assert len(quiet) > 0 and (quiet["producing"] == 0).all()


def test_the_zone_table_answers_the_widget_s_question_from_the_data():
    """Each machine's highest zone, recomputed here from the telemetry with the standard's limits."""
    from academy.plots import zones_reached

    telemetry, assets = data.load("telemetry"), data.load("assets")
    table = zones_reached(telemetry, assets)
    assert table["asset_id"].tolist() == assets["asset_id"].tolist()
    for row in table.itertuples():
        readings = telemetry.loc[telemetry["asset_id"] == row.asset_id, "vibration_rms_mm_s"]
        a_b, b_c, c_d = m00.zone_limits(data, row.asset_id)
        highest = readings.max()
        assert row.highest_zone == "ABCD"[sum(int(highest > limit) for limit in (a_b, b_c, c_d))], row.asset_id
    assert set(table["highest_zone"]) >= {"C", "D"}, "the text after the table points at C and D machines"


@pytest.mark.parametrize("asset_id", ["CNC-202", "PMP-101"])
def test_every_year_figure_keeps_all_four_zone_bands_in_view(asset_id):
    """A calm machine's figure still shows zone D, so one machine's figure reads like the next's."""
    from academy.plots import plot_vibration_year

    plt.close("all")
    plot_vibration_year(asset_id)
    ax = plt.gcf().axes[0]
    c_d = m00.zone_limits(data, asset_id)[2]
    assert ax.get_ylim()[1] > c_d * 1.1
    assert [text.get_text() for text in ax.texts] == ["zone A", "zone B", "zone C", "zone D"]
    plt.close("all")


def test_the_year_figure_needs_none_of_the_simulator_s_numerics():
    """The review's slow cell: plot_vibration_year looked the zone limits up in plantsim.sensors,
    whose import of scipy.signal cost seconds (10 s on a cold first run). The figure imports no scipy."""
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('Agg'); import sys\n"
            "from academy.plots import plot_vibration_year, zones_reached\n"
            "plot_vibration_year('CNC-102'); zones_reached()\n"
            "from academy.modules import m00; from academy import data; m00.zone_limits(data, 'CNC-102')\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] == 'scipy'))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"


def test_the_stated_minutes_are_the_measured_ones():
    """Reading at 120 words a minute, plus the exercises' minutes, plus the page's unchecked tasks,
    rounded up to five: the title and course.yml say so."""
    from academy.minutes import hands_on_minutes, module_minutes, reading_minutes

    trainee = nbformat.read(TRAINEE, as_version=4)
    exercises = academy.exercises("00").course_module.exercises
    assert all(exercise.minutes > 0 for exercise in exercises)
    stated = load_course(REPO).module("00").minutes
    assert stated == module_minutes(trainee, exercises, m00.HANDS_ON_MINUTES)
    assert f"about {stated} minutes" in trainee.cells[0].source
    measured = reading_minutes(trainee) + sum(e.minutes for e in exercises) + hands_on_minutes(trainee, m00.HANDS_ON_MINUTES)
    assert stated - 5 < measured <= stated


def test_hands_on_minutes_name_cells_of_the_page():
    from academy.minutes import hands_on_minutes

    trainee = nbformat.read(TRAINEE, as_version=4)
    assert hands_on_minutes(trainee, m00.HANDS_ON_MINUTES) > 0
    with pytest.raises(ValueError, match="no-such-cell"):
        hands_on_minutes(trainee, {"no-such-cell": 2})
    asks = {c.id: c.source for c in trainee.cells}
    assert "**Try it:**" in asks["variable-explained"] and "**Try it:**" in asks["after-q4-conclusion"]
    assert "Open With ▸ Editor" in asks["read-csv-explained"]


def test_the_page_explains_what_it_shows_before_a_trainee_meets_it():
    """What the trainee review met unexplained, each explained in a text cell before the cell that shows it."""
    trainee = nbformat.read(TRAINEE, as_version=4)
    order = [cell.id for cell in trainee.cells]

    def explained_before(words: str, shown_in: str) -> None:
        where = [c.id for c in trainee.cells if c.cell_type == "markdown" and words in c.source]
        assert where and order.index(where[0]) <= order.index(shown_in), (words, shown_in)

    explained_before("Behind the notebook runs the *kernel*", "notebook-basics")
    explained_before("the `+00:00` at its end says so", "telemetry-explained")
    explained_before("`16.299999`", "telemetry-explained")
    explained_before("`NameError: name 'np' is not defined`", "q2-task")
    explained_before("**Open With ▸ Editor**", "read-csv-explained")
    explained_before("`TypeError: Cannot perform reduction 'mean' with string dtype`", "q3-task")
    for column in ("bearing_designation", "bpfo_order", "bpfi_order", "failure_modes", "recipes"):
        explained_before(f"`{column}`", "q1-task")
    # the second review's list
    explained_before("Python writes the answers below as `np.float32(...)`", "mean-example")
    explained_before("*RMS* (root mean square", "q4-task")
    explained_before("so the first row is dated 31 December 2024, 23:00", "telemetry-head")
    explained_before("settings* written `name=value`", "read-csv-example")
    explained_before("`fig, ax = plt.subplots(figsize=(9, 3.5))`, makes an empty figure", "spindle-figure")
    explained_before('*string dtype* is how pandas says "a column of text"', "min-with-zeros")
    explained_before('`assets["asset_id"].tolist()`, the id column turned into a plain list', "zone-widget")
    explained_before('the curly braces in `{"asset_id": machine_picker}`', "zone-widget")
    explained_before("The round brackets around `vibration_mm_s > 2.8`", "vibration-counts")
    explained_before("the comma inside it separates the two things it writes", "vibration-counts")
    code = "\n".join(c.source for c in trainee.cells if c.cell_type == "code")
    assert "def plot_vibration_year" not in code, "the year figure is the course's tool, called in one line"
    text = "\n".join(c.source for c in trainee.cells if c.cell_type == "markdown")
    assert "round(" not in text, "round() is never taught, so the page does not use it"


def test_the_first_row_of_the_year_is_local_midnight_in_utc():
    first = data.load("telemetry")["timestamp"].min()
    assert first.strftime("%d %B %Y, %H:%M") == "31 December 2024, 23:00"
    assert first.tz_convert("Europe/Berlin").strftime("%d %B %Y %H:%M") == "01 January 2025 00:00"


def test_the_recipes_of_machines_that_machine_nothing_are_empty_text_not_nan():
    """Section 2 says a pump's recipes cell shows nothing; it must not call it NaN."""
    assets = data.load("assets")
    others = assets[assets["kind"] != "cnc"]
    assert len(others) > 0 and (others["recipes"] == "").all() and assets.isna().sum().sum() == 0
    text = next(c.source for c in nbformat.read(TRAINEE, as_version=4).cells if c.id == "filter-explained")
    assert "so its `recipes` cell shows nothing at all" in text and "NaN" not in text


def test_the_page_says_solution_is_there_only_where_the_course_run_allows_it(ex, tmp_path, monkeypatch, capsys):
    import json

    text = next(c.source for c in nbformat.read(TRAINEE, as_version=4).cells if c.id == "hints-explained")
    assert "shows a worked answer where your course run allows it; where worked answers are switched off, it says so" in text
    (tmp_path / "release.json").write_text(json.dumps({"show_solutions": False}))
    monkeypatch.setenv("ACADEMY_RELEASE", str(tmp_path / "release.json"))
    ex.q1.solution()
    assert "switched off" in capsys.readouterr().out


def test_the_number_rule_s_example_is_no_answer_and_follows_the_rule(ex):
    from academy.exercise.kinds import numbers_agree, rounded_too_far
    from academy.exercise.words import word

    task = next(c.source for c in nbformat.read(TRAINEE, as_version=4).cells if c.id == "q2-task")
    example = re.search(r"(\d+\.\d+) for (\d+\.\d+) is right; (\d+\.\d+) is not, and neither is (\d+\.\d+)", task)
    right, exact, fewer, cut = (float(group) for group in example.groups())
    assert f"({right} for {exact})" in word("guide.number_rule"), "the trainee README's rule uses the same example"
    assert numbers_agree(right, exact) and not numbers_agree(fewer, exact) and not numbers_agree(cut, exact)
    assert rounded_too_far(fewer, exact) == 1 and rounded_too_far(cut, exact) == 2
    for exercise in ex.course_module.exercises[:3]:
        answer = float(exercise.expected(ex.data))
        assert not numbers_agree(right, answer) and abs(answer - exact) > 1, exercise.name


def test_the_hidden_point_is_explained_with_the_module_s_points(ex):
    points = load_course(REPO).module_points("00")
    public = sum(exercise.public_points for exercise in ex.course_module.exercises)
    task = next(c.source for c in nbformat.read(TRAINEE, as_version=4).cells if c.id == "q4-task")
    assert points == 8 and public == 7
    assert f"lists {points:g} points for this module while the checks, and `academy progress`, count {public:g}" in task


def test_only_the_course_s_own_cells_are_locked_and_the_page_says_so():
    trainee = nbformat.read(TRAINEE, as_version=4)
    for cell in trainee.cells:
        locked = cell.metadata.get("editable", True) is False
        role = cells.role(cell)
        assert locked == (cell.cell_type == "markdown" or role in ("setup", "check", "hidden_tests")), cell.id
    text = next(c.source for c in trainee.cells if c.id == "notebook-basics")
    assert "(the setup at the top and the checks) are locked. The worked examples are not" in text
    assert "copy them (Ctrl+C, then Ctrl+V in your cell); do not cut them" in text
    assert "copy them, do not cut them" in academy.exercises("00").q4.exercise.hints[0]


def test_over_the_weekend_the_stopped_spindle_follows_the_hall():
    """Section 4: cooled within two hours of the stop, then cooler at night, warmer by day on Sunday."""
    historian = m00.read_historian()
    spindle = historian.set_index("Timestamp")[m00.SPINDLE_HEADER]
    stop = spindle["2025-03-29 14:00":"2025-03-29 16:00"]
    assert stop.iloc[0] > stop.iloc[-1] + 10, "the spindle cools fast once the machine stops"
    night, sunday = spindle["2025-03-30 00:00":"2025-03-30 06:00"], spindle["2025-03-30 10:00":"2025-03-30 18:00"]
    assert sunday.max() > night.min() + 2, "warmer again by day on Sunday"


def test_the_weekdays_the_text_names_stand_next_to_their_dates():
    trainee = nbformat.read(TRAINEE, as_version=4)
    text = next(c.source for c in trainee.cells if c.id == "spindle-figure-explained")
    historian = m00.read_historian()
    days = historian["Timestamp"].dt.normalize().drop_duplicates()
    listed = ", ".join(day.strftime("%a %-d") for day in days)
    assert "Thu 27, Fri 28, Sat 29, Sun 30 and Mon 31 March, Tue 1, Wed 2 and Thu 3 April" in text
    assert listed.startswith("Thu 27, Fri 28, Sat 29, Sun 30, Mon 31, Tue 1, Wed 2")


def test_the_limit_in_the_task_is_cnc102s_class_limit():
    assert m00.zone_limits(data, "CNC-102") == (1.12, 2.8, 7.1)
    assets = data.load("assets")
    assert assets.loc[assets["asset_id"] == "CNC-103", "rated_power_kw"].iloc[0] == 22.0, "the answers typed in above"


def test_the_module_reads_its_machine_and_week_from_the_plant_s_story():
    """m00.py names the historian export through the scenario's story; the notebook's text tells the same story."""
    export = data.story().historian_export
    assert (m00.EXPORT_MACHINE, m00.HISTORIAN_FILE) == (export.asset, export.file_name)
    assert m00.read_historian()["Timestamp"].iloc[0] == pd.Timestamp(export.start)
    solution = nbformat.read(SOLUTION, as_version=4)
    read_csv = next(c.source for c in solution.cells if c.id == "read-csv-example")
    assert f"../datasets/plant/{export.file_name}" in read_csv
    assert export.asset in m00.WORDS["q2"]["todo"] and export.asset in solution.cells[cells_index(solution, "q4-task")].source
    shown = {(event.kind, event.column) for event in data.story().events if event.asset == export.asset}
    assert shown == {("dropout", "vibration_rms_mm_s"), ("zero_value", "spindle_temp_c")}, (
        "sections 4 and 5 explain the week's vibration gap and its 0.0 spindle readings"
    )


def cells_index(nb, cell_id: str) -> int:
    return [cell.id for cell in nb.cells].index(cell_id)
