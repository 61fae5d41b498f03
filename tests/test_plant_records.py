"""The record layer and the data defects: alarm log, work orders, tool changes, defects, historian export.

Everything runs on a small plant built by hand below (two weeks around the spring clock change,
six assets, telemetry with a spindle bearing wearing out), not on the full simulator.
"""
from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plantsim import alarms, defects, historian, workorders
from plantsim.model import (AssetSpec, AssetTruth, BearingGeometry, Disturbance, FailureMode, MaintenanceEvent,
                            PlantTruth, State, Timeline)
from plantsim.resolution import RESOLUTIONS, on_grid
from plantsim.scenario import DefectSettings, load_scenario

# The course's own story (datasets/plant/scenario.yml): its export week lies inside this small plant.
STORY = load_scenario(Path(__file__).resolve().parents[1] / "datasets" / "plant" / "scenario.yml").story
TIMEZONE = "Europe/Berlin"
START_LOCAL = "2025-03-24"  # a Monday; the clocks go forward in the night to Sunday 2025-03-30
DAYS = 14
STEP_MINUTES = 5
SEED = 4242
STATE_NAMES = ["off", "idle", "producing", "down"]
BEARING = BearingGeometry("6205-2RS", 9, 7.94, 39.04, 0.0)


def _mode(name: str, component: str, repair_hours=(4.0, 8.0)) -> FailureMode:
    return FailureMode(name, component, 3000.0, 1.0, 1.0, 1e-6, 1e-3, 3.0, repair_hours, (500.0, 900.0))


MODES = {
    "cnc": (_mode("spindle_bearing", "spindle bearing", (16.0, 40.0)), _mode("cutting_tool", "boring insert", (0.25, 0.75))),
    "coolant_pump": (_mode("impeller_wear", "impeller"), _mode("pump_seal", "mechanical seal")),
    "conveyor": (_mode("gearbox_bearing", "gearbox bearing"),),
    "air_compressor": (_mode("compressor_valve", "inlet valve"),),
}
ASSETS = (("CNC-101", "cnc", "L1", 18.5), ("CNC-102", "cnc", "L1", 18.5), ("CNC-201", "cnc", "L2", 22.0),
          ("PMP-101", "coolant_pump", "L1", 7.5), ("CNV-101", "conveyor", "L1", 3.0),
          ("CMP-01", "air_compressor", "UT", 37.0))
SPEED = {"cnc": 12000.0, "coolant_pump": 2900.0, "conveyor": 1450.0, "air_compressor": 2960.0}
FAILURE_LOCAL = "2025-04-02 10:00"  # CNC-101's spindle bearing fails
AIR_TRIP_LOCAL = "2025-03-26 09:00"  # a compressor trips: plant air drops 1.8 bar for 45 minutes


# --- the hand-built plant --------------------------------------------------------------------------

