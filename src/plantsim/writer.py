"""Writing the plant to disk: atomic, chunked Parquet with checksums.

Layout of a generated plant (one folder per table, one Parquet file per asset group):

    MANIFEST.json                  scenario, seed, row counts and the SHA-256 of every file
    reference/<table>/...          assets, recipes, material_lots
    clean/<table>/<group>.parquet  observed tables without defects
    raw/<table>/<group>.parquet    the same tables as the plant's systems recorded them
    truth/<table>/<group>.parquet  ground truth: health, failures, causes, the defect manifest

Everything is written into a temporary folder next to the target and moved into place at the end,
so an interrupted run never leaves a half-written plant behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from plantsim import assets as asset_kinds
from plantsim.model import PlantTruth, State
from plantsim.resolution import on_grid
from plantsim.scenario import Scenario

GENERATOR_VERSION = "1"
HEALTH_EVERY_MINUTES = 60  # the health truth table is kept hourly; telemetry is 5-minute
STATE_NAMES = {int(s): s.name.lower() for s in State}


class GenerationError(RuntimeError):
    """The plant could not be written (the output folder is left as it was)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Columns that name one of a few things: stored as categories in every table, so loaders return them
# typed the same way wherever they appear.
CATEGORY_COLUMNS = {
    "asset_id", "line", "kind", "model", "machine_class", "machine_state", "state", "recipe", "shift",
    "material_lot", "lot_id", "supplier", "defect_class", "alarm_code", "severity", "unit", "wo_type",
    "component", "failure_mode_reported", "technician", "acknowledged_by", "reason", "mode", "cause", "measurement",
    "target", "table", "column", "group",
}


def normalise_types(frame: pd.DataFrame) -> pd.DataFrame:
    """One type per idea across tables: UTC timestamps in nanoseconds, categories for names."""
    frame = frame.reset_index(drop=True).copy()
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            frame[column] = values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        elif pd.api.types.is_datetime64_dtype(values):
            frame[column] = values.astype("datetime64[ns]")
        elif column in CATEGORY_COLUMNS and not isinstance(values.dtype, pd.CategoricalDtype):
            frame[column] = values.astype("category")
    return frame


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write one table file; its float columns go on their declared grids (plantsim.resolution)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(normalise_types(on_grid(frame, path.parent.name)), preserve_index=False)
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True)


def _events_frame(truth: PlantTruth) -> pd.DataFrame:
    times = truth.timeline.times_utc
    n = truth.timeline.n_steps
    rows = []
    for asset_id, asset in truth.assets.items():
        for event in asset.events:
            rows.append({
                "asset_id": asset_id, "kind": event.kind, "mode": event.mode or "all", "reason": event.reason,
                "start": times[event.step],
                "end": step_time(truth, event.end_step),
                "health_before": event.health_before, "health_after": event.health_after,
                "cost_eur": event.cost_eur, "failure": event.failure,
            })
    frame = pd.DataFrame(rows, columns=["asset_id", "kind", "mode", "reason", "start", "end", "health_before",
                                        "health_after", "cost_eur", "failure"])
    for column in ("start", "end"):  # typed even when a short horizon has no event at all
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["downtime_h"] = (frame["end"] - frame["start"]).dt.total_seconds() / 3600
    for column in ("asset_id", "kind", "mode", "reason"):
        frame[column] = frame[column].astype("category")
    return frame.sort_values(["start", "asset_id"], kind="stable").reset_index(drop=True)


