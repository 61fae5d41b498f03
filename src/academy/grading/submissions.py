"""Finding the trainees' notebooks, whatever way they were collected.

Accepted layouts under the submissions folder (one entry per trainee):

* ``TRAINEE/NN_name.ipynb``: a folder per trainee (notebooks may sit in sub-folders);
* ``TRAINEE.zip``: a zip per trainee, with the notebooks anywhere inside;
* nbgrader's course folder ``submitted/TRAINEE/ASSIGNMENT/NN_name.ipynb`` (give the course
  folder or its ``submitted`` folder), with ``timestamp.txt`` beside the notebooks;
* nbgrader's exchange ``inbound/TRAINEE+ASSIGNMENT+TIMESTAMP[+RANDOM]/NN_name.ipynb``: several
  hand-ins by one trainee are merged and the latest wins.

A notebook belongs to module NN by its file name (``NN_...ipynb``, as released). When a trainee has
several notebooks for one module, the released file name wins, then the latest hand-in (nbgrader
timestamp), then the last path in sorted order; the choice is recorded. Files are only read,
never changed.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 * 2**20  # no module notebook comes near; beyond this it is not a hand-in
MODULE_FILE = re.compile(r"^(\d{2})_.*\.ipynb$")
SAFE_NAME = re.compile(r"[^\w.@+-]")  # letters of any language, digits, a few marks


@dataclass
class Submission:
    """One trainee's hand-in for one module (``content`` is None when nothing was handed in)."""

    trainee: str
    module: str
    origin: str = ""  # where it came from, for people: "alice/90_x.ipynb" or "alice.zip: 90_x.ipynb"
    content: bytes | None = None
    problem: str | None = None  # why it cannot be graded at all (e.g. an unreadable zip)
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.content is None and self.problem is None

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else None


@dataclass
class _Candidate:
    origin: str
    file_name: str
    stamp: str  # nbgrader's hand-in time when known, else ""
    read: object  # () -> bytes


def trainee_name(raw: str) -> str:
    """A trainee id safe as a file name (feedback files are named after it)."""
    name = SAFE_NAME.sub("_", raw.strip()).strip("._") or "trainee"
    return name[:100]


@dataclass
class Discovery:
    """What :func:`discover` found: ``submissions[trainee][module id]`` (trainees sorted, every
    released module present, missing ones included) and notes per trainee ("" for the folder)."""

    submissions: dict[str, dict[str, Submission]]
    notes: dict[str, list[str]]


