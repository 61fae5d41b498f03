"""A trainee's first session, in a real browser, from the page `make lab` opens.

The trainee runs every cell, reads the check under a blank exercise ("not attempted yet"), types
the answer, re-runs, reads "correct", moves the figure's control and sees the figure redrawn.

The session runs twice: on a scratch notebook built here with the same contract as the course's
modules, and on the first module itself once it exists (the notebook `make lab` opens).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

if TYPE_CHECKING:
    from conftest import LabServer, NotebookInLab
    from playwright.sync_api import Locator

REPO_ROOT = Path(__file__).resolve().parents[2]
# What `make lab` opens (the Makefile's FIRST_NOTEBOOK) and the notebook it is generated from.
FIRST_MODULE = REPO_ROOT / "notebooks" / "00_getting_started.ipynb"
FIRST_MODULE_SOLUTIONS = REPO_ROOT / "solutions" / "00_getting_started.ipynb"

# A check cell says exactly one of these (house style: a check never raises).
CHECK_VERDICTS = ("not attempted yet", "not yet right", "correct")
# An exercise cell holds a placeholder such as `spindle_count = ...` for the trainee to replace.
PLACEHOLDER_LINE = re.compile(r"^\s*[A-Za-z_]\w*\s*=\s*\.\.\.\s*(#.*)?$", re.MULTILINE)
WIDGET_CONTROLS = ".widget-slider, .widget-dropdown"
# A figure drawn straight into a cell's output, not inside a widget's output.
STATIC_FIGURE = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-RenderedImage"

# The figures a control redraws live in a widget output; the control's own readout does not count.
REDRAWN_FIGURES_JS = "cell => [...cell.querySelectorAll('.widget-output img')].map(img => img.src).join('|')"


@dataclass(frozen=True)
class CourseUnderTest:
    lab: LabServer
    trainee_notebook: Path
    solution_notebook: Path


@dataclass(frozen=True)
class Exercise:
    cell_index: int
    check_cell_index: int
    cell_id: str


def verdicts_in(check_output: str) -> list[str]:
    return [verdict for verdict in CHECK_VERDICTS if re.search(rf"\b{verdict}\b", check_output)]


def exercises_in(notebook: nbformat.NotebookNode) -> list[Exercise]:
    """Exercise cells (a placeholder assignment) paired with the next code cell, their check."""
    code_indices = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    exercises = []
    for position, index in enumerate(code_indices[:-1]):
        if PLACEHOLDER_LINE.search(notebook.cells[index].source):
            exercises.append(Exercise(index, code_indices[position + 1], notebook.cells[index].id))
    return exercises


def solution_source(solution_notebook: Path, cell_id: str) -> str:
    solutions = nbformat.read(solution_notebook, as_version=4)
    matches = [cell.source for cell in solutions.cells if cell.get("id") == cell_id]
    assert matches, f"{solution_notebook.name} has no cell with id {cell_id!r}, the exercise cell's id"
    return matches[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# The scratch notebook: the course's notebook contract in six cells
# --------------------------------------------------------------------------------------------

SCRATCH_SETUP = '''\
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

spindle_temp_c = 40 + 30 * (1 - np.exp(-np.arange(60) / 15))
MESSAGES = {
    "not attempted": "Exercise 0.1 — not attempted yet: replace the ... with the number of spindles.",
    "wrong": "Exercise 0.1 — not yet right: count again, every station on line 1 has one spindle.",
    "right": "Exercise 0.1 — correct: line 1 runs {answer} spindles.",
}

def show_check(message):
    display({"text/plain": message, "text/html": f"<p><b>{message}</b></p>"}, raw=True)
'''

SCRATCH_CHECK = '''\
if answer is ...:
    show_check(MESSAGES["not attempted"])
elif answer == 4:
    show_check(MESSAGES["right"].format(answer=answer))
else:
    show_check(MESSAGES["wrong"])
'''

SCRATCH_FIGURE = '''\
def plot_spindle_temperature(alarm_limit_c):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(spindle_temp_c, color="#0072B2")
    ax.axhline(alarm_limit_c, color="#D55E00", linestyle="--", label="alarm limit")
    ax.set(title=f"Does the spindle cross its {alarm_limit_c} °C alarm limit?",
           xlabel="minutes since start", ylabel="spindle temperature (°C)")
    ax.legend(loc="lower right")
    plt.show()
    print(f"Minutes over the {alarm_limit_c} °C limit: {int((spindle_temp_c > alarm_limit_c).sum())}")

plot_spindle_temperature(60)
'''

SCRATCH_WIDGET = '''\
alarm_limit_slider = widgets.IntSlider(value=60, min=40, max=75, description="Alarm °C")
display(alarm_limit_slider,
        widgets.interactive_output(plot_spindle_temperature, {"alarm_limit_c": alarm_limit_slider}))
'''


def write_scratch_notebooks(trainee_path: Path, solution_path: Path) -> None:
    """A trainee notebook and its solution, sharing cell ids as a built module does."""
    cells = [
        nbformat.v4.new_markdown_cell(
            "# Module 99 · Spindle check\nExercise 0.1: how many spindles run on line 1? Put the number in `answer`."
        ),
        nbformat.v4.new_code_cell(SCRATCH_SETUP.rstrip()),
        nbformat.v4.new_code_cell("answer = ...", id="exercise-0-1"),
        nbformat.v4.new_code_cell(SCRATCH_CHECK.rstrip()),
        nbformat.v4.new_code_cell(SCRATCH_FIGURE.rstrip()),
        nbformat.v4.new_code_cell(SCRATCH_WIDGET.rstrip()),
    ]
    trainee = nbformat.v4.new_notebook(cells=cells)
    trainee.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"
    }
    solution = nbformat.from_dict(trainee)
    solution.cells[2].source = "# Line 1 has four stations, one spindle each.\nanswer = 4"
    for path, notebook in ((trainee_path, trainee), (solution_path, solution)):
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)


@pytest.fixture(params=["scratch-notebook", "module-00"])
def course(request: pytest.FixtureRequest, tmp_path: Path, start_lab):
    if request.param == "scratch-notebook":
        trainee = tmp_path / "course" / "99_spindle_check.ipynb"
        solution = tmp_path / "solutions" / "99_spindle_check.ipynb"
        write_scratch_notebooks(trainee, solution)
        served_from_scratch = [f"LAB_ROOT={trainee.parent}", f"FIRST_NOTEBOOK={trainee}"]
        with start_lab(tmp_path / "home", served_from_scratch) as lab:
            yield CourseUnderTest(lab, trainee, solution)
    else:
        if not FIRST_MODULE.exists():
            pytest.skip(f"{FIRST_MODULE.relative_to(REPO_ROOT)} is not built yet")
        with start_lab(tmp_path / "home") as lab:
            yield CourseUnderTest(lab, FIRST_MODULE, FIRST_MODULE_SOLUTIONS)


# --------------------------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_trainee_session(course: CourseUnderTest, open_landing_notebook) -> None:
    notebook_before = sha256(course.trainee_notebook)
    exercises = exercises_in(nbformat.read(course.trainee_notebook, as_version=4))
    assert exercises, f"{course.trainee_notebook.name} has no exercise cell with a `name = ...` placeholder"

    notebook: NotebookInLab = open_landing_notebook(course.lab)
    assert notebook.opened_path() == course.trainee_notebook.relative_to(course.lab.root_dir).as_posix()
    notebook.screenshot("01-landing")

    notebook.run_all_cells()
    notebook.screenshot("02-after-run-all")
    assert notebook.error_outputs() == []

    for exercise in exercises:
        check_output = notebook.output_text(exercise.check_cell_index)
        assert verdicts_in(check_output) == ["not attempted yet"], (
            f"check of the blank exercise in cell {exercise.cell_index} says {check_output!r}"
        )
    first = exercises[0]
    notebook.screenshot("03-check-not-attempted", notebook.cell(first.check_cell_index))

    assert_static_figure_rendered(notebook)

    notebook.replace_source(first.cell_index, solution_source(course.solution_notebook, first.cell_id))
    notebook.run_cell(first.cell_index)
    notebook.run_cell(first.check_cell_index)
    check_output = notebook.output_text(first.check_cell_index)
    notebook.screenshot("05-check-correct", notebook.cell(first.check_cell_index))
    assert verdicts_in(check_output) == ["correct"], f"check after the right answer says {check_output!r}"

    assert_control_redraws_figure(notebook)

    assert sha256(course.trainee_notebook) == notebook_before, "the session changed the notebook on disk"


def assert_static_figure_rendered(notebook: NotebookInLab) -> None:
    figures = notebook.panel.locator(STATIC_FIGURE)
    assert figures.count() > 0, "no figure drawn straight into a cell's output"
    first_figure = figures.first
    notebook.screenshot("04-static-figure", first_figure)
    assert notebook.rendered_images(first_figure), "the static figure did not render"


def assert_control_redraws_figure(notebook: NotebookInLab) -> None:
    widget_cells = notebook.panel.locator(".jp-Notebook-cell").filter(has=notebook.page.locator(WIDGET_CONTROLS))
    assert widget_cells.count() > 0, "no slider or dropdown rendered"
    widget_cell = widget_cells.first
    control = widget_cell.locator(WIDGET_CONTROLS).first
    figures = widget_cell.locator(".widget-output")
    assert notebook.rendered_images(figures), "the figure under the control did not render"
    notebook.screenshot("06-control-before", widget_cell)

    figures_before = widget_cell.evaluate(REDRAWN_FIGURES_JS)
    interact(notebook, control)
    try:
        notebook.page.wait_for_function(
            f"([cell, before]) => {{ const now = ({REDRAWN_FIGURES_JS})(cell); "
            "return now !== '' && now !== before; }",
            arg=[widget_cell.element_handle(), figures_before],
        )
    except PlaywrightTimeoutError:
        notebook.screenshot("07-control-after", widget_cell)
        raise AssertionError("moving the control did not redraw its figure") from None
    notebook.wait_for_idle_kernel()
    notebook.screenshot("07-control-after", widget_cell)
    assert notebook.rendered_images(figures), "the redrawn figure did not render"


def interact(notebook: NotebookInLab, control: Locator) -> None:
    if "widget-slider" in (control.get_attribute("class") or ""):
        handle = control.locator(".noUi-handle")
        value_before = handle.get_attribute("aria-valuenow")
        notebook.drag_slider(control, fraction=0.85)
        assert handle.get_attribute("aria-valuenow") != value_before, "dragging did not move the slider"
    else:
        notebook.choose_other_option(control)
