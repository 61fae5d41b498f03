"""The weekly inspection round: what the technician measures on each worn part, and what is a finding.

Every Monday at 08:00 local time a technician walks the plant and takes one reading per component
that wears out, the way a condition-monitoring round does it:

- a rolling bearing (spindle, gearbox): the vibration velocity from the machine's own transmitter,
  the reading the historian records; a finding once it lies in the scenario's ISO 10816 zone
  (zone C, "plan maintenance", by default). A machine that stands still then gives no reading.
  A pump's bearing is not on the round (plantsim.assets.INSPECTION_MODES): on a pump the overall
  vibration does not tell the bearing from a worn impeller (the route's waveforms do);
- an impeller: the head the pump has lost against its curve (%);
- a mechanical seal: the leakage at the gland (ml/h);
- a compressor inlet valve: the leak-back of a pressure test (%).

Each reading has its instrument's error; a reading past its limit is a finding, and the part is
replaced at the next planned stop (plantsim.maintenance). So the decision stands on a recorded
number, not on the hidden health: a worn part can read inside its limit, a sound one outside. The
round does not reach every machine every week (``round_coverage``). The readings of the rounds are
the ``inspections`` table.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from plantsim import sensors
from plantsim.model import AssetSpec, PlantSettings, State, Timeline
from plantsim.resolution import as_stored

INSPECTION_WEEKDAY, INSPECTION_HOUR = 0, 8  # Monday 08:00 local, during the early shift
INSPECTION_COLUMNS = ("timestamp", "asset_id", "component", "measurement", "reading", "unit", "limit", "finding")

# Non-vibration readings: measurement, unit, scale x damage ** exponent, log-normal error, absolute
# error, and the scenario setting that holds the limit. The scales follow the physics of the
# sensors module: a worn-out impeller loses 28 % of the head, a worn valve keeps a compressor loaded
# 35 % longer (and leaks back as much); a leaking seal drips some 200 ml/h at the end of its life.
MEASUREMENTS = {
    "impeller": ("head_loss_pct", "%", 28.0, 1.5, 0.0, 1.5, "limit_head_loss_pct"),
    "seal": ("seal_leak_ml_h", "ml/h", 200.0, 2.0, 0.3, 2.0, "limit_seal_leak_ml_h"),
    "valve": ("valve_leak_back_pct", "%", 35.0, 2.0, 0.25, 1.0, "limit_valve_leak_back_pct"),
}
ZONE_INDEX = {"B": 0, "C": 1, "D": 2}  # the zone begins at the A/B, B/C or C/D limit


@dataclass(frozen=True)
class RoundNoise:
    """The rounds of one asset: their steps, whether the round reached the machine, the errors."""

    steps: np.ndarray  # int, the inspection steps of the horizon
    reached: np.ndarray  # bool per step
    errors: dict[str, tuple[np.ndarray, np.ndarray]]  # failure mode -> two standard normals per step


def inspection_steps(timeline: Timeline) -> np.ndarray:
    local = timeline.times_utc.tz_convert(timeline.timezone)
    hits = (local.day_of_week == INSPECTION_WEEKDAY) & (local.hour == INSPECTION_HOUR) & (local.minute == 0)
    return np.flatnonzero(np.asarray(hits))


def round_noise(rng: np.random.Generator, timeline: Timeline, modes: list[str], coverage: float) -> RoundNoise:
    steps = inspection_steps(timeline)
    reached = rng.random(len(steps)) < coverage
    errors = {mode: (rng.standard_normal(len(steps)), rng.standard_normal(len(steps))) for mode in modes}
    return RoundNoise(steps, reached, errors)


def _family(mode: str) -> str | None:
    if "bearing" in mode:
        return "bearing"
    return next((part for part in MEASUREMENTS if part in mode), None)


def limit_of(spec: AssetSpec, mode: str, settings: PlantSettings) -> tuple[str, str, float]:
    """(measurement, unit, limit) of the reading the round takes on this failure mode."""
    family = _family(mode)
    if family == "bearing":
        return "vibration_rms_mm_s", "mm/s", sensors.zone_limits(spec.machine_class)[ZONE_INDEX[settings.cbm_vibration_zone]]
    if family is None:
        raise ValueError(f"the inspection round has no reading for failure mode {mode!r}")
    measurement, unit, *_, setting = MEASUREMENTS[family]
    return measurement, unit, float(getattr(settings, setting))


def readings(spec: AssetSpec, mode: str, health: dict[str, np.ndarray], at: np.ndarray, running: np.ndarray,
             speed_ratio: np.ndarray, vibration_noise: tuple[np.ndarray, np.ndarray], errors: tuple[np.ndarray, np.ndarray]
             ) -> np.ndarray:
    """The round's readings of ``mode`` at positions ``at`` of the health paths (as recorded; NaN for
    a bearing whose machine stands still). ``running``, ``speed_ratio``, the transmitter's noise and
    the errors are given at the same positions."""
    family = _family(mode)
    if family == "bearing":
        level = sensors.vibration_level_mm_s({m: np.asarray(h)[at] for m, h in health.items()}, len(at), speed_ratio,
                                             running, spec.machine_class)
        value = as_stored("reading", sensors.vibration_reading(level, vibration_noise))
        return np.where(running, value, np.nan)
    _, _, scale, exponent, log_sigma, abs_sigma, _ = MEASUREMENTS[family]
    damage = np.clip(1.0 - np.asarray(health[mode], dtype=np.float64)[at], 0.0, 1.0)
    value = scale * np.power(damage, exponent) * np.exp(log_sigma * errors[0]) + abs_sigma * errors[1]
    return as_stored("reading", np.maximum(value, 0.0))


def log(truth, plant) -> pd.DataFrame:
    """The asset's rounds as the inspection sheet records them (only the rounds that reached it)."""
    noise: RoundNoise | None = truth.inspection
    columns = {c: [] for c in INSPECTION_COLUMNS}
    if noise is not None and len(noise.steps):
        state = np.asarray(truth.state)
        steps = noise.steps[noise.reached]
        running = ((state == State.IDLE) | (state == State.PRODUCING))[steps] & (np.asarray(truth.speed_rpm)[steps] > 0)
        ratio = np.clip(np.asarray(truth.speed_rpm, dtype=np.float64)[steps] / truth.spec.nominal_speed_rpm, 0.0, None)
        vib = (truth.extra["vibration_noise_factor"][steps], truth.extra["vibration_noise_mm_s"][steps])
        for mode in truth.health:
            if _family(mode) is None or mode not in noise.errors:
                continue  # not a part the round inspects
            errors = tuple(e[noise.reached] for e in noise.errors[mode])
            value = readings(truth.spec, mode, truth.health, steps, running, ratio, vib, errors)
            measurement, unit, limit = limit_of(truth.spec, mode, plant.settings)
            component = next(m.component for m in truth.spec.failure_modes if m.name == mode)
            columns["timestamp"].append(steps)
            columns["asset_id"].append(np.full(len(steps), truth.spec.asset_id, dtype=object))
            columns["component"].append(np.full(len(steps), component, dtype=object))
            columns["measurement"].append(np.full(len(steps), measurement, dtype=object))
            columns["reading"].append(value)
            columns["unit"].append(np.full(len(steps), unit, dtype=object))
            columns["limit"].append(np.full(len(steps), limit))
            columns["finding"].append(np.nan_to_num(value, nan=-np.inf) > limit)
    if not columns["timestamp"]:
        frame = pd.DataFrame({
            "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"), "asset_id": pd.Series([], dtype=object),
            "component": pd.Series([], dtype=object), "measurement": pd.Series([], dtype=object),
            "reading": pd.Series([], dtype=np.float64), "unit": pd.Series([], dtype=object),
            "limit": pd.Series([], dtype=np.float64), "finding": pd.Series([], dtype=bool)})
    else:
        frame = pd.DataFrame({
            "timestamp": plant.timeline.times_utc[np.concatenate(columns["timestamp"])].as_unit("ns"),
            **{c: np.concatenate(columns[c]) for c in INSPECTION_COLUMNS[1:]}})
    categories = list(plant.assets)
    frame["asset_id"] = pd.Categorical(frame["asset_id"], categories=categories)
    return frame.sort_values(["timestamp", "asset_id"], kind="stable").reset_index(drop=True)
