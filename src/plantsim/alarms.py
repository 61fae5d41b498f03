"""The alarm log: what the machines' controls and the plant SCADA raise, and what operators do.

Alarms are made from the observed telemetry, the way a control system makes them:

- every rule compares one sensor with a limit while the asset runs: ISO 10816 zone limits for
  vibration, fixed limits from the setting sheet for temperatures, and limits set at commissioning
  (from the first two weeks of running) for the pumps' pressure and flow and the air pressure;
- a rule raises after the signal has been past the limit for an on-delay and clears only when it
  has come back by a deadband (hysteresis) for an off-delay, so a noisy signal near the limit
  raises an alarm now and then instead of every sample;
- a compressed-air trip (the ``air_supply_drop`` disturbance) floods the log: every running CNC
  loses its air pressure switch, then its clamp, feed-hold, door and cycle interlocks follow within
  minutes, and the shift acknowledges the whole flood at once, late;
- every other alarm is acknowledged after a log-normal delay that depends on the shift (slower at
  night, at the next shift start when nobody is there), by one of that shift's operators; some are
  never acknowledged.

Telemetry is sampled every few minutes while a real alarm fires at any second, so an alarm's time
is placed inside the sample interval in which it fired.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from plantsim.model import PlantTruth, State
from plantsim.scenario import UTILITY_LINE
from plantsim.sensors import COMPRESSOR_CUT_IN_BAR, COMPRESSOR_CUT_OUT_BAR, RECEIVER_TAU_MIN, ZONE_LIMITS_MM_S

# ISO 10816-1 (ISO 20816-1) velocity RMS zone limits in mm/s: A/B, B/C, C/D per machine class.
ISO_ZONE_LIMITS_MM_S = ZONE_LIMITS_MM_S

RUNNING = (int(State.IDLE), int(State.PRODUCING))
PRODUCING = (int(State.PRODUCING),)
COMMISSIONING_DAYS = 14  # limits are set from the first two weeks of normal running

ALARM_COLUMNS = ["alarm_id", "asset_id", "alarm_code", "severity", "raised_at", "cleared_at",
                 "acknowledged_at", "acknowledged_by", "value", "limit", "unit", "message"]


@dataclass(frozen=True)
class AlarmRule:
    """One limit on one sensor, as configured in a machine's control or in SCADA."""

    code: str
    column: str
    direction: int  # +1: alarm above the limit, -1: below
    severity: str  # warning | alarm | critical
    unit: str
    words: str  # what the message calls the signal
    limit_kind: str  # "iso" (zone index in limit_value), "fixed", "times" (x commissioning value),
                     # "setpoint" (limit_value K above the coolant set point)
    limit_value: float
    round_to: float  # a configured limit is a round number
    deadband: float  # share of the limit the signal must come back by to clear
    on_delay_steps: int
    off_delay_steps: int
    states: tuple[int, ...]  # machine states in which the rule is armed
    kinds: tuple[str, ...] = ()  # asset kinds the rule applies to; empty: every asset with the sensor
    commissioning_quantile: float = 0.5  # which value of the commissioning weeks "times" multiplies
    startup_steps: int = 0  # start-up bypass: samples after the asset starts before the rule is armed
    needs_rotation: bool = False  # armed only while speed_rpm > 0


