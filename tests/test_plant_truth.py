"""The truth layer: calendar, wear, failures and maintenance behave as the datasheet says."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plantsim import wear
from plantsim.model import State
from plantsim.scenario import load_scenario
from plantsim.simulate import simulate

SCENARIO = Path(__file__).resolve().parents[1] / "datasets" / "plant" / "scenario.yml"


@pytest.fixture(scope="module")
def plant():
    return simulate(load_scenario(SCENARIO))


def local(plant):
    return plant.timeline.times_utc.tz_convert(plant.timeline.timezone)


def test_same_seed_same_truth_other_seed_differs(plant):
    again = simulate(load_scenario(SCENARIO))
    other = simulate(load_scenario(SCENARIO).with_seed(7))
    for asset_id, truth in plant.assets.items():
        np.testing.assert_array_equal(truth.state, again.assets[asset_id].state)
        for mode, health in truth.health.items():
            np.testing.assert_array_equal(health, again.assets[asset_id].health[mode])
    assert any(not np.array_equal(t.health[m], other.assets[a].health[m])
               for a, t in plant.assets.items() for m in t.health)


def test_no_production_on_sundays_holidays_or_shutdowns(plant):
    times = local(plant)
    sunday = np.asarray(times.day_of_week == 6) & np.asarray(times.hour >= 6)
    christmas = np.asarray(times.normalize().tz_localize(None) == pd.Timestamp("2025-12-25")) & np.asarray(times.hour >= 6)
    summer = np.asarray((times.tz_localize(None) >= pd.Timestamp("2025-08-04 06:00")) &
                        (times.tz_localize(None) < pd.Timestamp("2025-08-15 22:00")))
    for truth in plant.assets.values():
        for closed in (sunday, christmas, summer):
            assert not (truth.state[closed] == State.PRODUCING).any()


def test_shifts_follow_local_time_across_daylight_saving(plant):
    times = local(plant)
    line_two = plant.timeline.shift_by_line["L2"]
    starts = np.flatnonzero((line_two[1:] > 0) & (line_two[:-1] == 0)) + 1
    start_hours = pd.Series(times[starts].hour).value_counts()
    assert start_hours.index[0] == 6  # the early shift starts at 06:00 local in winter and in summer
    utc_hours = set(plant.timeline.times_utc[starts].hour)
    assert {4, 5} <= utc_hours  # ... which is 05:00 UTC in winter and 04:00 UTC in summer
    assert not ((line_two == 3).any())  # line 2 runs no night shift


def test_recipes_run_only_on_their_machines(plant):
    names = list(plant.recipes["recipe"])
    for truth in plant.assets.values():
        used = {names[r] for r in np.unique(truth.recipe) if r >= 0}
        assert used <= set(truth.spec.recipes)
        if truth.spec.kind == "cnc":
            assert used  # every CNC machine made parts
            assert ((truth.recipe >= 0) == (truth.state == State.PRODUCING)).all()


def test_failures_come_from_a_hazard_that_rises_as_health_falls(plant):
    """Failures concentrate at low health, but not at one fixed health value."""
    at_failure, exposure = [], []
    for truth in plant.assets.values():
        running = truth.state != State.OFF
        for mode, health in truth.health.items():
            exposure.append(health[running])
            at_failure += [e.health_before for e in truth.events if e.failure and e.mode == mode]
    at_failure, exposure = np.array(at_failure), np.concatenate(exposure)
    assert len(at_failure) >= 8
    low = 0.5
    failure_share_low = (at_failure < low).mean()
    time_share_low = (exposure < low).mean()
    assert failure_share_low > 3 * time_share_low  # far more failures at low health than time spent there
    assert at_failure.std() > 0.05  # no single health value at which everything fails


def test_gamma_wear_is_monotone_between_repairs_and_faster_under_load():
    mode = next(m for m in __import__("plantsim.assets", fromlist=["x"]).FAILURE_MODES["cnc"] if m.name == "spindle_bearing")
    rng = np.random.default_rng(1)
    light = wear.wear_increments(mode, np.full(50_000, 0.4), np.ones(50_000, bool), 1 / 12, 1.0, rng)
    heavy = wear.wear_increments(mode, np.full(50_000, 0.9), np.ones(50_000, bool), 1 / 12, 1.0, rng)
    idle = wear.wear_increments(mode, np.full(100, 0.9), np.zeros(100, bool), 1 / 12, 1.0, rng)
    assert (light >= 0).all() and (heavy >= 0).all() and (idle == 0).all()
    assert heavy.sum() > 2 * light.sum()


def test_health_only_falls_while_running_and_holds_while_down(plant):
    for truth in plant.assets.values():
        repaired = np.zeros(len(truth.state), dtype=bool)
        for e in truth.events:
            if e.end_step < len(repaired):
                repaired[e.end_step] = True
        for mode, health in truth.health.items():
            rises = np.flatnonzero(np.diff(health) > 1e-6) + 1
            assert repaired[rises].all(), f"{truth.spec.asset_id} {mode} gained health without a repair"
            down = np.flatnonzero(truth.state[1:] == State.DOWN) + 1
            still = down[~repaired[down]]
            np.testing.assert_allclose(health[still], health[still - 1], atol=1e-6)


def test_preventive_service_is_an_imperfect_repair_done_at_planned_stops(plant):
    services = [e for t in plant.assets.values() for e in t.events if e.kind == "preventive"]
    assert len(services) >= 12
    assert all(e.health_before <= e.health_after < 1.0 or e.health_before == 1.0 for e in services)
    assert any(e.health_after < 0.999 for e in services)  # some lost health is not given back


def test_condition_based_jobs_use_planned_stops_and_failures_happen_in_operation(plant):
    kinds = {e.kind for t in plant.assets.values() for e in t.events}
    assert {"corrective", "preventive", "condition_based", "tool_change"} <= kinds
    for truth in plant.assets.values():
        schedule_working = plant.timeline.shift_by_line[truth.spec.line] > 0
        for e in truth.events:
            if e.kind == "condition_based" and e.reason == "inspection_finding":
                assert not schedule_working[e.step]
            if e.reason in ("vibration_trip", "operator_stop"):  # a zone D stop comes while the machine runs
                assert schedule_working[e.step - 1] and not e.failure
            if e.failure and e.mode != "cutting_tool":
                assert schedule_working[e.step]
            assert (truth.state[e.step:e.end_step] == State.DOWN).all()


def test_tool_wear_has_three_phases_and_resets_at_tool_changes(plant):
    used = np.linspace(0, 1, 101)
    vb = wear.tool_wear_mm(used)
    slope = np.diff(vb)
    assert slope[0] > 2 * slope[50] and slope[-1] > 2 * slope[50]  # fast break-in, steady, rapid end
    assert vb[-1] == pytest.approx(wear.TOOL_VB_END_MM, abs=0.005)
    cnc = plant.assets["CNC-101"]
    changes = [e for e in cnc.events if e.mode == "cutting_tool"]
    assert len(changes) > 50
    for e in changes[:30]:
        assert cnc.tool_wear_mm[min(e.end_step, len(cnc.state) - 1)] < 0.02
        assert cnc.tool_id[min(e.end_step, len(cnc.state) - 1)] == cnc.tool_id[e.step] + 1
    reasons = {e.reason for e in changes}
    assert {"planned_count", "broken", "quality"} <= reasons
    broken_vb = np.mean([cnc.tool_wear_mm[e.step] for e in changes if e.reason == "broken"])
    planned_vb = np.mean([cnc.tool_wear_mm[e.step] for e in changes if e.reason == "planned_count"])
    assert 0.15 < planned_vb < broken_vb  # inserts break late in their life, worn more than planned changes
    for e in changes:  # a tool's "health" is the share of its flank-wear budget (VB 0.3 mm) left
        assert e.health_before == pytest.approx(max(0.0, 1 - cnc.tool_wear_mm[e.step] / wear.TOOL_VB_END_MM), abs=1e-6)


def test_spindle_load_rises_with_tool_wear(plant):
    cnc = plant.assets["CNC-101"]  # HX-40 and HX-55: the feed control never needs to step in
    producing = cnc.state == State.PRODUCING
    assert (cnc.extra["feed_override"][producing] == 1.0).all()
    for recipe in np.unique(cnc.recipe[producing]):
        mine = producing & (cnc.recipe == recipe)
        correlation = np.corrcoef(cnc.tool_wear_mm[mine], cnc.load[mine])[0, 1]
        assert correlation > 0.9


def six_weeks(**settings):
    from dataclasses import replace

    scenario = load_scenario(SCENARIO)
    return simulate(replace(scenario, days=42, settings=replace(scenario.settings, **settings)))


@pytest.fixture(scope="module")
def six_week_plant():
    return six_weeks()


def test_the_feed_control_keeps_the_continuous_spindle_load_within_its_limit(six_week_plant):
    from plantsim import sensors

    limit = six_week_plant.settings.spindle_load_limit
    capped_somewhere = False
    for asset_id, cnc in six_week_plant.assets.items():
        if cnc.spec.kind != "cnc":
            continue
        producing = cnc.state == State.PRODUCING
        drive = sensors.motor_load_fraction(cnc, six_week_plant)
        assert drive[producing].max() <= limit + 1e-12, asset_id
        feed = cnc.extra["feed_override"]
        capped = producing & (feed < 1.0)
        recipe_load = six_week_plant.recipes["spindle_load"].to_numpy()[np.maximum(cnc.recipe, 0)]
        demand = wear.cutting_demand(recipe_load, cnc.tool_wear_mm) / sensors.mechanical_efficiency(cnc)
        # The control steps in exactly where the cut would need more than the limit at the programmed
        # feed (a worn insert), and there holds the drive at the limit.
        assert (capped == (producing & (demand > limit))).all(), asset_id
        if capped.any():
            capped_somewhere = True
            assert np.allclose(drive[capped], limit)
            assert cnc.tool_wear_mm[capped].mean() > cnc.tool_wear_mm[producing & ~capped].mean()
            assert feed[capped].min() > 0.8
    assert capped_somewhere  # the heavy HX-72 cut meets the limit late in an insert's life


def test_a_lower_spindle_load_limit_makes_fewer_parts_with_the_same_inserts(six_week_plant):
    from plantsim import quality

    tight = six_weeks(spindle_load_limit=0.86)
    rng = lambda: np.random.default_rng(5)
    made = {name: len(quality.parts(p.assets["CNC-203"], p, rng())[0]) for name, p in (("default", six_week_plant), ("tight", tight))}
    assert made["tight"] < 0.97 * made["default"], made
    feed = tight.assets["CNC-203"].extra["feed_override"][tight.assets["CNC-203"].state == State.PRODUCING]
    assert (feed < 1.0).mean() > 0.5  # HX-72 (0.85 of the rating new) is held back most of the time


# --- ISO 10816 zone D: the machine is stopped -------------------------------------------------------

def _fast_wearing_scenario(tmp_path, zone_d_stop: bool = True) -> Path:
    import yaml

    data = yaml.safe_load(SCENARIO.read_text())
    data["plant"]["days"] = 56
    data.pop("story")  # its historian week lies outside these eight weeks
    data["calendar"]["shutdowns"] = []
    data["wear"]["speed_factor"] = 3.0  # bearings reach zone D within eight weeks
    data["maintenance"]["zone_d_stop"] = zone_d_stop
    path = tmp_path / f"zone_d_{zone_d_stop}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def fast_wearing_plant(tmp_path_factory):
    from plantsim.simulate import generate

    folder = tmp_path_factory.mktemp("zone-d")
    out = generate(_fast_wearing_scenario(folder), folder / "tables")
    read = lambda layer, table: pd.read_parquet(out / layer / table)
    tables = {name: read(layer, name) for layer, name in (("clean", "telemetry"), ("clean", "alarms"),
                                                         ("clean", "work_orders"), ("truth", "maintenance"),
                                                         ("reference", "assets"), ("clean", "inspections"),
                                                         ("truth", "health"), ("clean", "parts"))}
    tables["folder"] = out
    tables["scenario"] = load_scenario(_fast_wearing_scenario(folder))
    return tables


def test_a_machine_in_zone_d_is_stopped_and_the_records_say_so(fast_wearing_plant):
    telemetry = fast_wearing_plant["telemetry"].set_index(["asset_id", "timestamp"]).sort_index()
    trips = fast_wearing_plant["alarms"].query("alarm_code == 'VIB_TRIP'")
    maintenance = fast_wearing_plant["maintenance"]
    stops = maintenance[maintenance["reason"].isin(["vibration_trip", "operator_stop"])]
    kinds = fast_wearing_plant["assets"].set_index("asset_id")["kind"].astype(str)
    assert len(trips) >= 3 and {"cnc"} < set(kinds[trips["asset_id"].astype(str)])  # CNCs and another kind
    assert len(stops) == len(trips)
    step = pd.Timedelta("5min")
    for _, alarm in trips.iterrows():
        asset, sample = str(alarm["asset_id"]), alarm["raised_at"].floor("5min")
        delay = 1 if kinds[asset] == "cnc" else 2  # the spindle monitor trips at once; an operator takes minutes
        stop = stops[(stops["asset_id"] == asset) & (stops["start"] == sample + delay * step)]
        assert len(stop) == 1, (asset, sample)
        assert stop["reason"].iloc[0] == ("vibration_trip" if kinds[asset] == "cnc" else "operator_stop")
        assert not stop["failure"].iloc[0] and stop["health_after"].iloc[0] == 1.0  # caught before it failed
        assert telemetry.loc[(asset, sample + delay * step), "machine_state"] == "down"
        # Reset once the repaired machine runs again (still active if the records end first).
        ends = telemetry.index.get_level_values("timestamp").max() + step
        assert alarm["cleared_at"] > stop["end"].iloc[0] if pd.notna(alarm["cleared_at"]) else stop["end"].iloc[0] == ends
    orders = fast_wearing_plant["work_orders"]
    urgent = orders[(orders["wo_type"] == "condition_based") & (orders["priority"] == 1)]
    assert len(urgent) == len(stops)
    assert urgent["technician_note"].str.contains("trip|stopped|switched", case=False).all()


def test_with_the_zone_d_stop_off_machines_run_on_in_zone_d(tmp_path):
    from plantsim import sensors

    on = simulate(load_scenario(_fast_wearing_scenario(tmp_path, True)))
    off = simulate(load_scenario(_fast_wearing_scenario(tmp_path, False)))
    assert not any(e.reason in ("vibration_trip", "operator_stop") for a in off.assets.values() for e in a.events)

    def zone_d_readings(plant) -> int:
        count = 0
        for asset in plant.assets.values():
            reading = sensors.vibration_reading(sensors.vibration_velocity_mm_s(asset),
                                                (asset.extra["vibration_noise_factor"], asset.extra["vibration_noise_mm_s"]))
            count += int((np.round(reading, 2) > sensors.zone_limits(asset.spec.machine_class)[2]).sum())
        return count

    assert zone_d_readings(off) > 10 * max(zone_d_readings(on), 1)


# --- casting lots: graded porosity, a noisy certificate ------------------------------------------------

def test_lot_porosity_is_graded_around_the_porous_threshold():
    from plantsim.simulate import porosity_indices

    index = porosity_indices(np.random.default_rng(3), 20000, 0.04, 0.5)
    assert (index > 1.0).mean() == pytest.approx(0.04, abs=0.005)
    # No gap between sound and porous lots: as many lots just below 1 as the log-normal says, and
    # most porous lots only a little above it.
    assert ((index > 0.9) & (index <= 1.0)).mean() > 0.02
    porous = index[index > 1.0]
    assert np.median(porous) < 1.2 and porous.max() > 1.6


def test_a_p_chart_finds_most_porous_lots_but_not_all_and_the_certificate_is_noisy():
    from dataclasses import replace

    from plantsim import quality
    from plantsim.model import PlantTruth
    from plantsim.simulate import plan_plant, simulate_asset

    scenario = load_scenario(SCENARIO)
    scenario = replace(scenario, lot_size_parts=600, bad_lot_probability=0.15)  # many lots, many of them porous
    plan = plan_plant(scenario)
    cncs = {s.asset_id: simulate_asset(plan, s) for s in plan.specs if s.kind == "cnc" and s.line == "L1"}
    plant = PlantTruth(plan.timeline, cncs, plan.disturbances, plan.material_lots, plan.recipes, scenario.seed,
                       scenario.settings)
    parts = pd.concat([quality.parts(truth, plant, np.random.default_rng(k))[0] for k, truth in enumerate(cncs.values())])
    per_lot = parts.groupby("material_lot", observed=True)["defect_class"].agg(
        porous=lambda d: (d == "porosity").mean(), parts="size")
    per_lot = per_lot[per_lot["parts"] >= 300]
    lots = plan.material_lots.set_index("lot_id").reindex(per_lot.index)
    bad = (lots["porosity_index"] > 1.0).to_numpy()
    assert 15 <= bad.sum() <= 60
    p_bar = (per_lot["porous"] * per_lot["parts"]).sum() / per_lot["parts"].sum()
    signal = (per_lot["porous"] > p_bar + 3 * np.sqrt(p_bar * (1 - p_bar) / per_lot["parts"])).to_numpy()
    found = signal[bad].mean()
    assert 0.5 < found < 1.0, found  # most porous lots, not all: the slightly porous ones hide in the noise
    assert signal[~bad].mean() < 0.05
    # The certificate follows the truth, loosely: it passes some porous lots and flags some sound ones.
    certified = lots["certified_porosity_index"].to_numpy()
    assert 0.5 < np.corrcoef(np.log(certified), np.log(lots["porosity_index"]))[0, 1] < 0.95
    assert (certified[bad] <= 1.0).any() and (certified[~bad] > 1.0).any()



# --- condition-based decisions stand on recorded readings ---------------------------------------------

def test_the_inspection_round_acts_on_the_readings_it_records(fast_wearing_plant):
    sheet = fast_wearing_plant["inspections"]
    telemetry = fast_wearing_plant["telemetry"].set_index(["asset_id", "timestamp"])["vibration_rms_mm_s"]
    maintenance = fast_wearing_plant["maintenance"]
    assert len(sheet) > 50 and set(sheet["measurement"]) >= {"vibration_rms_mm_s", "head_loss_pct", "seal_leak_ml_h",
                                                               "valve_leak_back_pct"}
    # A finding is a reading past its limit, nothing else.
    assert (sheet["finding"] == (sheet["reading"].fillna(-np.inf) > sheet["limit"])).all()
    # A bearing's reading is the vibration the historian recorded at the round (none if it stood still).
    vibration = sheet[sheet["measurement"] == "vibration_rms_mm_s"]
    recorded = telemetry.reindex(list(zip(vibration["asset_id"].astype(str), vibration["timestamp"]))).to_numpy()
    ran = vibration["reading"].notna().to_numpy()
    assert ran.mean() > 0.5
    assert np.allclose(vibration["reading"].to_numpy()[ran], recorded[ran], atol=1e-4)
    assert (recorded[~ran] < 0.1).all()
    # Every replacement after a finding follows a round whose reading was past its limit.
    jobs = maintenance[maintenance["reason"] == "inspection_finding"]
    assert len(jobs) >= 3
    components = {"spindle_bearing": "spindle bearing", "gearbox_bearing": "gearbox bearing", "impeller_wear": "impeller",
                  "pump_seal": "mechanical seal", "compressor_valve": "inlet valve"}
    for _, job in jobs.iterrows():
        rounds = sheet[(sheet["asset_id"].astype(str) == str(job["asset_id"]))
                       & (sheet["component"] == components[str(job["mode"])]) & (sheet["timestamp"] <= job["start"])]
        assert rounds["finding"].iloc[-1], (job["asset_id"], job["mode"], job["start"])


def test_the_findings_do_not_follow_the_hidden_health(fast_wearing_plant):
    """With readings deciding, parts of the same health are found in one round and passed in another."""
    sheet = fast_wearing_plant["inspections"]
    health = fast_wearing_plant["health"]
    modes = {"spindle bearing": "spindle_bearing", "gearbox bearing": "gearbox_bearing", "impeller": "impeller_wear",
             "mechanical seal": "pump_seal", "inlet valve": "compressor_valve"}
    truth = health.set_index(["asset_id", "mode", "timestamp"])["health"]
    keys = list(zip(sheet["asset_id"].astype(str), sheet["component"].map(modes), sheet["timestamp"]))
    at_round = truth.reindex(keys).to_numpy()
    known = sheet["reading"].notna().to_numpy() & np.isfinite(at_round)
    found, passed = at_round[known & sheet["finding"].to_numpy()], at_round[known & ~sheet["finding"].to_numpy()]
    assert len(found) >= 3
    assert found.max() > passed.min()  # no health threshold separates the findings from the rest
    assert found.max() - found.min() > 0.05


def test_a_policy_is_priced_in_money(fast_wearing_plant):
    from dataclasses import replace

    from plantsim.costs import lost_machine_hours, policy_costs

    scenario, folder = fast_wearing_plant["scenario"], fast_wearing_plant["folder"]
    costs = policy_costs(scenario, folder)
    telemetry = fast_wearing_plant["telemetry"]
    cnc_down_h = ((telemetry["machine_state"] == "down") & telemetry["asset_id"].astype(str).str.startswith("CNC")).sum() / 12
    assert 0 < costs["lost_machine_h"] < cnc_down_h  # a stop off shift costs no production
    assert costs["lost_production_eur"] == pytest.approx(costs["lost_machine_h"] * scenario.settings.lost_machine_hour_eur, abs=1.0)
    assert costs["scrapped_parts"] == (~fast_wearing_plant["parts"]["passed"]).sum()
    assert costs["scrap_eur"] == pytest.approx(costs["scrapped_parts"] * scenario.settings.scrapped_part_eur)
    assert costs["maintenance_eur"] == pytest.approx(fast_wearing_plant["maintenance"]["cost_eur"].sum())
    assert costs["total_eur"] == pytest.approx(costs["maintenance_eur"] + costs["lost_production_eur"] + costs["scrap_eur"])
    dearer = replace(scenario, settings=replace(scenario.settings, lost_machine_hour_eur=240.0))
    assert policy_costs(dearer, folder)["lost_production_eur"] == pytest.approx(2 * costs["lost_production_eur"])
    per_machine = lost_machine_hours(scenario, telemetry)
    assert set(per_machine.index) == {a.asset_id for a in scenario.assets if a.kind == "cnc"}
