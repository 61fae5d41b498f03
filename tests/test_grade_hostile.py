"""Hostile and broken hand-ins, graded in one batch: each gets the intended status and points, and
the batch completes.

Every hand-in is module 90 (two exercises: q1 worth 2, q2 worth 3 of which 1 hidden). Most are the
solution with one cell added right after q1's check, so the points show exactly how far the
grader got: 2 when only q1 was read, 5 when the notebook went on to q2.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from academy import modules
from academy.exercise import CHECK_MIME
from academy.exercise.solutions import RELEASE_ENV
from academy.grade import grade
from academy.grading.execute import Limits
from academy.grading.records import read_record
from academy.release import release
from grading_helpers import FILES, TEST_COURSE, answered, hand_in, insert_after, snapshot, solution, trainee

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout_s=8, memory_mb=2048, cpu_seconds=60, output_kb=256)

ENDLESS_LOOP = "while True:\n    pass"
STUCK = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)  # ignore the interrupt\ntime.sleep(10**6)"
EXITS = "import os\nos._exit(1)"
MEMORY_BOMB = "hog = [bytearray(10**8) for _ in range(1000)]  # 100 GB, a chunk at a time"
# Five times the 256 KB output limit: enough to be cut, small enough to print well within the
# 8 s cell limit on a loaded machine (150,000 lines timed out there at load 8).
FLOOD = "for line in range(40_000):\n    print('spam, spam, spam, egg and spam')"
PATCHED_CHECK = (
    "import academy.exercise.trainee as checks\n"
    "from academy.exercise import Verdict\n"
    "checks.score = lambda exercise, answer, data: Verdict('correct', 'Well done.', 1.0)  # every check passes\n"
    "mean_vibration_mm_s = 99.0"
)
RIGGED_EQ = (
    "class AlwaysEqual(float):\n"
    "    def __eq__(self, other):\n"
    "        return True\n"
    "    __hash__ = float.__hash__\n"
    "class Anything:\n"
    "    def __eq__(self, other):\n"
    "        return True\n"
    "    def __getattr__(self, name):\n"
    "        return True\n"
)
READS_HIDDEN_TESTS = (
    "import glob\n"
    "needles = ['### BEGIN ' + 'HIDDEN TESTS', 'is_monotonic' + '_decreasing']  # built here, so not in this source\n"
    "found = []\n"
    "for path in glob.glob('**/*', recursive=True) + glob.glob('../**/*', recursive=True):\n"
    "    try:\n"
    "        text = open(path, errors='replace').read()\n"
    "    except OSError:\n"
    "        continue\n"
    "    found += [path for needle in needles if needle in text]\n"
    "found += [source for source in In for needle in needles if needle in source]\n"
    "found += [name for name, value in list(globals().items())\n"
    "          if isinstance(value, str) and any(needle in value for needle in needles)]\n"
    "print('hidden tests found:', len(found))"
)


def writes_gradebook(out: Path, trainee_name: str) -> str:
    fake = {"format": "academy.grade-record/1", "trainee": trainee_name, "module": "90", "status": "graded",
            "module_version": "x", "exercises": []}
    return (
        "import json, pathlib\n"
        f"out = pathlib.Path({str(out)!r})\n"
        "(out / 'gradebook.csv').write_text('trainee,total\\nhacker,100\\n')\n"
        f"record = out / 'records' / {trainee_name!r} / '90.json'\n"
        "record.parent.mkdir(parents=True, exist_ok=True)\n"
        f"record.write_text(json.dumps({fake!r}))\n"
        "print('written')"
    )


def shuffled() -> nbformat.NotebookNode:
    """The solution with locked cells deleted, edited, duplicated and moved, and an answer moved."""
    nb = solution("90")
    by_id = {cell.get("id"): cell for cell in nb.cells}
    nb.cells.remove(by_id["setup"])
    nb.cells.remove(by_id["q1-check"])
    by_id["text-1"].source = "I rewrote this text."
    twin = nbformat.from_dict(by_id["q2-check"])
    twin["id"] = "q2-check-twin"
    nb.cells.append(twin)
    nb.cells.remove(by_id["title"])
    nb.cells.append(by_id["title"])
    nb.cells.remove(by_id["q2"])
    nb.cells.insert(1, by_id["q2"])
    return nb


def with_cell(source: str, name: str) -> nbformat.NotebookNode:
    return insert_after(solution("90"), "q1-check", source, f"{name}-cell")


# trainee -> (status, points)
INTENDED = {
    "honest": ("graded", 5),
    "broken-json": ("invalid_notebook", 0),
    "wrong-module": ("invalid_notebook", 0),
    "shuffled": ("graded", 5),
    "endless-loop": ("timed_out", 5),
    "stuck": ("timed_out", 2),
    "exits": ("kernel_died", 2),
    "memory-bomb": ("graded", 5),
    "flood": ("graded", 5),
    "patched-check": ("graded", 3),
    "rigged-eq": ("graded", 0),
    "reads-hidden-tests": ("graded", 5),
    "writes-gradebook": ("graded", 0),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
        patch.delenv(RELEASE_ENV, raising=False)
        root = tmp_path_factory.mktemp("hostile")
        made = release("90", "hostile", root / "release", root=TEST_COURSE, data="command")
        out, submissions = root / "grades", root / "submissions"
        hand_in(submissions, "honest", "90", solution("90"))
        hand_in(submissions, "broken-json", "90", b'{"cells": [{"cell_type": "code", "source": "x = 1"')
        hand_in(submissions, "wrong-module", "90", solution("91"))
        hand_in(submissions, "shuffled", "90", shuffled())
        hand_in(submissions, "endless-loop", "90", with_cell(ENDLESS_LOOP, "loop"))
        hand_in(submissions, "stuck", "90", with_cell(STUCK, "stuck"))
        hand_in(submissions, "exits", "90", with_cell(EXITS, "exit"))
        hand_in(submissions, "memory-bomb", "90", with_cell(MEMORY_BOMB, "bomb"))
        hand_in(submissions, "flood", "90", with_cell(FLOOD, "flood"))
        hand_in(submissions, "patched-check", "90", answered("90", {"q1": PATCHED_CHECK}, solution("90")))
        hand_in(submissions, "rigged-eq", "90", answered("90", {
            "q1": RIGGED_EQ + "mean_vibration_mm_s = AlwaysEqual(99.0)", "q2": RIGGED_EQ + "hottest_spindle_c = Anything()"}))
        hand_in(submissions, "reads-hidden-tests", "90", with_cell(READS_HIDDEN_TESTS, "reader"))
        hand_in(submissions, "writes-gradebook", "90", insert_after(trainee("90"), "q1-check",
                                                                    writes_gradebook(out, "writes-gradebook"), "writer-cell"))
        before = snapshot(submissions)
        report = grade(submissions, made.folder, out, jobs=2, limits=LIMITS, log=lambda line: None)
    return {"report": report, "submissions": submissions, "before": before, "out": out}


def executed(batch, trainee_name: str) -> nbformat.NotebookNode:
    return nbformat.read(batch["out"] / "executed" / trainee_name / FILES["90"], as_version=4)


def outputs_of(nb: nbformat.NotebookNode, cell_id: str) -> list:
    return next(cell for cell in nb.cells if cell.get("id") == cell_id).outputs


def test_the_batch_completes_and_every_hand_in_gets_its_intended_status_and_points(batch):
    report = batch["report"]
    got = {trainee_name: (report.records[(trainee_name, "90")].status, report.records[(trainee_name, "90")].earned)
           for trainee_name in report.trainees}
    assert got == INTENDED
    rows = list(csv.DictReader(io.StringIO(report.gradebook.read_text())))
    assert {row["trainee"]: float(row["total (5 pts)"]) for row in rows} == {t: p for t, (s, p) in INTENDED.items()}
    assert snapshot(batch["submissions"]) == batch["before"]


def test_broken_files_say_why(batch):
    records = batch["report"].records
    assert "broken JSON" in records[("broken-json", "90")].problem
    assert "notebook of module 91, not of module 90" in records[("wrong-module", "90")].problem
    feedback = batch["report"].feedback("wrong-module").read_text()
    assert "could not be graded: this is the notebook of module 91" in feedback


def test_deleted_edited_duplicated_and_moved_cells_are_restored_and_recorded(batch):
    restored = "\n".join(batch["report"].records[("shuffled", "90")].restored)
    for words in ("the setup cell ('setup') had been deleted", "the check cell of q1 ('q1-check') had been deleted",
                  "('text-1') had been changed", "the check cell of q2 ('q2-check') appeared 2 times", "moved"):
        assert words in restored
    assert "had been changed, moved or deleted" in batch["report"].feedback("shuffled").read_text()


def test_hangs_crashes_and_floods_are_stopped_and_reported(batch):
    records = batch["report"].records
    assert any("ran longer than 8 s" in event for event in records[("endless-loop", "90")].events)
    assert any("did not stop when asked" in event for event in records[("stuck", "90")].events)
    assert [e.result for e in records[("stuck", "90")].exercises] == ["correct", "not_run"]
    assert any("kernel stopped in cell 'exit-cell'" in event for event in records[("exits", "90")].events)
    assert any("ran out of memory (limit 2048 MB)" in event for event in records[("memory-bomb", "90")].events)
    assert any("was cut at 256 KB" in event for event in records[("flood", "90")].events)
    flood_file = batch["out"] / "executed" / "flood" / FILES["90"]
    assert flood_file.stat().st_size < 600_000, "the stored notebook keeps only the first part of the flood"


def test_a_check_patched_to_pass_and_a_rigged_answer_earn_nothing(batch):
    patched = executed(batch, "patched-check")
    shown = [output["data"][CHECK_MIME] for output in outputs_of(patched, "q1-check") if CHECK_MIME in output.get("data", {})]
    assert shown and shown[0]["status"] == "correct", "inside its own kernel the patched check claims success"
    q1, q2 = batch["report"].records[("patched-check", "90")].exercises
    assert (q1.result, q1.earned) == ("incorrect", 0) and (q2.result, q2.earned) == ("correct", 3)
    rigged = batch["report"].records[("rigged-eq", "90")].exercises
    assert [(e.result, e.earned) for e in rigged] == [("incorrect", 0), ("incorrect", 0)]
    assert rigged[1].hidden_passed == 0


def test_the_hidden_tests_never_reach_the_kernel(batch):
    printed = "".join(output.get("text", "") for output in outputs_of(executed(batch, "reads-hidden-tests"), "reader-cell"))
    assert "hidden tests found: 0" in printed
    for path in (batch["out"] / "executed").rglob("*.ipynb"):
        assert "is_monotonic_decreasing" not in path.read_text(), path
    assert "is_monotonic_decreasing" not in batch["report"].feedback("honest").read_text()


def test_what_a_notebook_writes_into_the_grading_folder_does_not_count(batch):
    printed = "".join(output.get("text", "") for output in outputs_of(executed(batch, "writes-gradebook"), "writer-cell"))
    assert "written" in printed, "the notebook did write its fake files"
    assert "hacker" not in batch["report"].gradebook.read_text()
    record = read_record(batch["out"], "writes-gradebook", "90")
    assert record.earned == 0 and record.module_version == batch["report"].records[("honest", "90")].module_version
    raw = json.loads((batch["out"] / "records" / "writes-gradebook" / "90.json").read_text())
    assert raw["exercises"] and raw["module_version"] != "x"


def test_the_kernel_process_carries_its_limits():
    code = (
        "from academy.grading.kernel import apply_limits\n"
        "import resource\n"
        "apply_limits(1500, 1)\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20, resource.getrlimit(resource.RLIMIT_CPU)[0])\n"
        "try:\n"
        "    hog = bytearray(2 * 2**30)\n"
        "except MemoryError:\n"
        "    print('memory error')\n"
        "while True:\n"
        "    pass\n"
    )
    result = subprocess.run([sys.executable, "-u", "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(Path(modules.__file__).parents[2])})
    assert result.stdout.split("\n")[:2] == ["1500 1", "memory error"]
    assert result.returncode == -signal.SIGXCPU, "the CPU-time limit stops a loop"


def test_a_notebook_that_uses_up_its_cpu_time_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    made = release("90", "cpu", tmp_path / "release", root=TEST_COURSE, data="command", make_zip=False)
    spinning = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    hand_in(tmp_path / "submissions", "spinner", "90", with_cell(spinning, "spin"))
    report = grade(tmp_path / "submissions", made.folder, tmp_path / "grades", jobs=1,
                   limits=Limits(cell_timeout_s=120, cpu_seconds=5), log=lambda line: None)
    record = report.records[("spinner", "90")]
    assert (record.status, record.earned) == ("timed_out", 2)
    assert any("used up its 5 s of CPU time in cell 'spin-cell'" in event for event in record.events)
