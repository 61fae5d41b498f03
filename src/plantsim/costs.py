"""What a maintenance policy costs in money: the jobs, the production lost and the scrap.

A policy is compared on three sums over the horizon, all from the generated tables:

- maintenance: parts and labour of every job (``truth/maintenance``, tool changes included);
- lost production: every hour a CNC stands down in a shift it was planned to work, at the
  scenario's ``costs.lost_machine_hour_eur`` (a stop off shift, at night or over a weekend, costs
  no production);
- scrap: every rejected part (``clean/parts``), at ``costs.scrapped_part_eur``.

    from plantsim.costs import policy_costs
    policy_costs(scenario, "datasets/plant/tables")
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from plantsim.calendar import build_timeline
from plantsim.scenario import Scenario


def lost_machine_hours(scenario: Scenario, telemetry: pd.DataFrame) -> pd.Series:
    """Per CNC, the hours it stood down (maintenance, repairs, zone D stops, tool changes) in its shifts."""
    timeline = build_timeline(scenario)
    lines = {a.asset_id: a.line for a in scenario.assets if a.kind == "cnc"}
    grid = timeline.times_utc
    out = {}
    for asset_id, line in lines.items():
        rows = telemetry[telemetry["asset_id"].astype(str) == asset_id]
        step = grid.get_indexer(pd.DatetimeIndex(rows["timestamp"]))
        down = (rows["machine_state"].astype(str) == "down").to_numpy() & (step >= 0)
        in_shift = np.zeros(len(rows), dtype=bool)
        in_shift[step >= 0] = timeline.shift_by_line[line][step[step >= 0]] > 0
        out[asset_id] = float(np.count_nonzero(down & in_shift)) * timeline.step_hours
    return pd.Series(out, name="lost_machine_h")


def policy_costs(scenario: Scenario, plant_dir: str | Path) -> dict[str, float]:
    """Maintenance, lost production and scrap (EUR) of the plant generated from ``scenario``."""
    plant_dir = Path(plant_dir)
    settings = scenario.settings
    maintenance = pd.read_parquet(plant_dir / "truth" / "maintenance", columns=["cost_eur"])
    telemetry = pd.read_parquet(plant_dir / "clean" / "telemetry", columns=["timestamp", "asset_id", "machine_state"])
    parts = pd.read_parquet(plant_dir / "clean" / "parts", columns=["passed"])
    hours = float(lost_machine_hours(scenario, telemetry).sum())
    scrapped = int((~parts["passed"]).sum())
    result = {
        "maintenance_eur": round(float(maintenance["cost_eur"].sum()), 2),
        "lost_machine_h": round(hours, 2),
        "lost_production_eur": round(hours * settings.lost_machine_hour_eur, 2),
        "scrapped_parts": scrapped,
        "scrap_eur": round(scrapped * settings.scrapped_part_eur, 2),
    }
    result["total_eur"] = round(result["maintenance_eur"] + result["lost_production_eur"] + result["scrap_eur"], 2)
    return result
