"""Is the plant's dirt obvious? Simple one-line rules against thoughtful methods, on the raw tables.

    .venv/bin/python benchmarks/dirt_rules.py                  # the default plant (datasets/plant/tables)
    .venv/bin/python benchmarks/dirt_rules.py --plant DIR      # another generated plant

Module 02 teaches a trainee to find every defect the defect manifest (truth/defects) lists. If rules
a trainee writes in one line each (a reading that is empty, exactly 0, flat for two hours, far above
its usual maximum, a jump against a redundant sensor, a duplicated key, a timestamp going backwards)
find nearly every listed defect without a false alarm, the lesson teaches nothing. Its methods should
still be rewarded: a state-aware look (the machine's state beside the reading), a rolling median with
the median absolute deviation (the Hampel idea) that asks the drive's other tags whether its load
really peaked, peers of the same kind, the parts against the telemetry for a clock.

Each rule flags rows; consecutive flagged rows of one asset and column are one *event*. An event that
overlaps a listed defect's window on the same asset (and, for a sensor defect, the same column) finds
that defect; an event that overlaps none is a *false alarm*. Censored components are listed in the
manifest but are no data change, so they are not counted. Writes benchmarks/results/dirt_rules.md;
the datasheet (section 5) quotes it.
"""
from __future__ import annotations

import argparse
import difflib
import platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "dirt_rules.md"
sys.path.insert(0, str(ROOT / "src"))

SENSORS = ("power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "spindle_temp_c",
           "coolant_temp_c", "flow_l_min", "pressure_bar", "discharge_temp_c")
TEMPERATURES = ("bearing_temp_c", "spindle_temp_c", "coolant_temp_c", "discharge_temp_c")
NEVER_ZERO = (*TEMPERATURES, "vibration_rms_mm_s")  # a heated hall, a machine on a floor: never exactly 0
STEP = pd.Timedelta(minutes=5)
DAY_READINGS = 289  # a centred day of five-minute readings
FLAT_READINGS = 24  # simple rule: two hours of identical readings is a stuck sensor
STUCK_PRODUCING_READINGS = 24  # thoughtful rule: two hours of identical readings while the machine produces
HAMPEL_K = 10.0  # thoughtful rule: a single reading this many robust deviations from both neighbours
# One drive, three tags: a motor's load, its power and its current all follow the shaft's load. A short
# load peak (a CNC's tool entering the cut, a hard spot in the casting: DATASHEET section 3.2) lifts all
# three in the same reading; interference on one sensor's wire lifts one tag alone.
DRIVE_TAGS = ("load_pct", "power_kw", "motor_current_a")
PEER_K = 4.0  # thoughtful drift rule: a day this many robust deviations from the machine's usual gap to its peers
STEP_K = 10.0  # thoughtful recalibration rule: a week-on-week step in that gap this many times its day-to-day noise

# Recorded measurements of earlier plants (the numbers this script, as it is now, printed for them),
# so that a change in the dirt shows what it did. Each: (label, {rule set: (found, listed, false alarms)}).
HISTORY = [
    ("e73f521: every reading kept, stuck sensors of 4-5 days, spikes far above the maximum, drift beside a twin",
     {"simple": (44, 49, 69), "thoughtful": (49, 49, 182)}),
]


@dataclass
class Event:
    rule: str
    table: str
    asset: str
    column: str | None  # None: a row or timestamp defect
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive: the last flagged row's time
    key: str | None = None  # a work order's id


@dataclass
class RuleSet:
    name: str
    events: list[Event] = field(default_factory=list)

    def add(self, rule: str, table: str, asset: str, column: str | None, times: pd.Series, flags: np.ndarray,
            gap: int = 1) -> None:
        """One event per run of flagged rows (rows in time order; ``gap`` unflagged rows may split a run)."""
        positions = np.flatnonzero(flags)
        if not len(positions):
            return
        breaks = np.flatnonzero(np.diff(positions) > gap)
        firsts = np.r_[positions[0], positions[breaks + 1]]
        lasts = np.r_[positions[breaks], positions[-1]]
        stamps = times.to_numpy()
        for a, b in zip(firsts, lasts):
            self.events.append(Event(rule, table, asset, column, pd.Timestamp(stamps[a]), pd.Timestamp(stamps[b])))


