"""A small synthetic truth layer for testing the observation layer without the full simulator.

It follows the data contract in plantsim.model: a Monday-to-Friday shift calendar in local time,
CNC machines cutting in batches with warm-ups and short stops, support assets that follow the
machines, health paths chosen by the test (a bearing wearing out, a new machine), tool-wear saw
teeth with tool changes, material lots (one of them porous) and three disturbances.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from plantsim import sensors, wear
from plantsim.model import (AssetSpec, AssetTruth, BearingGeometry, Disturbance, FailureMode, PlantTruth, State,
                            Timeline)

STEP_MINUTES = 5
TIMEZONE = "Europe/Berlin"
SHIFTS = {1: (6, 14), 2: (14, 22), 3: (22, 6)}
LINE_SHIFTS = {"L1": (1, 2, 3), "L2": (1, 2)}

RECIPES = pd.DataFrame({
    "recipe": ["HX-40", "HX-55", "HX-72"],
    "bore_nominal_mm": [40.0, 55.0, 72.0],
    "bore_tolerance_lo_um": [0.0, 0.0, 0.0],
    "bore_tolerance_hi_um": [25.0, 30.0, 30.0],
    "spindle_speed_rpm": [12000.0, 10000.0, 8000.0],
    "spindle_load": [0.55, 0.70, 0.85],
    "cycle_time_min": [3.5, 4.5, 6.0],
    "roughness_base_um": [0.9, 1.1, 1.3],
})

SPINDLE_BEARING = BearingGeometry("7014 ACD/P4A", 17, 11.1, 92.5, 25.0)
PUMP_BEARING = BearingGeometry("6306-2Z", 8, 12.7, 52.5, 0.0)
CONVEYOR_BEARING = BearingGeometry("6205-2RS", 9, 7.94, 39.04, 0.0)
COMPRESSOR_BEARING = BearingGeometry("6312 C3", 8, 22.2, 95.0, 0.0)


def _mode(name: str) -> FailureMode:
    return FailureMode(name, name.replace("_", " "), 3000.0, 1.0, 1.0, 1e-6, 1e-3, 3.0, (4.0, 8.0), (500.0, 900.0))


KINDS = {
    "cnc": (12000.0, SPINDLE_BEARING, ("spindle_bearing", "cutting_tool")),
    "coolant_pump": (2900.0, PUMP_BEARING, ("impeller_wear", "pump_seal")),
    "conveyor": (1450.0, CONVEYOR_BEARING, ("gearbox_bearing",)),
    "air_compressor": (2960.0, COMPRESSOR_BEARING, ("compressor_valve",)),
}

# (asset_id, kind, line, rated kW, recipes): the default scenario's plant.
FULL_PLANT = (
    ("CNC-101", "cnc", "L1", 18.5, ("HX-40", "HX-55")),
    ("CNC-102", "cnc", "L1", 18.5, ("HX-40", "HX-55")),
    ("CNC-103", "cnc", "L1", 22.0, ("HX-55", "HX-72")),
    ("CNC-201", "cnc", "L2", 18.5, ("HX-40", "HX-55")),
    ("CNC-202", "cnc", "L2", 22.0, ("HX-55", "HX-72")),
    ("CNC-203", "cnc", "L2", 22.0, ("HX-72",)),
    ("PMP-101", "coolant_pump", "L1", 7.5, ()),
    ("PMP-201", "coolant_pump", "L2", 7.5, ()),
    ("CNV-101", "conveyor", "L1", 3.0, ()),
    ("CNV-201", "conveyor", "L2", 3.0, ()),
    ("CMP-01", "air_compressor", "UT", 37.0, ()),
    ("CMP-02", "air_compressor", "UT", 37.0, ()),
)
SMALL_PLANT = ("CNC-101", "CNC-102", "CNC-201", "PMP-101", "CNV-101", "CMP-01")


def spec(asset_id: str, kind: str, line: str, rated_kw: float, recipes: tuple[str, ...] = ()) -> AssetSpec:
    speed, bearing, modes = KINDS[kind]
    return AssetSpec(asset_id, kind, line, "TEST", rated_kw, speed, "I" if rated_kw <= 15 else "II", bearing,
                     tuple(_mode(m) for m in modes), recipes)


def timeline(days: int, start: str = "2025-03-03") -> Timeline:
    """Steps from local midnight of ``start`` (a Monday); shifts Monday to Friday."""
    first = pd.Timestamp(start).tz_localize(TIMEZONE).tz_convert("UTC")
    times = pd.date_range(first, periods=days * 24 * 60 // STEP_MINUTES, freq=f"{STEP_MINUTES}min")
    local = times.tz_convert(TIMEZONE)
    hour = local.hour.to_numpy()
    clock = np.select([(hour >= 6) & (hour < 14), (hour >= 14) & (hour < 22)], [1, 2], 3).astype(np.int8)
    shift_day_weekday = (local - pd.to_timedelta(((clock == 3) & (hour < 6)).astype(int), unit="D")).day_of_week.to_numpy()
    workday = shift_day_weekday < 5
    shift_by_line = {line: np.where(workday & np.isin(clock, codes), clock, 0).astype(np.int8)
                     for line, codes in LINE_SHIFTS.items()}
    shift_by_line["UT"] = np.maximum(shift_by_line["L1"], shift_by_line["L2"])
    return Timeline(times, STEP_MINUTES, TIMEZONE, clock, shift_by_line, np.zeros(len(times), dtype=bool))


def _shift_starts(working: np.ndarray, shift: np.ndarray) -> np.ndarray:
    previous_working = np.concatenate([[False], working[:-1]])
    previous_shift = np.concatenate([[0], shift[:-1]])
    return working & (~previous_working | (shift != previous_shift))


def tool_wear_curve(life_used: np.ndarray) -> np.ndarray:
    """Three-phase flank wear (mm) over a tool's life share: break-in, steady, rapid end."""
    used = np.clip(life_used, 0.0, None)
    return 0.06 * (1.0 - np.exp(-used / 0.04)) + 0.17 * used + 0.07 * np.power(used, 8)