def _timeline() -> Timeline:
    first = pd.Timestamp(START_LOCAL).tz_localize(TIMEZONE).tz_convert("UTC")
    times = pd.date_range(first, periods=DAYS * 24 * 60 // STEP_MINUTES, freq=f"{STEP_MINUTES}min")
    local = times.tz_convert(TIMEZONE)
    hour = local.hour.to_numpy()
    clock = np.select([(hour >= 6) & (hour < 14), (hour >= 14) & (hour < 22)], [1, 2], 3).astype(np.int8)
    night_after_midnight = (clock == 3) & (hour < 6)
    weekday = (local - pd.to_timedelta(night_after_midnight.astype(int), unit="D")).day_of_week.to_numpy()
    workday = weekday < 5
    l1 = np.where(workday, clock, 0).astype(np.int8)
    l2 = np.where(workday & (clock < 3), clock, 0).astype(np.int8)
    shifts = {"L1": l1, "L2": l2, "UT": np.maximum(l1, l2)}
    return Timeline(times, STEP_MINUTES, TIMEZONE, clock, shifts, np.zeros(len(times), dtype=bool))


def _step(timeline: Timeline, local: str) -> int:
    return int(np.searchsorted(timeline.times_utc, pd.Timestamp(local).tz_localize(TIMEZONE)))


def _event(asset_id, step, hours, kind, mode, health_before, failure, reason, cost=800.0) -> MaintenanceEvent:
    return MaintenanceEvent(asset_id, step, step + int(hours * 12), kind, mode, health_before, 1.0, cost, failure, reason)


def _truths(timeline: Timeline) -> dict[str, AssetTruth]:
    n = timeline.n_steps
    truths = {}
    for asset_id, kind, line, rated in ASSETS:
        shift = timeline.shift_by_line[line]
        working = shift > 0
        started = working & ~np.concatenate([[False], working[:-1]])
        since_start = np.arange(n) - np.maximum.accumulate(np.where(started, np.arange(n), 0))
        producing = working & (since_start >= 2) if kind == "cnc" else working
        state = np.where(producing, State.PRODUCING, np.where(working, State.IDLE, State.OFF)).astype(np.int8)
        events_: list[MaintenanceEvent] = []
        health = {m.name: np.full(n, 0.95, dtype=np.float32) for m in MODES[kind] if m.name != "cutting_tool"}
        tool_id = wear = None
        if asset_id == "CNC-101":
            failed = _step(timeline, FAILURE_LOCAL)
            health["spindle_bearing"][:failed + 1] = np.linspace(0.9, 0.05, failed + 1)
            health["spindle_bearing"][failed + 1:] = 1.0
            events_.append(_event(asset_id, failed, 20, "corrective", "spindle_bearing", 0.05, True, "breakdown", 9000.0))
        if asset_id == "CNC-102":
            events_.append(_event(asset_id, _step(timeline, "2025-03-29 10:00"), 4, "preventive", None, 0.9, False,
                                  "schedule", 600.0))
        if asset_id == "PMP-101":
            events_.append(_event(asset_id, _step(timeline, "2025-04-05 08:00"), 3, "condition_based",
                                  "impeller_wear", 0.3, False, "inspection_finding"))
        if asset_id == "CMP-01":
            events_.append(_event(asset_id, _step(timeline, "2025-03-27 11:00"), 5, "corrective", "compressor_valve",
                                  0.2, True, "breakdown"))
        if asset_id == "CNC-102":
            # Inserts changed every 150 cutting steps; the fourth one broke early.
            cutting = np.cumsum(state == State.PRODUCING)
            changes = [int(np.searchsorted(cutting, k * 150)) for k in range(1, 6)]
            changes[3] = changes[2] + (changes[3] - changes[2]) // 2
            tool_id = np.ones(n, dtype=np.int32)
            wear = np.zeros(n, dtype=np.float32)
            last = 0
            for number, step in enumerate(changes, start=1):
                broken = number == 4
                wear[last:step + 1] = np.linspace(0.02, 0.18 if broken else 0.26, step + 1 - last)
                tool_id[step + 1:] = number + 1
                events_.append(_event(asset_id, step, 0.25, "corrective" if broken else "tool_change", "cutting_tool",
                                      float(wear[step]), broken, "broken" if broken else "planned_count", 120.0))
                last = step + 1
        for event in events_:
            if event.kind != "tool_change":
                state[event.step:event.end_step] = State.DOWN
        speed = np.where(np.isin(state, (State.IDLE, State.PRODUCING)) & ((state == State.PRODUCING) | (kind != "cnc")),
                         SPEED[kind], 0.0).astype(np.float32)
        spec = AssetSpec(asset_id, kind, line, "TEST", rated, SPEED[kind], "I" if rated <= 15 else "II", BEARING,
                         MODES[kind], ("HX-40",) if kind == "cnc" else ())
        truths[asset_id] = AssetTruth(spec, state, (state == State.PRODUCING).astype(np.float32) * 0.6, speed,
                                      np.where(state == State.PRODUCING, 0, -1).astype(np.int8) if kind == "cnc"
                                      else np.full(n, -1, dtype=np.int8), health, events_, wear, tool_id)
    return truths


def _build_plant() -> PlantTruth:
    timeline = _timeline()
    trip = _step(timeline, AIR_TRIP_LOCAL)
    disturbances = [Disturbance("air_supply_drop", "UT", trip, trip + 9, 1.8, "compressor trip")]
    recipes = pd.DataFrame({"recipe": ["HX-40"], "cycle_time_min": [5.0]})
    return PlantTruth(timeline, _truths(timeline), disturbances, pd.DataFrame(), recipes, SEED)


def _telemetry(plant: PlantTruth) -> pd.DataFrame:
    """Readings from the truth: vibration grows as CNC-101's bearing wears; the air header falls in the trip."""
    rng = np.random.default_rng(7)
    timeline = plant.timeline
    n = timeline.n_steps
    frames = []
    for asset_id, truth in plant.assets.items():
        kind = truth.spec.kind
        running = np.isin(truth.state, (State.IDLE, State.PRODUCING))
        turning = truth.speed_rpm > 0
        nan = np.full(n, np.nan)
        noise = rng.normal(size=(8, n))
        damage = 1.0 - truth.health[next(iter(truth.health))]
        vibration = np.where(turning, (0.8 + 8.0 * damage**2.35) * np.exp(0.07 * noise[0]), 0.03)
        power = np.where(running, truth.spec.rated_power_kw * (0.3 + 0.5 * truth.load) * (1 + 0.01 * noise[1]), 0.0)
        columns = {
            "speed_rpm": truth.speed_rpm.astype(float), "load_pct": np.where(running, 60 + noise[2], 0.0),
            "power_kw": power, "motor_current_a": power * 1.7,
            "vibration_rms_mm_s": vibration, "bearing_temp_c": np.where(running, 32 + 0.3 * noise[3], 22 + 0.3 * noise[3]),
            "spindle_temp_c": nan, "coolant_temp_c": nan, "flow_l_min": nan, "pressure_bar": nan, "discharge_temp_c": nan,
        }
        if kind == "cnc":
            columns["spindle_temp_c"] = np.where(running, 38 + 0.3 * noise[4], 23 + 0.3 * noise[4])
            columns["coolant_temp_c"] = 20.5 + 0.2 * noise[5]  # held by the chiller near its 20 degC set point
        if kind == "coolant_pump":
            columns["coolant_temp_c"] = 20.5 + 0.2 * noise[5]  # held by the chiller near its 20 degC set point
            columns["flow_l_min"] = np.where(running, 340 + 4 * noise[6], 0.0)
            columns["pressure_bar"] = np.where(running, 4.8 + 0.05 * noise[7], 0.0)
        if kind == "air_compressor":
            drop = np.zeros(n)
            for d in plant.disturbances:
                minutes = (np.arange(n) - d.start_step + 1) * STEP_MINUTES
                during = (np.arange(n) >= d.start_step) & (np.arange(n) < d.end_step)
                drop[during] = d.magnitude * (1 - np.exp(-minutes[during] / 20.0))
            columns["pressure_bar"] = np.where(running, 7.2 - drop + 0.03 * noise[6], 0.0)
            columns["discharge_temp_c"] = np.where(running, 85 + 0.5 * noise[7], 25.0)
        frame = pd.DataFrame({
            "timestamp": timeline.times_utc.as_unit("ns"),
            "asset_id": pd.Categorical([asset_id] * n, categories=list(plant.assets)),
            "machine_state": pd.Categorical.from_codes(truth.state.astype(np.int64), STATE_NAMES),
            "recipe": pd.Categorical.from_codes(np.where(truth.recipe >= 0, 0, -1), ["HX-40"]),
            **{k: np.asarray(v, dtype=np.float64) for k, v in columns.items()},
        })
        frames.append(on_grid(frame, "telemetry"))  # each reading on its sensor's resolution, as the plant stores it
    telemetry = pd.concat(frames, ignore_index=True)
    telemetry["probe"] = np.arange(len(telemetry))  # lets the tests follow every row through the defects
    return telemetry


def _register(plant: PlantTruth) -> pd.DataFrame:
    return pd.DataFrame([{"asset_id": a, "kind": t.spec.kind, "line": t.spec.line, "model": t.spec.model,
                          "rated_power_kw": t.spec.rated_power_kw, "nominal_speed_rpm": t.spec.nominal_speed_rpm,
                          "machine_class": t.spec.machine_class} for a, t in plant.assets.items()])


def _parts(plant: PlantTruth) -> pd.DataFrame:
    rows = []
    for asset_id, truth in plant.assets.items():
        if truth.spec.kind != "cnc":
            continue
        steps = np.flatnonzero(truth.state == State.PRODUCING)
        tools = truth.tool_id[steps] if truth.tool_id is not None else np.ones(len(steps), dtype=np.int32)
        rows.append(pd.DataFrame({
            "part_id": [f"{asset_id}-{k:06d}" for k in range(1, len(steps) + 1)],
            "timestamp": plant.timeline.times_utc[steps] + pd.Timedelta(minutes=3),
            "asset_id": asset_id, "tool_id": tools.astype(np.int32), "bore_diameter_mm": 40.012, "passed": True,
        }))
    return pd.concat(rows, ignore_index=True)


def _energy(telemetry: pd.DataFrame) -> pd.DataFrame:
    frame = telemetry.assign(asset_id=telemetry["asset_id"].astype(str),
                             slot=telemetry["timestamp"].dt.floor("15min"))
    energy = frame.groupby(["asset_id", "slot"])["power_kw"].mean().reset_index()
    return pd.DataFrame({"timestamp": energy["slot"], "asset_id": energy["asset_id"], "state": "producing",
                         "energy_kwh": np.round(energy["power_kw"] * 0.25, 2),
                         "mean_power_kw": np.round(energy["power_kw"], 3)})


@pytest.fixture(scope="module")
def plant() -> PlantTruth:
    return _build_plant()


@pytest.fixture(scope="module")
def telemetry(plant) -> pd.DataFrame:
    return _telemetry(plant)


@pytest.fixture(scope="module")
def alarm_log(plant, telemetry) -> pd.DataFrame:
    return alarms.alarms(telemetry, _register(plant), plant, np.random.default_rng(1))


@pytest.fixture(scope="module")
def clean_tables(plant, telemetry, alarm_log) -> dict[str, pd.DataFrame]:
    return {
        "telemetry": telemetry,
        "vibration": pd.DataFrame({"capture_id": [1], "asset_id": ["CNC-101"], "accel_g": [[0.0, 0.1]]}),
        "parts": _parts(plant),
        "energy": _energy(telemetry),
        "alarms": alarm_log,
        "work_orders": workorders.work_orders(plant, np.random.default_rng(2), telemetry=telemetry,
                                              assets=_register(plant)),
        "tool_changes": workorders.tool_changes(plant, np.random.default_rng(3)),
    }


@pytest.fixture(scope="module")
def applied(plant, clean_tables):
    before = {name: frame.copy(deep=True) for name, frame in clean_tables.items()}
    raw, manifest = defects.apply(clean_tables, plant, np.random.default_rng(5), assets=_register(plant), story=STORY)
    return before, raw, manifest


def _ns(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values), utc=True).dt.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)


