"""A plant historian: how it keeps the readings (on change, with a deadband), and its CSV export.

**Store on change.** A historian does not keep every reading a PLC samples. It stores a reading
when it has moved more than the tag's *deadband* from the last one it stored, and at every
*heartbeat* (a fixed clock boundary, every ``heartbeat_minutes``) whatever the reading is; asked
for a five-minute table, it answers each step with the last value it stored. So a machine at rest,
whose vibration sits at the noise floor and whose pressure and flow are gone, shows flat lines that
only a heartbeat's fresh reading may break, and a flat line alone says nothing: a stuck sensor is
told from a resting machine by the machine's state. :func:`store_on_change` does this to the telemetry from the day the
scenario says (``historian:`` in scenario.yml, :class:`plantsim.scenario.HistorianSettings`); it
decides in whole units of each tag's resolution, so the bytes are the same on every machine.

**The export.** What a shift leader gets when asking IT for "the data of one machine".

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

from plantsim.resolution import RESOLUTIONS

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


def as_kept(telemetry: pd.DataFrame, settings, timezone: str) -> pd.DataFrame:
    """The telemetry as the scenario's historian keeps it (``settings``: :class:`plantsim.scenario.HistorianSettings`)."""
    if telemetry is None or settings.store_on_change_from is None:
        return telemetry
    since = pd.Timestamp(settings.store_on_change_from).tz_localize(timezone).tz_convert("UTC")
    return store_on_change(telemetry, settings.deadband, settings.heartbeat_minutes, since)


def store_on_change(telemetry: pd.DataFrame, deadband: dict[str, float], heartbeat_minutes: int,
                    since_utc: pd.Timestamp | None) -> pd.DataFrame:
    """The telemetry as a historian that stores on change keeps it (a copy; the input is not changed).

    From ``since_utc`` on, each asset's reading of a tag in ``deadband`` is stored only when it differs
    from the last stored one by more than the deadband (in the tag's unit), when it becomes or stops
    being empty, or at a heartbeat (a timestamp that is a whole multiple of ``heartbeat_minutes``, and
    the asset's first reading from ``since_utc``); every other row repeats the last stored value. Rows
    before ``since_utc``, and tags without a deadband, are kept as they are.
    """
    out = telemetry.copy()
    if since_utc is None or not deadband or out.empty:
        return out
    times = pd.to_datetime(out["timestamp"], utc=True).dt.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)
    assets = out["asset_id"].astype("category").cat.codes.to_numpy()
    order = np.lexsort((times, assets))  # each asset's rows in time order
    times, assets = times[order], assets[order]
    active = np.flatnonzero(times >= pd.Timestamp(since_utc).value)
    if not len(active):
        return out
    heartbeat_ns = np.int64(heartbeat_minutes) * 60 * 10**9
    first = np.r_[True, (assets[active][1:] != assets[active][:-1]) | (np.diff(active) != 1)]
    heartbeat = first | (times[active] % heartbeat_ns == 0)
    starts = np.flatnonzero(heartbeat)  # positions in `active` where a stretch between two stores begins
    lengths = np.diff(np.r_[starts, len(active)])
    for column, band in deadband.items():
        if column not in out.columns:
            continue
        scale = 10 ** RESOLUTIONS[column].decimals
        original = out[column].to_numpy()
        values = original[order][active].astype(np.float64)
        units = np.round(values * scale)  # whole units of the tag's resolution: the same on every machine
        band_units = np.round(np.float64(band) * scale)
        kept, kept_units = values.copy(), units.copy()
        last, last_units = values[starts], units[starts]
        for k in range(1, int(lengths.max())):
            going = np.flatnonzero(lengths > k)
            rows = starts[going] + k
            now, was = units[rows], last_units[going]
            with np.errstate(invalid="ignore"):
                store = (np.isnan(now) != np.isnan(was)) | (np.abs(now - was) > band_units)
            last[going] = np.where(store, values[rows], last[going])
            last_units[going] = np.where(store, now, was)
            kept[rows], kept_units[rows] = last[going], last_units[going]
        result = original.copy()
        result[order[active]] = kept.astype(original.dtype)
        out[column] = result
    return out


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
