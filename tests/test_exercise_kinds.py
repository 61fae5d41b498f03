"""Answer kinds: what they accept, how they compare, and what they say when an answer is off."""
from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from academy.exercise import (
    Choice, Column, Exercise, Figure, Integer, Labels, Mistake, Number, Table, WrongForm, expected_figure, score, to_plain,
)
from academy.exercise.figures import MAX_POINTS


def judge(kind, answer, expected):
    """(ok, reason) the way score() judges: convert both sides, then compare."""
    try:
        converted = kind.convert(to_plain(answer))
    except WrongForm as reason:
        return False, str(reason)
    comparison = kind.compare(converted, kind.convert_expected(expected))
    return comparison.ok, comparison.reason


class RiggedEquality:
    """An answer that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class RiggedFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class RiggedSeries(pd.Series):
    def equals(self, other):
        return True

    def __eq__(self, other):
        return pd.Series(True, index=self.index)


class RiggedFrame(pd.DataFrame):
    def equals(self, other):
        return True


# --- Number ------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [2.25, np.float64(2.25), np.float32(2.25), np.array(2.25), 2.2500000001])
def test_number_accepts_numbers_of_any_numeric_type(answer):
    assert judge(Number(unit="mm/s"), answer, 2.25) == (True, "")


def test_number_reports_a_wrong_value_with_its_unit():
    ok, reason = judge(Number(unit="mm/s"), 2.5, 2.25)
    assert not ok
    assert reason.startswith("2.5 mm/s is not the value the check expects")


def test_number_tolerance_is_one_rule_for_the_course_two_decimals():
    """The same rule everywhere: 32.32 for 32.3167 (0.0033 off) and 31.87 for 31.8728 (0.0028
    off) both agree to two decimals; 32.316734 typed in is right however it was obtained."""
    assert judge(Number(), 32.32, 32.316734313964844) == (True, "")
    assert judge(Number(), 31.87, 31.872759138708066) == (True, "")
    assert judge(Number(), 32.316734, 32.316734313964844) == (True, "")
    assert judge(Number(), round(32.316734313964844, 2), 32.316734313964844) == (True, "")
    assert not judge(Number(), 32.31, 32.316734313964844)[0], "0.0067 off: not the same to two decimals"
    assert not judge(Number(), 2.256, 2.25)[0]
    assert judge(Number(), 1261440.5, 1261440.0)[0], "large sums keep their first six digits"
    assert "rel_tol" not in {field.name for field in dataclasses.fields(Number)}, "no tolerance per exercise"


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (pd.DataFrame({"a": [1.0, 2.0]}), "Expected a number in mm/s, got a whole table, 2 rows and 1 column."),
        (pd.Series([1.0, 2.0]), "got a whole column of 2 readings"),
        ("2.25", "got the text '2.25'"),
        (True, "got a yes/no value (True)"),
        (None, "got None"),
        ([1.0, 2.0], "got a list of 2 items"),
        (RiggedEquality(), "got a RiggedEquality"),
    ],
)
def test_number_names_the_form_it_got(answer, phrase):
    ok, reason = judge(Number(unit="mm/s"), answer, 2.25)
    assert not ok
    assert phrase in reason


def test_number_points_out_a_single_value_wrapped_in_a_list_or_column():
    for wrapped in ([2.25], pd.Series([2.25]), np.array([2.25])):
        ok, reason = judge(Number(unit="kW"), wrapped, 2.25)
        assert not ok and reason.startswith("Expected a number in kW, got a column (or a list) holding one value, "
                                            "not the value itself. Add .iloc[0] at the end of a column")
        assert "holding 1" not in reason


@pytest.mark.parametrize(
    "from_column, step",
    [("summary", "then finish with a step that makes one number of it, such as .mean()"),
     ("one_row", "then add .iloc[0] to take out its first value; or read the number off the table"),
     ],
)
def test_number_tells_a_whole_table_how_to_get_one_number_out_of_it(from_column, step):
    """A one-row table (a filter on the asset register) says "1 row", and what to do next."""
    one_row = pd.DataFrame({"asset_id": ["CNC-103"], "rated_power_kw": [22.0], "model": ["VMC-1000"]})
    ok, reason = judge(Number(unit="kW", from_column=from_column), one_row, 22.0)
    assert not ok and reason.startswith("Expected a number in kW, got a whole table, 1 row and 3 columns. "
                                        "Take the one column the task asks about first")
    assert step in reason and "1 rows" not in reason and "pandas" not in reason


@pytest.mark.parametrize(
    "answer, written",
    [(pd.Series([1.0, 2.0]).mean, ".mean"), (pd.Series([1.0, 2.0]).max, ".max"), (np.array([1.0]).mean, ".mean"),
     (round, "round")],
)
def test_number_says_to_add_the_brackets_to_a_step_written_without_them(answer, written):
    ok, reason = judge(Number(unit="°C"), answer, 2.25)
    assert not ok and reason == (f"Expected a number in °C, got `{written}` without the () after it: add () after "
                                 f"{written}, so that Python carries it out.")
    assert "method" not in reason


def test_a_step_without_brackets_keeps_its_name_on_the_way_to_the_grader():
    from academy.exercise.plain import decode, encode

    assert "`.mean` without the ()" in judge(Number(), decode(encode(pd.Series([1.0]).mean)), 2.25)[1]


def test_number_explains_a_decimal_comma_without_naming_a_tuple():
    ok, reason = judge(Number(unit="kW"), (22, 0), 22.0)
    assert not ok and reason == ("Python writes a decimal with a point, not a comma: 22.0, not 22,0. With the comma, "
                                 "Python reads two numbers, 22 and 0.")


def test_number_explains_nan():
    ok, reason = judge(Number(), float("nan"), 2.25)
    assert not ok and "NaN" in reason


@pytest.mark.parametrize(
    "answer, expected",
    [(32.3, 32.316734313964844), (32.0, 32.316734313964844), (31.9, 31.872759138708066), (1260000, 1261440.0),
     # cut off rather than rounded: 31.8 for 31.8728, and 32.31 for 32.3167 (two decimals, but the
     # third was 6, so cutting changed the second)
     (31.8, 31.872759138708066), (32.31, 32.316734313964844), (31, 31.872759138708066)],
)
def test_number_says_close_when_an_answer_is_rounded_or_cut_off_too_soon(answer, expected):
    ok, reason = judge(Number(unit="°C"), answer, expected)
    assert not ok
    written = "has its digits cut off rather than rounded" if answer == 32.31 else "agrees with the expected number, but to fewer than the 2 decimals the course asks for"  # two decimals written, the second cut off where rounding is higher
    assert reason.startswith(f"Close: {answer:g} °C {written}."), reason
    assert "steps again" not in reason
    assert "round()" not in reason, "round() is named only when the cell used it"
    assert "by hand" not in reason, "round(x, 1) is not typed in by hand"


def test_a_rounding_check_names_round_only_when_the_exercise_cell_used_it():
    exercise = Exercise(name="q1", number="90.1", answer="mean_c", expected=lambda data: 32.316734, kind=Number(unit="°C"),
                        mistakes=[Mistake("x", lambda data: 0.0)], points=1, objective="90.1", module="90",
                        words={"todo": "t", "hints": ["a", "b"], "mistakes": {"x": "y"}})
    rounded = score(exercise, 32.3, None, cell_source="mean_c = round(cnc102['spindle_temp_c'].mean(), 1)")
    assert rounded.reason.startswith("Close: 32.3 °C is the expected number rounded to fewer decimals")
    assert "leave out the round(), or write round(..., 2)" in rounded.reason
    typed = score(exercise, 32.3, None, cell_source="mean_c = 32.3")
    assert "round()" not in typed.reason and "agrees with the expected number, but to fewer than the 2 decimals the course asks for" in typed.reason


@pytest.mark.parametrize(
    "answer, expected",
    [
        (32.5, 32.316734313964844),  # no rounding of 32.3167 gives 32.5
        (20, 22.0),
        (0.6, 0.004),
        (22.1, 22.0),
        (float(np.float32(32.29)), 32.316734313964844),
        (32.3167, 33.5),
    ],
)
def test_number_keeps_the_plain_reason_for_answers_that_are_not_roundings(answer, expected):
    ok, reason = judge(Number(unit="°C"), answer, expected)
    assert not ok and "is not the value the check expects" in reason and "Close" not in reason


def test_a_decimal_comma_is_explained():
    """22,0 makes Python a tuple (22, 0): not "a list of 2 items"."""
    ok, reason = judge(Number(unit="kW"), (22, 0), 22.0)
    assert not ok and reason.startswith("Python writes a decimal with a point, not a comma: 22.0, not 22,0.")
    assert "list" not in reason
    ok, reason = judge(Number(unit="°C"), (32, 32), 32.316734313964844)
    assert "32.32, not 32,32" in reason


def test_a_whole_column_is_told_how_to_make_the_number_the_task_asks_for():
    column = pd.Series([18.5, 22.0, 22.0])
    summary = judge(Number(), column, 20.8)[1]
    assert "such as .mean() or .max()" in summary
    one_row = judge(Number(unit="kW", from_column="one_row"), column, 22.0)[1]
    assert "The task asks for one row's value" in one_row and ".iloc[0]" in one_row and ".mean()" not in one_row


def test_nan_says_the_filter_matched_no_rows_and_how_to_list_the_ids():
    ok, reason = judge(Number(), float("nan"), 2.25)
    assert not ok and "the filter kept no rows" in reason
    assert 'assets["asset_id"]' in reason and "missing reading" not in reason
    assert ".unique()" not in reason, "only what module 00 taught"


@pytest.mark.parametrize(
    "answer, message",
    [
        ("22", "Expected a number in kW, got the text '22'. The quotes make it text: write 22 without quotes."),
        (" 18.5 ", "Expected a number in kW, got the text ' 18.5 '. The quotes make it text: write 18.5 without quotes."),
        ("22 kW", "Expected a number in kW, got the text '22 kW'. The quotes make it text: write just the number, 22, "
                  "without quotes and without the unit."),
        ("22kW", "Expected a number in kW, got the text '22kW'. The quotes make it text: write just the number, 22, "
                 "without quotes and without the unit."),
        ("twenty-two", "Expected a number in kW, got the text 'twenty-two'."),
        ("22 kW, 18.5 kW", "Expected a number in kW, got the text '22 kW, 18.5 kW'."),
    ],
)
def test_number_explains_a_number_put_in_quotes(answer, message):
    assert judge(Number(unit="kW"), answer, 22.0) == (False, message)


def test_number_and_count_say_how_to_turn_a_whole_column_into_one_number():
    readings = pd.Series([31.2, 33.0, 0.0, 32.4])
    ok, reason = judge(Number(unit="°C"), readings, 32.2)
    assert not ok and reason == (
        "Expected a number in °C, got a whole column of 4 readings: finish with a step that makes one number "
        "of them, such as .mean() or .max(), whichever the task asks for."
    )
    ok, reason = judge(Integer(), readings, 4)
    assert not ok and reason.endswith("such as .count() or .sum().")
    assert judge(Integer(), "4", 4) == (False, "Expected a whole number, got the text '4'. The quotes make it text: write 4 without quotes.")


def test_a_rigged_float_is_judged_by_its_value():
    assert not judge(Number(), RiggedFloat(9.0), 2.25)[0]
    assert judge(Number(), RiggedFloat(2.25), 2.25)[0]


# --- Integer -----------------------------------------------------------------------------------


def test_integer_accepts_whole_floats_and_numpy_ints():
    assert judge(Integer(), 12.0, 12)[0]
    assert judge(Integer(), np.int64(12), np.int64(12))[0]


def test_integer_refuses_fractions_and_reports_wrong_counts():
    assert judge(Integer(), 12.5, 12) == (False, "Expected a whole number (a count), got 12.5.")
    ok, reason = judge(Integer(), 11, 12)
    assert not ok and reason == "11 is not the count the check expects."


# --- Choice ------------------------------------------------------------------------------------


def test_choice_ignores_case_and_spacing():
    kind = Choice(options=("A", "B", "C", "D"))
    assert judge(kind, " b ", "B")[0]
    ok, reason = judge(kind, "C", "B")
    assert not ok and "'C' is not the answer" in reason


def test_choice_says_when_an_answer_is_not_an_option():
    ok, reason = judge(Choice(options=("A", "B")), "E", "A")
    assert not ok and reason == "'E' is not one of the options: A, B."


def test_free_text_compares_words_not_spacing():
    assert judge(Choice(), "spindle   bearing", "Spindle bearing")[0]
    assert not judge(Choice(case_sensitive=True), "spindle bearing", "Spindle bearing")[0]


# --- Labels ------------------------------------------------------------------------------------


def test_labels_ignore_order_repeats_and_container():
    expected = ["CNC-101", "CNC-201"]
    for answer in (["CNC-201", "CNC-101"], ("CNC-101", "CNC-201", "CNC-101"), {"CNC-101", "CNC-201"},
                   pd.Index(["CNC-201", "CNC-101"]), np.array(["CNC-101", "CNC-201"]), pd.Series(["CNC-101", "CNC-201"])):
        assert judge(Labels(), answer, expected)[0], answer


def test_labels_count_what_is_missing_and_extra_without_naming_it():
    ok, reason = judge(Labels(noun="machine ids"), ["CNC-101", "CNC-102"], ["CNC-101", "CNC-201"])
    assert not ok
    assert reason == "1 of your 2 machine ids are right; 1 expected ones are missing and 1 should not be there."
    assert "CNC-201" not in reason


def test_labels_explain_a_text_answer():
    ok, reason = judge(Labels(noun="machine ids"), "CNC-101, CNC-201", ["CNC-101", "CNC-201"])
    assert not ok and "got the text 'CNC-101, CNC-201'" in reason


# --- Column ------------------------------------------------------------------------------------

EXPECTED_PEAKS = pd.Series({"CNC-101": 64.1, "CNC-102": 58.0, "CNC-201": 69.9}, name="spindle_temp_c")


def test_column_matches_values_by_label_in_any_order():
    answer = EXPECTED_PEAKS.sort_values(ascending=False).rename("anything")
    assert judge(Column(per="machine"), answer, EXPECTED_PEAKS)[0]


def test_column_with_order_requires_the_expected_order():
    answer = EXPECTED_PEAKS.sort_values()
    ok, reason = judge(Column(ordered=True), answer, EXPECTED_PEAKS)
    assert not ok and "another order" in reason


def test_column_names_the_first_differing_label():
    answer = EXPECTED_PEAKS.copy()
    answer["CNC-102"] = 57.0
    ok, reason = judge(Column(), answer, EXPECTED_PEAKS)
    assert not ok and reason == "1 of 3 values differ from the expected ones (the first at CNC-102)."


def test_column_reports_missing_labels_and_lengths():
    ok, reason = judge(Column(per="machine"), EXPECTED_PEAKS.iloc[:2], EXPECTED_PEAKS)
    assert not ok and reason == "Expected 3 values (one per machine), yours has 2."
    renamed = EXPECTED_PEAKS.rename(index={"CNC-201": "CNC-202"})
    ok, reason = judge(Column(), renamed, EXPECTED_PEAKS)
    assert not ok and "for example CNC-201" in reason


def test_repeated_labels_leave_an_expected_label_missing():
    repeated = pd.Series([64.1, 58.0, 58.0], index=["CNC-101", "CNC-102", "CNC-102"])
    ok, reason = judge(Column(), repeated, EXPECTED_PEAKS)
    assert not ok and "for example CNC-201" in reason
    doubled = pd.concat([power_table().iloc[:2], power_table().iloc[[0]]], ignore_index=True)
    ok, reason = judge(Table(key=("asset_id", "machine_state")), doubled, power_table())
    assert not ok and reason == "Rows the check expects are missing from your table, for example CNC-102 / PRODUCING."


def test_numbers_held_as_text_are_pointed_out():
    ok, reason = judge(Column(), EXPECTED_PEAKS.astype(str), EXPECTED_PEAKS)
    assert not ok and reason.startswith("The values in your column are text, not numbers")
    ok, reason = judge(Table(), power_table().astype({"mean_power_kw": str}), power_table())
    assert not ok and reason.startswith("The values in 'mean_power_kw' are text, not numbers")


def test_column_refuses_a_table():
    ok, reason = judge(Column(per="machine"), EXPECTED_PEAKS.to_frame(), EXPECTED_PEAKS)
    assert not ok and "got a whole table, 3 rows and 1 column" in reason


def test_a_rigged_series_is_judged_by_its_values():
    rigged = RiggedSeries([1.0, 1.0, 1.0], index=EXPECTED_PEAKS.index)
    assert not judge(Column(), rigged, EXPECTED_PEAKS)[0]


def test_column_compares_text_values_and_missing_values():
    expected = pd.Series({"CNC-101": "ok", "CNC-102": None})
    assert judge(Column(), pd.Series({"CNC-102": np.nan, "CNC-101": "ok"}), expected)[0]
    assert not judge(Column(), pd.Series({"CNC-101": "ok", "CNC-102": "bad"}), expected)[0]


# --- Table -------------------------------------------------------------------------------------


def power_table():
    return pd.DataFrame(
        {
            "asset_id": ["CNC-101", "CNC-101", "CNC-102"],
            "machine_state": ["IDLE", "PRODUCING", "PRODUCING"],
            "mean_power_kw": [1.9, 11.1, 10.8],
        }
    )


def test_table_accepts_a_named_index_and_rows_in_any_order_by_key():
    kind = Table(columns=("asset_id", "machine_state", "mean_power_kw"), key=("asset_id", "machine_state"))
    grouped = power_table().set_index(["asset_id", "machine_state"])["mean_power_kw"].to_frame()
    assert judge(kind, grouped, power_table())[0]
    assert judge(kind, power_table().iloc[::-1], power_table())[0]


def test_table_without_key_compares_rows_in_order():
    ok, reason = judge(Table(), power_table().iloc[::-1].reset_index(drop=True), power_table())
    assert not ok and "In column 'asset_id', 2 of 3 rows differ" in reason


def test_table_names_columns_rows_and_differing_values():
    kind = Table(key=("asset_id", "machine_state"), per="machine and state")
    ok, reason = judge(kind, power_table().drop(columns="machine_state"), power_table())
    assert not ok and reason == "Your table's columns are asset_id, mean_power_kw; expected asset_id, machine_state, mean_power_kw."
    ok, reason = judge(kind, power_table().iloc[:2], power_table())
    assert not ok and reason == "Expected 3 rows (one per machine and state), your table has 2."
    changed = power_table()
    changed.loc[2, "mean_power_kw"] = 9.0
    ok, reason = judge(kind, changed, power_table())
    assert not ok and reason == "In column 'mean_power_kw', 1 of 3 rows differ from the expected values (the first at CNC-102 / PRODUCING)."


def test_a_rigged_frame_is_judged_by_its_values():
    rigged = RiggedFrame(power_table().assign(mean_power_kw=0.0))
    assert not judge(Table(key=("asset_id", "machine_state")), rigged, power_table())[0]


# --- Figure ------------------------------------------------------------------------------------

Y = [1.0, 2.5, 0.0, 3.1]


def limit_figure(title="Is it above the limit?", xlabel="time", ylabel="vibration (mm/s)", limit=True, y=Y):
    fig, ax = plt.subplots()
    ax.plot(pd.date_range("2025-01-01", periods=len(y), freq="h", tz="UTC"), y)
    if limit:
        ax.axhline(2.8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    plt.close(fig)
    return fig


@pytest.fixture
def figure_kind():
    return Figure(ylabel_units=("mm/s",), unit="mm/s")


def test_figure_passes_when_data_limit_and_labels_are_there(figure_kind):
    assert judge(figure_kind, limit_figure(), expected_figure(y=Y, hlines=[2.8])) == (True, "")
    assert judge(figure_kind, limit_figure().axes[0], expected_figure(y=Y, hlines=[2.8]))[0]


@pytest.mark.parametrize(
    "changes, phrase",
    [
        ({"title": ""}, "no title"),
        ({"xlabel": ""}, "x-axis has no label"),
        ({"ylabel": ""}, "y-axis has no label"),
        ({"ylabel": "vibration"}, "should carry the unit (mm/s)"),
        ({"limit": False}, "The limit line at 2.8 mm/s is missing"),
        ({"y": [1.0, 2.5, 0.5, 3.1]}, "None of the lines"),
    ],
)
def test_figure_says_what_is_missing(figure_kind, changes, phrase):
    ok, reason = judge(figure_kind, limit_figure(**changes), expected_figure(y=Y, hlines=[2.8]))
    assert not ok and phrase in reason


def test_figure_lists_everything_it_lacks_at_once(figure_kind):
    ok, reason = judge(figure_kind, limit_figure(title="", ylabel="vibration", limit=False), expected_figure(y=Y, hlines=[2.8]))
    assert not ok
    assert reason.split("\n") == [
        "3 things to change in your figure:",
        "- Your figure has no title yet: say in it which question the figure answers (ax.set_title(...)).",
        "- The y-axis label should carry the unit (mm/s).",
        "- The limit line at 2.8 mm/s is missing (draw it with ax.axhline(...)).",
    ]


def test_figure_judges_the_drawing_area_with_the_least_left_to_do(figure_kind):
    fig, (empty, drawn) = plt.subplots(1, 2)
    drawn.plot(pd.date_range("2025-01-01", periods=len(Y), freq="h", tz="UTC"), Y)
    drawn.axhline(2.8)
    drawn.set(title="Above the limit?", xlabel="time", ylabel="vibration")
    plt.close(fig)
    assert judge(figure_kind, fig, expected_figure(y=Y, hlines=[2.8])) == (False, "The y-axis label should carry the unit (mm/s).")


def test_figure_mistakes_match_on_data_alone(figure_kind):
    wrong = figure_kind.convert_expected(expected_figure(y=Y))
    answer = figure_kind.convert(to_plain(limit_figure(title="")))
    assert figure_kind.matches_mistake(answer, wrong)
    other = figure_kind.convert(to_plain(limit_figure(y=[9.0, 9.0, 9.0, 9.0])))
    assert not figure_kind.matches_mistake(other, wrong)


def test_figure_refuses_non_figures(figure_kind):
    ok, reason = judge(figure_kind, [1, 2], expected_figure(y=Y))
    assert not ok and "Expected a figure" in reason


def test_figure_limits_drawn_with_hlines_count(figure_kind):
    fig, ax = plt.subplots()
    ax.plot(Y)
    ax.hlines([2.8], 0, 3)
    ax.set(title="Is it above the limit?", xlabel="x", ylabel="mm/s")
    plt.close(fig)
    assert judge(figure_kind, fig, expected_figure(y=Y, hlines=[2.8]))[0]


def test_long_lines_are_compared_by_their_statistics(figure_kind):
    long_y = np.sin(np.linspace(0, 20, MAX_POINTS + 10)) + 2
    assert judge(figure_kind, limit_figure(y=long_y), expected_figure(y=long_y, hlines=[2.8]))[0]
    assert not judge(figure_kind, limit_figure(y=long_y + 0.5), expected_figure(y=long_y, hlines=[2.8]))[0]


# --- a figure check enforces everything its task states ------------------------------------------

TIMES = pd.Series(pd.date_range("2025-03-27 06:00", periods=len(Y), freq="5min"))


def stated_kind() -> Figure:
    """A figure task that states the quantity, local times, units and a dashed limit."""
    return Figure(
        ylabel_units=("mm/s",), unit="mm/s", title_words=("vibration",), xlabel_words=("local",),
        ylabel_words=("vibration",), limit_linestyle="dashed", x_name='historian["Timestamp"]',
    )


def stated_figure(title="Did the vibration stay below the limit?", xlabel="local time", ylabel="vibration RMS (mm/s)",
                  linestyle="--", against_rows=False):
    fig, ax = plt.subplots()
    if against_rows:
        ax.plot(Y)
    else:
        ax.plot(TIMES, Y)
    ax.axhline(2.8, color="#D55E00", linestyle=linestyle)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    plt.close(fig)
    return fig


STATED = expected_figure(x=TIMES, y=Y, hlines=[2.8])


def test_a_figure_that_meets_every_stated_requirement_passes():
    assert judge(stated_kind(), stated_figure(), STATED) == (True, "")


@pytest.mark.parametrize(
    "changes, phrase",
    [
        ({"title": "CNC-102 vibration this week"}, "does not ask a question yet"),
        ({"title": "How warm did CNC-102's spindle run this week?"}, "the question of this figure is about 'vibration'"),
        ({"against_rows": True}, "drawn against their row numbers (0, 1, 2, ...), not against time"),
        ({"xlabel": "time (UTC)"}, "The x-axis label 'time (UTC)' should say 'local'"),
        ({"xlabel": "time"}, "The x-axis label 'time' should say 'local'"),
        ({"ylabel": "mm/s"}, "The y-axis label 'mm/s' should name what is measured ('vibration'), not only its unit"),
        ({"linestyle": "-"}, "The limit line at 2.8 mm/s should be dashed, as the task says"),
    ],
)
def test_a_figure_check_enforces_each_stated_requirement(changes, phrase):
    """The figures a trainee review found passing: each one now gets its own reason."""
    ok, reason = judge(stated_kind(), stated_figure(**changes), STATED)
    assert not ok and phrase in reason, reason


def test_readings_against_other_x_values_are_told_to_use_the_task_s():
    fig, ax = plt.subplots()
    ax.plot(TIMES + pd.Timedelta("1D"), Y)
    ax.axhline(2.8, linestyle="--")
    ax.set(title="Did the vibration stay low?", xlabel="local time", ylabel="vibration (mm/s)")
    plt.close(fig)
    ok, reason = judge(stated_kind(), fig, STATED)
    assert not ok and reason.startswith('Your line has the right readings, but not against the x values the task asks for: '
                                        'give ax.plot historian["Timestamp"] first')


def test_a_limit_drawn_with_hlines_counts_as_dashed_only_with_a_dash_pattern():
    for linestyles, ok in (("dashed", True), ("solid", False)):
        fig, ax = plt.subplots()
        ax.plot(TIMES, Y)
        ax.hlines([2.8], TIMES.iloc[0], TIMES.iloc[-1], linestyles=linestyles)
        ax.set(title="Did the vibration stay low?", xlabel="local time", ylabel="vibration (mm/s)")
        plt.close(fig)
        assert judge(stated_kind(), fig, STATED)[0] is ok


def test_a_known_figure_mistake_matches_whatever_the_limit_style():
    kind = stated_kind()
    wrong = kind.convert_expected(STATED)
    assert kind.matches_mistake(kind.convert(to_plain(stated_figure(linestyle="-"))), wrong)