# --- alarms ------------------------------------------------------------------------------------

def _rule(code: str) -> alarms.AlarmRule:
    return next(r for r in alarms.ALARM_RULES if r.code == code)


def test_hysteresis_and_delays_keep_a_noisy_signal_from_chattering():
    rule = _rule("VIB_HIGH")
    limit = 2.8
    rng = np.random.default_rng(0)
    values = limit * (1.0 + 0.05 * rng.standard_normal(5000))
    states = np.full(5000, int(State.PRODUCING))
    found = alarms.rule_alarms(values, states, rule, limit)
    naive_raises = np.sum((values[1:] > limit) & (values[:-1] <= limit))
    assert 0 < len(found["raise"]) < naive_raises / 5
    clear_level = limit * (1 - rule.deadband)
    for raised, cleared in zip(found["raise"], found["clear"]):
        assert np.all(values[raised - rule.on_delay_steps + 1:raised + 1] > limit)
        if cleared >= 0:
            assert np.all(values[cleared - rule.off_delay_steps + 1:cleared + 1] < clear_level)


def test_a_clean_excursion_raises_once_after_the_on_delay_and_clears_after_the_off_delay():
    rule = _rule("VIB_HIGH")
    values = np.r_[np.full(20, 1.0), np.full(30, 3.5), np.full(20, 1.0)]
    states = np.full(len(values), int(State.PRODUCING))
    found = alarms.rule_alarms(values, states, rule, 2.8)
    assert found["raise"].tolist() == [20 + rule.on_delay_steps - 1]
    assert found["clear"].tolist() == [50 + rule.off_delay_steps - 1]
    # A stop in the middle holds the alarm (suppressed, not cleared); it clears only once running
    # readings are back below the deadband.
    states[30:35] = int(State.OFF)
    assert alarms.rule_alarms(values, states, rule, 2.8)["raise"].tolist() == [20 + rule.on_delay_steps - 1]


def test_the_coolant_warning_sits_above_the_chiller_s_set_point_and_sees_a_chiller_fault(plant, telemetry, alarm_log):
    from dataclasses import replace

    assert "COOLANT_TEMP_HIGH" not in set(alarm_log["alarm_code"])  # held by the chiller: no warning
    faulty = telemetry.copy()
    pump = (faulty["asset_id"] == "PMP-101").to_numpy()
    start = int(np.flatnonzero(pump & (faulty["machine_state"] == "producing").to_numpy())[50])
    faulty.loc[faulty.index[start:start + 24], "coolant_temp_c"] = 27.5  # a chiller fault: two hours warm
    warm = alarms.alarms(faulty, _register(plant), plant, np.random.default_rng(1))
    warning = warm[warm["alarm_code"] == "COOLANT_TEMP_HIGH"]
    assert len(warning) == 1 and warning["limit"].iloc[0] == plant.settings.coolant_setpoint_c + 4.0
    assert warning["asset_id"].iloc[0] == "PMP-101"
    # A plant that runs its coolant warmer sets the warning higher.
    warmer = replace(plant, settings=replace(plant.settings, coolant_setpoint_c=25.0))
    assert "COOLANT_TEMP_HIGH" not in set(alarms.alarms(faulty, _register(plant), warmer, np.random.default_rng(1))["alarm_code"])


def test_vibration_alarms_follow_the_worn_bearing_at_the_iso_limits(plant, telemetry, alarm_log):
    vib = alarm_log[alarm_log["alarm_code"].isin(["VIB_HIGH", "VIB_TRIP"])]
    assert set(vib["asset_id"]) == {"CNC-101"}
    assert set(vib.loc[vib["alarm_code"] == "VIB_HIGH", "limit"]) == {2.8}  # ISO class II, zone B/C
    assert set(vib.loc[vib["alarm_code"] == "VIB_TRIP", "limit"]) == {7.1}  # zone C/D
    assert (vib["value"] > vib["limit"]).all()
    failure = plant.timeline.times_utc[_step(plant.timeline, FAILURE_LOCAL)]
    assert (vib["raised_at"] < failure).all()
    assert (vib["severity"] == np.where(vib["alarm_code"] == "VIB_TRIP", "critical", "warning")).all()
    # Each alarm's value is a reading of the 5-minute sample its time falls in.
    mine = telemetry[telemetry["asset_id"] == "CNC-101"].set_index("timestamp")["vibration_rms_mm_s"]
    for _, alarm in vib.iterrows():
        sample = mine.loc[alarm["raised_at"].floor("5min")]
        assert sample == pytest.approx(alarm["value"], abs=0.006)