def health_frame(truth: PlantTruth) -> pd.DataFrame:
    """Hourly true health per asset and failure mode, with remaining useful life where known.

    ``rul_h`` is the asset's operating hours (its hour meter: spindle hours on a CNC, running hours
    elsewhere) until the component in place fails; it is missing when that component is replaced
    before failing or still runs at the end of the horizon (censored).
    """
    from plantsim.operations import hour_meter

    timeline = truth.timeline
    every = max(1, HEALTH_EVERY_MINUTES // timeline.step_minutes)
    sample = np.arange(0, timeline.n_steps, every)
    frames = []
    for asset_id, asset in truth.assets.items():
        for mode, health in asset.health.items():
            ends = sorted((e.step, e.failure) for e in asset.events
                          if e.mode == mode and e.kind in ("corrective", "condition_based"))
            end_steps = np.array([s for s, _ in ends] + [timeline.n_steps])
            failed = np.array([f for _, f in ends] + [False])
            which = np.searchsorted(end_steps, sample, side="left")
            # meter_before[i]: operating hours before step i starts
            meter_before = np.concatenate([[0.0], hour_meter(asset.state, asset.spec.kind, timeline.step_hours)])
            rul = np.where(failed[which], meter_before[end_steps[which]] - meter_before[sample], np.nan)
            frames.append(pd.DataFrame({
                "timestamp": timeline.times_utc[sample], "asset_id": asset_id, "mode": mode,
                "health": health[sample], "rul_h": rul,
            }))
    frame = pd.concat(frames, ignore_index=True)
    frame["asset_id"] = frame["asset_id"].astype("category")
    frame["mode"] = frame["mode"].astype("category")
    return frame


def tool_wear_frame(truth: PlantTruth) -> pd.DataFrame:
    timeline = truth.timeline
    frames = []
    for asset_id, asset in truth.assets.items():
        if asset.tool_wear_mm is None:
            continue
        cutting = asset.state == State.PRODUCING
        frames.append(pd.DataFrame({
            "timestamp": timeline.times_utc[cutting], "asset_id": asset_id,
            "tool_id": asset.tool_id[cutting], "flank_wear_mm": asset.tool_wear_mm[cutting],
        }))
    if not frames:
        return pd.DataFrame(columns=["timestamp", "asset_id", "tool_id", "flank_wear_mm"])
    frame = pd.concat(frames, ignore_index=True)
    frame["asset_id"] = frame["asset_id"].astype("category")
    return frame


def step_time(truth: PlantTruth, step: int) -> pd.Timestamp:
    """Start time of a step; the step after the last one is the end of the horizon."""
    timeline = truth.timeline
    return timeline.times_utc[0] + pd.Timedelta(minutes=timeline.step_minutes * int(step))


def disturbances_frame(truth: PlantTruth) -> pd.DataFrame:
    frame = pd.DataFrame([{
        "kind": d.kind, "target": d.target, "asset_id": d.asset_id, "start": step_time(truth, d.start_step),
        "end": step_time(truth, d.end_step), "magnitude": d.magnitude, "description": d.description,
    } for d in truth.disturbances])
    for column in ("kind", "target"):
        frame[column] = frame[column].astype("category")
    return frame


def quality_causes_frame(truth: PlantTruth, lines: list[str]) -> pd.DataFrame:
    """Episodes that really moved part quality: plant upsets and bad casting lots."""
    end_of_horizon = step_time(truth, truth.timeline.n_steps)
    rows = [{"cause": {"coolant_chiller_fault": "coolant_temperature", "fixture_loose": "fixture_loose"}[d.kind],
             "target": d.target, "start": step_time(truth, d.start_step), "end": step_time(truth, d.end_step),
             "description": d.description}
            for d in truth.disturbances if d.kind in ("coolant_chiller_fault", "fixture_loose")]
    lots = truth.material_lots.sort_values(["line", "valid_from_step"])
    for line in lines:
        mine = lots[lots["line"] == line].reset_index(drop=True)
        for k, lot in mine.iterrows():
            if lot["porosity_index"] > 1.0:
                end = mine.loc[k + 1, "valid_from"] if k + 1 < len(mine) else end_of_horizon
                rows.append({"cause": "bad_material_lot", "target": line, "start": lot["valid_from"], "end": end,
                             "description": f"Porous casting lot {lot['lot_id']} from {lot['supplier']} (porosity index {lot['porosity_index']:.3f}, "
                                            f"certified {lot['certified_porosity_index']:.2f})"})
    frame = pd.DataFrame(rows, columns=["cause", "target", "start", "end", "description"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    for column in ("cause", "target"):
        frame[column] = frame[column].astype("category")
    return frame.sort_values("start", kind="stable").reset_index(drop=True)


def observe_group(truth: PlantTruth, plan, asset_numbers: dict[str, int], group_number: int, seed: int):
    """Observation and record layers for one group: clean tables, raw tables, truth extras."""
    from plantsim import alarms, defects, energy, historian, inspection, quality, sensors, vibration, workorders
    from plantsim.streams import rng_for

    telemetry, waves, parts, part_truth, meters = [], [], [], [], []
    for asset_id, asset in truth.assets.items():
        number = asset_numbers[asset_id]
        telemetry.append(sensors.telemetry(asset, truth, rng_for(seed, number, "sensors")))
        meters.append(energy.energy(asset, truth, rng_for(seed, number, "energy")))
        if asset.spec.kind in vibration.WAVEFORM_KINDS:
            waves.append(vibration.waveforms(asset, truth, rng_for(seed, number, "vibration")))
        if asset.spec.kind == "cnc":
            observed, true_parts = quality.parts(asset, truth, rng_for(seed, number, "quality"))
            parts.append(observed)
            part_truth.append(true_parts)
    group_rng = rng_for(seed, 1000 + group_number, "records")
    register = asset_kinds.asset_table(plan.specs)  # the whole plant: ids and plant-wide choices agree across groups
    # What the historian kept (stored on change from the scenario's day): every table after it reads that.
    telemetry_frame = historian.as_kept(_concat(telemetry), plan.scenario.historian, plan.scenario.timezone)
    parts_frame = _concat(parts)
    rounds = _concat([inspection.log(asset, truth) for asset in truth.assets.values()])
    clean = {
        "telemetry": telemetry_frame,
        "vibration": _concat(waves),
        "parts": parts_frame,
        "energy": _concat(meters),
        "alarms": alarms.alarms(telemetry_frame, register, truth, group_rng),
        "work_orders": workorders.work_orders(truth, group_rng, telemetry=telemetry_frame, assets=register,
                                              inspections=rounds),
        "tool_changes": workorders.tool_changes(truth, group_rng, parts=parts_frame),
        "inspections": rounds,
    }
    raw, defect_manifest = defects.apply(clean, truth, rng_for(seed, 1000 + group_number, "defects"), assets=register,
                                         story=plan.scenario.story, settings=plan.scenario.defects)
    return clean, raw, defect_manifest, _concat(part_truth)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    frames = [f for f in frames if f is not None and len(f.columns)]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def write_plant(scenario: Scenario, scenario_path: Path, out_dir: Path, progress: bool = False,
                csv: bool = False, force: bool = False) -> Path:
    """Simulate and write the whole plant; returns the output folder."""
    from plantsim.simulate import plan_plant, simulate_group

    out_dir = Path(out_dir)
    if (out_dir / "MANIFEST.json").exists() and not force:
        raise GenerationError(f"{out_dir} already holds a generated plant; use --force to replace it")
    if out_dir.exists() and not (out_dir / "MANIFEST.json").exists() and any(out_dir.iterdir()):
        # Never replace a folder that is not a generated plant: it may hold someone's work.
        raise GenerationError(f"{out_dir} exists and is not a generated plant (no MANIFEST.json); "
                              "choose an empty or new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        plan = plan_plant(scenario)
        asset_numbers = {spec.asset_id: k for k, spec in enumerate(plan.specs, start=1)}
        groups = plan.groups()
        bar = _progress(len(groups) + 1, progress)
        write_parquet(asset_kinds.asset_table(plan.specs), staging / "reference" / "assets" / "plant.parquet")
        write_parquet(plan.recipes, staging / "reference" / "recipes" / "plant.parquet")
        # A lot's porosity is truth (the foundry does not say); quality_causes names the porous lots.
        write_parquet(plan.material_lots.drop(columns=["valid_from_step", "porosity_index"]),
                      staging / "reference" / "material_lots" / "plant.parquet")
        defect_manifests = []
        for number, group in enumerate(groups, start=1):
            name = f"{number:02d}-{group[0].line}"
            truth = simulate_group(plan, group)
            clean, raw, defect_manifest, part_truth = observe_group(truth, plan, asset_numbers, number, scenario.seed)
            for table, frame in clean.items():
                if frame is not None:
                    write_parquet(frame, staging / "clean" / table / f"{name}.parquet")
            for table, frame in raw.items():
                if frame is not None:
                    write_parquet(frame, staging / "raw" / table / f"{name}.parquet")
            truth_tables = {
                "health": health_frame(truth),
                "tool_wear": tool_wear_frame(truth),
                "maintenance": _events_frame(truth),
                "part_truth": part_truth,
            }
            truth_tables["failures"] = truth_tables["maintenance"][truth_tables["maintenance"]["failure"]].reset_index(drop=True)
            for table, frame in truth_tables.items():
                if frame is not None and len(frame):
                    write_parquet(frame, staging / "truth" / table / f"{name}.parquet")
            defect_manifests.append(defect_manifest.assign(group=name))
            del truth, clean, raw, truth_tables
            bar.update(1)
        plant_truth_view = PlantTruth(plan.timeline, {}, plan.disturbances, plan.material_lots, plan.recipes, scenario.seed,
                                      scenario.settings)
        write_parquet(disturbances_frame(plant_truth_view), staging / "truth" / "disturbances" / "plant.parquet")
        write_parquet(quality_causes_frame(plant_truth_view, list(scenario.line_shifts)),
                      staging / "truth" / "quality_causes" / "plant.parquet")
        all_defects = pd.concat(defect_manifests, ignore_index=True)
        all_defects["defect_id"] = [f"D{k:03d}" for k in range(1, len(all_defects) + 1)]
        write_parquet(all_defects, staging / "truth" / "defects" / "plant.parquet")
        if csv:
            _write_csv_copies(staging)
        _write_manifest(staging, scenario, scenario_path)
        bar.update(1)
        bar.close()
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Generating plant", unit="step", disable=not enabled)


def _write_csv_copies(root: Path) -> None:
    for parquet in sorted(root.glob("*/*/*.parquet")):
        frame = pd.read_parquet(parquet)
        target = root / "csv" / parquet.relative_to(root).with_suffix(".csv")
        target.parent.mkdir(parents=True, exist_ok=True)
        if "accel_g" in frame.columns:  # waveforms: one sample list per row, stored as text
            frame["accel_g"] = frame["accel_g"].map(lambda values: " ".join(f"{v:.5g}" for v in values))
        frame.to_csv(target, index=False)


def _write_manifest(root: Path, scenario: Scenario, scenario_path: Path) -> None:
    files = {str(p.relative_to(root)): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}
    tables: dict[str, dict] = {}
    for relative in files:
        parts = Path(relative).parts
        if parts[0] == "csv" or len(parts) != 3:
            continue
        key = f"{parts[0]}/{parts[1]}"
        rows = pq.ParquetFile(root / relative).metadata.num_rows
        entry = tables.setdefault(key, {"files": 0, "rows": 0})
        entry["files"] += 1
        entry["rows"] += rows
    manifest = {
        "plant": scenario.name,
        "seed": scenario.seed,
        "scenario_file": scenario_path.name,
        "scenario_sha256": sha256_of(scenario_path) if scenario_path.is_file() else None,
        "generator_version": GENERATOR_VERSION,
        "start": str(scenario.start),
        "days": scenario.days,
        "step_minutes": scenario.step_minutes,
        "tables": tables,
        "files": files,
    }
    (root / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _move_into_place(staging: Path, out_dir: Path) -> None:
    if out_dir.exists():
        retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, retired)
        os.replace(staging, out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, out_dir)


def checksum_lines(plant_dir: Path) -> list[str]:
    """`sha256  path` lines for every generated file, as in datasets/plant/SHA256SUMS."""
    manifest = json.loads((Path(plant_dir) / "MANIFEST.json").read_text())
    # CSV copies (--csv) are a convenience next to the Parquet tables, not part of the recorded plant.
    return [f"{digest}  {path}" for path, digest in sorted(manifest["files"].items()) if not path.startswith("csv/")]
