"""Can the data carry the lessons? Measured the way the modules will use it, on the plant and the fleet.

    .venv/bin/python benchmarks/plant_fitness.py              # plant and fleet
    .venv/bin/python benchmarks/plant_fitness.py --only fleet

For the Predict level (modules 07 and 08) it measures, on daily rows per asset (for the plant built
from its 5-minute telemetry, for the fleet its own daily summary):

* component failures, and how many fall in the held-out last third of time;
* component lives: complete (renewal or start of records to failure), censored by a replacement,
  censored by the end of the records, left-truncated (the component was already part-worn when the
  records began);
* a failure-warning model: logistic regression on the day's readings and their 7-day trend, trained
  on the first two thirds of time and scored on the last third (PR-AUC of "a component fails within
  7 days"), with a 90 % bootstrap interval over assets, beside the prevalence (what a coin scores)
  and beside the same model given the true health and its 7-day trend (what a perfect health
  estimate would give a linear model);
* remaining useful life in operating hours (capped at ``RUL_CAP_H``): a random forest on the same
  readings plus the component's age, grouped cross-validation by life, against predicting the
  training mean; RMSE and the share of lives on which the forest wins.

For the Analyse level (vibration) it measures, on the default plant's ``vibration`` table, whether an
early bearing defect shows first in the envelope spectrum or in the plain spectrum, with a rule of the
kind a module teaches ("envelope vs plain spectrum"):

* captures: those of assets with a bearing failure mode, at true bearing health 0.7-0.8 (an early
  defect) and, as the control, above 0.95 (sound); the health is the hourly truth of the asset's
  bearing mode at the hour of the capture;
* defect frequencies: BPFO and BPFI from the asset's bearing geometry in the ``assets`` reference
  table (``bpfo_order``, ``bpfi_order``) times the capture's ``speed_rpm`` / 60, searched within
  +-2 % (rolling elements slip);
* a line's height: the largest amplitude within that +-2 % window, in dB above the median of its
  neighbourhood (0.8 to 1.2 x the defect frequency, the window left out); a capture's score is the
  higher of its BPFO and BPFI lines;
* plain spectrum: the amplitude spectrum (Hann window) of the capture;
* envelope spectrum: the capture band-passed (4th-order Butterworth, forward and backward) around
  the housing's structural resonance the datasheet names (+-40 % of it), its Hilbert envelope, mean
  removed, Hann window, amplitude spectrum;
* a detection: a score of N dB or more. N is set for each method and asset kind on the sound
  captures themselves (as alarm levels are set from a baseline of sound machines): the lowest N in
  0.5 dB steps at which at most 5 % of that kind's sound captures alarm, so both methods are
  compared at about the same false-alarm rate (a point on each ROC curve);
* detection rates at 0.7-0.8 and false-alarm rates above 0.95, per asset kind;
* where the envelope's strongest line lies: for every capture with a defect (health below 0.8), the
  highest line of the envelope spectrum between 0.3 x shaft speed and 2.2 x BPFI is classed as a
  defect line (k x BPFO or k x BPFI, k = 1, 2, or BPFI +- 1 or 2 x shaft speed, within 2 %), a
  shaft harmonic (an integer order within 2 %) or elsewhere;
* failures of a bearing mode (and all replacements of a bearing: breakdowns, condition-based
  replacements, zone D stops) with no capture of their asset in the 30 days before them.

Writes benchmarks/results/plant_fitness.md; the datasheet quotes it.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "plant_fitness.md"
sys.path.insert(0, str(ROOT / "src"))

HORIZON_DAYS = 7
RUL_CAP_H = 480.0  # about a month of two-shift running: the planner's horizon
BOOTSTRAP = 500
FEATURES = ("vibration_mean_mm_s", "vibration_max_mm_s", "bearing_temp_c", "load_pct", "motor_current_a",
            "running_h", "alarms")  # what every asset kind measures (a pump has no spindle)
KINDS = ("cnc", "coolant_pump", "conveyor", "air_compressor")
SEED = 7


# --- daily rows -----------------------------------------------------------------------------------

def plant_daily() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """The plant's telemetry as the fleet's daily summary, plus its failures, lives and daily health."""
    from academy import data
    from plantsim.fleet import _lives
    from plantsim.operations import hour_meter
    from plantsim.simulate import simulate
    from plantsim.scenario import load_scenario

    scenario = load_scenario(ROOT / "datasets" / "plant" / "scenario.yml")
    tz = scenario.timezone
    telemetry = data.load("telemetry")
    alarms = data.load("alarms")
    telemetry["date"] = telemetry["timestamp"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    running = ~telemetry["machine_state"].isin(["off", "down"])
    step_h = scenario.step_minutes / 60
    daily = telemetry.assign(running=running * step_h).groupby(["asset_id", "date"], observed=True).agg(
        vibration_mean_mm_s=("vibration_rms_mm_s", "mean"), vibration_max_mm_s=("vibration_rms_mm_s", "max"),
        bearing_temp_c=("bearing_temp_c", "mean"), spindle_temp_c=("spindle_temp_c", "mean"),
        load_pct=("load_pct", "mean"), motor_current_a=("motor_current_a", "mean"), running_h=("running", "sum"),
    ).reset_index()
    raised = alarms.assign(date=alarms["raised_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize())
    counts = raised.groupby(["asset_id", "date"], observed=True).size().rename("alarms").reset_index()
    daily = daily.merge(counts, on=["asset_id", "date"], how="left").fillna({"alarms": 0})
    truth = simulate(scenario)  # the plant's truth in memory: lives on the hour meter, like the fleet's
    lives, meters = [], {}
    for asset_id, asset in truth.assets.items():
        meter = hour_meter(asset.state, asset.spec.kind, truth.timeline.step_hours)
        lives += _lives(asset_id, asset, meter, truth.timeline.times_utc, truth.timeline.step_hours)
        day = truth.timeline.times_utc.tz_convert(tz).tz_localize(None).normalize()
        meters[asset_id] = pd.Series(meter, index=day).groupby(level=0).max()
    daily["operating_h"] = [meters[a].get(d, np.nan) for a, d in zip(daily["asset_id"], daily["date"])]
    lives = pd.DataFrame(lives)
    # The plant's components start part-worn: a life that begins at the start of records is left-truncated.
    failures = data.load_truth("failures")
    health = data.load_truth("health")
    health["date"] = health["timestamp"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    health = health.groupby(["asset_id", "mode", "date"], observed=True)["health"].min().reset_index()
    return daily, failures, lives, health, tz


def fleet_daily():
    from academy import data

    daily = data.load("daily", plant="fleet")
    return (daily, data.load_truth("failures", plant="fleet"), data.load_truth("lives", plant="fleet"),
            data.load_truth("health_daily", plant="fleet"), "Europe/Berlin")


# --- measures -------------------------------------------------------------------------------------

def label_days(daily: pd.DataFrame, failures: pd.DataFrame, tz: str) -> pd.DataFrame:
    failures = failures[failures["mode"] != "cutting_tool"]
    day = failures["start"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    daily = daily.sort_values(["asset_id", "date"]).reset_index(drop=True)
    daily["fails_soon"] = False
    for asset_id, when in zip(failures["asset_id"], day):
        # The days before the failure day: that day's readings already show the breakdown itself.
        rows = (daily["asset_id"] == asset_id) & (daily["date"] >= when - pd.Timedelta(days=HORIZON_DAYS)) & (daily["date"] < when)
        daily.loc[rows, "fails_soon"] = True
    return daily


def with_trends(daily: pd.DataFrame, kinds: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    columns = list(FEATURES)
    kind = daily["asset_id"].astype(str).map(kinds)
    for name in KINDS[1:]:  # the readings of a pump and of a CNC mean different things
        daily[f"is_{name}"] = (kind == name).astype(float)
        columns.append(f"is_{name}")
    grouped = daily.groupby("asset_id", observed=True)
    trends = []
    for column in ("vibration_mean_mm_s", "vibration_max_mm_s", "bearing_temp_c"):
        name = f"{column}_7d_change"
        daily[name] = daily[column] - grouped[column].shift(7)
        trends.append(name)
    return daily, columns + trends


def pr_auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, score)) if y.any() else float("nan")


def failure_warning(daily: pd.DataFrame, failures: pd.DataFrame, health: pd.DataFrame, tz: str,
                    kinds: pd.Series) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    daily = label_days(daily[daily["running_h"] > 0].copy(), failures, tz)
    daily, columns = with_trends(daily, kinds)
    worst = health[health["mode"] != "cutting_tool"].groupby(["asset_id", "date"], observed=True)["health"].min()
    daily = daily.join(worst.rename("true_health"), on=["asset_id", "date"])
    daily["true_health_7d_change"] = daily["true_health"] - daily.groupby("asset_id", observed=True)["true_health"].shift(7)
    ceiling = ["true_health", "true_health_7d_change"] + [c for c in columns if c.startswith("is_")]
    daily = daily.dropna(subset=columns + ceiling)
    first, last = daily["date"].min(), daily["date"].max()
    cut = first + (last - first) * 2 / 3
    # A purge of the horizon before the cut: no training label looks into the test third.
    train = daily[daily["date"] < cut - pd.Timedelta(days=HORIZON_DAYS)]
    test = daily[daily["date"] >= cut]
    out = {"test_days": len(test), "test_positive_days": int(test["fails_soon"].sum()),
           "prevalence": float(test["fails_soon"].mean())}
    rng = np.random.default_rng(SEED)
    assets = test["asset_id"].astype(str).to_numpy()
    unique_assets = np.unique(assets)
    for name, cols in (("model", columns), ("true_health_ceiling", ceiling)):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, class_weight="balanced"))
        model.fit(train[cols].to_numpy(float), train["fails_soon"].to_numpy())
        score = model.predict_proba(test[cols].to_numpy(float))[:, 1]
        y = test["fails_soon"].to_numpy()
        boot = []
        for _ in range(BOOTSTRAP):
            pick = rng.choice(unique_assets, len(unique_assets), replace=True)
            index = np.concatenate([np.flatnonzero(assets == a) for a in pick])
            if y[index].any():
                boot.append(pr_auc(y[index], score[index]))
        out[name] = (pr_auc(y, score), float(np.quantile(boot, 0.05)), float(np.quantile(boot, 0.95)))
    return out


def remaining_life(daily: pd.DataFrame, lives: pd.DataFrame, kinds: pd.Series) -> dict:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import GroupKFold

    complete = lives[(lives["end_kind"] == "failure") & (lives["mode"] != "cutting_tool")].reset_index(drop=True)
    daily, columns = with_trends(daily[daily["running_h"] > 0].sort_values(["asset_id", "date"]).copy(), kinds)
    rows = []
    for number, life in complete.iterrows():
        start = pd.Timestamp(life["start"]).tz_convert("UTC").tz_localize(None)
        end = pd.Timestamp(life["end"]).tz_convert("UTC").tz_localize(None)
        days = daily[(daily["asset_id"] == life["asset_id"]) & (daily["date"] >= start.normalize() + pd.Timedelta(days=1))
                     & (daily["date"] < end.normalize())]
        if days.empty:
            continue
        rul = life["end_operating_h"] - days["operating_h"]
        age = days["operating_h"] - life["start_operating_h"]
        rows.append(days.assign(rul_h=np.minimum(rul, RUL_CAP_H), age_h=age, life=number))
    table = pd.concat(rows, ignore_index=True).dropna(subset=columns)
    features = columns + ["age_h"]
    folds = GroupKFold(n_splits=5)
    forest_errors, mean_errors, wins, lives_scored = [], [], 0, 0
    for train_index, test_index in folds.split(table, groups=table["life"]):
        train, test = table.iloc[train_index], table.iloc[test_index]
        forest = RandomForestRegressor(n_estimators=150, min_samples_leaf=5, random_state=SEED, n_jobs=2)
        forest.fit(train[features].to_numpy(float), train["rul_h"].to_numpy())
        predicted = forest.predict(test[features].to_numpy(float))
        baseline = np.full(len(test), train["rul_h"].mean())
        forest_errors.append((predicted - test["rul_h"]) ** 2)
        mean_errors.append((baseline - test["rul_h"]) ** 2)
        for life, rows_of_life in test.groupby("life"):
            at = test.index.get_indexer(rows_of_life.index)
            lives_scored += 1
            wins += np.mean((predicted[at] - rows_of_life["rul_h"]) ** 2) < np.mean((baseline[at] - rows_of_life["rul_h"]) ** 2)
    return {"lives": lives_scored, "rows": len(table),
            "forest_rmse_h": float(np.sqrt(np.concatenate(forest_errors).mean())),
            "mean_rmse_h": float(np.sqrt(np.concatenate(mean_errors).mean())), "forest_wins": int(wins)}


def failures_and_lives(failures: pd.DataFrame, lives: pd.DataFrame, daily: pd.DataFrame, left_truncated: bool) -> dict:
    components = failures[failures["mode"] != "cutting_tool"]
    first, last = daily["date"].min(), daily["date"].max()
    cut = (first + (last - first) * 2 / 3).tz_localize("Europe/Berlin")
    lives = lives[lives["mode"] != "cutting_tool"]
    starts_worn = (lives["start_kind"] == "start_of_records") & left_truncated
    return {
        "failures": len(components), "held_out_failures": int((components["start"] >= cut).sum()),
        "by_mode": components["mode"].astype(str).value_counts().to_dict(),
        "complete": int(((lives["end_kind"] == "failure") & ~starts_worn).sum()),
        "left_truncated_to_failure": int(((lives["end_kind"] == "failure") & starts_worn).sum()),
        "censored_by_replacement": int((lives["end_kind"] == "replaced").sum()),
        "censored_by_end": int((lives["end_kind"] == "end_of_records").sum()),
        "left_truncated": int(starts_worn.sum()),
        "asset_years": daily.groupby("asset_id", observed=True)["date"].agg(lambda d: (d.max() - d.min()).days + 1).sum() / 365.25,
    }


# --- envelope vs plain spectrum -------------------------------------------------------------------

EARLY_HEALTH = (0.7, 0.8)
SOUND_HEALTH = 0.95
SLIP = 0.02  # +- share around a defect frequency
NEIGHBOURHOOD = (0.8, 1.2)  # the line's surroundings, as multiples of the defect frequency
BAND_SHARE = 0.4  # the envelope's band: the resonance +- this share
MAX_FALSE_ALARMS = 0.05
THRESHOLD_STEP_DB = 0.5
NO_CAPTURE_DAYS = 30


def line_db(spectrum: np.ndarray, freqs: np.ndarray, frequency: float) -> float:
    """The largest amplitude within +-SLIP of ``frequency``, in dB over the median of its neighbourhood."""
    at = np.abs(freqs - frequency) <= SLIP * frequency
    around = (freqs >= NEIGHBOURHOOD[0] * frequency) & (freqs <= NEIGHBOURHOOD[1] * frequency) & ~at
    return float(20 * np.log10(spectrum[at].max() / np.median(spectrum[around])))


def amplitude_spectrum(signal: np.ndarray, sample_rate: float) -> tuple[np.ndarray, np.ndarray]:
    signal = signal - signal.mean()
    return np.abs(np.fft.rfft(signal * np.hanning(len(signal)))), np.fft.rfftfreq(len(signal), 1 / sample_rate)


def envelope_spectrum(signal: np.ndarray, sample_rate: float, resonance_hz: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy.signal import butter, hilbert, sosfiltfilt

    high = min((1 + BAND_SHARE) * resonance_hz, 0.45 * sample_rate)
    band = butter(4, [(1 - BAND_SHARE) * resonance_hz, high], btype="band", fs=sample_rate, output="sos")
    return amplitude_spectrum(np.abs(hilbert(sosfiltfilt(band, signal))), sample_rate)


def strongest_envelope_line(spectrum: np.ndarray, freqs: np.ndarray, shaft_hz: float, bpfo: float, bpfi: float) -> str:
    """Where the envelope's highest line between 0.3 x shaft speed and 2.2 x BPFI lies."""
    window = (freqs >= 0.3 * shaft_hz) & (freqs <= 2.2 * bpfi)
    peak = freqs[window][np.argmax(spectrum[window])]
    defect = [k * bpfo for k in (1, 2)] + [k * bpfi for k in (1, 2)] + [bpfi + m * shaft_hz for m in (-2, -1, 1, 2)]
    if any(abs(peak - f) <= SLIP * f for f in defect):
        return "defect"
    order = peak / shaft_hz
    if round(order) >= 1 and abs(order - round(order)) <= SLIP * order:
        return "shaft"
    return "elsewhere"


