"""Grading a cohort's hand-ins: ``academy grade``.

::

    academy grade SUBMISSIONS --release releases/spring-2027/release_manifest.json --out grades/spring-2027

For every trainee and released module (see :mod:`academy.grading.submissions` for the accepted
folder layouts), the grader

1. reads the hand-in and restores every locked, check and hidden-test cell from the released
   notebook by cell id, recording each repair (:mod:`academy.grading.restore`);
2. runs it in a kernel of its own inside a bubblewrap sandbox (:mod:`academy.grading.sandbox`: its
   own processes, no network, a read-only view of what it needs and no view of the grader's
   folders), with a per-cell time limit, memory and CPU-time limits for all its processes together
   and per-process limits (:mod:`academy.grading.kernel`), several hand-ins at a time across the
   cores (:mod:`academy.grading.execute`); a hand-in that hangs, crashes, eats memory or tries to
   get out loses only its own points;
3. reads each exercise's answer out of the kernel as plain JSON and scores it outside the kernel,
   public points with the exercise's check, hidden points with the hidden tests, a share per
   variable for several-variable exercises (:mod:`academy.grading.scoring`);
4. writes a signed record per hand-in at once (:mod:`academy.grading.records`), and at the end the
   gradebook, a feedback page per trainee and a cohort summary (:mod:`academy.grading.reports`).
   Anything that goes wrong with one hand-in becomes that hand-in's status; the batch goes on.

Every row has a status: graded, timed out, kernel died, invalid notebook or missing. Running the
command again skips hand-ins already graded and unchanged (content hash), so a batch that stopped
half-way finishes without grading twice. The grader reads the hand-ins and never writes, moves or
deletes them.

Where no sandbox can be made the grader refuses and names the package to install, unless asked to
run without one (``sandbox=False``, ``--no-sandbox``; the summary then says so). What the sandbox
guarantees and what it does not is in the README.
"""
from __future__ import annotations

import argparse
import atexit
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import nbformat

from academy.grading.execute import Limits, Sandboxed, run_notebook
from academy.grading.records import KEY_FILE, STATUS_WORDS, ForeignRecord, Record, is_current, read_record, write_record, write_text_atomic
from academy.grading.reports import (
    exercise_rows,
    feedback_page,
    gradebook_rows,
    missed_figure,
    missed_shares,
    summary_page,
    write_csv,
)
from academy.grading.restore import InvalidNotebook, read_submission, restore
from academy.grading.sandbox import Mounts, SandboxUnavailable, TreeWatch, check_available, python_folders
from academy.grading.scoring import Memo, hidden_tests, score_exercise, setup_namespace
from academy.grading.submissions import Discovery, discover
from academy.data import PLANT_DIR_ENV
from academy.exercise.solutions import RELEASE_ENV
from academy.modules import EXERCISE_FILE, MODULE_PATH_ENV
from academy.release import PLANT_DIR, Release, ReleaseError, changed_answer_key, load_release

GRADEBOOK = "gradebook.csv"
EXERCISE_TABLE = "grades_by_exercise.csv"
SUMMARY = "summary.html"
FIGURE = "exercises_missed.png"
KERNEL_ENV_PASSTHROUGH = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV")


class GradeError(ValueError):
    """Grading cannot start as asked; the message says what to change."""


@dataclass
class GradeReport:
    out: Path
    graded: list[tuple[str, str]] = field(default_factory=list)  # graded in this run
    skipped: list[tuple[str, str]] = field(default_factory=list)  # already graded and unchanged
    records: dict[tuple[str, str], Record] = field(default_factory=dict)  # every trainee and module
    trainees: list[str] = field(default_factory=list)

    @property
    def gradebook(self) -> Path:
        return self.out / GRADEBOOK

    @property
    def summary(self) -> Path:
        return self.out / SUMMARY

    def feedback(self, trainee: str) -> Path:
        return self.out / "feedback" / f"{trainee}.html"

    def status_counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUS_WORDS}
        for record in self.records.values():
            counts[record.status] += 1
        return counts


