"""Reading a hand-in and putting the course's own cells back.

A trainee's notebook is matched to the released notebook cell by cell: by cell id, else by the
course metadata (role and exercise) or the nbgrader ``grade_id``. The notebook the grader runs
is then built in the course's order:

* every locked cell (title, setup, text, tasks, checks, hidden-test cells, recap) is the
  released one, whether the trainee edited, deleted, duplicated or moved it;
* answer and example cells are the trainee's (a deleted one comes back blank; of several copies,
  the last one that differs from the blank wins);
* cells the trainee added stay, right after the course cell they followed.

Outputs are dropped (nothing the trainee's notebook shows is trusted), and every repair is
recorded in words an instructor and a trainee can read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from academy import cells


class InvalidNotebook(ValueError):
    """A hand-in that cannot be graded as this module's notebook; the message says why."""


@dataclass
class Restored:
    notebook: NotebookNode
    notes: list[str] = field(default_factory=list)


def read_submission(content: bytes, module_id: str, notes: list[str] | None = None) -> NotebookNode:
    """The hand-in as a notebook, or :class:`InvalidNotebook` saying why it is not one.

    Lenient on purpose: a notebook with repeated cell ids or odd metadata is still read (those are
    repaired by :func:`restore`); only what cannot be this module's notebook is refused.
    """
    try:
        raw = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidNotebook(_not_utf8(content, error)) from None
    except ValueError as error:
        raise InvalidNotebook(f"the file is not a readable notebook (broken JSON: {error})") from None
    if isinstance(raw, dict) and isinstance(raw.get("nbformat"), int) and raw["nbformat"] < 4 and isinstance(raw.get("worksheets"), list):
        try:  # an older Jupyter's notebook (cells inside worksheets): upgraded, then graded like any other
            old_format = raw["nbformat"]
            raw = nbformat.convert(nbformat.from_dict(raw), 4)
            if notes is not None:
                notes.append(f"the notebook was saved in the old format nbformat {old_format}; the grader upgraded it to nbformat 4")
        except Exception as error:
            raise InvalidNotebook(f"the notebook is in the old format {raw.get('nbformat')} and could not be upgraded "
                                  f"({type(error).__name__})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or not isinstance(raw.get("nbformat"), int):
        raise InvalidNotebook("the file is JSON but not a Jupyter notebook (no cells)")
    try:
        nb = nbformat.from_dict(raw)
        if nb.nbformat != 4:
            nb = nbformat.convert(nb, 4)
    except Exception as error:  # nbformat raises a range of errors for odd files
        raise InvalidNotebook(f"the notebook format could not be read ({type(error).__name__})") from None
    declared = nb.get("metadata", {}).get("academy", {}).get("module") if isinstance(nb.get("metadata"), dict) else None
    if declared is not None and declared != module_id:
        raise InvalidNotebook(f"this is the notebook of module {declared}, not of module {module_id}")
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook("a cell of the notebook is damaged")
        source = cell.get("source", "")
        if isinstance(source, list):
            cell["source"] = "".join(str(part) for part in source)
        elif not isinstance(source, str):
            raise InvalidNotebook("a cell of the notebook is damaged")
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
    return nb


def _not_utf8(content: bytes, error: UnicodeDecodeError) -> str:
    """Why a file that is not UTF-8 cannot be read, telling a notebook with one bad byte from a file
    that is not text at all."""
    position, byte = error.start, content[error.start]
    try:
        json.loads(content.decode("utf-8", errors="replace"))
    except ValueError:
        return "the file is not text (it is not a Jupyter notebook)"
    return (f"the notebook is JSON but has a byte that is not UTF-8 (0x{byte:02x} at byte {position}; the file was probably "
            "saved in another encoding, such as Windows-1252): open it in Jupyter and save it again, or fix that character")


def _identity(cell: dict, by_id: dict[str, int], by_role: dict[tuple[str, str], int], by_grade_id: dict[str, int]) -> int | None:
    """The position of the released cell this hand-in cell stands for, or None for an added cell."""
    cell_id = cell.get("id")
    if isinstance(cell_id, str) and cell_id in by_id:
        return by_id[cell_id]
    meta = cell.get("metadata", {})
    academy = meta.get("academy", {}) if isinstance(meta.get("academy"), dict) else {}
    key = (academy.get("role"), academy.get("exercise"))
    if key[1] and key in by_role:
        return by_role[key]
    grader = meta.get("nbgrader", {}) if isinstance(meta.get("nbgrader"), dict) else {}
    grade_id = grader.get("grade_id")
    if isinstance(grade_id, str) and grade_id in by_grade_id:
        return by_grade_id[grade_id]
    return None


def restore(submission: NotebookNode, released: NotebookNode) -> Restored:
    """The notebook to run: the released notebook with the trainee's answers (see the module docstring)."""
    source_cells = released.cells
    by_id = {cell.get("id"): index for index, cell in enumerate(source_cells)}
    by_role = {
        (cells.role(cell), cells.academy_meta(cell).get("exercise")): index
        for index, cell in enumerate(source_cells)
        if cells.academy_meta(cell).get("exercise")
    }
    by_grade_id = {cells.nbgrader_meta(cell)["grade_id"]: index for index, cell in enumerate(source_cells) if cells.nbgrader_meta(cell).get("grade_id")}

    candidates: dict[int, list[dict]] = {index: [] for index in range(len(source_cells))}
    added: dict[int, list[dict]] = {}  # released position the added cells follow (-1: before any)
    order: list[int] = []
    anchor = -1
    for cell in submission.cells:
        identity = _identity(cell, by_id, by_role, by_grade_id)
        if identity is None:
            added.setdefault(anchor, []).append(cell)
            continue
        candidates[identity].append(cell)
        order.append(identity)
        anchor = identity

    recognised = sum(1 for found in candidates.values() if found)
    if recognised * 2 < len(source_cells):  # none, or most of the course's cells are not there
        raise InvalidNotebook(_not_this_module(released, submission, recognised, len(source_cells)))
    notes: list[str] = []
    first_seen = list(dict.fromkeys(order))
    if first_seen != sorted(first_seen):
        notes.append("cells had been moved; the grader put them back in the course's order")
    setup_index = next((i for i, c in enumerate(source_cells) if cells.role(c) == "setup"), 0)

    result = nbformat.v4.new_notebook()
    result.metadata = nbformat.from_dict(dict(released.metadata))
    used_ids: set[str] = set()

    def emit(cell: NotebookNode) -> None:
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or not cells.CELL_ID.match(cell_id) or cell_id in used_ids:
            number = len(used_ids)
            while f"added-{number}" in used_ids:
                number += 1
            cell["id"] = f"added-{number}"
        used_ids.add(cell["id"])
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        result.cells.append(cell)

    for index, original in enumerate(source_cells):
        found = candidates[index]
        name = _describe(original)
        if cells.is_locked(original):
            if not found:
                notes.append(f"{name} had been deleted; the grader put it back")
            elif any(c.get("source") != original.source or c.get("cell_type") != original.cell_type for c in found):
                notes.append(f"{name} had been changed; the grader used the course's version")
            if len(found) > 1:
                notes.append(f"{name} appeared {len(found)} times; the grader kept one")
            emit(nbformat.from_dict(original))
        else:
            emit(_keep_unlocked(original, found, name, notes))
        if index == setup_index:
            for cell in added.pop(-1, []):
                emit(_added(cell))
        for cell in added.get(index, []):
            emit(_added(cell))
    added_count = sum(len(v) for v in added.values())
    if added_count:
        notes.append(f"{added_count} cell(s) added by the trainee were kept")
    return Restored(result, notes)


def _not_this_module(released: NotebookNode, submission: NotebookNode, recognised: int, total: int) -> str:
    module = released.metadata.get("academy", {}).get("module", "")
    heading = next((line.lstrip("# ").strip() for cell in submission.cells if cell.get("cell_type") == "markdown"
                    for line in str(cell.get("source", "")).splitlines() if line.startswith("#")), None)
    instead = f"{len(submission.cells)} cell(s)" + (f", the first heading '{heading[:80]}'" if heading else ", no heading")
    return (f"not module {module}'s notebook: {recognised} of its {total} course cells were found "
            f"(found instead: {instead}); a notebook must be the released one, with answers written into it")


def _keep_unlocked(original: NotebookNode, found: list[dict], name: str, notes: list[str]) -> NotebookNode:
    """An answer or example cell: the trainee's version, in the released cell's place and role."""
    if not found:
        if cells.role(original) == "exercise":
            notes.append(f"{name} had been deleted; it was graded as not attempted")
        else:
            notes.append(f"{name} had been deleted; the grader put the course's version back")
        return nbformat.from_dict(original)
    chosen = found[-1]
    if len(found) > 1:
        answered = [cell for cell in found if cell.get("source") != original.source]
        chosen = answered[-1] if answered else found[-1]
        notes.append(f"{name} appeared {len(found)} times; the grader used the last one with an answer")
    cell = nbformat.from_dict(original)
    if chosen.get("cell_type") == original.cell_type:
        cell.source = chosen.get("source", "")
    else:
        notes.append(f"{name} had been turned into a {chosen.get('cell_type')} cell; it was graded as not attempted")
    return cell


def _added(cell: dict) -> NotebookNode:
    kind = cell.get("cell_type")
    source = cell.get("source", "")
    if kind == "code":
        new = nbformat.v4.new_code_cell(source)
    elif kind == "markdown":
        new = nbformat.v4.new_markdown_cell(source)
    else:
        new = nbformat.v4.new_raw_cell(source)
    new["id"] = cell.get("id") if isinstance(cell.get("id"), str) else ""
    return new


def _describe(cell: NotebookNode) -> str:
    role = cells.role(cell)
    exercise = cells.academy_meta(cell).get("exercise")
    names = {
        "exercise": "the answer cell",
        "check": "the check cell",
        "hidden_tests": "the extra-tests cell",
        "task": "the task cell",
        "setup": "the setup cell",
        "title": "the title cell",
        "recap": "the recap cell",
        "example": "an example cell",
    }
    text = names.get(role, f"a {role or 'course'} cell")
    if exercise:
        text += f" of {exercise}"
    return f"{text} ('{cell.get('id')}')"
