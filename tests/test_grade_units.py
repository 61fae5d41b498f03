"""The grader's parts, each on its own and without a kernel: reading and restoring hand-ins,
finding them in every accepted layout, reading answers out of an executed notebook, and scoring
them (partial credit, hidden tests) outside the kernel."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from academy import cells, modules
from academy.build import build_trainee_notebook
from academy.exercise import extract_answer
from academy.exercise.plain import encode
from academy.grading.execute import ANSWER_MIME, GRADER_ROLE, read_answers, with_grader_cells, without_grader_cells
from academy.grading.restore import InvalidNotebook, read_submission, restore
from academy.grading.scoring import (
    HiddenTests,
    Memo,
    figure_from_summary,
    hidden_tests,
    run_hidden_tests,
    score_exercise,
    setup_namespace,
)
from academy.grading.submissions import discover, trainee_name

TEST_COURSE = Path(__file__).parent / "modules"
SOLUTION_90 = TEST_COURSE / "solutions" / "90_reading_a_sensor_table.ipynb"
SOLUTION_91 = TEST_COURSE / "solutions" / "91_checking_limits.ipynb"
MODULES = {"90": "90_reading_a_sensor_table.ipynb", "91": "91_checking_limits.ipynb"}


pytestmark = pytest.mark.usefixtures("test_modules_on_path")


def solution(path: Path = SOLUTION_90) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def released(path: Path = SOLUTION_90) -> nbformat.NotebookNode:
    return build_trainee_notebook(solution(path))


def handed_in(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def cell(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id)


# --- reading a hand-in --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"{not json", "broken JSON"),
        (b"\xff\xfe\x00binary", "not text"),
        (b'{"hello": "world"}', "not a Jupyter notebook"),
        (b'{"cells": [{"cell_type": "spreadsheet", "source": ""}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
         "damaged"),
    ],
)
def test_a_file_that_is_no_notebook_is_refused_with_a_reason(content, reason):
    with pytest.raises(InvalidNotebook, match=reason):
        read_submission(content, "90")


def test_the_notebook_of_another_module_is_refused():
    with pytest.raises(InvalidNotebook, match="notebook of module 91, not of module 90"):
        read_submission(handed_in(released(SOLUTION_91)), "90")


def test_repeated_cell_ids_and_list_sources_are_still_read():
    raw = json.loads(handed_in(released()))
    raw["cells"].append(dict(raw["cells"][-1]))  # the same id twice: nbformat would call it invalid
    raw["cells"][0]["source"] = ["# Module 90", " · title"]
    nb = read_submission(json.dumps(raw).encode(), "90")
    assert nb.cells[0].source == "# Module 90 · title"


# --- restoring ---------------------------------------------------------------------------------


def test_an_untouched_hand_in_is_restored_without_notes():
    restored = restore(read_submission(handed_in(released()), "90"), released())
    assert restored.notes == []
    assert [c.source for c in restored.notebook.cells] == [c.source for c in released().cells]


def test_locked_cells_come_back_deleted_edited_duplicated_or_moved():
    nb = released()
    nb.cells = [c for c in nb.cells if c.get("id") not in ("setup", "q1-check")]  # deleted
    cell(nb, "q2-check").source = "print('all correct')"  # edited
    duplicate = nbformat.from_dict(cell(nb, "q2-check"))
    duplicate["id"] = "copy-of-check"
    nb.cells.append(duplicate)  # duplicated, with a new id but the same metadata
    recap = cell(nb, "recap")
    nb.cells.remove(recap)
    nb.cells.insert(1, recap)  # moved
    restored = restore(read_submission(handed_in(nb), "90"), released())
    assert [c.get("id") for c in restored.notebook.cells] == [c.get("id") for c in released().cells]
    assert [c.source for c in restored.notebook.cells] == [c.source for c in released().cells]
    notes = "\n".join(restored.notes)
    assert "the setup cell ('setup') had been deleted" in notes
    assert "the check cell of q1 ('q1-check') had been deleted" in notes
    assert "the check cell of q2 ('q2-check') had been changed" in notes
    assert "appeared 2 times" in notes
    assert "moved" in notes


def test_the_trainees_answers_and_added_cells_stay_in_place():
    nb = released()
    cell(nb, "q1").source = "mean_vibration_mm_s = 2.21"
    helper = nbformat.v4.new_code_cell("helper = 1")
    helper["id"] = "my-own-cell"
    nb.cells.insert(nb.cells.index(cell(nb, "q1")), helper)
    copy = nbformat.from_dict(cell(nb, "q2"))
    copy["id"] = "q2-copy"
    copy.source = "hottest_spindle_c = 1"
    nb.cells.append(copy)  # an answered copy of the answer cell, at the end
    restored = restore(read_submission(handed_in(nb), "90"), released())
    ids = [c.get("id") for c in restored.notebook.cells]
    assert ids.index("my-own-cell") == ids.index("q1") - 1, "an added cell stays after the course cell it followed"
    assert cell(restored.notebook, "q1").source == "mean_vibration_mm_s = 2.21"
    assert cell(restored.notebook, "q2").source == "hottest_spindle_c = 1", "the answered copy wins"
    assert "my-own-cell" in ids and "q2-copy" not in ids
    assert any("used the last one with an answer" in note for note in restored.notes)


def test_a_deleted_answer_cell_comes_back_blank_and_outputs_are_dropped():
    nb = solution()
    nb.cells = [c for c in nb.cells if c.get("id") != "q1"]
    restored = restore(read_submission(handed_in(nb), "90"), released())
    assert cell(restored.notebook, "q1").source == cell(released(), "q1").source
    assert all(not c.get("outputs") for c in restored.notebook.cells if c.cell_type == "code")
    assert any("answer cell of q1 ('q1') had been deleted; it was graded as not attempted" in n for n in restored.notes)
    assert cells.HIDDEN_BEGIN not in "".join(c.source for c in restored.notebook.cells), "hidden tests never reach the kernel"


# --- finding hand-ins ---------------------------------------------------------------------------


def write(path: Path, content: bytes = b"{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_folders_zips_and_stray_files(tmp_path):
    write(tmp_path / "alice" / MODULES["90"], b"alice-90")
    write(tmp_path / "alice" / ".ipynb_checkpoints" / "90_reading_a_sensor_table-checkpoint.ipynb", b"old")
    write(tmp_path / "alice" / "Untitled.ipynb", b"scratch")
    with zipfile.ZipFile(tmp_path / "bob smith.zip", "w") as archive:
        archive.writestr(f"work/{MODULES['91']}", b"bob-91")
        archive.writestr(f"__MACOSX/work/._{MODULES['91']}", b"junk")
    write(tmp_path / "broken.zip", b"not a zip")
    write(tmp_path / "loose_90.ipynb", b"x")
    found = discover(tmp_path, MODULES)
    assert list(found.submissions) == ["alice", "bob_smith", "broken"]
    assert found.submissions["alice"]["90"].content == b"alice-90"
    assert found.submissions["alice"]["91"].missing
    assert found.submissions["bob_smith"]["91"].content == b"bob-91"
    assert found.submissions["bob_smith"]["91"].origin == f"bob smith.zip: work/{MODULES['91']}"
    assert "could not be opened" in found.submissions["broken"]["90"].problem
    assert any("Untitled.ipynb is not the notebook of a released module" in n for n in found.notes["alice"])
    assert any("loose_90.ipynb lies outside any trainee folder" in n for n in found.notes[""])


def test_nbgrader_submitted_layout_and_the_latest_hand_in(tmp_path):
    write(tmp_path / "submitted" / "carol" / "ps1" / MODULES["90"], b"carol-90")
    write(tmp_path / "submitted" / "carol" / "ps1" / "timestamp.txt", b"2026-11-02 10:00:00.000000 UTC")
    write(tmp_path / "submitted" / "carol" / "ps2" / MODULES["90"], b"carol-90-again")
    write(tmp_path / "submitted" / "carol" / "ps2" / "timestamp.txt", b"2026-11-03 09:00:00.000000 UTC")
    found = discover(tmp_path, MODULES)  # the course folder: its submitted/ is used
    submission = found.submissions["carol"]["90"]
    assert submission.content == b"carol-90-again"
    assert "several notebooks for module 90" in submission.notes[0]


def test_nbgrader_exchange_inbound_layout(tmp_path):
    inbound = tmp_path / "inbound"
    write(inbound / "dave+ps1+2026-11-02 10:00:00.000000 UTC+a1b2" / MODULES["90"], b"first")
    write(inbound / "dave+ps1+2026-11-04 10:00:00.000000 UTC+c3d4" / MODULES["90"], b"latest")
    found = discover(tmp_path, MODULES)
    assert list(found.submissions) == ["dave"]
    assert found.submissions["dave"]["90"].content == b"latest"


def test_trainee_names_are_safe_file_names():
    assert trainee_name("../../etc/passwd") == "etc_passwd"
    assert trainee_name("Émile Zola") == "Émile_Zola"
    assert trainee_name("a/b") == "a_b"


def test_a_huge_file_is_not_read(tmp_path, monkeypatch):
    from academy.grading import submissions

    monkeypatch.setattr(submissions, "MAX_NOTEBOOK_BYTES", 10)
    write(tmp_path / "erin" / MODULES["90"], b"x" * 11)
    found = discover(tmp_path, MODULES)
    assert "too large" in found.submissions["erin"]["90"].problem


# --- answers out of the kernel ------------------------------------------------------------------


def test_answers_are_read_only_from_the_graders_cells_each_with_its_own_nonce():
    variables = {"q1": ["mean_vibration_mm_s"], "q2": ["hottest_spindle_c"]}
    nb = with_grader_cells(released(), "90", variables, nonces={"q1": "secret-1", "q2": "secret-2"})
    readouts = [c for c in nb.cells if cells.role(c) == GRADER_ROLE]
    assert [cells.academy_meta(c).get("exercise") for c in readouts] == ["q1", "q2"], "no preamble: one read-out per exercise"
    assert nb.cells.index(readouts[0]) == nb.cells.index(cell(nb, "q1-check")) + 1, "read right after the check"
    # Each read-out carries its own nonce and nothing that stays behind in the notebook.
    assert "secret-1" in readouts[0].source and "secret-2" not in readouts[0].source
    assert "\n" not in readouts[0].source and "=" not in readouts[0].source.split("(", 1)[0], "one statement, binding no name"
    q1_answer = extract_answer(modules.load_module("90").exercise("q1"), {"mean_vibration_mm_s": 2.21})
    fake = {**q1_answer, "values": {"mean_vibration_mm_s": encode(99.0)}}
    readouts[0].outputs = [
        nbformat.v4.new_output("display_data", data={ANSWER_MIME: {"nonce": "guessed", "answer": fake}}),
        nbformat.v4.new_output("display_data", data={ANSWER_MIME: {"nonce": "secret-2", "answer": fake}}),  # another read-out's
        nbformat.v4.new_output("display_data", data={ANSWER_MIME: {"nonce": "secret-1", "answer": q1_answer}}),
    ]
    cell(nb, "q1").outputs = [nbformat.v4.new_output("display_data", data={ANSWER_MIME: {"nonce": "secret-1", "answer": fake}})]
    answers = read_answers(nb, ran={"q1", "academy-grader-q1"})
    assert answers == {"q1": q1_answer}, "q2's read-out never ran; fakes with another nonce or outside the read-out are ignored"
    assert all(cells.role(c) != GRADER_ROLE for c in without_grader_cells(nb).cells)
    fresh = with_grader_cells(released(), "90", variables)
    nonces = [cells.academy_meta(c)["nonce"] for c in fresh.cells if cells.role(c) == GRADER_ROLE]
    assert len(set(nonces)) == 2 and all(len(n) >= 32 for n in nonces), "fresh random nonces, one per read-out"


def test_a_read_out_shows_the_answer_as_the_grader_reads_it():
    from academy.exercise.core import show_answer

    shown = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("IPython.display.display", lambda bundle, raw=False: shown.append(bundle))
        show_answer(ANSWER_MIME, "n-1", "90", "q1", ("mean_vibration_mm_s",), {"mean_vibration_mm_s": 2.21})
    expected = extract_answer(modules.load_module("90").exercise("q1"), {"mean_vibration_mm_s": 2.21})
    assert shown == [{ANSWER_MIME: {"nonce": "n-1", "answer": expected}}]


# --- scoring outside the kernel -----------------------------------------------------------------


def payload(module_id: str, name: str, **values) -> dict:
    return extract_answer(modules.load_module(module_id).exercise(name), values)


def context(module_id: str):
    module = modules.load_module(module_id)
    memo = Memo()
    source = solution(SOLUTION_90 if module_id == "90" else SOLUTION_91)
    namespace, problem = setup_namespace(source)
    assert problem is None
    return {e.name: memo.wrap(e) for e in module.exercises}, module.data(), hidden_tests(source), namespace


def test_hidden_tests_earn_a_share_each_and_nothing_when_not_attempted():
    exercises, data, tests, namespace = context("90")
    assert tests["q2"].test_count == 2
    expected = data.load("telemetry").groupby("asset_id")["spindle_temp_c"].max()
    right = score_exercise(exercises["q2"], payload("90", "q2", hottest_spindle_c=expected.sort_values(ascending=False)), data,
                           tests["q2"], namespace)
    assert (right.result, right.public_earned, right.hidden_earned, right.hidden_passed) == ("correct", 2.0, 1.0, 2)
    unsorted = score_exercise(exercises["q2"], payload("90", "q2", hottest_spindle_c=expected.sort_values()), data,
                              tests["q2"], namespace)
    assert (unsorted.result, unsorted.public_earned, unsorted.hidden_earned) == ("partly", 2.0, 0.0)
    # Right order and hottest machine first, but one value off: the hidden tests pass, the check does not.
    off = expected.sort_values(ascending=False).copy()
    off.iloc[-1] += 5
    partly = score_exercise(exercises["q2"], payload("90", "q2", hottest_spindle_c=off), data, tests["q2"], namespace)
    assert (partly.result, partly.public_earned, partly.hidden_earned) == ("partly", 0.0, 1.0)
    blank = score_exercise(exercises["q2"], payload("90", "q2", hottest_spindle_c=...), data, tests["q2"], namespace)
    assert (blank.result, blank.earned) == ("not_attempted", 0.0)


def test_each_variable_earns_its_share_and_mistakes_are_named():
    exercises, data, tests, namespace = context("91")
    telemetry = data.load("telemetry")
    temperature = telemetry.loc[telemetry["asset_id"] == "CNC-101", "spindle_temp_c"]
    mr_bar = temperature.diff().abs().mean()
    lcl, ucl = temperature.mean() - 2.66 * mr_bar, temperature.mean() + 2.66 * mr_bar
    both = score_exercise(exercises["q6"], payload("91", "q6", lcl_c=lcl, ucl_c=ucl), data, None, namespace)
    half = score_exercise(exercises["q6"], payload("91", "q6", lcl_c=lcl, ucl_c=ucl + 1), data, None, namespace)
    one_missing = score_exercise(exercises["q6"], payload("91", "q6", lcl_c=lcl), data, None, namespace)
    assert (both.result, both.earned) == ("correct", 2.0)
    assert (half.result, half.earned, half.variables) == ("partly", 1.0, {"lcl_c": True, "ucl_c": False})
    assert (one_missing.result, one_missing.earned) == ("partly", 1.0)
    sigma = score_exercise(exercises["q6"], payload("91", "q6", lcl_c=temperature.mean() - 3 * temperature.std(),
                                                    ucl_c=temperature.mean() + 3 * temperature.std()), data, None, namespace)
    assert (sigma.result, sigma.earned, sigma.mistake) == ("incorrect", 0.0, "used_std")


def test_a_rigged_answer_gains_nothing():
    exercises, data, tests, namespace = context("90")

    class AlwaysEqual(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class Anything:
        def __eq__(self, other):
            return True

    rigged = score_exercise(exercises["q1"], payload("90", "q1", mean_vibration_mm_s=AlwaysEqual(99.0)), data, None, namespace)
    assert (rigged.result, rigged.earned) == ("incorrect", 0.0)
    anything = score_exercise(exercises["q1"], payload("90", "q1", mean_vibration_mm_s=Anything()), data, None, namespace)
    assert (anything.result, anything.earned) == ("incorrect", 0.0) and "Anything" in anything.message


def test_answers_that_are_not_this_exercises_are_unreadable():
    exercises, data, tests, namespace = context("90")
    other = payload("90", "q2", hottest_spindle_c=1)
    assert score_exercise(exercises["q1"], other, data, None, namespace).result == "unreadable"
    assert score_exercise(exercises["q1"], {"format": "nonsense"}, data, None, namespace).result == "unreadable"
    assert score_exercise(exercises["q1"], None, data, None, namespace, ran=False).result == "not_run"


def test_hidden_tests_run_statement_by_statement():
    import ast

    code = "assert x > 0\ny = 1 / x\nassert y < 1\nassert x == 2"
    tests = HiddenTests(code, ast.parse(code).body, 3)
    assert run_hidden_tests(tests, {"x": 2}) == 3
    assert run_hidden_tests(tests, {"x": 0.5}) == 1, "y < 1 fails, x == 2 fails"
    assert run_hidden_tests(tests, {"x": 0}) == 0, "a failing preparation fails the tests after it"
    calls = HiddenTests("f(x)", ast.parse("f(x)").body, 1)
    assert run_hidden_tests(calls, {"x": 1, "f": lambda v: None}) == 1
    assert run_hidden_tests(calls, {"x": 1, "f": lambda v: 1 / 0}) == 0


def test_a_figure_comes_back_from_its_summary_for_the_hidden_tests():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from academy.exercise.figures import summarise

    fig, ax = plt.subplots()
    ax.plot(pd.date_range("2025-03-03", periods=5, freq="h"), np.arange(5.0), label="CNC-101")
    ax.axhline(2.8)
    ax.set(title="Is CNC-101 inside its limit?", xlabel="time", ylabel="vibration (mm/s)")
    rebuilt = figure_from_summary(summarise(fig))
    plt.close(fig)
    axes = rebuilt.axes[0]
    assert axes.get_title() == "Is CNC-101 inside its limit?" and axes.get_ylabel() == "vibration (mm/s)"
    assert [line.get_label() for line in axes.get_lines()][0] == "CNC-101"
    assert list(axes.get_lines()[0].get_ydata()) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert summarise(rebuilt)["axes"][0]["hlines"] == [2.8]


def test_expected_answers_are_computed_once_per_run():
    calls = []
    exercise = modules.load_module("90").exercise("q1")
    memo = Memo()
    from dataclasses import replace

    counted = memo.wrap(replace(exercise, expected=lambda data: calls.append(1) or 2.21))
    data = object()
    assert counted.expected(data) == counted.expected(data) == 2.21
    assert len(calls) == 1


# --- waiting on the kernel ----------------------------------------------------------------------


class _QuietChannel:
    """A shell channel whose reply is there only from the ``ready_on``-th look (a poll whose
    wake-up was lost finds the reply only at its last look); it records each look's timeout."""

    def __init__(self, ready_on: int | None):
        self.ready_on = ready_on
        self.timeouts: list[float | None] = []

    async def get_msg(self, timeout=None):
        from queue import Empty

        self.timeouts.append(timeout)
        if self.ready_on is not None and len(self.timeouts) >= self.ready_on:
            return {"msg_type": "execute_reply"}
        raise Empty