def envelope_vs_plain() -> dict:
    """Early bearing defects found by a line at BPFO/BPFI in the plain and in the envelope spectrum."""
    from academy import data
    from plantsim import vibration

    captures = data.load("vibration")
    assets = data.load("assets").set_index("asset_id")
    health = data.load_truth("health")
    health = health[health["mode"].astype(str).str.contains("bearing")]
    hourly = {(str(a), str(m)): g.set_index("timestamp")["health"] for (a, m), g in health.groupby(["asset_id", "mode"], observed=True)}
    rows = []
    for capture in captures.itertuples(index=False):
        asset_id = str(capture.asset_id)
        mode = next((m for a, m in hourly if a == asset_id), None)
        if mode is None:
            continue  # no bearing that can fail
        kind = str(assets.loc[asset_id, "kind"])
        true_health = float(hourly[(asset_id, mode)].asof(capture.timestamp))
        if EARLY_HEALTH[1] < true_health <= SOUND_HEALTH:
            continue  # neither an early (or later) defect nor sound
        signal = np.asarray(capture.accel_g, dtype=np.float64)
        fs = float(capture.sample_rate_hz)
        shaft_hz = float(capture.speed_rpm) / 60
        bpfo = float(assets.loc[asset_id, "bpfo_order"]) * shaft_hz
        bpfi = float(assets.loc[asset_id, "bpfi_order"]) * shaft_hz
        plain, freqs = amplitude_spectrum(signal, fs)
        envelope, envelope_freqs = envelope_spectrum(signal, fs, vibration.STRUCTURAL_RESONANCE_HZ[kind])
        rows.append({"kind": kind, "health": true_health,
                     "plain_db": max(line_db(plain, freqs, bpfo), line_db(plain, freqs, bpfi)),
                     "envelope_db": max(line_db(envelope, envelope_freqs, bpfo), line_db(envelope, envelope_freqs, bpfi)),
                     "strongest": strongest_envelope_line(envelope, envelope_freqs, shaft_hz, bpfo, bpfi)})
    table = pd.DataFrame(rows)
    early = table[table["health"].between(*EARLY_HEALTH)]
    sound = table[table["health"] > SOUND_HEALTH]
    out = {"by_kind": {}, "strongest": {}}
    for kind in sorted(table["kind"].unique()):
        e, s = early[early["kind"] == kind], sound[sound["kind"] == kind]
        entry = {"early": len(e), "sound": len(s)}
        for method in ("plain", "envelope"):
            threshold = alarm_level(s[f"{method}_db"].to_numpy())
            entry[f"{method}_threshold_db"] = threshold
            entry[f"{method}_detected"] = int((e[f"{method}_db"] >= threshold).sum())
            entry[f"{method}_false_alarms"] = int((s[f"{method}_db"] >= threshold).sum())
        out["by_kind"][kind] = entry
        defect = table[(table["kind"] == kind) & (table["health"] < EARLY_HEALTH[1])]
        out["strongest"][kind] = {"captures": len(defect), **defect["strongest"].value_counts().to_dict()}
    out["uncaptured_failures"] = uncaptured_failures(captures)
    return out


