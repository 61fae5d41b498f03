"""Vibration waveforms from the plant's route-based condition monitoring.

A technician walks a route on fixed weekdays in the early shift and records a capture of 6,400
lines (16,384 samples) on each CNC spindle, coolant pump and conveyor drive that is running: at
51.2 kHz (a 20 kHz span, 0.32 s) on a spindle, at 25.6 kHz (10 kHz, 0.64 s) on a pump or a
conveyor. What the accelerometer sees:

- a low-frequency region that belongs to the running machine: shaft-speed harmonics (1x imbalance,
  2x and 3x misalignment and looseness, growing in the late stage of any damage), the motor's hum
  at twice the line frequency, a pump's vane pass (vanes x shaft speed, growing with impeller
  wear), a conveyor gearbox's gear mesh with sidebands at the input shaft speed, and a broadband
  floor of the process (the cut, the coolant, the flow) below a few kHz;
- the bearing housing's structural resonance, one mode at several kHz (10 kHz at a spindle's nose,
  5.2 kHz at a pump's motor-end bearing, 3.8 kHz at the conveyor gearbox's input bearing) with a
  damping ratio of a few percent (4-5 %), rung a little by the machine's random forces. The
  accelerometer sees a force through the housing's accelerance, which falls as f^2 below the
  mode, so the impacts' energy lies up there and little of it at the defect frequencies;
- once a rolling bearing is damaged (health below 0.8), an impact at every ball pass over the
  outer-race defect (BPFO), each ringing that resonance and decaying to under a quarter before the
  next impact even at a spindle's top speed (Randall & Antoni 2011: the resonance and its damping
  make each impact a short burst; the bursts' repetition is recovered by demodulation). Ball-pass
  intervals scatter by 1 % and their mean rate falls short of the kinematic one by up to 1.5 %
  (rolling elements slip, Randall & Antoni: typically 1-2 %), which smears the higher harmonics
  into a hump around the resonance in the plain spectrum; below health 0.45 also inner-race
  impacts (BPFI) whose strength swings with shaft rotation through the load zone, which puts
  sidebands at the shaft speed around them. As the spall grows, a rolling element takes longer to
  cross it and each impact also moves the housing at low frequency (a pulse with energy below
  about 3 x shaft speed), so the defect lines appear in the plain spectrum late; the floor rises
  with the damage;
- so an early defect shows in the envelope spectrum (the signal band-passed around the resonance,
  its Hilbert envelope, the envelope's spectrum: Randall & Antoni's benchmark method) as a line at
  BPFO and its harmonics, while its line in the plain spectrum is masked by the machine's
  low-frequency content; the overall level rises late (course REFERENCE.md: a defect shows first
  at the defect frequency, later as sidebands and a rising floor; overall RMS rises late).

Defect frequencies follow REFERENCE.md's formulas (plantsim.model.BearingGeometry). Sources:
R. B. Randall, J. Antoni, "Rolling element bearing diagnostics - A tutorial", Mechanical Systems
and Signal Processing 25 (2011) 485-520 (impacts exciting high-frequency resonances, 1-2 % slip,
envelope analysis of a band around a resonance, masking by other sources at low frequency); route
analysers' usual spans and line counts (2.56 samples per Hz of span, 400-6,400 lines and more).

Signals are quantised to a 16-bit ADC over +-50 g, so the stored table stays small (about 1.3
bytes per sample in the Parquet files).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.signal

from plantsim.model import AssetTruth, PlantTruth, State
from plantsim.sensors import baseline_vibration_mm_s, rotating_damage

WAVEFORM_KINDS = ("cnc", "coolant_pump", "conveyor")
WAVEFORM_COLUMNS = ("capture_id", "asset_id", "timestamp", "speed_rpm", "sample_rate_hz", "accel_g")
STANDARD_GRAVITY = 9.80665

# Route: which weekdays (Monday = 0) for a number of captures per week; the route starts this many
# minutes into the early shift and reaches each further machine this many minutes later.
ROUTE_WEEKDAYS = {1: (2,), 2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}
ROUTE_START_MINUTES = 60
ROUTE_MINUTES_PER_MACHINE = 10

ADC_FULL_SCALE_G = 50.0
ADC_BITS = 16
CAPTURE_SAMPLES = 16384  # 6,400 lines: 2.56 samples per Hz of the span


@dataclass(frozen=True)
class Channel:
    """How the route records one kind of machine, and what its accelerometer's mounting sees."""

    sample_rate_hz: int  # the analyser's sampling rate (2.56 x its frequency span)
    duration_s: float  # length of one capture
    resonance_hz: float  # the bearing housing's structural resonance the impacts ring
    damping: float  # its damping ratio
    process_g: float  # broadband floor of the running machine below process_corner_hz (g RMS)
    process_corner_hz: float
    structure_g: float  # the housing's response to the machine's random forces, around its resonance (g RMS)


