"""course.yml: it loads, it agrees with the exercise files and notebooks, and it says clearly when not."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from academy.cli import main
from academy.course import (
    LEVEL_NAMES,
    TABLE_END,
    TABLE_START,
    CourseError,
    course_problems,
    load_course,
    readme_table_is_fresh,
    render_module_table,
    render_title_cell,
    replace_table,
    validate,
    write_readme_table,
)

REPO = Path(__file__).resolve().parents[1]
TEST_COURSE = Path(__file__).parent / "modules"


pytestmark = pytest.mark.usefixtures("test_modules_on_path")


def test_the_course_manifest_is_sound():
    course = validate(REPO)
    assert course.levels == LEVEL_NAMES == {1: "Read and clean", 2: "Monitor", 3: "Predict", 4: "Decide"}
    for entry in course.modules:
        assert course.solution_path(entry).is_file()


def test_the_test_course_is_sound():
    course = validate(TEST_COURSE)
    assert [entry.id for entry in course.modules] == ["90", "91"]
    assert course.total_points == 14
    assert course.module_points("90") == 5, "the sum of m90.py's points: course.yml does not repeat them"


@pytest.fixture
def course_copy(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(TEST_COURSE, root, ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
    return root


def edit_manifest(root: Path, change) -> None:
    manifest = yaml.safe_load((root / "course.yml").read_text())
    change(manifest)
    (root / "course.yml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True))


def problems_of(root: Path) -> str:
    with pytest.raises(CourseError) as raised:
        validate(root)
    return "\n".join(raised.value.problems)


def test_an_unknown_prerequisite_is_named(course_copy):
    edit_manifest(course_copy, lambda m: m["modules"][1].update(prerequisites=["90", "42"]))
    assert "module 91: prerequisite '42' is not a module in course.yml" in problems_of(course_copy)


def test_a_prerequisite_cycle_is_shown(course_copy):
    edit_manifest(course_copy, lambda m: m["modules"][0].update(prerequisites=["91"]))
    problems = problems_of(course_copy)
    assert "prerequisites form a cycle" in problems
    assert "90 -> 91 -> 90" in problems or "91 -> 90 -> 91" in problems


def test_a_missing_solution_notebook_is_named(course_copy):
    (course_copy / "solutions" / "90_reading_a_sensor_table.ipynb").unlink()
    assert "module 90: the solution notebook solutions/90_reading_a_sensor_table.ipynb is missing" in problems_of(course_copy)


def test_an_objective_no_exercise_assesses_is_named(course_copy):
    edit_manifest(course_copy, lambda m: m["modules"][0]["objectives"].append({"id": "90.4", "text": "Say why it matters"}))
    assert "module 90: objective 90.4 is assessed by no exercise" in problems_of(course_copy)


def test_an_exercise_the_notebook_and_the_exercise_file_disagree_on_is_named(course_copy):
    path = course_copy / "solutions" / "90_reading_a_sensor_table.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.metadata.get("academy", {}).get("exercise") != "q2"]
    nbformat.write(nb, path)
    assert "exercise 'q2' is in m90.py but has no exercise cell in the notebook" in problems_of(course_copy)


def test_points_written_in_the_manifest_are_refused_with_where_they_belong(course_copy):
    def old_style(manifest):
        manifest["modules"][0]["exercises"] = {"q1": 2, "q2": 3}
        manifest["modules"][0]["points"] = 5

    edit_manifest(course_copy, old_style)
    problems = problems_of(course_copy)
    assert "module 90: 'exercises' is declared in m90.py, not here (each exercise's points, Exercise(points=...))" in problems
    assert "module 90: 'points' is declared in m90.py" in problems


def test_nbgrader_points_must_agree_with_the_exercise_file(course_copy):
    path = course_copy / "solutions" / "90_reading_a_sensor_table.ipynb"
    nb = nbformat.read(path, as_version=4)
    check = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-check")
    check.metadata["nbgrader"]["points"] = 1
    nbformat.write(nb, path)
    assert "exercise 'q1': its graded cells carry 1 nbgrader points, m90.py says 2 (academy build writes it)" in problems_of(course_copy)


def test_a_title_cell_that_disagrees_is_shown_with_the_expected_text(course_copy):
    edit_manifest(course_copy, lambda m: m["modules"][0].update(minutes=25))
    problems = problems_of(course_copy)
    assert "the title cell disagrees with course.yml" in problems
    assert "about 25 minutes" in problems


def test_the_manifest_shape_is_checked(course_copy):
    def break_shape(manifest):
        manifest["colour"] = "blue"
        manifest["modules"][0].update(level=7, minutes="twenty", objectives=manifest["modules"][0]["objectives"][:2])
        manifest["modules"][1]["file"] = "checking_limits.ipynb"
        manifest["modules"].append({"id": 92})

    edit_manifest(course_copy, break_shape)
    problems = problems_of(course_copy)
    assert "course.yml: unknown key 'colour'" in problems
    assert "module 90: level must be one of [1, 2, 3, 4]" in problems
    assert "module 90: minutes must be a whole number" in problems
    assert "module 90: give 3 to 5 learning objectives" in problems
    assert "module 91: file must be named 91_<words>.ipynb" in problems
    assert "module #3: id must be two digits in quotes" in problems


def test_a_sound_manifest_has_no_problems():
    assert course_problems(load_course(TEST_COURSE)) == []


def test_the_title_cell_carries_level_minutes_prerequisites_and_objectives():
    course = load_course(TEST_COURSE)
    text = render_title_cell(course, course.module("91"))
    assert text.startswith("# Module 91 · Checking limits\n")
    assert "**Level 2 · Monitor** · about 30 minutes · before this: Module 90 (Reading a sensor table)" in text
    assert "5. Work out the control limits of a temperature" in text


def test_the_module_table_lists_every_module():
    table = render_module_table(load_course(TEST_COURSE))
    assert "| 90 | [Reading a sensor table](notebooks/90_reading_a_sensor_table.ipynb) | 1 · Read and clean | 20 | – | 5 |" in table
    assert "| 91 | [Checking limits](notebooks/91_checking_limits.ipynb) | 2 · Monitor | 30 | 90 | 9 |" in table


def test_the_readme_table_is_replaced_between_its_markers():
    readme = f"# Title\n\nIntro\n\n{TABLE_START}\nold table\n{TABLE_END}\n\nMore\n"
    assert replace_table(readme, "| new |") == f"# Title\n\nIntro\n\n{TABLE_START}\n| new |\n{TABLE_END}\n\nMore\n"
    with pytest.raises(CourseError, match="needs the markers"):
        replace_table("# No markers here\n", "| new |")


def test_a_stale_readme_table_is_found_and_rewritten(course_copy, capsys):
    readme = course_copy / "README.md"
    readme.write_text(readme.read_text().replace("| 20 |", "| 15 |"))
    assert not readme_table_is_fresh(course_copy)
    assert main(["readme-table", "--check", "--root", str(course_copy)]) == 1
    assert "stale: run `academy readme-table`" in capsys.readouterr().out
    assert write_readme_table(course_copy) is True
    assert readme_table_is_fresh(course_copy)
    assert write_readme_table(course_copy) is False


@pytest.mark.parametrize("root", [REPO, TEST_COURSE], ids=["course", "test-course"])
def test_the_readme_module_table_is_up_to_date(root):
    readme = root / "README.md"
    if not readme.is_file():
        pytest.skip("the course has no README.md yet")
    text = readme.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text, f"{readme.name} needs the module table markers {TABLE_START} / {TABLE_END}"
    assert readme_table_is_fresh(root), "The README's module table is stale: run `academy readme-table` (or make build)."


def test_validate_on_the_command_line(course_copy, capsys):
    assert main(["validate", "--root", str(TEST_COURSE)]) == 0
    assert "course.yml is sound: 2 modules, 14 points." in capsys.readouterr().out
    (course_copy / "solutions" / "91_checking_limits.ipynb").unlink()
    assert main(["validate", "--root", str(course_copy)]) == 1
    assert "91_checking_limits.ipynb is missing" in capsys.readouterr().out