# --- reading the plant ----------------------------------------------------------------------------

def read(plant: Path, group: str, table: str) -> pd.DataFrame:
    return pd.read_parquet(plant / group / table)


def per_asset(telemetry: pd.DataFrame):
    """Each asset's raw rows in time order (a stable sort keeps duplicates side by side)."""
    for asset, rows in telemetry.groupby(telemetry["asset_id"].astype(str), observed=True, sort=True):
        yield asset, rows.sort_values("timestamp", kind="stable").reset_index(drop=True)


def sensors_of(rows: pd.DataFrame) -> list[str]:
    return [c for c in SENSORS if c in rows.columns and rows[c].notna().any()]


def run_ids(values: pd.Series) -> np.ndarray:
    """A number per run of identical readings (each empty reading is a run of its own)."""
    x = values.to_numpy(dtype=float)
    new = np.r_[True, ~(x[1:] == x[:-1])]
    return np.cumsum(new) - 1


def run_length(values: pd.Series) -> np.ndarray:
    """For each reading, how many identical readings its run of identical readings holds."""
    run = run_ids(values)
    return np.bincount(run)[run]


def per_run_sum(values: pd.Series, flags: np.ndarray) -> np.ndarray:
    """For each reading, how many flagged readings its run of identical readings holds."""
    run = run_ids(values)
    return np.bincount(run, weights=flags.astype(float))[run]


def daily_events(rules: RuleSet, rule: str, table: str, asset: str, column: str | None, days: pd.Series,
                 flags: np.ndarray) -> None:
    """Events from flagged days: an event runs from the first day's start to the last day's end."""
    positions = np.flatnonzero(flags)
    if not len(positions):
        return
    stamps = pd.DatetimeIndex(days.to_numpy())
    breaks = np.flatnonzero(np.diff(stamps[positions].asi8) > 3 * 86400 * 10**9)  # two quiet days may split a run
    for a, b in zip(np.r_[positions[0], positions[breaks + 1]], np.r_[positions[breaks], positions[-1]]):
        rules.events.append(Event(rule, table, asset, column, stamps[a], stamps[b] + pd.Timedelta(days=1) - STEP))


# --- simple one-line rules ------------------------------------------------------------------------

def simple_rules(tables: dict) -> RuleSet:
    rules = RuleSet("simple")
    telemetry = tables["telemetry"]
    for asset, rows in per_asset(telemetry):
        times = rows["timestamp"]
        for column in sensors_of(rows):
            x = rows[column]
            rules.add("reading empty", "telemetry", asset, column, times, x.isna().to_numpy())
            if column in NEVER_ZERO:
                rules.add("temperature or vibration exactly 0", "telemetry", asset, column, times, (x == 0).to_numpy())
            rules.add(f"{FLAT_READINGS} identical non-zero readings in a row", "telemetry", asset, column, times,
                      (run_length(x) >= FLAT_READINGS) & (x != 0).to_numpy() & x.notna().to_numpy())
            rules.add("above 1.5 x its 99th percentile", "telemetry", asset, column, times,
                      (x > 1.5 * x.quantile(0.99)).to_numpy())
            if column in TEMPERATURES or column == "pressure_bar":
                rules.add("temperature or pressure above twice its median", "telemetry", asset, column, times,
                          (x > 2 * x[x > 0].median()).to_numpy())
        rules.add("timestamp repeated", "telemetry", asset, None, times, rows.duplicated("timestamp").to_numpy())
        rules.add("timestamp off the 5-minute grid", "telemetry", asset, None, times,
                  (times != times.dt.floor("5min")).to_numpy())
    _order_rule(rules, telemetry)
    _redundant_rule(rules, telemetry, tables["assets"])
    _energy_rules(rules, tables, state_aware=False)
    _record_rules(rules, tables, thoughtful=False)
    return rules


