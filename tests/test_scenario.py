"""A wrong scenario gets one clear error naming the file and the key, and writes nothing."""
import datetime as dt
from pathlib import Path

import pytest
import yaml

from plantsim.cli import main as plantsim_main
from plantsim.scenario import ScenarioError, load_scenario
from plantsim.simulate import generate, simulate

DEFAULT = Path(__file__).resolve().parents[1] / "datasets" / "plant" / "scenario.yml"


def scenario_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT.read_text())
    change(data)
    path = tmp_path / "scenario.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_default_scenario_is_valid():
    scenario = load_scenario(DEFAULT)
    assert len(scenario.assets) >= 12
    assert len({a.kind for a in scenario.assets}) >= 3
    assert len(scenario.line_shifts) >= 2
    assert scenario.days >= 365


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d["plant"].update(colour="blue"), "plant.colour", "not a known key"),
    (lambda d: d.update(extras={}), "extras", "not a known key"),
    (lambda d: d["materials"].update(bad_lot_probability=-0.1), "materials.bad_lot_probability", "at least 0"),
    (lambda d: d["maintenance"]["preventive_interval_days"].update(cnc=-5), "maintenance.preventive_interval_days.cnc", "positive"),
    (lambda d: d["plant"].update(days=0), "plant.days", "positive"),
    (lambda d: d["calendar"]["shutdowns"].append(["2025-09-10", "2025-09-01"]), "calendar.shutdowns[2]", "ends"),
    (lambda d: d["calendar"]["shutdowns"].append(["2027-01-01", "2027-01-05"]), "calendar.shutdowns[2]", "outside the simulated time range"),
    (lambda d: d["plant"].update(timezone="Mars/Olympus"), "plant.timezone", "not a known time zone"),
    (lambda d: d["plant"].update(step_minutes=7), "plant.step_minutes", "must divide 15"),
    (lambda d: d["assets"][0].update(kind="robot"), "assets[0] (CNC-101).kind", "must be one of"),
    (lambda d: d["assets"][0].update(line="L9"), "assets[0] (CNC-101).line", "not a line"),
    (lambda d: d["assets"][0].update(recipes=["HX-99"]), "assets[0] (CNC-101).recipes", "HX-99"),
    (lambda d: d["assets"][1].update(id="CNC-101"), "assets[1] (CNC-101)", "unique"),
    (lambda d: d["plant"].pop("seed"), "plant.seed", "is missing"),
    (lambda d: d["quality"].update(gauge_sigma_um=0), "quality.gauge_sigma_um", "positive"),
    (lambda d: d["quality"].update(gauge_sigma_um=25), "quality.gauge_sigma_um", "at most 10"),
    (lambda d: d["quality"].update(gauge_sigma="0.6"), "quality.gauge_sigma", "not a known key"),
    (lambda d: d["machining"].update(spindle_load_limit=1.2), "machining.spindle_load_limit", "at most 1.0"),
    (lambda d: d["machining"].update(spindle_load_limit=0.8), "recipes.HX-72.spindle_load", "above machining.spindle_load_limit"),
    (lambda d: d["maintenance"].update(zone_d_stop="yes"), "maintenance.zone_d_stop", "must be true"),
    (lambda d: d["coolant"].update(setpoint_c=45), "coolant.setpoint_c", "at most 30"),
    (lambda d: d["coolant"].update(chiller_band_k=0), "coolant.chiller_band_k", "positive"),
    (lambda d: d["materials"].update(porosity_spread=3), "materials.porosity_spread", "at most 1.5"),
    (lambda d: d["materials"].update(certificate_error=-1), "materials.certificate_error", "at least 0"),
    (lambda d: d["energy"].update(cnc_ready_share=0.8), "energy.cnc_ready_share", "at most 0.5"),
    (lambda d: d["energy"].update(cnc_standby_share=0.3), "energy.cnc_standby_share", "above energy.cnc_ready_share"),
    (lambda d: d["energy"].update(compressed_air_leak_share=0.9), "energy.compressed_air_leak_share", "at most 0.6"),
    (lambda d: d["maintenance"]["condition_based"].update(health_trigger=0.35), "maintenance.condition_based.health_trigger",
     "acts on its readings, not on the hidden health"),
    (lambda d: d["maintenance"]["condition_based"].update(vibration_zone="E"), "maintenance.condition_based.vibration_zone",
     "B, C or D"),
    (lambda d: d["maintenance"]["condition_based"].update(round_coverage=1.5), "maintenance.condition_based.round_coverage",
     "at most 1"),
    (lambda d: d["costs"].update(lost_machine_hour_eur=-5), "costs.lost_machine_hour_eur", "at least 0"),
])
def test_bad_scenario_names_file_and_key(tmp_path, change, key, words):
    path = scenario_with(tmp_path, change)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert words in message