ALARM_RULES: tuple[AlarmRule, ...] = (
    # Vibration means something only while the shaft turns (a CNC spindle stands still between cycles).
    AlarmRule("VIB_HIGH", "vibration_rms_mm_s", +1, "warning", "mm/s", "Vibration",
              "iso", 1, 0.01, 0.12, 2, 2, RUNNING, needs_rotation=True),
    AlarmRule("VIB_TRIP", "vibration_rms_mm_s", +1, "critical", "mm/s", "Vibration",
              "iso", 2, 0.01, 0.10, 1, 2, RUNNING, needs_rotation=True),
    AlarmRule("BEARING_TEMP_HIGH", "bearing_temp_c", +1, "alarm", "degC", "Bearing temperature",
              "fixed", 50.0, 1.0, 0.05, 2, 2, RUNNING),
    AlarmRule("SPINDLE_TEMP_HIGH", "spindle_temp_c", +1, "alarm", "degC", "Spindle temperature",
              "fixed", 55.0, 1.0, 0.05, 2, 2, RUNNING),
    # The coolant warning sits a few kelvin above the chiller's set point: it sees a chiller fault.
    AlarmRule("COOLANT_TEMP_HIGH", "coolant_temp_c", +1, "warning", "degC", "Coolant temperature",
              "setpoint", 4.0, 1.0, 0.04, 2, 2, RUNNING),
    # A pump's pressure and flow move with how many machines draw coolant, so their limits come
    # from the commissioning sheet: the typical pressure, and the lowest flow seen in normal work.
    AlarmRule("PRESSURE_LOW", "pressure_bar", -1, "alarm", "bar", "Coolant pressure",
              "times", 0.8, 0.1, 0.05, 3, 2, PRODUCING, ("coolant_pump",), startup_steps=1),
    AlarmRule("FLOW_LOW", "flow_l_min", -1, "alarm", "l/min", "Coolant flow",
              "times", 0.7, 5.0, 0.05, 3, 2, PRODUCING, ("coolant_pump",), 0.01, startup_steps=1),
    # The air receiver fills for the best part of an hour after the compressors start.
    AlarmRule("AIR_PRESSURE_LOW", "pressure_bar", -1, "alarm", "bar", "Air pressure",
              "times", 0.85, 0.1, 0.04, 2, 2, RUNNING, ("air_compressor",), startup_steps=9),
    AlarmRule("DISCHARGE_TEMP_HIGH", "discharge_temp_c", +1, "alarm", "degC", "Discharge temperature",
              "fixed", 110.0, 1.0, 0.04, 2, 2, RUNNING),
)

_RULE_ADVICE = {
    "VIB_HIGH": "ISO 10816 zone C, plan maintenance",
    "VIB_TRIP": "ISO 10816 zone D, stop and inspect",
}

# The compressed-air trip (air_supply_drop): the header pressure falls through the air receiver's
# lag, and the pressure switch of every running CNC opens once the pressure at the machine (header
# minus the pipe loss) passes its switch point; the interlocks behind it follow within minutes.
AIR_SWITCH_LIMIT_BAR = 6.0
AIR_SWITCH_RESET_BAR = 6.2
PIPE_LOSS_BAR = 0.5
FLOOD_SWITCH_SPREAD_S = 60.0  # switches differ a little in setting and in their place on the pipe
FLOOD_CONSEQUENCES: tuple[tuple[str, str, float, float, bool, str], ...] = (
    # code, severity, seconds after the machine's air alarm (from, to), only while cutting, message
    ("FEED_HOLD", "alarm", 1.0, 5.0, False, "Feed hold: pneumatic interlock open"),
    ("TOOL_CLAMP_FAULT", "critical", 3.0, 20.0, True, "Tool clamp air pressure lost, spindle stopped"),
    ("CYCLE_ABORTED", "warning", 20.0, 60.0, True, "Machining cycle aborted, part to be checked"),
    ("TOOL_CHANGER_FAULT", "alarm", 30.0, 240.0, False, "Tool changer arm not in home position"),
    ("START_INHIBITED", "warning", 120.0, 420.0, False, "Cycle start refused: air pressure interlock"),
    ("DOOR_INTERLOCK", "warning", 180.0, 540.0, False, "Pneumatic door did not close on restart"),
)
FLOOD_RETRIPS = (0, 3)  # extra air-alarm raises per CNC while the standby compressor hunts
FLOOD_ACK_DELAY_MEDIAN_MIN = 25.0  # the shift deals with the machines first, acknowledges later
# The flood is the same whichever group of assets is being written: its random numbers come from
# the plant seed, the trip and the asset, not from the caller's generator.
FLOOD_STREAM = 7201

