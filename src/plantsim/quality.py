"""Machined parts: every bore a CNC cuts, its gauge reading, its surface and its inspection verdict.

A CNC machines one pump housing per cycle while it is producing (the recipe's cycle time, with a
little jitter). Each part's true bore diameter is the set point (20 % of the H7 tolerance above
its middle, so that the insert's wear carries the bores down through the band) moved by the
mechanisms a machining plant lives with:

- tool wear: a worn insert cuts small (about -20 um at VB 0.3 mm), so bores drift down between
  tool changes and jump back at a change;
- temperature: machine and part grow with the coolant; a bore cut warm comes out larger by the
  aluminium expansion, 23 um/m/K times the nominal diameter (0.9 um/K at 40 mm) above 20 degC;
- a loose fixture adds scatter; spindle vibration adds a little scatter, raises the roughness and,
  in ISO zone C and D, leaves chatter marks;
- a porous casting lot (porosity index above 1) shows porosity at inspection;
- and the ordinary scatter of the process, with a rare gross error (a chip under the part).

The bore is gauged in process, at the machine, by an air gauge with a repeatability of 0.6 um (1
sigma, the scenario's ``quality.gauge_sigma_um``) and a 1 um display: with its rounding that is a
measurement sigma of 0.67 um, 6 sigma = 16 % of the 25 um H7 tolerance of HX-40 and 13 % of the 30 um
of HX-55 and HX-72, a gauge AIAG's MSA manual calls acceptable for its use (10-30 %, under 10 % good).
A part passes when its gauged bore is within tolerance, its roughness Ra is at most 3.2 um, and it
shows no defect.

The part-truth table keeps the true diameter and the cause that moved the part most: the
mechanism behind a rejected part; for a good part that is off centre by at least
``CAUSE_SHARE_OF_HALF_TOLERANCE`` of the half tolerance (or as rough, as a share of the room below
the Ra limit), the mechanism that pushed it there; "none" for a part made under normal conditions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from plantsim.model import AssetTruth, PlantTruth, State
from plantsim.resolution import as_stored
from plantsim.sensors import coolant_temperature_c, disturbance_magnitude, vibration_velocity_mm_s, zone_limits

SHIFT_CATEGORIES = ("early", "late", "night")
DEFECT_CLASSES = ("none", "porosity", "chatter_marks", "undersize", "oversize", "rough_surface")
CAUSES = ("none", "tool_wear", "coolant_temperature", "bad_material_lot", "fixture_loose", "spindle_vibration",
          "random")
OBSERVED_COLUMNS = ("part_id", "timestamp", "asset_id", "line", "shift", "recipe", "material_lot", "tool_id",
                    "bore_nominal_mm", "bore_diameter_mm", "roughness_ra_um", "defect_class", "passed")
TRUTH_COLUMNS = ("part_id", "true_bore_diameter_mm", "cause")

CYCLE_JITTER = 0.04  # log-normal sigma of the cycle time
PROCESS_SIGMA_UM = 1.8  # scatter of a healthy, well-clamped process
GROSS_ERROR_RATE = 0.002
GROSS_ERROR_SIGMA_UM = 18.0
TOOL_WEAR_UM_PER_MM_VB = -20.0 / 0.30
THERMAL_UM_PER_MM_PER_K = 0.023  # aluminium, 23e-6 / K
REFERENCE_TEMPERATURE_C = 20.0
VIBRATION_SCATTER_UM = 1.0  # extra scatter per A/B limit of vibration above the A/B limit
GAUGE_RESOLUTION_MM = 0.001  # the gauge's repeatability is a scenario setting (PlantSettings.gauge_sigma_um)
RA_LIMIT_UM = 3.2
RA_TOOL_WEAR_GAIN = 0.9  # Ra rises by this share of the recipe's base Ra at VB 0.3 mm
RA_PER_VIBRATION_EXCESS_UM = 0.45  # Ra added per A/B limit of vibration above the A/B limit
RA_SCATTER = 0.08
RA_GAUGE_SCATTER = 0.03
CHATTER_BASE_RATE = 0.0008
CHATTER_RATE_AT_CD = 0.5  # chance of chatter marks at the C/D vibration limit (none below B/C)
POROSITY_BASE_RATE = 0.003  # porosity found on a part from a sound lot (index 1)
POROSITY_RATE_PER_INDEX = 0.10  # extra chance per porosity index unit above 1
CAUSE_SHARE_OF_HALF_TOLERANCE = 0.6
# The setter offsets a new insert to cut this share of the tolerance above its middle, so that the
# insert's wear carries the bores down through the band rather than out of it (tool-wear allowance).
TOOL_OFFSET_SHARE_OF_TOLERANCE = 0.2


def _production_runs(truth: AssetTruth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first step, number of steps, recipe) of every uninterrupted stretch of one recipe."""
    state = np.asarray(truth.state)
    recipe = np.asarray(truth.recipe, dtype=np.int64)
    producing = (state == State.PRODUCING) & (recipe >= 0)
    previous_producing = np.concatenate([[False], producing[:-1]])
    previous_recipe = np.concatenate([[-1], recipe[:-1]])
    starts = np.flatnonzero(producing & ~(previous_producing & (recipe == previous_recipe)))
    run_of_step = np.cumsum(producing & ~(previous_producing & (recipe == previous_recipe))) - 1
    lengths = np.bincount(run_of_step[producing], minlength=len(starts))
    return starts, lengths, recipe[starts]


