"""Checks, hints and worked answers, as a trainee meets them, and the pure scoring behind them.

Every exercise of every module (the course's and the tooling's test modules) is checked three
ways: correct on its expected answer, not attempted on the placeholder, and not yet right with
the intended message on each of its known mistakes.
"""
from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat
import numpy as np
import pandas as pd
import pytest
from shell_cells import run_cell

import academy
from academy import modules
from academy.cells import region_text
from academy.exercise import (
    CHECK_MIME,
    MISSING,
    Exercise,
    Figure,
    InMemoryTables,
    Mistake,
    Number,
    check_bundle,
    exercise_problems,
    module_problems,
    score,
)
from academy.exercise.figures import draw_expected, expected_figure
from academy.exercise.solutions import RELEASE_ENV, export_solutions

TEST_COURSE = Path(__file__).parent / "modules"
COURSE_MODULES = sorted(
    path.stem[1:] for path in (Path(academy.__file__).parent / "modules").glob("m[0-9][0-9].py")
)
ALL_MODULES = ["90", "91", *COURSE_MODULES]


@pytest.fixture(autouse=True)
def test_modules_on_path(monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    monkeypatch.delenv(RELEASE_ENV, raising=False)


def all_exercises():
    previous = os.environ.get(modules.MODULE_PATH_ENV)
    os.environ[modules.MODULE_PATH_ENV] = str(TEST_COURSE)
    try:
        return [(module_id, exercise.name) for module_id in ALL_MODULES for exercise in modules.load_module(module_id).exercises]
    finally:
        if previous is None:
            del os.environ[modules.MODULE_PATH_ENV]
        else:
            os.environ[modules.MODULE_PATH_ENV] = previous


def as_answer(exercise: Exercise, value):
    """What a trainee would hold for a computed value: a real figure for figure exercises."""
    if isinstance(exercise.kinds[0], Figure):
        return draw_expected(value, exercise.kinds[0])
    if len(exercise.variables) > 1:
        return dict(zip(exercise.variables, value))
    return value


@pytest.fixture(scope="module")
def loaded():
    cache = {}

    def load(module_id):
        if module_id not in cache:
            module = modules.load_module(module_id)
            cache[module_id] = (module, module.data())
        return cache[module_id]

    return load


@pytest.mark.parametrize("module_id, name", all_exercises())
def test_every_check_three_ways(module_id, name, loaded):
    module, data = loaded(module_id)
    exercise = module.exercise(name)
    expected = exercise.expected(data)

    right = score(exercise, as_answer(exercise, expected), data)
    assert right.status == "correct", right.message
    assert right.fraction == 1.0

    placeholder = {variable: ... for variable in exercise.variables}
    blank = score(exercise, placeholder if len(exercise.variables) > 1 else ..., data)
    assert blank.status == "not_attempted" and blank.fraction == 0.0
    absent = score(exercise, {v: MISSING for v in exercise.variables} if len(exercise.variables) > 1 else MISSING, data)
    assert absent.status == "not_attempted"

    assert exercise.mistakes, "every exercise declares at least one known mistake"
    for mistake in exercise.mistakes:
        wrong = score(exercise, as_answer(exercise, mistake.compute(data)), data)
        assert wrong.status == "incorrect", f"mistake {mistake.key} is not caught"
        assert wrong.mistake == mistake.key
        assert wrong.message.startswith(exercise.mistake_message(mistake.key))


@pytest.mark.parametrize("module_id", ALL_MODULES)
def test_module_declarations_are_sound(module_id):
    assert module_problems(modules.load_module(module_id)) == []


# --- the verdict and its words -----------------------------------------------------------------


def tiny_exercise(**changes) -> Exercise:
    fields = dict(
        name="q1",
        number="90.1",
        answer="mean_kw",
        expected=lambda data: data.load("energy")["kw"].mean(),
        kind=Number(unit="kW"),
        mistakes=[Mistake("summed", lambda data: data.load("energy")["kw"].sum())],
        points=3,
        objective="90.1",
        module="90",
        words={
            "todo": "the mean power in kW",
            "hints": ["Take the kw column.", "Use .mean()."],
            "mistakes": {"summed": "That is the total energy, not the mean power."},
        },
    )
    fields.update(changes)
    return Exercise(**fields)


ENERGY = InMemoryTables({"energy": pd.DataFrame({"kw": [2.0, 4.0, 6.0]})})


def test_verdicts_carry_status_message_and_fraction():
    exercise = tiny_exercise()
    assert score(exercise, 4.0, ENERGY).status == "correct"
    wrong = score(exercise, 12.0, ENERGY)
    assert (wrong.status, wrong.mistake, wrong.fraction) == ("incorrect", "summed", 0.0)
    assert wrong.message == "That is the total energy, not the mean power.\nNeed a nudge? Run ex.q1.hint() for a hint."
    assert wrong.reason == "That is the total energy, not the mean power."
    other = score(exercise, 5.0, ENERGY)
    assert other.mistake is None and other.message.startswith("5 kW is not the value the check expects.")


@pytest.mark.parametrize(
    "answer, status, says",
    [
        (MISSING, "not_attempted", "There is no `mean_kw` yet."),
        (..., "not_attempted", "`mean_kw` still holds `...`."),
        (12.0, "incorrect", "That is the total energy, not the mean power."),
        (5.0, "incorrect", "5 kW is not the value the check expects."),
        (4.1, "incorrect", "Close: 4.1 kW agrees with the expected number, but to fewer than the 2 decimals the course asks for."),
        ("4", "incorrect", "Expected a number in kW, got the text '4'. The quotes make it text: write 4 without quotes."),
        ((4, 12), "incorrect", "Python writes a decimal with a point, not a comma: 4.12, not 4,12."),
        (pd.Series([2.0, 4.0, 6.0]), "incorrect", "got a whole column of 3 readings: finish with a step that makes one number"),
        (4.0, "correct", "Well done."),
    ],
)
def test_every_verdict_says_its_status_and_only_not_yet_right_offers_a_hint(answer, status, says):
    exercise = tiny_exercise(expected=lambda data: 4.1234)  # so that 4.1 is a rounding of it
    if status == "correct":
        answer = 4.1234
    verdict = score(exercise, answer, ENERGY)
    assert verdict.status == status and says in verdict.message
    assert ("Need a nudge?" in verdict.message) == (status == "incorrect")
    assert "red error" not in verdict.message, "a check says so when a cell stopped with an error, and only then"
    bundle = check_bundle(exercise, verdict)
    if status != "correct":
        assert "correct" not in bundle["text/plain"].lower()
        assert " \n" not in bundle["text/plain"], "no line ends in a stray space"
    if status == "incorrect":
        assert '<div style="margin-top:0.3em">Need a nudge?' in bundle["text/html"], "the hint line has a line of its own"
        assert bundle["text/plain"].rstrip().endswith("Run ex.q1.hint() for a hint.")


def test_a_known_mistake_wins_over_close():
    """4.1 is 4.1234 rounded, but it is a known mistake: its own message explains it better."""
    exercise = tiny_exercise(
        expected=lambda data: 4.1234,
        mistakes=[Mistake("summed", lambda data: 4.1)],
    )
    assert score(exercise, 4.1, ENERGY).mistake == "summed"
    verdict = score(exercise, 4.0, ENERGY)
    assert (verdict.status, verdict.mistake) == ("incorrect", None) and verdict.message.startswith("Close: 4 kW")


def test_hidden_points_make_the_correct_message_modest():
    verdict = score(tiny_exercise(hidden_points=1), 4.0, ENERGY)
    assert verdict.status == "correct"
    assert "instructor's grading runs more tests" in verdict.message
    bundle = check_bundle(tiny_exercise(hidden_points=1), verdict)
    assert bundle[CHECK_MIME]["score"] == 2 and bundle[CHECK_MIME]["max_score"] == 2


def test_a_check_never_raises():
    def broken(data):
        raise FileNotFoundError("telemetry table")

    verdict = score(tiny_exercise(expected=broken), 4.0, ENERGY)
    assert verdict.status == "incorrect"
    assert "could not work out the expected answer (FileNotFoundError: telemetry table)" in verdict.message
    assert "not with your answer" in verdict.message

    class Hostile:
        def __float__(self):
            raise RuntimeError("no")

        def __repr__(self):
            raise RuntimeError("no")

    assert score(tiny_exercise(), Hostile(), ENERGY).status == "incorrect"
    assert score(tiny_exercise(mistakes=[Mistake("summed", broken)]), 5.0, ENERGY).status == "incorrect"


def test_several_variables_are_checked_together():
    exercise = tiny_exercise(
        answer=("low_kw", "high_kw"),
        expected=lambda data: (data.load("energy")["kw"].min(), data.load("energy")["kw"].max()),
        mistakes=[Mistake("summed", lambda data: (0.0, data.load("energy")["kw"].sum()))],
    )
    assert score(exercise, {"low_kw": 2.0, "high_kw": 6.0}, ENERGY).status == "correct"
    half = score(exercise, {"low_kw": 2.0, "high_kw": ...}, ENERGY)
    assert half.status == "incorrect" and "`low_kw` has an answer, but `high_kw` still needs one" in half.message
    wrong = score(exercise, {"low_kw": 2.0, "high_kw": 7.0}, ENERGY)
    assert wrong.status == "incorrect" and wrong.message.startswith("`high_kw`: 7 kW is not the value")
    assert score(exercise, {"low_kw": 0.0, "high_kw": 12.0}, ENERGY).mistake == "summed"


@pytest.mark.parametrize("answer, status", [(..., "not_attempted"), (5.0, "incorrect"), (4.0, "correct")])
def test_the_check_bundle_has_the_three_phrases_and_machine_readable_results(answer, status):
    exercise = tiny_exercise()
    bundle = check_bundle(exercise, score(exercise, answer, ENERGY))
    phrase = {"not_attempted": "not attempted yet", "incorrect": "not yet right", "correct": "correct"}[status]
    assert bundle["text/plain"].startswith(f"Exercise 90.1: {phrase}.")
    if status != "correct":
        assert "correct" not in bundle["text/plain"].lower()
    assert bundle[CHECK_MIME] == {
        "module": "90",
        "exercise": "q1",
        "status": status,
        "score": 3.0 if status == "correct" else 0.0,
        "max_score": 3,
    }
    json.dumps(bundle[CHECK_MIME])
    assert " id=" not in bundle["text/html"]
    assert "#0072B2" in bundle["text/html"] if status == "correct" else "#0072B2" not in bundle["text/html"]


def test_the_html_escapes_what_it_shows():
    exercise = tiny_exercise()
    bundle = check_bundle(exercise, score(exercise, "<script>", ENERGY))
    assert "<script>" not in bundle["text/html"]
    assert html.escape("'<script>'") in bundle["text/html"] or "&lt;script&gt;" in bundle["text/html"]


# --- in a notebook namespace ---------------------------------------------------------------------


def run_in_notebook_namespace(code: str, namespace: dict, capsys) -> str:
    exec(code, namespace)
    return capsys.readouterr().out


def test_check_reads_the_answer_from_the_callers_namespace(capsys):
    namespace = {"ex": academy.exercises("90")}
    assert "not attempted yet" in run_in_notebook_namespace("ex.q1.check()", namespace, capsys)
    data = namespace["ex"].data
    raw = data.load("telemetry", "raw")
    cnc101 = raw.loc[raw["asset_id"] == "CNC-101", "vibration_rms_mm_s"]
    namespace["mean_vibration_mm_s"] = cnc101.mean()
    out = run_in_notebook_namespace("ex.q1.check()", namespace, capsys)
    assert out.startswith("Exercise 90.1: not yet right. Your average still includes the 0.0 readings")
    namespace["mean_vibration_mm_s"] = cnc101[cnc101 > 0].mean()
    assert run_in_notebook_namespace("ex.q1.check()", namespace, capsys).startswith("Exercise 90.1: correct.")


def test_assert_correct_raises_only_on_a_wrong_answer():
    namespace = {"ex": academy.exercises("91"), "readings_above_limit": 999}
    with pytest.raises(AssertionError, match="Exercise 91.1"):
        exec("ex.q1.assert_correct()", namespace)
    namespace["readings_above_limit"] = namespace["ex"].q1.exercise.expected(namespace["ex"].data)
    exec("ex.q1.assert_correct()", namespace)


def test_a_failing_data_source_gives_a_calm_check(monkeypatch, capsys):
    ex = academy.exercises("90")

    def unavailable():
        raise OSError("plant tables are not there")

    monkeypatch.setattr(ex.course_module.python_module, "data_source", unavailable)
    namespace = {"ex": ex, "mean_vibration_mm_s": 2.0}
    out = run_in_notebook_namespace("ex.q1.check()", namespace, capsys)
    assert "not yet right" in out and "could not work out the expected answer (OSError" in out
    namespace["mean_vibration_mm_s"] = ...
    assert "not attempted yet" in run_in_notebook_namespace("ex.q1.check()", namespace, capsys)


def test_hints_come_in_levels(capsys):
    ex = academy.exercises("90")
    hints = ex.q1.exercise.hints
    ex.q1.hint()
    first = capsys.readouterr().out
    assert first.startswith(f"Hint 1 of {len(hints)} for Exercise 90.1: {hints[0]}")
    assert "ex.q1.hint(2)" in first
    ex.q1.hint(len(hints))
    last = capsys.readouterr().out
    assert hints[-1] in last and "That was the last hint." in last and "ex.q1.solution()" in last
    ex.q1.hint(99)
    past = capsys.readouterr().out
    assert hints[-1] in past and "That was the last hint." in past
    assert f"Exercise 90.1 has {len(hints)} hints, so here is the last one again." in past


def test_solution_comes_from_the_solution_notebook(capsys):
    academy.exercises("90").q2.solution()
    out = capsys.readouterr().out
    nb = nbformat.read(TEST_COURSE / "solutions" / "90_reading_a_sensor_table.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2")
    assert region_text(cell.source) in out
    assert out.startswith("A worked answer for Exercise 90.2")


def test_a_release_can_switch_solutions_off(tmp_path, monkeypatch, capsys):
    (tmp_path / "release.json").write_text(json.dumps({"show_solutions": False}))
    monkeypatch.chdir(tmp_path)
    academy.exercises("90").q1.solution()
    out = capsys.readouterr().out
    assert "switched off" in out and "cnc101" not in out
    academy.exercises("90").q1.hint(3)
    assert "solution()" not in capsys.readouterr().out


def test_a_release_can_ship_solutions_as_a_file(tmp_path, monkeypatch, capsys):
    shipped = export_solutions(sorted((TEST_COURSE / "solutions").glob("*.ipynb")))
    assert set(shipped["modules"]) == {"90", "91"}
    (tmp_path / "answers.json").write_text(json.dumps(shipped))
    (tmp_path / "release.json").write_text(json.dumps({"show_solutions": True, "solutions": "answers.json"}))
    monkeypatch.setenv(RELEASE_ENV, str(tmp_path))
    academy.exercises("91").q3.solution()
    assert shipped["modules"]["91"]["q3"] in capsys.readouterr().out


def test_an_unreadable_release_file_hides_solutions(tmp_path, monkeypatch, capsys):
    (tmp_path / "release.json").write_text("{not json")
    monkeypatch.setenv(RELEASE_ENV, str(tmp_path / "release.json"))
    academy.exercises("90").q1.solution()
    assert "switched off" in capsys.readouterr().out


# --- finding modules ---------------------------------------------------------------------------


def test_module_ids_are_normalised_and_unknown_ones_explained():
    assert academy.exercises(90).module == "90"
    with pytest.raises(modules.ModuleNotFound, match="no m89.py"):
        academy.exercises("89")
    with pytest.raises(modules.ModuleNotFound, match="not a module number"):
        academy.exercises("nine")


def test_test_modules_are_found_through_a_course_folder(monkeypatch):
    monkeypatch.delenv(modules.MODULE_PATH_ENV)
    monkeypatch.chdir(TEST_COURSE / "notebooks")
    assert str(TEST_COURSE.resolve()) in modules.search_path()
    assert academy.exercises("91").names == ["q1", "q2", "q3", "q4", "q5", "q6"]


def test_unknown_exercise_names_are_explained():
    with pytest.raises(AttributeError, match="has no exercise 'q9'"):
        academy.exercises("90").q9


def test_declaration_problems_are_specific():
    exercise = tiny_exercise(
        number="1.1",
        mistakes=[],
        words={"todo": "x", "hints": ["only one, and it is correct"], "mistakes": {"stray": "?"}},
    )
    problems = "\n".join(exercise_problems(exercise, "90"))
    assert "number '1.1' should start with '90.'" in problems
    assert "at least one common mistake" in problems
    assert "needs at least two hints" in problems
    assert "['stray'] belongs to no declared mistake" in problems
    assert "the word 'correct' is reserved" in problems
    assert re.search(r"objective", problems) is None
    assert "must be a Python name such as q1" in "\n".join(exercise_problems(tiny_exercise(name="data"), "90"))


# --- messages that name the real cause, and the standing lines once per exercise ----------------

STANDING = "Need a nudge?"


def test_the_standing_line_shows_once_per_exercise(capsys):
    """The first "not yet right" of an exercise says how to get a hint; the next ones give just the
    reason, and another exercise gets the line once as well. A "not attempted yet" before it does
    not use it up."""
    ex = academy.exercises("90")
    namespace = {"ex": ex}
    assert STANDING not in run_in_notebook_namespace("ex.q1.check()", namespace, capsys)
    namespace["mean_vibration_mm_s"] = 1.0
    first = run_in_notebook_namespace("ex.q1.check()", namespace, capsys)
    assert STANDING in first
    namespace["mean_vibration_mm_s"] = 123.0
    second = run_in_notebook_namespace("ex.q1.check()", namespace, capsys)
    assert "not yet right" in second and STANDING not in second
    assert second.rstrip().endswith("Go through the task's steps again.")
    namespace["hottest_spindle_c"] = 1.0
    other = run_in_notebook_namespace("ex.q2.check()", namespace, capsys)
    assert "not yet right" in other and STANDING in other
    verdict = ex.q1.verdict(namespace)
    assert STANDING in verdict.message, "the grader's feedback keeps the whole message"
    assert STANDING not in verdict.reason


def figure_exercise(**changes) -> Exercise:
    fields = dict(
        name="q1", number="90.1", answer="vibration_fig", module="90", points=1, objective="90.1",
        expected=lambda data: expected_figure(y=[1.0, 2.0, 3.0], hlines=[2.8]),
        kind=Figure(ylabel_units=("mm/s",)),
        mistakes=[Mistake("other", lambda data: expected_figure(y=[9.0, 9.0, 9.0]))],
        words={"todo": "your figure", "hints": ["a", "b"], "mistakes": {"other": "Another line."}},
    )
    fields.update(changes)
    return Exercise(**fields)


def test_a_figure_stored_under_another_name_is_named():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1.0, 2.0, 3.0])
    plt.close(fig)
    spindle_fig, spindle_ax = plt.subplots()
    spindle_ax.plot([30.0, 31.0, 32.0])
    plt.close(spindle_fig)
    exercise = figure_exercise()
    verdict = score(exercise, MISSING, ENERGY, elsewhere={"spindle_fig": spindle_fig, "fig": fig, "ax": ax})
    assert verdict.status == "incorrect", "the figure is made: not yet right, not \"not attempted yet\""
    assert verdict.reason.startswith("Your figure is in `fig`, but the check reads only `vibration_fig`")
    assert "write `vibration_fig, ax = plt.subplots(...)` in place of `fig, ax = plt.subplots(...)`" in verdict.reason
    only_other = score(exercise, ..., ENERGY, elsewhere={"spindle_fig": spindle_fig})
    assert "`vibration_fig` still holds `...`" in only_other.reason, "a figure of other data is not the answer"