def test_a_scenario_may_leave_out_the_optional_sections_and_gets_the_default_plant_s_settings(tmp_path):
    from plantsim.model import PlantSettings

    full = load_scenario(DEFAULT)
    path = scenario_with(tmp_path, lambda d: d.pop("quality"))
    assert load_scenario(path).settings == PlantSettings() == full.settings


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nowhere.yml")


def test_invalid_yaml(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("plant: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_bad_scenario_leaves_output_folder_untouched(tmp_path):
    out = tmp_path / "tables"
    path = scenario_with(tmp_path, lambda d: d["plant"].update(days=-3))
    with pytest.raises(ScenarioError):
        generate(path, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no half-written staging folder either


def test_cli_reports_scenario_error_without_traceback(tmp_path, capsys):
    path = scenario_with(tmp_path, lambda d: d["wear"].update(speed_factr=2))
    code = plantsim_main(["generate", "--scenario", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "wear.speed_factr" in err and str(path) in err and "Traceback" not in err


def test_generate_refuses_to_replace_a_folder_that_is_not_a_plant(tmp_path):
    from plantsim.writer import GenerationError

    out = tmp_path / "my_notes"
    out.mkdir()
    (out / "important.txt").write_text("trainee work")
    with pytest.raises(GenerationError, match="not a generated plant"):
        generate(DEFAULT, out)
    assert (out / "important.txt").read_text() == "trainee work"


def test_a_one_week_plant_with_no_maintenance_event_generates(tmp_path):
    def one_quiet_week(d):
        d["plant"]["days"] = 7
        d["calendar"]["shutdowns"] = []
        d["calendar"]["holidays"] = []
        d["maintenance"]["preventive_interval_days"] = {k: 400 for k in d["maintenance"]["preventive_interval_days"]}
        d.pop("story")  # its historian week lies outside this plant's one week
    out = generate(scenario_with(tmp_path, one_quiet_week), tmp_path / "tables")
    assert (out / "MANIFEST.json").is_file()
    assert (out / "clean" / "telemetry").is_dir()


@pytest.mark.parametrize("value", [True, "sometimes", [91]])
def test_a_preventive_interval_is_days_or_off(tmp_path, value):
    path = scenario_with(tmp_path, lambda d: d["maintenance"]["preventive_interval_days"].update(cnc=value))
    with pytest.raises(ScenarioError, match=r"maintenance\.preventive_interval_days\.cnc.*number of days, or off"):
        load_scenario(path)


def test_preventive_service_can_be_turned_off_for_one_asset_kind(tmp_path):
    def no_cnc_service(d):
        d["plant"]["days"] = 200
        d["calendar"]["shutdowns"] = []
        d["maintenance"]["preventive_interval_days"]["cnc"] = False  # what YAML makes of a bare `off`
    path = scenario_with(tmp_path, no_cnc_service)
    assert "cnc: false" in path.read_text()
    scenario = load_scenario(path)
    assert scenario.preventive_interval_days["cnc"] is None
    kind_of = {spec.asset_id: spec.kind for spec in scenario.assets}
    services = [(kind_of[asset_id], event.kind) for asset_id, truth in simulate(scenario).assets.items()
                for event in truth.events]
    assert ("cnc", "preventive") not in services
    assert ("coolant_pump", "preventive") in services or ("conveyor", "preventive") in services
    assert ("cnc", "corrective") in services or ("cnc", "tool_change") in services


# --- the plant's story -----------------------------------------------------------------------------

def test_the_default_story_declares_the_historian_export_and_what_its_week_shows():
    story = load_scenario(DEFAULT).story
    export = story.historian_export
    assert (export.asset, str(export.start), export.days) == ("CNC-102", "2025-03-27", 7)
    assert export.file_name == "historian_CNC-102_2025-03-27.csv"
    assert (DEFAULT.parent / export.file_name).is_file()
    assert story.clock_right == ("CNC-102",)
    assert [(e.kind, e.asset, e.column) for e in story.events] == [
        ("dropout", "CNC-102", "vibration_rms_mm_s"), ("zero_value", "CNC-102", "spindle_temp_c")]
    assert all(e.window == (export.start, dt.date(2025, 4, 2)) for e in story.events)


def test_the_default_historian_stores_on_change_after_module_00s_week():
    scenario = load_scenario(DEFAULT)
    settings, export = scenario.historian, scenario.story.historian_export
    assert settings.store_on_change_from > export.start + dt.timedelta(days=export.days - 1), (
        "module 00's export week shows every reading as sampled")
    assert settings.heartbeat_minutes == 60 and set(settings.deadband) >= {"vibration_rms_mm_s", "bearing_temp_c"}


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d["historian"].update(store_on_change_from="April"), "historian.store_on_change_from", "must be a date"),
    (lambda d: d["historian"].update(heartbeat_minutes=7), "historian.heartbeat_minutes", "whole number of steps"),
    (lambda d: d["historian"].update(heartbeat_minutes=35), "historian.heartbeat_minutes", "divides a day"),
    (lambda d: d["historian"]["deadband"].update(bearing_temp_c=-0.1), "historian.deadband.bearing_temp_c", "at least 0"),
    (lambda d: d["historian"]["deadband"].update(humidity_pct=1), "historian.deadband.humidity_pct", "not a known key"),
    (lambda d: d["historian"].update(deadband={}), "historian.deadband", "is needed"),
    (lambda d: d["historian"].update(compression="on"), "historian.compression", "not a known key"),
])
def test_a_wrong_historian_section_names_file_and_key(tmp_path, change, key, words):
    with pytest.raises(ScenarioError, match=f"'{key}'.*{words}"):
        load_scenario(scenario_with(tmp_path, change))


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d["defects"].update(stuck_hours=[48, 2]), "defects.stuck_hours", "shortest <= longest"),
    (lambda d: d["defects"].update(stuck_hours=[0.1, 2]), "defects.stuck_hours", "at least 0.25"),
    (lambda d: d["defects"].update(stuck_hours=5), "defects.stuck_hours", "must be \\[shortest, longest\\]"),
    (lambda d: d["defects"].update(stuck_at_rest_share=1.5), "defects.stuck_at_rest_share", "at most 1"),
    (lambda d: d["defects"].update(stuck_per_group=1.5), "defects.stuck_per_group", "whole number"),
    (lambda d: d["defects"].update(zero_on_real_zero_share=-0.2), "defects.zero_on_real_zero_share", "at least 0"),
    (lambda d: d["defects"].update(spike_in_range_size=[0.2, 0.9]), "defects.spike_in_range_size", "at most 0.5"),
    (lambda d: d["defects"].update(spike_bursts_per_group=-1), "defects.spike_bursts_per_group", "at least 0"),
    (lambda d: d["defects"].update(stuck_days=3), "defects.stuck_days", "not a known key"),
])
def test_a_wrong_defects_section_names_file_and_key(tmp_path, change, key, words):
    with pytest.raises(ScenarioError, match=f"'{key}'.*{words}"):
        load_scenario(scenario_with(tmp_path, change))