def _finish_times(truth: AssetTruth, step_minutes: float, cycle_min: np.ndarray, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(step, minutes after that run's start) at which each part is finished.

    Cycle times are the programmed ones at the programmed feed. Where the adaptive feed control
    slows the feed (``truth.extra["feed_override"]`` below 1), a step makes only that share of a
    step's worth of cycle: parts are placed on a clock of feed-weighted minutes and read back in
    real minutes.
    """
    starts, lengths, run_recipe = _production_runs(truth)
    feed = np.asarray(truth.extra.get("feed_override", np.ones(len(truth.state))), dtype=np.float64)
    producing = (np.asarray(truth.state) == State.PRODUCING) & (np.asarray(truth.recipe) >= 0)
    # Feed-weighted minutes since the horizon's start, at every step boundary.
    clock = np.concatenate([[0.0], np.cumsum(np.where(producing, feed * step_minutes, 0.0))])
    run_minutes = clock[starts + lengths] - clock[starts]
    run_cycle = cycle_min[run_recipe]
    capacity = np.ceil(run_minutes / (run_cycle * np.exp(-5 * CYCLE_JITTER))).astype(np.int64) + 1
    owner = np.repeat(np.arange(len(starts)), capacity)
    cycles = run_cycle[owner] * rng.lognormal(0.0, CYCLE_JITTER, len(owner))
    elapsed = np.cumsum(cycles)
    first_of_run = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    before_run = np.concatenate([[0.0], elapsed])[first_of_run]
    in_run = elapsed - before_run[owner]
    # A cycle that would end after the stop is not started: the machine waits for the next run.
    keep = in_run <= run_minutes[owner]
    owner, in_run = owner[keep], in_run[keep]
    run_clock = clock[starts[owner]] + in_run
    step = np.clip(np.searchsorted(clock, run_clock, side="right") - 1, starts[owner], starts[owner] + lengths[owner] - 1)
    # Back to real minutes: whole steps before the part's step, then its share of that step.
    into_step = ((clock[starts[owner]] - clock[step]) + in_run) / feed[step]
    real = (step - starts[owner]) * step_minutes + np.clip(into_step, 0.0, step_minutes)
    return step, starts[owner], real


def _material_lots(plant: PlantTruth, line: str, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(lot code per part, porosity index per part, lot ids of the plant) for the line's parts."""
    lots = plant.material_lots
    all_ids = [str(x) for x in lots["lot_id"]]
    mine = lots[lots["line"].astype(str) == line].sort_values("valid_from_step", kind="stable")
    if mine.empty:
        raise ValueError(f"no material lot is listed for line {line!r}")
    position = np.maximum(np.searchsorted(mine["valid_from_step"].to_numpy(), steps, side="right") - 1, 0)
    codes = np.array([all_ids.index(str(x)) for x in mine["lot_id"]], dtype=np.int64)[position]
    return codes, mine["porosity_index"].to_numpy(dtype=np.float64)[position], all_ids


def _line_categories(plant: PlantTruth) -> list[str]:
    return sorted({str(x) for x in plant.material_lots["line"]} | {a.spec.line for a in plant.assets.values()})


def _categorical(codes: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(categories))


def _empty(plant: PlantTruth) -> tuple[pd.DataFrame, pd.DataFrame]:
    observed = pd.DataFrame({
        "part_id": pd.Series([], dtype=object),
        "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
        "asset_id": pd.Categorical([], categories=list(plant.assets)),
        "line": pd.Categorical([], categories=_line_categories(plant)),
        "shift": pd.Categorical([], categories=SHIFT_CATEGORIES),
        "recipe": pd.Categorical([], categories=[str(r) for r in plant.recipes["recipe"]]),
        "material_lot": pd.Categorical([], categories=[str(x) for x in plant.material_lots["lot_id"]]),
        "tool_id": pd.Series([], dtype=np.int32),
        "bore_nominal_mm": pd.Series([], dtype=np.float64),
        "bore_diameter_mm": pd.Series([], dtype=np.float64),
        "roughness_ra_um": pd.Series([], dtype=np.float64),
        "defect_class": pd.Categorical([], categories=DEFECT_CLASSES),
        "passed": pd.Series([], dtype=bool),
    })
    part_truth = pd.DataFrame({
        "part_id": pd.Series([], dtype=object),
        "true_bore_diameter_mm": pd.Series([], dtype=np.float64),
        "cause": pd.Categorical([], categories=CAUSES),
    })
    return observed, part_truth


def parts(truth: AssetTruth, plant: PlantTruth, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observed parts, part truth) for one CNC machine; two empty frames for any other asset."""
    spec = truth.spec
    if spec.kind != "cnc" or truth.tool_wear_mm is None:
        return _empty(plant)
    recipes = plant.recipes
    step_minutes = plant.timeline.step_minutes
    step, run_start, minutes_in_run = _finish_times(truth, step_minutes, recipes["cycle_time_min"].to_numpy(float), rng)
    m = len(step)
    if m == 0:
        return _empty(plant)

    recipe = np.asarray(truth.recipe, dtype=np.int64)[step]
    nominal = recipes["bore_nominal_mm"].to_numpy(float)[recipe]
    low = recipes["bore_tolerance_lo_um"].to_numpy(float)[recipe]
    high = recipes["bore_tolerance_hi_um"].to_numpy(float)[recipe]
    base_ra = recipes["roughness_base_um"].to_numpy(float)[recipe]
    half_tolerance = (high - low) / 2
    vb = np.asarray(truth.tool_wear_mm, dtype=np.float64)[step]
    coolant = coolant_temperature_c(plant, spec.line)[step]
    _, bc, cd = zone_limits(spec.machine_class)
    ab = zone_limits(spec.machine_class)[0]
    vibration = vibration_velocity_mm_s(truth)[step]
    vibration_excess = np.clip(vibration / ab - 1.0, 0.0, None)
    fixture = disturbance_magnitude(plant, "fixture_loose", (spec.asset_id,))[step]
    lot_code, porosity_index, lot_ids = _material_lots(plant, spec.line, step)

    # Diameter, as deviations from the nominal in um.
    wear_um = TOOL_WEAR_UM_PER_MM_VB * vb
    thermal_um = THERMAL_UM_PER_MM_PER_K * nominal * (coolant - REFERENCE_TEMPERATURE_C)
    process_um = PROCESS_SIGMA_UM * rng.standard_normal(m)
    gross_um = np.where(rng.random(m) < GROSS_ERROR_RATE, GROSS_ERROR_SIGMA_UM * rng.standard_normal(m), 0.0)
    fixture_um = fixture * rng.standard_normal(m)
    vibration_um = VIBRATION_SCATTER_UM * vibration_excess * rng.standard_normal(m)
    offset_um = TOOL_OFFSET_SHARE_OF_TOLERANCE * (high - low)
    true_um = (low + high) / 2 + offset_um + wear_um + thermal_um + fixture_um + vibration_um + process_um + gross_um
    gauge_um = true_um + plant.settings.gauge_sigma_um * rng.standard_normal(m)
    measured_mm = as_stored("bore_diameter_mm", nominal + gauge_um / 1000.0)

    # Surface.
    ra_tool = base_ra * RA_TOOL_WEAR_GAIN * np.power(vb / 0.30, 1.5)
    ra_vibration = RA_PER_VIBRATION_EXCESS_UM * vibration_excess
    true_ra = (base_ra + ra_tool + ra_vibration) * rng.lognormal(0.0, RA_SCATTER, m)
    measured_ra = as_stored("roughness_ra_um", true_ra * (1.0 + RA_GAUGE_SCATTER * rng.standard_normal(m)))

    # Visual defects, each with its ordinary background rate and the extra from its mechanism.
    chatter_draw = rng.random(m)
    chatter_vibration_rate = CHATTER_RATE_AT_CD * np.power(np.clip((vibration - bc) / (cd - bc), 0.0, 1.5), 1.5)
    chatter_random = chatter_draw < CHATTER_BASE_RATE
    chatter = chatter_draw < CHATTER_BASE_RATE + chatter_vibration_rate
    porosity_draw = rng.random(m)
    sound_rate = POROSITY_BASE_RATE * np.minimum(porosity_index, 1.0)
    porosity_rate = np.minimum(sound_rate + POROSITY_RATE_PER_INDEX * np.clip(porosity_index - 1.0, 0.0, None), 0.6)
    porosity_random = porosity_draw < sound_rate
    porosity = porosity_draw < porosity_rate

    measured_um = (measured_mm - nominal) * 1000.0
    defect = np.select(
        [porosity, chatter, measured_um < low - 1e-6, measured_um > high + 1e-6, measured_ra > RA_LIMIT_UM],
        [1, 2, 3, 4, 5], 0)

    # Cause: how far each mechanism pushed the part towards the limit it is nearest to (diameter
    # effects counted in the direction the part is off centre), the roughness it added as a share of
    # the room below the Ra limit, and a visual defect it made (counted 2). The gauge's own error
    # counts as random: a good part gauged out of tolerance was rejected by chance.
    off_centre = true_um - (low + high) / 2
    direction = np.where(off_centre >= 0, 1.0, -1.0)
    ra_room = RA_LIMIT_UM - base_ra

    def towards_limit(effect_um: np.ndarray) -> np.ndarray:
        return np.clip(direction * effect_um, 0.0, None) / half_tolerance

    scores = np.stack([
        np.maximum(towards_limit(wear_um), ra_tool / ra_room),
        towards_limit(thermal_um),
        2.0 * (porosity & ~porosity_random),
        towards_limit(fixture_um),
        np.maximum.reduce([towards_limit(vibration_um), ra_vibration / ra_room, 2.0 * (chatter & ~chatter_random)]),
        np.maximum.reduce([towards_limit(process_um + gross_um), np.abs(gauge_um - true_um) / half_tolerance,
                           2.0 * (porosity_random | chatter_random)]),
    ])
    strongest = np.argmax(scores, axis=0) + 1
    noticeable = ((np.abs(off_centre) / half_tolerance >= CAUSE_SHARE_OF_HALF_TOLERANCE)
                  | ((true_ra - base_ra) / ra_room >= CAUSE_SHARE_OF_HALF_TOLERANCE))
    cause = np.where((defect > 0) | noticeable, strongest, 0)

    timeline = plant.timeline
    finish = (timeline.times_utc[run_start].as_unit("ns")
              + pd.to_timedelta(np.round(minutes_in_run * 60.0), unit="s"))
    shift_code = np.asarray(timeline.shift_by_line[spec.line], dtype=np.int64)[step] - 1
    lines = _line_categories(plant)
    part_ids = [f"{spec.asset_id}-{k:06d}" for k in range(1, m + 1)]
    observed = pd.DataFrame({
        "part_id": part_ids,
        "timestamp": finish,
        "asset_id": _categorical(np.full(m, list(plant.assets).index(spec.asset_id)), plant.assets),
        "line": _categorical(np.full(m, lines.index(spec.line)), lines),
        "shift": _categorical(shift_code, SHIFT_CATEGORIES),
        "recipe": _categorical(recipe, [str(r) for r in recipes["recipe"]]),
        "material_lot": _categorical(lot_code, lot_ids),
        "tool_id": np.asarray(truth.tool_id, dtype=np.int32)[step],
        "bore_nominal_mm": nominal,
        "bore_diameter_mm": measured_mm,
        "roughness_ra_um": measured_ra,
        "defect_class": _categorical(defect, DEFECT_CLASSES),
        "passed": defect == 0,
    })
    part_truth = pd.DataFrame({
        "part_id": part_ids,
        "true_bore_diameter_mm": nominal + true_um / 1000.0,
        "cause": _categorical(cause, CAUSES),
    })
    return observed, part_truth
