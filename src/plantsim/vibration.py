"""Vibration waveforms from the plant's route-based condition monitoring.

A technician walks a route on fixed weekdays in the early shift and records one second of
acceleration on each CNC spindle and coolant pump that is running. What the accelerometer sees:

- shaft-speed harmonics (1x imbalance, 2x and 3x misalignment and looseness), growing in the late
  stage of any damage;
- on a pump, the vane-pass tone (vanes x shaft speed), growing with impeller wear;
- once a rolling bearing is damaged, an impulse at every ball pass over the outer-race defect (BPFO)
  ringing the housing's structural resonance (2-4 kHz); later also inner-race impacts (BPFI)
  whose strength swings with shaft rotation through the load zone, which puts sidebands at the
  shaft speed around them; the noise floor rises with the damage;
- the overall level rises late: the first sign of a bearing defect is a BPFO line in the envelope
  spectrum, long before the RMS moves.

Signals are quantised to a 16-bit ADC over +-50 g, so the stored table stays small.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.signal

from plantsim.model import AssetTruth, PlantTruth, State
from plantsim.sensors import baseline_vibration_mm_s, rotating_damage

WAVEFORM_KINDS = ("cnc", "coolant_pump")
WAVEFORM_COLUMNS = ("capture_id", "asset_id", "timestamp", "speed_rpm", "sample_rate_hz", "accel_g")
STANDARD_GRAVITY = 9.80665

# Route: which weekdays (Monday = 0) for a number of captures per week; the route starts this many
# minutes into the early shift and reaches each further machine this many minutes later.
ROUTE_WEEKDAYS = {1: (2,), 2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}
ROUTE_START_MINUTES = 60
ROUTE_MINUTES_PER_MACHINE = 10

ADC_FULL_SCALE_G = 50.0
ADC_BITS = 16

STRUCTURAL_RESONANCE_HZ = {"cnc": 3300.0, "coolant_pump": 2600.0}
RESONANCE_DAMPING = 0.08
PUMP_VANES = 6
HARMONIC_SHARES = (0.8, 0.5, 0.3)  # velocity RMS of 1x, 2x, 3x as shares of the overall level
NOISE_FLOOR_G = 0.012
BPFO_ONSET_HEALTH = 0.8  # an outer-race defect starts once the bearing has lost a fifth of its health
BPFI_ONSET_HEALTH = 0.45
BPFO_IMPACT_G = 1.2  # impact amplitude at a fully damaged bearing and nominal speed
BPFI_IMPACT_G = 1.5
SLIP_SIGMA = 0.003  # rolling elements slip: ball-pass intervals scatter by this share


def _route_steps(truth: AssetTruth, plant: PlantTruth, captures_per_week: int) -> np.ndarray:
    """Steps at which the route technician records this asset."""
    if captures_per_week not in ROUTE_WEEKDAYS:
        raise ValueError(f"captures_per_week must be 1 to 5 (the route runs on weekdays), not {captures_per_week}")
    timeline = plant.timeline
    n = len(truth.state)
    # The route walks one line's machines in register order, whatever else is simulated alongside.
    route = [a for a, t in plant.assets.items() if t.spec.kind in WAVEFORM_KINDS and t.spec.line == truth.spec.line]
    position = route.index(truth.spec.asset_id)
    offset_steps = (ROUTE_START_MINUTES + ROUTE_MINUTES_PER_MACHINE * position) // timeline.step_minutes

    early = np.asarray(timeline.shift_by_line[truth.spec.line][:n]) == 1
    index = np.arange(n)
    block_start = np.maximum.accumulate(np.where(early & ~np.concatenate([[False], early[:-1]]), index, 0))
    weekday = timeline.times_utc[:n].tz_convert(timeline.timezone).day_of_week.to_numpy()
    candidate = (early & np.isin(weekday, ROUTE_WEEKDAYS[captures_per_week])
                 & (index - block_start >= offset_steps) & (np.asarray(truth.state) == State.PRODUCING))
    steps = index[candidate]
    _, first = np.unique(block_start[candidate], return_index=True)
    return steps[first]


def _impulse_train(rng: np.random.Generator, n: int, sample_rate_hz: float, rate_hz: float,
                   amplitude: np.ndarray | float) -> np.ndarray:
    """Unit-sample impulses at ``rate_hz`` with slip, scaled per impact (a callable of time or a constant)."""
    count = int(rate_hz * n / sample_rate_hz * (1 + 5 * SLIP_SIGMA)) + 2
    intervals = (1.0 + SLIP_SIGMA * rng.standard_normal(count)) / rate_hz
    times = rng.uniform(0.0, 1.0 / rate_hz) + np.cumsum(intervals) - intervals[0]
    times = times[times < n / sample_rate_hz]
    strength = amplitude(times) if callable(amplitude) else np.full(len(times), amplitude)
    strength = strength * rng.lognormal(0.0, 0.15, len(times))
    train = np.zeros(n)
    np.add.at(train, np.minimum(np.round(times * sample_rate_hz).astype(int), n - 1), strength)
    return train


def _ring(train: np.ndarray, resonance_hz: float, sample_rate_hz: float) -> np.ndarray:
    """Each impulse rings the structure: a decaying sinusoid of peak ~1 per unit impulse."""
    theta = 2 * np.pi * resonance_hz / sample_rate_hz
    radius = np.exp(-RESONANCE_DAMPING * theta)
    return scipy.signal.lfilter([np.sin(theta)], [1.0, -2 * radius * np.cos(theta), radius * radius], train)


def _velocity_rms_to_accel_peak_g(velocity_rms_mm_s: float, frequency_hz: float) -> float:
    return velocity_rms_mm_s * np.sqrt(2) * 2 * np.pi * frequency_hz / 1000.0 / STANDARD_GRAVITY


def synthesize(rng: np.random.Generator, kind: str, speed_rpm: float, nominal_rpm: float, bpfo_order: float,
               bpfi_order: float, baseline_velocity_mm_s: float, late_damage: float, bearing_health: float | None,
               impeller_damage: float, sample_rate_hz: float, duration_s: float) -> np.ndarray:
    """One acceleration capture (g, float64, before the ADC) for a machine in the given condition."""
    n = int(round(sample_rate_hz * duration_s))
    t = np.arange(n) / sample_rate_hz
    shaft_hz = speed_rpm / 60.0
    speed_ratio = speed_rpm / nominal_rpm
    signal = np.zeros(n)

    # A worn impeller is out of balance (1x); late damage loosens the rotor in its fits (2x, 3x).
    boosts = (1.0 + 3.0 * impeller_damage * impeller_damage + late_damage, 1.0 + 3.0 * late_damage, 1.0 + 3.0 * late_damage)
    for order, (share, boost) in enumerate(zip(HARMONIC_SHARES, boosts), start=1):
        peak = _velocity_rms_to_accel_peak_g(share * baseline_velocity_mm_s, order * shaft_hz)
        signal += boost * peak * np.cos(2 * np.pi * order * shaft_hz * t + rng.uniform(0, 2 * np.pi))
    if kind == "coolant_pump":
        vane_peak = _velocity_rms_to_accel_peak_g(0.2 * baseline_velocity_mm_s * (1 + 4 * impeller_damage * impeller_damage),
                                                  PUMP_VANES * shaft_hz)
        signal += vane_peak * np.cos(2 * np.pi * PUMP_VANES * shaft_hz * t + rng.uniform(0, 2 * np.pi))

    resonance = STRUCTURAL_RESONANCE_HZ[kind]
    if bearing_health is not None:
        outer = np.clip((BPFO_ONSET_HEALTH - bearing_health) / BPFO_ONSET_HEALTH, 0.0, 1.0)
        inner = np.clip((BPFI_ONSET_HEALTH - bearing_health) / BPFI_ONSET_HEALTH, 0.0, 1.0)
        impacts = np.zeros(n)
        if outer > 0:
            impacts += _impulse_train(rng, n, sample_rate_hz, bpfo_order * shaft_hz,
                                      BPFO_IMPACT_G * np.power(outer, 1.5) * speed_ratio)
        if inner > 0:
            phase = rng.uniform(0, 2 * np.pi)

            def load_zone(times: np.ndarray) -> np.ndarray:
                return BPFI_IMPACT_G * np.power(inner, 1.2) * speed_ratio * (0.5 + 0.5 * np.cos(2 * np.pi * shaft_hz * times + phase))

            impacts += _impulse_train(rng, n, sample_rate_hz, bpfi_order * shaft_hz, load_zone)
        signal += _ring(impacts, resonance, sample_rate_hz)

    floor = NOISE_FLOOR_G * (1.0 + 8.0 * late_damage)
    signal += floor * rng.standard_normal(n)
    return signal


def quantise(signal: np.ndarray) -> np.ndarray:
    """What a 16-bit ADC over +-50 g stores, as float32 g."""
    lsb = 2 * ADC_FULL_SCALE_G / 2**ADC_BITS
    return (np.clip(np.round(signal / lsb), -(2 ** (ADC_BITS - 1)), 2 ** (ADC_BITS - 1) - 1) * lsb).astype(np.float32)


def empty_waveforms(plant: PlantTruth) -> pd.DataFrame:
    return pd.DataFrame({
        "capture_id": pd.Series([], dtype=object),
        "asset_id": pd.Categorical([], categories=list(plant.assets)),
        "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
        "speed_rpm": pd.Series([], dtype=np.float32),
        "sample_rate_hz": pd.Series([], dtype=np.int32),
        "accel_g": pd.Series([], dtype=object),
    })


def waveforms(truth: AssetTruth, plant: PlantTruth, rng: np.random.Generator, captures_per_week: int = 2,
              sample_rate_hz: int = 12800, duration_s: float = 1.0) -> pd.DataFrame:
    """The route's acceleration captures for one CNC spindle or coolant pump (empty for other kinds).

    ``accel_g`` holds one float32 array per capture (g), as a Parquet list<float> column reads back.
    """
    spec = truth.spec
    if spec.kind not in WAVEFORM_KINDS:
        return empty_waveforms(plant)
    steps = _route_steps(truth, plant, captures_per_week)
    if len(steps) == 0:
        return empty_waveforms(plant)

    velocity = baseline_vibration_mm_s(truth)[steps]
    late = np.minimum(rotating_damage(truth, 4.0), 1.0)[steps]
    bearing_modes = [np.asarray(h) for mode, h in truth.health.items() if "bearing" in mode]
    bearing = np.minimum.reduce(bearing_modes)[steps] if bearing_modes else None
    impeller_modes = [np.asarray(h) for mode, h in truth.health.items() if "impeller" in mode]
    impeller = (1.0 - np.minimum.reduce(impeller_modes)[steps]) if impeller_modes else np.zeros(len(steps))
    speeds = np.asarray(truth.speed_rpm, dtype=np.float64)[steps]

    signals = []
    for k in range(len(steps)):
        raw = synthesize(rng, spec.kind, speeds[k], spec.nominal_speed_rpm, spec.bearing.bpfo_order(),
                         spec.bearing.bpfi_order(), float(velocity[k]), float(late[k]),
                         None if bearing is None else float(bearing[k]), float(impeller[k]),
                         sample_rate_hz, duration_s)
        signals.append(quantise(raw))
    measured_speed = speeds * (1.0 + 0.001 * rng.standard_normal(len(steps)))  # rounded to 1 rpm when written

    return pd.DataFrame({
        "capture_id": [f"{spec.asset_id}-V{k + 1:04d}" for k in range(len(steps))],
        "asset_id": pd.Categorical([spec.asset_id] * len(steps), categories=list(plant.assets)),
        "timestamp": plant.timeline.times_utc[steps].as_unit("ns"),
        "speed_rpm": measured_speed,
        "sample_rate_hz": np.full(len(steps), sample_rate_hz, dtype=np.int32),
        "accel_g": pd.Series(signals, dtype=object),
    })
