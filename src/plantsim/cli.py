"""Command line: `plantsim generate`, `plantsim fleet`, `plantsim checksums`, `plantsim export-historian`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plantsim.scenario import ScenarioError

DEFAULT_SCENARIO = Path("datasets/plant/scenario.yml")
DEFAULT_OUT = Path("datasets/plant/tables")
DEFAULT_CHECKSUMS = Path("datasets/plant/SHA256SUMS")
FLEET_SCENARIO = Path("datasets/fleet/scenario.yml")
FLEET_OUT = Path("datasets/fleet/tables")
FLEET_CHECKSUMS = Path("datasets/fleet/SHA256SUMS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plantsim", description="Generate the simulated machining plant.")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="simulate the plant and write its tables")
    generate.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file (YAML)")
    generate.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    generate.add_argument("--seed", type=int, help="override the scenario's seed")
    generate.add_argument("--csv", action="store_true", help="also write every table as CSV")
    generate.add_argument("--force", action="store_true", help="replace an existing generated plant")
    generate.add_argument("--if-missing", action="store_true", help="do nothing when the plant is already there")
    generate.add_argument("--if-stale", action="store_true",
                          help="do nothing when the plant is there and matches datasets/plant/SHA256SUMS")
    generate.add_argument("--quiet", action="store_true", help="no progress bar")

    fleet = commands.add_parser("fleet", help="simulate the sister sites (the fleet) and write their tables")
    fleet.add_argument("--scenario", type=Path, default=FLEET_SCENARIO, help="fleet scenario file (YAML)")
    fleet.add_argument("--out", type=Path, default=FLEET_OUT, help="output folder")
    fleet.add_argument("--jobs", type=int, help="sites simulated at once (default: one per CPU core)")
    fleet.add_argument("--force", action="store_true", help="replace an existing generated fleet")
    fleet.add_argument("--if-stale", action="store_true",
                       help="do nothing when the fleet is there and matches datasets/fleet/SHA256SUMS")
    fleet.add_argument("--quiet", action="store_true", help="no progress bar")

    checksums = commands.add_parser("checksums", help="compare (or --write) datasets/plant/SHA256SUMS")
    checksums.add_argument("--plant", type=Path, default=DEFAULT_OUT, help="the generated plant or fleet folder")
    checksums.add_argument("--file", type=Path, default=DEFAULT_CHECKSUMS,
                           help="its checksum file (datasets/fleet/SHA256SUMS for the fleet)")
    checksums.add_argument("--write", action="store_true", help="record the current plant's checksums")

    historian = commands.add_parser("export-historian",
                                    help="write the historian CSV the scenario's story declares (story.historian_export)")
    historian.add_argument("--plant", type=Path, default=DEFAULT_OUT)
    historian.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file (YAML)")
    historian.add_argument("--asset", help="machine (default: the story's historian export)")
    historian.add_argument("--start", help="first local day, like 2025-03-27 (default: the story's)")
    historian.add_argument("--days", type=int, help="number of days (default: the story's)")
    historian.add_argument("--out", type=Path,
                           help="file to write (default: historian_<asset>_<start>.csv next to the scenario)")

    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except ScenarioError as error:
        print(f"plantsim: scenario error: {error}", file=sys.stderr)
        return 2
    except (FileNotFoundError, FileExistsError) as error:
        print(f"plantsim: {error}", file=sys.stderr)
        return 2


def _generate(args) -> int:
    from plantsim.simulate import generate
    from plantsim.writer import GenerationError

    present = (args.out / "MANIFEST.json").is_file()
    if args.if_missing and present:
        return 0
    if args.if_stale and present and _matches(args.out, DEFAULT_CHECKSUMS, "plant"):
        return 0
    try:
        force = args.force or (args.if_stale and present)
        out = generate(args.scenario, args.out, seed=args.seed, progress=not args.quiet, csv=args.csv, force=force)
    except GenerationError as error:
        print(f"plantsim: {error}", file=sys.stderr)
        return 2
    print(f"Plant written to {out}")
    return 0


def _matches(folder: Path, checksums: Path, what: str) -> bool:
    """Whether the generated ``folder`` holds what ``checksums`` records (True when nothing is recorded)."""
    from plantsim.writer import checksum_lines

    recorded = checksums.read_text().splitlines() if checksums.is_file() else None
    if recorded is None or checksum_lines(folder) == recorded:
        return True
    print(f"The {what} in {folder} differs from {checksums}: generating it again")
    return False


def _fleet(args) -> int:
    from plantsim.fleet import generate_fleet
    from plantsim.writer import GenerationError

    present = (args.out / "MANIFEST.json").is_file()
    if args.if_stale and present and _matches(args.out, FLEET_CHECKSUMS, "fleet"):
        return 0
    try:
        out = generate_fleet(args.scenario, args.out, jobs=args.jobs, progress=not args.quiet,
                             force=args.force or (args.if_stale and present))
    except GenerationError as error:
        print(f"plantsim: {error}", file=sys.stderr)
        return 2
    print(f"Fleet written to {out}")
    return 0


def _checksums(args) -> int:
    from plantsim.writer import checksum_lines

    if not (args.plant / "MANIFEST.json").is_file():
        print(f"plantsim: no generated plant in {args.plant}; run plantsim generate first", file=sys.stderr)
        return 2
    lines = checksum_lines(args.plant)
    if args.write:
        args.file.write_text("\n".join(lines) + "\n")
        print(f"Wrote {len(lines)} checksums to {args.file}")
        return 0
    recorded = args.file.read_text().splitlines() if args.file.is_file() else []
    if recorded == lines:
        print(f"All {len(lines)} files match {args.file}")
        return 0
    changed = sorted(set(lines).symmetric_difference(recorded))
    print(f"{len(changed)} lines differ between the plant and {args.file}:", *changed[:20], sep="\n  ")
    return 1


def _export_historian(args) -> int:
    import datetime as dt

    import pandas as pd

    from plantsim.historian import EXPORT_DAYS, export_csv
    from plantsim.scenario import HistorianExport, load_scenario

    scenario = load_scenario(args.scenario)
    declared = scenario.story.historian_export
    if declared is None and (args.asset is None or args.start is None):
        print(f"plantsim: {args.scenario} declares no story.historian_export: give --asset and --start", file=sys.stderr)
        return 2
    try:
        start = dt.date.fromisoformat(args.start) if args.start else declared.start
    except ValueError:
        print(f"plantsim: --start must be a day like 2025-03-27, not {args.start!r}", file=sys.stderr)
        return 2
    export = HistorianExport(
        asset=args.asset or declared.asset,
        start=start,
        days=args.days or (declared.days if declared else EXPORT_DAYS),
    )
    raw = pd.read_parquet(args.plant / "raw" / "telemetry", filters=[("asset_id", "==", export.asset)])
    out = args.out or args.scenario.parent / export.file_name
    out.write_text(export_csv(raw, export.asset, export.start_local, export.days, scenario.timezone), encoding="utf-8")
    print(f"Wrote {out}")
    return 0


_COMMANDS = {"generate": _generate, "fleet": _fleet, "checksums": _checksums, "export-historian": _export_historian}

if __name__ == "__main__":
    sys.exit(main())