def test_a_name_spelled_almost_like_the_answer_s_is_pointed_out():
    verdict = score(tiny_exercise(), MISSING, ENERGY, elsewhere={"mean_k": 4.0, "np": np, "energy": ENERGY})
    assert verdict.status == "incorrect"
    assert verdict.reason.startswith("There is no `mean_kw` yet, but there is `mean_k`: check the spelling.")
    plain = score(tiny_exercise(), MISSING, ENERGY, elsewhere={"readings": 4.0})
    assert plain.status == "not_attempted" and plain.reason.startswith("There is no `mean_kw` yet.")
    placeholder = score(tiny_exercise(), ..., ENERGY, elsewhere={"mean_k": 4.0})
    assert placeholder.status == "not_attempted", "the variable exists: its `...` is the news"


def test_a_figure_placeholder_says_delete_the_line_not_replace_the_dots():
    verdict = score(figure_exercise(), ..., ENERGY)
    assert "delete the line `vibration_fig = ...`" in verdict.reason
    assert "Replace the `...`" not in verdict.message
    assert "Replace the `...`" in score(tiny_exercise(), ..., ENERGY).reason


def test_a_figure_placeholder_comment_says_delete_the_line_too():
    comment = figure_exercise().placeholder().split("\n")[0]
    assert comment == "# Exercise 90.1: delete the line vibration_fig = ... and write your figure in its place."
    assert tiny_exercise().placeholder().startswith("# Exercise 90.1: replace the ... with the mean power in kW.")