CHANNELS = {
    # Every capture has 6,400 lines (CAPTURE_SAMPLES at 2.56 x the span), a route analyser's usual setting.
    # A motor spindle at 8,000-12,000 rpm: BPFO and BPFI lie at 1.0-1.9 kHz, where the cut, the
    # drive and the through-spindle coolant make a broadband floor; the spindle nose and its
    # bearing seat ring at 10 kHz. A 20 kHz span (51.2 kHz), 0.32 s.
    "cnc": Channel(51200, 0.32, 10000.0, 0.05, 0.08, 2500.0, 0.010),
    # Close-coupled coolant pump: flow noise and vane pass below 1-2 kHz; the motor-end bearing
    # housing rings at 5.2 kHz. A 10 kHz span (25.6 kHz), 0.64 s.
    "coolant_pump": Channel(25600, 0.64, 5200.0, 0.04, 0.05, 1200.0, 0.008),
    # Conveyor drive: gear mesh and its harmonics below 1.5 kHz; the gearbox housing at the input
    # bearing rings at 3.8 kHz. A 10 kHz span, 0.64 s.
    "conveyor": Channel(25600, 0.64, 3800.0, 0.04, 0.03, 1000.0, 0.006),
}
STRUCTURAL_RESONANCE_HZ = {kind: channel.resonance_hz for kind, channel in CHANNELS.items()}

PUMP_VANES = 6
CONVEYOR_PINION_TEETH = 19  # gearbox input pinion: gear mesh at 19 x the input shaft speed
LINE_FREQUENCY_HZ = 50.0  # motors hum at twice the line frequency
HARMONIC_SHARES = (0.8, 0.5, 0.3)  # velocity RMS of 1x, 2x, 3x as shares of the overall level
NOISE_FLOOR_G = 0.004  # accelerometer and analyser, white over the span
DAMAGE_FLOOR_GAIN = 8.0  # late damage raises the broadband floor by up to this factor
BPFO_ONSET_HEALTH = 0.8  # an outer-race defect starts once the bearing has lost a fifth of its health
BPFI_ONSET_HEALTH = 0.45
BPFO_IMPACT_G = 2.0  # ring amplitude of one impact at a fully damaged bearing and nominal speed
BPFI_IMPACT_G = 2.5
SPALL_PULSE_SHARE = 0.6  # a grown spall: each impact also moves the housing at low frequency ...
SPALL_PULSE_CORNER_ORDERS = 3.0  # ... a pulse as long as a ball takes to cross it: energy below this x shaft speed
SLIP_SIGMA = 0.01  # rolling elements slip: ball-pass intervals scatter by this share (1-2 %) ...
MEAN_SLIP_MAX = 0.015  # ... and their mean rate falls short of the kinematic one by up to this share


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


