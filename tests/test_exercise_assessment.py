"""Checks in an assessment (academy release --assessment): exercises built from their forms alone,
checks that judge only an answer's form, and nothing in the notebook that works out an answer."""
from __future__ import annotations

import json
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import academy
from academy import data, modules
from academy.exercise import Figure, Number, Table
from academy.exercise.assessment import (
    FORMS_FORMAT,
    NotInAssessment,
    exercise_forms,
    exercise_from_form,
    form_verdict,
    kind_form,
    kind_from_form,
)
from academy.exercise.display import CHECK_MIME
from academy.exercise.solutions import RELEASE_ENV, read_release_settings
from academy.exercise.trainee import answer_key_side
from academy.progress import progress_report
from grading_helpers import PLANT_COURSE, TEST_COURSE

pytestmark = pytest.mark.usefixtures("test_modules_on_path")


@pytest.fixture
def in_an_assessment(tmp_path, monkeypatch):
    """A release.json of an assessment of module 90, in force for the notebook's kernel."""
    settings = {
        "format": "academy.release/1", "cohort": "exam", "show_solutions": True, "course_root": "..",
        "modules": [{"id": "90", "title": "Reading a sensor table", "file": "90_reading_a_sensor_table.ipynb", "version": "x"}],
        "assessment": True,
        "forms": {"format": FORMS_FORMAT, "modules": {"90": exercise_forms(modules.load_module("90").exercises)}},
    }
    path = tmp_path / "notebooks" / "release.json"
    path.parent.mkdir()
    path.write_text(json.dumps(settings))
    monkeypatch.setenv(RELEASE_ENV, str(path))
    return path


def test_every_answer_kind_of_the_course_survives_its_form(monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, f"{TEST_COURSE}{os.pathsep}{PLANT_COURSE}")
    for module_id in ("00", "90", "91", "92"):
        for exercise in modules.load_module(module_id).exercises:
            forms = json.loads(json.dumps(exercise_forms([exercise])))  # as release.json holds them
            rebuilt = exercise_from_form(module_id, forms[0])
            assert rebuilt.kinds == exercise.kinds and rebuilt.variables == exercise.variables
            assert (rebuilt.points, rebuilt.hidden_points, rebuilt.number) == (exercise.points, exercise.hidden_points, exercise.number)
            assert rebuilt.mistakes == () and "hints" not in forms[0] and "mistakes" not in forms[0]
            with pytest.raises(NotInAssessment, match="the expected answers are not in this notebook"):
                rebuilt.expected(None)


def test_a_kind_that_is_not_the_courses_is_refused_by_name():
    with pytest.raises(ValueError, match="'Anything' is not an answer kind"):
        kind_from_form({"kind": "Anything", "fields": {}})
    with pytest.raises(ValueError, match="has no field 'secret'"):
        kind_from_form({"kind": "Number", "fields": {"secret": 1}})
    assert kind_from_form(kind_form(Number(unit="kW"))) == Number(unit="kW")


def exercise_of(kind, answer=("x",)):
    return exercise_from_form("90", {"name": "q9", "number": "90.9", "variables": list(answer),
                                     "kinds": [kind_form(kind)] * len(answer), "points": 1})


def test_a_form_check_says_not_attempted_wrong_form_or_recorded_and_never_right():
    number = exercise_of(Number(unit="kW"))
    assert form_verdict(number, {}).status == "not_attempted"
    assert form_verdict(number, {"x": ...}).status == "not_attempted"
    wrong = form_verdict(number, {"x": "75 kW"})
    assert wrong.status == "wrong_form" and "Expected a number in kW" in wrong.message
    recorded = form_verdict(number, {"x": 12345.678})
    assert recorded.status == "recorded" and "(`x`: a number in kW)" in recorded.message
    assert "does not say whether your answer is right" in recorded.message and recorded.fraction == 0.0