def test_the_defects_section_is_the_default_plants_dirt_and_may_be_left_out(tmp_path):
    from plantsim.scenario import DefectSettings

    assert load_scenario(DEFAULT).defects == DefectSettings()
    assert load_scenario(scenario_with(tmp_path, lambda d: d.pop("defects"))).defects == DefectSettings()
    changed = load_scenario(scenario_with(tmp_path, lambda d: d["defects"].update(stuck_per_group=0)))
    assert changed.defects.stuck_per_group == 0 and changed.defects.stuck_hours == DefectSettings().stuck_hours


def test_without_a_historian_section_every_reading_is_kept(tmp_path):
    scenario = load_scenario(scenario_with(tmp_path, lambda d: d.pop("historian")))
    assert scenario.historian.store_on_change_from is None


def test_a_scenario_without_a_story_is_a_plant_without_guarantees(tmp_path):
    story = load_scenario(scenario_with(tmp_path, lambda d: d.pop("story"))).story
    assert (story.historian_export, story.clock_right, story.events) == (None, (), ())


def _event(**change):
    event = {"kind": "dropout", "asset": "CNC-102", "column": "vibration_rms_mm_s", "during": "historian_export",
             "hours": [2, 5]}
    event.update(change)
    return event


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d["story"].update(colour="blue"), "story.colour", "not a known key"),
    (lambda d: d["story"]["historian_export"].update(asset="CNC-999"), "story.historian_export.asset", "not an asset"),
    (lambda d: d["story"]["historian_export"].update(start="2026-03-27"), "story.historian_export", "outside the simulated"),
    (lambda d: d["story"]["historian_export"].update(start="27 March"), "story.historian_export.start", "a date like"),
    (lambda d: d["story"]["historian_export"].pop("days"), "story.historian_export.days", "is missing"),
    (lambda d: d["story"].update(clock_right=["PMP-999"]), "story.clock_right", "not an asset"),
    (lambda d: d["story"]["events"].append(_event(kind="meltdown")), "story.events[2].kind", "must be one of dropout"),
    (lambda d: d["story"]["events"].append(_event(asset="CNV-101", column="spindle_temp_c")),
     "story.events[2].column", "a conveyor has no sensor for"),
    (lambda d: d["story"]["events"].append(_event(during="the summer")), "story.events[2].during", "must be historian_export or"),
    (lambda d: d["story"]["events"].append(_event(during=["2025-12-30", "2026-01-02"])), "story.events[2].during", "outside"),
    (lambda d: d["story"]["events"].append(_event(hours=[2, 30])), "story.events[2].hours", "at most 12"),
    (lambda d: d["story"]["events"].append(_event(hours=[5, 2])), "story.events[2].hours", "shortest <= longest"),
    (lambda d: d["story"]["events"].append({"kind": "dropout"}), "story.events[2].asset", "is missing"),
    (lambda d: d["story"].pop("historian_export"), "story.events[0].during", "declares none"),
])
def test_a_wrong_story_names_file_and_key(tmp_path, change, key, words):
    path = scenario_with(tmp_path, change)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message and f"'{key}'" in message and words in message, message