def alarm_level(sound_scores: np.ndarray) -> float:
    """The lowest level (in THRESHOLD_STEP_DB steps) at which at most MAX_FALSE_ALARMS of the sound captures alarm."""
    if len(sound_scores) == 0:
        return float("nan")
    threshold = THRESHOLD_STEP_DB * np.ceil(sound_scores.min() / THRESHOLD_STEP_DB)
    while np.mean(sound_scores >= threshold) > MAX_FALSE_ALARMS:
        threshold += THRESHOLD_STEP_DB
    return float(threshold)


def uncaptured_failures(captures: pd.DataFrame) -> dict:
    """Bearing failures, and all bearing replacements, with no capture of their asset in the NO_CAPTURE_DAYS before them."""
    from academy import data

    events = data.load_truth("maintenance")
    events = events[events["mode"].astype(str).str.contains("bearing") & events["kind"].isin(["corrective", "condition_based"])]
    out = {}
    for name, chosen in (("failures", events[events["failure"]]), ("replacements", events)):
        missing = []
        for event in chosen.itertuples(index=False):
            before = captures[(captures["asset_id"] == event.asset_id) & (captures["timestamp"] < event.start)
                              & (captures["timestamp"] >= event.start - pd.Timedelta(days=NO_CAPTURE_DAYS))]
            if before.empty:
                missing.append(f"{event.asset_id} {event.reason} {event.start:%Y-%m-%d}")
        out[name] = {"count": len(chosen), "without_capture": missing}
    return out