@dataclass
class _Job:
    trainee: str
    module: dict
    sha256: str
    origin: str
    notebook: nbformat.NotebookNode
    restored: list[str]
    notes: list[str]


@dataclass
class _ModuleContext:
    exercises: list
    data: Any
    tests: dict
    namespace: dict
    problem: str | None


def grade(
    submissions: Path | str,
    release: Path | str | Release,
    out: Path | str,
    jobs: int | None = None,
    limits: Limits = Limits(),
    regrade: bool = False,
    log: Callable[[str], None] = print,
    sandbox: bool = True,
) -> GradeReport:
    """Grade every hand-in under ``submissions`` against ``release``; write results into ``out``.

    Every kernel runs in a bubblewrap sandbox (:mod:`academy.grading.sandbox`); where none can be
    made this refuses with :class:`GradeError` naming the package, unless ``sandbox`` is False."""
    bwrap = None
    if sandbox:
        try:
            bwrap = check_available()
        except SandboxUnavailable as error:
            raise GradeError(str(error)) from None
    release = release if isinstance(release, Release) else load_release(release)
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    _refuse_overlap(submissions, out, release)
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    with _exclusive(out), _course_environment(release, out, bwrap) as environment:
        modules = {m["id"]: m for m in release.modules}
        discovery = discover(submissions, {module_id: m["file"] for module_id, m in modules.items()})
        report = GradeReport(out, trainees=list(discovery.submissions))
        pending: list[_Job] = []
        for trainee, per_module in discovery.submissions.items():
            for module_id, submission in per_module.items():
                module = modules[module_id]
                if submission.missing:
                    continue
                try:
                    stored = read_record(out, trainee, module_id, strict=True)
                except ForeignRecord as error:
                    stored = None
                    note = f"{error}: it was set aside and {trainee}'s module {module_id} graded again"
                    discovery.notes.setdefault("", []).append(note)
                    log(f"WARNING: {note}")
                if not regrade and is_current(stored, submission.sha256, module["version"]):
                    report.skipped.append((trainee, module_id))
                    continue
                try:
                    if submission.problem:
                        raise InvalidNotebook(submission.problem)
                    restored = restore(read_submission(submission.content, module_id, submission.notes),
                                       environment.trainee_notebook(module_id))
                except InvalidNotebook as error:
                    _record_invalid(report, module, submission, str(error), log)
                    continue
                except Exception as error:  # anything else odd in one hand-in is its own row, never the batch's end
                    _record_invalid(report, module, submission, f"the grader could not read this notebook ({_reason(error)})", log)
                    continue
                pending.append(_Job(trainee, module, submission.sha256, submission.origin, restored.notebook,
                                    restored.notes, submission.notes))
        if bwrap is None:
            warning = ("graded WITHOUT a sandbox (--no-sandbox): every notebook could read and write any file the grader's "
                       "user can and reach the network, so these results are only as trustworthy as the hand-ins")
            if release.assessment:
                warning += ("; for an assessment that includes the exercise files and the ground truth the grader scores "
                            "with, so it was not graded as one can be")
            discovery.notes.setdefault("", []).append(warning)
            log(f"WARNING: {warning}")
        _run_jobs(pending, environment, limits, jobs, report, log)
        for name in changed_answer_key(release) if pending else []:
            warning = (f"{name} of the release changed during this run: the answer key may not be the released one; "
                       "restore the release folder from its zip and grade again with --regrade")
            discovery.notes.setdefault("", []).append(warning)
            log(f"WARNING: {warning}")
        for tables in dict.fromkeys(t for t in (environment.plant, environment.kernel_plant) if t is not None):
            if pending and changed_plant_files(tables):
                warning = (f"the cohort's plant in {tables} changed during this run (a notebook may have written to "
                           "it): check the summary, restore the plant and grade again with --regrade")
                discovery.notes.setdefault("", []).append(warning)
                log(f"WARNING: {warning}")
        for trainee in report.trainees:
            for module_id, module in modules.items():
                record = read_record(out, trainee, module_id)
                if record is None or discovery.submissions[trainee][module_id].missing:
                    record = Record(trainee, module_id, module["version"], "missing")
                report.records[(trainee, module_id)] = record
        for name, why in foreign_files(out, report.trainees, modules):
            note = f"{name} in the output folder {why}; it was not read as a result"
            discovery.notes.setdefault("", []).append(note)
            log(f"WARNING: {note}")
        _write_reports(report, release, discovery)
    counts = ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in report.status_counts().items() if n)
    log(f"Graded {len(report.graded)} hand-in(s), skipped {len(report.skipped)} already graded; {counts}.")
    return report


