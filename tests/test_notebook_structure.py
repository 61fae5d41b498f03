"""Every solution and trainee notebook follows the module format and agrees with course.yml.

Runs over the course's notebooks and over the tooling's test course, so the checks themselves
are exercised even before the course has modules.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from academy import cells, modules
from academy.course import load_course, notebook_manifest_problems, render_title_cell

REPO = Path(__file__).resolve().parents[1]
TEST_COURSE = Path(__file__).parent / "modules"
ROOTS = {"course": REPO, "test-course": TEST_COURSE}

TITLE = re.compile(r"^# Module (?P<id>\d{2}) · (?P<title>\S.*)$", re.MULTILINE)
LEVEL_LINE = re.compile(r"\*\*Level (?P<level>[1-4]) · [^*]+\*\* · about (?P<minutes>\d+) minutes · before this: (?P<before>.+)$", re.MULTILINE)
OBJECTIVE = re.compile(r"^\d+\. \S", re.MULTILINE)

# A path that only exists on one machine: /home/..., /Users/..., C:\..., /tmp/..., ~/...
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.:/])(?:/(?:home|Users|root|tmp|work|mnt|opt|var|srv|media|private)/[\w.-]"
    r"|[A-Za-z]:\\[\w.-]|~/[\w.-])"
)
# Fetching anything from a network: HTTP libraries, sockets, or a loader pointed at a URL.
NETWORK = re.compile(
    r"^\s*(?:import|from)\s+(?:requests|urllib|urllib3|httpx|http\.client|socket|aiohttp|ftplib)\b"
    r"|urlopen\(|urlretrieve\("
    r"|\b(?:read_\w+|load\w*|open|get|fetch\w*)\(\s*[rbf]?[\"'](?:https?|ftp)://",
    re.MULTILINE,
)


WIDGET = re.compile(r"\b(?:interact|interactive|interact_manual)\(|\bwidgets\.\w+\(")
SKLEARN = re.compile(r"^\s*(?:import|from)\s+sklearn\b", re.MULTILINE)


def notebooks():
    found = []
    for label, root in ROOTS.items():
        course = load_course(root)
        for entry in course.modules:
            for form, path in (("solution", course.solution_path(entry)), ("trainee", course.notebook_path(entry))):
                found.append(pytest.param(root, entry.id, form, path, id=f"{label}/{form}/{path.name}"))
    return found


pytestmark = pytest.mark.usefixtures("test_modules_on_path")


def read(path: Path) -> nbformat.NotebookNode:
    assert path.is_file(), f"{path.name} is missing: run make build (or: academy build)"
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("root, module_id, form, path", notebooks())
class TestModuleNotebook:
    def test_is_a_valid_notebook_with_unique_cell_ids(self, root, module_id, form, path):
        nb = read(path)
        nbformat.validate(nb)
        ids = [cell.get("id") for cell in nb.cells]
        assert all(ids) and len(set(ids)) == len(ids), "cell ids must be present and unique"

    def test_title_cell_has_level_minutes_prerequisites_and_objectives(self, root, module_id, form, path):
        course = load_course(root)
        entry = course.module(module_id)
        first = read(path).cells[0]
        assert first.cell_type == "markdown" and cells.role(first) == "title"
        heading = TITLE.search(first.source)
        assert heading and heading["id"] == module_id and heading["title"] == entry.title
        level = LEVEL_LINE.search(first.source)
        assert level, "the title cell needs '**Level N · name** · about M minutes · before this: ...'"
        assert int(level["level"]) == entry.level and int(level["minutes"]) == entry.minutes
        assert all(f"Module {p}" in level["before"] for p in entry.prerequisites)
        assert 3 <= len(OBJECTIVE.findall(first.source)) <= 5
        assert first.source == render_title_cell(course, entry)

    def test_ends_with_a_recap_on_the_shop_floor(self, root, module_id, form, path):
        recaps = [cell for cell in read(path).cells if cells.role(cell) == "recap"]
        assert recaps and "On the shop floor" in recaps[-1].source

    def test_a_check_cell_follows_every_exercise_cell(self, root, module_id, form, path):
        nb = read(path)
        for index, cell in enumerate(nb.cells):
            if cells.role(cell) == "exercise":
                following = nb.cells[index + 1]
                name = cells.academy_meta(cell)["exercise"]
                assert cells.role(following) == "check", f"exercise {name} has no check cell right after it"
                assert f"ex.{name}.check()" in following.source

    def test_nbgrader_and_course_metadata_are_valid(self, root, module_id, form, path):
        nb = read(path)
        assert cells.nbgrader_problems(nb) == []
        assert cells.academy_problems(nb, form) == []

    def test_has_no_absolute_paths(self, root, module_id, form, path):
        for cell in read(path).cells:
            assert not ABSOLUTE_PATH.search(cell.source), f"cell {cell.id} names a path that exists only on one machine"
            for output in cell.get("outputs", []):
                text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
                assert not ABSOLUTE_PATH.search(text), f"an output of cell {cell.id} shows an absolute path"

    def test_uses_no_network(self, root, module_id, form, path):
        for cell in read(path).cells:
            if cell.cell_type == "code":
                assert not NETWORK.search(cell.source), f"cell {cell.id} reaches for the network"

    def test_outputs_can_be_compared_run_to_run(self, root, module_id, form, path):
        nb = read(path)
        for cell in nb.cells:
            if cell.cell_type == "code" and WIDGET.search(cell.source):
                assert "nbval-ignore-output" in cell.metadata.get("tags", []), (
                    f"cell {cell.id} shows an ipywidgets control, whose output differs each run: tag it nbval-ignore-output"
                )
        code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
        if SKLEARN.search(code):
            setup = next(cell for cell in nb.cells if cells.role(cell) == "setup")
            assert 'set_config(display="text")' in setup.source, (
                'a module using scikit-learn sets sklearn.set_config(display="text") in its setup cell, '
                "so estimators show as comparable text"
            )

    def test_agrees_with_the_manifest(self, root, module_id, form, path):
        course = load_course(root)
        if course.module_path is not None:
            modules.add_search_path(course.module_path)
        entry = course.module(module_id)
        assert notebook_manifest_problems(course, entry, modules.load_module(module_id), read(path)) == []


# --- the structure checks catch what they are meant to catch ----------------------------------


@pytest.mark.parametrize(
    "text",
    ["df = pd.read_csv('/home/anna/plant.csv')", "open(r'C:\\Users\\plant.csv')", "see ~/data/x.parquet", "/tmp/ipykernel_12/3.py"],
)
def test_absolute_paths_are_recognised(text):
    assert ABSOLUTE_PATH.search(text)


@pytest.mark.parametrize("text", ["data.load('telemetry')", "a ratio 3/4 and https://iso.org/standard", "../datasets/plant"])
def test_relative_paths_and_cited_links_pass(text):
    assert not ABSOLUTE_PATH.search(text)


@pytest.mark.parametrize(
    "code",
    ["import requests", "from urllib.request import urlopen", "pd.read_csv('https://example.org/a.csv')", "import socket"],
)
def test_network_use_is_recognised(code):
    assert NETWORK.search(code)


@pytest.mark.parametrize("code", ["interact(plot, asset=machines)", "slider = widgets.IntSlider(1)", "@interact(x=3)"])
def test_widget_cells_are_recognised(code):
    assert WIDGET.search(code)


def test_a_notebook_missing_its_check_cell_is_caught():
    nb = read(TEST_COURSE / "solutions" / "90_reading_a_sensor_table.ipynb")
    nb.cells = [cell for cell in nb.cells if cells.role(cell) != "check"]
    problems = "\n".join(cells.academy_problems(nb))
    assert "exercise 'q1': the cell right after it must be its check cell" in problems


def test_broken_nbgrader_metadata_is_caught():
    nb = read(TEST_COURSE / "solutions" / "90_reading_a_sensor_table.ipynb")
    nb.cells[2].metadata["nbgrader"]["grade_id"] = "title"
    nb.cells[3].metadata["nbgrader"]["colour"] = "red"
    check = next(cell for cell in nb.cells if cells.role(cell) == "check")
    del check.metadata["nbgrader"]["points"]
    problems = "\n".join(cells.nbgrader_problems(nb))
    assert "duplicate nbgrader grade_id 'title'" in problems
    assert "unknown nbgrader keys ['colour']" in problems
    assert "a graded cell needs points" in problems


def test_a_trainee_notebook_with_answers_or_editable_locks_is_caught():
    nb = read(TEST_COURSE / "solutions" / "90_reading_a_sensor_table.ipynb")
    problems = "\n".join(cells.academy_problems(nb, "trainee"))
    assert "must not contain solution or hidden-test regions" in problems
    assert "carries no outputs" in problems
    assert "editable: false and deletable: false" in problems


def test_the_nbval_sanitizers_remove_only_run_to_run_details():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((Path(__file__).parent / "nbval_sanitize.cfg").read_text())
    assert len(patterns) == 3, "each sanitizer is a 'regex: ' line followed by a 'replace: ' line"

    def clean(text: str) -> str:
        for pattern, replacement in patterns:
            text = re.sub(pattern, replacement, text)
        return text

    assert clean("<matplotlib.legend.Legend at 0x7f01ab>") == clean("<matplotlib.legend.Legend at 0x7f99cd>")
    assert clean("<academy.Thing object at 0x1>") == "<academy.Thing object at ADDRESS>"
    assert clean('File /tmp/ipykernel_123/456.py:3') == clean('File /var/folders/x/ipykernel_9/78.py:3')
    assert clean("/home/a/.venv/lib/python3.11/site-packages/pandas/io.py:12: Warning") == "SITE-PACKAGES/pandas/io.py:12: Warning"
    for kept in ("CNC-101 averages 2.21 mm/s", "<Figure size 800x300 with 1 Axes>", "0x1F is hex"):
        assert clean(kept) == kept