def cnc_truth(asset_spec: AssetSpec, tl: Timeline, rng: np.random.Generator, ambient: np.ndarray,
              worn: bool, tool_life_steps: int = 300) -> AssetTruth:
    n = tl.n_steps
    shift = tl.shift_by_line[asset_spec.line]
    working = shift > 0
    starts = _shift_starts(working, shift)
    shift_number = np.maximum(np.cumsum(starts) - 1, 0)
    steps_into_shift = np.arange(n) - np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    allowed = np.array([RECIPES.index[RECIPES.recipe == r][0] for r in asset_spec.recipes], dtype=np.int8)
    recipe_of_shift = allowed[rng.integers(0, len(allowed), size=int(starts.sum()) + 1)]
    short_stop = rng.random(n) < 0.02
    producing = working & (steps_into_shift >= 2) & ~short_stop
    state = np.where(producing, State.PRODUCING, np.where(working, State.IDLE, State.OFF)).astype(np.int8)
    recipe = np.where(producing, recipe_of_shift[shift_number], -1).astype(np.int8)

    # Tool changes after a fixed cutting time, at 80 % of the insert's life as the plant programs
    # them; the change itself is one DOWN step.
    cutting_steps = np.cumsum(producing)
    tool_number = (cutting_steps - producing) // tool_life_steps
    changes = np.flatnonzero(np.diff(tool_number, prepend=tool_number[0]) > 0)
    state[changes] = State.DOWN
    recipe[changes] = -1
    life_used = 0.8 * ((cutting_steps - 1) % tool_life_steps + 1) / tool_life_steps
    vb = np.where(cutting_steps > 0, tool_wear_curve(life_used), 0.0)

    producing = state == State.PRODUCING
    safe_recipe = np.maximum(recipe, 0)
    # As in the truth layer: a worn insert cuts with more force (+30 % spindle load at VB 0.3 mm), and
    # the adaptive feed control holds the drive (friction of a worn bearing included) to 95 % of its rating.
    bearing = health_path(producing, worn)
    demand = np.where(producing, RECIPES.spindle_load.to_numpy()[safe_recipe] * (1.0 + 1.0 * vb), 0.0)
    feed = np.where(producing, wear.feed_override(demand, sensors.efficiency_of({"spindle_bearing": bearing}, n), 0.95), 1.0)
    load = (demand * feed).astype(np.float32)
    speed = np.where(producing, RECIPES.spindle_speed_rpm.to_numpy()[safe_recipe], 0.0).astype(np.float32)
    return AssetTruth(
        spec=asset_spec, state=state, load=load, speed_rpm=speed, recipe=recipe,
        health={"spindle_bearing": bearing,
                "cutting_tool": np.clip(1 - vb / 0.3, 0, 1).astype(np.float32)},
        extra={"feed_override": feed},
        tool_wear_mm=vb.astype(np.float32), tool_id=(tool_number + 1).astype(np.int32),
        ambient_c=ambient.astype(np.float32),
    )


def support_truth(asset_spec: AssetSpec, tl: Timeline, rng: np.random.Generator, ambient: np.ndarray,
                  producing_share: np.ndarray, worn: bool) -> AssetTruth:
    working = tl.shift_by_line[asset_spec.line] > 0
    health = {mode: health_path(working, worn) for mode in KINDS[asset_spec.kind][2]}
    base, gain = {"coolant_pump": (0.45, 0.45), "conveyor": (0.25, 0.55), "air_compressor": (0.30, 0.50)}[asset_spec.kind]
    load = np.where(working, np.clip(base + gain * producing_share + rng.normal(0, 0.03, tl.n_steps), 0.05, 1.0), 0.0)
    state = np.where(working, np.where(producing_share > 0, State.PRODUCING, State.IDLE), State.OFF).astype(np.int8)
    if asset_spec.kind == "air_compressor":  # a leaking valve keeps the compressor loaded longer
        load = np.minimum(1.0, load * (1.0 + 0.35 * (1.0 - health["compressor_valve"])))
    speed = np.where(working, asset_spec.nominal_speed_rpm, 0.0)
    return AssetTruth(
        spec=asset_spec, state=state, load=load.astype(np.float32), speed_rpm=speed.astype(np.float32),
        recipe=np.full(tl.n_steps, -1, dtype=np.int8),
        health=health, ambient_c=ambient.astype(np.float32),
    )