def foreign_files(out: Path, trainees: list[str], modules: dict[str, dict]) -> list[tuple[str, str]]:
    """Files in ``out`` that are not this run's results: (relative path, why), sorted. A signed
    record of a trainee no longer among the hand-ins is the grader's own and is left alone; pages
    and copies of such trainees are named as left from an earlier run."""
    expected = {GRADEBOOK, EXERCISE_TABLE, SUMMARY, FIGURE, KEY_FILE, ".grading.lock"}
    for trainee in trainees:
        expected.add(f"feedback/{trainee}.html")
        for module_id, module in modules.items():
            expected.add(f"records/{trainee}/{module_id}.json")
            expected.add(f"executed/{trainee}/{module['file']}")
    found = []
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_dir() or name in expected or name.startswith("plant/"):  # plant/: the cohort's generated tables
            continue
        parts = name.split("/")
        if parts[0] == "records" and len(parts) == 3 and parts[2].endswith(".json"):
            try:
                read_record(out, parts[1], parts[2][:-5], strict=True)
                continue
            except ForeignRecord:
                found.append((name, "was not written by the grader"))
                continue
        if parts[0] in ("feedback", "executed") and len(parts) >= 2 and not name.endswith(".partial"):
            found.append((name, "is not of a trainee among these hand-ins (left from an earlier run, or not the grader's)"))
            continue
        found.append((name, "is not one of the grader's files"))
    return found


def _record_invalid(report: GradeReport, module: dict, submission, problem: str, log) -> None:
    record = Record(submission.trainee, module["id"], module["version"], "invalid_notebook", submission.sha256,
                    submission.origin, problem=problem, notes=list(submission.notes))
    write_record(report.out, record)
    report.graded.append((record.trainee, record.module))
    log(f"{record.trainee} {record.module}: {STATUS_WORDS[record.status]} ({problem})")


# --- folders and environment -------------------------------------------------------------------


def _refuse_overlap(submissions: Path, out: Path, release: Release) -> None:
    if not submissions.is_dir():
        raise GradeError(f"there is no submissions folder {submissions}")
    for a, b in ((out, submissions), (submissions, out)):
        if a == b or b in a.parents:
            raise GradeError(f"--out {out} and the submissions {submissions} must be separate folders "
                             "(the grader never writes among the trainees' files)")
    trainee_folder = release.trainee_folder.resolve()
    if out == trainee_folder or trainee_folder in out.parents:
        raise GradeError("--out must not be inside the release's trainee folder")


