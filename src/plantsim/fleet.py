"""The fleet: the owner's sister sites, pooled for the lessons that need many failures.

One plant has a dozen failures a year: enough to see a bearing die, not enough to train and
honestly test a failure-warning or remaining-useful-life model. The owner runs sister sites with the
same machine kinds, the same mechanisms and the same maintenance policy; their reliability team
pools the history. A fleet scenario is one site's plant scenario (the template) plus a ``fleet:``
section that names the sites, each with its own seed and, where it differs, its own shift pattern.

The fleet is written at the resolution the Predict lessons need, not at the plant's: hourly readings
(means of the site historian's 15-minute readings, the hour's worst vibration, the machine's hour
meter), a daily summary per asset, the alarm log, the work orders, and as truth the maintenance
events, the failures, every component life and the daily true health. Remaining useful life is
counted on the hour meter (operating hours), not the calendar.

Layout (the plant's, one Parquet file per site)::

    MANIFEST.json
    reference/{sites,assets}/fleet.parquet
    clean/{hourly,daily,alarms,work_orders}/<site>.parquet
    truth/{maintenance,failures,lives,health_daily}/<site>.parquet
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from plantsim.model import State
from plantsim.operations import hour_meter
from plantsim.scenario import Scenario, ScenarioError, parse_scenario

FLEET_KEYS = ("name", "sites")
SITE_KEYS = ("code", "name", "seed", "timezone", "lines", "wear_speed_factor")
DAILY_RUNNING_MEANS = {"vibration_rms_mm_s": "vibration_mean_mm_s", "bearing_temp_c": "bearing_temp_c",
                       "spindle_temp_c": "spindle_temp_c", "load_pct": "load_pct", "motor_current_a": "motor_current_a"}
HOURLY_MEANS = ("load_pct", "power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "spindle_temp_c",
                "coolant_temp_c", "flow_l_min", "pressure_bar", "discharge_temp_c")
RENEWALS = ("corrective", "condition_based")  # the component in place is new afterwards
TABLES = {
    "reference": ("sites", "assets"),
    "clean": ("hourly", "daily", "alarms", "work_orders"),
    "truth": ("maintenance", "failures", "lives", "health_daily"),
}


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    scenario: Scenario


@dataclass(frozen=True)
class Fleet:
    source: str
    name: str
    template: Scenario
    sites: tuple[Site, ...]
    raw_sites: tuple[dict, ...]  # each site's scenario as parsed YAML: what a worker process rebuilds it from


def load_fleet(path: str | Path) -> Fleet:
    """Read and validate a fleet scenario; every error names the file and the key."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: fleet scenario file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: not valid YAML ({error})") from None
    return parse_fleet(raw, source=str(path))


def parse_fleet(raw: Any, source: str = "<fleet>") -> Fleet:
    if not isinstance(raw, dict) or "fleet" not in raw:
        raise ScenarioError(f"{source}: 'fleet' is missing (a fleet scenario is a plant scenario with a fleet: section)")
    raw = dict(raw)
    section = raw.pop("fleet")
    if not isinstance(section, dict):
        raise ScenarioError(f"{source}: 'fleet' must be a mapping with {', '.join(FLEET_KEYS)}")
    for key in section:
        if key not in FLEET_KEYS:
            raise ScenarioError(f"{source}: 'fleet.{key}' is not a known key here (known: {', '.join(FLEET_KEYS)})")
    for key in FLEET_KEYS:
        if key not in section:
            raise ScenarioError(f"{source}: 'fleet.{key}' is missing")
    template = parse_scenario(raw, source=source)
    entries = section["sites"]
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"{source}: 'fleet.sites' must be a non-empty list of sites")
    sites, raw_sites, codes, seeds = [], [], set(), set()
    for number, entry in enumerate(entries):
        key = f"fleet.sites[{number}]"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{source}: '{key}' must be a mapping with code, name and seed")
        for k in entry:
            if k not in SITE_KEYS:
                raise ScenarioError(f"{source}: '{key}.{k}' is not a known key here (known: {', '.join(SITE_KEYS)})")
        for k in ("code", "name", "seed"):
            if k not in entry:
                raise ScenarioError(f"{source}: '{key}.{k}' is missing")
        code = str(entry["code"])
        if not (code.isalnum() and code.isupper() and 2 <= len(code) <= 4):
            raise ScenarioError(f"{source}: '{key}.code' must be 2 to 4 capital letters or digits, not {code!r}")
        if code in codes:
            raise ScenarioError(f"{source}: '{key}.code' repeats the site code {code!r}")
        if entry["seed"] in seeds:
            raise ScenarioError(f"{source}: '{key}.seed' repeats another site's seed {entry['seed']!r}: "
                                "two sites would be the same plant")
        codes.add(code)
        seeds.add(entry["seed"])
        site_raw = copy.deepcopy(raw)
        site_raw["plant"]["name"] = str(entry["name"])
        site_raw["plant"]["seed"] = entry["seed"]
        if "timezone" in entry:
            site_raw["plant"]["timezone"] = entry["timezone"]
        if "lines" in entry:
            site_raw["lines"] = entry["lines"]
        if "wear_speed_factor" in entry:  # duty, coolant and operators differ: so does how fast parts wear
            site_raw["wear"] = dict(site_raw["wear"], speed_factor=entry["wear_speed_factor"])
        # Asset ids stay unique across the fleet: the site code leads each one.
        site_raw["assets"] = [dict(asset, id=f"{code}-{asset['id']}") for asset in raw["assets"]]
        scenario = parse_scenario(site_raw, source=f"{source} ({key}, site {code})")
        sites.append(Site(code=code, name=scenario.name, scenario=scenario))
        raw_sites.append(site_raw)
    return Fleet(source=source, name=str(section["name"]), template=template, sites=tuple(sites),
                 raw_sites=tuple(raw_sites))


