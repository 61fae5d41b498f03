"""From a scenario to the plant's tables on disk.

The plant is simulated one group of assets at a time (each production line with its machines,
pump and conveyor; then the utilities), and each group's tables are written before the next group
starts, so memory stays bounded however many lines a scenario has. Every asset draws its random
numbers from its own stream (seed, asset number, layer), so a result never depends on the order of
work and another seed gives another plant of the same structure.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from plantsim import assets as asset_kinds
from plantsim import inspection, operations, sensors, wear
from plantsim.assets import INSPECTION_MODES
from plantsim.calendar import build_timeline
from plantsim.maintenance import run_life
from plantsim.model import AssetSpec, AssetTruth, Disturbance, PlantTruth, State, Timeline
from plantsim.scenario import UTILITY_LINE, Scenario, load_scenario
from plantsim.streams import rng_for

VALVE_LOAD_GAIN = 0.35  # a leaking compressor valve keeps the compressor loaded longer
UTILITY_GROUP_SIZE = 4


@dataclass
class PlantPlan:
    """What is decided for the whole plant before any asset is simulated."""

    scenario: Scenario
    timeline: Timeline
    specs: list[AssetSpec]
    recipes: pd.DataFrame
    ambient_c: np.ndarray
    cnc_schedules: dict[str, tuple[np.ndarray, np.ndarray]]  # asset -> (base state, recipe)
    producing_share: dict[str, np.ndarray]  # line (and UT = whole plant) -> share of CNCs cutting
    disturbances: list[Disturbance]
    material_lots: pd.DataFrame

    def groups(self) -> list[list[AssetSpec]]:
        """Units of work: each production line whole (its machines share coolant), utilities by four."""
        lines = list(dict.fromkeys(s.line for s in self.specs))
        out = []
        for line in lines:
            members = [s for s in self.specs if s.line == line]
            size = UTILITY_GROUP_SIZE if line == UTILITY_LINE else len(members)
            out += [members[k:k + size] for k in range(0, len(members), size)]
        return out


def recipe_table(scenario: Scenario) -> pd.DataFrame:
    rows = [{
        "recipe": r.name,
        "bore_nominal_mm": r.bore_nominal_mm,
        "bore_tolerance_lo_um": r.bore_tolerance_um[0],
        "bore_tolerance_hi_um": r.bore_tolerance_um[1],
        "spindle_speed_rpm": r.spindle_speed_rpm,
        "spindle_load": r.spindle_load,
        "cycle_time_min": r.cycle_time_min,
        "roughness_base_um": r.roughness_base_um,
    } for r in scenario.recipes.values()]
    table = pd.DataFrame(rows)
    table["recipe"] = table["recipe"].astype("category")
    return table


def plan_plant(scenario: Scenario) -> PlantPlan:
    timeline = build_timeline(scenario)
    specs = [asset_kinds.build_spec(entry) for entry in scenario.assets]
    recipes = recipe_table(scenario)
    recipe_names = list(scenario.recipes)
    plant_rng = rng_for(scenario.seed, 0, "plant")
    ambient = operations.ambient_temperature(timeline, plant_rng)

    cnc_schedules = {}
    for number, spec in enumerate(specs, start=1):
        if spec.kind == "cnc":
            working = timeline.shift_by_line[spec.line] > 0
            cnc_schedules[spec.asset_id] = operations.cnc_schedule(
                recipe_names, spec.recipes, working, timeline, rng_for(scenario.seed, number, "schedule"))
    disturbances = plan_disturbances(scenario, timeline, specs, plant_rng)
    for schedule_state, schedule_recipe in cnc_schedules.values():
        hold_for_air(schedule_state, schedule_recipe, disturbances)
    producing_share = {}
    for line in list(scenario.line_shifts) + [UTILITY_LINE]:
        members = [s.asset_id for s in specs if s.kind == "cnc" and (line == UTILITY_LINE or s.line == line)]
        if members:
            stacked = np.stack([cnc_schedules[a][0] == State.PRODUCING for a in members])
            producing_share[line] = stacked.mean(axis=0)
        else:
            producing_share[line] = np.zeros(timeline.n_steps)
    lots = plan_material_lots(scenario, timeline, specs, cnc_schedules, recipes, plant_rng)
    return PlantPlan(scenario, timeline, specs, recipes, ambient, cnc_schedules, producing_share, disturbances, lots)


def _working_start(timeline: Timeline, line: str, earliest: int, latest: int, rng: np.random.Generator) -> int:
    """A random step in [earliest, latest) at which the line is working."""
    working = np.flatnonzero(timeline.shift_by_line[line][earliest:latest] > 0)
    if len(working) == 0:
        working = np.arange(latest - earliest)
    return int(earliest + working[rng.integers(0, len(working))])


def plan_disturbances(scenario: Scenario, timeline: Timeline, specs: list[AssetSpec],
                      rng: np.random.Generator) -> list[Disturbance]:
    """Plant upsets that are not component failures, placed at random working times."""
    n, per_day = timeline.n_steps, int(round(24 / timeline.step_hours))
    lines = list(scenario.line_shifts)
    out = []
    # A chiller fault in the warm half of the horizon: coolant runs warm for days. Without its
    # refrigerant the chiller loses most of its capacity and the tank drifts towards what the hall
    # and the cutting heat make of it, 7-10 K above the set point.
    chiller_line = lines[-1]
    start = _working_start(timeline, chiller_line, int(n * 0.45), int(n * 0.6), rng)
    days = int(rng.integers(5, 10))
    magnitude = float(np.round(rng.uniform(7.0, 10.0), 1))
    out.append(Disturbance("coolant_chiller_fault", chiller_line, start, min(n, start + days * per_day), magnitude,
                           f"Chiller of line {chiller_line} lost a refrigerant charge: coolant ran about {magnitude} K warm for {days} days"))
    minor_line = lines[0]
    start = _working_start(timeline, minor_line, int(n * 0.7), int(n * 0.8), rng)
    magnitude = float(np.round(rng.uniform(3.0, 4.5), 1))  # a fouled condenser: part of the capacity lost
    out.append(Disturbance("coolant_chiller_fault", minor_line, start, min(n, start + 2 * per_day), magnitude,
                           f"Chiller of line {minor_line} fouled condenser: coolant about {magnitude} K warm for 2 days"))
    cncs = [s for s in specs if s.kind == "cnc"]
    loose = cncs[int(rng.integers(0, len(cncs)))]
    start = _working_start(timeline, loose.line, int(n * 0.25), int(n * 0.4), rng)
    days = int(rng.integers(2, 5))
    magnitude = float(np.round(rng.uniform(6.0, 10.0), 1))
    out.append(Disturbance("fixture_loose", loose.asset_id, start, min(n, start + days * per_day), magnitude,
                           f"Worn clamp on the fixture of {loose.asset_id}: bores scattered about {magnitude} um more for {days} days"))
    compressors = [s.asset_id for s in specs if s.kind == "air_compressor"]
    if compressors:
        start = _working_start(timeline, UTILITY_LINE, int(n * 0.15), int(n * 0.9), rng)
        steps = int(rng.integers(35, 60)) // timeline.step_minutes
        magnitude = float(np.round(rng.uniform(1.4, 2.0), 1))
        tripped = compressors[int(rng.integers(0, len(compressors)))]
        out.append(Disturbance("air_supply_drop", UTILITY_LINE, start, min(n, start + steps), magnitude,
                               f"{tripped} tripped on high discharge temperature; plant air fell about {magnitude} bar "
                               f"for {steps * timeline.step_minutes} minutes and the CNC machines held their feed",
                               asset_id=tripped))
    return out


def hold_for_air(state: np.ndarray, recipe: np.ndarray, disturbances: list[Disturbance]) -> None:
    """Without compressed air the fixtures cannot clamp: cutting machines hold (idle) until it returns."""
    for d in disturbances:
        if d.kind == "air_supply_drop":
            window = slice(d.start_step, d.end_step)
            cutting = state[window] == State.PRODUCING
            state[window] = np.where(cutting, State.IDLE, state[window])
            recipe[window] = np.where(cutting, -1, recipe[window])


def plan_material_lots(scenario: Scenario, timeline: Timeline, specs: list[AssetSpec],
                       cnc_schedules: dict, recipes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Cast-blank lots per line, changed each time a lot's worth of parts has been machined."""
    cycle = recipes["cycle_time_min"].to_numpy()
    suppliers = np.array(["Alucast Rhein", "Nordguss", "Foundry Brezno"])
    rows = []
    for line in scenario.line_shifts:
        parts_per_step = np.zeros(timeline.n_steps)
        for spec in specs:
            if spec.kind == "cnc" and spec.line == line:
                state, recipe = cnc_schedules[spec.asset_id]
                parts_per_step += np.where(state == State.PRODUCING, timeline.step_minutes / cycle[np.maximum(recipe, 0)], 0.0)
        made = np.cumsum(parts_per_step)
        boundaries = np.searchsorted(made, np.arange(0, made[-1] + scenario.lot_size_parts, scenario.lot_size_parts), side="right")
        starts = np.unique(np.concatenate([[0], boundaries[1:]]))
        starts = starts[starts < timeline.n_steps]
        porosity = porosity_indices(rng, len(starts), scenario.bad_lot_probability, scenario.settings.porosity_spread)
        if not (porosity > 1.0).any() and len(starts) > 4:  # every line meets at least one porous lot
            porosity[int(rng.integers(2, len(starts) - 1))] = float(rng.uniform(1.1, 1.6))
        # The foundry's certificate: a density test on a few castings of the lot, a noisy estimate.
        certified = porosity * rng.lognormal(0.0, scenario.settings.certificate_error, len(starts))
        supplier = suppliers[rng.integers(0, len(suppliers), len(starts))]
        received = timeline.times_utc[starts].tz_convert(timeline.timezone).normalize() - pd.to_timedelta(rng.integers(2, 9, len(starts)), unit="D")
        for k, step in enumerate(starts):
            rows.append({"lot_id": f"{line}-{k + 1:04d}", "line": line, "supplier": supplier[k],
                         "received_date": received[k].date(), "valid_from_step": int(step),
                         "valid_from": timeline.times_utc[step], "porosity_index": float(np.round(porosity[k], 3)),
                         "certified_porosity_index": float(np.round(certified[k], 2))})
    lots = pd.DataFrame(rows)
    for column in ("lot_id", "line", "supplier"):
        lots[column] = lots[column].astype("category")
    lots["received_date"] = pd.to_datetime(lots["received_date"])
    return lots