def _order_rule(rules: RuleSet, telemetry: pd.DataFrame) -> None:
    for asset, rows in telemetry.groupby(telemetry["asset_id"].astype(str), observed=True, sort=True):
        times = rows["timestamp"].reset_index(drop=True)  # as stored: a late block breaks the order
        rules.add("timestamp goes backwards", "telemetry", asset, None, times, (times.diff() < pd.Timedelta(0)).to_numpy())


def _redundant_rule(rules: RuleSet, telemetry: pd.DataFrame, assets: pd.DataFrame) -> None:
    """A sensor against the redundant ones measuring the same thing: a line's coolant (its CNCs and its
    pump), the compressed-air header (both compressors). A day's median that leaves the usual gap to
    the median of its group by more than a fixed amount is flagged."""
    line = assets.set_index("asset_id")["line"].astype(str)
    frame = telemetry.assign(day=telemetry["timestamp"].dt.floor("D"), asset=telemetry["asset_id"].astype(str))
    for column, by, limit in (("coolant_temp_c", "line", 1.0), ("pressure_bar", "header", 0.15)):
        daily = frame.groupby(["asset", "day"], observed=True)[column].median().unstack("asset")
        daily = daily.loc[:, daily.notna().any()]
        if by == "header":
            groups = {"UT": [a for a in daily.columns if line.get(a) == "UT"]}
        else:
            groups = {ln: [a for a in daily.columns if line.get(a) == ln] for ln in sorted(set(line)) if ln != "UT"}
        for members in groups.values():
            if len(members) < 2:
                continue
            reference = daily[members].median(axis=1)
            for asset in members:
                gap = daily[asset] - reference
                flags = ((gap - gap.median()).abs() > limit).to_numpy()
                daily_events(rules, f"{column} off its redundant sensors", "telemetry", asset, column,
                             pd.Series(daily.index), flags)


def _energy_rules(rules: RuleSet, tables: dict, state_aware: bool) -> None:
    energy, assets = tables["energy"], tables["assets"]
    rated = assets.set_index("asset_id")["rated_power_kw"]
    for asset, rows in energy.groupby(energy["asset_id"].astype(str), observed=True, sort=True):
        rows = rows.sort_values("timestamp", kind="stable").reset_index(drop=True)
        kwh, times = rows["energy_kwh"], rows["timestamp"]
        rules.add("meter reading empty", "energy", asset, "energy_kwh", times, kwh.isna().to_numpy())
        zero = (kwh == 0) & (rows["state"].astype(str) == "producing")
        rules.add("meter reads 0 while producing", "energy", asset, "energy_kwh", times, zero.to_numpy())
        rules.add("mean power above 1.5 x rated", "energy", asset, "energy_kwh", times,
                  (rows["mean_power_kw"] > 1.5 * float(rated[asset])).to_numpy())


def _record_rules(rules: RuleSet, tables: dict, thoughtful: bool) -> None:
    parts = tables["parts"]
    for asset, rows in parts.groupby(parts["asset_id"].astype(str), observed=True, sort=True):
        rows = rows.sort_values("timestamp", kind="stable").reset_index(drop=True)
        rules.add("part_id repeated", "parts", asset, None, rows["timestamp"], rows["part_id"].duplicated().to_numpy())
    orders = tables["work_orders"]
    for _, order in orders[orders["reported_at"] > orders["completed_at"]].iterrows():
        rules.events.append(Event("reported after completed", "work_orders", str(order["asset_id"]), "reported_at",
                                  order["reported_at"], order["reported_at"], key=order["wo_id"]))
    if not thoughtful:
        return
    for _, order in orders.dropna(subset=["failure_mode_reported"]).iterrows():
        meant = component_mode(str(order["component"]))
        if meant and meant != order["failure_mode_reported"]:
            rules.events.append(Event("component text against the failure mode", "work_orders", str(order["asset_id"]),
                                      "failure_mode_reported", order["reported_at"], order["reported_at"],
                                      key=order["wo_id"]))


COMPONENT_WORDS = {"spindle_bearing": ("spindle", "spdl", "sp."), "gearbox_bearing": ("gearbox", "gbx", "g/box", "gear box", "gb "),
                   "pump_bearing": ("pump b", "motor b", "mtr b"),
                   "pump_seal": ("seal",), "impeller_wear": ("imp",), "compressor_valve": ("valve", "vlv")}