def test_alarm_log_columns_ids_and_acknowledgements(alarm_log):
    assert list(alarm_log.columns) == alarms.ALARM_COLUMNS
    assert alarm_log["alarm_id"].is_unique
    assert alarm_log["raised_at"].is_monotonic_increasing
    acked = alarm_log.dropna(subset=["acknowledged_at"])
    assert (acked["acknowledged_at"] >= acked["raised_at"]).all()
    assert acked["acknowledged_by"].str.fullmatch(r"[A-Z]{2}").all()
    cleared = alarm_log.dropna(subset=["cleared_at"])
    assert (cleared["cleared_at"] > cleared["raised_at"]).all()


def test_acknowledgement_is_slower_at_night_and_waits_for_the_next_shift(plant):
    timeline = plant.timeline
    register = _register(plant).set_index("asset_id")
    early = timeline.times_utc[np.flatnonzero(timeline.shift_by_line["L1"] == 1)[::3][:400]]
    night = timeline.times_utc[np.flatnonzero(timeline.shift_by_line["L1"] == 3)[::3][:400]]
    sunday = timeline.times_utc[_step(timeline, "2025-03-30 12:00")]
    raised = early.append(night).append(pd.DatetimeIndex([sunday]))
    log = pd.DataFrame({"asset_id": "CNC-101", "severity": "critical",
                        "raised_ns": _ns(raised)})
    acked = alarms._acknowledge(log, register, timeline, np.random.default_rng(3))
    delay_min = (acked["acknowledged_ns"] - acked["raised_ns"]) / 6e10
    n = len(early)
    assert np.median(delay_min[n:2 * n]) > 2 * np.median(delay_min[:n])
    monday_early = pd.Timestamp("2025-03-31 06:00").tz_localize(TIMEZONE)
    assert acked["acknowledged_ns"].iloc[-1] >= monday_early.value


def test_air_trip_floods_the_log_and_is_acknowledged_at_once_late(plant, alarm_log):
    trip = plant.timeline.times_utc[_step(plant.timeline, AIR_TRIP_LOCAL)]
    first_ten = alarm_log[(alarm_log["raised_at"] >= trip) & (alarm_log["raised_at"] < trip + pd.Timedelta(minutes=40))]
    switches = first_ten[first_ten["alarm_code"] == "AIR_PRESSURE_LOW"]
    assert {"CNC-101", "CNC-102", "CNC-201"} <= set(switches["asset_id"])
    assert (switches.loc[switches["asset_id"].str.startswith("CNC"), "value"] < alarms.AIR_SWITCH_LIMIT_BAR).all()
    flood_start = switches["raised_at"].min()
    window = alarm_log[(alarm_log["raised_at"] >= flood_start) & (alarm_log["raised_at"] < flood_start + pd.Timedelta(minutes=10))]
    assert len(window) >= 24  # dozens within ten minutes
    assert {"TOOL_CLAMP_FAULT", "FEED_HOLD", "COMPRESSOR_TRIP"} <= set(first_ten["alarm_code"])
    flood = alarm_log[(alarm_log["raised_at"] >= trip) & (alarm_log["raised_at"] < trip + pd.Timedelta(hours=1))]
    assert flood["acknowledged_at"].nunique() == 1 and flood["acknowledged_by"].nunique() == 1
    recovered = flood.loc[flood["alarm_code"] == "AIR_PRESSURE_LOW", "cleared_at"].max()
    assert flood["acknowledged_at"].iloc[0] >= recovered + pd.Timedelta(minutes=5)


def test_alarms_are_deterministic(plant, telemetry, alarm_log):
    again = alarms.alarms(telemetry, _register(plant), plant, np.random.default_rng(1))
    pd.testing.assert_frame_equal(again, alarm_log)
    other = alarms.alarms(telemetry, _register(plant), plant, np.random.default_rng(2))
    assert not other["raised_at"].equals(alarm_log["raised_at"])


# --- work orders and tool changes --------------------------------------------------------------

def test_one_work_order_per_repair_service_and_replacement(plant, clean_tables):
    orders = clean_tables["work_orders"]
    expected = [e for t in plant.assets.values() for e in t.events
                if e.kind != "tool_change" and e.mode != "cutting_tool"]
    assert len(orders) == len(expected) == 4
    assert list(orders.columns) == workorders.WORK_ORDER_COLUMNS
    assert orders["wo_id"].str.fullmatch(r"WO-25-\d{5}").all() and orders["wo_id"].is_unique
    assert sorted(orders["wo_type"]) == sorted(e.kind for e in expected)
    assert orders.loc[orders["wo_type"] == "preventive", "failure_mode_reported"].isna().all()
    by_asset = orders.set_index("asset_id")
    assert by_asset.loc["CNC-101", "failure_mode_reported"] == "spindle_bearing"
    assert by_asset.loc["CNC-101", "downtime_h"] == 20.0
    assert by_asset.loc["CNC-101", "component"] in workorders.spellings("spindle bearing")
    assert (orders["reported_at"] <= orders["started_at"]).all()
    assert (orders["started_at"] < orders["completed_at"]).all()
    failure = plant.timeline.times_utc[_step(plant.timeline, FAILURE_LOCAL)]
    corrective = by_asset.loc["CNC-101"]
    assert failure <= corrective["reported_at"] <= failure + pd.Timedelta(hours=4)
    assert corrective["labour_h"] > 0 and 0 < corrective["parts_cost_eur"] <= 9000.0


def test_a_bearing_note_quotes_the_vibration_the_historian_recorded(plant, telemetry, clean_tables):
    note = clean_tables["work_orders"].set_index("asset_id").loc["CNC-101", "technician_note"]
    failure = plant.timeline.times_utc[_step(plant.timeline, FAILURE_LOCAL)]
    mine = telemetry[(telemetry["asset_id"] == "CNC-101") & (telemetry["timestamp"] < failure)
                     & (telemetry["speed_rpm"] > 0)]
    quoted = float(re.search(r"(\d+\.\d)\s*mm/s", note, flags=re.IGNORECASE).group(1))
    assert quoted == round(float(mine["vibration_rms_mm_s"].tail(workorders.READING_WINDOW_STEPS).max()), 1)
    assert quoted > 7.1  # zone D: the note does not call it normal
    assert re.search(r"noise|noisy|rumbling|grinding", note, flags=re.IGNORECASE)
    # Without telemetry the note still describes the repair, in words only.
    words_only = workorders.work_orders(plant, np.random.default_rng(2)).set_index("asset_id").loc["CNC-101", "technician_note"]
    assert "mm/s" not in words_only.lower()