# --- a check after an exercise cell that stopped with an error -----------------------------------


@pytest.fixture
def shell():
    """An IPython shell, as a notebook's kernel runs the cells, with module 90's setup run in it."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    run_cell(shell, "import academy\nex = academy.exercises('90')\nright = ex.q1.exercise.expected(ex.data)\n"
                    "wrong = 99.0")
    yield shell
    InteractiveShell.clear_instance()




def checked(shell, name: str = "q1") -> tuple[str, dict]:
    """The check's words and its machine-readable result."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        shell.run_cell(f"ex.{name}.check()", store_history=True)
    bundle = captured.outputs[-1].data
    return bundle["text/plain"], bundle[CHECK_MIME]


STOPPED = "The last time your exercise cell ran, it stopped with an error ({error})"


def test_a_cell_that_stored_the_right_answer_and_then_stopped_is_never_called_right(shell):
    run_cell(shell, "mean_vibration_mm_s = right\nreadings['vibration']", cell_id="q1")
    text, result = checked(shell)
    assert text.startswith("Exercise 90.1: not yet right. " + STOPPED.format(error="NameError"))
    assert "correct" not in text.lower() and result["status"] == "incorrect" and result["score"] == 0
    assert "Fix the red error" in text and "run that cell again" in text
    run_cell(shell, "mean_vibration_mm_s = right", cell_id="q1")
    assert checked(shell)[0].startswith("Exercise 90.1: correct.")