@contextmanager
def _exclusive(out: Path):
    lock = open(out / ".grading.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise GradeError(f"another grading run is writing to {out}; wait for it to finish") from None
    try:
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class _Environment:
    """Where the cohort's data, exercise files and released notebooks are, for kernels and for scoring."""

    def __init__(self, release: Release, scratch: Path, plant: Path | None, bwrap: str | None = None,
                 kernel_plant: Path | None = None):
        self.release = release
        self.bwrap = bwrap
        self.scratch = scratch
        self.plant = plant  # what the grader scores with (in an assessment: ground truth included)
        self.kernel_plant = kernel_plant if kernel_plant is not None else plant  # what the notebooks read
        self._trainee_notebooks: dict[str, nbformat.NotebookNode] = {}
        self._contexts: dict[str, _ModuleContext] = {}
        self.mpl_template = scratch / "mpl-template"

    def module_path(self) -> str:
        parts = [os.environ.get(MODULE_PATH_ENV, "")]
        if self.release.module_path is not None:
            parts.insert(0, str(self.release.module_path))
        # Absolute: the kernel works in a folder of its own (and in the sandbox only these paths exist).
        return os.pathsep.join(str(Path(p).resolve()) for p in parts if p)

    def trainee_notebook(self, module_id: str) -> nbformat.NotebookNode:
        """The notebook as released to trainees (rebuilt from the released source if need be)."""
        if module_id not in self._trainee_notebooks:
            entry = self.release.module(module_id)
            shipped = self.release.notebooks / entry["file"]
            if shipped.is_file():
                nb = nbformat.read(shipped, as_version=4)
            else:
                from academy.build import build_trainee_notebook

                nb = build_trainee_notebook(nbformat.read(self.release.source_path(module_id), as_version=4))
            self._trainee_notebooks[module_id] = nb
        return self._trainee_notebooks[module_id]

    def kernel_env(self, kernel_dir: Path) -> dict[str, str]:
        """The kernel's environment; ``kernel_dir`` (the kernel's own ``notebooks`` folder) gets a
        copy of the release's small data files beside it, so relative paths work as in the release."""
        env = {key: os.environ[key] for key in KERNEL_ENV_PASSTHROUGH if key in os.environ}
        env["PYTHONPATH"] = _python_path()
        released_plant = self.release.trainee_folder / PLANT_DIR
        if released_plant.is_dir():
            copy = kernel_dir.parent / PLANT_DIR
            copy.mkdir(parents=True, exist_ok=True)
            for path in released_plant.iterdir():
                if path.is_file():
                    shutil.copyfile(path, copy / path.name)
        env.update({
            "HOME": str(kernel_dir),
            "MPLCONFIGDIR": str(kernel_dir / ".matplotlib"),
            "IPYTHONDIR": str(kernel_dir / ".ipython"),
            "JUPYTER_RUNTIME_DIR": str(kernel_dir / ".jupyter-runtime"),
            "JUPYTER_DATA_DIR": str(kernel_dir / ".jupyter-data"),
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            RELEASE_ENV: str(self.release.settings_path),
            MODULE_PATH_ENV: self.module_path(),
        })
        if self.kernel_plant is not None:
            env[PLANT_DIR_ENV] = str(self.kernel_plant)
        if self.mpl_template.is_dir():
            shutil.copytree(self.mpl_template, kernel_dir / ".matplotlib")
        return env

    def sandbox(self, kernel_dir: Path) -> Sandboxed | None:
        """What the kernel working in ``kernel_dir`` sees (None: no sandbox). Read-only: the Python
        environment, the course code, the release's trainee folder, the cohort's plant and the
        exercise files (each file alone: a module folder may also hold solutions). Writable: the
        kernel's own folder. Nothing else of this machine is in its file system.

        In an assessment the exercise files are not there at all (nor the course's own, which the
        course code's ``academy/modules`` folder holds: it is seen empty but for its
        ``__init__.py``), and the plant is the trainees' copy, without the ground truth."""
        if self.bwrap is None:
            return None
        read_only = [*python_folders(), Path(_python_path().split(os.pathsep)[0]), self.release.trainee_folder.resolve()]
        if self.kernel_plant is not None:
            read_only.append(self.kernel_plant)
        assessment = self.release.assessment
        for folder in self.module_path().split(os.pathsep):
            if folder and Path(folder).is_dir():
                read_only += [path for path in Path(folder).iterdir() if path.is_file() and path.suffix in (".py", ".yml", ".yaml")
                              and not (assessment and EXERCISE_FILE.match(path.name))]
        masked = tuple((folder, ("__init__.py",)) for folder in exercise_folders()) if assessment else ()
        return Sandboxed(self.bwrap, Mounts(writable=(kernel_dir.parent,), read_only=tuple(read_only), working_folder=kernel_dir,
                                            masked=masked))

    def context(self, module_id: str) -> _ModuleContext:
        """The module's exercises, data, hidden tests and setup names, made once per run."""
        if module_id not in self._contexts:
            from academy.modules import load_module

            module = load_module(module_id)
            source = nbformat.read(self.release.source_path(module_id), as_version=4)
            memo = Memo()
            namespace, problem = setup_namespace(source, self.release.notebooks)
            self._contexts[module_id] = _ModuleContext(
                [memo.wrap(exercise) for exercise in module.exercises], module.data(), hidden_tests(source), namespace, problem)
        return self._contexts[module_id]


@contextmanager
def _course_environment(release: Release, out: Path, bwrap: str | None):
    """Module path, cohort plant and a scratch folder for the whole run; the process environment
    is put back afterwards."""
    from academy.modules import add_search_path

    if release.module_path is not None:
        add_search_path(release.module_path)
    saved = {key: os.environ.get(key) for key in (PLANT_DIR_ENV, RELEASE_ENV)}
    scratch = Path(tempfile.mkdtemp(prefix="academy-grade-"))
    try:
        plant = _cohort_plant(release, out) if any(m.get("uses_plant", True) for m in release.modules) else None
        if plant is not None:
            os.environ[PLANT_DIR_ENV] = str(plant)
        if release.settings_path.is_file():
            os.environ[RELEASE_ENV] = str(release.settings_path)
        kernel_plant = _assessment_kernel_plant(release) if plant is not None and release.assessment else None
        environment = _Environment(release, scratch, plant, bwrap, kernel_plant)
        _warm_matplotlib(environment.mpl_template)
        yield environment
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(scratch, ignore_errors=True)


def _cohort_plant(release: Release, out: Path) -> Path:
    """The cohort's plant tables: those shipped with the release, else generated once into ``out``."""
    shipped = release.plant_tables
    if shipped is not None and (shipped / "MANIFEST.json").is_file():
        return _verified_tables(shipped, release.manifest["plant"].get("tables_manifest_sha256"),
                                f"the plant in {shipped} is not the one released to {release.cohort}",
                                "table file(s) of the cohort's plant changed since it was generated")
    target = out / "plant" / "tables"
    manifest = target / "MANIFEST.json"
    if manifest.is_file() and json.loads(manifest.read_text()).get("seed") == release.plant_seed and not changed_plant_files(target):
        return target
    from plantsim.simulate import generate

    generate(release.plant_scenario, target, seed=release.plant_seed, force=True)
    return target


def _assessment_kernel_plant(release: Release) -> Path:
    """An assessment's trainee tables (no ground truth), which the notebooks read: as released."""
    tables = release.trainee_tables
    if tables is None or not (tables / "MANIFEST.json").is_file():
        raise GradeError(f"the trainees' plant tables of assessment {release.cohort} are missing ({tables}): restore the "
                         "release folder from its zip")
    return _verified_tables(tables, release.manifest["plant"].get("trainee_tables_manifest_sha256"),
                            f"the trainees' plant in {tables} is not the one released to {release.cohort}",
                            "table file(s) of the trainees' plant changed since the release")


def _verified_tables(tables: Path, recorded_sha256: str | None, not_released: str, changed_files: str) -> Path:
    """``tables``, resolved, once its MANIFEST.json is the released one and no file has changed since
    it was written; else a GradeError with ``not_released`` or ``changed_files`` in it."""
    if recorded_sha256 and hashlib.sha256((tables / "MANIFEST.json").read_bytes()).hexdigest() != recorded_sha256:
        raise GradeError(not_released)
    changed = changed_plant_files(tables)
    if changed:
        raise GradeError(f"{len(changed)} {changed_files}, e.g. {changed[0]}: restore the release folder from its zip")
    return tables.resolve()


def exercise_folders() -> list[Path]:
    """Every ``academy/modules`` folder a kernel could import exercise files from: this academy's
    and any copy in the Python environment's site-packages."""
    import academy.modules

    found = {Path(academy.modules.__file__).resolve().parent}
    for folder in python_folders():
        candidate = folder / "academy" / "modules"
        if candidate.is_dir():
            found.add(candidate.resolve())
    return sorted(found)


def _python_path() -> str:
    """PYTHONPATH for the kernels: wherever this ``academy`` was imported from comes first, so they
    run the same code whether or not the course is pip-installed."""
    import academy

    here = str(Path(academy.__file__).resolve().parents[1])
    return os.pathsep.join(p for p in [here, *os.environ.get("PYTHONPATH", "").split(os.pathsep)] if p)


_FONT_CACHE: dict[str, Path] = {}


def changed_plant_files(tables: Path) -> list[str]:
    """Table files that differ from the checksums in the plant's MANIFEST.json (a notebook could
    have written to them: the grader checks before and after a run)."""
    files = json.loads((tables / "MANIFEST.json").read_text()).get("files", {})
    changed = []
    for name, digest in sorted(files.items()):
        path = tables / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            changed.append(name)
    return changed


def _warm_matplotlib(folder: Path) -> None:
    """Build matplotlib's font cache once per process; each kernel starts with a copy of it instead
    of building its own."""
    if "built" not in _FONT_CACHE or not _FONT_CACHE["built"].is_dir():
        built = Path(tempfile.mkdtemp(prefix="academy-mpl-"))
        atexit.register(shutil.rmtree, built, ignore_errors=True)  # kept for this process's runs, never after it
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env={**os.environ, "MPLCONFIGDIR": str(built)},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=120)
        _FONT_CACHE["built"] = built
    shutil.copytree(_FONT_CACHE["built"], folder, dirs_exist_ok=True)


