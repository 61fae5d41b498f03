"""Energy meter readings: one sub-meter per asset, read every 15 minutes.

A meter integrates the asset's true electrical power (plantsim.sensors.electrical_power_kw) into a
cumulative register. Its accuracy class 0.5 (IEC 62053-22) is a calibration error of the meter,
fixed for its life and within +-0.5 %, and its register counts in steps of 0.01 kWh. An interval's
energy is the difference of two register readings, so the intervals add up exactly to what the
register says over any period.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from plantsim.model import AssetTruth, PlantTruth
from plantsim.resolution import as_stored
from plantsim.sensors import STATE_NAMES, electrical_power_kw

INTERVAL_STEPS = 3  # 15 minutes of 5-minute steps
METER_CLASS_PERCENT = 0.5
PULSE_KWH = 0.001  # the meter counts 1 Wh pulses (1000 imp/kWh) ...
PULSES_PER_REGISTER_STEP = 10  # ... and its register shows 0.01 kWh
ENERGY_COLUMNS = ("timestamp", "asset_id", "state", "energy_kwh", "mean_power_kw")


def majority_state(states: np.ndarray) -> np.ndarray:
    """Per row of ``states`` (intervals x steps), the state held longest; ties go to the later one."""
    counts = np.stack([(states == s).sum(axis=1) for s in range(len(STATE_NAMES))], axis=1)
    # Break ties by the state at the end of the interval: it is what the machine is doing now.
    tie_break = np.stack([(states[:, -1] == s) for s in range(len(STATE_NAMES))], axis=1) * 0.5
    return np.argmax(counts + tie_break, axis=1)


def energy(truth: AssetTruth, plant: PlantTruth, rng: np.random.Generator) -> pd.DataFrame:
    """The asset's 15-minute meter table: interval start, majority state, energy and mean power."""
    timeline = plant.timeline
    n_intervals = len(truth.state) // INTERVAL_STEPS
    usable = n_intervals * INTERVAL_STEPS
    step_energy = electrical_power_kw(truth, plant)[:usable] * timeline.step_hours
    # Class 0.5: a fixed calibration error; three sigma inside the class limit.
    calibration = 1.0 + rng.normal(0.0, METER_CLASS_PERCENT / 100.0 / 3.0)
    # Counted in whole pulses and added as integers, so a register reading never hangs on the last
    # bit of a float sum.
    pulses = np.cumsum(np.round(step_energy * calibration / PULSE_KWH).astype(np.int64))
    register = pulses[INTERVAL_STEPS - 1::INTERVAL_STEPS] // PULSES_PER_REGISTER_STEP
    readings = np.concatenate([[0], register])
    energy_kwh = as_stored("energy_kwh", np.diff(readings) * (PULSE_KWH * PULSES_PER_REGISTER_STEP))
    interval_hours = INTERVAL_STEPS * timeline.step_hours

    states = np.asarray(truth.state[:usable], dtype=np.int64).reshape(n_intervals, INTERVAL_STEPS)
    asset_ids = list(plant.assets)
    return pd.DataFrame({
        "timestamp": timeline.times_utc[:usable:INTERVAL_STEPS].as_unit("ns"),
        "asset_id": pd.Categorical.from_codes(np.full(n_intervals, asset_ids.index(truth.spec.asset_id)),
                                              categories=asset_ids),
        "state": pd.Categorical.from_codes(majority_state(states), categories=list(STATE_NAMES)),
        "energy_kwh": energy_kwh,
        "mean_power_kw": energy_kwh / interval_hours,
    })