def test_technicians_spell_components_many_ways(plant):
    spelt = {workorders.work_orders(plant, np.random.default_rng(seed)).set_index("asset_id").loc["CNC-101", "component"]
             for seed in range(40)}
    assert len(spelt) >= 3 and spelt <= set(workorders.spellings("spindle bearing"))


def test_tool_changes_log_every_insert_with_reason_and_count(plant, clean_tables):
    changes = clean_tables["tool_changes"]
    truth = plant.assets["CNC-102"]
    tool_events = [e for e in truth.events if e.mode == "cutting_tool"]
    assert list(changes.columns) == workorders.TOOL_CHANGE_COLUMNS
    assert len(changes) == len(tool_events) == 5
    assert changes["reason"].tolist() == ["planned_count", "planned_count", "planned_count", "broken", "planned_count"]
    assert changes["tool_id_removed"].tolist() == [1, 2, 3, 4, 5]
    parts = _parts(plant)
    counted = parts[parts["asset_id"] == "CNC-102"].groupby("tool_id").size()
    exact = workorders.tool_changes(plant, np.random.default_rng(3), parts=parts)
    assert exact["parts_on_tool"].tolist() == counted.loc[[1, 2, 3, 4, 5]].tolist()
    # From the truth layer alone the count uses the cycle time (5 min: one part per cutting step).
    assert (changes["parts_on_tool"] - exact["parts_on_tool"]).abs().max() <= 1


def test_measured_flank_wear_is_the_true_wear_seen_through_the_microscope(plant, monkeypatch):
    monkeypatch.setattr(workorders, "VB_MEASURED_SHARE", 1.0)
    changes = workorders.tool_changes(plant, np.random.default_rng(3))
    truth = plant.assets["CNC-102"]
    steps = [e.step for e in truth.events if e.mode == "cutting_tool"]
    assert changes["vb_measured_mm"].notna().all()
    np.testing.assert_allclose(changes["vb_measured_mm"], truth.tool_wear_mm[steps], atol=0.04)


# --- defects -----------------------------------------------------------------------------------

EVERY_KIND = {"dropout", "zero_value", "stuck", "spike", "drift", "offset", "unit_switch", "duplicate_rows",
              "out_of_order", "clock_skew", "dst_not_switched", "late_log", "wrong_label", "censored"}


def test_clean_tables_are_exactly_the_input(applied, clean_tables):
    before, raw, _ = applied
    for name, frame in clean_tables.items():
        pd.testing.assert_frame_equal(frame, before[name])
    assert raw["vibration"] is clean_tables["vibration"]
    pd.testing.assert_frame_equal(raw["alarms"], clean_tables["alarms"])


def test_manifest_lists_every_kind_of_defect(applied):
    _, _, manifest = applied
    assert list(manifest.columns) == defects.MANIFEST_COLUMNS
    assert EVERY_KIND <= set(manifest["kind"])
    assert manifest["defect_id"].is_unique
    assert (manifest["end"] >= manifest["start"]).all()


def test_telemetry_values_change_exactly_where_the_manifest_says(applied, clean_tables):
    _, raw, manifest = applied
    clean = clean_tables["telemetry"]
    raw_tel = raw["telemetry"].drop_duplicates("probe").set_index("probe").loc[clean["probe"]]
    times = _ns(clean["timestamp"])
    asset = clean["asset_id"].astype(str).to_numpy()
    explained = {c: np.zeros(len(clean), dtype=bool) for c in defects.SENSOR_COLUMNS}
    rows = manifest[(manifest["table"] == "telemetry") & manifest["column"].isin(defects.SENSOR_COLUMNS)]
    assert len(rows) >= 10
    for _, defect in rows.iterrows():
        column = defect["column"]
        inside = (asset == defect["asset_id"]) & (times >= defect["start"].value) & (times < defect["end"].value)
        before = clean[column].to_numpy(dtype=float)[inside]
        after = raw_tel[column].to_numpy(dtype=float)[inside]
        kind = defect["kind"]
        if kind == "dropout":
            assert np.all(np.isnan(after) | (after == 0.0)) and np.isnan(after).sum() >= defect["rows_affected"] - 2
        elif kind == "zero_value":
            assert np.all(after == 0.0)
        elif kind == "stuck":
            assert np.unique(after).size == 1
        elif kind == "spike":
            assert (after != before).sum() == defect["rows_affected"]
        elif kind == "unit_switch":
            expected = before * 9 / 5 + 32 if column.endswith("_c") else before * defects.PSI_PER_BAR
            half_a_unit = 0.5 / 10 ** RESOLUTIONS[column].decimals  # the converted reading on the sensor's grid
            np.testing.assert_allclose(after, expected, atol=half_a_unit + 1e-4)
        elif kind in ("drift", "offset"):
            change = after - before
            assert np.all(np.diff(change) * np.sign(change[-1]) >= -1e-3) if kind == "drift" else np.ptp(change) < 1e-3
            assert np.abs(change).max() > 0
        # Every listed value defect counts the readings it really changed, and changed at least one.
        changed = ~((after == before) | (np.isnan(after) & np.isnan(before)))
        assert changed.sum() == defect["rows_affected"] > 0, (defect["defect_id"], kind)
        explained[column] |= inside
    for column, covered in explained.items():
        if column not in clean:
            continue
        a, b = clean[column].to_numpy(dtype=float)[~covered], raw_tel[column].to_numpy(dtype=float)[~covered]
        assert np.array_equal(a, b, equal_nan=True), f"{column} changed outside the manifest"


def test_clock_defects_move_timestamps_only_in_their_window(applied, clean_tables, plant):
    _, raw, manifest = applied
    clean = clean_tables["telemetry"]
    raw_tel = raw["telemetry"].drop_duplicates("probe").set_index("probe").loc[clean["probe"]]
    shift = _ns(raw_tel["timestamp"]) - _ns(clean["timestamp"])
    times = _ns(clean["timestamp"])
    asset = clean["asset_id"].astype(str).to_numpy()
    moved = np.zeros(len(clean), dtype=bool)
    skew = manifest[manifest["kind"] == "clock_skew"].iloc[0]
    inside = (asset == skew["asset_id"]) & (times >= skew["start"].value) & (times < skew["end"].value)
    assert plant.assets[skew["asset_id"]].spec.kind == "cnc" and skew["asset_id"] not in STORY.clock_right
    minutes = shift[inside] / 6e10
    assert minutes.min() >= defects.SKEW_START_MIN[0] and minutes.max() <= defects.SKEW_END_MIN[1]
    step_min = plant.timeline.step_minutes
    assert np.all(minutes % step_min == 0), "a skewed reading left the grid: off-grid rows give the skew away"
    assert np.all(np.diff(minutes) >= 0) and minutes[-1] > minutes[0]
    moved |= inside
    dst = manifest[manifest["kind"] == "dst_not_switched"].iloc[0]
    inside = (asset == dst["asset_id"]) & (times >= dst["start"].value) & (times < dst["end"].value)
    assert dst["start"] == pd.Timestamp("2025-03-30 01:00", tz="UTC")  # the spring clock change
    assert np.all(shift[inside] == -3600 * 10**9) and inside.sum() == dst["rows_affected"]
    moved |= inside
    assert np.all(shift[~moved] == 0)