# --- running the hand-ins ----------------------------------------------------------------------


def _run_jobs(pending: list[_Job], environment: _Environment, limits: Limits, workers: int, report: GradeReport, log) -> None:
    """Run the hand-ins, ``workers`` at a time (each in a kernel process of its own), and score and
    record each as soon as it is back. A watchdog stops a kernel that outlives its whole budget."""
    if not pending:
        return
    for module_id in dict.fromkeys(job.module["id"] for job in pending):
        environment.context(module_id)  # before the pool: setting it up may change the working folder
    kernels: dict[int, Any] = {}  # job number -> kernel process
    watches: dict[int, TreeWatch] = {}  # job number -> its whole process tree
    overran: set[int] = set()
    stopped: dict[int, tuple[str, str]] = {}  # job number -> (status, why) for a tree over its limits
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(_execute, job, environment, limits, lambda process, n=number: kernels.__setitem__(n, process)): number
            for number, job in enumerate(pending)
        }
        started: dict[int, float] = {}
        remaining = set(futures)
        done = 0
        while remaining:
            finished, remaining = wait(remaining, timeout=WATCH_INTERVAL_S, return_when=FIRST_COMPLETED)
            now = time.monotonic()
            for future in remaining:  # the watchdog
                number = futures[future]
                if number in kernels and number not in overran and number not in stopped:
                    started.setdefault(number, now)
                    if now - started[number] > _wall_budget(pending[number], limits):
                        overran.add(number)
                        kernels[number].kill()
                        continue
                    over = _over_limits(watches, number, kernels[number], limits)
                    if over is not None:
                        stopped[number] = over
                        kernels[number].kill()
            for future in finished:
                number = futures[future]
                job = pending[number]
                execution = future.result()
                if number in overran:
                    execution["status"] = "timed_out"
                    execution["events"].append(f"the whole notebook ran longer than {_wall_budget(job, limits)} s and was stopped")
                elif number in stopped:
                    execution["status"], why = stopped[number]
                    execution["events"].append(why)
                record = _finish(job, execution, environment, report.out)
                report.graded.append((job.trainee, job.module["id"]))
                done += 1
                log(f"[{done}/{len(pending)}] {job.trainee} {job.module['id']}: {STATUS_WORDS[record.status]}, "
                    f"{record.earned:g} of {job.module['points']:g} points")


