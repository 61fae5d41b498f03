"""The fleet: the sister sites the Predict lessons pool, as a scenario, as tables and as a dataset.

The fast tests run a short fleet of two sites; the slow ones regenerate the whole fleet once and
hold it to what the failure-warning and remaining-useful-life lessons need: enough failures in
the held-out last third of time, enough complete lives, a healthy run-in, no one-feature giveaway,
the recorded checksums, and the size and time budget stated in the datasheet.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from academy import data
from plantsim.cli import main as plantsim_main
from plantsim.fleet import generate_fleet, load_fleet
from plantsim.scenario import ScenarioError
from plantsim.writer import GenerationError, checksum_lines

ROOT = Path(__file__).resolve().parents[1]
FLEET = ROOT / "datasets" / "fleet"
REGENERATE = ("plantsim fleet --force && "
              "plantsim checksums --plant datasets/fleet/tables --file datasets/fleet/SHA256SUMS --write")


def fleet_with(tmp_path: Path, change=None, *, days: int = 35, sites: int = 2, run_in_days: int = 14) -> Path:
    raw = yaml.safe_load((FLEET / "scenario.yml").read_text())
    raw["plant"]["days"] = days
    raw["calendar"]["holidays"] = [h for h in raw["calendar"]["holidays"] if h < "2022-02-05"]
    raw["calendar"]["shutdowns"] = []
    raw["wear"]["run_in_days"] = run_in_days
    raw["fleet"]["sites"] = raw["fleet"]["sites"][:sites]
    if change is not None:
        change(raw)
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def small_fleet(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small-fleet")
    scenario = fleet_with(folder)
    return generate_fleet(scenario, folder / "tables", jobs=1)


# --- the scenario ---------------------------------------------------------------------------

def test_default_fleet_scenario_is_valid_and_big_enough():
    fleet = load_fleet(FLEET / "scenario.yml")
    asset_years = sum(len(site.scenario.assets) * site.scenario.days / 365.25 for site in fleet.sites)
    assert asset_years >= 150
    assert len({site.scenario.seed for site in fleet.sites}) == len(fleet.sites)
    assert all(site.scenario.initial_wear[1] <= 0.05 and site.scenario.run_in_days >= 14 for site in fleet.sites)
    assert len({tuple(site.scenario.line_shifts.items()) for site in fleet.sites}) >= 2  # not five copies


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d.pop("fleet"), "fleet", "is missing"),
    (lambda d: d["fleet"].update(colour="blue"), "fleet.colour", "not a known key"),
    (lambda d: d["fleet"].update(sites=[]), "fleet.sites", "non-empty list"),
    (lambda d: d["fleet"]["sites"][1].update(code=d["fleet"]["sites"][0]["code"]), "fleet.sites[1].code", "repeats"),
    (lambda d: d["fleet"]["sites"][1].update(seed=d["fleet"]["sites"][0]["seed"]), "fleet.sites[1].seed", "same plant"),
    (lambda d: d["fleet"]["sites"][0].update(code="brno"), "fleet.sites[0].code", "capital letters"),
    (lambda d: d["fleet"]["sites"][0].pop("seed"), "fleet.sites[0].seed", "is missing"),
    (lambda d: d["fleet"]["sites"][0].update(lines={"L1": {"shifts": ["brunch"]}}), "site BRN", "brunch"),
    (lambda d: d["wear"].update(run_in_days=-3), "wear.run_in_days", "at least 0"),
    (lambda d: d["wear"].update(initial_wear=[0.5, 0.1]), "wear.initial_wear", "lowest <= highest"),
])
def test_bad_fleet_scenario_names_file_and_key(tmp_path, change, key, words):
    path = fleet_with(tmp_path, change)
    with pytest.raises(ScenarioError) as error:
        load_fleet(path)
    message = str(error.value)
    assert str(path) in message and key in message and words in message


def test_a_fleet_is_not_written_over_a_folder_that_is_not_one(tmp_path):
    keep = tmp_path / "tables" / "notes.txt"
    keep.parent.mkdir()
    keep.write_text("someone's work")
    with pytest.raises(GenerationError, match="not a generated fleet"):
        generate_fleet(fleet_with(tmp_path), keep.parent, jobs=1)
    assert keep.read_text() == "someone's work"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


# --- the tables of a short fleet --------------------------------------------------------------

def test_the_files_do_not_depend_on_how_many_sites_run_at_once(tmp_path, small_fleet):
    parallel = generate_fleet(fleet_with(tmp_path), tmp_path / "parallel", jobs=2)
    assert checksum_lines(parallel) == checksum_lines(small_fleet)


def test_asset_alarm_and_work_order_ids_stay_apart_across_sites(small_fleet):
    assets = pd.read_parquet(small_fleet / "reference" / "assets")
    assert assets["asset_id"].is_unique and set(assets["site"]) == {"BRN", "GYR"}
    assert all(str(a).startswith(f"{s}-") for a, s in zip(assets["asset_id"], assets["site"]))
    for table, column in (("alarms", "alarm_id"), ("work_orders", "wo_id")):
        frame = pd.read_parquet(small_fleet / "clean" / table)
        assert len(frame) and frame[column].is_unique, table


def test_hourly_readings_aggregate_what_the_machine_did(small_fleet):
    hourly = pd.read_parquet(small_fleet / "clean" / "hourly")
    assert hourly["timestamp"].dt.minute.eq(0).all()
    assert hourly["running_min"].between(0, 60).all()
    assert (hourly["producing_min"] <= hourly["running_min"]).all()
    for asset_id, rows in hourly.groupby("asset_id", observed=True):
        meter = rows.sort_values("timestamp")["operating_h"].to_numpy()
        assert (np.diff(meter) >= 0).all(), asset_id  # an hour meter never runs backwards
        kind_counts = rows["running_min"] if "-CNC-" not in str(asset_id) else rows["producing_min"]
        assert meter[-1] == pytest.approx(kind_counts.sum() / 60.0), asset_id
    assert (hourly["vibration_max_mm_s"] >= hourly["vibration_rms_mm_s"] - 1e-6).all()
    stopped = hourly[hourly["running_min"] == 0]
    assert len(stopped) and (stopped["load_pct"] == 0).all()


def test_daily_summary_adds_up_the_hours_of_each_local_day(small_fleet):
    hourly = pd.read_parquet(small_fleet / "clean" / "hourly")
    daily = pd.read_parquet(small_fleet / "clean" / "daily")
    one = hourly[hourly["asset_id"] == "BRN-CNC-101"].copy()
    one["date"] = one["timestamp"].dt.tz_convert("Europe/Berlin").dt.tz_localize(None).dt.normalize()
    expected = (one.groupby("date")["running_min"].sum() / 60).round(2)
    got = daily[daily["asset_id"] == "BRN-CNC-101"].set_index("date")["running_h"]
    pd.testing.assert_series_equal(got.astype(float), expected.astype(float), check_names=False)
    alarms = pd.read_parquet(small_fleet / "clean" / "alarms")
    assert daily["alarms"].sum() == len(alarms)


def test_lives_tile_each_component_and_count_operating_hours(small_fleet):
    lives = pd.read_parquet(small_fleet / "truth" / "lives")
    maintenance = pd.read_parquet(small_fleet / "truth" / "maintenance")
    hourly = pd.read_parquet(small_fleet / "clean" / "hourly")
    renewals = maintenance[maintenance["kind"].isin(["corrective", "condition_based"]) & (maintenance["mode"] != "cutting_tool")]
    for (asset_id, mode), rows in lives.groupby(["asset_id", "mode"], observed=True):
        rows = rows.sort_values("start")
        assert rows["start_kind"].iloc[0] == "start_of_records" and rows["end_kind"].iloc[-1] in ("end_of_records", "failure", "replaced")
        assert (rows["start_kind"].iloc[1:] == "renewal").all()
        assert (rows["life_operating_h"] >= 0).all()
        assert np.allclose(rows["life_operating_h"], rows["end_operating_h"] - rows["start_operating_h"], atol=0.011)
        ends = renewals[(renewals["asset_id"] == asset_id) & (renewals["mode"] == mode)]
        assert len(rows) == len(ends) + 1, (asset_id, mode)
        assert rows["end_operating_h"].iloc[-1] <= hourly.loc[hourly["asset_id"] == asset_id, "operating_h"].max() + 0.01
    assert set(lives["end_kind"]) <= {"failure", "replaced", "end_of_records"}


def test_nothing_wears_or_fails_during_the_run_in(small_fleet):
    health = pd.read_parquet(small_fleet / "truth" / "health_daily")
    run_in = health[health["date"] < pd.Timestamp("2022-01-15")]
    after = health[health["date"] >= pd.Timestamp("2022-01-15")]
    first = health.sort_values("date").groupby(["asset_id", "mode"], observed=True)["health"].first()
    in_run_in = run_in.groupby(["asset_id", "mode"], observed=True)["health"].min()
    assert (in_run_in == first.loc[in_run_in.index]).all()  # flat: no wear while running in
    assert (after.groupby(["asset_id", "mode"], observed=True)["health"].min() < first).any()  # then it wears
    failures = pd.read_parquet(small_fleet / "truth" / "failures")
    components = failures[failures["mode"] != "cutting_tool"]
    assert (components["start"] >= pd.Timestamp("2022-01-14 23:00", tz="UTC")).all()


def test_loaders_read_the_fleet_and_keep_its_truth_apart(small_fleet, monkeypatch):
    monkeypatch.setenv(data.FLEET_DIR_ENV, str(small_fleet))
    data._read.cache_clear()
    try:
        hourly = data.load("hourly", plant="fleet")
        assert isinstance(hourly["timestamp"].dtype, pd.DatetimeTZDtype) and len(hourly)
        assert len(data.load("sites", plant="fleet")) == 2
        assert len(data.load_truth("lives", plant="fleet"))
        with pytest.raises(data.DataError, match="ground-truth table of the fleet"):
            data.load("lives", plant="fleet")
        with pytest.raises(data.DataError, match='add plant="fleet"'):
            data.load("hourly")
        with pytest.raises(data.DataError, match="one variant"):
            data.load("hourly", variant="raw", plant="fleet")
        with pytest.raises(data.DataError, match="'plant' or 'fleet'"):
            data.load("telemetry", plant="factory")
    finally:
        data._read.cache_clear()


def test_plantsim_fleet_if_stale_keeps_a_matching_fleet_and_rebuilds_a_changed_one(tmp_path, small_fleet, monkeypatch,
                                                                                     capsys):
    import plantsim.cli as cli

    scenario = fleet_with(tmp_path)
    out = tmp_path / "tables"
    assert plantsim_main(["fleet", "--scenario", str(scenario), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("\n".join(checksum_lines(out)) + "\n")
    monkeypatch.setattr(cli, "FLEET_CHECKSUMS", sums)
    stamp = (out / "MANIFEST.json").stat().st_mtime_ns
    assert plantsim_main(["fleet", "--scenario", str(scenario), "--out", str(out), "--if-stale", "--quiet"]) == 0
    assert (out / "MANIFEST.json").stat().st_mtime_ns == stamp  # untouched
    sums.write_text("0" * 64 + "  clean/hourly/BRN.parquet\n")
    assert plantsim_main(["fleet", "--scenario", str(scenario), "--out", str(out), "--if-stale", "--quiet", "--jobs", "1"]) == 0
    assert "differs" in capsys.readouterr().out
    assert (out / "MANIFEST.json").stat().st_mtime_ns != stamp
    assert plantsim_main(["fleet", "--scenario", str(tmp_path / "missing.yml"), "--out", str(tmp_path / "x")]) == 2


# --- the default fleet --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    return generate_fleet(FLEET / "scenario.yml", tmp_path_factory.mktemp("default-fleet") / "tables")


@pytest.mark.slow
def test_fleet_generation_matches_the_recorded_checksums(fleet):
    recorded = (FLEET / "SHA256SUMS").read_text().splitlines()
    changed = sorted({line.split()[-1] for line in set(checksum_lines(fleet)) ^ set(recorded)})
    assert not changed, (f"The generated fleet differs from datasets/fleet/SHA256SUMS in {changed[:10]}. "
                         f"If the change is deliberate, run: {REGENERATE}")


@pytest.mark.slow
def test_the_fleet_carries_the_predict_lessons(fleet):
    manifest = json.loads((fleet / "MANIFEST.json").read_text())
    start = pd.Timestamp(manifest["start"]).tz_localize("Europe/Berlin").tz_convert("UTC")
    end = start + pd.Timedelta(days=manifest["days"])
    held_out = start + (end - start) * 2 / 3
    failures = pd.read_parquet(fleet / "truth" / "failures")
    components = failures[failures["mode"] != "cutting_tool"]
    assert (components["start"] >= held_out).sum() >= 40
    lives = pd.read_parquet(fleet / "truth" / "lives")
    assert (lives["end_kind"] == "failure").sum() >= 100
    assert (components["start"] >= start + pd.Timedelta(days=28)).all()  # the run-in is a healthy baseline
    size = sum(p.stat().st_size for p in fleet.rglob("*") if p.is_file())
    assert size <= 200 * 2**20


@pytest.mark.slow
def test_no_single_visible_feature_gives_failures_away(fleet):
    """No reading of the daily summary, at any one threshold, tells the 7 days before a failure apart
    from the other running days with balanced accuracy above 0.95: the lessons need a model."""
    daily = pd.read_parquet(fleet / "clean" / "daily")
    failures = pd.read_parquet(fleet / "truth" / "failures")
    failures = failures[failures["mode"] != "cutting_tool"]
    daily = daily[daily["running_h"] > 0].copy()
    failure_days = failures.assign(date=failures["start"].dt.tz_convert("Europe/Berlin").dt.tz_localize(None).dt.normalize())
    daily["before_failure"] = False
    for asset_id, rows in failure_days.groupby("asset_id", observed=True):
        mine = daily["asset_id"] == asset_id
        for day in rows["date"]:
            daily.loc[mine & (daily["date"] >= day - pd.Timedelta(days=7)) & (daily["date"] < day), "before_failure"] = True
    assert daily["before_failure"].sum() > 500
    features = [c for c in daily.columns if c not in ("asset_id", "date", "site", "before_failure", "operating_h")]
    best = {}
    for column in features:
        values = daily[column].to_numpy(dtype=float)
        positive = daily["before_failure"].to_numpy()
        ok = ~np.isnan(values)
        values, positive = values[ok], positive[ok]
        thresholds = np.unique(np.quantile(values, np.linspace(0.01, 0.99, 99)))
        tpr = np.array([(values[positive] > t).mean() for t in thresholds])
        tnr = np.array([(values[~positive] <= t).mean() for t in thresholds])
        balanced = np.maximum((tpr + tnr) / 2, (2 - tpr - tnr) / 2)  # either side of the threshold
        best[column] = float(balanced.max())
    assert max(best.values()) < 0.95, best
    assert max(best.values()) > 0.6, best  # the readings do carry a warning: the task is learnable


@pytest.mark.slow
def test_fleet_bytes_do_not_depend_on_the_last_bits_of_math(tmp_path):
    from test_determinism import CONDITIONS

    condition = "one ULP up, baseline SIMD, another BLAS kernel, one thread"
    env = {**os.environ, **CONDITIONS[condition]["env"](),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT / "src")])}
    out = tmp_path / "tables"
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "perturbed_math.py"), str(out), "--fleet",
                          "--scenario", str(FLEET / "scenario.yml")], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    recorded = (FLEET / "SHA256SUMS").read_text().splitlines()
    changed = sorted({line.split()[-1] for line in set(checksum_lines(out)) ^ set(recorded)})
    assert not changed, f"Under '{condition}' the fleet differs from SHA256SUMS in {changed}"