@pytest.mark.parametrize(
    "code, error",
    [
        ("mean_vibration_mm_s = 2.5 mm/s", "SyntaxError"),
        ("mean_vibration_mm_s = np.float32(2.5)", "NameError"),
        ("mean_vibration_mm_s = ex.data.load('telemetry').mean()", "TypeError"),
        ("mean_vibration_mm_s = ex.data.load('telemetry')['Vibration']", "KeyError"),
    ],
)
def test_the_check_names_the_error_and_judges_no_older_answer(shell, code, error):
    """The older answer is a known mistake; its message would be stale, so it is not shown."""
    mistake = shell.user_ns["ex"].q1.exercise.mistake_message("kept_dropouts")
    run_cell(shell, "kept = ex.data.load('telemetry', 'raw')\n"
                    "mean_vibration_mm_s = kept.loc[kept['asset_id'] == 'CNC-101', 'vibration_rms_mm_s'].mean()")
    assert mistake in checked(shell)[0]
    run_cell(shell, code)  # no cell id: the code stores the answer, so it is the exercise's cell
    text, result = checked(shell)
    assert STOPPED.format(error=error) in text and "may still hold an older answer" in text
    assert mistake not in text and result["status"] == "incorrect"


def test_a_stopped_cell_that_stored_nothing_says_so(shell):
    run_cell(shell, "mean_vibration_mm_s = ...", cell_id="q1")
    assert "not attempted yet" in checked(shell)[0]
    run_cell(shell, "mean_vibration_mm_s = 2,5 mm/s", cell_id="q1")
    text, result = checked(shell)
    assert text.startswith("Exercise 90.1: not yet right. " + STOPPED.format(error="SyntaxError"))
    assert "stored no answer in `mean_vibration_mm_s`" in text and result["status"] == "incorrect"