WATCH_INTERVAL_S = 0.25  # how often the watchdog looks at every running sandbox


def _over_limits(watches: dict[int, TreeWatch], number: int, process, limits: Limits) -> tuple[str, str] | None:
    """(status, why) when the kernel's whole process tree (every process of its sandbox together)
    is past the memory or CPU-time limit, else None."""
    try:
        watch = watches.setdefault(number, TreeWatch(process.pid))
    except Exception:  # the process is already gone
        return None
    resident_mb, cpu_s = watch.usage()
    if resident_mb > limits.memory_mb:
        return ("kernel_died", f"the notebook's processes together used {resident_mb:.0f} MB, more than the {limits.memory_mb} MB "
                               "one hand-in may use (all processes of its sandbox count), and were stopped")
    if cpu_s > limits.cpu_seconds:
        return ("timed_out", f"the notebook's processes together used more than {limits.cpu_seconds} s of CPU time "
                             "(all processes of its sandbox count) and were stopped")
    return None


def _finish(job: _Job, execution: dict, environment: _Environment, out: Path) -> Record:
    """Score one hand-in, keep its executed copy and write its record. Whatever goes wrong here
    stays on this hand-in's row (with the reason): the rest of the batch is still graded."""
    try:
        record = _score(job, execution, environment)
    except Exception as error:
        record = Record(job.trainee, job.module["id"], job.module["version"], "invalid_notebook", job.sha256, job.origin,
                        events=execution.get("events", []), notes=list(job.notes),
                        problem=f"the grader could not score this notebook ({_reason(error)})")
    try:
        _write_executed(out, job, execution)
    except Exception as error:
        record.events.append(f"the executed copy of this notebook could not be kept ({_reason(error)})")
    write_record(out, record)
    return record


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:200]}"