def test_duplicates_and_late_uploads_are_where_the_manifest_says(applied, clean_tables):
    _, raw, manifest = applied
    clean, raw_tel = clean_tables["telemetry"], raw["telemetry"]
    times = _ns(clean["timestamp"])
    asset = clean["asset_id"].astype(str).to_numpy()
    dup = manifest[(manifest["kind"] == "duplicate_rows") & (manifest["table"] == "telemetry")].iloc[0]
    probes = raw_tel["probe"].to_numpy()
    repeated = probes[pd.Series(probes).duplicated().to_numpy()]
    inside = (asset == dup["asset_id"]) & (times >= dup["start"].value) & (times < dup["end"].value)
    assert sorted(repeated) == sorted(clean["probe"][inside]) and len(repeated) == dup["rows_affected"]
    position = {p: i for i, p in enumerate(probes)}  # the last copy of each row
    assert all(probes[position[p] - 1] == p for p in repeated)  # each copy right after its original
    assert len(raw_tel) == len(clean) + dup["rows_affected"]

    late = manifest[manifest["kind"] == "out_of_order"].iloc[0]
    inside = (asset == late["asset_id"]) & (times >= late["start"].value) & (times < late["end"].value)
    mine = raw_tel[raw_tel["asset_id"] == late["asset_id"]]
    going_back = np.flatnonzero(np.diff(_ns(mine["timestamp"])) < 0)
    assert len(going_back) == 1  # one block arrives late, the rest is in time order
    block = mine["probe"].to_numpy()[going_back[0] + 1:going_back[0] + 1 + late["rows_affected"]]
    assert sorted(block) == sorted(clean["probe"][inside])
    assert set(raw_tel["probe"]) == set(clean["probe"])


def test_parts_energy_and_work_order_defects(applied, clean_tables, plant):
    _, raw, manifest = applied
    dup = manifest[(manifest["kind"] == "duplicate_rows") & (manifest["table"] == "parts")].iloc[0]
    doubled = raw["parts"][raw["parts"]["part_id"].duplicated()]
    assert len(doubled) == dup["rows_affected"] > 0 and set(doubled["asset_id"]) == {dup["asset_id"]}

    energy_clean, energy_raw = clean_tables["energy"], raw["energy"]
    gap = manifest[(manifest["table"] == "energy") & (manifest["kind"] == "dropout")].iloc[0]
    mine = (energy_clean["asset_id"] == gap["asset_id"]).to_numpy()
    assert energy_raw.loc[mine, "energy_kwh"].isna().sum() == gap["rows_affected"] - 1
    # The register kept counting: the catch-up reading holds the missing energy.
    assert energy_raw.loc[mine, "energy_kwh"].sum() == pytest.approx(energy_clean.loc[mine, "energy_kwh"].sum(), abs=0.02)
    zero = manifest[(manifest["table"] == "energy") & (manifest["kind"] == "zero_value")].iloc[0]
    assert (energy_raw["energy_kwh"] == 0).sum() - (energy_clean["energy_kwh"] == 0).sum() <= zero["rows_affected"]

    orders_clean, orders_raw = clean_tables["work_orders"], raw["work_orders"]
    late = manifest[manifest["kind"] == "late_log"].iloc[0]
    changed = orders_raw["reported_at"] != orders_clean["reported_at"]
    assert changed.sum() == 1
    row = orders_raw[changed].iloc[0]
    assert row["wo_type"] == "corrective" and row["reported_at"] > row["completed_at"]
    assert (row["reported_at"] - orders_clean[changed].iloc[0]["reported_at"]) >= pd.Timedelta(days=defects.LATE_LOG_DAYS[0])
    assert row["reported_at"] == late["end"]
    wrong = manifest[manifest["kind"] == "wrong_label"]
    relabelled = orders_raw["failure_mode_reported"].fillna("") != orders_clean["failure_mode_reported"].fillna("")
    assert relabelled.sum() == len(wrong) >= 1
    for _, order in orders_raw[relabelled].iterrows():
        assert order["failure_mode_reported"] in [m.name for m in plant.assets[order["asset_id"]].spec.failure_modes]


def test_censoring_lists_every_component_still_running(applied, plant):
    _, _, manifest = applied
    censored = manifest[manifest["kind"] == "censored"]
    expected = {(a, m.name) for a, t in plant.assets.items() for m in t.spec.failure_modes}
    assert {(row["asset_id"], row["detail"].split(":")[0]) for _, row in censored.iterrows()} == expected
    bearing = censored[(censored["asset_id"] == "CNC-101") & censored["detail"].str.startswith("spindle_bearing")].iloc[0]
    repaired = plant.timeline.times_utc[plant.assets["CNC-101"].events[0].end_step]
    assert bearing["start"] == repaired and (censored["rows_affected"] == 0).all()


def test_the_export_week_shows_the_storys_events_and_no_other_defect(plant, clean_tables):
    export = STORY.historian_export
    first = pd.Timestamp(export.start_local).tz_localize(TIMEZONE).tz_convert("UTC")
    last = first + pd.Timedelta(days=export.days)

    def others_in_the_week(story) -> int:
        count = 0
        for seed in range(6):
            _, manifest = defects.apply(clean_tables, plant, np.random.default_rng(seed), assets=_register(plant), story=story)
            mine = manifest[(manifest["asset_id"] == export.asset) & (manifest["table"] == "telemetry")]
            overlapping = mine[(mine["start"] < last) & (mine["end"] > first)]
            count += len(overlapping) - len(story.events)
        return count

    assert others_in_the_week(STORY) == 0
    # Without the export the same seeds put random defects into that week: the rule is what keeps it clean.
    assert others_in_the_week(dataclasses.replace(STORY, historian_export=None)) > 0