def component_mode(text: str) -> str | None:
    """The failure mode a technician's spelling of a component names (a small word list a trainee builds)."""
    text = text.lower() + " "
    for mode, words in COMPONENT_WORDS.items():
        if any(w in text for w in words):
            return mode
    close = difflib.get_close_matches(text.strip(), [m.replace("_", " ") for m in COMPONENT_WORDS], n=1, cutoff=0.6)
    return close[0].replace(" ", "_") if close else None


# --- thoughtful methods ---------------------------------------------------------------------------

def thoughtful_rules(tables: dict) -> RuleSet:
    rules = RuleSet("thoughtful")
    telemetry = tables["telemetry"]
    for asset, rows in per_asset(telemetry):
        times = rows["timestamp"]
        state = rows["machine_state"].astype(str).to_numpy()
        producing = state == "producing"
        for column in sensors_of(rows):
            x = rows[column]
            rules.add("reading empty", "telemetry", asset, column, times, x.isna().to_numpy())
            rules.add("exactly 0 while producing", "telemetry", asset, column, times, ((x == 0).to_numpy() & producing))
            rules.add(f"flat for {STUCK_PRODUCING_READINGS} producing readings", "telemetry", asset, column, times,
                      (per_run_sum(x, producing) >= STUCK_PRODUCING_READINGS) & producing & x.notna().to_numpy())
            rules.add("single reading off both neighbours (Hampel)", "telemetry", asset, column, times,
                      hampel_single(x.to_numpy(dtype=float), state) & ~drive_moves_along(rows, column))
            if column in TEMPERATURES or column == "pressure_bar":
                rules.add("producing reading above 1.6 x the producing median", "telemetry", asset, column, times,
                          producing & (x > 1.6 * x[producing].median()).to_numpy())
        rules.add("timestamp repeated", "telemetry", asset, None, times, rows.duplicated("timestamp").to_numpy())
        rules.add("timestamp off the 5-minute grid", "telemetry", asset, None, times,
                  (times != times.dt.floor("5min")).to_numpy())
    _order_rule(rules, telemetry)
    _peer_rule(rules, telemetry, tables["assets"])
    _clock_rule(rules, telemetry, tables["parts"])
    _energy_rules(rules, tables, state_aware=True)
    _record_rules(rules, tables, thoughtful=True)
    return rules


def hampel_single(x: np.ndarray, state: np.ndarray) -> np.ndarray:
    """A reading far from both neighbours, which agree with each other, the machine in one state throughout.

    The scale is the robust spread of step-to-step changes (1.4826 x the median of their absolute
    values) in the machine's state, or over the surrounding day where that is larger (a worn bearing
    vibrates more unevenly: a Hampel filter's local window), never below the smallest change the
    sensor shows."""
    before, after = np.r_[np.nan, x[:-1]], np.r_[x[1:], np.nan]
    d1, d2 = x - before, x - after
    same_state = (np.r_[state[:1], state[:-1]] == state) & (np.r_[state[1:], state[-1:]] == state)
    changes = pd.Series(np.where(np.r_[False, state[1:] == state[:-1]], np.abs(d1), np.nan))
    smallest = changes[changes > 0].min()
    if not np.isfinite(smallest):
        return np.zeros(len(x), dtype=bool)
    in_state = changes.groupby(state).transform("median").to_numpy()
    local = changes.rolling(DAY_READINGS, center=True, min_periods=12).median().to_numpy()
    scale = np.maximum(1.4826 * np.fmax(in_state, local), smallest)
    with np.errstate(invalid="ignore"):
        small = np.minimum(np.abs(d1), np.abs(d2))
        return (same_state & (np.sign(d1) == np.sign(d2)) & (small > HAMPEL_K * scale)
                & (np.abs(before - after) < 0.5 * small))


