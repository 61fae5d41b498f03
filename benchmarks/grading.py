"""How long grading a cohort takes: ``academy grade`` beside nbgrader's ``autograde``.

    .venv/bin/python benchmarks/grading.py                 # 30 trainees, every module in course.yml
    .venv/bin/python benchmarks/grading.py --trainees 10 --skip-nbgrader

Releases every module of the course, writes the hand-ins of ``--trainees`` trainees (a third the
solution notebooks, a third blank trainee notebooks, a third partly answered: some answers blanked
at random with a fixed seed), then times, on the same hand-ins and from a cold start:

* ``academy grade`` with one hand-in per core (its default), with ``--jobs 1`` and without its
  sandbox (``--no-sandbox``, one per core: the difference is the sandbox's cost), each into a
  fresh output folder;
* ``nbgrader autograde`` (nbgrader is installed by this script into a throwaway virtual
  environment under ``build/``, not a dependency of the project; its kernels run the course's own
  Python, so both graders run the notebooks with the same libraries).

Each timing is the best of ``--repeat`` runs (other work on a shared machine only ever slows a
run down). Each grader's totals are compared trainee by trainee. Writes
benchmarks/results/grading.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "grading.md"
NBGRADER_VENV = ROOT / "build" / "nbgrader-venv"
ASSIGNMENT = "course"
SEED = 2026


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def hand_ins(course, trainees: int) -> dict[str, dict[str, nbformat.NotebookNode]]:
    """Trainee -> module file -> notebook: solutions, blanks and partly answered, in turn."""
    from academy import cells
    from academy.build import build_trainee_notebook

    rng = np.random.default_rng(SEED)
    made: dict[str, dict[str, nbformat.NotebookNode]] = {}
    for number in range(trainees):
        name = f"trainee{number + 1:02d}"
        made[name] = {}
        for entry in course.modules:
            solution = nbformat.read(course.solution_path(entry), as_version=4)
            blank = build_trainee_notebook(solution)
            kind = number % 3
            if kind == 0:
                nb = solution
            elif kind == 1:
                nb = blank
            else:
                nb = nbformat.from_dict(solution)
                names = cells.exercise_names(solution)
                dropped = set(rng.choice(names, size=max(1, len(names) // 2), replace=False))
                placeholders = {c.get("id"): c.source for c in blank.cells}
                for cell in nb.cells:
                    if cells.role(cell) == "exercise" and cells.academy_meta(cell).get("exercise") in dropped:
                        cell.source = placeholders[cell.get("id")]
            made[name][entry.file] = nb
    return made


def time_academy(submissions: Path, release_folder: Path, out: Path, jobs: int | None,
                 sandbox: bool = True) -> tuple[float, dict[str, float]]:
    command = [sys.executable, "-m", "academy.cli", "grade", str(submissions), "--release", str(release_folder), "--out", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    if not sandbox:
        command.append("--no-sandbox")
    start = time.perf_counter()
    run(command, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    seconds = time.perf_counter() - start
    with open(out / "gradebook.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(column for column in rows[0] if column.startswith("total ("))
    return seconds, {row["trainee"]: float(row[total]) for row in rows}


def nbgrader_venv(fresh: bool) -> Path:
    python = NBGRADER_VENV / "bin" / "python"
    if fresh and NBGRADER_VENV.exists():
        shutil.rmtree(NBGRADER_VENV)
    if not python.exists():
        run([sys.executable, "-m", "venv", str(NBGRADER_VENV)])
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([str(python), "-m", "pip", "install", "--quiet", "nbgrader"])
    return NBGRADER_VENV / "bin"


def time_nbgrader(bin_dir: Path, work: Path, release_folder: Path, course, made, module_path: str) -> tuple[float, dict[str, float], str]:
    work.mkdir(parents=True)
    course_dir = work / "nbgrader-course"
    source = course_dir / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for entry in course.modules:
        shutil.copyfile(course.solution_path(entry), source / entry.file)
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = 'bench'\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n"
    )
    # The notebooks' kernel "python3" is the course's own Python, with the cohort's release settings.
    kernels = work / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    env_for_kernel = {
        "PYTHONPATH": str(ROOT / "src"),
        "ACADEMY_RELEASE": str(release_folder / "bench" / "notebooks" / "release.json"),
        "ACADEMY_MODULE_PATH": module_path,
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (course)", "language": "python", "env": env_for_kernel,
    }))
    env = {**os.environ, "JUPYTER_PATH": str(work / "jupyter"), "JUPYTER_DATA_DIR": str(work / "jupyter-data"),
           "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
           "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}  # nbgrader runs its own alembic
    env.pop("PYTHONPATH", None)
    nbgrader = str(bin_dir / "nbgrader")
    run([nbgrader, "generate_assignment", ASSIGNMENT, "--force"], cwd=course_dir, env=env)
    plant_files = release_folder / "bench" / "datasets" / "plant"
    for trainee_name, notebooks in made.items():
        folder = course_dir / "submitted" / trainee_name / ASSIGNMENT
        folder.mkdir(parents=True)
        for file, nb in notebooks.items():
            nbformat.write(nb, folder / file)
        (folder / "timestamp.txt").write_text("2026-11-29 12:00:00.000000 UTC")
        # The notebooks read ../datasets/plant/... next to their own folder, as in the release.
        data_folder = course_dir / "autograded" / trainee_name / "datasets" / "plant"
        data_folder.mkdir(parents=True)
        for path in plant_files.iterdir():
            if path.is_file():
                shutil.copyfile(path, data_folder / path.name)
    start = time.perf_counter()
    run([nbgrader, "autograde", ASSIGNMENT], cwd=course_dir, env=env)
    seconds = time.perf_counter() - start
    run([nbgrader, "export", "--to", str(work / "nbgrader-grades.csv")], cwd=course_dir, env=env)
    with open(work / "nbgrader-grades.csv", encoding="utf-8") as handle:
        totals = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
    version = run([str(bin_dir / "python"), "-c", "import nbgrader; print(nbgrader.__version__)"]).stdout.strip()
    return seconds, totals, version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="course folder (default: this repository)")
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--skip-serial", action="store_true", help="leave out the one-job run (a shorter benchmark)")
    parser.add_argument("--fresh-venv", action="store_true", help="reinstall nbgrader's throwaway environment")
    parser.add_argument("--repeat", type=int, default=2, help="runs per grader; the best time counts")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from academy.course import load_course
    from academy.release import release

    course = load_course(args.root)
    if not course.modules:
        raise SystemExit("course.yml lists no modules yet: nothing to grade")
    module_path = os.pathsep.join(p for p in [str(course.module_path or ""), os.environ.get("ACADEMY_MODULE_PATH", "")] if p)
    if module_path:
        os.environ["ACADEMY_MODULE_PATH"] = module_path
    work = Path(tempfile.mkdtemp(prefix="academy-grading-bench-"))
    try:
        made_release = release("all", "bench", work / "release", root=args.root, make_zip=False)
        made = hand_ins(course, args.trainees)
        submissions = work / "submissions"
        for trainee_name, notebooks in made.items():
            (submissions / trainee_name).mkdir(parents=True)
            for file, nb in notebooks.items():
                nbformat.write(nb, submissions / trainee_name / file)
        count = args.trainees * len(course.modules)
        cores = os.cpu_count() or 1
        bin_dir = None if args.skip_nbgrader else nbgrader_venv(args.fresh_venv)
        load = os.getloadavg()[0]
        parallel_runs, serial_runs, nbgrader_runs, unsandboxed_runs = [], [], [], []
        for n in range(args.repeat):  # interleaved, so a busy spell on a shared machine hits every grader alike
            parallel_runs.append(time_academy(submissions, made_release.folder, work / f"grades-parallel-{n}", None))
            if not args.skip_serial:
                serial_runs.append(time_academy(submissions, made_release.folder, work / f"grades-serial-{n}", 1))
            unsandboxed_runs.append(time_academy(submissions, made_release.folder, work / f"grades-unsandboxed-{n}", None,
                                                 sandbox=False))
            if bin_dir is not None:
                nbgrader_runs.append(time_nbgrader(bin_dir, work / f"nbgrader-{n}", made_release.folder, course, made, module_path))
        parallel, ours = min(parallel_runs, key=lambda run_: run_[0])
        serial, ours_serial = min(serial_runs, key=lambda run_: run_[0]) if serial_runs else (None, None)
        unsandboxed, ours_unsandboxed = min(unsandboxed_runs, key=lambda run_: run_[0])
        rerun, _ = time_academy(submissions, made_release.folder, work / "grades-parallel-0", None)
        nb_seconds = nb_totals = nb_version = None
        if nbgrader_runs:
            nb_seconds, nb_totals, nb_version = min(nbgrader_runs, key=lambda run_: run_[0])
        lines = [
            "# Grading benchmark",
            "",
            f"Measured by `benchmarks/grading.py` on {cores} CPU core(s), Python {platform.python_version()}: "
            f"{args.trainees} trainees × {len(course.modules)} module(s) ({', '.join(e.id for e in course.modules)}) = "
            f"{count} hand-ins (a third solutions, a third blank, a third partly answered). Wall-clock time from a cold "
            f"start (a new process, an empty output folder), each grader on the same hand-ins; best of {args.repeat} runs; "
            f"load average {load:.1f} at the start.",
            "",
            "| Grader | Time (s) | Per hand-in (s) | Relative to nbgrader |",
            "|---|---|---|---|",
        ]

        def ratio(seconds: float) -> str:
            return f"{seconds / nb_seconds:.2f}×" if nb_seconds else "–"

        lines.append(f"| `academy grade` ({cores} at a time) | {parallel:.1f} | {parallel / count:.2f} | {ratio(parallel)} |")
        if serial is not None:
            lines.append(f"| `academy grade --jobs 1` | {serial:.1f} | {serial / count:.2f} | {ratio(serial)} |")
        lines.append(f"| `academy grade --no-sandbox` ({cores} at a time) | {unsandboxed:.1f} | {unsandboxed / count:.2f} | "
                     f"{ratio(unsandboxed)} |")
        if nb_seconds:
            lines.append(f"| `nbgrader autograde` (nbgrader {nb_version}) | {nb_seconds:.1f} | {nb_seconds / count:.2f} | 1.00× |")
        lines += ["", f"The sandbox (bubblewrap, one per kernel, and the watchdog over its processes) costs "
                  f"{(parallel - unsandboxed) / count:+.2f} s per hand-in of wall-clock time ({cores} at a time), "
                  f"{parallel / unsandboxed:.2f}× the time without it."]
        lines += ["", f"A second `academy grade` run on the same folder skips every graded, unchanged hand-in: {rerun:.1f} s.", ""]
        if nb_totals is not None:
            agree = sum(1 for t in ours if abs(ours[t] - nb_totals.get(t, -1)) < 1e-6)
            lines.append(
                f"Totals: the two graders agree for {agree} of {len(ours)} trainees. Where they differ, `academy grade` gave "
                "partial credit that nbgrader's all-or-nothing cells cannot (a share per hidden test and per answer variable)."
            )
        assert ours_serial is None or ours == ours_serial, "the number of jobs must not change a point"
        assert ours == ours_unsandboxed, "the sandbox must not change a point"
        lines += ["", "Ratio below 1 means `academy grade` is faster. Run it again with "
                  "`.venv/bin/python benchmarks/grading.py`."]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
