"""Hand-ins for the grading tests: trainee notebooks of the test course with answers written in."""
from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat

from academy.build import build_trainee_notebook

TEST_COURSE = Path(__file__).parent / "modules"
PLANT_COURSE = TEST_COURSE / "plant_course"
FILES = {"90": "90_reading_a_sensor_table.ipynb", "91": "91_checking_limits.ipynb", "92": "92_reading_the_plant.ipynb"}


def solution(module_id: str) -> nbformat.NotebookNode:
    folder = PLANT_COURSE if module_id == "92" else TEST_COURSE
    return nbformat.read(folder / "solutions" / FILES[module_id], as_version=4)


def trainee(module_id: str) -> nbformat.NotebookNode:
    return build_trainee_notebook(solution(module_id))


def answered(module_id: str, answers: dict[str, str], base: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """The trainee notebook with the answer cells ``answers`` (cell id -> code) filled in."""
    nb = base if base is not None else trainee(module_id)
    for cell in nb.cells:
        if cell.get("id") in answers:
            cell.source = answers[cell["id"]]
    return nb


def insert_after(nb: nbformat.NotebookNode, cell_id: str, source: str, new_id: str) -> nbformat.NotebookNode:
    """``nb`` with a code cell the trainee added after the cell ``cell_id``."""
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = new_id
    position = next(i for i, c in enumerate(nb.cells) if c.get("id") == cell_id)
    nb.cells.insert(position + 1, cell)
    return nb


def hand_in(folder: Path, trainee_name: str, module_id: str, nb: nbformat.NotebookNode | bytes | str, file: str | None = None) -> Path:
    path = folder / trainee_name / (file or FILES[module_id])
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    elif isinstance(nb, str):
        path.write_text(nb)
    else:
        nbformat.write(nb, path)
    return path


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: content hash and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