def test_a_table_needs_the_columns_the_task_names_and_a_figure_is_a_figure():
    table = exercise_of(Table(columns=("asset_id", "downtime_h")))
    missing = form_verdict(table, {"x": pd.DataFrame({"asset_id": ["CNC-101"], "hours": [2.0]})})
    assert missing.status == "wrong_form" and "no column downtime_h" in missing.message
    named = pd.DataFrame({"downtime_h": [2.0]}, index=pd.Index(["CNC-101"], name="asset_id"))  # a named index counts
    assert form_verdict(table, {"x": named}).status == "recorded"
    figure = exercise_of(Figure(title_words=("vibration",)))
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    assert form_verdict(figure, {"x": fig}).status == "recorded", "the title is not judged: only that it is a figure"
    assert form_verdict(figure, {"x": 3.0}).status == "wrong_form"
    plt.close(fig)


def test_a_form_check_of_several_variables_names_the_one_in_the_wrong_form():
    pair = exercise_of(Number(unit="mm"), answer=("lcl_mm", "ucl_mm"))
    assert form_verdict(pair, {"lcl_mm": 9.9}).status == "wrong_form"
    wrong = form_verdict(pair, {"lcl_mm": 9.9, "ucl_mm": "10.1"})
    assert wrong.status == "wrong_form" and wrong.message.startswith("`ucl_mm`:")
    assert form_verdict(pair, {"lcl_mm": 9.9, "ucl_mm": 10.1}).status == "recorded"


def test_in_an_assessment_a_notebook_gets_forms_only(in_an_assessment, capsys):
    ex = academy.exercises("90")
    assert ex.assessment and read_release_settings().show_solutions is False, "no worked answers in an assessment"
    with pytest.raises(NotInAssessment):
        ex.q1.exercise.expected(ex.data)
    assert ex.q1.exercise.mistakes == ()
    assert ex.q1.verdict({"mean_vibration_mm_s": 2.0}).status == "recorded"
    assert ex.q1.verdict({"mean_vibration_mm_s": [2.0]}).status == "wrong_form"
    ex.q1.hint(3)
    ex.q1.solution()
    shown = capsys.readouterr().out
    assert "there are no hints" in shown and "no worked answers" in shown
    assert "readings = telemetry_raw" not in shown, "not the last hint"
    with pytest.raises(AssertionError, match="your instructor grades"):
        ex.q1.assert_correct()
    with pytest.raises(NotInAssessment, match="Module 91 is not part of this assessment"):
        academy.exercises("91")  # no exercise file is read instead
    with answer_key_side():  # the grader's own process, with the answer key
        graded = academy.exercises("90")
        assert not graded.assessment and graded.q1.verdict({"mean_vibration_mm_s": 2.0}).status == "incorrect"


def test_an_assessment_check_shows_its_form_words(in_an_assessment, capsys):
    exec("mean_vibration_mm_s = 2.21\nex.q1.check()", {"ex": academy.exercises("90")})  # as a notebook's cells
    shown = capsys.readouterr().out
    assert shown.startswith("Exercise 90.1: answer recorded. It has the form the task asks for")


def test_progress_in_an_assessment_counts_recorded_answers(in_an_assessment, tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {CHECK_MIME: {
            "module": "90", "exercise": "q1", "status": "recorded", "score": 0, "max_score": 2}}}]}],
        "metadata": {"academy": {"module": "90"}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "90_reading_a_sensor_table.ipynb").write_text(json.dumps(nb))
    text = progress_report(tmp_path / "notebooks").text()
    assert "1 of 2 answers recorded in the form the task asks for" in text and "answer recorded" in text
    assert "This is an assessment" in text and "exercises correct" not in text


def test_an_assessments_tables_say_the_ground_truth_stays_with_the_instructor(tmp_path, monkeypatch):
    (tmp_path / "MANIFEST.json").write_text(json.dumps({data.WITHHELD_TRUTH: True, "files": {}}))
    monkeypatch.setenv(data.PLANT_DIR_ENV, str(tmp_path))
    with pytest.raises(data.DataError, match="this is an assessment: the ground truth stays with your instructor"):
        data.load_truth("health")