def measure(which: str) -> dict:
    started = time.perf_counter()
    from academy import data

    daily, failures, lives, health, tz = plant_daily() if which == "plant" else fleet_daily()
    assets = data.load("assets", plant=which)
    kinds = pd.Series(assets["kind"].astype(str).to_numpy(), index=assets["asset_id"].astype(str))
    result = {"counts": failures_and_lives(failures, lives, daily, left_truncated=(which == "plant"))}
    result["warning"] = failure_warning(daily, failures, health, tz, kinds)
    result["rul"] = remaining_life(daily, lives, kinds)
    result["seconds"] = time.perf_counter() - started
    if which == "plant":
        started = time.perf_counter()
        result["envelope"] = envelope_vs_plain()
        result["envelope"]["seconds"] = time.perf_counter() - started
    return result


def report(results: dict) -> str:
    lines = ["# Can the data carry the Predict lessons?", "",
             f"Measured by `benchmarks/plant_fitness.py` on {platform.machine()}, Python {platform.python_version()}.",
             f"Failure warning: a component fails within {HORIZON_DAYS} days, logistic regression, time split at two "
             f"thirds with a {HORIZON_DAYS}-day purge, PR-AUC with a 90 % bootstrap interval over assets ({BOOTSTRAP} resamples). RUL in operating "
             f"hours capped at {RUL_CAP_H:.0f} h, random forest against the training mean, 5-fold cross-validation "
             "grouped by life.", "",
             "| | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]

    def row(label, get):
        lines.append(f"| {label} | " + " | ".join(get(r) for r in results.values()) + " |")

    row("asset-years", lambda r: f"{r['counts']['asset_years']:.0f}")
    row("component failures", lambda r: str(r["counts"]["failures"]))
    row("... in the held-out last third", lambda r: str(r["counts"]["held_out_failures"]))
    row("... by mode", lambda r: ", ".join(f"{k} {v}" for k, v in sorted(r["counts"]["by_mode"].items())))
    row("complete lives (renewal to failure)", lambda r: str(r["counts"]["complete"]))
    row("left-truncated lives ending in failure", lambda r: str(r["counts"]["left_truncated_to_failure"]))
    row("lives censored by a replacement", lambda r: str(r["counts"]["censored_by_replacement"]))
    row("lives censored by the end of records", lambda r: str(r["counts"]["censored_by_end"]))
    row("left-truncated lives (part-worn at the start)", lambda r: str(r["counts"]["left_truncated"]))
    row("test days (positive)", lambda r: f"{r['warning']['test_days']} ({r['warning']['test_positive_days']})")
    row("prevalence (a coin's PR-AUC)", lambda r: f"{r['warning']['prevalence']:.3f}")
    row("PR-AUC, readings model [90 % interval]", lambda r: "{:.3f} [{:.3f}, {:.3f}]".format(*r["warning"]["model"]))
    row("PR-AUC, the same model on the true health and its trend [90 %]", lambda r: "{:.3f} [{:.3f}, {:.3f}]".format(*r["warning"]["true_health_ceiling"]))
    row("RUL lives scored (rows)", lambda r: f"{r['rul']['lives']} ({r['rul']['rows']})")
    row("RUL RMSE, forest / mean (h)", lambda r: f"{r['rul']['forest_rmse_h']:.0f} / {r['rul']['mean_rmse_h']:.0f}")
    row("lives where the forest beats the mean", lambda r: f"{r['rul']['forest_wins']} of {r['rul']['lives']}")
    row("seconds to measure", lambda r: f"{r['seconds']:.0f}")
    if "envelope" in results.get("plant", {}):
        lines += envelope_report(results["plant"]["envelope"])
    return "\n".join(lines) + "\n"


def envelope_report(result: dict) -> list[str]:
    lines = ["", "## Envelope vs plain spectrum (plant)", "",
             f"A capture alarms when its line at BPFO or BPFI (+-{SLIP:.0%}) stands N dB above the median of "
             f"{NEIGHBOURHOOD[0]}-{NEIGHBOURHOOD[1]} x that frequency; envelope: band-pass +-{BAND_SHARE:.0%} around "
             f"the structural resonance, Hilbert envelope. N is set per method and kind: the lowest (in {THRESHOLD_STEP_DB} dB "
             f"steps) at which at most {MAX_FALSE_ALARMS:.0%} of that kind's sound captures (true bearing health above "
             f"{SOUND_HEALTH}) alarm. Early defect: true bearing health {EARLY_HEALTH[0]}-{EARLY_HEALTH[1]}.", "",
             "| kind | early captures | N plain / envelope (dB) | detected, plain | detected, envelope | sound captures | false alarms, plain | false alarms, envelope |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def share(k, n):
        return f"{k} ({k / n:.0%})" if n else "-"

    for kind, e in result["by_kind"].items():
        lines.append(f"| {kind} | {e['early']} | {e['plain_threshold_db']:.1f} / {e['envelope_threshold_db']:.1f} "
                     f"| {share(e['plain_detected'], e['early'])} | {share(e['envelope_detected'], e['early'])} "
                     f"| {e['sound']} | {share(e['plain_false_alarms'], e['sound'])} | {share(e['envelope_false_alarms'], e['sound'])} |")
    lines += ["", "Strongest envelope line between 0.3 x shaft speed and 2.2 x BPFI, captures with a defect (health below "
              f"{EARLY_HEALTH[1]}): at a defect frequency (k x BPFO, k x BPFI, BPFI +- 1-2 x shaft), at a shaft harmonic, elsewhere.", "",
              "| kind | captures | defect | shaft | elsewhere |", "|---|---:|---:|---:|---:|"]
    for kind, s in result["strongest"].items():
        lines.append(f"| {kind} | {s['captures']} | {s.get('defect', 0)} | {s.get('shaft', 0)} | {s.get('elsewhere', 0)} |")
    for name, words in (("failures", "Bearing failures (breakdowns)"),
                        ("replacements", "Bearing replacements (breakdowns, condition-based and zone D stops)")):
        missing = result["uncaptured_failures"][name]
        lines += ["", f"{words}: {missing['count']}; with no capture of their asset in the {NO_CAPTURE_DAYS} days before "
                  f"them: {len(missing['without_capture'])}" + (f" ({', '.join(missing['without_capture'])})" if missing["without_capture"] else "") + "."]
    lines += ["",
              f"Seconds to measure: {result['seconds']:.0f}."]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("plant", "fleet"))
    args = parser.parse_args(argv)
    results = {which: measure(which) for which in ("plant", "fleet") if args.only in (None, which)}
    text = report(results)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
