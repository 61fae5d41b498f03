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
    return "\n".join(lines) + "\n"


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
