"""What the plant's instruments report: the 5-minute telemetry table and the true electrical power.

Every signal is computed from the truth layer (state, load, speed, component health, tool wear,
hall temperature, disturbances) by a small physical model, then read through a sensor with its own
noise and resolution:

- Vibration velocity RMS (ISO 10816 / 20816): a new machine sits in zone A/B of its class and its
  reading scales with speed; as a rotating component loses health the reading climbs through zone C
  into zone D close to failure.
- Temperatures follow their target with a first-order thermal lag: bearings warm with speed and
  load and, late in a bearing's life, with friction from the damage; spindles with load and speed;
  the coolant of a line is held at its set point by a chiller, within about +-1 K (a little of the
  hall's temperature and of the cutting heat gets through, and the controller hunts), unless the
  chiller has a fault, a declared excursion of several kelvin.
- Electrical power is shaft power divided by the motor's efficiency (IE3 class, lower at part
  load), and by a mechanical efficiency that falls as components wear. The motor current follows
  P = sqrt(3) * 400 V * I * cos(phi), with cos(phi) lower at part load.
- Coolant pumps follow the affinity laws (flow ~ speed, pressure ~ speed^2, power ~ speed^3); a worn
  impeller or a leaking seal delivers less flow and pressure at the same speed and power.
- Screw compressors load and unload between 7.0 and 7.5 bar; a worn valve delivers less air per
  revolution, so the compressor runs loaded longer (the truth layer's load), hotter, and with more
  power per cubic metre.

The functions returning arrays are the noiseless physics (true values per step) that the
vibration, quality and energy modules share; :func:`telemetry` is what the historian records.
"""
from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.signal

# ISO 10816-1 zone boundaries (mm/s RMS) per machine class: the standard's table, in its own module.
from plantsim.iso10816 import ZONE_LIMITS_MM_S, zone_limits  # noqa: F401  (re-exported)
from plantsim.model import AssetTruth, PlantTruth, State
from plantsim.resolution import on_grid

STATE_NAMES = ("off", "idle", "producing", "down")  # index = State value
TELEMETRY_COLUMNS = (
    "timestamp", "asset_id", "machine_state", "recipe", "speed_rpm", "load_pct", "power_kw",
    "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "spindle_temp_c", "coolant_temp_c",
    "flow_l_min", "pressure_bar", "discharge_temp_c",
)

# Vibration model: a new machine at nominal speed reads this share of its A/B limit. At nominal
# speed the damage term reaches the B/C limit at about half the health lost and the C/D limit at
# about three quarters lost, where the wear model's bearings fail.
NEW_VIBRATION_SHARE_OF_AB = 0.6
DAMAGE_VIBRATION_SHARE_OF_CD = 1.7
DAMAGE_VIBRATION_EXPONENT = 2.35
BACKGROUND_VIBRATION_MM_S = 0.03  # floor vibration from neighbouring machines when stopped
# How strongly each kind of failure mode shows in vibration and in bearing heat (by name part).
ROTATING_DAMAGE_WEIGHTS = (("bearing", 1.0), ("impeller", 0.8), ("valve", 0.35), ("seal", 0.15))

# IE3 minimum efficiency, 4-pole, 50 Hz (IEC 60034-30-1), rated kW -> efficiency.
IE3_RATED_KW = np.array([0.75, 1.1, 1.5, 2.2, 3.0, 4.0, 5.5, 7.5, 11.0, 15.0, 18.5, 22.0, 30.0, 37.0,
                         45.0, 55.0, 75.0, 90.0, 110.0])
IE3_EFFICIENCY = np.array([0.825, 0.841, 0.853, 0.867, 0.877, 0.886, 0.896, 0.904, 0.914, 0.921,
                           0.926, 0.930, 0.936, 0.939, 0.942, 0.946, 0.950, 0.952, 0.954])
FIXED_LOSS_SHARE = 0.35  # iron and friction losses; the rest are copper losses ~ load^2
WEAR_EFFICIENCY_LOSS = 0.08  # mechanical efficiency lost when a component is fully worn
SUPPLY_VOLTAGE_V = 400.0
RATED_POWER_FACTOR = 0.86
NO_LOAD_POWER_FACTOR = 0.08  # an unloaded induction motor draws mostly magnetising current
POWER_FACTOR_KNEE = 0.1  # cos(phi) is about half way up at this load fraction
AUXILIARY_POWER_FACTOR = 0.85  # controls, pumps and fans of a machine tool