def off_neighbours(x: np.ndarray) -> np.ndarray:
    """How far each reading lies from the mean of its two neighbours, as a share of that mean."""
    around = (np.r_[np.nan, x[:-1]] + np.r_[x[1:], np.nan]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(around != 0, x / around - 1, np.nan)


def drive_moves_along(rows: pd.DataFrame, column: str) -> np.ndarray:
    """Readings of a drive tag (DRIVE_TAGS) whose jump off both neighbours another tag of the same drive
    shares: the same way, at least half as far (as a share of its neighbours). That is the drive's load
    peaking for a moment, not a sensor's spike."""
    along = np.zeros(len(rows), dtype=bool)
    if column not in DRIVE_TAGS:
        return along
    jump = off_neighbours(rows[column].to_numpy(dtype=float))
    for other in DRIVE_TAGS:
        if other != column and other in rows.columns:
            theirs = off_neighbours(rows[other].to_numpy(dtype=float))
            with np.errstate(invalid="ignore"):
                along |= (np.sign(theirs) == np.sign(jump)) & (np.abs(theirs) >= 0.5 * np.abs(jump))
    return along


def _peer_rule(rules: RuleSet, telemetry: pd.DataFrame, assets: pd.DataFrame) -> None:
    """A temperature or pressure against the same sensor on the machines of its kind: the day's median
    while producing, minus the median of its peers that day. A day whose gap leaves the machine's usual
    gap by more than PEER_K robust deviations (and at least 0.5 degC or 0.05 bar) is flagged."""
    kind = assets.set_index("asset_id")["kind"].astype(str)
    producing = telemetry[telemetry["machine_state"].astype(str) == "producing"]
    frame = producing.assign(day=producing["timestamp"].dt.floor("D"), asset=producing["asset_id"].astype(str))
    for column in (*TEMPERATURES, "pressure_bar"):
        grouped = frame.groupby(["asset", "day"], observed=True)[column]
        # A day with under two hours of production says little about the sensor.
        daily = grouped.median().where(grouped.count() >= 24).unstack("asset")
        daily = daily.loc[:, daily.notna().any()]
        for k in sorted(set(kind)):
            members = [a for a in daily.columns if kind.get(a) == k]
            if len(members) < 2:
                continue
            for asset in members:
                peers = daily[[m for m in members if m != asset]].median(axis=1)
                gap = daily[asset] - peers
                spread = 1.4826 * (gap - gap.median()).abs().median()
                floor = 0.05 if column == "pressure_bar" else 0.5
                flags = ((gap - gap.median()).abs() > max(PEER_K * spread, floor)).to_numpy()
                daily_events(rules, f"{column} off its peers", "telemetry", asset, column, pd.Series(daily.index), flags)
                step_in_the_gap(rules, asset, column, gap.dropna(), floor)


def step_in_the_gap(rules: RuleSet, asset: str, column: str, gap: pd.Series, floor: float) -> None:
    """A recalibration, a sensor swapped: the median gap to the peers over the week after a day differs
    from the week before by more than STEP_K times the gap's day-to-day noise (one event per step, on
    the day the step is largest)."""
    if len(gap) < 21:
        return
    before = gap.rolling(7, min_periods=4).median()
    after = gap[::-1].rolling(7, min_periods=4).median()[::-1]
    step = (after - before.shift()).abs()
    noise = 1.4826 * (gap - gap.rolling(7, center=True, min_periods=4).median()).abs().median()
    biggest = step == step.rolling(7, center=True, min_periods=1).max()
    flags = ((step > max(STEP_K * noise, floor)) & biggest).to_numpy()
    daily_events(rules, f"{column}: a step in the gap to its peers", "telemetry", asset, column,
                 pd.Series(gap.index), flags)


def _clock_rule(rules: RuleSet, telemetry: pd.DataFrame, parts: pd.DataFrame) -> None:
    """The parts (MES clock) against the machine's producing readings (PLC clock): per machine and day,
    the shift of the parts' times that puts most of them into producing readings. A day on which a
    shift of 5 to 20 minutes fits clearly better than none is flagged."""
    shifts = [pd.Timedelta(minutes=m) for m in range(-20, 25, 5)]
    for asset, rows in parts.groupby(parts["asset_id"].astype(str), observed=True, sort=True):
        mine = telemetry[telemetry["asset_id"].astype(str) == asset]
        busy = pd.DatetimeIndex(mine.loc[mine["machine_state"].astype(str) == "producing", "timestamp"]).unique().asi8
        stamps = pd.DatetimeIndex(rows["timestamp"])
        day = stamps.floor("D")
        fit = {}
        for shift in shifts:
            slot = (stamps + shift).floor("5min").asi8
            fit[shift] = pd.Series(np.isin(slot, busy)).groupby(day).mean()
        table = pd.DataFrame(fit)
        best = table.max(axis=1)
        flags = ((best - table[pd.Timedelta(0)]) > 0.02) & (table.idxmax(axis=1) != pd.Timedelta(0))
        daily_events(rules, "parts fit the readings better shifted", "telemetry", asset, None,
                     pd.Series(table.index), flags.to_numpy())


# --- scoring --------------------------------------------------------------------------------------

TOLERANCE = pd.Timedelta(hours=1)  # a clock defect moves rows by up to an hour


def matches(event: Event, defect: pd.Series) -> bool:
    if event.table != defect["table"] or event.asset != defect["asset_id"]:
        return False
    if defect["table"] == "work_orders":
        return event.key == str(defect["detail"]).split(":")[0] and event.column == defect["column"]
    column = defect["column"] if isinstance(defect["column"], str) and defect["column"] in (*SENSORS, "energy_kwh") else None
    if event.column != column:
        return False
    return event.start < defect["end"] + TOLERANCE and event.end >= defect["start"] - TOLERANCE


def score(rules: RuleSet, manifest: pd.DataFrame) -> dict:
    listed = manifest[manifest["kind"] != "censored"].reset_index(drop=True)
    by_place = defaultdict(list)
    for k, defect in listed.iterrows():
        by_place[(defect["table"], defect["asset_id"])].append(k)
    found = defaultdict(set)  # defect -> rules that found it
    per_rule = defaultdict(lambda: [0, 0])  # rule -> [true events, false alarms]
    for event in rules.events:
        hit = [k for k in by_place[(event.table, event.asset)] if matches(event, listed.loc[k])]
        for k in hit:
            found[k].add(event.rule)
        per_rule[event.rule][0 if hit else 1] += 1
    kinds = {}
    for k, defect in listed.iterrows():
        name = defect_kind(defect)
        total, hits = kinds.get(name, (0, 0))
        kinds[name] = (total + 1, hits + (k in found))
    return {"listed": len(listed), "found": len(found), "false_alarms": sum(v[1] for v in per_rule.values()),
            "kinds": kinds, "rules": dict(per_rule), "missed": [listed.loc[k, "defect_id"] for k in range(len(listed)) if k not in found]}


def defect_kind(defect: pd.Series) -> str:
    name = f"{defect['kind']} ({defect['table']})"
    if defect["kind"] == "spike" and "normal range" in str(defect["detail"]):
        name = f"spike within the normal range ({defect['table']})"
    if defect["kind"] == "stuck" and "at rest" in str(defect["detail"]):
        name = f"stuck, starting at rest ({defect['table']})"
    return name


# --- facts about the dirt -------------------------------------------------------------------------

def dirt_facts(plant: Path, tables: dict) -> dict:
    clean = read(plant, "clean", "telemetry")
    longest = {"producing": 0, "at rest": 0}
    for asset, rows in per_asset(clean):
        producing = rows["machine_state"].astype(str).to_numpy() == "producing"
        for column in sensors_of(rows):
            x = rows[column]
            run = run_ids(x)
            lengths = np.bincount(run)
            all_producing = np.bincount(run, weights=producing.astype(float)) == lengths
            finite = np.bincount(run, weights=x.notna().to_numpy().astype(float)) == lengths
            nonzero = np.bincount(run, weights=(x != 0).to_numpy().astype(float)) == lengths
            for name, keep in (("producing", all_producing & finite), ("at rest", ~all_producing & finite & nonzero)):
                if keep.any():
                    longest[name] = max(longest[name], int(lengths[keep].max()))
    manifest = tables["manifest"]
    stuck = manifest[manifest["kind"] == "stuck"]
    hours = (stuck["end"] - stuck["start"]).dt.total_seconds() / 3600
    raw = tables["telemetry"]
    resting = raw["machine_state"].astype(str).isin(["off", "down"])
    zeros_at_rest = int(sum(((raw[c] == 0) & resting).sum() for c in SENSORS if c in raw))
    return {"longest_identical_run_producing": longest["producing"], "longest_identical_run_at_rest": longest["at rest"],
            "stuck_rows": sorted(stuck["rows_affected"].astype(int).tolist()),
            "stuck_hours": sorted(round(float(h), 1) for h in hours),
            "zero_readings_at_rest_raw": zeros_at_rest}


# --- report ---------------------------------------------------------------------------------------

def measure(plant: Path) -> dict:
    started = time.perf_counter()
    tables = {"telemetry": read(plant, "raw", "telemetry"), "energy": read(plant, "raw", "energy"),
              "parts": read(plant, "raw", "parts"), "work_orders": read(plant, "raw", "work_orders"),
              "assets": read(plant, "reference", "assets"), "manifest": read(plant, "truth", "defects")}
    results = {rules.name: score(rules, tables["manifest"]) for rules in (simple_rules(tables), thoughtful_rules(tables))}
    results["facts"] = dirt_facts(plant, tables)
    results["seconds"] = time.perf_counter() - started
    return results


def report(results: dict, label: str) -> str:
    simple, thoughtful, facts = results["simple"], results["thoughtful"], results["facts"]
    lines = ["# Is the plant's dirt obvious?", "",
             f"Measured by `benchmarks/dirt_rules.py` on {label}, {platform.machine()}, Python "
             f"{platform.python_version()}, in {results['seconds']:.0f} s. An event is a run of rows one rule flags "
             "on one asset and column; it finds a listed defect when it overlaps the defect's window (within an "
             "hour) on the same asset and column, and is a false alarm when it overlaps none. Censored "
             "components are not data changes and are not counted.", "",
             "| | simple one-line rules | thoughtful methods |", "|---|---:|---:|",
             f"| listed defects found | {simple['found']} of {simple['listed']} | {thoughtful['found']} of {thoughtful['listed']} |",
             f"| false alarms (events on no listed defect) | {simple['false_alarms']} | {thoughtful['false_alarms']} |",
             "", "Found by kind:", "", "| kind | listed | simple | thoughtful |", "|---|---:|---:|---:|"]
    for kind in sorted(simple["kinds"]):
        total, s = simple["kinds"][kind]
        lines.append(f"| {kind} | {total} | {s} | {thoughtful['kinds'][kind][1]} |")
    for result in (simple, thoughtful):
        lines += ["", f"Rules of the {result is simple and 'simple' or 'thoughtful'} set (events on a listed defect / false alarms):", "",
                  "| rule | on a defect | false alarms |", "|---|---:|---:|"]
        for rule, (true, false) in sorted(result["rules"].items()):
            lines.append(f"| {rule} | {true} | {false} |")
        lines.append(f"\nMissed: {', '.join(result['missed']) or 'none'}")
    lines += ["", "Facts about the dirt:", "",
              f"- longest run of identical readings in the clean telemetry: {facts['longest_identical_run_producing']} "
              f"while producing, {facts['longest_identical_run_at_rest']} non-zero ones with the machine not producing throughout",
              f"- stuck sensors: {len(facts['stuck_rows'])}, lasting {', '.join(f'{h:g}' for h in facts['stuck_hours'])} h "
              f"({', '.join(str(r) for r in facts['stuck_rows'])} changed readings)",
              f"- readings of exactly 0 while the machine is off or down (raw): {facts['zero_readings_at_rest_raw']:,}"]
    if HISTORY:
        lines += ["", "Earlier plants (recorded):", "", "| plant | simple: found, false alarms | thoughtful: found, false alarms |",
                  "|---|---|---|"]
        for name, numbers in HISTORY:
            s, t = numbers["simple"], numbers["thoughtful"]
            lines.append(f"| {name} | {s[0]} of {s[1]}, {s[2]} | {t[0]} of {t[1]}, {t[2]} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plant", type=Path, default=ROOT / "datasets" / "plant" / "tables")
    parser.add_argument("--label", default="the default plant")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/results alone")
    args = parser.parse_args(argv)
    text = report(measure(args.plant), args.label)
    if not args.no_write:
        RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