def _state_at(telemetry: pd.DataFrame, asset_id: str, when: pd.Timestamp) -> str:
    mine = telemetry[(telemetry["asset_id"] == asset_id) & (telemetry["timestamp"] == when)]
    return str(mine["machine_state"].iloc[0])


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_stuck_sensors_last_hours_to_days_and_freeze_at_rest_as_often_as_asked(plant, clean_tables, share):
    settings = DefectSettings(stuck_per_group=4, stuck_hours=(2.0, 30.0), stuck_at_rest_share=share)
    raw, manifest = defects.apply(clean_tables, plant, np.random.default_rng(11), assets=_register(plant), story=STORY,
                                  settings=settings)
    clean = clean_tables["telemetry"]
    stuck = manifest[manifest["kind"] == "stuck"]
    assert len(stuck) >= 3
    raw_tel = raw["telemetry"].drop_duplicates("probe").set_index("probe").loc[clean["probe"]]
    into_production = 0
    for _, defect in stuck.iterrows():
        hours = (defect["end"] - defect["start"]) / pd.Timedelta(hours=1)
        assert 2.0 - 1 / 12 <= hours <= 30.0 + 1 / 12
        state = _state_at(clean, defect["asset_id"], defect["start"])
        assert (state in ("off", "down")) == (share == 1.0), (defect["defect_id"], state)
        assert ("at rest" in defect["detail"]) == (share == 1.0)
        inside = ((clean["asset_id"] == defect["asset_id"]) & (clean["timestamp"] >= defect["start"])
                  & (clean["timestamp"] < defect["end"])).to_numpy()
        assert raw_tel[defect["column"]].to_numpy()[inside].tolist() == [raw_tel[defect["column"]].to_numpy()[inside][0]] * inside.sum()
        into_production += (clean.loc[inside, "machine_state"].astype(str) == "producing").any()
    # Frozen at rest, a sensor stays frozen when its machine starts: the flat line goes on while producing.
    assert into_production >= 2


def test_most_zero_faults_hit_a_tag_that_reads_0_at_rest_next_to_a_stop(plant, clean_tables):
    clean = clean_tables["telemetry"]
    resting = clean["machine_state"].astype(str).isin(["off", "down"])
    reads_zero_at_rest = {(a, c) for a in clean["asset_id"].unique() for c in defects.SENSOR_COLUMNS
                          if ((clean[c] == 0) & resting & (clean["asset_id"] == a)).any()}
    settings = DefectSettings(zero_on_real_zero_share=1.0)
    runs, into_the_stop = 0, 0
    for seed in range(4):
        _, manifest = defects.apply(clean_tables, plant, np.random.default_rng(seed), assets=_register(plant), story=STORY,
                                    settings=settings)
        story_free = manifest.iloc[len(STORY.events):]  # the story declares its own tags
        faults = story_free[story_free["kind"].isin(["dropout", "zero_value"]) & (story_free["table"] == "telemetry")]
        assert len(faults) >= 3
        for _, fault in faults.iterrows():
            assert (fault["asset_id"], fault["column"]) in reads_zero_at_rest, fault["defect_id"]
            if fault["kind"] != "zero_value":
                continue
            mine = clean[clean["asset_id"] == fault["asset_id"]]
            after = mine[mine["timestamp"] >= fault["start"]]
            assert after["machine_state"].astype(str).iloc[0] in ("idle", "producing")
            stop = after[after["machine_state"].astype(str).isin(["off", "down"])]["timestamp"].iloc[0]
            assert stop - fault["start"] <= pd.Timedelta(hours=defects.ZERO_STOP_LEAD_HOURS)
            in_window = ((mine["timestamp"] >= fault["start"]) & (mine["timestamp"] < fault["end"])).sum()
            runs += 1
            into_the_stop += fault["rows_affected"] < in_window  # its zeros run on into the real ones
    assert runs >= 4 and into_the_stop >= 1


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_spikes_are_far_above_the_usual_maximum_or_jumps_within_the_normal_range(plant, clean_tables, share):
    settings = DefectSettings(spike_bursts_per_group=4, spike_in_range_share=share)
    raw, manifest = defects.apply(clean_tables, plant, np.random.default_rng(3), assets=_register(plant), story=STORY,
                                  settings=settings)
    clean = clean_tables["telemetry"]
    raw_tel = raw["telemetry"].drop_duplicates("probe").set_index("probe").loc[clean["probe"]]
    spikes = manifest[manifest["kind"] == "spike"]
    assert len(spikes) >= 3
    for _, spike in spikes.iterrows():
        column = spike["column"]
        mine = (clean["asset_id"] == spike["asset_id"]).to_numpy()
        readings = clean.loc[mine, column].to_numpy(dtype=float)
        low, high = np.nanquantile(readings, 0.01), np.nanquantile(readings, 0.99)
        inside = mine & ((clean["timestamp"] >= spike["start"]) & (clean["timestamp"] < spike["end"])).to_numpy()
        before, after = clean[column].to_numpy(dtype=float)[inside], raw_tel[column].to_numpy(dtype=float)[inside]
        hit = after != before
        assert hit.sum() == spike["rows_affected"] > 0
        if share == 1.0:
            step = 1 / 10 ** RESOLUTIONS[column].decimals
            assert np.all((after[hit] >= low - step) & (after[hit] <= high + step)), spike["defect_id"]
            assert np.all(np.abs(after[hit] - before[hit]) >= 0.15 * (high - low) - step)
            assert "normal range" in spike["detail"]
        else:
            assert np.all(after[hit] >= 1.5 * high - 0.01) and "usual maximum" in spike["detail"]


def test_drift_lands_on_a_sensor_no_other_one_measures_again(plant, clean_tables):
    redundant = {"cnc": "coolant_temp_c", "coolant_pump": "coolant_temp_c", "air_compressor": "pressure_bar"}
    kinds = {a: t.spec.kind for a, t in plant.assets.items()}
    columns = set()
    for seed in range(8):
        _, manifest = defects.apply(clean_tables, plant, np.random.default_rng(seed), assets=_register(plant), story=STORY)
        for _, drift in manifest[manifest["kind"] == "drift"].iterrows():
            assert drift["column"] != redundant.get(kinds[drift["asset_id"]]), drift["detail"]
            columns.add(drift["column"])
    assert len(columns) >= 2


