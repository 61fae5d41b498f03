"""Building trainee notebooks: each step alone, the whole chain, determinism and staleness."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from academy import cells, modules
from academy.build import (
    BUILD_COMMAND,
    BuildError,
    build_course,
    build_trainee_notebook,
    clean_metadata,
    clear_outputs,
    execute_notebook,
    lock_cells,
    notebook_text,
    run_on_after_exercise_errors,
    stale_notebooks,
    strip_hidden_tests,
    strip_solutions,
)
from academy.cli import main
from academy.course import CourseError
from academy.exercise import check_results

REPO = Path(__file__).resolve().parents[1]
TEST_COURSE = Path(__file__).parent / "modules"


pytestmark = pytest.mark.usefixtures("test_modules_on_path")


def small_solution() -> nbformat.NotebookNode:
    """A two-cell exercise with an indented solution region and a hidden-tests cell."""
    answer = cells.exercise_cell(
        "q1",
        "    mean_vibration_mm_s = 2.2",
        ["90.1"],
        before="# work it out below\nif True:",
        after="print('done')",
    )
    answer.source = answer.source.replace(cells.SOLUTION_BEGIN, "    " + cells.SOLUTION_BEGIN).replace(
        cells.SOLUTION_END, "    " + cells.SOLUTION_END
    )
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text="done\n")]
    answer.execution_count = 3
    answer.metadata["execution"] = {"iopub.status.busy": "2026-11-29T10:00:00"}
    check = cells.check_cell("q1", points=2)
    hidden = cells.hidden_tests_cell("q1", "assert mean_vibration_mm_s > 0", points=1, comment="# more tests here")
    nb = cells.new_module_notebook("90", [cells.markdown_cell("text", "Some text"), answer, check, hidden])
    nb.metadata["widgets"] = {"state": {"abc": {}}}
    return nb


def test_strip_solutions_puts_a_runnable_placeholder_in_place_of_the_region():
    solution = small_solution()
    stripped = strip_solutions(solution, {"q1": "# replace the ... with the mean\nmean_vibration_mm_s = ..."})
    assert stripped.cells[1].source == (
        "# work it out below\nif True:\n    # replace the ... with the mean\n    mean_vibration_mm_s = ...\nprint('done')"
    )
    compile(stripped.cells[1].source, "cell", "exec")
    assert cells.SOLUTION_BEGIN in solution.cells[1].source, "the input notebook is left alone"


def test_strip_solutions_takes_placeholders_from_the_exercise_file():
    stripped = strip_solutions(small_solution())
    assert "# Exercise 90.1: replace the ... with the average vibration of CNC-101" in stripped.cells[1].source
    assert "mean_vibration_mm_s = ..." in stripped.cells[1].source
    assert "2.2" not in stripped.cells[1].source


def test_strip_solutions_refuses_an_answer_cell_without_an_exercise():
    with pytest.raises(BuildError, match="no exercise with grade_id 'q1'"):
        strip_solutions(small_solution(), {"q2": "x = ..."})


def test_strip_hidden_tests_removes_instructor_tests_only():
    stripped = strip_hidden_tests(small_solution())
    assert stripped.cells[2].source == "ex.q1.check()"
    assert stripped.cells[3].source == "# more tests here"
    assert cells.HIDDEN_BEGIN in small_solution().cells[2].source


def test_clear_outputs_and_clean_metadata():
    cleared = clean_metadata(clear_outputs(small_solution()))
    assert cleared.cells[1].outputs == [] and cleared.cells[1].execution_count is None
    assert "execution" not in cleared.cells[1].metadata
    assert "widgets" not in cleared.metadata
    assert cleared.cells[1].metadata["academy"]["exercise"] == "q1"


def test_lock_cells_marks_locked_cells_only():
    locked = lock_cells(small_solution())
    for cell in locked.cells:
        if cells.is_locked(cell):
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
        else:
            assert "editable" not in cell.metadata
    assert cells.role(locked.cells[1]) == "exercise" and "editable" not in locked.cells[1].metadata


def test_exercise_cells_let_run_all_go_on_after_a_red_error():
    tagged = run_on_after_exercise_errors(run_on_after_exercise_errors(small_solution()))
    for cell in tagged.cells:
        tags = cell.metadata.get("tags", [])
        assert tags == (["raises-exception"] if cells.role(cell) == "exercise" else []), cell.id


def test_marker_problems_are_reported():
    with pytest.raises(cells.NotebookFormatError, match="never closed"):
        cells.regions("### BEGIN SOLUTION\nx = 1", cells.SOLUTION_BEGIN, cells.SOLUTION_END)
    with pytest.raises(cells.NotebookFormatError, match="has no '### BEGIN SOLUTION' before it"):
        cells.regions("x = 1\n### END SOLUTION", cells.SOLUTION_BEGIN, cells.SOLUTION_END)


@pytest.mark.parametrize("path", sorted((TEST_COURSE / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_the_trainee_notebook_is_valid_and_keeps_no_answers(path):
    solution = nbformat.read(path, as_version=4)
    trainee = build_trainee_notebook(solution)
    assert cells.notebook_problems(trainee, "trainee") == []
    module = modules.load_module(cells.module_id(solution))
    for exercise in module.exercises:
        answer_cell = next(c for c in trainee.cells if cells.nbgrader_meta(c).get("grade_id") == exercise.grade_id)
        assert exercise.placeholder() in answer_cell.source
        compile(answer_cell.source, exercise.name, "exec")
    text = notebook_text(trainee)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "assert_correct" not in text
    assert notebook_text(build_trainee_notebook(solution)) == text, "the build is deterministic"


def copy_test_course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(TEST_COURSE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize("root", [REPO, TEST_COURSE], ids=["course", "test-course"])
def test_committed_notebooks_match_a_fresh_build(root):
    findings = stale_notebooks(root)
    assert not findings, "\n".join(findings) + f"\nnotebooks/ is stale: run {BUILD_COMMAND}."


def test_a_changed_solution_makes_the_notebooks_stale(tmp_path, capsys):
    root = copy_test_course(tmp_path)
    solution_path = root / "solutions" / "90_reading_a_sensor_table.ipynb"
    nb = nbformat.read(solution_path, as_version=4)
    nb.cells[1].source += " A new sentence."
    nbformat.write(nb, solution_path)
    (root / "notebooks" / "99_old_module.ipynb").write_text("{}")
    assert stale_notebooks(root) == [
        "notebooks/90_reading_a_sensor_table.ipynb differs from a fresh build of solutions/90_reading_a_sensor_table.ipynb",
        "notebooks/99_old_module.ipynb belongs to no module in course.yml",
    ]
    assert main(["build", "--check", "--root", str(root)]) == 1
    assert "run make build (or: academy build)" in capsys.readouterr().out

    (root / "notebooks" / "99_old_module.ipynb").unlink()
    report = build_course(root)
    assert [p.name for p in report.written] == ["90_reading_a_sensor_table.ipynb"]
    assert [p.name for p in report.unchanged] == ["91_checking_limits.ipynb"]
    assert stale_notebooks(root) == []
    assert main(["build", "--check", "--root", str(root)]) == 0
    assert build_course(root).written == [], "a second build changes nothing"


def test_the_build_refuses_a_broken_course(tmp_path):
    root = copy_test_course(tmp_path)
    (root / "solutions" / "91_checking_limits.ipynb").unlink()
    with pytest.raises(CourseError, match="solution notebook solutions/91_checking_limits.ipynb is missing"):
        build_course(root)


def statuses(nb) -> list[str]:
    return [result["status"] for result in check_results(nb)]


@pytest.mark.slow
def test_build_execute_refreshes_solutions_and_notebooks_run_blank(tmp_path):
    root = copy_test_course(tmp_path)
    solution_path = root / "solutions" / "90_reading_a_sensor_table.ipynb"
    committed = solution_path.read_text()
    nbformat.write(clear_outputs(nbformat.read(solution_path, as_version=4)), solution_path)

    report = build_course(root, execute=True, only=["90"])
    assert report.executed == [solution_path]
    refreshed = nbformat.read(solution_path, as_version=4)
    assert statuses(refreshed) == ["correct", "correct"]
    assert solution_path.read_text() == committed, "executing the solution reproduces its stored outputs"

    trainee = nbformat.read(root / "notebooks" / "90_reading_a_sensor_table.ipynb", as_version=4)
    executed = execute_notebook(trainee, root / "notebooks")
    assert statuses(executed) == ["not_attempted", "not_attempted"]
    assert all(output.output_type != "error" for cell in executed.cells for output in cell.get("outputs", []))


@pytest.mark.slow
def test_hidden_tests_grade_what_the_public_check_does_not(tmp_path):
    """A trainee answer right by the check but unsorted passes the check and fails the hidden tests."""
    root = copy_test_course(tmp_path)
    solution = nbformat.read(root / "solutions" / "90_reading_a_sensor_table.ipynb", as_version=4)
    answer = next(c for c in solution.cells if cells.nbgrader_meta(c).get("grade_id") == "q2")
    answer.source = answer.source.replace("sort_values(ascending=False)", "sort_index()")
    hidden = next(c for c in solution.cells if cells.role(c) == "hidden_tests")
    hidden_index = solution.cells.index(hidden)
    solution.cells = solution.cells[: hidden_index + 1]
    with pytest.raises(CellExecutionError, match="sort from the hottest machine to the coolest"):
        execute_notebook(solution, root / "solutions")


def test_the_timings_table_marks_what_breaks_the_house_limits(monkeypatch):
    spec = importlib.util.spec_from_file_location("notebook_timings", REPO / "benchmarks" / "notebook_timings.py")
    timings = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "notebook_timings", timings)
    spec.loader.exec_module(timings)
    table = timings.render(
        [
            timings.Timing("00_a.ipynb", 1.0, 3.0, "setup: `import academy`", 1.5),
            timings.Timing("01_b.ipynb", 1.0, 70.0, "q2: `model.fit(x | y)`", 6.0),
        ],
        "solutions/",
    )
    assert "| 00_a.ipynb | 4.0 | 1.0 | 3.0 | setup: `import academy` | 1.50 |" in table
    assert "| 01_b.ipynb | 71.0 ⚠ | 1.0 | 70.0 | q2: `model.fit(x \\| y)` | 6.00 ⚠ |" in table


@pytest.mark.slow
def test_executing_a_notebook_can_point_the_kernel_elsewhere(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nprint(os.environ['ACADEMY_PLANT_DIR'], os.getcwd())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executed = execute_notebook(nb, tmp_path, env={"ACADEMY_PLANT_DIR": "/elsewhere/tables"})
    assert executed.cells[0].outputs[0]["text"] == f"/elsewhere/tables {tmp_path}\n"
    assert "execution" not in executed.cells[0].metadata


# --- one source per fact: the build writes the copies ------------------------------------------


def test_the_build_writes_the_title_cell_and_nbgrader_points_from_their_sources(tmp_path):
    root = copy_test_course(tmp_path)
    path = root / "solutions" / "90_reading_a_sensor_table.ipynb"
    committed = path.read_text()
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Module 90 · An old title"
    check = next(c for c in nb.cells if cells.nbgrader_meta(c).get("grade_id") == "q1-check")
    check.metadata["nbgrader"]["points"] = 7
    check.metadata["nbgrader"]["grade_id"] = "first-check"
    answer = next(c for c in nb.cells if cells.role(c) == "exercise")
    answer.metadata["academy"]["objectives"] = []
    nbformat.write(nb, path)
    assert stale_notebooks(root) == [
        "solutions/90_reading_a_sensor_table.ipynb: its title cell or nbgrader points and grade ids differ "
        "from course.yml and m90.py"
    ]
    report = build_course(root)
    assert report.derived == [path] and report.written == []
    assert path.read_text() == committed, "title, points, grade id and objectives written back from course.yml and m90.py"
    assert stale_notebooks(root) == []


def test_changing_the_points_in_the_exercise_file_changes_the_built_notebooks(tmp_path):
    """The exercise file is the one source of points: edit it, build, and every notebook follows."""
    import json
    import os
    import subprocess

    root = copy_test_course(tmp_path)
    exercise_file = root / "m90.py"
    text = exercise_file.read_text()
    assert text.count("points=2,") == 1
    exercise_file.write_text(text.replace("points=2,", "points=4,"))
    env = {k: v for k, v in os.environ.items() if k != modules.MODULE_PATH_ENV}  # the copy's m90.py, not the original
    academy = [sys.executable, "-m", "academy.cli"]
    built = subprocess.run([*academy, "build", "--root", str(root)], env=env, capture_output=True, text=True, cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    for folder in ("solutions", "notebooks"):
        nb = json.loads((root / folder / "90_reading_a_sensor_table.ipynb").read_text())
        check = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1-check")
        assert check["metadata"]["nbgrader"]["points"] == 4, folder
    assert "| 90 | [Reading a sensor table](notebooks/90_reading_a_sensor_table.ipynb) | 1 · Read and clean | 20 | – | 7 |" in (
        root / "README.md").read_text()
    validated = subprocess.run([*academy, "validate", "--root", str(root)], env=env, capture_output=True, text=True, cwd=root)
    assert validated.returncode == 0 and "2 modules, 16 points" in validated.stdout, validated.stdout