# ---------------------------------------------------------------------------------------------
# One site


def _lives(asset_id: str, asset, meter: np.ndarray, times: pd.DatetimeIndex, step_hours: float) -> list[dict]:
    """Every life of every component: from the start of records or a renewal, to failure or censoring."""
    n = len(meter)
    rows = []
    for mode in asset.health:
        renewals = sorted((e.step, e.end_step, e.kind, e.failure) for e in asset.events
                          if e.mode == mode and e.kind in RENEWALS)
        start_step, start_kind = 0, "start_of_records"
        for step, end_step, kind, failed in renewals + [(n, n, "end_of_records", False)]:
            end_kind = "failure" if failed else ("replaced" if kind == "condition_based" else "end_of_records")
            start_hours = 0.0 if start_step == 0 else float(meter[start_step - 1])
            end_hours = float(meter[step - 1]) if step > 0 else 0.0
            rows.append({
                "asset_id": asset_id, "mode": mode,
                "start": times[start_step] if start_step < n else times[-1] + (times[1] - times[0]),
                "end": times[step] if step < n else times[-1] + (times[1] - times[0]),
                "start_kind": start_kind, "end_kind": end_kind,
                "life_operating_h": round(end_hours - start_hours, 2),
                "start_operating_h": round(start_hours, 2), "end_operating_h": round(end_hours, 2),
            })
            start_step, start_kind = end_step, "renewal"
    return rows


def _hourly(telemetry: pd.DataFrame, truth, meters: dict[str, np.ndarray]) -> pd.DataFrame:
    """Hourly readings per asset from the 15-minute (or finer) readings, sums in a fixed order."""
    timeline = truth.timeline
    per_hour = int(round(60 / timeline.step_minutes))
    n_hours = timeline.n_steps // per_hour
    frames = []
    for asset_id, group in telemetry.groupby("asset_id", observed=True, sort=False):
        group = group.iloc[: n_hours * per_hour]
        state = truth.assets[asset_id].state[: n_hours * per_hour].reshape(n_hours, per_hour)
        running = (state != State.OFF) & (state != State.DOWN)
        out = {
            "timestamp": timeline.times_utc[: n_hours * per_hour: per_hour],
            "asset_id": asset_id,
            "running_min": (running.sum(axis=1) * timeline.step_minutes).astype(np.int16),
            "producing_min": ((state == State.PRODUCING).sum(axis=1) * timeline.step_minutes).astype(np.int16),
            "operating_h": meters[asset_id][per_hour - 1: n_hours * per_hour: per_hour],
        }
        for column in HOURLY_MEANS:
            values = group[column].to_numpy(dtype=np.float64).reshape(n_hours, per_hour)
            total = values[:, 0].copy()
            for k in range(1, per_hour):  # elementwise adds: the same bits on every machine
                total = total + values[:, k]
            out[column] = total / per_hour
        vibration = group["vibration_rms_mm_s"].to_numpy(dtype=np.float64).reshape(n_hours, per_hour)
        out["vibration_max_mm_s"] = np.max(vibration, axis=1)
        # Sums over the running readings only, for the daily means (dropped before the table is written).
        out["_running_n"] = running.sum(axis=1)
        for column in DAILY_RUNNING_MEANS:
            values = np.where(running, group[column].to_numpy(dtype=np.float64).reshape(n_hours, per_hour), 0.0)
            total = values[:, 0].copy()
            for k in range(1, per_hour):
                total = total + values[:, k]
            out[f"_running_sum_{column}"] = total
        frames.append(pd.DataFrame(out))
    frame = pd.concat(frames, ignore_index=True)
    frame["asset_id"] = frame["asset_id"].astype("category")
    return frame