# A machine tool's base load (PlantSettings): ready to cut, its controls, servo drives, hydraulic
# unit, spindle chiller, cabinet cooling, lubrication and lights draw cnc_ready_share of the rating;
# while it cuts, the chip conveyor, coolant through the spindle and the mist extractor add
# cnc_cutting_peripherals_share; off shift it stands by (controls, cabinet cooling, spindle chiller
# in standby) at cnc_standby_share. Down for maintenance it is locked out: nothing.
# Pumps, conveyors and compressors keep their drives' electronics and controls on off shift.
SUPPORT_STANDBY_SHARE_OF_RATED = 0.01
# The historian samples the spindle drive's load once per step. Now and then the sample lands on a
# load peak of a second or two (the tool entering the cut, a hard spot in the casting) that the
# adaptive feed control has not yet taken back: the drive's short-time (S6) rating allows it.
LOAD_PEAK_SHARE = 0.01
LOAD_PEAK_FACTOR = (1.05, 1.3)

# Coolant pump (flood coolant for one line) at its design point and nominal speed.
PUMP_DESIGN_FLOW_L_MIN_PER_KW = 40.0
PUMP_DESIGN_PRESSURE_BAR = 5.5
PUMP_SHAFT_SHARE_OF_RATED = 0.8  # design-point shaft power as a share of the motor rating
PUMP_SHUTOFF_HEAD_RATIO = 1.25  # head at zero flow over head at the design point

# Screw compressor, load/unload control between the cut-in and cut-out pressures.
COMPRESSOR_CUT_OUT_BAR = 7.5
COMPRESSOR_CUT_IN_BAR = 7.0
COMPRESSOR_UNLOADED_SHARE = 0.25  # shaft power when running unloaded, share of full load
COMPRESSOR_FULL_LOAD_SHAFT_SHARE = 0.95

# Thermal time constants (minutes) of the first-order lags.
BEARING_TAU_MIN = 40.0
SPINDLE_TAU_MIN = 15.0
COOLANT_TAU_MIN = 45.0
DISCHARGE_TAU_MIN = 8.0
RECEIVER_TAU_MIN = 20.0  # compressor discharge line bleeding down after a stop
COMPRESSOR_FILL_TAU_MIN = 3.0  # a running compressor brings its receiver to pressure in minutes
# Coolant circuit: a chiller holds the tank at its set point (PlantSettings.coolant_setpoint_c)
# within its control band (PlantSettings.chiller_band_k, about +-1 K). Per kelvin of band, a little
# of the hall's swing and of the line's cutting heat gets through (the chiller works harder on a hot
# afternoon and under full load), and the controller's own hunting is a slow random residual.
CHILLER_AMBIENT_COUPLING = 0.04  # K per K of hall temperature off the set point, per K of band
COOLANT_K_PER_CUTTING_KW = 0.008  # K per kW cut on the line, per K of band
CHILLER_HUNTING_SIGMA = 0.25  # the controller's residual, per K of band
CHILLER_HUNTING_TAU_MIN = 30.0
CHILLER_STREAM = 9100  # the residual's random stream: seed, this, the line's name


def first_order_lag(target: np.ndarray, tau_min: float, step_minutes: float) -> np.ndarray:
    """A thermal mass following ``target`` with time constant ``tau_min``, starting settled."""
    target = np.asarray(target, dtype=np.float64)
    if len(target) == 0:
        return target
    keep = np.exp(-step_minutes / tau_min)
    filtered, _ = scipy.signal.lfilter([1.0 - keep], [1.0, -keep], target, zi=[keep * target[0]])
    return filtered


def switching_lag(target: np.ndarray, regime: np.ndarray, tau_off_min: float, tau_on_min: float,
                  step_minutes: float) -> np.ndarray:
    """A first-order lag whose time constant depends on a regime (``regime`` True: ``tau_on_min``).

    Each stretch of one regime is filtered in one go, starting from where the previous one ended.
    """
    target = np.asarray(target, dtype=np.float64)
    regime = np.asarray(regime, dtype=bool)
    out = np.empty_like(target)
    if len(target) == 0:
        return out
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(regime.astype(np.int8))) + 1, [len(target)]])
    previous = target[0]
    for first, stop in zip(bounds[:-1], bounds[1:]):
        keep = np.exp(-step_minutes / (tau_on_min if regime[first] else tau_off_min))
        out[first:stop], _ = scipy.signal.lfilter([1.0 - keep], [1.0, -keep], target[first:stop], zi=[keep * previous])
        previous = out[stop - 1]
    return out


