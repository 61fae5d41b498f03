"""Measure how fast the plant generates, how big it is, how fast tables load and how much memory
generation needs at the default size and at a 100x larger plant.

    .venv/bin/python benchmarks/plant_generation.py            # default, 10x wider, 100x larger
    .venv/bin/python benchmarks/plant_generation.py --skip-large
    .venv/bin/python benchmarks/plant_generation.py --fleet    # the fleet (datasets/fleet) only

Writes benchmarks/results/plant_generation.md (the README quotes it), with --fleet
benchmarks/results/fleet_generation.md (the datasheet quotes it). Each size runs in a fresh
process so its peak memory (max resident set size) is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "datasets" / "plant" / "scenario.yml"
RESULTS = ROOT / "benchmarks" / "results" / "plant_generation.md"
FLEET_SCENARIO = ROOT / "datasets" / "fleet" / "scenario.yml"
FLEET_RESULTS = ROOT / "benchmarks" / "results" / "fleet_generation.md"


def scaled_scenario(line_copies: int, years: int):
    """The default plant with every line (and the utilities) copied, over a longer horizon."""
    from plantsim.scenario import AssetEntry, load_scenario

    base = load_scenario(SCENARIO)
    lines, saturday, assets = {}, {}, []
    for copy in range(1, line_copies + 1):
        rename = {line: f"{line}x{copy:02d}" for line in base.line_shifts}
        for line, new in rename.items():
            lines[new] = base.line_shifts[line]
            saturday[new] = base.line_saturday_shifts[line]
        for a in base.assets:
            assets.append(AssetEntry(f"{a.asset_id}-{copy:02d}", a.kind, rename.get(a.line, a.line), a.model,
                                     a.rated_power_kw, a.recipes))
    return replace(base, days=base.days * years, line_shifts=lines, line_saturday_shifts=saturday, assets=tuple(assets))


def run_one(line_copies: int, years: int) -> dict:
    """Generate one plant in this process and report time, size, rows and peak memory."""
    import numpy as np

    from plantsim import vibration
    from plantsim.writer import write_plant

    scenario = scaled_scenario(line_copies, years) if (line_copies, years) != (1, 1) else None
    if scenario is None:
        from plantsim.scenario import load_scenario

        scenario = load_scenario(SCENARIO)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tables"
        start = time.perf_counter()
        write_plant(scenario, SCENARIO, out)
        seconds = time.perf_counter() - start
        manifest = json.loads((out / "MANIFEST.json").read_text())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        import pyarrow.parquet as pq

        sensor_values = 0
        for file in sorted((out / "raw" / "telemetry").glob("*.parquet")):
            meta = pq.ParquetFile(file).metadata
            numeric = [meta.schema.column(i).name for i in range(meta.num_columns)
                       if meta.schema.column(i).physical_type in ("FLOAT", "DOUBLE")]
            sensor_values += meta.num_rows * len(numeric)
        waveform_rows = manifest["tables"].get("clean/vibration", {}).get("rows", 0)
        sensor_values += waveform_rows * vibration.CAPTURE_SAMPLES
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        remaining = sensor_values
        while remaining > 0:  # numpy's own generation of the same number of values, in chunks
            chunk = min(remaining, 50_000_000)
            rng.normal(size=chunk).astype(np.float32)
            remaining -= chunk
        numpy_seconds = time.perf_counter() - start
        load_times = {}
        if (line_copies, years) == (1, 1):
            import pandas as pd

            for table_dir in sorted(out.glob("*/*")):
                if table_dir.parent.name == "csv":
                    continue
                start = time.perf_counter()
                pd.read_parquet(table_dir)
                load_times[f"{table_dir.parent.name}/{table_dir.name}"] = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"assets": len(scenario.assets), "days": scenario.days, "seconds": seconds, "size_mb": size / 1e6,
            "sensor_values": sensor_values, "numpy_seconds": numpy_seconds, "peak_mb": peak_mb,
            "telemetry_rows": manifest["tables"]["raw/telemetry"]["rows"], "load_times": load_times}


def run_fleet(jobs: int | None) -> dict:
    """Generate the fleet in this process (its sites in worker processes) and report what it cost."""
    from plantsim.fleet import generate_fleet

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tables"
        start = time.perf_counter()
        generate_fleet(FLEET_SCENARIO, out, jobs=jobs)
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        files = sum(1 for p in out.rglob("*.parquet"))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "size_mb": size / 1e6, "files": files, "peak_mb": own, "worker_peak_mb": workers,
            "jobs": jobs or os.cpu_count()}


def fleet_report(results: list[dict]) -> str:
    lines = ["# Fleet generation benchmark", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; produced by `benchmarks/plant_generation.py --fleet` "
             "(`plantsim fleet`: 5 sites x 12 assets x 3 years, 15-minute simulation, hourly and daily tables).", "",
             "| jobs (sites at once) | generate (s) | disk (MB) | Parquet files | peak memory, main / one worker (MB) |",
             "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['jobs']} | {r['seconds']:.1f} | {r['size_mb']:.1f} | {r['files']} | "
                     f"{r['peak_mb']:.0f} / {r['worker_peak_mb']:.0f} |")
    lines += ["", f"Load average before the run: {results[0]['load']}. The files are the same for any number of jobs "
              "(tests/test_fleet.py)."]
    return "\n".join(lines) + "\n"


def measure(line_copies: int, years: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", str(line_copies), str(years)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


SIZES = (("default", 1, 1), ("10x assets", 10, 1), ("100x (10x assets, 10x horizon)", 10, 10))


def report(results: list[tuple[str, dict]]) -> str:
    lines = ["# Plant generation benchmark", "",
             f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
             "produced by `benchmarks/plant_generation.py`.", "",
             "| plant | assets | days | telemetry rows | generate (s) | sensor values / s | vs numpy random | disk (MB) | peak memory (MB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, r in results:
        rate = r["sensor_values"] / r["seconds"]
        ratio = r["seconds"] / r["numpy_seconds"]
        lines.append(f"| {label} | {r['assets']} | {r['days']} | {r['telemetry_rows']:,} | {r['seconds']:.1f} | "
                     f"{rate / 1e6:.1f} M | {ratio:.0f}x slower | {r['size_mb']:.0f} | {r['peak_mb']:.0f} |")
    lines += ["", "Sensor values counts every numeric telemetry value plus every waveform sample; the numpy "
              "column is the time numpy alone takes to draw that many normal random numbers. The plant is "
              "simulated and written one line at a time, so peak memory follows the size of one line over "
              "the horizon, not the number of lines.", "",
              "## Loading one table (default plant, pandas.read_parquet)", "", "| table | seconds |", "|---|---|"]
    for table, seconds in sorted(results[0][1]["load_times"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {table} | {seconds:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-large", action="store_true", help="only the default plant")
    parser.add_argument("--fleet", action="store_true", help="only the fleet, with one job per core and with one job")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fleet-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(*args.child)))
        return
    if args.fleet_child is not None:
        print(json.dumps(run_fleet(args.fleet_child or None)))
        return
    if args.fleet:
        results = []
        for jobs in (0, 1):  # 0: one per core
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            output = subprocess.run([sys.executable, __file__, "--fleet-child", str(jobs)], check=True,
                                    capture_output=True, text=True).stdout
            results.append({**json.loads(output.strip().splitlines()[-1]), "load": load})
            print(f"fleet, jobs {results[-1]['jobs']}: {results[-1]['seconds']:.1f} s", flush=True)
        FLEET_RESULTS.write_text(fleet_report(results))
        print(f"wrote {FLEET_RESULTS}")
        return
    results = []
    for label, lines, years in SIZES:
        if args.skip_large and (lines, years) != (1, 1):
            continue
        result = measure(lines, years)
        results.append((label, result))
        print(f"{label}: {result['seconds']:.1f} s, {result['size_mb']:.0f} MB, peak {result['peak_mb']:.0f} MB", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report(results))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