def _daily(hourly: pd.DataFrame, alarms: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """One row per asset and local day: hours run, the day's vibration and temperatures, alarms."""
    local_day = hourly["timestamp"].dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    frame = hourly.assign(date=local_day)
    grouped = frame.groupby(["asset_id", "date"], observed=True, sort=True)
    sums = {f"_running_sum_{c}": (f"_running_sum_{c}", "sum") for c in DAILY_RUNNING_MEANS}
    daily = grouped.agg(
        running_h=("running_min", "sum"), producing_h=("producing_min", "sum"), operating_h=("operating_h", "max"),
        vibration_max_mm_s=("vibration_max_mm_s", "max"), _running_n=("_running_n", "sum"), **sums,
    ).reset_index()
    # The day's readings while the asset ran: a standstill's readings would dilute a worn bearing's.
    n = daily.pop("_running_n").to_numpy(dtype=np.float64)
    for column, name in DAILY_RUNNING_MEANS.items():
        total = daily.pop(f"_running_sum_{column}").to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            daily[name] = np.where(n > 0, total / n, np.nan)
    daily["running_h"] = daily["running_h"] / 60.0
    daily["producing_h"] = daily["producing_h"] / 60.0
    if len(alarms):
        raised = alarms["raised_at"].dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
        counts = alarms.assign(date=raised).groupby(["asset_id", "date"], observed=True).size().rename("alarms")
        daily = daily.merge(counts.reset_index(), on=["asset_id", "date"], how="left")
    else:
        daily["alarms"] = 0
    daily["alarms"] = daily["alarms"].fillna(0).astype(np.int16)
    daily["asset_id"] = daily["asset_id"].astype("category")
    return daily


def _health_daily(truth, timezone: str) -> pd.DataFrame:
    """The lowest true health of each component per asset and local day."""
    times = truth.timeline.times_utc
    day = times.tz_convert(timezone).tz_localize(None).normalize()
    frames = []
    for asset_id, asset in truth.assets.items():
        for mode, health in asset.health.items():
            frames.append(pd.DataFrame({"date": day, "asset_id": asset_id, "mode": mode, "health": health}))
    frame = pd.concat(frames, ignore_index=True)
    out = frame.groupby(["asset_id", "mode", "date"], sort=True).agg(health=("health", "min")).reset_index()
    for column in ("asset_id", "mode"):
        out[column] = out[column].astype("category")
    return out


def simulate_site(site_raw: dict, code: str, source: str) -> dict[str, pd.DataFrame]:
    """Every fleet table of one site, computed from its scenario alone (so sites run in parallel)."""
    from plantsim import assets as asset_kinds
    from plantsim import alarms as alarm_log, sensors, workorders
    from plantsim.resolution import on_grid
    from plantsim.simulate import plan_plant, simulate_group
    from plantsim.streams import rng_for
    from plantsim.writer import _events_frame

    scenario = parse_scenario(site_raw, source=f"{source} (site {code})")
    plan = plan_plant(scenario)
    numbers = {spec.asset_id: k for k, spec in enumerate(plan.specs, start=1)}
    register = asset_kinds.asset_table(plan.specs)
    tables: dict[str, list[pd.DataFrame]] = {name: [] for group in ("clean", "truth") for name in TABLES[group]
                                             if name != "lives"}
    lives = []
    for group_number, group in enumerate(plan.groups(), start=1):
        truth = simulate_group(plan, group)
        telemetry = pd.concat([sensors.telemetry(asset, truth, rng_for(scenario.seed, numbers[asset_id], "sensors"))
                               for asset_id, asset in truth.assets.items()], ignore_index=True)
        telemetry = on_grid(telemetry, "telemetry")  # the hourly means start from the recorded readings
        records_rng = rng_for(scenario.seed, 1000 + group_number, "records")
        alarms = alarm_log.alarms(telemetry, register, truth, records_rng)
        orders = workorders.work_orders(truth, records_rng, telemetry=telemetry, assets=register)
        meters = {asset_id: hour_meter(asset.state, asset.spec.kind, truth.timeline.step_hours)
                  for asset_id, asset in truth.assets.items()}
        hourly = _hourly(telemetry, truth, meters)
        del telemetry
        tables["hourly"].append(hourly.drop(columns=[c for c in hourly.columns if c.startswith("_")]))
        tables["daily"].append(_daily(hourly, alarms, scenario.timezone))
        tables["alarms"].append(alarms)
        tables["work_orders"].append(orders)
        maintenance = _events_frame(truth)
        tables["maintenance"].append(maintenance)
        tables["failures"].append(maintenance[maintenance["failure"]])
        tables["health_daily"].append(_health_daily(truth, scenario.timezone))
        for asset_id, asset in truth.assets.items():
            lives += _lives(asset_id, asset, meters[asset_id], truth.timeline.times_utc, truth.timeline.step_hours)
    out = {name: _prefix_ids(_concat_sorted(frames), code) for name, frames in tables.items()}
    life_frame = pd.DataFrame(lives)
    for column in ("asset_id", "mode", "start_kind", "end_kind"):
        life_frame[column] = life_frame[column].astype("category")
    out["lives"] = life_frame
    out["assets"] = register.assign(site=code)
    for name in out:
        out[name] = on_grid(out[name].assign(site=code).astype({"site": "category"}), name)
    return out


def _concat_sorted(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f.columns)]
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:  # categories of different groups union to plain objects: type them again
        if column in ("asset_id", "mode", "kind", "reason") and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
    return frame.reset_index(drop=True)