def _health(truth: AssetTruth, name_part: str) -> np.ndarray | None:
    """Lowest health among the asset's failure modes whose name contains ``name_part``."""
    matches = [h for mode, h in truth.health.items() if name_part in mode]
    if not matches:
        return None
    return np.minimum.reduce([np.asarray(h, dtype=np.float64) for h in matches])


def _damage(truth: AssetTruth, name_part: str) -> np.ndarray:
    health = _health(truth, name_part)
    n = len(truth.state)
    return np.zeros(n) if health is None else np.clip(1.0 - health, 0.0, 1.0)


def rotating_damage(truth: AssetTruth, exponent: float) -> np.ndarray:
    """Weighted sum over failure modes of (1 - health) ** exponent: how worn the rotating parts are."""
    return damage_of(truth.health, len(truth.state), exponent)


def damage_of(health_by_mode: dict[str, np.ndarray], n: int, exponent: float) -> np.ndarray:
    """:func:`rotating_damage` from health paths (the truth layer's look-ahead uses it too)."""
    total = np.zeros(n)
    for mode, health in health_by_mode.items():
        weight = next((w for part, w in ROTATING_DAMAGE_WEIGHTS if part in mode), 0.0)
        if weight:
            total += weight * np.power(np.clip(1.0 - np.asarray(health, dtype=np.float64), 0.0, 1.0), exponent)
    return total


def _ambient(truth: AssetTruth) -> np.ndarray:
    if truth.ambient_c is None:
        return np.full(len(truth.state), 20.0)
    return np.asarray(truth.ambient_c, dtype=np.float64)


def _speed_ratio(truth: AssetTruth) -> np.ndarray:
    return np.clip(np.asarray(truth.speed_rpm, dtype=np.float64) / truth.spec.nominal_speed_rpm, 0.0, None)


def _running(truth: AssetTruth) -> np.ndarray:
    """The motor turns: powered, not down, and at speed."""
    state = np.asarray(truth.state)
    return ((state == State.IDLE) | (state == State.PRODUCING)) & (np.asarray(truth.speed_rpm) > 0)


def disturbance_magnitude(plant: PlantTruth, kind: str, targets: tuple[str, ...]) -> np.ndarray:
    """Per step, the summed magnitude of the disturbances of ``kind`` aimed at any of ``targets``."""
    magnitude = np.zeros(plant.timeline.n_steps)
    for disturbance in plant.disturbances:
        if disturbance.kind == kind and disturbance.target in targets:
            magnitude[disturbance.start_step:disturbance.end_step] += disturbance.magnitude
    return magnitude


def rated_efficiency(rated_kw: float) -> float:
    """IE3 efficiency at rated load, interpolated on log(rated kW)."""
    return float(np.interp(np.log(rated_kw), np.log(IE3_RATED_KW), IE3_EFFICIENCY))


def motor_input_kw(shaft_kw: np.ndarray, rated_kw: float, running: np.ndarray) -> np.ndarray:
    """Electrical input of an induction motor delivering ``shaft_kw`` (fixed + load^2 losses)."""
    rated_losses = rated_kw * (1.0 / rated_efficiency(rated_kw) - 1.0)
    load = shaft_kw / rated_kw
    losses = rated_losses * (FIXED_LOSS_SHARE + (1.0 - FIXED_LOSS_SHARE) * np.square(load))
    return np.where(running, shaft_kw + losses, 0.0)


def mechanical_efficiency(truth: AssetTruth) -> np.ndarray:
    """Share of shaft power left for useful work once friction from worn parts is paid."""
    return efficiency_of(truth.health, len(truth.state))


def efficiency_of(health_by_mode: dict[str, np.ndarray], n: int) -> np.ndarray:
    """:func:`mechanical_efficiency` from health paths."""
    return 1.0 - WEAR_EFFICIENCY_LOSS * np.minimum(damage_of(health_by_mode, n, 1.5), 1.0)