def test_the_exercise_cell_is_known_by_its_id_whatever_its_code(shell):
    run_cell(shell, "mean_vibration_mm_s = right")
    run_cell(shell, "readings = telemetry_raw['vibration']", cell_id="q1")
    assert STOPPED.format(error="NameError") in checked(shell)[0]


def test_errors_in_other_cells_do_not_count_and_a_check_in_the_same_cell_sees_its_answer(shell):
    run_cell(shell, "mean_vibration_mm_s = right")
    run_cell(shell, "1 / 0", cell_id="own-tries")
    assert checked(shell)[0].startswith("Exercise 90.1: correct.")
    shown = run_cell(shell, "mean_vibration_mm_s = wrong\nex.q1.check()", cell_id="q1")
    assert "not yet right" in shown and "stopped with an error" not in shown
    other = checked(shell, "q2")[0]
    assert "not attempted yet" in other and "stopped" not in other


def test_running_the_setup_again_keeps_one_watch(shell):
    run_cell(shell, "ex = academy.exercises('90')\nex = academy.exercises('90')")
    hooks = [hook for hook in shell.events.callbacks["post_run_cell"] if "cellruns" in getattr(hook, "__module__", "")]
    assert len(hooks) == 1
    run_cell(shell, "mean_vibration_mm_s = right\n1 / 0", cell_id="q1")
    assert checked(shell)[0].count("stopped with an error") == 1


@pytest.mark.parametrize(
    "source, stores",
    [
        ("vibration_fig = ...", True),
        ("vibration_fig, ax = plt.subplots()", True),
        ("fig, vibration_fig = 1, 2", True),
        ("  vibration_fig += 1", True),
        ("vibration_fig: object = None", True),
        ("vibration_fig == 3", False),
        ("print(vibration_fig)", False),
        ("my_vibration_fig = 1", False),
        ("vibration_fig_2 = 1", False),
        ("ax.vibration_fig = 1", False),
    ],
)
def test_a_cell_that_stores_the_answer_variable_is_the_exercise_s_cell(source, stores):
    from academy.exercise.cellruns import is_exercise_cell, stores_answer

    exercise = figure_exercise()
    assert stores_answer(exercise, source) == stores
    assert is_exercise_cell(exercise, "q1", "x = 1") and not is_exercise_cell(exercise, "q1-check", "ex.q1.check()")
