"""One record per trainee and module: what was graded, how, and the points.

``OUT/records/TRAINEE/NN.json`` is written (atomically) as soon as a hand-in is graded, so a run
that stops half-way keeps what it finished, and the next run skips every hand-in whose record has
the same content hash, module version and grader version. The gradebook, feedback and summary are
always rebuilt from the records.
"""
from __future__ import annotations

import json
import os
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


def record_path(out: Path, trainee: str, module: str) -> Path:
    return Path(out) / "records" / trainee / f"{module}.json"


def read_record(out: Path, trainee: str, module: str) -> Record | None:
    """The stored record, or None when there is none or it cannot be read (it is then graded again)."""
    path = record_path(out, trainee, module)
    try:
        return Record.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_record(out: Path, record: Record) -> Path:
    path = record_path(out, record.trainee, record.module)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
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