def power_factor(load_fraction: np.ndarray) -> np.ndarray:
    """cos(phi) of an induction motor: about 0.86 at rated load, falling steeply at light load."""
    load = np.clip(np.asarray(load_fraction, dtype=np.float64), 0.0, None)
    no_load = NO_LOAD_POWER_FACTOR
    return no_load + (RATED_POWER_FACTOR - no_load) * (1.0 + POWER_FACTOR_KNEE) * load / (load + POWER_FACTOR_KNEE)


def line_current_a(motor_kw: np.ndarray, motor_load_fraction: np.ndarray, auxiliary_kw: np.ndarray | float = 0.0
                   ) -> np.ndarray:
    """Line current (A) at 400 V three-phase: P = sqrt(3) * U * I * cos(phi).

    Motor and auxiliaries add as active and reactive power, each with its own cos(phi).
    """
    motor_kw = np.asarray(motor_kw, dtype=np.float64)
    motor_pf = power_factor(motor_load_fraction)
    active = motor_kw + auxiliary_kw
    reactive = motor_kw * np.tan(np.arccos(motor_pf)) + np.asarray(auxiliary_kw) * np.tan(np.arccos(AUXILIARY_POWER_FACTOR))
    return np.hypot(active, reactive) * 1000.0 / (np.sqrt(3.0) * SUPPLY_VOLTAGE_V)


def pump_hydraulics(truth: AssetTruth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True (flow l/min, discharge pressure bar, shaft kW) of a coolant pump.

    The truth layer's load says how much the line asks for (more machines cutting, more valves
    open). It fixes where on its curve the pump works; the affinity laws then scale flow, head and
    power with speed, and wear lowers flow and head at an almost unchanged power.
    """
    rated = truth.spec.rated_power_kw
    speed_ratio = _speed_ratio(truth)
    running = _running(truth)
    design_shaft_kw = PUMP_SHAFT_SHARE_OF_RATED * rated
    # Power curve at nominal speed: 40 % at shut-off, rising linearly with the flow share.
    flow_share = np.clip((np.asarray(truth.load, dtype=np.float64) / PUMP_SHAFT_SHARE_OF_RATED - 0.4) / 0.6, 0.0, 1.4)
    impeller = np.power(_damage(truth, "impeller"), 1.5)
    seal = np.power(_damage(truth, "seal"), 2.0)
    flow = (PUMP_DESIGN_FLOW_L_MIN_PER_KW * rated * speed_ratio * flow_share
            * (1.0 - 0.22 * impeller) * (1.0 - 0.15 * seal))
    head_share = PUMP_SHUTOFF_HEAD_RATIO - (PUMP_SHUTOFF_HEAD_RATIO - 1.0) * np.square(flow_share)
    pressure = (PUMP_DESIGN_PRESSURE_BAR * np.square(speed_ratio) * head_share
                * (1.0 - 0.28 * impeller) * (1.0 - 0.08 * seal))
    shaft = design_shaft_kw * np.power(speed_ratio, 3) * (0.4 + 0.6 * flow_share) * (1.0 - 0.04 * impeller) * (1.0 + 0.03 * seal)
    return (np.where(running, flow, 0.0), np.where(running, pressure, 0.0), np.where(running, shaft, 0.0))


def compressor_operation(truth: AssetTruth, plant: PlantTruth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True (loaded share of time, discharge pressure bar, shaft kW) of a screw compressor.

    The truth layer's load is the share of time the compressor runs loaded (it already includes
    the longer loaded time of a leaking valve). Between cut-in and cut-out the more it is loaded,
    the lower the average pressure; a worn valve cannot hold the pressure under load.
    """
    rated = truth.spec.rated_power_kw
    running = _running(truth)
    loaded = np.where(running, np.clip(np.asarray(truth.load, dtype=np.float64), 0.0, 1.0), 0.0)
    valve = _damage(truth, "valve")
    supply_drop = disturbance_magnitude(plant, "air_supply_drop", (truth.spec.line, truth.spec.asset_id))
    band = COMPRESSOR_CUT_OUT_BAR - COMPRESSOR_CUT_IN_BAR
    pressure_target = np.where(running, COMPRESSOR_CUT_OUT_BAR - band * loaded - 0.6 * np.square(valve) * loaded - supply_drop, 0.0)
    pressure = switching_lag(np.clip(pressure_target, 0.0, None), running, RECEIVER_TAU_MIN, COMPRESSOR_FILL_TAU_MIN,
                             plant.timeline.step_minutes)
    # Leaking valves recompress hot air: a little extra power on top of the longer loaded time.
    shaft = (COMPRESSOR_FULL_LOAD_SHAFT_SHARE * rated
             * (COMPRESSOR_UNLOADED_SHARE + (1.0 - COMPRESSOR_UNLOADED_SHARE) * loaded)
             * (1.0 + 0.05 * np.power(valve, 1.5)))
    return loaded, pressure, np.where(running, shaft, 0.0)