def _prefix_ids(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """Alarm and work-order numbers restart at every site; the site code keeps them apart."""
    for column in ("alarm_id", "wo_id"):
        if column in frame.columns:
            frame[column] = code + "-" + frame[column].astype(str)
    return frame


# ---------------------------------------------------------------------------------------------
# The whole fleet


def generate_fleet(fleet_path: str | Path, out_dir: str | Path, *, jobs: int | None = None, progress: bool = False,
                   force: bool = False) -> Path:
    """Simulate every site of the fleet and write its tables; returns the output folder.

    Sites run in parallel (``jobs``, one per CPU core by default); each site depends only on its
    own scenario and seed, so the files are the same whatever the number of jobs.
    """
    from plantsim.writer import GenerationError, _move_into_place, sha256_of, write_parquet

    fleet_path, out_dir = Path(fleet_path), Path(out_dir)
    fleet = load_fleet(fleet_path)
    if (out_dir / "MANIFEST.json").exists() and not force:
        raise GenerationError(f"{out_dir} already holds a generated fleet; use --force to replace it")
    if out_dir.exists() and not (out_dir / "MANIFEST.json").exists() and any(out_dir.iterdir()):
        raise GenerationError(f"{out_dir} exists and is not a generated fleet (no MANIFEST.json); "
                              "choose an empty or new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(fleet.sites)))
    try:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(fleet.sites), desc="Generating fleet", unit="site", disable=not progress)
        registers = []
        for site, tables in zip(fleet.sites, _simulated_sites(fleet, jobs)):
            for name, frame in tables.items():
                if name == "assets":
                    registers.append(frame)
                    continue
                group = "clean" if name in TABLES["clean"] else "truth"
                write_parquet(frame, staging / group / name / f"{site.code}.parquet")
            del tables
            bar.update(1)
        bar.close()
        write_parquet(pd.concat(registers, ignore_index=True).astype({"asset_id": "category", "site": "category"}),
                      staging / "reference" / "assets" / "fleet.parquet")
        write_parquet(sites_table(fleet), staging / "reference" / "sites" / "fleet.parquet")
        files = {str(p.relative_to(staging)): sha256_of(p) for p in sorted(staging.rglob("*")) if p.is_file()}
        manifest = {
            "fleet": fleet.name, "scenario_file": fleet_path.name, "scenario_sha256": sha256_of(fleet_path),
            "sites": [site.code for site in fleet.sites], "start": str(fleet.template.start),
            "days": fleet.template.days, "step_minutes": fleet.template.step_minutes, "files": files,
        }
        (staging / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _simulated_sites(fleet: Fleet, jobs: int):
    """Each site's tables, in site order; with one job in this process (no worker processes)."""
    arguments = [(raw, site.code, fleet.source) for raw, site in zip(fleet.raw_sites, fleet.sites)]
    if jobs == 1:
        for args in arguments:
            yield simulate_site(*args)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(simulate_site, *args) for args in arguments]
        for future in futures:
            yield future.result()


def sites_table(fleet: Fleet) -> pd.DataFrame:
    rows = []
    for site in fleet.sites:
        s = site.scenario
        rows.append({"site": site.code, "name": site.name, "timezone": s.timezone, "seed": s.seed,
                     "assets": len(s.assets),
                     "shifts": "; ".join(f"{line}: {', '.join(shifts)}" for line, shifts in s.line_shifts.items())})
    frame = pd.DataFrame(rows)
    frame["site"] = frame["site"].astype("category")
    return frame