# Acknowledgement: delay median (minutes) by shift, spread, and the share never acknowledged.
ACK_MEDIAN_MIN = {1: 2.5, 2: 4.0, 3: 9.0}
ACK_UNATTENDED_MEDIAN_MIN = 12.0  # after the next shift has started
ACK_SIGMA = 0.9
NEVER_ACKNOWLEDGED = {"warning": 0.08, "alarm": 0.02, "critical": 0.005}

# Operators on each shift (initials as the HMI logs them); utilities are acknowledged by the
# shift leaders.
OPERATOR_POOL = ("MK", "TB", "SA", "JW", "PN", "LH", "DK", "RS", "EY", "AF", "CG", "NO",
                 "BH", "KL", "VM", "IU", "HD", "GR", "OT", "WZ", "FE", "UL", "ZP", "CJ")
SHIFT_LEADERS = {1: ("RH", "MB"), 2: ("KS", "TF"), 3: ("JD", "AN")}


def alarms(telemetry: pd.DataFrame, assets: pd.DataFrame, plant: PlantTruth,
           rng: np.random.Generator) -> pd.DataFrame:
    """The plant's alarm log from the observed (clean) telemetry of all assets.

    ``assets`` is the asset register (asset_id, kind, line, machine_class); pass the whole plant's
    register even when ``telemetry`` holds one group of assets: alarm ids are numbered after an
    asset's place in it, so logs written group by group never share an id. Returns one row per
    alarm with the columns in ``ALARM_COLUMNS``: times in UTC, the value that raised it, the
    configured limit and its unit.
    """
    timeline = plant.timeline
    step_ns = np.int64(timeline.step_minutes * 60 * 10**9)
    register = assets.assign(asset_id=assets["asset_id"].astype(str)).set_index("asset_id")
    times = _utc_ns(telemetry["timestamp"])
    states = state_codes(telemetry["machine_state"])
    positions = telemetry.groupby(telemetry["asset_id"].astype(str), sort=False, observed=True).indices
    turning = (telemetry["speed_rpm"].to_numpy(dtype=float) > 0) if "speed_rpm" in telemetry \
        else np.ones(len(telemetry), dtype=bool)

    parts = []
    for asset_id in register.index:
        if asset_id not in positions:
            continue
        rows = positions[asset_id]
        rows = rows[np.argsort(times[rows], kind="stable")]
        info = register.loc[asset_id]
        for rule in ALARM_RULES:
            if rule.kinds and info["kind"] not in rule.kinds:
                continue
            if rule.column not in telemetry.columns:
                continue
            values = telemetry[rule.column].to_numpy(dtype=float)[rows]
            if not np.isfinite(values).any():
                continue  # this kind of asset has no such sensor
            limit = _limit(rule, info, values, states[rows], times[rows], plant.settings.coolant_setpoint_c)
            if limit is None:
                continue
            found = rule_alarms(values, states[rows], rule, limit, turning[rows])
            if len(found["raise"]) == 0:
                continue
            parts.append(pd.DataFrame({
                "asset_id": asset_id,
                "alarm_code": rule.code,
                "severity": rule.severity,
                "raised_ns": times[rows][found["raise"]],
                "cleared_ns": np.where(found["clear"] >= 0, times[rows][np.maximum(found["clear"], 0)], -1),
                "value": np.round(values[found["raise"]], 2),
                "limit": limit,
                "unit": rule.unit,
                "message": [_message(rule, v, limit) for v in values[found["raise"]]],
            }))
    log = pd.concat(parts, ignore_index=True) if parts else _empty_log()
    # A sample stands for its whole interval: the alarm fired at some second inside it.
    log["raised_ns"] = log["raised_ns"] + (rng.random(len(log)) * step_ns).astype(np.int64)
    cleared = log["cleared_ns"].to_numpy()
    log["cleared_ns"] = np.where(cleared >= 0, cleared + (rng.random(len(log)) * step_ns).astype(np.int64), -1)

    log = _acknowledge(log, register, timeline, rng)
    flood, presses = _air_trip_floods(times, states, positions, register, plant)
    raised = log["raised_ns"].to_numpy()
    for trip_at, ack_at, operator in presses:
        # In a flood nobody acknowledges alarm by alarm: "acknowledge all" takes every alarm
        # raised since the trip, the sensor alarms among them.
        during = (raised >= trip_at) & (raised < ack_at)
        log.loc[during, "acknowledged_ns"] = ack_at
        log.loc[during, "acknowledged_by"] = operator
    log = pd.concat([log, flood], ignore_index=True) if len(flood) else log
    return _finish(log, list(register.index), telemetry["timestamp"].dtype)


