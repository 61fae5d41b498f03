"""The default plant as generated: checksums, schema and units, loaders, mechanisms, defects.

One fresh generation of the default scenario (about 10 s) is shared by the module; it must be
byte-identical to what datasets/plant/SHA256SUMS records, so no change to the data goes unnoticed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from academy import data
from plantsim.historian import export_csv, store_on_change
from plantsim.scenario import load_scenario
from plantsim.sensors import zone_limits
from plantsim.simulate import generate
from plantsim.writer import checksum_lines

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PLANT = ROOT / "datasets" / "plant"
REGENERATE = "plantsim generate --force && plantsim checksums --write"


@pytest.fixture(scope="module")
def plant(tmp_path_factory, monkeypatch_module) -> Path:
    folder = tmp_path_factory.mktemp("default-plant") / "tables"
    generate(PLANT / "scenario.yml", folder)
    monkeypatch_module.setenv(data.PLANT_DIR_ENV, str(folder))
    data._read.cache_clear()
    yield folder
    data._read.cache_clear()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def read(plant: Path, group: str, table: str) -> pd.DataFrame:
    return pd.read_parquet(plant / group / table)


# --- the data does not change unnoticed ---------------------------------------------------------

def test_generation_matches_the_recorded_checksums(plant):
    recorded = (PLANT / "SHA256SUMS").read_text().splitlines()
    fresh = checksum_lines(plant)
    changed = sorted({line.split()[-1] for line in set(fresh) ^ set(recorded)})
    assert not changed, (f"The generated plant differs from datasets/plant/SHA256SUMS in {changed[:10]}. "
                         f"If the change is deliberate, run: {REGENERATE}")


def test_committed_historian_export_matches_the_plant(plant):
    scenario = load_scenario(PLANT / "scenario.yml")
    export = scenario.story.historian_export
    committed = PLANT / export.file_name
    assert committed.name == "historian_CNC-102_2025-03-27.csv", "the story's export is the file the course commits"
    raw = pd.read_parquet(plant / "raw" / "telemetry", filters=[("asset_id", "==", export.asset)])
    fresh = export_csv(raw, export.asset, export.start_local, export.days, scenario.timezone)
    assert committed.read_text(encoding="utf-8") == fresh, "run: plantsim export-historian"


def test_every_story_event_happened(plant):
    """Each event the story declares is in the defect manifest: on its machine and sensor, in its window."""
    story = load_scenario(PLANT / "scenario.yml").story
    manifest = read(plant, "truth", "defects")
    assert story.events, "the course's story declares the phenomena module 00 relies on"
    for event in story.events:
        first = pd.Timestamp(event.window[0]).tz_localize("Europe/Berlin")
        last = pd.Timestamp(event.window[1]).tz_localize("Europe/Berlin") + pd.Timedelta(days=1)
        found = manifest[(manifest["kind"] == event.kind) & (manifest["asset_id"] == event.asset)
                         & (manifest["column"] == event.column) & (manifest["start"] >= first) & (manifest["end"] <= last)]
        assert len(found) >= 1, f"{event.key}: no {event.kind} of {event.asset} {event.column} in its window"
        hours = (found["end"] - found["start"]).dt.total_seconds() / 3600
        assert ((hours >= event.hours[0] - 1 / 12) & (hours <= event.hours[1] + 1 / 12)).any()
    for kind in ("clock_skew", "dst_not_switched"):
        assert not set(manifest.loc[manifest["kind"] == kind, "asset_id"]) & set(story.clock_right)


def test_from_its_switch_day_the_historian_keeps_a_reading_only_when_it_moves(plant):
    """The clean telemetry is what a store-on-change historian kept: storing it again changes nothing
    from the switch day, while before it every sampled reading was kept (storing would hold many). A
    resting machine's vibration and pressure then lie flat; a producing machine's mostly move."""
    scenario = load_scenario(PLANT / "scenario.yml")
    settings = scenario.historian
    since = pd.Timestamp(settings.store_on_change_from).tz_localize(scenario.timezone).tz_convert("UTC")
    clean = read(plant, "clean", "telemetry")
    pd.testing.assert_frame_equal(store_on_change(clean, settings.deadband, settings.heartbeat_minutes, since), clean)
    early = clean[clean["timestamp"] < since].reset_index(drop=True)
    held = store_on_change(early, settings.deadband, settings.heartbeat_minutes, early["timestamp"].min())
    readings = early["vibration_rms_mm_s"].notna()
    assert (held["vibration_rms_mm_s"] != early["vibration_rms_mm_s"])[readings].mean() > 0.1
    late = clean[clean["timestamp"] >= since].sort_values(["asset_id", "timestamp"], kind="stable")
    for column in ("vibration_rms_mm_s", "pressure_bar"):
        resting, producing = [], []
        for _, rows in late.groupby(late["asset_id"].astype(str), observed=True):
            x, state = rows[column].to_numpy(float), rows["machine_state"].astype(str).to_numpy()
            if np.isnan(x).all():
                continue
            repeats, steady = np.r_[False, x[1:] == x[:-1]], np.r_[False, state[1:] == state[:-1]]
            resting.append(repeats[steady & np.isin(state, ["off", "down"]) & (x != 0)])
            producing.append(repeats[steady & (state == "producing")])
        at_rest, cutting = np.concatenate(resting).mean(), np.concatenate(producing).mean()
        assert at_rest > 0.7 and cutting < 0.35, (column, at_rest, cutting)


def test_size_on_disk_stays_small(plant):
    size_mb = sum(p.stat().st_size for p in plant.rglob("*") if p.is_file()) / 1e6
    assert size_mb < 150


# --- schema, units, loaders -----------------------------------------------------------------------

UNIT_SUFFIXES = ("_rpm", "_pct", "_kw", "_a", "_mm_s", "_c", "_l_min", "_bar")
TELEMETRY_SENSORS = ["speed_rpm", "load_pct", "power_kw", "motor_current_a", "vibration_rms_mm_s",
                     "bearing_temp_c", "spindle_temp_c", "coolant_temp_c", "flow_l_min", "pressure_bar",
                     "discharge_temp_c"]


def test_loaders_return_typed_tables(plant):
    telemetry = data.load("telemetry")
    assert list(telemetry.columns) == ["timestamp", "asset_id", "machine_state", "recipe", *TELEMETRY_SENSORS]
    assert str(telemetry["timestamp"].dtype) == "datetime64[ns, UTC]"
    for column in ("asset_id", "machine_state", "recipe"):
        assert isinstance(telemetry[column].dtype, pd.CategoricalDtype), column
    assert all(column.endswith(UNIT_SUFFIXES) for column in TELEMETRY_SENSORS)
    for table in data.OBSERVED_TABLES:
        for variant in data.VARIANTS:
            frame = data.load(table, variant=variant)
            assert len(frame) > 0, (table, variant)
            if "asset_id" in frame:
                assert isinstance(frame["asset_id"].dtype, pd.CategoricalDtype), (table, variant)
    parts = data.load("parts")
    assert parts["passed"].dtype == bool and parts["part_id"].is_unique
    assert set(data.load("assets")["kind"]) == {"cnc", "coolant_pump", "conveyor", "air_compressor"}


def test_loaders_hand_out_copies(plant):
    first = data.load("recipes")
    first.loc[0, "bore_nominal_mm"] = -1.0
    assert data.load("recipes").loc[0, "bore_nominal_mm"] > 0


def test_raw_and_clean_differ_only_by_defects(plant):
    raw, clean = data.load("telemetry", variant="raw"), data.load("telemetry")
    assert len(raw) > len(clean)  # duplicated rows
    assert raw["vibration_rms_mm_s"].isna().sum() > clean["vibration_rms_mm_s"].isna().sum()  # dropouts


def test_unknown_and_truth_tables_get_clear_errors(plant):
    with pytest.raises(data.DataError, match="no plant table called 'telemetri'.*telemetry"):
        data.load("telemetri")
    with pytest.raises(data.DataError, match="ground-truth table.*load_truth\\('health'\\)"):
        data.load("health")
    with pytest.raises(data.DataError, match="variant must be 'raw' or 'clean'"):
        data.load("telemetry", variant="dirty")
    with pytest.raises(data.DataError, match="no ground-truth table called 'telemetry'"):
        data.load_truth("telemetry")
    assert {"asset_id", "mode", "health", "rul_h"} <= set(data.load_truth("health").columns)


def test_missing_table_file_names_the_fix(tmp_path, monkeypatch):
    (tmp_path / "MANIFEST.json").write_text("{}")
    monkeypatch.setenv(data.PLANT_DIR_ENV, str(tmp_path))
    data._read.cache_clear()
    with pytest.raises(data.DataError, match="missing.*plantsim generate --force"):
        data.load("telemetry")
    data._read.cache_clear()


@pytest.mark.parametrize("column, low, high", [
    ("speed_rpm", 0, 13000), ("load_pct", 0, 150), ("power_kw", 0, 45), ("motor_current_a", 0, 90),
    ("vibration_rms_mm_s", 0, 25), ("bearing_temp_c", 5, 95), ("spindle_temp_c", 5, 80),
    ("coolant_temp_c", 10, 40), ("flow_l_min", 0, 600), ("pressure_bar", 0, 9), ("discharge_temp_c", 10, 120),
])
def test_sensor_values_are_plausible(plant, column, low, high):
    values = read(plant, "clean", "telemetry")[column].dropna()
    assert len(values) > 1000
    assert values.between(low, high).all(), f"{column} outside [{low}, {high}]: {values.min()}..{values.max()}"
    assert values.nunique() > 50  # a live signal with noise, not a constant


def test_sensors_report_at_their_resolution(plant):
    telemetry = read(plant, "clean", "telemetry")
    for column, step in (("vibration_rms_mm_s", 0.01), ("bearing_temp_c", 0.1), ("speed_rpm", 1.0)):
        values = telemetry[column].dropna().to_numpy(dtype=float)
        assert np.allclose(values / step, np.round(values / step), atol=1e-3), column


# --- mechanisms, seen in the generated tables -----------------------------------------------------

def hourly_health(plant: Path, mode: str) -> pd.DataFrame:
    health = read(plant, "truth", "health")
    return health[health["mode"] == mode].drop(columns="mode")


def test_vibration_rises_with_bearing_wear_into_the_iso_zones(plant):
    telemetry = read(plant, "clean", "telemetry")
    cutting = telemetry[(telemetry["machine_state"] == "producing") & telemetry["asset_id"].astype(str).str.startswith("CNC")]
    health = hourly_health(plant, "spindle_bearing")
    merged = pd.merge_asof(cutting.sort_values("timestamp"), health.sort_values("timestamp"), on="timestamp",
                           by="asset_id", direction="backward")
    worn = merged[merged["health"] < 0.3]["vibration_rms_mm_s"]
    new = merged[merged["health"] > 0.8]["vibration_rms_mm_s"]
    assert len(worn) > 100 and len(new) > 1000
    assert worn.median() > 2 * new.median()
    a_b, b_c, c_d = zone_limits("II")
    assert new.median() < b_c  # healthy spindles run in zone A/B
    assert worn.quantile(0.9) > b_c  # worn ones reach zone C and beyond


def bearing_captures(plant: Path) -> pd.DataFrame:
    """Every route capture of an asset with a bearing that can fail, with the bearing's true health
    at the hour of the capture and its BPFO/BPFI lines in the plain and in the envelope spectrum (dB
    over their neighbourhood, the higher of the two)."""
    from plantsim import vibration
    from spectra import amplitude_spectrum, envelope_spectrum, line_db

    captures = read(plant, "clean", "vibration").astype({"asset_id": str})
    assets = read(plant, "reference", "assets").astype({"asset_id": str}).set_index("asset_id")
    health = read(plant, "truth", "health").astype({"asset_id": str})
    health = health[health["mode"].astype(str).str.contains("bearing")].sort_values("timestamp")
    merged = pd.merge_asof(captures.sort_values("timestamp"), health[["timestamp", "asset_id", "health"]],
                           on="timestamp", by="asset_id", direction="backward").dropna(subset=["health"])
    rows = []
    for capture in merged.itertuples(index=False):
        kind = str(assets.loc[capture.asset_id, "kind"])
        shaft = capture.speed_rpm / 60
        lines = [assets.loc[capture.asset_id, column] * shaft for column in ("bpfo_order", "bpfi_order")]
        plain = amplitude_spectrum(capture.accel_g, capture.sample_rate_hz)
        envelope = envelope_spectrum(capture.accel_g, capture.sample_rate_hz, vibration.STRUCTURAL_RESONANCE_HZ[kind])
        rows.append({"kind": kind, "health": capture.health, "plain_db": max(line_db(*plain, f) for f in lines),
                     "envelope_db": max(line_db(*envelope, f) for f in lines)})
    return pd.DataFrame(rows)


def test_an_early_bearing_defect_shows_in_the_envelope_before_the_plain_spectrum(plant):
    """The lesson the waveforms carry (benchmarks/plant_fitness.py measures it in full): with each
    spectrum's alarm level set where 5 % of a kind's sound bearings (true health above 0.95) reach
    it, most captures at a true health of 0.7-0.8 alarm in the envelope spectrum and few in the plain
    one. (On a pump the plain rule's level sits high: its BPFO, 3.03 x, lies within slip of 3x.)"""
    lines = bearing_captures(plant)
    assert set(lines["kind"]) == {"cnc", "coolant_pump", "conveyor"}
    for kind, of_kind in lines.groupby("kind"):
        early = of_kind[of_kind["health"].between(0.7, 0.8)]
        sound = of_kind[of_kind["health"] > 0.95]
        assert len(early) >= 20 and len(sound) >= 20, kind
        found = {method: (early[f"{method}_db"] > sound[f"{method}_db"].quantile(0.95)).mean() for method in ("plain", "envelope")}
        assert found["envelope"] > 0.4 and found["envelope"] > found["plain"] + 0.3, (kind, found)
        assert (sound["envelope_db"] >= 12).mean() < 0.05, kind


def test_every_bearing_replacement_had_a_route_capture_in_the_month_before(plant):
    captures = read(plant, "clean", "vibration")
    events = read(plant, "truth", "maintenance")
    replaced = events[events["mode"].astype(str).str.contains("bearing") & events["kind"].isin(["corrective", "condition_based"])]
    assert len(replaced) >= 5
    # The pumps' bearings wear out too, a few a year at most (the round does not inspect them).
    pumps = replaced[replaced["mode"] == "pump_bearing"]
    assert 1 <= len(pumps) and pumps["failure"].sum() <= 3
    for event in replaced.itertuples(index=False):
        before = captures[(captures["asset_id"] == event.asset_id) & (captures["timestamp"] < event.start)
                          & (captures["timestamp"] >= event.start - pd.Timedelta(days=30))]
        assert len(before) >= 1, f"{event.asset_id} {event.mode} {event.start}: no capture in the 30 days before"
    kinds = read(plant, "reference", "assets").set_index("asset_id")["kind"].astype(str)
    assert set(captures["asset_id"].astype(str).map(kinds)) == {"cnc", "coolant_pump", "conveyor"}


def test_bore_diameter_drifts_with_tool_wear_and_jumps_back_at_tool_changes(plant):
    parts = read(plant, "clean", "parts")
    slopes, jumps = [], []
    for (asset, recipe), group in parts.groupby(["asset_id", "recipe"], observed=True):
        by_tool = group.groupby("tool_id")["bore_diameter_mm"]
        for tool_id, diameters in by_tool:
            if len(diameters) > 100:
                slopes.append(np.polyfit(np.arange(len(diameters)), diameters.to_numpy() * 1000, 1)[0])
        ends = by_tool.agg(lambda d: d.iloc[-20:].mean() if len(d) > 40 else np.nan)
        starts = by_tool.agg(lambda d: d.iloc[:20].mean() if len(d) > 40 else np.nan)
        jumps += list((starts.shift(-1) - ends).dropna() * 1000)
    assert np.mean(np.array(slopes) < 0) > 0.9  # bores shrink as the insert wears ...
    assert np.median(jumps) > 5  # ... and come back up (um) with a new insert


def test_energy_per_part_rises_with_tool_wear(plant):
    energy = read(plant, "clean", "energy")
    parts = read(plant, "clean", "parts")
    wear = read(plant, "truth", "tool_wear")
    cnc = energy[(energy["asset_id"] == "CNC-103") & (energy["state"] == "producing")].copy()
    parts = parts[parts["asset_id"] == "CNC-103"].copy()
    parts["interval"] = parts["timestamp"].dt.floor("15min")
    counts = parts.groupby(["interval", "recipe"], observed=True).size().unstack(fill_value=0)
    single = counts[(counts > 0).sum(axis=1) == 1]  # intervals with one recipe only
    recipe = single.idxmax(axis=1)
    wear = wear[wear["asset_id"] == "CNC-103"].copy()
    wear["interval"] = wear["timestamp"].dt.floor("15min")
    vb = wear.groupby("interval")["flank_wear_mm"].mean()
    table = pd.DataFrame({"parts": single.max(axis=1), "recipe": recipe}).join(
        cnc.set_index("timestamp")["energy_kwh"]).join(vb).dropna()
    table = table[table["parts"] >= 2]
    table["kwh_per_part"] = table["energy_kwh"] / table["parts"]
    for _, rows in table.groupby("recipe"):
        fresh = rows[rows["flank_wear_mm"] < 0.1]["kwh_per_part"].median()
        worn = rows[rows["flank_wear_mm"] > 0.2]["kwh_per_part"].median()
        assert worn > fresh * 1.05


def test_no_single_visible_column_at_a_fixed_threshold_separates_failing_windows(plant):
    """The 24 h before each component failure against other running days of the same assets.

    Failures come from a hazard: some strike at moderate health with no warning, and worn parts
    that inspections catch in time never fail. So the best single threshold on any one sensor
    stays short of a perfect split (AI4I 2020's threshold rules make it perfect there).
    """
    telemetry = read(plant, "clean", "telemetry").set_index("timestamp").sort_index()
    failures = read(plant, "truth", "failures")
    failures = failures[failures["mode"] != "cutting_tool"]
    rng = np.random.default_rng(0)
    rows = []
    for _, failure in failures.iterrows():
        mine = telemetry[(telemetry["asset_id"] == failure["asset_id"]) & (telemetry["machine_state"] != "off")]
        before = mine.loc[failure["start"] - pd.Timedelta("24h"): failure["start"] - pd.Timedelta("5min")]
        rows.append({"failing": True, **before[TELEMETRY_SENSORS].mean().to_dict()})
        own_failures = failures.loc[failures["asset_id"] == failure["asset_id"], "start"]
        for when in mine.index[rng.choice(len(mine), 12, replace=False)]:
            ahead = own_failures - when
            if ((ahead > pd.Timedelta(0)) & (ahead < pd.Timedelta("14D"))).any():
                continue  # a failure follows within two weeks: not a "no failure ahead" window
            window = mine.loc[when - pd.Timedelta("24h"): when]
            if len(window):
                rows.append({"failing": False, **window[TELEMETRY_SENSORS].mean().to_dict()})
    windows = pd.DataFrame(rows)
    assert windows["failing"].sum() >= 8
    for column in TELEMETRY_SENSORS:
        known = windows[[column, "failing"]].dropna()
        if known["failing"].sum() < 5:
            continue
        values, failing = known[column].to_numpy(), known["failing"].to_numpy()
        best = max(
            (np.mean((sign * values >= sign * threshold)[failing]) + np.mean((sign * values < sign * threshold)[~failing])) / 2
            for threshold in np.unique(values) for sign in (1, -1)
        )
        assert best < 0.95, f"{column} alone separates failing from healthy windows (balanced accuracy {best:.2f})"


def test_quality_excursions_have_recorded_causes(plant):
    causes = read(plant, "truth", "quality_causes")
    assert {"coolant_temperature", "fixture_loose", "bad_material_lot"} <= set(causes["cause"].astype(str))
    parts, truth = read(plant, "clean", "parts"), read(plant, "truth", "part_truth")
    merged = parts.merge(truth, on="part_id")
    chiller = causes[causes["cause"] == "coolant_temperature"].iloc[0]
    inside = merged[(merged["line"] == chiller["target"]) & merged["timestamp"].between(chiller["start"], chiller["end"])]
    before = merged[(merged["line"] == chiller["target"]) & (merged["timestamp"] < chiller["start"])]
    assert inside["passed"].mean() < before["passed"].mean() - 0.03


# --- defects: present where the manifest says, and nowhere else ----------------------------------

VALUE_DEFECTS = {"dropout", "zero_value", "stuck", "spike", "drift", "offset", "unit_switch"}


def test_every_telemetry_value_defect_is_where_the_manifest_says(plant):
    manifest = read(plant, "truth", "defects")
    assert {"dropout", "stuck", "spike", "drift", "offset", "unit_switch", "duplicate_rows", "out_of_order",
            "clock_skew", "dst_not_switched", "late_log", "wrong_label", "censored"} <= set(manifest["kind"].astype(str))
    raw = read(plant, "raw", "telemetry").drop_duplicates(["timestamp", "asset_id"]).set_index(["asset_id", "timestamp"]).sort_index()
    clean = read(plant, "clean", "telemetry").set_index(["asset_id", "timestamp"]).sort_index()
    shifted = manifest[manifest["kind"].isin(["clock_skew", "dst_not_switched"]) & (manifest["table"] == "telemetry")]
    rows = manifest[(manifest["table"] == "telemetry") & manifest["kind"].isin(VALUE_DEFECTS)]
    assert len(rows) >= 10
    for _, defect in rows.iterrows():
        if defect["asset_id"] in set(shifted["asset_id"]):
            continue  # its timestamps move too; the records tests cover that asset on synthetic data
        asset, column = defect["asset_id"], defect["column"]
        window = slice(defect["start"], defect["end"])
        raw_in = raw.loc[(asset, window), column]
        clean_in = clean.loc[(asset, window), column].reindex(raw_in.index)
        differs = ~np.isclose(raw_in.to_numpy(float), clean_in.to_numpy(float), equal_nan=True)
        assert differs.any(), f"{defect['defect_id']} {defect['kind']} on {asset}.{column} left no trace"
    # Outside every listed window, raw equals clean.
    touched = pd.Series(False, index=clean.index)
    for _, defect in manifest[manifest["table"] == "telemetry"].iterrows():
        if defect["asset_id"] in set(shifted["asset_id"]) or pd.isna(defect["asset_id"]):
            continue
        touched.loc[(defect["asset_id"], slice(defect["start"], defect["end"]))] = True
    untouched = touched[~touched].index.intersection(raw.index)
    untouched = untouched[~untouched.get_level_values(0).isin(shifted["asset_id"])]
    pd.testing.assert_frame_equal(raw.loc[untouched, TELEMETRY_SENSORS], clean.loc[untouched, TELEMETRY_SENSORS],
                                  check_exact=False, atol=1e-6)


def _changed_rows(raw: pd.DataFrame, clean: pd.DataFrame, defect: pd.Series) -> tuple[int, int]:
    """Rows in the defect's window (end excluded) and how many of them differ between raw and clean."""
    keys = ["asset_id", "timestamp"]
    raw = raw.drop_duplicates(keys).set_index(keys).sort_index().loc[defect["asset_id"], defect["column"]]
    clean = clean.set_index(keys).sort_index().loc[defect["asset_id"], defect["column"]]
    raw = raw[(raw.index >= defect["start"]) & (raw.index < defect["end"])]
    clean = clean.reindex(raw.index)
    differs = ~np.isclose(raw.to_numpy(float), clean.to_numpy(float), equal_nan=True)
    return len(raw), int(differs.sum())


def test_every_manifest_row_is_ordered_and_changes_the_rows_it_counts(plant):
    manifest = read(plant, "truth", "defects")
    backwards = manifest.loc[manifest["end"] < manifest["start"], "defect_id"].tolist()
    assert not backwards, f"defect windows that end before they start: {backwards}"
    tables = {name: (read(plant, "raw", name), read(plant, "clean", name)) for name in ("telemetry", "energy")}
    shifted = set(manifest.loc[manifest["kind"].isin(["clock_skew", "dst_not_switched"]), "asset_id"])
    checked = 0
    for _, defect in manifest[manifest["table"].isin(tables) & manifest["kind"].isin(VALUE_DEFECTS)].iterrows():
        if defect["asset_id"] in shifted:
            continue  # its timestamps move too: raw and clean rows do not pair up by time
        _, changed = _changed_rows(*tables[defect["table"]], defect)
        where = f"{defect['defect_id']} ({defect['kind']} on {defect['asset_id']}.{defect['column']})"
        # Exactly the readings it changed: not a reading that was already 0, a frozen reading equal to the
        # true one, the first hundredths of a drift, a 0 bar left 0 psi.
        assert changed == defect["rows_affected"] > 0, f"{where} counts {defect['rows_affected']} rows, {changed} changed"
        checked += 1
    assert checked >= 25
    raw_orders = read(plant, "raw", "work_orders").set_index("wo_id")
    clean_orders = read(plant, "clean", "work_orders").set_index("wo_id")
    record_defects = manifest[manifest["kind"].isin(["late_log", "wrong_label"])]
    assert len(record_defects) >= 2
    for _, defect in record_defects.iterrows():
        wo_id = defect["detail"].split(":")[0]
        column = defect["column"]
        assert raw_orders.at[wo_id, column] != clean_orders.at[wo_id, column], f"{defect['defect_id']} left {wo_id} as it was"


def test_a_wrong_label_names_a_component_that_work_orders_carry_for_that_kind_of_asset(plant):
    manifest = read(plant, "truth", "defects")
    orders = read(plant, "clean", "work_orders")
    kinds = read(plant, "reference", "assets").set_index("asset_id")["kind"].astype(str)
    carried = orders.dropna(subset=["failure_mode_reported"]).assign(kind=lambda o: o["asset_id"].astype(str).map(kinds))
    carried = carried.groupby("kind")["failure_mode_reported"].agg(lambda modes: set(modes.astype(str)))
    wrong = manifest[manifest["kind"] == "wrong_label"]
    assert len(wrong) >= 1
    for _, defect in wrong.iterrows():
        recorded, true = defect["detail"].split("recorded as ")[1].split(", the true failure mode was ")
        assert recorded != true
        assert recorded in carried[kinds[defect["asset_id"]]], f"{defect['defect_id']} names {recorded}, never in a work order"
