"""Can the default plant carry the Monitor lessons? Measured the way modules 04 to 06 will use it.

    .venv/bin/python benchmarks/monitor_fitness.py

Writes benchmarks/results/monitor_fitness.md (the datasheet quotes it); the Predict level's figures
and the envelope spectrum are measured by ``benchmarks/plant_fitness.py``, the dirt by
``benchmarks/dirt_rules.py``. It measures, on the default plant's tables:

* the gauge's share of the tolerance (AIAG: under 10 % good, 10 to 30 % marginal): six standard
  deviations of the measurement error (the parts' measured bore diameter against the true one in
  ``truth/part_truth``) over the width of each recipe's H7 tolerance;
* X-bar chart signals: for each machine and recipe, the parts in time order cut into subgroups of
  five consecutive parts, limits from the first fifth of the subgroups (phase I: grand mean plus
  and minus A2 times the mean range, A2 = 0.577 for subgroups of five), and the share of the later
  subgroups outside those limits; once on the bore diameters as measured and once adjusted for tool
  wear (each insert's own straight-line drift against the parts it has cut, taken out), which is
  what a trainee should find: a raw chart that signals all the time because the insert wears, and
  an adjusted one that signals where something else happened (a porous lot, a chiller fault);
* energy: each asset kind's energy by the machine's state, and the share that is not cutting or
  pumping (idle, standby, off and down) of the whole.
"""
from __future__ import annotations

import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "monitor_fitness.md"
sys.path.insert(0, str(ROOT / "src"))

SUBGROUP = 5
A2 = 0.577  # AIAG SPC manual, subgroups of five
PHASE_ONE_SHARE = 0.2


def gauge_share(parts: pd.DataFrame, part_truth: pd.DataFrame, recipes: pd.DataFrame) -> dict[str, float]:
    """Per recipe: 6 sigma of the measurement error over the tolerance width, in %."""
    joined = parts.merge(part_truth[["part_id", "true_bore_diameter_mm"]], on="part_id")
    error_um = (joined["bore_diameter_mm"] - joined["true_bore_diameter_mm"]) * 1000.0
    width = recipes.set_index("recipe")
    width = (width["bore_tolerance_hi_um"] - width["bore_tolerance_lo_um"]).to_dict()
    out = {}
    for recipe, errors in error_um.groupby(joined["recipe"].astype(str)):
        out[recipe] = float(100.0 * 6.0 * errors.std() / width[recipe])
    return out


def _subgroup_signals(values: np.ndarray) -> tuple[int, int]:
    """(subgroups after phase I, how many of them lie outside the phase-I X-bar limits)."""
    count = len(values) // SUBGROUP
    if count < 10:
        return 0, 0
    groups = values[: count * SUBGROUP].reshape(count, SUBGROUP)
    means, ranges = groups.mean(axis=1), np.ptp(groups, axis=1)
    first = max(2, int(count * PHASE_ONE_SHARE))
    centre, spread = means[:first].mean(), A2 * ranges[:first].mean()
    later = means[first:]
    return len(later), int(((later > centre + spread) | (later < centre - spread)).sum())


def wear_adjusted(frame: pd.DataFrame) -> np.ndarray:
    """Bore diameters with each insert's straight-line drift against its parts cut taken out."""
    out = frame["bore_diameter_mm"].to_numpy(dtype=float).copy()
    for _, rows in frame.groupby("tool_id", sort=False):
        index = frame.index.get_indexer(rows.index)
        if len(rows) < 3:
            continue
        cut = np.arange(len(rows), dtype=float)
        slope, intercept = np.polyfit(cut, out[index], 1)
        out[index] = out[index] - slope * cut - intercept + out[index].mean()
    return out


def xbar_signals(parts: pd.DataFrame) -> dict[str, float]:
    """The share (%) of X-bar subgroups outside phase-I limits, raw and tool-wear-adjusted."""
    totals = {"raw": [0, 0], "adjusted": [0, 0]}
    ordered = parts.sort_values("timestamp")
    for _, frame in ordered.groupby([ordered["asset_id"].astype(str), ordered["recipe"].astype(str)], sort=True):
        frame = frame.reset_index(drop=True)
        for name, values in (("raw", frame["bore_diameter_mm"].to_numpy(dtype=float)), ("adjusted", wear_adjusted(frame))):
            later, outside = _subgroup_signals(values)
            totals[name][0] += later
            totals[name][1] += outside
    return {name: 100.0 * outside / later if later else float("nan") for name, (later, outside) in totals.items()}


def energy_shares(energy: pd.DataFrame, assets: pd.DataFrame) -> pd.DataFrame:
    """Per asset kind: kWh by state and the share (%) drawn while not producing."""
    kinds = assets.set_index("asset_id")["kind"].astype(str)
    frame = energy.assign(kind=energy["asset_id"].astype(str).map(kinds), state=energy["state"].astype(str))
    by_state = frame.pivot_table(index="kind", columns="state", values="energy_kwh", aggfunc="sum", fill_value=0.0)
    total = by_state.sum(axis=1)
    by_state["not producing %"] = 100.0 * (total - by_state.get("producing", 0.0)) / total
    return by_state


def measure() -> dict:
    from academy import data

    parts = data.load("parts")
    return {
        "gauge": gauge_share(parts, data.load_truth("part_truth"), data.load("recipes")),
        "xbar": xbar_signals(parts),
        "energy": energy_shares(data.load("energy"), data.load("assets")),
    }


def report(result: dict) -> str:
    gauge = ", ".join(f"{recipe} {share:.1f} %" for recipe, share in sorted(result["gauge"].items()))
    lines = [
        "# Can the default plant carry the Monitor lessons?",
        "",
        f"Measured by `benchmarks/monitor_fitness.py` on {platform.machine()}, Python {platform.python_version()}. "
        f"X-bar: subgroups of {SUBGROUP} consecutive parts per machine and recipe, limits from the first "
        f"{PHASE_ONE_SHARE:.0%} of them (A2 = {A2}).",
        "",
        "| | default plant |",
        "|---|---|",
        f"| gauge: 6 sigma of the measurement error over the H7 tolerance | {gauge} |",
        f"| X-bar subgroups (5 parts) outside phase-I limits, bore as measured | {result['xbar']['raw']:.1f} % |",
        f"| ... after each insert's wear drift is taken out | {result['xbar']['adjusted']:.1f} % |",
        "",
        "Energy by asset kind and state (kWh), and the share drawn while not producing:",
        "",
    ]
    energy = result["energy"]
    columns = [c for c in energy.columns if c != "not producing %"]
    lines.append("| kind | " + " | ".join(columns) + " | not producing |")
    lines.append("|---|" + "---:|" * (len(columns) + 1))
    for kind, row in energy.iterrows():
        lines.append(f"| {kind} | " + " | ".join(f"{row[c]:,.0f}" for c in columns) + f" | {row['not producing %']:.1f} % |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = report(measure())
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