def health_path(operating: np.ndarray, worn: bool, start_health: float = 0.98, end_health: float = 0.02) -> np.ndarray:
    """Health per step. A worn component falls from start to end over its operating time the way
    the wear model has it (health = 1 - wear^2, wear growing only while operating); a sound one
    stays at 0.97."""
    if not worn:
        return np.full(len(operating), 0.97, dtype=np.float32)
    used = np.cumsum(operating) / max(int(np.sum(operating)), 1)
    wear = np.sqrt(1 - start_health) + (np.sqrt(1 - end_health) - np.sqrt(1 - start_health)) * used
    return (1.0 - wear**2).astype(np.float32)


def build_truth(days: int = 19, seed: int = 11, asset_ids: tuple[str, ...] | None = SMALL_PLANT,
                worn: tuple[str, ...] = ("CNC-101", "PMP-101", "CMP-01")) -> PlantTruth:
    """A plant of ``days`` days from a Monday (19: three working weeks, ending on a Friday night);
    assets in ``worn`` wear out over the horizon, the others stay healthy.

    Disturbances (days counted from the start): a chiller fault on L1 on day 3 (08:00-14:00 local,
    +8 K), a loose fixture on CNC-102 on day 8 (early shift, 6 um), an air-supply drop on day 9
    (10:00-12:00, 0.8 bar). Material lots change every two days per line; lot L1-003 is porous.
    """
    rng = np.random.default_rng(seed)
    tl = timeline(days)
    n = tl.n_steps
    local = tl.times_utc.tz_convert(TIMEZONE)
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60
    ambient = 21.0 + 2.0 * np.sin(2 * np.pi * (hour - 9) / 24) + 0.3 * rng.standard_normal(n).cumsum() / np.sqrt(n)
    wanted = [row for row in FULL_PLANT if asset_ids is None or row[0] in asset_ids]

    assets: dict[str, AssetTruth] = {}
    for asset_id, kind, line, rated, recipes in wanted:
        if kind == "cnc":
            assets[asset_id] = cnc_truth(spec(asset_id, kind, line, rated, recipes), tl, rng, ambient, asset_id in worn)
    for asset_id, kind, line, rated, recipes in wanted:
        if kind == "cnc":
            continue
        machines = [a for a in assets.values() if line in ("UT", a.spec.line)]
        share = (np.mean([a.state == State.PRODUCING for a in machines], axis=0) if machines else np.zeros(n))
        assets[asset_id] = support_truth(spec(asset_id, kind, line, rated), tl, rng, ambient, share, asset_id in worn)
    assets = {row[0]: assets[row[0]] for row in wanted}

    def at(day: int, hour_of_day: int) -> int:
        return day * 24 * 60 // STEP_MINUTES + hour_of_day * 60 // STEP_MINUTES

    disturbances = [
        Disturbance("coolant_chiller_fault", "L1", at(2, 8), at(2, 14), 8.0, "chiller compressor tripped"),
        Disturbance("fixture_loose", "CNC-102", at(7, 6), at(7, 14), 6.0, "clamp screw worked loose"),
        Disturbance("air_supply_drop", "UT", at(8, 10), at(8, 12), 0.8, "leak on the main header"),
    ]
    disturbances = [d for d in disturbances if d.end_step <= n]

    lot_rows = []
    for line in ("L1", "L2"):
        for k, first_step in enumerate(range(0, n, at(2, 0))):
            lot_rows.append({"lot_id": f"{line}-{k + 1:03d}", "line": line, "supplier": "Foundry A",
                             "received_date": tl.times_utc[first_step].date(), "valid_from_step": first_step,
                             "porosity_index": 2.5 if (line, k) == ("L1", 2) else float(rng.uniform(0.3, 0.8)),
                             "certified_porosity_index": 2.2 if (line, k) == ("L1", 2) else 0.5})
    return PlantTruth(tl, assets, disturbances, pd.DataFrame(lot_rows), RECIPES.copy(), seed)


def with_health(asset: AssetTruth, **health: float | np.ndarray) -> AssetTruth:
    """A copy of ``asset`` with some failure modes set to a constant or a given path."""
    n = len(asset.state)
    new = dict(asset.health)
    for mode, value in health.items():
        new[mode] = np.broadcast_to(np.asarray(value, dtype=np.float32), (n,)).copy()
    return replace(asset, health=new)