def shaft_power_kw(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """True useful shaft power per step (kW), before mechanical and motor losses."""
    kind = truth.spec.kind
    running = _running(truth)
    if kind == "coolant_pump":
        return pump_hydraulics(truth)[2]
    if kind == "air_compressor":
        return compressor_operation(truth, plant)[2]
    return np.where(running, truth.spec.rated_power_kw * np.asarray(truth.load, dtype=np.float64), 0.0)


def _power_parts_kw(truth: AssetTruth, plant: PlantTruth) -> tuple[np.ndarray, np.ndarray]:
    """True electrical input of the main motor and of the auxiliaries (kW) per step."""
    shaft = shaft_power_kw(truth, plant) / mechanical_efficiency(truth)
    motor = motor_input_kw(shaft, truth.spec.rated_power_kw, _running(truth))
    return motor, auxiliary_power_kw(truth, plant)


def auxiliary_power_kw(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """The base load beside the main motor (kW): a machine tool's auxiliaries, standby off shift."""
    state = np.asarray(truth.state)
    rated = truth.spec.rated_power_kw
    settings = plant.settings
    if truth.spec.kind == "cnc":
        ready = settings.cnc_ready_share
        share = np.select([state == State.PRODUCING, state == State.IDLE, state == State.OFF],
                          [ready + settings.cnc_cutting_peripherals_share, ready, settings.cnc_standby_share], 0.0)
    else:
        share = np.where(state == State.OFF, SUPPORT_STANDBY_SHARE_OF_RATED, 0.0)
    return share * rated


def electrical_power_kw(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """True electrical power drawn in each step (kW): what an ideal energy meter would integrate."""
    motor, auxiliary = _power_parts_kw(truth, plant)
    return motor + auxiliary


def electrical_current_a(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """True line current of the whole machine (A) per step."""
    motor, auxiliary = _power_parts_kw(truth, plant)
    return line_current_a(motor, motor_load_fraction(truth, plant), auxiliary)


def motor_load_fraction(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """Shaft power the motor delivers (useful work plus friction) over its rating."""
    return shaft_power_kw(truth, plant) / mechanical_efficiency(truth) / truth.spec.rated_power_kw


def baseline_vibration_mm_s(truth: AssetTruth) -> np.ndarray:
    """Vibration velocity RMS (mm/s) the machine would show new, at its current speed."""
    ab, _, _ = zone_limits(truth.spec.machine_class)
    return np.where(_running(truth), NEW_VIBRATION_SHARE_OF_AB * ab * _speed_ratio(truth), 0.0)


def vibration_velocity_mm_s(truth: AssetTruth) -> np.ndarray:
    """True overall vibration velocity RMS (mm/s, 10-1000 Hz) per step."""
    return vibration_level_mm_s(truth.health, len(truth.state), _speed_ratio(truth), _running(truth),
                                truth.spec.machine_class)


def vibration_level_mm_s(health_by_mode: dict[str, np.ndarray], n: int, speed_ratio: np.ndarray,
                         running: np.ndarray, machine_class: str) -> np.ndarray:
    """:func:`vibration_velocity_mm_s` from health paths (the truth layer's zone D stop reads it)."""
    ab, _, cd = zone_limits(machine_class)
    damage = damage_of(health_by_mode, n, DAMAGE_VIBRATION_EXPONENT)
    # Imbalance grows with speed; bearing impacts much less so.
    running_level = (NEW_VIBRATION_SHARE_OF_AB * ab * speed_ratio
                     + DAMAGE_VIBRATION_SHARE_OF_CD * cd * damage * np.sqrt(speed_ratio))
    return np.where(running, running_level, 0.0)


def vibration_noise(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The vibration transmitter's errors per step: a log-normal factor (7 %) and an offset (mm/s).

    One transmitter feeds both the machine's protection (the zone D stop in the truth layer) and the
    historian, so the plant draws these once per asset (AssetTruth.extra) and both read them.
    """
    return rng.lognormal(0.0, 0.07, n), 0.005 * rng.standard_normal(n)


def vibration_reading(velocity_mm_s: np.ndarray, noise: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """What the vibration transmitter reports for a true velocity (before its 0.01 mm/s resolution)."""
    factor, offset = noise
    return np.maximum(np.hypot(velocity_mm_s, BACKGROUND_VIBRATION_MM_S) * factor + offset, 0.01)


def coolant_temperature_c(plant: PlantTruth, line: str) -> np.ndarray:
    """True coolant temperature of a line's coolant circuit (degC), shared by its machines and pump.

    The chiller's set point, plus what its control band lets through of the hall's temperature and
    of the line's cutting heat and its own hunting, plus the extra heat of a chiller fault, through
    the thermal lag of the tank. The chiller holds the tank around the clock.
    """
    members = [a for a in plant.assets.values() if a.spec.line == line]
    if not members:
        raise ValueError(f"no asset stands on line {line!r}")
    settings = plant.settings
    cutting_kw = np.zeros(plant.timeline.n_steps)
    for asset in members:
        if asset.spec.kind == "cnc":
            cutting_kw += shaft_power_kw(asset, plant)
    ambient = _ambient(next((a for a in members if a.ambient_c is not None), members[0]))
    fault = disturbance_magnitude(plant, "coolant_chiller_fault", (line,))
    # The controller hunts: a slow random residual (first-order, unit spread), the same for every reader.
    rng = np.random.default_rng([plant.seed, CHILLER_STREAM, zlib.crc32(line.encode())])
    keep = np.exp(-plant.timeline.step_minutes / CHILLER_HUNTING_TAU_MIN)
    hunting = scipy.signal.lfilter([np.sqrt(1.0 - keep * keep)], [1.0, -keep], rng.standard_normal(plant.timeline.n_steps))
    setpoint = settings.coolant_setpoint_c
    let_through = settings.chiller_band_k * (CHILLER_AMBIENT_COUPLING * (ambient - setpoint)
                                             + COOLANT_K_PER_CUTTING_KW * cutting_kw
                                             + CHILLER_HUNTING_SIGMA * hunting)
    return first_order_lag(setpoint + let_through + fault, COOLANT_TAU_MIN, plant.timeline.step_minutes)


def bearing_temperature_c(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """True bearing housing temperature: friction heat from speed and load, damage heat late."""
    running = _running(truth)
    speed_ratio = _speed_ratio(truth)
    load = np.clip(motor_load_fraction(truth, plant), 0.0, 1.5)
    friction_k = 14.0 * speed_ratio * (0.4 + 0.6 * load)
    damage_k = 30.0 * rotating_damage(truth, 5.0) * speed_ratio
    target = _ambient(truth) + np.where(running, friction_k + damage_k, 0.0)
    return first_order_lag(target, BEARING_TAU_MIN, plant.timeline.step_minutes)


def spindle_temperature_c(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """True spindle (front bearing cartridge) temperature of a CNC: tracks spindle load and speed."""
    running = _running(truth)
    speed_ratio = _speed_ratio(truth)
    load = np.asarray(truth.load, dtype=np.float64)
    target = _ambient(truth) + np.where(running, 2.0 + 6.0 * np.square(speed_ratio) + 12.0 * load, 0.0)
    return first_order_lag(target, SPINDLE_TAU_MIN, plant.timeline.step_minutes)


def compressor_discharge_temperature_c(truth: AssetTruth, plant: PlantTruth) -> np.ndarray:
    """True air-end discharge temperature: loaded time heats it, a leaking valve more so."""
    loaded, _, _ = compressor_operation(truth, plant)
    valve = _damage(truth, "valve")
    heat = np.where(_running(truth), 15.0 + 50.0 * loaded + 35.0 * np.square(valve), 0.0)
    return first_order_lag(_ambient(truth) + heat, DISCHARGE_TAU_MIN, plant.timeline.step_minutes)


def _read(rng: np.random.Generator, value: np.ndarray, relative_sigma: float = 0.0,
          absolute_sigma: float = 0.0, floor: float | None = 0.0) -> np.ndarray:
    """A sensor reading: the value with relative and absolute noise, clipped (float64).

    The reading's resolution is its column's, applied once to the whole table (plantsim.resolution).
    """
    noisy = value * (1.0 + relative_sigma * rng.standard_normal(len(value))) + absolute_sigma * rng.standard_normal(len(value))
    if floor is not None:
        noisy = np.maximum(noisy, floor)
    return noisy


def _categorical(codes: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(categories))


def telemetry(truth: AssetTruth, plant: PlantTruth, rng: np.random.Generator) -> pd.DataFrame:
    """One asset's historian table: one row per step, readings as its sensors report them.

    Columns a kind has no sensor for (a spindle temperature on a pump) are NaN.
    """
    spec = truth.spec
    n = len(truth.state)
    nan = np.full(n, np.nan)
    running = _running(truth)
    state = np.asarray(truth.state)

    # The electrical readings are samples of the instant: on a CNC now and then a short load peak.
    instant = truth
    if spec.kind == "cnc":
        peak = (state == State.PRODUCING) & (rng.random(n) < LOAD_PEAK_SHARE)
        factor = np.where(peak, rng.uniform(LOAD_PEAK_FACTOR[0], LOAD_PEAK_FACTOR[1], n), 1.0)
        instant = replace(truth, load=np.asarray(truth.load, dtype=np.float64) * factor)
    speed = _read(rng, np.where(running, truth.speed_rpm, 0.0), relative_sigma=0.001)
    load_fraction = motor_load_fraction(instant, plant)
    load_pct = _read(rng, 100.0 * load_fraction, relative_sigma=0.01, absolute_sigma=0.2)
    load_pct = np.where(running, load_pct, 0.0)
    power_true = electrical_power_kw(instant, plant)
    powered = power_true > 0
    power = np.where(powered, _read(rng, power_true, relative_sigma=0.004, absolute_sigma=0.01), 0.0)
    current = np.where(powered, _read(rng, electrical_current_a(instant, plant), relative_sigma=0.005),
                       0.0)
    if "vibration_noise_factor" in truth.extra:  # the transmitter the machine's protection reads too
        noise = (truth.extra["vibration_noise_factor"], truth.extra["vibration_noise_mm_s"])
    else:
        noise = vibration_noise(rng, n)
    vibration = vibration_reading(vibration_velocity_mm_s(truth), noise)
    bearing_temp = _read(rng, bearing_temperature_c(truth, plant), absolute_sigma=0.15, floor=None)

    spindle_temp = coolant_temp = flow = pressure = discharge_temp = nan
    if spec.kind == "cnc":
        spindle_temp = _read(rng, spindle_temperature_c(truth, plant), absolute_sigma=0.15, floor=None)
    if spec.kind in ("cnc", "coolant_pump"):
        coolant_temp = _read(rng, coolant_temperature_c(plant, spec.line), absolute_sigma=0.15, floor=None)
    if spec.kind == "coolant_pump":
        flow_true, pressure_true, _ = pump_hydraulics(truth)
        flow = _read(rng, flow_true, relative_sigma=0.01)
        pressure = _read(rng, pressure_true, absolute_sigma=0.02)
    if spec.kind == "air_compressor":
        _, pressure_true, _ = compressor_operation(truth, plant)
        pressure = _read(rng, pressure_true, absolute_sigma=0.02)
        discharge_temp = _read(rng, compressor_discharge_temperature_c(truth, plant), absolute_sigma=0.3, floor=None)

    recipe_names = list(plant.recipes["recipe"])
    recipe_codes = np.where(state == State.PRODUCING, np.asarray(truth.recipe, dtype=np.int64), -1)
    asset_ids = list(plant.assets)
    frame = pd.DataFrame({
        "timestamp": plant.timeline.times_utc[:n].as_unit("ns"),
        "asset_id": _categorical(np.full(n, asset_ids.index(spec.asset_id)), asset_ids),
        "machine_state": _categorical(state, STATE_NAMES),
        "recipe": _categorical(recipe_codes, recipe_names),
        "speed_rpm": speed,
        "load_pct": load_pct,
        "power_kw": power,
        "motor_current_a": current,
        "vibration_rms_mm_s": vibration,
        "bearing_temp_c": bearing_temp,
        "spindle_temp_c": spindle_temp,
        "coolant_temp_c": coolant_temp,
        "flow_l_min": flow,
        "pressure_bar": pressure,
        "discharge_temp_c": discharge_temp,
    })
    # The record layer (alarms, work-order notes, defects) reads what the historian stored.
    return on_grid(frame, "telemetry")
