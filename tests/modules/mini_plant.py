"""A two-day, three-machine plant for the tooling's test modules (90 and 91).

Small enough to build in milliseconds and to read in a test failure, shaped like the real
telemetry table: the "raw" variant carries vibration dropouts (0.0 readings) that "clean" does not.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from academy.exercise import InMemoryTables

MACHINES = {
    # asset_id: (typical vibration mm/s, its spread, typical spindle temperature degC)
    "CNC-101": (2.2, 0.40, 61.0),
    "CNC-102": (1.6, 0.15, 55.0),
    "CNC-201": (2.5, 0.30, 66.0),
}
HOURS = 48
DROPOUT_HOURS = {"CNC-101": (5, 6, 7, 30, 31, 44), "CNC-201": (12, 13)}


def telemetry_tables(seed: int = 90) -> dict[str, pd.DataFrame]:
    """The clean and raw telemetry of the mini plant."""
    rng = np.random.default_rng(seed)
    times = pd.date_range("2025-03-03 06:00", periods=HOURS, freq="h", tz="Europe/Berlin").tz_convert("UTC")
    frames = []
    for asset_id, (vibration, spread, spindle) in MACHINES.items():
        idle = np.arange(HOURS) % 8 == 0  # a set-up hour at the start of every shift
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": times,
                    "asset_id": asset_id,
                    "machine_state": np.where(idle, "IDLE", "PRODUCING"),
                    "vibration_rms_mm_s": rng.normal(vibration, spread, HOURS).clip(0.3).round(2),
                    "spindle_temp_c": rng.normal(spindle, 1.5, HOURS).round(1),
                    "power_kw": np.where(idle, rng.normal(2.0, 0.2, HOURS), rng.normal(11.0, 1.0, HOURS)).round(2),
                }
            )
        )
    clean = pd.concat(frames, ignore_index=True)
    raw = clean.copy()
    for asset_id, hours in DROPOUT_HOURS.items():
        rows = raw.index[(raw["asset_id"] == asset_id)][list(hours)]
        raw.loc[rows, "vibration_rms_mm_s"] = 0.0
    return {"clean": clean, "raw": raw}


def mini_plant() -> InMemoryTables:
    return InMemoryTables({"telemetry": telemetry_tables()})