def test_defects_are_deterministic(plant, clean_tables, applied):
    _, raw, manifest = applied
    again_raw, again = defects.apply(clean_tables, plant, np.random.default_rng(5), assets=_register(plant), story=STORY)
    pd.testing.assert_frame_equal(again, manifest)
    pd.testing.assert_frame_equal(again_raw["telemetry"], raw["telemetry"])
    _, other = defects.apply(clean_tables, plant, np.random.default_rng(6), assets=_register(plant), story=STORY)
    assert not other["start"].equals(manifest["start"])


# --- historian: store on change ----------------------------------------------------------------

def _one_tag(values, start="2025-04-07 00:00", asset="CNC-101", column="bearing_temp_c") -> pd.DataFrame:
    times = pd.date_range(start, periods=len(values), freq="5min", tz="UTC")
    return pd.DataFrame({"timestamp": times, "asset_id": asset, column: np.asarray(values, dtype=np.float32)})


def test_a_historian_stores_a_reading_only_when_it_moves_past_the_deadband():
    readings = [30.0, 30.1, 30.2, 30.3, 30.1, 30.4, 30.4, 30.5, 30.2, 30.0, 29.9, 30.0, 30.1, 30.1]
    kept = historian.store_on_change(_one_tag(readings), {"bearing_temp_c": 0.1}, 60, pd.Timestamp("2025-04-07", tz="UTC"))
    # A change of exactly the deadband (0.1 degC, one unit of the sensor) is not stored, 0.2 is; 01:00
    # is a heartbeat, stored though it lies only 0.1 degC from the last stored reading.
    expected = [30.0, 30.0, 30.2, 30.2, 30.2, 30.4, 30.4, 30.4, 30.2, 30.0, 30.0, 30.0, 30.1, 30.1]
    np.testing.assert_array_equal(kept["bearing_temp_c"].to_numpy(), np.asarray(expected, dtype=np.float32))


def test_a_historian_stores_every_change_of_quality_and_leaves_earlier_rows_and_other_tags_alone():
    frame = _one_tag([30.0, 30.1, 30.1, np.nan, np.nan, 30.1, 30.2, 0.0, 0.1, 30.1], start="2025-04-06 23:10")
    frame["load_pct"] = np.float32(50.0) + np.arange(len(frame), dtype=np.float32) / 10
    since = pd.Timestamp("2025-04-06 23:20", tz="UTC")
    kept = historian.store_on_change(frame, {"bearing_temp_c": 0.1}, 60, since)
    # 23:10 and 23:15 lie before the switch and stay as read; 23:20 starts the stored stretch; an empty
    # reading and the first good one after it are always stored; a jump to 0.0 is a change like any other.
    expected = [30.0, 30.1, 30.1, np.nan, np.nan, 30.1, 30.1, 0.0, 0.0, 30.1]
    np.testing.assert_array_equal(kept["bearing_temp_c"].to_numpy(), np.asarray(expected, dtype=np.float32))
    assert (kept["load_pct"] == frame["load_pct"]).all()  # no deadband declared for it
    again = historian.store_on_change(kept, {"bearing_temp_c": 0.1}, 60, since)
    pd.testing.assert_frame_equal(again, kept)  # what a historian kept, it keeps


def test_each_asset_is_stored_on_its_own_whatever_the_row_order():
    a = _one_tag([20.0, 20.1, 20.1, 20.3], asset="CNC-101")
    b = _one_tag([40.0, 40.3, 40.1, 40.2], asset="CNC-102")
    mixed = pd.concat([a, b]).iloc[[4, 0, 5, 1, 6, 2, 7, 3]].reset_index(drop=True)
    kept = historian.store_on_change(mixed, {"bearing_temp_c": 0.1}, 60, pd.Timestamp("2025-04-07", tz="UTC"))
    by_asset = kept.sort_values(["asset_id", "timestamp"]).groupby("asset_id")["bearing_temp_c"].apply(
        lambda x: [round(float(v), 1) for v in x])
    assert by_asset["CNC-101"] == [20.0, 20.0, 20.0, 20.3]
    assert by_asset["CNC-102"] == [40.0, 40.3, 40.1, 40.1]


# --- historian export --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export(applied, plant):
    _, raw, _ = applied
    start, days = historian.default_export_window(plant.timeline.times_utc, TIMEZONE)
    return historian.export_csv(raw["telemetry"], STORY.historian_export.asset, start, days, TIMEZONE), start, days


def test_default_export_is_the_week_around_the_spring_clock_change(export):
    _, start, days = export
    assert (start, days) == ("2025-03-27 00:00:00", 7)
    assert (STORY.historian_export.start_local, STORY.historian_export.days) == (start, days), (
        "the story's export week is the week around the spring clock change"
    )


def test_historian_csv_has_comments_units_and_only_the_assets_sensors(export):
    text, _, _ = export
    lines = text.splitlines()
    assert lines[0].startswith("# Historian export") and "CNC-102" in lines[0] and TIMEZONE in lines[0]
    assert lines[1].startswith("#")
    frame = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
    assert frame.columns[0] == "Timestamp"
    assert "Spindle Temp [degC]" in frame.columns and "Vibration RMS [mm/s]" in frame.columns
    assert all(re.search(r"\[.+\]$", c) for c in frame.columns if c not in ("Timestamp", "Machine State"))
    assert "Flow [l/min]" not in frame.columns and "Discharge Temp [degC]" not in frame.columns


def test_historian_csv_uses_local_time_without_the_missing_hour(export):
    text, _, _ = export
    frame = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
    stamps = frame["Timestamp"]
    assert stamps.iloc[0] == "2025-03-27 00:00:00" and stamps.iloc[-1] == "2025-04-02 23:55:00"
    assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    assert not stamps.str.startswith("2025-03-30 02:").any()
    assert "2025-03-30 01:55:00" in set(stamps) and "2025-03-30 03:00:00" in set(stamps)
    assert len(frame) == 7 * 288 - 12  # the spring night is an hour short


def test_historian_csv_shows_the_raw_dropouts(export, applied):
    text, _, _ = export
    _, _, manifest = applied
    frame = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
    shown = manifest[(manifest["asset_id"] == "CNC-102") & manifest["kind"].isin(["dropout", "zero_value"])
                     & (manifest["table"] == "telemetry")]
    assert set(shown["kind"]) == {"dropout", "zero_value"}
    headers = {c: historian.TAGS[c][0] for c in historian.TAGS}
    for _, defect in shown.iterrows():
        cells = frame[headers[defect["column"]]]
        if defect["kind"] == "dropout":
            assert (cells == "").sum() >= defect["rows_affected"] - 2
        assert cells.map(lambda v: v != "" and float(v) == 0.0).sum() >= 1