def rule_alarms(values: np.ndarray, states: np.ndarray, rule: AlarmRule, limit: float,
                turning: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Raise and clear sample indices of one rule on one asset's time-ordered samples.

    The rule is armed in its machine states (and, if it needs rotation, while ``turning``), after
    its start-up bypass. While disarmed an alarm keeps its state, as a suppressed alarm does on an
    HMI: it clears only when an armed sample is back inside the deadband. ``clear`` is -1 for an
    alarm still active at the last sample.
    """
    in_state = np.isin(states, rule.states)
    if rule.needs_rotation and turning is not None:
        in_state &= turning
    armed = held_for(in_state, rule.startup_steps + 1)
    finite = np.isfinite(values)
    clear_level = limit - rule.direction * rule.deadband * abs(limit)
    past = armed & finite & (rule.direction * (values - limit) > 0)
    back = armed & finite & (rule.direction * (values - clear_level) < 0)
    set_now = held_for(past, rule.on_delay_steps)
    reset_now = held_for(back, rule.off_delay_steps)
    latch = np.full(len(values), np.nan)
    latch[reset_now] = 0.0
    latch[set_now] = 1.0
    active = pd.Series(latch).ffill().fillna(0.0).to_numpy() > 0.5
    before = np.concatenate([[False], active[:-1]])
    raised = np.flatnonzero(active & ~before)
    cleared = np.flatnonzero(~active & before)
    clear_of_raise = np.full(len(raised), -1, dtype=np.int64)
    clear_of_raise[: len(cleared)] = cleared  # every clear follows its raise
    return {"raise": raised, "clear": clear_of_raise}


def held_for(condition: np.ndarray, samples: int) -> np.ndarray:
    """True where ``condition`` has held for the last ``samples`` samples in a row."""
    held = condition.copy()
    for lag in range(1, samples):
        held[lag:] &= condition[:-lag]
        held[:lag] = False
    return held


def commissioning_value(values: np.ndarray, states: np.ndarray, times_ns: np.ndarray,
                        quantile: float = 0.5) -> float | None:
    """A quantile of the signal while producing in its first weeks: what the commissioning
    engineer writes on the setting sheet (None when the asset never produced)."""
    producing = (states == int(State.PRODUCING)) & np.isfinite(values)
    if not producing.any():
        return None
    first = times_ns[producing][0]
    window = producing & (times_ns < first + np.int64(COMMISSIONING_DAYS * 86400 * 10**9))
    return float(np.quantile(values[window], quantile))


def state_codes(machine_state: pd.Series) -> np.ndarray:
    """Machine states as State integers, whether the column holds names or numbers."""
    if pd.api.types.is_numeric_dtype(machine_state.dtype):
        return machine_state.to_numpy(dtype=np.int8)
    categorical = machine_state.astype("category")
    by_name = {s.name.lower(): int(s) for s in State}
    lookup = np.array([by_name.get(str(c).lower(), -1) for c in categorical.cat.categories] + [-1], dtype=np.int8)
    return lookup[categorical.cat.codes.to_numpy()]


def _limit(rule: AlarmRule, info: pd.Series, values: np.ndarray, states: np.ndarray,
           times_ns: np.ndarray, coolant_setpoint_c: float = 20.0) -> float | None:
    if rule.limit_kind == "iso":
        zones = ISO_ZONE_LIMITS_MM_S.get(str(info["machine_class"]))
        return None if zones is None else zones[int(rule.limit_value)]
    if rule.limit_kind == "fixed":
        return float(rule.limit_value)
    if rule.limit_kind == "setpoint":
        return float(np.round((coolant_setpoint_c + rule.limit_value) / rule.round_to) * rule.round_to)
    base = commissioning_value(values, states, times_ns, rule.commissioning_quantile)
    if base is None:
        return None
    return float(np.round(np.round(base * rule.limit_value / rule.round_to) * rule.round_to, 4))


def _message(rule: AlarmRule, value: float, limit: float) -> str:
    side = "above" if rule.direction > 0 else "below"
    digits = 2 if rule.unit in ("mm/s", "bar") else 1
    text = f"{rule.words} {value:.{digits}f} {rule.unit} {side} limit {limit:g} {rule.unit}"
    advice = _RULE_ADVICE.get(rule.code)
    return f"{text} ({advice})" if advice else text


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame({
        "asset_id": pd.Series(dtype=str), "alarm_code": pd.Series(dtype=str), "severity": pd.Series(dtype=str),
        "raised_ns": pd.Series(dtype=np.int64), "cleared_ns": pd.Series(dtype=np.int64),
        "value": pd.Series(dtype=float), "limit": pd.Series(dtype=float), "unit": pd.Series(dtype=str),
        "message": pd.Series(dtype=str),
    })


def _utc_ns(timestamps: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(timestamps, utc=True).dt.tz_convert(None)
    return stamps.to_numpy().astype("datetime64[ns]").view(np.int64)


def _shift_of_line(timeline, line: str) -> np.ndarray:
    """Shift code per step for a line; utilities (and unknown lines) are attended whenever any line works."""
    if line in timeline.shift_by_line:
        return timeline.shift_by_line[line]
    return np.max(np.stack(list(timeline.shift_by_line.values())), axis=0)


def _step_of(times_ns: np.ndarray, grid_ns: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(grid_ns, times_ns, side="right") - 1, 0, len(grid_ns) - 1)


def _next_attended_step(shift: np.ndarray) -> np.ndarray:
    """For every step, the first step at or after it in which someone is on shift (n if none)."""
    n = len(shift)
    index = np.where(shift != 0, np.arange(n), n)
    return np.minimum.accumulate(index[::-1])[::-1]


def _crews(line: str, timeline) -> np.ndarray:
    """Initials of the people who acknowledge alarms of a line, per shift code (row) 0..3."""
    production = sorted(k for k in timeline.shift_by_line if k != UTILITY_LINE)
    rows = []
    for shift in range(4):
        code = shift or 1  # off-shift alarms are acknowledged by the next shift, modelled as early
        if line not in production:
            leaders = SHIFT_LEADERS[code]
            rows.append([leaders[k % len(leaders)] for k in range(3)])
            continue
        start = (production.index(line) * 3 + code - 1) * 3
        rows.append([OPERATOR_POOL[(start + k) % len(OPERATOR_POOL)] for k in range(3)])
    return np.array(rows, dtype=object)


def _grid_ns(timeline) -> np.ndarray:
    return timeline.times_utc.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)


def _acknowledge(log: pd.DataFrame, register: pd.DataFrame, timeline, rng: np.random.Generator) -> pd.DataFrame:
    """When, and by whom, each alarm was acknowledged (-1 / None for never)."""
    grid = _grid_ns(timeline)
    end_of_records = grid[-1] + np.int64(timeline.step_minutes * 60 * 10**9)
    n = len(log)
    normal = rng.normal(size=n)
    never_draw = rng.random(n)
    pick = rng.integers(0, 3, size=n)
    ack_ns = np.full(n, -1, dtype=np.int64)
    ack_by = np.full(n, None, dtype=object)
    medians = np.array([ACK_UNATTENDED_MEDIAN_MIN] + [ACK_MEDIAN_MIN[s] for s in (1, 2, 3)])
    never_share = log["severity"].map(NEVER_ACKNOWLEDGED).fillna(0.0).to_numpy()
    lines = register["line"].astype(str)
    for asset_id, rows in log.groupby("asset_id", sort=False).indices.items():
        shift = _shift_of_line(timeline, lines[asset_id])
        next_on = _next_attended_step(shift)
        raised = log["raised_ns"].to_numpy()[rows]
        step = _step_of(raised, grid)
        on_shift = shift[step]
        # Off shift, the alarm waits on the screen until the next shift starts.
        waits_until = np.where(next_on[step] < len(grid), grid[np.minimum(next_on[step], len(grid) - 1)], -1)
        base = np.where(on_shift != 0, raised, waits_until)
        acked = base + (medians[on_shift] * np.exp(ACK_SIGMA * normal[rows]) * 60e9).astype(np.int64)
        acked[(base < 0) | (acked >= end_of_records) | (never_draw[rows] < never_share[rows])] = -1
        ack_ns[rows] = acked
        crew_shift = shift[_step_of(np.maximum(acked, grid[0]), grid)]
        names = _crews(lines[asset_id], timeline)[crew_shift, pick[rows]]
        ack_by[rows] = np.where(acked >= 0, names, None)
    return log.assign(acknowledged_ns=ack_ns, acknowledged_by=ack_by)


def air_trip_pressure(disturbance, timeline) -> dict[str, float]:
    """When the machines' air pressure switches open and close during an air_supply_drop.

    The plant air header follows the drop through the receiver's first-order lag (as the
    compressors' own pressure gauges show it); a machine sees the header minus the pipe loss.
    Returns seconds after the disturbance starts: ``trip`` (NaN when the switches never open),
    ``recover``, and ``lowest_bar`` at the machines.
    """
    tau_s = RECEIVER_TAU_MIN * 60.0
    magnitude = float(disturbance.magnitude)
    length_s = (disturbance.end_step - disturbance.start_step) * timeline.step_minutes * 60.0
    at_machine = (COMPRESSOR_CUT_IN_BAR + COMPRESSOR_CUT_OUT_BAR) / 2 - PIPE_LOSS_BAR
    deepest = magnitude * (1.0 - np.exp(-length_s / tau_s))
    margin = at_machine - AIR_SWITCH_LIMIT_BAR
    if magnitude <= 0 or deepest <= margin:
        return {"trip": np.nan, "recover": np.nan, "lowest_bar": at_machine - deepest}
    trip = -tau_s * np.log(1.0 - margin / magnitude)
    reset_margin = at_machine - AIR_SWITCH_RESET_BAR
    recover = length_s + (tau_s * np.log(deepest / reset_margin) if deepest > reset_margin else 0.0)
    return {"trip": float(trip), "recover": float(recover), "lowest_bar": float(at_machine - deepest)}


def _air_trip_floods(times: np.ndarray, states: np.ndarray, positions: dict, register: pd.DataFrame,
                     plant: PlantTruth) -> tuple[pd.DataFrame, list[tuple[int, int, str | None]]]:
    """The alarm flood of every compressed-air trip.

    Returns the flood's alarms and, per trip, (trip time, acknowledge-all time or -1, operator):
    the acknowledge-all press also takes the sensor alarms raised during the trip.
    """
    timeline = plant.timeline
    grid = _grid_ns(timeline)
    end_of_records = grid[-1] + np.int64(timeline.step_minutes * 60 * 10**9)
    kinds = register["kind"].astype(str)
    floods, presses = [], []
    for disturbance in plant.disturbances:
        if disturbance.kind != "air_supply_drop":
            continue
        pressure = air_trip_pressure(disturbance, timeline)
        if not np.isfinite(pressure["trip"]):
            continue
        trip_rng = np.random.default_rng([plant.seed, FLOOD_STREAM, disturbance.start_step])
        start = grid[disturbance.start_step]
        tripped_at = start + np.int64(trip_rng.uniform(0, 60) * 1e9)  # the compressor stops first
        switch_at = start + np.int64(pressure["trip"] * 1e9)
        recovered = start + np.int64(pressure["recover"] * 1e9)
        ack_at = recovered + np.int64(FLOOD_ACK_DELAY_MEDIAN_MIN * 60e9 * np.exp(0.4 * trip_rng.normal()))
        restart_at = start + np.int64(((disturbance.end_step - disturbance.start_step) * timeline.step_minutes * 60
                                       - trip_rng.uniform(0, 120)) * 1e9)
        compressors = sorted(a for a in register.index if kinds[a] == "air_compressor")
        drawn = compressors[int(trip_rng.integers(len(compressors)))] if compressors else None
        tripped = getattr(disturbance, "asset_id", None) or drawn
        leader_pick = trip_rng.random()

        rows = []
        if tripped in positions:
            rows.append((tripped, "COMPRESSOR_TRIP", "critical", tripped_at, max(restart_at, tripped_at + np.int64(60e9)),
                         np.nan, np.nan, "", "Compressor tripped on high discharge temperature, restart required"))
        for asset_id in register.index:
            if asset_id not in positions or kinds[asset_id] not in ("cnc", "conveyor"):
                continue
            state = _state_at(positions[asset_id], times, states, switch_at)
            if state in (int(State.OFF), -1):
                continue  # a powered-down machine raises nothing
            rng = np.random.default_rng([plant.seed, FLOOD_STREAM, disturbance.start_step, zlib.crc32(asset_id.encode())])
            if kinds[asset_id] == "conveyor":
                rows.append((asset_id, "STOPPER_FAULT", "warning", switch_at + np.int64(rng.uniform(30, 240) * 1e9), -1,
                             np.nan, np.nan, "", "Pneumatic part stopper not in position"))
                continue
            value = round(pressure["lowest_bar"] + rng.uniform(-0.1, 0.1), 2)
            message = f"Air pressure {value:.2f} bar below switch point {AIR_SWITCH_LIMIT_BAR:g} bar"
            first_air = switch_at + np.int64(rng.uniform(0, FLOOD_SWITCH_SPREAD_S) * 1e9)
            # The standby compressor cuts in and the header hunts around the switch point: the air
            # alarm clears and comes back a few times before the air is really back.
            raise_at = first_air
            for _ in range(int(rng.integers(FLOOD_RETRIPS[0], FLOOD_RETRIPS[1] + 1))):
                clear_at = raise_at + np.int64(rng.uniform(60, 150) * 1e9)
                if clear_at + np.int64(70e9) >= recovered:
                    break
                rows.append((asset_id, "AIR_PRESSURE_LOW", "alarm", raise_at, clear_at, value,
                             AIR_SWITCH_LIMIT_BAR, "bar", message))
                raise_at = clear_at + np.int64(rng.uniform(10, 60) * 1e9)
            rows.append((asset_id, "AIR_PRESSURE_LOW", "alarm", raise_at, max(recovered, raise_at + np.int64(5e9)),
                         value, AIR_SWITCH_LIMIT_BAR, "bar", message))
            for code, severity, low, high, cutting_only, text in FLOOD_CONSEQUENCES:
                delay = rng.uniform(low, high)
                if cutting_only and state != int(State.PRODUCING):
                    continue
                rows.append((asset_id, code, severity, first_air + np.int64(delay * 1e9), -1, np.nan, np.nan, "", text))

        # The shift gets the machines going again first and clears the whole list with one
        # "acknowledge all" press, well after the air is back.
        pressed = ack_at < end_of_records
        shift = int(_shift_of_line(timeline, UTILITY_LINE)[_step_of(np.array([ack_at]), grid)[0]]) or 1
        leaders = SHIFT_LEADERS[shift]
        leader = leaders[int(leader_pick * len(leaders))] if pressed else None
        presses.append((int(start), int(ack_at) if pressed else -1, leader))
        if not rows:
            continue
        flood = pd.DataFrame(rows, columns=["asset_id", "alarm_code", "severity", "raised_ns", "cleared_ns",
                                            "value", "limit", "unit", "message"])
        latched = flood["cleared_ns"].to_numpy() < 0  # interlocks stay until reset after the ack
        reset_rng = np.random.default_rng([plant.seed, FLOOD_STREAM, disturbance.start_step, len(flood)])
        reset = ack_at + (reset_rng.uniform(5, 90, size=len(flood)) * 1e9).astype(np.int64)
        cleared = np.where(latched, reset, flood["cleared_ns"].to_numpy(dtype=np.int64))
        flood["cleared_ns"] = np.where(cleared < end_of_records, cleared, -1)
        flood["raised_ns"] = flood["raised_ns"].astype(np.int64)
        flood["acknowledged_ns"] = np.int64(ack_at) if pressed else np.int64(-1)
        flood["acknowledged_by"] = leader
        floods.append(flood)
    return (pd.concat(floods, ignore_index=True) if floods else pd.DataFrame()), presses


def _state_at(rows: np.ndarray, times: np.ndarray, states: np.ndarray, when: int) -> int:
    before = rows[times[rows] <= when]
    return int(states[before[np.argmax(times[before])]]) if len(before) else int(State.OFF)


def _finish(log: pd.DataFrame, asset_order: list[str], timestamp_dtype) -> pd.DataFrame:
    if len(log) == 0:
        empty = _empty_log().assign(acknowledged_ns=pd.Series(dtype=np.int64),
                                    acknowledged_by=pd.Series(dtype=object))
        log = empty
    log = log.sort_values(["raised_ns", "asset_id", "alarm_code"], kind="stable").reset_index(drop=True)

    def stamps(column: str) -> pd.Series:
        ns = log[column].to_numpy(dtype=np.int64)
        # Controls log whole seconds.
        ns = np.where(ns >= 0, ns // 10**9 * 10**9, np.iinfo(np.int64).min)
        out = pd.Series(pd.to_datetime(ns, utc=True), index=log.index)
        try:
            return out.astype(timestamp_dtype)
        except (TypeError, ValueError):
            return out

    # Ids count per asset, after the asset's place in the register, so that logs written for
    # different groups of assets never share an id.
    number = log.groupby("asset_id", sort=False).cumcount().to_numpy() + 1
    place = log["asset_id"].map({a: k for k, a in enumerate(asset_order, start=1)}).to_numpy()
    result = pd.DataFrame({
        "alarm_id": [f"ALM-{p:02d}{k:05d}" for p, k in zip(place, number)],
        "asset_id": log["asset_id"].astype(str),
        "alarm_code": log["alarm_code"].astype(str),
        "severity": log["severity"].astype(str),
        "raised_at": stamps("raised_ns"),
        "cleared_at": stamps("cleared_ns"),
        "acknowledged_at": stamps("acknowledged_ns"),
        "acknowledged_by": log["acknowledged_by"].astype(object).where(log["acknowledged_by"].notna(), None),
        "value": log["value"].astype(float),
        "limit": log["limit"].astype(float),
        "unit": log["unit"].astype(str),
        "message": log["message"].astype(str),
    })
    return result[ALARM_COLUMNS]
