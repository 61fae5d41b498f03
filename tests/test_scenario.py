"""A wrong scenario gets one clear error naming the file and the key, and writes nothing."""
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
])
def test_bad_scenario_names_file_and_key(tmp_path, change, key, words):
    path = scenario_with(tmp_path, change)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert words in message


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