def _wall_budget(job: _Job, limits: Limits) -> int:
    """Seconds a whole hand-in may take: every cell its time limit, and a margin for the kernel's start."""
    code_cells = sum(cell.cell_type == "code" for cell in job.notebook.cells) + len(job.module["exercises"]) + 1
    return code_cells * (limits.cell_timeout_s + 5) + 60


def _execute(job: _Job, environment: _Environment, limits: Limits, on_kernel_start) -> dict:
    """Run one hand-in in its own kernel, started in an empty folder outside the grader's folders."""
    kernel_root = Path(tempfile.mkdtemp(prefix="academy-kernel-"))
    kernel_dir = kernel_root / "notebooks"
    kernel_dir.mkdir()
    try:
        exercises = {e["name"]: e["variables"] for e in job.module["exercises"]}
        execution = run_notebook(job.notebook, job.module["id"], exercises, kernel_dir, environment.kernel_env(kernel_dir),
                                 limits, on_kernel_start, sandbox=environment.sandbox(kernel_dir))
        return asdict(execution)
    except Exception as error:  # the grader's own trouble: reported on the hand-in's row, the batch goes on
        return {"status": "kernel_died", "events": [f"the grader could not run this notebook ({type(error).__name__}: {error})"],
                "cell_errors": {}, "answers": {}, "notebook": None}
    finally:
        shutil.rmtree(kernel_root, ignore_errors=True)


