"""Answers leave the kernel as JSON and come back with the same verdict (for grading elsewhere)."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from academy import modules
from academy.exercise import ANSWER_FORMAT, MISSING, Figure, Number, extract_answer, load_answer, score, to_plain
from academy.exercise.figures import draw_expected, summarise
from academy.exercise.figures import FigureSummary
from academy.exercise.plain import MAX_ENCODED_CELLS, TooLarge, Unsupported, decode, encode

TEST_COURSE = Path(__file__).parent / "modules"


def through_json(value):
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


@pytest.mark.parametrize(
    "value",
    [None, True, 7, -2.5, "CNC-101", [1, "a", None], {"low": 1.0, "high": [2, 3]}],
)
def test_simple_values_survive_json(value):
    assert through_json(value) == to_plain(value)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf"), 1e-300, 0.1 + 0.2])
def test_floats_survive_json_exactly(number):
    back = through_json(number)
    assert (np.isnan(back) and np.isnan(number)) or back == number


def test_numpy_scalars_and_sets_become_plain():
    assert to_plain(np.float32(1.5)) == 1.5 and type(to_plain(np.float32(1.5))) is float
    assert to_plain(np.int64(3)) == 3 and type(to_plain(np.int64(3))) is int
    assert to_plain({"b", "a"}) == ["a", "b"]
    assert to_plain(np.array(4.0)) == 4.0
    assert isinstance(to_plain(object()), Unsupported)


def test_arrays_survive_json():
    array = np.array([[1.0, np.nan], [3.0, 4.5]])
    back = through_json(array)
    assert back.shape == (2, 2) and np.array_equal(back, array, equal_nan=True)


def test_tables_survive_json_with_their_types():
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2025-03-30 00:00", periods=4, freq="h", tz="Europe/Berlin"),
            "asset_id": pd.Categorical(["CNC-101", "CNC-102", "CNC-101", "CNC-102"]),
            "parts": [1, 2, 3, 4],
            "scrap": pd.array([0, None, 1, 0], dtype="Int64"),
            "vibration_rms_mm_s": [1.5, np.nan, np.inf, 2.0],
            "alarm": [False, True, False, False],
            "note": ["ok", None, "check", "ok"],
            "downtime": pd.to_timedelta([0, 5, 10, None], unit="min"),
        },
        index=pd.Index([10, 11, 12, 13], name="row"),
    )
    back = through_json(frame)
    pd.testing.assert_frame_equal(back, frame, check_index_type=False)


def test_series_and_multi_indexes_survive_json():
    index = pd.MultiIndex.from_tuples([("CNC-101", "IDLE"), ("CNC-101", "PRODUCING")], names=["asset_id", "machine_state"])
    series = pd.Series([1.9, 11.1], index=index, name="mean_power_kw")
    pd.testing.assert_series_equal(through_json(series), series)


def test_huge_tables_are_kept_by_shape():
    big = pd.DataFrame({"a": np.zeros(MAX_ENCODED_CELLS + 1)})
    assert through_json(big) == TooLarge("DataFrame", (MAX_ENCODED_CELLS + 1, 1))
    outside = score(_number_exercise(), through_json(big), None)
    assert outside.status == "incorrect"
    assert f"got a DataFrame of shape {MAX_ENCODED_CELLS + 1} x 1" in outside.message


def _number_exercise():
    from academy.exercise import Exercise, Mistake

    return Exercise(
        name="q1", number="90.1", answer="x", expected=lambda data: 1.0, kind=Number(),
        mistakes=[Mistake("zero", lambda data: 0.0)], points=1, objective="90.1", module="90",
        words={"todo": "x", "hints": ["a", "b"], "mistakes": {"zero": "zero"}},
    )


def test_figures_are_summarised_for_checks():
    fig, (top, bottom) = plt.subplots(2)
    times = pd.date_range("2025-01-01", periods=3, freq="D", tz="UTC")
    top.plot(times, [1.0, np.nan, 3.0], label="CNC-101")
    top.axhline(4.5)
    top.axvline(times[1])
    top.set(title="Vibration", xlabel="day", ylabel="mm/s")
    bottom.scatter([1, 2], [3, 4])
    fig.suptitle("Line L1")
    plt.close(fig)
    summary = through_json(fig)
    assert isinstance(summary, FigureSummary)
    assert summary["suptitle"] == "Line L1"
    first = summary["axes"][0]
    assert (first["title"], first["xlabel"], first["ylabel"]) == ("Vibration", "day", "mm/s")
    assert first["hlines"] == [4.5]
    assert first["vlines"] == [pytest.approx(matplotlib.dates.date2num(times[1]))]
    (line,) = first["lines"]
    assert line["label"] == "CNC-101" and line["y"] == [1.0, None, 3.0] and line["n"] == 3
    assert line["x"][0] == pytest.approx(matplotlib.dates.date2num(times[0]))
    assert summary["axes"][1]["lines"][0]["y"] == [3.0, 4.0]
    assert summarise(top)["axes"] == [first]


@pytest.fixture
def on_path(monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))


def test_extract_records_missing_and_placeholder_answers(on_path):
    exercise = modules.load_module("91").exercise("q6")
    extracted = extract_answer(exercise, {"lcl_c": ...})
    assert extracted["format"] == ANSWER_FORMAT and extracted["module"] == "91" and extracted["exercise"] == "q6"
    assert extracted["values"] == {"lcl_c": {"type": "placeholder"}, "ucl_c": {"type": "missing"}}
    assert load_answer(extracted) == {"lcl_c": ..., "ucl_c": MISSING}
    with pytest.raises(ValueError, match="not an extracted answer"):
        load_answer({"values": {}})


def _answers_for(exercise, data):
    """The expected answer and every mistake's answer, as a trainee's namespace would hold them."""
    values = [exercise.expected(data), *(mistake.compute(data) for mistake in exercise.mistakes)]
    namespaces = []
    for value in values:
        if isinstance(exercise.kinds[0], Figure):
            value = draw_expected(value, exercise.kinds[0])
        parts = value if len(exercise.variables) > 1 else (value,)
        namespaces.append(dict(zip(exercise.variables, parts)))
    return namespaces


@pytest.mark.parametrize("module_id", ["90", "91"])
def test_scoring_outside_the_kernel_gives_the_same_verdict(module_id, on_path):
    module = modules.load_module(module_id)
    data = module.data()
    for exercise in module.exercises:
        for namespace in _answers_for(exercise, data):
            inside = score(exercise, namespace if len(namespace) > 1 else next(iter(namespace.values())), data)
            extracted = json.loads(json.dumps(extract_answer(exercise, namespace), allow_nan=False))
            outside = score(exercise, load_answer(extracted), data)
            assert outside == inside, (module_id, exercise.name)
