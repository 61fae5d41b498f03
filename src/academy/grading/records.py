"""One record per trainee and module: what was graded, how, and the points.

``OUT/records/TRAINEE/NN.json`` is written (atomically) as soon as a hand-in is graded, so a run
that stops half-way keeps what it finished, and the next run skips every hand-in whose record has
the same content hash, module version and grader version. The gradebook, feedback and summary are
always rebuilt from the records.

Each record carries a signature: an HMAC-SHA256 of its content under the output folder's own key
(``OUT/.grader-key``, made by the first run, readable by the grader's user only and never inside a
kernel's sandbox). A record whose signature does not match was not written by this grader: it is
reported and graded again, never read as a result.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from academy.grading.scoring import ExerciseResult

RECORD_FORMAT = "academy.grade-record/1"
# Raise when grading logic changes in a way that changes points: every hand-in is graded again.
GRADER_VERSION = 1
STATUSES = ("graded", "timed_out", "kernel_died", "invalid_notebook", "missing")
STATUS_WORDS = {
    "graded": "graded",
    "timed_out": "timed out",
    "kernel_died": "kernel died",
    "invalid_notebook": "invalid notebook",
    "missing": "missing",
}


@dataclass
class Record:
    trainee: str
    module: str
    module_version: str
    status: str
    submission_sha256: str | None = None
    origin: str = ""
    exercises: list[ExerciseResult] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # cells the grader put back
    events: list[str] = field(default_factory=list)  # time-outs, crashes, cut output
    cell_errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # anything else worth knowing (which file, setup)
    problem: str | None = None  # why an invalid notebook is invalid
    grader_version: int = GRADER_VERSION

    @property
    def earned(self) -> float:
        return round(sum(e.earned for e in self.exercises), 4)

    def to_json(self) -> dict:
        return {"format": RECORD_FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, raw: dict) -> "Record":
        if raw.get("format") != RECORD_FORMAT:
            raise ValueError("not a grade record")
        fields = {key: value for key, value in raw.items() if key != "format"}
        fields["exercises"] = [ExerciseResult(**exercise) for exercise in fields.get("exercises", [])]
        return cls(**fields)


KEY_FILE = ".grader-key"


def grader_key(out: Path) -> bytes:
    """The output folder's signing key, made on first use."""
    path = Path(out) / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path.with_name(KEY_FILE + ".partial"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.replace(path.with_name(KEY_FILE + ".partial"), path)
    return path.read_text().strip().encode()


def _signature(raw: dict, key: bytes) -> str:
    content = json.dumps({k: v for k, v in raw.items() if k != "signature"}, sort_keys=True, ensure_ascii=True)
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


class ForeignRecord(ValueError):
    """A file where a record belongs that this grader did not write (or that was changed since)."""


def record_path(out: Path, trainee: str, module: str) -> Path:
    return Path(out) / "records" / trainee / f"{module}.json"


def read_record(out: Path, trainee: str, module: str, strict: bool = False) -> Record | None:
    """The stored record, or None when there is none or it cannot be read (it is then graded again).
    With ``strict``, a file that is there but not the grader's own raises :class:`ForeignRecord`."""
    path = record_path(out, trainee, module)
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or not hmac.compare_digest(str(raw.get("signature", "")), _signature(raw, grader_key(out))):
            raise ForeignRecord(f"{path.relative_to(out)} was not written by the grader (its signature does not match)")
        return Record.from_json({k: v for k, v in raw.items() if k != "signature"})
    except ForeignRecord:
        if strict:
            raise
        return None
    except (OSError, ValueError, TypeError, KeyError):
        if strict:
            raise ForeignRecord(f"{path.relative_to(out)} is not a readable grade record") from None
        return None


def write_record(out: Path, record: Record) -> Path:
    path = record_path(out, record.trainee, record.module)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = record.to_json()
    raw["signature"] = _signature(raw, grader_key(out))
    return write_text_atomic(path, json.dumps(raw, indent=1, ensure_ascii=False) + "\n")


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 in one step (a reader never sees half a file). Characters UTF-8
    cannot carry (a lone surrogate such as "\\ud800", which a notebook's JSON may hold) are written
    as backslash escapes: inside JSON that is the same character again, elsewhere it is readable."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(text.encode("utf-8", errors="backslashreplace"))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def is_current(record: Record | None, submission_sha256: str | None, module_version: str) -> bool:
    """Whether a stored record already grades this exact hand-in of this exact module version."""
    return (
        record is not None
        and record.submission_sha256 == submission_sha256
        and record.module_version == module_version
        and record.grader_version == GRADER_VERSION
        and record.status != "missing"
    )
