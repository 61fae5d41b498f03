"""Hostile and broken hand-ins, graded in one batch: each gets the intended status and points, and
the batch completes.

Every hand-in is module 90 (two exercises: q1 worth 2, q2 worth 3 of which 1 hidden). Most are the
solution with one cell added right after q1's check, so the points show exactly how far the
grader got: 2 when only q1 was read, 5 when the notebook went on to q2.

Ways out of the grader and where each is tried:

1. forging records and deleting a classmate's hand-in, reading the grader's command line, a
   detached process outliving its kernel: ``writes-gradebook``, ``escapes`` and the rerun after a
   forged record (``forged_rerun``);
2. a lone surrogate in a markdown cell: ``lone-surrogate``;
3. changing the answer key: ``escapes`` writes the release's data, and a release file changed
   outside is refused by name;
4. reading instructor-only files and other hand-ins: ``escapes``, ``reads-hidden-tests``;
5. names that clean to one id, an empty folder: ``Ana Lopez``/``Ana_Lopez``, ``!!!``/``???``,
   ``empty-folder``;
6. statuses: ``unrelated``, ``pasted``, ``nbformat-3``, ``windows-1252``;
7. memory of all processes together: ``memory-together``;
8. asking the check machinery for the answer: ``asks-the-check``, and replacing the grader's
   read-out with one that asks it: ``replaces-the-read-out`` (both score in a release that teaches:
   see the README); in a release made with ``--assessment`` (module 92 on a plant of its own, the
   ``assessment`` batch) both score nothing, the solution scores in full, a blank nothing, and the
   checks judge only an answer's form;
9. what a run leaves behind: the private temp and runtime folders, and ``records/zz_ghost``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import zipfile
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
from grading_helpers import FILES, PLANT_COURSE, TEST_COURSE, answered, hand_in, insert_after, snapshot, solution, trainee

pytestmark = pytest.mark.slow
# 3 GB: a kernel with pandas loaded already reserves about 2 GB of address space.
LIMITS = Limits(cell_timeout_s=8, memory_mb=3072, cpu_seconds=60, output_kb=256)

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


DETACHED_MARKER = "academy-hostile-detached-child"


def escapes(out: Path, submissions: Path, release_folder: Path) -> str:
    """A cell that tries every way out of its sandbox it can and prints what it reached."""
    return (
        "import json, os, pathlib, socket, subprocess, sys\n"
        "reached = {}\n"
        f"paths = {{'out': {str(out)!r}, 'hand-ins': {str(submissions)!r}, 'sources': {str(release_folder / 'sources')!r},\n"
        f"         'repository solutions': {str(TEST_COURSE / 'solutions')!r}}}\n"
        "reached.update({name: os.path.exists(path) for name, path in paths.items()})\n"
        "cmdlines = ''\n"
        "for entry in pathlib.Path('/proc').iterdir():\n"
        "    try:\n"
        "        cmdlines += (entry / 'cmdline').read_bytes().decode(errors='replace')\n"
        "    except OSError:\n"
        "        pass\n"
        "reached['grader command line'] = paths['out'] in cmdlines or paths['hand-ins'] in cmdlines\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', 22), timeout=2).close()\n"
        "    reached['network'] = True\n"
        "except OSError:\n"
        "    reached['network'] = False\n"
        "try:\n"
        "    plant = pathlib.Path(os.environ['ACADEMY_RELEASE']).parent.parent / 'datasets' / 'plant'\n"
        "    target = next(plant.glob('historian_*.csv'))\n"
        "    target.write_text('asset_id,power_kw\\nCNC-102,99.0\\n')\n"
        "    reached['release data written'] = True\n"
        "except OSError:\n"
        "    reached['release data written'] = False\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)', {DETACHED_MARKER!r}],\n"
        "                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print('reached:', json.dumps(reached, sort_keys=True))"
    )


# An answer cell that replaces what the grader's read-outs show with what the check machinery
# expects, and reports whether any grader function or nonce was there to take.
REPLACES_THE_READ_OUT = (
    "import academy.exercise.core as core\n"
    "found = sorted(name for name in globals() if name.startswith('_academy'))\n"
    "closures = [cell.cell_contents for value in list(globals().values()) if callable(value)\n"
    "            for cell in (getattr(value, '__closure__', None) or ())]\n"
    "honest = core.answer_of\n"
    "def forged(module, exercise, variables, namespace):\n"
    "    made = getattr(ex, exercise).exercise\n"
    "    value = made.expected(ex.data)\n"
    "    values = made.split(value) if len(variables) > 1 else {variables[0]: value}\n"
    "    return honest(module, exercise, variables, values)\n"
    "core.answer_of = forged\n"
    "print('grader read-out found:', found, len(closures))"
)


def asks_the_check(exercise: str, variable: str, module_id: str) -> str:
    """An answer cell that tries every way to have the course's code work out the expected answer
    of ``exercise`` and prints how each try ended."""
    return (
        "import json\n"
        "tries = {}\n"
        "def attempt(name, how):\n"
        "    try:\n"
        "        return how()\n"
        "    except Exception as error:\n"
        "        tries[name] = type(error).__name__\n"
        "def from_load_module():\n"
        "    from academy.modules import load_module\n"
        f"    return load_module({module_id!r}).exercise({exercise!r}).expected(ex.data)\n"
        "def from_import():\n"
        f"    module = __import__('academy.modules.m{module_id}', fromlist=['EXERCISES'])\n"
        f"    return next(e for e in module.EXERCISES if e.name == {exercise!r}).expected(ex.data)\n"
        "def drawn():\n"
        "    from academy.exercise.figures import draw_expected\n"
        f"    return draw_expected(ex.{exercise}.exercise.expected(ex.data))\n"
        "def exercise_file():\n"
        "    import glob, os, academy\n"
        "    folders = [os.path.dirname(academy.__file__), *os.environ.get('ACADEMY_MODULE_PATH', '').split(os.pathsep)]\n"
        f"    found = [p for folder in folders if folder for p in glob.glob(folder + '/**/m{module_id}*', recursive=True)]\n"
        "    return open(found[0]).read() if found else tries.setdefault('exercise file', 'absent')\n"
        "def ground_truth():\n"
        "    from academy import data\n"
        "    return data.load_truth('health')\n"
        "value = None\n"
        f"for name, how in [('expected', lambda: ex.{exercise}.exercise.expected(ex.data)),\n"
        f"                  ('expected_answer', lambda: __import__('academy.exercise', fromlist=['x']).expected_answer(ex.{exercise}.exercise, ex.data)),\n"
        "                  ('load_module', from_load_module), ('import', from_import)]:\n"
        "    value = attempt(name, how) if value is None else value\n"
        "attempt('draw_expected', drawn)\n"
        "attempt('ground truth', ground_truth)\n"
        "attempt('exercise file', exercise_file)\n"
        "if value is not None:\n"
        f"    {variable} = value\n"
        "print('tries:', json.dumps(tries, sort_keys=True))\n"
    )


MEMORY_TOGETHER = (
    "import subprocess, sys\n"
    "# four processes of 1 GB each: every one is under the per-process limit, together they are not\n"
    "hogs = [subprocess.Popen([sys.executable, '-c', 'import time\\nhog = b\"x\" * 2**30\\ntime.sleep(600)'])\n"
    "        for _ in range(4)]\n"
    "for hog in hogs:\n"
    "    hog.wait()"
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


def with_lone_surrogate() -> str:
    """The solution with a markdown cell holding a lone surrogate: valid JSON ("\\ud800"), but no
    UTF-8 encoder accepts it."""
    nb = insert_after(solution("90"), "q1-check", "", "surrogate-cell")
    cell = next(c for c in nb.cells if c.get("id") == "surrogate-cell")
    cell.cell_type, cell.source = "markdown", "broken text: \ud800"
    del cell["outputs"], cell["execution_count"]
    return json.dumps(nb, ensure_ascii=True)


def unrelated() -> nbformat.NotebookNode:
    """Someone else's notebook saved under the module's file name."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My shopping list"), nbformat.v4.new_code_cell("eggs = 12"),
                nbformat.v4.new_code_cell("print(eggs)")]
    return nb