def test_the_shell_channel_is_polled_in_slices_so_an_unnoticed_reply_is_picked_up():
    import asyncio

    from academy.grading.execute import poll_in_slices

    channel = _QuietChannel(ready_on=4)
    poll_in_slices(channel, slice_s=0.01)
    assert asyncio.run(channel.get_msg(timeout=60))["msg_type"] == "execute_reply"
    # four short looks instead of one look of the cell's whole time limit
    assert len(channel.timeouts) == 4 and all(t is not None and t <= 0.01 for t in channel.timeouts)


def test_a_sliced_poll_still_ends_at_its_timeout_and_waits_on_without_one():
    import asyncio
    from queue import Empty

    from academy.grading.execute import poll_in_slices

    silent = _QuietChannel(ready_on=None)
    poll_in_slices(silent, slice_s=0.01)
    with pytest.raises(Empty):
        asyncio.run(silent.get_msg(timeout=0.05))
    assert 1 < len(silent.timeouts) and all(t <= 0.01 for t in silent.timeouts)
    with pytest.raises(Empty):
        asyncio.run(silent.get_msg(timeout=0))  # a look, no wait
    endless = _QuietChannel(ready_on=30)
    poll_in_slices(endless, slice_s=0.001)
    assert asyncio.run(endless.get_msg(timeout=None))["msg_type"] == "execute_reply"
    assert endless.timeouts == [0.001] * 30