def _resonator(resonance_hz: float, damping: float, sample_rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """The housing's acceleration response to a force: one mode of ``damping`` at ``resonance_hz``.

    Poles of the mode; a double zero at 0 Hz makes it an accelerance (rising as f^2 below the
    resonance, as an accelerometer sees a force below a structure's first mode). Scaled so that a
    unit impulse rings with a peak of about 1.
    """
    theta = 2 * np.pi * resonance_hz / sample_rate_hz
    radius = np.exp(-damping * theta)
    damped = theta * np.sqrt(1.0 - damping * damping)
    half = np.sin(theta / 2)
    gain = np.sin(theta) / (4 * half * half)
    return gain * np.array([1.0, -2.0, 1.0]), np.array([1.0, -2 * radius * np.cos(damped), radius * radius])


def _lowpass(signal: np.ndarray, corner_hz: float, sample_rate_hz: float, order: int = 2) -> np.ndarray:
    """``order`` one-pole low-pass stages at ``corner_hz`` (unit gain at 0 Hz)."""
    pole = np.exp(-2 * np.pi * corner_hz / sample_rate_hz)
    for _ in range(order):
        signal = scipy.signal.lfilter([1.0 - pole], [1.0, -pole], signal)
    return signal


def _scaled_noise(rng: np.random.Generator, n: int, rms_g: float, shape) -> np.ndarray:
    """White noise through ``shape`` (a function of the noise), scaled to ``rms_g``."""
    coloured = shape(rng.standard_normal(n))
    return rms_g * coloured / np.std(coloured)


def _velocity_rms_to_accel_peak_g(velocity_rms_mm_s: float, frequency_hz: float) -> float:
    return velocity_rms_mm_s * np.sqrt(2) * 2 * np.pi * frequency_hz / 1000.0 / STANDARD_GRAVITY


def synthesize(rng: np.random.Generator, kind: str, speed_rpm: float, nominal_rpm: float, bpfo_order: float,
               bpfi_order: float, baseline_velocity_mm_s: float, late_damage: float, bearing_health: float | None,
               impeller_damage: float, sample_rate_hz: float | None = None, duration_s: float | None = None) -> np.ndarray:
    """One acceleration capture (g, float64, before the ADC) for a machine in the given condition.

    ``sample_rate_hz`` and ``duration_s`` default to the kind's route settings (:data:`CHANNELS`).
    """
    channel = CHANNELS[kind]
    sample_rate_hz = float(channel.sample_rate_hz if sample_rate_hz is None else sample_rate_hz)
    duration_s = channel.duration_s if duration_s is None else duration_s
    n = int(round(sample_rate_hz * duration_s))
    t = np.arange(n) / sample_rate_hz
    shaft_hz = speed_rpm / 60.0
    speed_ratio = speed_rpm / nominal_rpm
    signal = np.zeros(n)

    def tone(velocity_rms_mm_s: float, frequency_hz: float) -> np.ndarray:
        peak = _velocity_rms_to_accel_peak_g(velocity_rms_mm_s, frequency_hz)
        return peak * np.cos(2 * np.pi * frequency_hz * t + rng.uniform(0, 2 * np.pi))

    # The low-frequency region: shaft harmonics (a worn impeller is out of balance, 1x; late damage
    # loosens the rotor in its fits, 2x and 3x), the motor's hum, vane pass or gear mesh, and the
    # running machine's broadband floor.
    boosts = (1.0 + 3.0 * impeller_damage * impeller_damage + late_damage, 1.0 + 3.0 * late_damage, 1.0 + 3.0 * late_damage)
    for order, (share, boost) in enumerate(zip(HARMONIC_SHARES, boosts), start=1):
        signal += boost * tone(share * baseline_velocity_mm_s, order * shaft_hz)
    if kind == "coolant_pump":
        vane = 0.2 * baseline_velocity_mm_s * (1 + 4 * impeller_damage * impeller_damage)
        signal += tone(vane, PUMP_VANES * shaft_hz) + tone(0.4 * vane, 2 * PUMP_VANES * shaft_hz)
    if kind == "conveyor":
        mesh = CONVEYOR_PINION_TEETH * shaft_hz
        signal += tone(0.3 * baseline_velocity_mm_s, mesh) + tone(0.12 * baseline_velocity_mm_s, 2 * mesh)
        signal += tone(0.06 * baseline_velocity_mm_s, mesh - shaft_hz) + tone(0.06 * baseline_velocity_mm_s, mesh + shaft_hz)
    if kind != "cnc":
        signal += tone(0.1 * baseline_velocity_mm_s, 2 * LINE_FREQUENCY_HZ)
    floor = 1.0 + DAMAGE_FLOOR_GAIN * late_damage
    signal += _scaled_noise(rng, n, floor * channel.process_g * speed_ratio,
                            lambda noise: _lowpass(noise, channel.process_corner_hz, sample_rate_hz))

    # The housing's resonance: rung a little by the machine's random forces, and by every impact of
    # a rolling element on a defect.
    b, a = _resonator(channel.resonance_hz, channel.damping, sample_rate_hz)
    signal += _scaled_noise(rng, n, floor * channel.structure_g, lambda noise: scipy.signal.lfilter(b, a, noise))
    if bearing_health is not None:
        outer = np.clip((BPFO_ONSET_HEALTH - bearing_health) / BPFO_ONSET_HEALTH, 0.0, 1.0)
        inner = np.clip((BPFI_ONSET_HEALTH - bearing_health) / BPFI_ONSET_HEALTH, 0.0, 1.0)
        slip = 1.0 - rng.uniform(0.0, MEAN_SLIP_MAX)
        impacts = np.zeros(n)
        if outer > 0:
            impacts += _impulse_train(rng, n, sample_rate_hz, slip * bpfo_order * shaft_hz,
                                      BPFO_IMPACT_G * np.power(outer, 1.5) * speed_ratio)
        if inner > 0:
            phase = rng.uniform(0, 2 * np.pi)

            def load_zone(times: np.ndarray) -> np.ndarray:
                return BPFI_IMPACT_G * np.power(inner, 1.2) * speed_ratio * (0.5 + 0.5 * np.cos(2 * np.pi * shaft_hz * times + phase))

            impacts += _impulse_train(rng, n, sample_rate_hz, slip * bpfi_order * shaft_hz, load_zone)
        signal += scipy.signal.lfilter(b, a, impacts)
        # As the spall grows, a rolling element takes longer to cross it: each impact also moves the
        # housing at low frequency, and the defect lines appear in the plain spectrum.
        spall = SPALL_PULSE_SHARE * np.maximum(outer, inner)
        if spall > 0:
            corner_hz = SPALL_PULSE_CORNER_ORDERS * shaft_hz
            pulses = _lowpass(impacts, corner_hz, sample_rate_hz, order=1)
            signal += spall * pulses * sample_rate_hz / (2 * np.pi * corner_hz)

    signal += floor * NOISE_FLOOR_G * rng.standard_normal(n)
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
              sample_rate_hz: int | None = None, duration_s: float | None = None) -> pd.DataFrame:
    """The route's acceleration captures for one CNC spindle, coolant pump or conveyor (empty for other kinds).

    ``sample_rate_hz`` and ``duration_s`` default to the kind's route settings (:data:`CHANNELS`).

    ``accel_g`` holds one float32 array per capture (g), as a Parquet list<float> column reads back.
    """
    spec = truth.spec
    if spec.kind not in WAVEFORM_KINDS:
        return empty_waveforms(plant)
    sample_rate_hz = CHANNELS[spec.kind].sample_rate_hz if sample_rate_hz is None else sample_rate_hz
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