def pasted() -> nbformat.NotebookNode:
    """The module's cells pasted into a fresh notebook: new cell ids, no course metadata."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(cell.source) if cell.cell_type == "code" else nbformat.v4.new_markdown_cell(cell.source)
                for cell in solution("90").cells]
    return nb


def nbformat_3() -> str:
    """The solution as an older Jupyter saved it (nbformat 3: cells inside worksheets, no cell ids)."""
    return nbformat.writes(nbformat.convert(solution("90"), 3), version=3)


def with_a_windows_1252_byte() -> bytes:
    """The solution with one character saved as Windows-1252 (a curly quote, byte 0x93)."""
    nb = solution("90")
    next(c for c in nb.cells if c.cell_type == "markdown").source += " \u201cquoted\u201d"
    return nbformat.writes(nb).encode("utf-8").replace("\u201c".encode("utf-8"), b"\x93", 1)


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
    "lone-surrogate": ("graded", 5),
    "escapes": ("graded", 5),
    "memory-together": ("kernel_died", 2),
    "Ana_Lopez": ("graded", 5),  # from the folder 'Ana Lopez'
    "Ana_Lopez-2": ("graded", 0),  # from the folder 'Ana_Lopez': same id once cleaned, kept apart
    "trainee": ("graded", 5),  # '!!!'
    "trainee-2": ("graded", 5),  # '???'
    "empty-folder": ("missing", 0),
    "unrelated": ("invalid_notebook", 0),
    "pasted": ("invalid_notebook", 0),
    "nbformat-3": ("graded", 5),
    "windows-1252": ("invalid_notebook", 0),
    # A check that teaches computes its answer in the trainee's kernel (the README says so): asking
    # it for the expected value scores, and so does a read-out made to show what it expects (every
    # public point; q2's hidden tests ask more than the expected value). A release made as an
    # assessment prevents both (see the assessment batch below).
    "asks-the-check": ("graded", 2),
    "replaces-the-read-out": ("graded", 4),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
        patch.delenv(RELEASE_ENV, raising=False)
        root = tmp_path_factory.mktemp("hostile")
        # The grader's temp and runtime folders of its own, to see what a run leaves behind.
        (root / "tmp").mkdir()
        patch.setattr(tempfile, "tempdir", str(root / "tmp"))
        patch.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
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
        hand_in(submissions, "lone-surrogate", "90", with_lone_surrogate())
        hand_in(submissions, "escapes", "90", with_cell(escapes(out, submissions, made.folder), "escape"))
        hand_in(submissions, "memory-together", "90", with_cell(MEMORY_TOGETHER, "together"))
        hand_in(submissions, "Ana Lopez", "90", solution("90"))
        hand_in(submissions, "Ana_Lopez", "90", trainee("90"))
        hand_in(submissions, "!!!", "90", solution("90"))
        hand_in(submissions, "???", "90", solution("90"))
        (submissions / "empty-folder").mkdir()
        hand_in(submissions, "unrelated", "90", unrelated())
        hand_in(submissions, "pasted", "90", pasted())
        hand_in(submissions, "nbformat-3", "90", nbformat_3())
        hand_in(submissions, "windows-1252", "90", with_a_windows_1252_byte())
        hand_in(submissions, "asks-the-check", "90", answered("90", {"q1": "mean_vibration_mm_s = ex.q1.exercise.expected(ex.data)"}))
        hand_in(submissions, "replaces-the-read-out", "90", answered("90", {"q1": REPLACES_THE_READ_OUT}))
        release_files = snapshot(made.folder)
        before = snapshot(submissions)
        report = grade(submissions, made.folder, out, jobs=2, limits=LIMITS, log=lambda line: None)
    return {"report": report, "submissions": submissions, "before": before, "out": out, "release": made.folder, "root": root,
            "release_files": release_files}


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


def test_a_notebook_that_is_not_the_modules_says_what_it_is_instead(batch):
    records = batch["report"].records
    unrelated = records[("unrelated", "90")]
    assert unrelated.problem.startswith("not module 90's notebook: 0 of its")
    assert "the first heading 'My shopping list'" in unrelated.problem and not unrelated.restored
    assert records[("pasted", "90")].problem.startswith("not module 90's notebook:")
    assert "a byte that is not UTF-8 (0x93 at byte" in records[("windows-1252", "90")].problem
    assert any("old format" in note or "nbformat 3" in note for note in records[("nbformat-3", "90")].notes)


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
    assert any("ran out of memory (limit 3072 MB)" in event for event in records[("memory-bomb", "90")].events)
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


def test_a_notebook_cannot_write_into_the_grading_folder(batch):
    printed = "".join(output.get("text", "") for output in outputs_of(executed(batch, "writes-gradebook"), "writer-cell"))
    assert "written" not in printed, "the output folder is not in the notebook's sandbox"
    assert batch["report"].records[("writes-gradebook", "90")].cell_errors, "its write failed with an error"
    assert "hacker" not in batch["report"].gradebook.read_text()
    record = read_record(batch["out"], "writes-gradebook", "90")
    assert record.earned == 0 and record.module_version == batch["report"].records[("honest", "90")].module_version
    raw = json.loads((batch["out"] / "records" / "writes-gradebook" / "90.json").read_text())
    assert raw["exercises"] and raw["module_version"] != "x"


def test_text_no_encoder_accepts_is_escaped_and_the_batch_goes_on(batch):
    kept = (batch["out"] / "executed" / "lone-surrogate" / FILES["90"]).read_bytes()
    assert b"broken text: \\ud800" in kept, "the lone surrogate is kept as a JSON escape"
    assert json.loads(kept)  # still a readable notebook
    assert not list(batch["out"].rglob("*.partial"))


def test_a_run_leaves_no_connection_files_temp_folders_or_partial_files(batch):
    left = sorted(path.name for path in (batch["root"] / "tmp").iterdir())
    # The font cache is built once per grading process and kept for its later runs; it goes at exit.
    assert [name for name in left if not name.startswith("academy-mpl-")] == []
    runtime = batch["root"] / "runtime"
    assert not runtime.exists() or not any(runtime.rglob("*.json")), "no kernel connection file outside the kernel's folder"
    assert not list(batch["out"].rglob("*.partial"))
    assert all(path.stat().st_size > 0 for path in (batch["out"] / "executed").rglob("*.ipynb"))


def test_names_that_clean_to_one_id_stay_apart_and_the_summary_says_so(batch):
    records = batch["report"].records
    assert records[("Ana_Lopez", "90")].origin.startswith("Ana Lopez/")
    assert records[("Ana_Lopez-2", "90")].origin.startswith("Ana_Lopez/")
    summary = batch["report"].summary.read_text()
    assert "both make the trainee id" in summary and "Ana_Lopez-2" in summary and "trainee-2" in summary


def test_a_notebook_reaches_nothing_outside_its_sandbox(batch):
    printed = "".join(output.get("text", "") for output in outputs_of(executed(batch, "escapes"), "escape-cell"))
    reached = json.loads(printed.split("reached:", 1)[1])
    assert reached == {"out": False, "hand-ins": False, "sources": False, "repository solutions": False,
                       "grader command line": False, "network": False, "release data written": False}
    assert snapshot(batch["release"]) == batch["release_files"], "the release is read-only to every notebook"


def test_no_process_a_notebook_started_outlives_its_kernel(batch):
    import psutil

    survivors = []
    for process in psutil.process_iter(["cmdline"]):
        if DETACHED_MARKER in (process.info["cmdline"] or []):
            survivors.append(process.pid)
    assert survivors == [], "a detached child stops with its sandbox"


def test_the_memory_limit_holds_for_all_processes_of_a_hand_in_together(batch):
    record = batch["report"].records[("memory-together", "90")]
    assert any("processes together used" in event and "more than the 3072 MB" in event for event in record.events), record.events


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


@pytest.fixture(scope="module")
def forged_rerun(batch):
    """The batch graded again after someone rewrote a record and left a file of their own."""
    out = batch["out"]
    forged = out / "records" / "rigged-eq" / "90.json"
    raw = json.loads(forged.read_text())
    for exercise in raw["exercises"]:
        exercise["result"] = "correct"
        exercise["public_earned"], exercise["hidden_earned"] = exercise["public_max"], exercise["hidden_max"]
    forged.write_text(json.dumps(raw))
    ghost = out / "records" / "zz_ghost" / "90.json"
    ghost.parent.mkdir()
    ghost.write_text(json.dumps({**raw, "trainee": "zz_ghost"}))
    lines = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
        patch.delenv(RELEASE_ENV, raising=False)
        report = grade(batch["submissions"], batch["release"], out, jobs=2, limits=LIMITS, log=lines.append)
    return {"report": report, "lines": lines}


def test_a_rewritten_record_is_reported_and_graded_again(forged_rerun):
    report = forged_rerun["report"]
    assert report.graded == [("rigged-eq", "90")], "only the record that is not the grader's own is graded again"
    assert report.records[("rigged-eq", "90")].earned == 0
    summary = report.summary.read_text()
    assert "records/rigged-eq/90.json was not written by the grader" in summary
    assert "records/zz_ghost/90.json in the output folder was not written by the grader" in summary
    assert "zz_ghost" not in report.trainees and "zz_ghost" not in report.gradebook.read_text()


def test_without_bubblewrap_the_grader_refuses_and_names_the_package(tmp_path, monkeypatch):
    from academy.grade import GradeError

    monkeypatch.setenv("ACADEMY_BWRAP", str(tmp_path / "no-such-bwrap"))
    (tmp_path / "submissions").mkdir()
    with pytest.raises(GradeError, match=r"install the Debian package 'bubblewrap'.*--no-sandbox"):
        grade(tmp_path / "submissions", tmp_path / "release", tmp_path / "grades", log=lambda line: None)
    assert not (tmp_path / "grades").exists(), "nothing is written before the refusal"


def test_grading_without_a_sandbox_says_so_in_the_summary(tmp_path, monkeypatch):
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    monkeypatch.setenv("ACADEMY_BWRAP", str(tmp_path / "no-such-bwrap"))  # not needed when asked to run without
    made = release("90", "trusted", tmp_path / "release", root=TEST_COURSE, data="command", make_zip=False)
    hand_in(tmp_path / "submissions", "honest", "90", solution("90"))
    report = grade(tmp_path / "submissions", made.folder, tmp_path / "grades", jobs=1, limits=LIMITS, sandbox=False,
                   log=lambda line: None)
    assert report.records[("honest", "90")].earned == 5
    assert "graded WITHOUT a sandbox (--no-sandbox)" in report.summary.read_text()


def test_an_answer_key_file_that_differs_from_the_release_stops_grading_and_is_named(tmp_path, monkeypatch):
    from academy.release import ReleaseError

    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    made = release("90", "key", tmp_path / "release", root=TEST_COURSE, data="command", make_zip=False)
    hashed = made.manifest["answer_key"]
    assert "key/notebooks/release.json" in hashed and any(name.startswith("key/datasets/plant/") for name in hashed)
    changed = next(name for name in hashed if name.startswith("key/datasets/plant/"))
    with open(made.folder / changed, "a", encoding="utf-8") as handle:
        handle.write("\n# a different answer key\n")
    hand_in(tmp_path / "submissions", "honest", "90", solution("90"))
    with pytest.raises(ReleaseError, match=f"{changed} differs from the file released to key"):
        grade(tmp_path / "submissions", made.folder, tmp_path / "grades", jobs=1, limits=LIMITS, log=lambda line: None)
    assert not (tmp_path / "grades" / "records").exists(), "no hand-in was graded against it"


# --- an assessment: case 8 where the answers are not in the trainee's hands ----------------------

TINY_SCENARIO = PLANT_COURSE / "tiny_scenario.yml"
ASSESSMENT_LIMITS = Limits(cell_timeout_s=60, memory_mb=4096, cpu_seconds=120, output_kb=256)
# trainee -> (status, points) in an assessment of module 92 (q1 2 points, q2 4 of which 2 hidden, q3 2)
ASSESSED = {
    "solution": ("graded", 8),
    "blank": ("graded", 0),
    "asks-the-check": ("graded", 0),
    "replaces-the-read-out": ("graded", 0),
    "wrong-form": ("graded", 0),
    "right-form": ("graded", 0),
}


@pytest.fixture(scope="module")
def assessment(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modules.MODULE_PATH_ENV, f"{TEST_COURSE}{os.pathsep}{PLANT_COURSE}")
        patch.delenv(RELEASE_ENV, raising=False)
        patch.delenv("ACADEMY_PLANT_DIR", raising=False)
        root = tmp_path_factory.mktemp("assessment")
        made = release("92", "exam", root / "release", root=PLANT_COURSE, scenario=TINY_SCENARIO, seed=5, assessment=True)
        submissions, out = root / "submissions", root / "grades"
        hand_in(submissions, "solution", "92", solution("92"))
        hand_in(submissions, "blank", "92", trainee("92"))
        hand_in(submissions, "asks-the-check", "92", answered("92", {
            "q1": asks_the_check("q1", "cnc101_mean_spindle_c", "92"), "q2": asks_the_check("q2", "peak_vibration_mm_s", "92")}))
        hand_in(submissions, "replaces-the-read-out", "92", answered("92", {"q1": REPLACES_THE_READ_OUT}))
        hand_in(submissions, "wrong-form", "92", answered("92", {
            "q1": "cnc101_mean_spindle_c = telemetry", "q2": "peak_vibration_mm_s = 3.2"}))
        hand_in(submissions, "right-form", "92", answered("92", {"q1": "cnc101_mean_spindle_c = 50.0"}))
        report = grade(submissions, made.folder, out, jobs=2, limits=ASSESSMENT_LIMITS, log=lambda line: None)
    return {"report": report, "release": made, "out": out}


def checks_shown(out: Path, trainee_name: str) -> dict[str, str]:
    """Exercise -> the text its check showed, in the notebook as the grader ran it."""
    nb = nbformat.read(out / "executed" / trainee_name / FILES["92"], as_version=4)
    return {output["data"][CHECK_MIME]["exercise"]: output["data"]["text/plain"]
            for c in nb.cells for output in c.get("outputs", []) if CHECK_MIME in output.get("data", {})}


def printed_by(out: Path, trainee_name: str, cell_id: str) -> str:
    nb = nbformat.read(out / "executed" / trainee_name / FILES["92"], as_version=4)
    return "".join(output.get("text", "") for output in outputs_of(nb, cell_id))


def test_in_an_assessment_only_the_work_scores(assessment):
    report = assessment["report"]
    got = {t: (report.records[(t, "92")].status, report.records[(t, "92")].earned) for t in report.trainees}
    assert got == ASSESSED
    assert report.records[("solution", "92")].exercises[1].hidden_passed == 4, "the grader ran the hidden tests"


def test_nothing_in_an_assessment_kernel_works_out_an_expected_answer(assessment):
    tries = json.loads(printed_by(assessment["out"], "asks-the-check", "q1").split("tries:", 1)[1])
    assert tries == {"expected": "NotInAssessment", "expected_answer": "NotInAssessment", "load_module": "ModuleNotFound",
                     "import": "ModuleNotFoundError", "draw_expected": "NotInAssessment", "ground truth": "DataError",
                     "exercise file": "absent"}
    record = assessment["report"].records[("asks-the-check", "92")]
    assert [e.result for e in record.exercises] == ["not_attempted"] * 3


def test_an_assessment_read_out_has_no_grader_function_to_take_and_a_replaced_one_gains_nothing(assessment):
    printed = printed_by(assessment["out"], "replaces-the-read-out", "q1")
    assert "grader read-out found: [] 0" in printed, "no grader function, closure or nonce in the notebook"
    record = assessment["report"].records[("replaces-the-read-out", "92")]
    assert record.earned == 0 and [e.result for e in record.exercises] == ["not_attempted"] * 3


def test_an_assessments_checks_judge_only_the_form(assessment):
    out = assessment["out"]
    shown = checks_shown(out, "solution")
    assert sorted(shown) == ["q1", "q2", "q3"]
    for text in shown.values():
        assert ": answer recorded. It has the form the task asks for" in text, text
        assert "does not say whether your answer is right" in text and "correct" not in text
    right, wrong = checks_shown(out, "right-form"), checks_shown(out, "wrong-form")
    assert right["q1"].startswith("Exercise 92.1: answer recorded. It has the form the task asks for (`cnc101_mean_spindle_c`: "
                                  "a number in degC).")
    assert wrong["q1"].startswith("Exercise 92.1: not in the form the task asks for yet. Expected a number in degC, got a whole table")
    assert wrong["q2"].startswith("Exercise 92.2: not in the form the task asks for yet. Expected a column with one value per "
                                  "machine") and "got the number 3.2" in wrong["q2"]
    assert checks_shown(out, "blank")["q1"].startswith("Exercise 92.1: not attempted yet.")
    # The same 50.0 is recorded in the kernel and scored 0 by the grader alone.
    assert assessment["report"].records[("right-form", "92")].exercises[0].result == "incorrect"


def test_an_assessments_trainee_folder_holds_no_ground_truth_no_exercise_file_and_no_solutions(assessment):
    made = assessment["release"]
    folder = made.trainee_folder
    names = {path.relative_to(folder).as_posix() for path in folder.rglob("*")}
    assert "datasets/plant/tables/clean/telemetry" in names and "datasets/plant/tables/reference/assets" in names
    assert not [n for n in names if "/truth" in n or n.endswith("scenario.yml") or n.endswith(".py")], names
    tables = json.loads((folder / "datasets" / "plant" / "tables" / "MANIFEST.json").read_text())
    assert tables["ground_truth_withheld"] is True and "seed" not in tables and "scenario_sha256" not in tables
    assert not [name for name in tables["files"] if name.startswith("truth/")]
    settings = json.loads((folder / "notebooks" / "release.json").read_text())
    assert settings["assessment"] is True and "plant_seed" not in settings and settings["show_solutions"] is False
    # What would give an answer away, as it stands in the solution notebook and the exercise file.
    words = modules.load_module("92").words
    giveaways = ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "is_monotonic_decreasing", "assert_correct",
                 'telemetry.groupby("asset_id")["vibration_rms_mm_s"].max()', "spindle_c.min()", "Mistake(", "EXERCISES",
                 "_peaks", *(hint for w in words.values() for hint in w["hints"]), *(m for w in words.values() for m in w["mistakes"].values())]
    shipped = {n: (folder / n).read_bytes() for n in names if (folder / n).is_file()}
    with zipfile.ZipFile(made.zip_path) as archive:
        shipped.update({f"zip:{n}": archive.read(n) for n in archive.namelist()})
    for name, content in shipped.items():
        if name.endswith(".parquet"):
            continue
        text = content.decode("utf-8", errors="replace")
        assert [g for g in giveaways if g in text] == [], name
    # The grader keeps what the trainees never get: the whole plant, ground truth included.
    assert made.assessment and made.manifest["assessment"] is True
    assert (made.folder / "grader" / "datasets" / "plant" / "tables" / "truth" / "health").is_dir()
    assert (made.folder / "grader" / "datasets" / "plant" / "scenario.yml").is_file()


def test_an_assessments_gradebook_and_summary_say_so(assessment):
    report = assessment["report"]
    rows = list(csv.DictReader(io.StringIO(report.gradebook.read_text())))
    assert {row["assessment"] for row in rows} == {"yes"}
    assert "An assessment: these modules were released with --assessment" in report.summary.read_text()


@pytest.mark.parametrize("options, refusal", [
    ({"seed": 5, "show_solutions": True}, "ships no worked answers"),
    ({"seed": 5, "data": "command"}, "leave out --data command"),
    ({}, "give --seed"),
])
def test_an_assessment_that_would_hand_out_its_answers_is_refused(tmp_path, monkeypatch, options, refusal):
    from academy.release import ReleaseError

    monkeypatch.setenv(modules.MODULE_PATH_ENV, f"{TEST_COURSE}{os.pathsep}{PLANT_COURSE}")
    with pytest.raises(ReleaseError, match=refusal):
        release("92", "exam", tmp_path / "release", root=PLANT_COURSE, scenario=TINY_SCENARIO, assessment=True, **options)
    assert not (tmp_path / "release").exists(), "nothing is written before the refusal"


def test_an_assessment_of_a_module_whose_data_its_exercise_file_makes_is_refused(tmp_path, monkeypatch):
    from academy.release import ReleaseError

    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
    with pytest.raises(ReleaseError, match="module 90's checks read tables its exercise file makes"):
        release("90", "exam", tmp_path / "release", root=TEST_COURSE, seed=5, assessment=True)


def test_an_assessment_on_the_courses_own_plant_is_refused(tmp_path):
    from academy.release import ReleaseError
    from plantsim.scenario import load_scenario

    own_seed = load_scenario(Path(modules.__file__).parents[3] / "datasets" / "plant" / "scenario.yml").seed
    with pytest.raises(ReleaseError, match=f"seed {own_seed} makes the course's own plant"):
        release("00", "exam", tmp_path / "release", seed=own_seed, assessment=True)