def test_the_sensor_table_of_the_story_matches_what_each_kind_records(tmp_path):
    from plantsim import sensors
    from plantsim.scenario import SENSORS_BY_KIND
    from plantsim.streams import rng_for

    scenario = load_scenario(scenario_with(tmp_path, lambda d: _two_weeks(d, [])))
    plant = simulate(scenario)
    for number, (asset_id, truth) in enumerate(plant.assets.items(), start=1):
        frame = sensors.telemetry(truth, plant, rng_for(scenario.seed, number, "sensors"))
        recorded = {c for c in frame.columns if c not in ("timestamp", "asset_id", "machine_state", "recipe", "speed_rpm",
                                                          "load_pct") and frame[c].notna().any()}
        assert recorded == set(SENSORS_BY_KIND[truth.spec.kind]), asset_id


def _two_weeks(d, events, clock_right=()):
    d["plant"]["days"] = 14
    d["calendar"]["shutdowns"] = []
    d["story"] = {"events": events, "clock_right": list(clock_right)}


def test_a_story_event_on_named_days_happens_there(tmp_path):
    import pandas as pd

    event = _event(asset="CNC-201", column="bearing_temp_c", during=["2025-01-07", "2025-01-09"], hours=[3, 4])
    out = generate(scenario_with(tmp_path, lambda d: _two_weeks(d, [event])), tmp_path / "tables")
    manifest = pd.read_parquet(out / "truth" / "defects")
    found = manifest[(manifest["kind"] == "dropout") & (manifest["asset_id"] == "CNC-201")
                     & (manifest["column"] == "bearing_temp_c")]
    first, hours = found.iloc[0]["start"], (found.iloc[0]["end"] - found.iloc[0]["start"]).total_seconds() / 3600
    assert pd.Timestamp("2025-01-07", tz="Europe/Berlin") <= first < pd.Timestamp("2025-01-10", tz="Europe/Berlin")
    assert 3 - 1 / 12 <= hours <= 4 + 1 / 12


def test_a_story_event_that_cannot_happen_is_an_error_naming_it(tmp_path):
    event = _event(asset="CNC-101", column="spindle_temp_c", during=["2025-01-01", "2025-01-01"], hours=[1, 2])
    path = scenario_with(tmp_path, lambda d: _two_weeks(d, [event]))
    with pytest.raises(ScenarioError, match=r"'story\.events\[0\]' \(dropout of CNC-101 spindle_temp_c\) cannot happen: "
                                            r"the machine never runs between 2025-01-01 and 2025-01-01"):
        generate(path, tmp_path / "tables")
    assert not (tmp_path / "tables").exists()


def test_the_export_command_reads_the_story(tmp_path, capsys):
    path = scenario_with(tmp_path, lambda d: d["story"].pop("historian_export") and d["story"].update(events=[]))
    assert plantsim_main(["export-historian", "--scenario", str(path), "--plant", str(tmp_path)]) == 2
    assert "declares no story.historian_export: give --asset and --start" in capsys.readouterr().err
