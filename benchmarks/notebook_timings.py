"""Time every solution notebook of the course: per notebook its total and its slowest cell.

    python benchmarks/notebook_timings.py                      # the course, into benchmarks/results/
    python benchmarks/notebook_timings.py --root tests/modules --output /tmp/timings.md

Each notebook runs in a fresh kernel, as `pytest --nbval` runs it. "Kernel start" is the time
until the kernel answers; "cells" is the sum of the cells' run times. The house style asks for
cells under 5 s and modules under 60 s on a 2-core laptop; rows over either are marked.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from academy.course import find_course_root, load_course  # noqa: E402

CELL_LIMIT_S = 5.0
MODULE_LIMIT_S = 60.0


@dataclass
class Timing:
    notebook: str
    kernel_start_s: float
    cells_s: float
    slowest_cell: str
    slowest_cell_s: float

    @property
    def total_s(self) -> float:
        return self.kernel_start_s + self.cells_s


def time_notebook(path: Path, timeout: int = 600) -> Timing:
    nb = nbformat.read(path, as_version=4)
    durations: dict[int, float] = {}
    started: dict[int, float] = {}

    def on_cell_start(cell, cell_index):
        started[cell_index] = time.perf_counter()

    def on_cell_executed(cell, cell_index, execute_reply):
        durations[cell_index] = time.perf_counter() - started[cell_index]

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    # As academy.build.execute_notebook runs them: without nbclient's stand-in for the Output
    # widget, which can stall a cell with a control until the timeout (jupyter/nbclient#312).
    client.widget_registry = {}
    begin = time.perf_counter()
    with client.setup_kernel():
        kernel_start = time.perf_counter() - begin
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    slowest = max(durations, key=durations.get) if durations else None
    label = "-"
    if slowest is not None:
        cell = nb.cells[slowest]
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        label = f"{cell.get('id', slowest)}: `{first_line[:50]}`"
    return Timing(path.name, kernel_start, sum(durations.values()), label, durations.get(slowest, 0.0))


def render(timings: list[Timing], root_label: str) -> str:
    lines = [
        "# Notebook timings",
        "",
        f"The solution notebooks in `{root_label}`, each in a fresh kernel, measured by "
        "`benchmarks/notebook_timings.py` on "
        f"{os.cpu_count()} CPU core(s), Python {platform.python_version()}.",
        f"Limits from the house style: a cell under {CELL_LIMIT_S:g} s, a module under {MODULE_LIMIT_S:g} s (marked ⚠ when over).",
        "",
        "| Notebook | Total (s) | Kernel start (s) | Cells (s) | Slowest cell | Slowest cell (s) |",
        "|---|---|---|---|---|---|",
    ]
    for timing in timings:
        total_flag = " ⚠" if timing.total_s > MODULE_LIMIT_S else ""
        cell_flag = " ⚠" if timing.slowest_cell_s > CELL_LIMIT_S else ""
        slowest_cell = timing.slowest_cell.replace("|", r"\|")  # a pipe would end the table cell
        lines.append(
            f"| {timing.notebook} | {timing.total_s:.1f}{total_flag} | {timing.kernel_start_s:.1f} | {timing.cells_s:.1f} "
            f"| {slowest_cell} | {timing.slowest_cell_s:.2f}{cell_flag} |"
        )
    if not timings:
        lines.append("| – | | | | no solution notebooks yet | |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="course folder (default: the one holding course.yml)")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "notebook_timings.md")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)

    root = Path(args.root).resolve() if args.root else find_course_root()
    course = load_course(root)
    timings = []
    for entry in course.modules:
        path = course.solution_path(entry)
        if path.is_file():
            timing = time_notebook(path, args.timeout)
            print(f"{timing.notebook}: {timing.total_s:.1f} s (slowest cell {timing.slowest_cell_s:.2f} s)", flush=True)
            timings.append(timing)
    solutions = root / "solutions"
    label = f"{solutions.relative_to(HERE.parent)}/" if solutions.is_relative_to(HERE.parent) else f"{solutions.name}/"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(timings, label), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
