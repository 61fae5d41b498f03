"""Operating regimes: what each asset is asked to do, step by step, before anything breaks.

CNC machines run batches of one recipe for one to four shifts, with a warm-up and handover at every
shift start, a set-up at every recipe change and short stops (waiting for blanks, measuring,
clearing chips). Coolant pumps and conveyors run while their line works and load up with the
number of machines cutting; compressors follow the whole plant's demand for air.
"""
from __future__ import annotations

import numpy as np
import scipy.signal

from plantsim.model import State, Timeline
from plantsim.scenario import Scenario

WARMUP_STEPS = 2  # first 10 minutes of a shift: handover and spindle warm-up
CHANGEOVER_MINUTES = 30
SHORT_STOP_RATE = 0.012  # chance per step that a short stop starts
IDLE_SPINDLE_LOAD = 0.0  # the spindle stands still between cycles


def _runs(mask_starts: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """Boolean mask covering [start, start + length) for every start."""
    marks = np.zeros(n + 1, dtype=np.int32)
    starts = np.flatnonzero(mask_starts)
    np.add.at(marks, starts, 1)
    np.add.at(marks, np.minimum(starts + lengths[: len(starts)], n), -1)
    return np.cumsum(marks[:n]) > 0


def cnc_schedule(recipes: list[str], asset_recipes: tuple[str, ...], working: np.ndarray,
                 timeline: Timeline, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Base state (OFF / IDLE / PRODUCING) and recipe index per step for one CNC machine."""
    n = timeline.n_steps
    shift = timeline.shift
    previous_working = np.concatenate([[False], working[:-1]])
    previous_shift = np.concatenate([[0], shift[:-1]])
    shift_start = working & (~previous_working | (shift != previous_shift))
    shift_number = np.cumsum(shift_start) - 1  # which worked shift each step belongs to

    n_shifts = int(shift_start.sum()) + 1
    batch_lengths = rng.integers(1, 5, size=n_shifts)  # shifts per batch
    batch_of_shift = np.repeat(np.arange(n_shifts), batch_lengths)[:n_shifts]
    choices = np.array([recipes.index(r) for r in asset_recipes], dtype=np.int8)
    batch_recipe = choices[rng.integers(0, len(choices), size=n_shifts)]
    recipe_of_shift = batch_recipe[batch_of_shift]
    recipe = np.where(working, recipe_of_shift[np.maximum(shift_number, 0)], -1).astype(np.int8)

    steps_into_shift = np.arange(n) - np.maximum.accumulate(np.where(shift_start, np.arange(n), 0))
    previous_recipe = np.concatenate([[-1], recipe_of_shift[:-1]])
    changeover = shift_start & (previous_recipe[np.maximum(shift_number, 0)] != recipe_of_shift[np.maximum(shift_number, 0)])
    changeover_steps = max(1, CHANGEOVER_MINUTES // timeline.step_minutes)
    in_changeover = _runs(changeover, np.full(n, changeover_steps), n)

    stop_lengths = rng.integers(1, 7, size=n)
    short_stop = _runs(rng.random(n) < SHORT_STOP_RATE, stop_lengths, n)

    producing = working & (steps_into_shift >= WARMUP_STEPS) & ~in_changeover & ~short_stop
    state = np.where(producing, State.PRODUCING, np.where(working, State.IDLE, State.OFF)).astype(np.int8)
    recipe = np.where(producing, recipe, -1).astype(np.int8)
    return state, recipe


# Compressed air: what the machines use (blow-off and the pneumatics of idle machines, more while
# cutting), and the leaks of the network, which blow whenever it is under pressure.
AIR_BASE_DEMAND = 0.05
AIR_DEMAND_PER_CUTTING_SHARE = 0.55


def air_leak_load(working: np.ndarray, producing_share: np.ndarray, leak_share: float) -> float:
    """The loaded share of a compressor that only feeds the network's leaks.

    Leaks blow at a constant rate while the network is under pressure; the scenario's
    ``leak_share`` is their share of everything the compressors deliver over the working time
    (the US DOE compressed-air sourcebook finds 20-30 % in a typical plant).
    """
    demand = AIR_BASE_DEMAND + AIR_DEMAND_PER_CUTTING_SHARE * np.asarray(producing_share, dtype=np.float64)[working]
    if leak_share <= 0 or len(demand) == 0:
        return 0.0
    return float(leak_share / (1.0 - leak_share) * np.mean(demand))


def support_schedule(working: np.ndarray, producing_share: np.ndarray, kind: str,
                     rng: np.random.Generator, air_leak_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Base state and load for pumps, conveyors and compressors from the machines they serve."""
    n = len(working)
    jitter = rng.normal(0.0, 0.03, size=n)
    if kind == "coolant_pump":
        load = 0.45 + 0.45 * producing_share
    elif kind == "conveyor":
        load = 0.25 + 0.55 * producing_share
    elif kind == "air_compressor":
        load = (air_leak_load(working, producing_share, air_leak_share)
                + AIR_BASE_DEMAND + AIR_DEMAND_PER_CUTTING_SHARE * producing_share)
    else:
        raise ValueError(f"no support schedule for asset kind {kind!r}")
    state = np.where(working, np.where(producing_share > 0, State.PRODUCING, State.IDLE), State.OFF).astype(np.int8)
    load = np.where(working, np.clip(load + jitter, 0.05, 1.0), 0.0)
    return state, load


def ambient_temperature(timeline: Timeline, rng: np.random.Generator) -> np.ndarray:
    """Hall temperature: season, day and night, and slow weather swings (degC)."""
    local = timeline.times_utc.tz_convert(timeline.timezone)
    day_of_year = local.day_of_year.to_numpy()
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60.0
    seasonal = 22.0 - 4.5 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
    daily = 1.8 * np.sin(2 * np.pi * (hour - 9.0) / 24.0)
    # Weather: a slow random walk pulled back to zero (AR(1) over steps), computed with lfilter.
    phi = np.exp(-timeline.step_hours / 72.0)
    weather = scipy.signal.lfilter([np.sqrt(1 - phi * phi) * 1.5], [1.0, -phi], rng.normal(size=timeline.n_steps))
    return seasonal + daily + weather


def hour_meter(state: np.ndarray, kind: str, step_hours: float) -> np.ndarray:
    """Operating hours at the end of each step: spindle hours on a CNC, running hours elsewhere.

    Components wear on this clock (they age only while they work), so remaining useful life is
    counted on it too, not on the calendar.
    """
    running = (state == State.PRODUCING) if kind == "cnc" else (state != State.OFF) & (state != State.DOWN)
    return np.cumsum(running) * step_hours