def discover(root: Path | str, modules: dict[str, str]) -> Discovery:
    """Every trainee's submission per module; ``modules`` maps each released module id to its file name."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"there is no submissions folder {root}")
    if (root / "submitted").is_dir():
        root = root / "submitted"
    elif (root / "inbound").is_dir():
        root = root / "inbound"
    found: dict[str, dict[str, list[_Candidate]]] = {}
    trainee_notes: dict[str, list[str]] = {}
    broken: dict[str, str] = {}
    entries = [entry for entry in sorted(root.iterdir()) if not entry.name.startswith(".")]
    ids = _distinct_ids(entries, trainee_notes)
    for entry in entries:
        if entry.is_dir():
            raw, _, rest = entry.name.partition("+")
            trainee = ids[_raw_name(entry)]
            found.setdefault(trainee, {})  # an empty folder is a trainee who handed nothing in
            stamp = rest.split("+")[1] if rest.count("+") >= 1 else ""
            for path in sorted(entry.rglob("*.ipynb")):
                if any(part.startswith(".") for part in path.relative_to(entry).parts):
                    continue  # .ipynb_checkpoints and other hidden copies
                timestamp = _timestamp_near(path, entry) or stamp
                _add(found, trainee, modules, trainee_notes, _Candidate(
                    f"{entry.name}/{path.relative_to(entry).as_posix()}", path.name, timestamp, _file_reader(path)))
        elif entry.suffix.lower() == ".zip":
            trainee = ids[_raw_name(entry)]
            try:
                with zipfile.ZipFile(entry) as archive:
                    members = [info for info in archive.infolist() if not info.is_dir()]
            except (zipfile.BadZipFile, OSError) as error:
                broken[trainee] = f"the zip {entry.name} could not be opened ({error})"
                continue
            for info in sorted(members, key=lambda i: i.filename):
                parts = Path(info.filename).parts
                if not info.filename.endswith(".ipynb") or any(p.startswith((".", "__MACOSX")) for p in parts):
                    continue
                _add(found, trainee, modules, trainee_notes, _Candidate(
                    f"{entry.name}: {info.filename}", Path(info.filename).name, "", _zip_reader(entry, info)))
            found.setdefault(trainee, {})
        elif entry.suffix == ".ipynb":
            trainee_notes.setdefault("", []).append(f"{entry.name} lies outside any trainee folder and was ignored")

    result: dict[str, dict[str, Submission]] = {}
    for trainee in sorted(set(found) | set(broken)):
        per_module: dict[str, Submission] = {}
        for module_id, file_name in modules.items():
            candidates = found.get(trainee, {}).get(module_id, [])
            if trainee in broken and not candidates:
                per_module[module_id] = Submission(trainee, module_id, problem=broken[trainee])
                continue
            if not candidates:
                per_module[module_id] = Submission(trainee, module_id)
                continue
            chosen = max(candidates, key=lambda c: (c.file_name == file_name, c.stamp, c.origin))
            submission = Submission(trainee, module_id, chosen.origin)
            if len(candidates) > 1:
                others = ", ".join(c.origin for c in candidates if c is not chosen)
                submission.notes.append(f"several notebooks for module {module_id}: graded {chosen.origin}, not {others}")
            try:
                submission.content = chosen.read()
            except _TooLarge as error:
                submission.problem = str(error)
            except (OSError, zipfile.BadZipFile) as error:
                submission.problem = f"{chosen.origin} could not be read ({error})"
            per_module[module_id] = submission
        result[trainee] = per_module
    return Discovery(result, trainee_notes)


def _raw_name(entry: Path) -> str:
    """The trainee's name as the folder or zip gives it (nbgrader's inbound: before the first '+')."""
    if entry.is_dir():
        return entry.name.partition("+")[0].strip()
    return entry.stem.strip() if entry.suffix.lower() == ".zip" else ""


def _distinct_ids(entries: list[Path], notes: dict[str, list[str]]) -> dict[str, str]:
    """A trainee id per raw name. The same name (a folder and a zip, nbgrader's several hand-ins)
    is one trainee; different names that clean to the same id ('Ana Lopez' and 'Ana_Lopez', '???'
    and '!!!') stay different trainees, the later ones with '-2', '-3', ... and a note."""
    raw_names = list(dict.fromkeys(_raw_name(e) for e in entries if e.is_dir() or e.suffix.lower() == ".zip"))
    taken = {trainee_name(raw) for raw in raw_names}
    ids: dict[str, str] = {}
    first: dict[str, str] = {}
    for raw in raw_names:
        base = trainee_name(raw)
        if base not in first:
            first[base] = raw
            ids[raw] = base
            continue
        number = 2
        while f"{base}-{number}" in taken:
            number += 1
        ids[raw] = f"{base}-{number}"
        taken.add(ids[raw])
        notes.setdefault("", []).append(
            f"'{first[base]}' and '{raw}' both make the trainee id '{base}': graded apart, as '{base}' and '{ids[raw]}'")
    return ids


def _add(found, trainee, modules, notes, candidate: _Candidate) -> None:
    match = MODULE_FILE.match(candidate.file_name)
    bucket = found.setdefault(trainee, {})
    if match and match.group(1) in modules:
        bucket.setdefault(match.group(1), []).append(candidate)
    else:
        notes.setdefault(trainee, []).append(f"{candidate.origin} is not the notebook of a released module and was not graded")


def _timestamp_near(path: Path, top: Path) -> str:
    for folder in (path.parent, *path.parent.parents):
        stamp = folder / "timestamp.txt"
        if stamp.is_file():
            return stamp.read_text(encoding="utf-8", errors="replace").strip()
        if folder == top:
            break
    return ""


class _TooLarge(ValueError):
    pass


def _file_reader(path: Path):
    def read() -> bytes:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise _TooLarge(f"{path.name} is {path.stat().st_size // 2**20} MB, too large for a module notebook")
        return path.read_bytes()

    return read


def _zip_reader(archive_path: Path, info: zipfile.ZipInfo):
    def read() -> bytes:
        if info.file_size > MAX_NOTEBOOK_BYTES:
            raise _TooLarge(f"{info.filename} is {info.file_size // 2**20} MB, too large for a module notebook")
        with zipfile.ZipFile(archive_path) as archive, archive.open(info) as member:
            data = member.read(MAX_NOTEBOOK_BYTES + 1)  # the size in a zip header can lie
        if len(data) > MAX_NOTEBOOK_BYTES:
            raise _TooLarge(f"{info.filename} is too large for a module notebook")
        return data

    return read