def _score(job: _Job, execution: dict, environment: _Environment) -> Record:
    context = environment.context(job.module["id"])
    answers = execution.get("answers") or {}
    finished = execution["status"] == "graded"
    results = []
    for exercise in context.exercises:
        payload = answers.get(exercise.name)
        reached = exercise.name in answers  # its read-out cell ran (the notebook got that far)
        results.append(score_exercise(exercise, payload, context.data, context.tests.get(exercise.name), context.namespace,
                                      ran=finished or reached, stopped_with=(execution.get("stopped") or {}).get(exercise.name)))
    notes = list(job.notes)
    if context.problem:
        notes.append(context.problem)
    return Record(job.trainee, job.module["id"], job.module["version"], execution["status"], job.sha256, job.origin,
                  results, job.restored, execution.get("events", []), execution.get("cell_errors", {}), notes)


def _write_executed(out: Path, job: _Job, execution: dict) -> None:
    if not execution.get("notebook"):
        return
    target = out / "executed" / job.trainee / job.module["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, nbformat.writes(nbformat.from_dict(execution["notebook"])))


# --- reports -----------------------------------------------------------------------------------


def _write_reports(report: GradeReport, release: Release, discovery: Discovery) -> None:
    from academy.modules import load_module

    modules = release.modules
    trainees = report.trainees
    records = report.records
    columns, rows = gradebook_rows(records, trainees, modules, assessment=release.assessment)
    write_csv(report.out / GRADEBOOK, columns, rows)
    long_rows = exercise_rows(records, trainees, modules)
    write_csv(report.out / EXERCISE_TABLE, list(long_rows[0]) if long_rows else ["trainee"], long_rows)
    hints = {}
    for module in modules:
        for exercise in load_module(module["id"]).exercises:
            if exercise.hints:
                hints[(module["id"], exercise.name)] = exercise.hints[0]
    feedback = report.out / "feedback"
    feedback.mkdir(exist_ok=True)
    course = release.manifest.get("course", "")
    for trainee in trainees:
        page = feedback_page(trainee, release.cohort, course, {m: r for (t, m), r in records.items() if t == trainee},
                             modules, hints)
        write_text_atomic(feedback / f"{trainee}.html", page)
    shares = missed_shares(records, trainees, modules)
    if trainees:
        missed_figure(report.out / FIGURE, shares, release.cohort)
    folder_notes = [note for notes in discovery.notes.values() for note in notes]
    write_text_atomic(report.out / SUMMARY,
                      summary_page(release.cohort, course, records, trainees, modules, shares, FIGURE, folder_notes,
                                   assessment=release.assessment))


# --- command line ------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``academy grade``."""
    parser = subparsers.add_parser("grade", help="grade a cohort's hand-ins: gradebook, feedback, summary")
    parser.add_argument("submissions", type=Path, help="folder of hand-ins: TRAINEE/NN_name.ipynb, TRAINEE.zip or nbgrader's submitted/")
    parser.add_argument("--release", required=True, type=Path, help="the release manifest (release_manifest.json) or its folder")
    parser.add_argument("--out", required=True, type=Path, help="folder for the gradebook, feedback and records")
    parser.add_argument("--jobs", type=int, default=None, help="hand-ins graded at once (default: one per core)")
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout_s, help="seconds a cell may run")
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb, help="memory one notebook may use (MB)")
    parser.add_argument("--cpu-seconds", type=int, default=Limits.cpu_seconds, help="CPU time one notebook may use")
    parser.add_argument("--regrade", action="store_true", help="grade every hand-in again, even unchanged ones")
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help="run the notebooks without the bubblewrap sandbox (only for hand-ins you trust: see the README)")
    parser.set_defaults(run=_run_grade)


def _run_grade(args: argparse.Namespace) -> int:
    limits = Limits(cell_timeout_s=args.cell_timeout, memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds)
    try:
        report = grade(args.submissions, args.release, args.out, jobs=args.jobs, limits=limits, regrade=args.regrade,
                       sandbox=args.sandbox)
    except (GradeError, ReleaseError, FileNotFoundError) as error:
        print(error)
        return 1
    print(f"Gradebook: {report.gradebook}")
    print(f"Summary:   {report.summary}")
    print(f"Feedback:  {report.out / 'feedback'}")
    return 0