def porosity_indices(rng: np.random.Generator, count: int, porous_share: float, spread: float) -> np.ndarray:
    """Each lot's porosity index: graded (log-normal with sigma ``spread``), not sound-or-bad.

    The median is set so that a share ``porous_share`` of lots lies above 1, where porosity starts
    to show at inspection beyond the background: most of those only a little above 1 (hard to tell
    from a sound lot), a few far above. z is the standard normal quantile of 1 - porous_share.
    """
    z = normal_quantile(1.0 - min(max(porous_share, 1e-6), 1.0 - 1e-6))
    return np.exp(spread * (rng.standard_normal(count) - z))


def normal_quantile(p: float) -> float:
    """The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
         -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
         -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
         4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
    if p < 0.02425 or p > 1 - 0.02425:
        q = np.sqrt(-2 * np.log(p if p < 0.5 else 1 - p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        return float(x if p < 0.5 else -x)
    q = p - 0.5
    r = q * q
    return float((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                 / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1))


def simulate_asset(plan: PlantPlan, spec: AssetSpec) -> AssetTruth:
    scenario, timeline = plan.scenario, plan.timeline
    number = plan.specs.index(spec) + 1
    rng = rng_for(scenario.seed, number, "life")
    if spec.kind == "cnc":
        state, recipe = (a.copy() for a in plan.cnc_schedules[spec.asset_id])
        spindle_load = plan.recipes["spindle_load"].to_numpy()
        base_load = np.where(state == State.PRODUCING, spindle_load[np.maximum(recipe, 0)], operations.IDLE_SPINDLE_LOAD)
    else:
        working = timeline.shift_by_line[spec.line] > 0
        state, base_load = operations.support_schedule(working, plan.producing_share[spec.line], spec.kind,
                                                       rng_for(scenario.seed, number, "schedule"),
                                                       scenario.settings.compressed_air_leak_share)
        recipe = np.full(timeline.n_steps, -1, dtype=np.int8)
        for d in plan.disturbances:  # a tripped compressor stands until it is restarted
            if d.kind == "air_supply_drop" and d.asset_id == spec.asset_id:
                window = slice(d.start_step, d.end_step)
                state[window] = np.where(state[window] == State.OFF, State.OFF, State.DOWN)
    # The vibration transmitter's errors: the machine's zone D stop and the historian read the same one.
    noise = sensors.vibration_noise(rng_for(scenario.seed, number, "monitor"), timeline.n_steps)
    # The weekly inspection rounds: whether they reach the machine, and their instruments' errors.
    rounds = inspection.round_noise(rng_for(scenario.seed, number, "inspection"), timeline,
                                    [m.name for m in spec.failure_modes if m.name in INSPECTION_MODES],
                                    scenario.settings.round_coverage)
    health, events, vb, tool_ids = run_life(spec, scenario, timeline, state, base_load, recipe, rng,
                                            vibration_noise=noise, rounds=rounds)

    running = (state != State.OFF) & (state != State.DOWN)
    extra = {"vibration_noise_factor": noise[0], "vibration_noise_mm_s": noise[1]}
    if spec.kind == "cnc":
        producing = state == State.PRODUCING
        recipe = np.where(producing, recipe, -1).astype(np.int8)
        speeds = plan.recipes["spindle_speed_rpm"].to_numpy()
        # A worn insert needs more power; the adaptive feed control slows the feed to keep the
        # drive's load within its limit, so the cutting load is the demand times the feed override.
        demand = np.where(producing, wear.cutting_demand(base_load, vb), 0.0)
        feed = np.where(producing, wear.feed_override(demand, sensors.efficiency_of(health, len(state)),
                                                      scenario.settings.spindle_load_limit), 1.0)
        load = demand * feed
        extra["feed_override"] = feed
        speed = np.where(producing, speeds[np.maximum(recipe, 0)], 0.0)
    else:
        load = np.where(running, base_load, 0.0)
        if spec.kind == "air_compressor":
            load = np.minimum(1.0, load * (1.0 + VALVE_LOAD_GAIN * (1.0 - health["compressor_valve"])))
        speed = np.where(running, spec.nominal_speed_rpm, 0.0)
    return AssetTruth(
        spec=spec,
        state=state.astype(np.int8),
        load=load.astype(np.float64),
        speed_rpm=speed.astype(np.float64),
        recipe=recipe.astype(np.int8),
        health=health,
        events=events,
        tool_wear_mm=vb,
        tool_id=tool_ids,
        ambient_c=plan.ambient_c,
        extra=extra,
        inspection=rounds,
    )


def simulate_group(plan: PlantPlan, group: list[AssetSpec]) -> PlantTruth:
    """The truth layer for one group of assets (a line, or the utilities)."""
    truths = {spec.asset_id: simulate_asset(plan, spec) for spec in group}
    return PlantTruth(timeline=plan.timeline, assets=truths, disturbances=plan.disturbances,
                      material_lots=plan.material_lots, recipes=plan.recipes, seed=plan.scenario.seed,
                      settings=plan.scenario.settings)


def simulate(scenario: Scenario) -> PlantTruth:
    """The whole plant's truth layer in memory (fine for the default plant; generate() streams)."""
    plan = plan_plant(scenario)
    truths = {}
    for group in plan.groups():
        truths.update(simulate_group(plan, group).assets)
    return PlantTruth(timeline=plan.timeline, assets=truths, disturbances=plan.disturbances,
                      material_lots=plan.material_lots, recipes=plan.recipes, seed=scenario.seed,
                      settings=scenario.settings)


def generate(scenario_path: str | Path, out_dir: str | Path, seed: int | None = None, progress: bool = False,
             csv: bool = False, force: bool = False) -> Path:
    """Simulate the plant described by ``scenario_path`` and write every table under ``out_dir``."""
    from plantsim.writer import write_plant

    scenario = load_scenario(scenario_path)
    if seed is not None:
        scenario = scenario.with_seed(seed)
    return write_plant(scenario, Path(scenario_path), Path(out_dir), progress=progress, csv=csv, force=force)
