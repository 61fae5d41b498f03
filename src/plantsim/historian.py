"""A plant historian's CSV export: what a shift leader gets when asking IT for "the data of one machine".

Like a real export it has a comment line or two on top, local wall-clock times (so the night the
clocks go forward has no 02:00 to 03:00, and the night they go back has that hour twice), units
in the column headers, only the tags the machine has, and the raw readings as recorded: empty
cells where a reading is missing and 0.0 where the historian wrote zero for a bad reading.

Which machine and week the course's export shows is part of the plant's story, declared in the
scenario (``story.historian_export``, :class:`plantsim.scenario.HistorianExport`), and so is what
that week must show (``story.events``).
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

EXPORT_DAYS = 7
TIMESTAMP_HEADER = "Timestamp"

# Telemetry column -> (header with unit, decimals shown); the order is the export's column order.
TAGS: dict[str, tuple[str, int | None]] = {
    "machine_state": ("Machine State", None),
    "speed_rpm": ("Speed [rpm]", 0),
    "load_pct": ("Load [%]", 1),
    "power_kw": ("Power [kW]", 2),
    "motor_current_a": ("Motor Current [A]", 1),
    "vibration_rms_mm_s": ("Vibration RMS [mm/s]", 2),
    "bearing_temp_c": ("Bearing Temp [degC]", 1),
    "spindle_temp_c": ("Spindle Temp [degC]", 1),
    "coolant_temp_c": ("Coolant Temp [degC]", 1),
    "flow_l_min": ("Flow [l/min]", 1),
    "pressure_bar": ("Pressure [bar]", 2),
    "discharge_temp_c": ("Discharge Temp [degC]", 1),
}


def export_csv(raw_telemetry: pd.DataFrame, asset_id: str, start_local: str, days: int, timezone: str) -> str:
    """The historian export of one asset for ``days`` days from local time ``start_local``.

    ``raw_telemetry`` is the raw (as recorded) telemetry table; times in it are UTC.
    """
    mine = raw_telemetry[raw_telemetry["asset_id"].astype(str) == asset_id]
    if mine.empty:
        raise ValueError(f"the telemetry has no rows for asset {asset_id!r}")
    start = pd.Timestamp(start_local).tz_localize(timezone)
    end = (pd.Timestamp(start_local) + pd.Timedelta(days=days)).tz_localize(timezone)
    stamps = pd.to_datetime(mine["timestamp"], utc=True)
    tags = [c for c in TAGS if c in mine.columns and (c == "machine_state" or mine[c].notna().any())]
    window = mine.loc[(stamps >= start.tz_convert("UTC")) & (stamps < end.tz_convert("UTC")), tags]
    window_stamps = stamps[window.index]
    order = np.argsort(window_stamps.to_numpy(), kind="stable")  # a historian query returns rows in time order
    window, window_stamps = window.iloc[order], window_stamps.iloc[order]

    export = pd.DataFrame({TIMESTAMP_HEADER: window_stamps.dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M:%S")})
    for column in tags:
        header, decimals = TAGS[column]
        values = window[column]
        export[header] = values.astype(str).str.upper() if decimals is None else _formatted(values, decimals)
    interval = _interval_minutes(stamps)
    title = (f"# Historian export - asset {asset_id} - {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
             f"local time ({timezone})\n"
             f"# Sample interval {interval} min, raw values as recorded, no interpolation\n")
    buffer = io.StringIO()
    export.to_csv(buffer, index=False, lineterminator="\n")
    return title + buffer.getvalue()


def default_export_window(times_utc: pd.DatetimeIndex, timezone: str, days: int = EXPORT_DAYS) -> tuple[str, int]:
    """(start_local, days) of a week worth exporting: the week around the first spring clock change
    in the data (or the first week when there is none). The course's story picked its export week
    this way; a test keeps the two in step."""
    local = times_utc.tz_convert(timezone)
    offsets = (local.tz_localize(None) - times_utc.tz_localize(None)).to_numpy()
    forward = np.flatnonzero(np.diff(offsets.astype("timedelta64[m]").astype(np.int64)) > 0)
    if len(forward):
        change_day = local[forward[0] + 1].normalize().tz_localize(None)
        start = change_day - pd.Timedelta(days=days // 2)
    else:
        start = local[0].normalize().tz_localize(None)
    return start.strftime("%Y-%m-%d %H:%M:%S"), days


def _formatted(values: pd.Series, decimals: int) -> pd.Series:
    numbers = values.to_numpy(dtype=float)
    text = np.char.mod(f"%.{decimals}f", np.nan_to_num(numbers, nan=0.0))
    return pd.Series(np.where(np.isfinite(numbers), text, ""), index=values.index)


def _interval_minutes(stamps: pd.Series) -> int:
    ordered = np.sort(stamps.dt.tz_convert(None).to_numpy().astype("datetime64[s]").astype(np.int64))
    steps = np.diff(ordered)
    steps = steps[steps > 0]
    return int(round(np.median(steps) / 60)) if len(steps) else 0
