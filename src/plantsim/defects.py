"""Data defects: what goes wrong between a plant's instruments and its databases, and the list of it.

:func:`apply` takes the clean observed and record tables and returns the raw tables, as the
plant's systems would hand them over, plus the defect manifest that says exactly what was changed.
Defects touch observations and records only, never the truth layer, and the clean tables are
left exactly as they came in.

The defects, each a row (or a few rows) in the manifest:

- ``dropout``: a sensor stops reporting for hours; the historian leaves the readings empty,
  except where it wrote 0.0 at the edges of the gap (many historians store a bad reading as zero);
- ``zero_value``: a run of readings that are exactly 0.0 while the machine runs (a sensor
  without supply, reported as a good zero);
- ``stuck``: a sensor flat-lines at its last value for hours or days, sometimes from a time its
  machine rests (a flat line then, as the historian keeps it, is normal), staying frozen when the
  machine starts again;
- ``spike``: a burst of single wild readings from electrical interference, far above the sensor's
  usual maximum, or, as often, from a loose connector: single readings that jump by 15-40 % of the
  sensor's normal range and stay within it, which no fixed limit can catch;
- ``drift`` then ``offset``: a sensor drifts away over weeks until it is recalibrated, and the
  recalibration leaves a small step; it is always a sensor no other one measures again (never the
  coolant, which a line's CNCs and its pump read alike, nor the compressors' shared air header), so
  there is no twin to compare it with;
- ``unit_switch``: after a firmware update a transmitter reports degF instead of degC, or psi
  instead of bar, until someone notices;
- ``duplicate_rows`` and ``out_of_order``: a store-and-forward buffer replays rows twice, or
  uploads a block late;
- ``clock_skew``: one machine's PLC clock runs ahead of the MES clock by minutes, drifting, until
  a time sync pulls it back (the parts table is on MES time); the PLC stamps its readings on its own
  five-minute boundaries, so the rows stay on the grid and only the data can show the skew;
- ``dst_not_switched``: one PLC never went to summer time, so its rows are an hour off between the
  two clock changes;
- energy-meter gaps, where the next reading catches up the missing energy;
- ``late_log`` and ``wrong_label`` in the work orders;
- ``censored``: every component still running when the records end (from the truth layer), the
  fact survival analysis must not forget.

Targets are drawn from the generator, spread over assets and time. Defects that only make sense
once in a plant (the one PLC on the wrong clock) are drawn from the plant seed among all assets
of the register, so each group of assets written separately agrees on them.

The scenario's story (:class:`plantsim.scenario.Story`) comes first: its events (a dropout in the
week of the historian export, for example) are placed before any random defect, in the order
declared; no random defect touches the export's machine in the export's week, and the machines it
keeps ``clock_right`` get no clock defect.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from plantsim.alarms import state_codes
from plantsim.model import PlantTruth, State
from plantsim.resolution import RESOLUTIONS, as_stored
from plantsim.scenario import STORY_EVENT_MAX_HOURS, DefectSettings, ScenarioError, Story, StoryEvent
from plantsim.workorders import TOOL_MODE

MANIFEST_COLUMNS = ["defect_id", "kind", "table", "asset_id", "column", "start", "end", "rows_affected", "detail"]
SENSOR_COLUMNS = ("power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "spindle_temp_c",
                  "coolant_temp_c", "flow_l_min", "pressure_bar", "discharge_temp_c")
TEMPERATURE_COLUMNS = ("bearing_temp_c", "spindle_temp_c", "coolant_temp_c", "discharge_temp_c")
DRIFTING_COLUMNS = TEMPERATURE_COLUMNS + ("pressure_bar",)
# Sensors another one measures again, by asset kind: a line's CNCs and its coolant pump read the same
# coolant, both compressors feed one air header. A drift there would show against its twin.
REDUNDANT_COLUMNS = {"cnc": ("coolant_temp_c",), "coolant_pump": ("coolant_temp_c",), "air_compressor": ("pressure_bar",)}
UNITS = {"power_kw": "kW", "motor_current_a": "A", "vibration_rms_mm_s": "mm/s", "bearing_temp_c": "degC",
         "spindle_temp_c": "degC", "coolant_temp_c": "degC", "flow_l_min": "l/min", "pressure_bar": "bar",
         "discharge_temp_c": "degC"}
PSI_PER_BAR = 14.5038
PLANT_STREAM = 8301  # plant-wide choices: which PLC has the wrong clock

# Sizes, in hours unless said otherwise: big enough to matter in a lesson, small enough to keep the
# data usable.
DROPOUT_HOURS = (1.0, 36.0)
ZERO_HOURS = (0.25, 6.0)
ZERO_STOP_LEAD_HOURS = 2.0  # a zero run on a tag that reads 0 at rest starts at most this long before a stop
STUCK_REST_LEAD_HOURS = 2.0  # a sensor that freezes at rest does so at most this long before its machine starts
SPIKE_WINDOW_DAYS = (1.0, 3.0)
SPIKES_PER_BURST = (5, 20)
DRIFT_WEEKS = (3.0, 8.0)
DRIFT_SHARE = (0.06, 0.12)  # drift at recalibration, share of the sensor's typical reading
OFFSET_SHARE_OF_DRIFT = (0.15, 0.4)
OFFSET_WEEKS = (4.0, 16.0)
UNIT_SWITCH_DAYS = (7.0, 28.0)
DUPLICATE_HOURS = (2.0, 8.0)
LATE_UPLOAD_HOURS = (1.0, 6.0)
LATE_UPLOAD_DELAY_HOURS = (12.0, 36.0)
SKEW_WEEKS = (3.0, 8.0)
SKEW_START_MIN = (3.0, 7.0)
SKEW_END_MIN = (8.0, 17.0)
PART_DUPLICATE_HOURS = (1.0, 4.0)
METER_GAP_HOURS = (2.0, 24.0)
METER_ZERO_HOURS = (1.0, 6.0)
LATE_LOG_DAYS = (2.0, 6.0)
WRONG_LABEL_SHARE = 0.1


@dataclass
class _Telemetry:
    """Positions of each asset's rows in time order, and what each asset measures."""

    times: np.ndarray  # int64 ns, true (clean) times
    rows: dict[str, np.ndarray]  # asset -> row positions sorted by time
    running: dict[str, np.ndarray]  # asset -> bool per sorted row
    sensors: dict[str, list[str]]  # asset -> sensor columns with data

    def window(self, asset_id: str, start: int, end: int) -> np.ndarray:
        rows = self.rows[asset_id]
        first, last = np.searchsorted(self.times[rows], [start, end])
        return rows[first:last]


class _Plan:
    """Windows already taken per asset, so that two defects never sit on the same readings."""

    def __init__(self, timeline, rng: np.random.Generator):
        self.grid = timeline.times_utc.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)
        self.step_ns = np.int64(timeline.step_minutes * 60 * 10**9)
        self.end = self.grid[-1] + self.step_ns
        self.rng = rng
        self.taken: dict[str, list[tuple[int, int]]] = {}
        self.reserved: dict[str, list[tuple[int, int]]] = {}  # kept free of defects, not a defect itself

    def free(self, asset_id: str, start: int, end: int) -> bool:
        margin = 6 * 3600 * 10**9
        spans = self.taken.get(asset_id, []) + self.reserved.get(asset_id, [])
        return all(end + margin <= s or start >= e + margin for s, e in spans)

    def reserve(self, asset_id: str, start: int, end: int) -> None:
        self.reserved.setdefault(asset_id, []).append((start, end))

    def take(self, asset_id: str, start: int, end: int) -> None:
        self.taken.setdefault(asset_id, []).append((start, end))

    def window(self, asset_id: str, hours: tuple[float, float], anchors: np.ndarray | None,
               log_uniform: bool = True, max_share: float = 0.05) -> tuple[int, int] | None:
        """A free window of a random length on this asset, starting at one of ``anchors`` (ns).

        No window covers more than ``max_share`` of the records, however short they are.
        """
        span = float(self.end - self.grid[0])
        # The length is drawn once and only the start is tried again, so that a crowded calendar does
        # not favour short windows over long ones.
        low, high = hours
        length_h = np.exp(self.rng.uniform(np.log(low), np.log(high))) if log_uniform else self.rng.uniform(low, high)
        length_h = min(length_h, max_share * span / 3.6e12)
        length = np.int64(round(length_h * 3600 / (self.step_ns / 1e9))) * self.step_ns
        length = max(length, self.step_ns)
        for _ in range(40):
            if anchors is not None and len(anchors):
                start = int(anchors[int(self.rng.integers(len(anchors)))])
            else:
                start = int(self.grid[int(self.rng.integers(len(self.grid)))])
            end = min(int(start + length), int(self.end))
            if end > start and self.free(asset_id, start, end):
                self.take(asset_id, start, end)
                return start, end
        return None


def apply(tables: dict[str, pd.DataFrame], plant: PlantTruth, rng: np.random.Generator, *,
          assets: pd.DataFrame | None = None, story: Story | None = None,
          settings: DefectSettings | None = None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The raw tables and the defect manifest, from the clean tables (which are not modified).

    ``assets`` is the plant's asset register; when given, plant-wide defects are placed among all
    of its assets (each group of assets written separately then agrees on them), otherwise among
    the assets in ``plant``. ``story`` is the scenario's story: its events happen first.
    ``settings`` are the scenario's choices for the dirt (the default plant's when not given).
    """
    story = story or Story()
    settings = settings or DefectSettings()
    raw = {name: (frame.copy() if frame is not None and name != "vibration" else frame) for name, frame in tables.items()}
    manifest: list[dict] = []
    plan = _Plan(plant.timeline, rng)
    skewed, wrong_clock = _plant_wide_targets(plant, assets, story.clock_right)

    telemetry = raw.get("telemetry")
    if telemetry is not None and len(telemetry):
        raw["telemetry"] = _telemetry_defects(telemetry, plant, plan, skewed, wrong_clock, story, settings, manifest)
    if raw.get("parts") is not None and len(raw["parts"]):
        raw["parts"] = _parts_defects(raw["parts"], plan, manifest)
    if raw.get("energy") is not None and len(raw["energy"]):
        raw["energy"] = _energy_defects(raw["energy"], plan, manifest)
    if raw.get("work_orders") is not None and len(raw["work_orders"]):
        raw["work_orders"] = _work_order_defects(raw["work_orders"], plant, plan, manifest)
    manifest.extend(_censoring(plant))

    frame = pd.DataFrame(manifest, columns=[c for c in MANIFEST_COLUMNS if c != "defect_id"])
    frame.insert(0, "defect_id", [f"D{k:03d}" for k in range(1, len(frame) + 1)])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column].astype("int64"), utc=True).astype("datetime64[ns, UTC]")
    frame["rows_affected"] = frame["rows_affected"].astype(np.int64)
    return raw, frame


# --- plant-wide choices ------------------------------------------------------------------------

def _plant_wide_targets(plant: PlantTruth, assets: pd.DataFrame | None,
                        clock_right: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    """(CNC whose PLC clock drifts, asset whose PLC stayed on winter time), the same for every group,
    never one of the story's ``clock_right`` machines."""
    if assets is not None:
        register = [(str(a), str(k)) for a, k in zip(assets["asset_id"], assets["kind"])]
    else:
        register = [(a, t.spec.kind) for a, t in plant.assets.items()]
    register.sort()
    rng = np.random.default_rng([plant.seed, PLANT_STREAM])
    cncs = [a for a, k in register if k == "cnc" and a not in clock_right]
    skewed = cncs[int(rng.integers(len(cncs)))] if cncs else None
    others = [a for a, _ in register if a != skewed and a not in clock_right]
    wrong_clock = others[int(rng.integers(len(others)))] if others else None
    return skewed, wrong_clock


# --- the story's events ------------------------------------------------------------------------

def _story_event(event: StoryEvent, values: dict, index: _Telemetry, plan: _Plan, anchors: np.ndarray,
                 plant: PlantTruth, source: str, manifest: list) -> None:
    """Make one declared event happen: at a running time of its machine inside its window."""
    timezone = plant.timeline.timezone
    start = pd.Timestamp(event.window[0]).tz_localize(timezone).tz_convert("UTC").value
    days = (event.window[1] - event.window[0]).days + 1
    end = start + days * 86400 * 10**9
    anchors = anchors[(anchors >= start) & (anchors < end - int(STORY_EVENT_MAX_HOURS * 3600) * 10**9)]

    def fail(problem: str) -> ScenarioError:
        return ScenarioError(f"{source}: '{event.key}' ({event.kind} of {event.asset} {event.column}) {problem}")

    if event.column not in index.sensors[event.asset]:
        raise fail("names a sensor with no readings on that machine")
    if not len(anchors):
        raise fail(f"cannot happen: the machine never runs between {event.window[0]} and {event.window[1]}")
    window = plan.window(event.asset, event.hours, anchors)
    if window is None:
        raise fail("found no free time in its window (other story events take it all)")
    if event.kind == "dropout":
        _dropout(values, index, event.asset, event.column, window, plan.rng, manifest)
    else:
        _zeros(values, index, event.asset, event.column, window, manifest)


# --- telemetry ---------------------------------------------------------------------------------

def _utc_ns(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values, utc=True).dt.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)


def _index_telemetry(telemetry: pd.DataFrame) -> _Telemetry:
    times = _utc_ns(telemetry["timestamp"])
    states = state_codes(telemetry["machine_state"]) if "machine_state" in telemetry else np.full(len(telemetry), 2)
    running_all = np.isin(states, (int(State.IDLE), int(State.PRODUCING)))
    finite = {c: np.isfinite(telemetry[c].to_numpy(dtype=float)) for c in SENSOR_COLUMNS if c in telemetry.columns}
    rows, running, sensors = {}, {}, {}
    for asset_id, positions in telemetry.groupby(telemetry["asset_id"].astype(str), sort=True, observed=True).indices.items():
        positions = positions[np.argsort(times[positions], kind="stable")]
        rows[asset_id] = positions
        running[asset_id] = running_all[positions]
        sensors[asset_id] = [c for c, ok in finite.items() if ok[positions].any()]
    return _Telemetry(times, rows, running, sensors)


def _record(manifest: list, kind: str, table: str, asset_id: str | None, column: str | None, start: int, end: int,
            rows: int, detail: str) -> None:
    manifest.append({"kind": kind, "table": table, "asset_id": asset_id, "column": column, "start": int(start),
                     "end": int(end), "rows_affected": int(rows), "detail": detail})


def _day(ns: int) -> str:
    return pd.Timestamp(ns, tz="UTC").strftime("%Y-%m-%d %H:%M UTC")


def _telemetry_defects(telemetry: pd.DataFrame, plant: PlantTruth, plan: _Plan, skewed: str | None,
                       wrong_clock: str | None, story: Story, settings: DefectSettings, manifest: list) -> pd.DataFrame:
    index = _index_telemetry(telemetry)
    rng = plan.rng
    assets = list(index.rows)
    values = {c: telemetry[c].to_numpy(copy=True) for c in SENSOR_COLUMNS if c in telemetry.columns}
    first_listed = len(manifest)

    def running_anchors(asset_id: str) -> np.ndarray:
        rows = index.rows[asset_id]
        return index.times[rows][index.running[asset_id]]

    def resting_anchors(asset_id: str) -> np.ndarray:
        """Times the machine rests and will run again within STUCK_REST_LEAD_HOURS."""
        times, running = index.times[index.rows[asset_id]], index.running[asset_id]
        starts = times[running]
        resting = times[~running]
        if not len(starts) or not len(resting):
            return resting[:0]
        following = np.searchsorted(starts, resting)
        ahead = np.where(following < len(starts), starts[np.minimum(following, len(starts) - 1)] - resting, np.iinfo(np.int64).max)
        return resting[ahead <= np.int64(STUCK_REST_LEAD_HOURS * 3600) * 10**9]

    def pick_asset(candidates: list[str]) -> str | None:
        # Spread defects: the least-hit asset first, ties broken by the generator.
        if not candidates:
            return None
        load = np.array([len(plan.taken.get(a, [])) for a in candidates]) + rng.random(len(candidates)) * 0.5
        return candidates[int(np.argmin(load))]

    # The story's events first, in the order declared: the lessons rely on them.
    for event in story.events:
        if event.asset in index.rows:  # the event's machine belongs to this group
            _story_event(event, values, index, plan, running_anchors(event.asset), plant, story.source, manifest)
    # The export week shows the story's events and nothing else: a lesson reads that week line by line.
    export = story.historian_export
    if export is not None and export.asset in index.rows:
        first = pd.Timestamp(export.start_local).tz_localize(plant.timeline.timezone).tz_convert("UTC").value
        plan.reserve(export.asset, first, first + export.days * 86400 * 10**9)

    # Long defects first, while the calendar is empty; short ones fit in between.
    def drift_columns(asset_id: str) -> list[str]:
        kind = plant.assets[asset_id].spec.kind if asset_id in plant.assets else ""
        return [c for c in index.sensors[asset_id] if c in DRIFTING_COLUMNS and c not in REDUNDANT_COLUMNS.get(kind, ())]

    drifting = [a for a in assets if drift_columns(a)]
    asset_id = pick_asset(drifting)
    if asset_id:
        column = _choose(rng, drift_columns(asset_id))
        _drift_and_offset(values, index, asset_id, column, plan, manifest)

    for group, unit_from, unit_to in ((TEMPERATURE_COLUMNS, "degC", "degF"), (("pressure_bar",), "bar", "psi")):
        candidates = [a for a in assets if any(c in group for c in index.sensors[a])]
        asset_id = pick_asset(candidates)
        if asset_id:
            column = _choose(rng, [c for c in index.sensors[asset_id] if c in group])
            window = plan.window(asset_id, tuple(24 * d for d in UNIT_SWITCH_DAYS), running_anchors(asset_id),
                                 log_uniform=False, max_share=0.15)
            if window:
                _unit_switch(values, index, asset_id, column, window, unit_from, unit_to, manifest)

    for _ in range(settings.stuck_per_group):
        asset_id = pick_asset(assets)
        if index.sensors[asset_id]:
            column = _choose(rng, [c for c in index.sensors[asset_id] if c != "power_kw"] or index.sensors[asset_id])
            at_rest = bool(rng.random() < settings.stuck_at_rest_share)
            anchors = resting_anchors(asset_id) if at_rest else running_anchors(asset_id)
            window = plan.window(asset_id, settings.stuck_hours, anchors, max_share=0.1)
            if window:
                _stuck(values, index, asset_id, column, window, at_rest, manifest)

    # Tags that read a genuine 0.0 while their machine rests (no power, no current, no flow, no pressure).
    clean_values = {c: telemetry[c].to_numpy() for c in values}
    zero_at_rest = {a: [c for c in index.sensors[a] if np.any(clean_values[c][index.rows[a][~index.running[a]]] == 0.0)]
                    for a in assets}

    def zero_prone_column(asset_id: str) -> tuple[str, bool]:
        """A tag for a dropout or a zero run: most often one that reads 0 at rest; whether it is one."""
        real_zero = bool(rng.random() < settings.zero_on_real_zero_share) and bool(zero_at_rest[asset_id])
        options = zero_at_rest[asset_id] if real_zero else index.sensors[asset_id]
        return options[int(rng.integers(len(options)))], real_zero

    def before_a_stop(asset_id: str) -> np.ndarray:
        """Running times of the machine that it stops within ZERO_STOP_LEAD_HOURS."""
        times, running = index.times[index.rows[asset_id]], index.running[asset_id]
        stops = times[1:][running[:-1] & ~running[1:]]
        runs = times[running]
        if not len(stops):
            return runs
        following = np.minimum(np.searchsorted(stops, runs), len(stops) - 1)
        ahead = stops[following] - runs
        return runs[(ahead > 0) & (ahead <= np.int64(ZERO_STOP_LEAD_HOURS * 3600) * 10**9)]

    n = len(assets)
    for _ in range(max(1, n // 2)):
        asset_id = pick_asset(assets)
        if index.sensors[asset_id]:
            column, _ = zero_prone_column(asset_id)
            window = plan.window(asset_id, DROPOUT_HOURS, running_anchors(asset_id))
            if window:
                _dropout(values, index, asset_id, column, window, rng, manifest)
    for _ in range(max(1, n // 3)):
        asset_id = pick_asset(assets)
        if index.sensors[asset_id]:
            column, real_zero = zero_prone_column(asset_id)
            window = plan.window(asset_id, ZERO_HOURS, before_a_stop(asset_id) if real_zero else running_anchors(asset_id))
            if window:
                _zeros(values, index, asset_id, column, window, manifest)

    bursts = settings.spike_bursts_per_group
    in_range = int(np.floor(bursts * settings.spike_in_range_share + 0.5))  # the last bursts stay in range
    for burst in range(bursts):
        asset_id = pick_asset(assets)
        if index.sensors[asset_id]:
            column = _choose(rng, index.sensors[asset_id])
            window = plan.window(asset_id, tuple(24 * d for d in SPIKE_WINDOW_DAYS), running_anchors(asset_id),
                                 max_share=0.05)
            if window:
                size = settings.spike_in_range_size if burst >= bursts - in_range else None
                _spikes(values, index, asset_id, column, window, rng, size, manifest)

    _count_changed_readings(values, telemetry, index, manifest, first_listed)
    raw = telemetry.copy()
    for column, array in values.items():
        raw[column] = array

    # Row and clock defects last: they move rows, the value defects above are placed by true time.
    times = index.times.copy()
    if skewed in index.rows:
        _clock_skew(times, index, skewed, plan, manifest)
    if wrong_clock in index.rows:
        _summer_time_missed(times, index, wrong_clock, plant.timeline.timezone, manifest)
    if not np.array_equal(times, index.times):
        raw["timestamp"] = pd.to_datetime(times, utc=True).astype(telemetry["timestamp"].dtype)

    ordinary = [a for a in assets if a not in (skewed, wrong_clock)] or assets
    order = np.arange(len(raw))
    asset_id = pick_asset(ordinary)
    window = plan.window(asset_id, DUPLICATE_HOURS, running_anchors(asset_id), max_share=0.02) if asset_id else None
    if window:
        rows = index.window(asset_id, *window)
        order = np.insert(order, rows + 1, rows)  # each replayed row right after its original
        _record(manifest, "duplicate_rows", "telemetry", asset_id, None, *window, len(rows),
                f"store-and-forward buffer replayed {len(rows)} rows a second time")
    asset_id = pick_asset([a for a in ordinary if a != asset_id] or ordinary)
    window = plan.window(asset_id, LATE_UPLOAD_HOURS, running_anchors(asset_id), max_share=0.02) if asset_id else None
    if window:
        rows = index.window(asset_id, *window)
        delay = np.int64(rng.uniform(*LATE_UPLOAD_DELAY_HOURS) * 3600 * 10**9)
        later = index.window(asset_id, window[1], window[1] + delay)
        kept = order[~np.isin(order, rows)]
        at = int(np.flatnonzero(kept == later[-1])[-1]) + 1 if len(later) else len(kept)
        order = np.concatenate([kept[:at], rows, kept[at:]])
        _record(manifest, "out_of_order", "telemetry", asset_id, None, *window, len(rows),
                f"{len(rows)} rows uploaded late from the PLC buffer, stored after the rows of the next "
                f"{delay / 3.6e12:.0f} h")
    if not np.array_equal(order, np.arange(len(raw))):
        raw = raw.iloc[order].reset_index(drop=True)
    return raw


VALUE_KINDS = ("dropout", "zero_value", "stuck", "spike", "drift", "offset", "unit_switch")


def _count_changed_readings(values: dict, telemetry: pd.DataFrame, index: _Telemetry, manifest: list,
                            first: int) -> None:
    """Put the changed readings on their column's grid, then make each value defect count the readings
    it really changed (as stored: a drift's first hundredths round away, a frozen reading may equal the
    true one, a reading at rest may already be 0); a defect that changed none is not listed."""
    for column, array in values.items():
        if column not in RESOLUTIONS:
            continue
        original = telemetry[column].to_numpy()
        moved = ~((array == original) | (np.isnan(array) & np.isnan(original)))
        array[moved] = as_stored(column, array[moved]).astype(array.dtype)
    kept = manifest[:first]
    for entry in manifest[first:]:
        column = entry["column"]
        if entry["table"] == "telemetry" and entry["kind"] in VALUE_KINDS and column in values:
            rows = index.window(entry["asset_id"], entry["start"], entry["end"])
            before, after = telemetry[column].to_numpy()[rows], values[column][rows]
            changed = int(np.count_nonzero(~((before == after) | (np.isnan(before) & np.isnan(after)))))
            if not changed:
                continue
            entry["rows_affected"] = changed
        kept.append(entry)
    manifest[first:] = kept[first:]


def _choose(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _dropout(values, index: _Telemetry, asset_id: str, column: str, window: tuple[int, int],
             rng: np.random.Generator, manifest: list) -> None:
    rows = index.window(asset_id, *window)
    if not len(rows):
        return
    values[column][rows] = np.nan
    # The historian wrote 0.0 for the bad-quality readings at the edges of the gap.
    zeros = [rows[0]] + ([rows[-1]] if len(rows) > 2 and rng.random() < 0.5 else [])
    values[column][zeros] = 0.0
    _record(manifest, "dropout", "telemetry", asset_id, column, *window, len(rows),
            f"{len(rows) - len(zeros)} readings missing, {len(zeros)} written as 0.0 at the edge of the gap")


def _zeros(values, index: _Telemetry, asset_id: str, column: str, window: tuple[int, int], manifest: list) -> None:
    rows = index.window(asset_id, *window)
    if not len(rows):
        return
    # Readings that were already 0.0 are not changed by the fault, so they are not counted.
    changed = int(np.count_nonzero(values[column][rows] != 0.0))
    if not changed:
        return
    values[column][rows] = 0.0
    _record(manifest, "zero_value", "telemetry", asset_id, column, *window, changed,
            f"{changed} readings exactly 0.0 {UNITS.get(column, '')}: sensor without supply, reported as good")


def _stuck(values, index: _Telemetry, asset_id: str, column: str, window: tuple[int, int], at_rest: bool,
           manifest: list) -> None:
    rows = index.window(asset_id, *window)
    before = index.window(asset_id, window[0] - 86400 * 10**9, window[0])
    known = before[np.isfinite(values[column][before].astype(float))]
    if not len(rows) or not len(known):
        return
    frozen = values[column][known[-1]]
    values[column][rows] = frozen
    hours = (window[1] - window[0]) / 3.6e12
    how_long = f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"
    _record(manifest, "stuck", "telemetry", asset_id, column, *window, len(rows),
            f"sensor flat-lined at {float(frozen):g} {UNITS.get(column, '')} for {how_long}"
            + (", frozen while the machine was at rest" if at_rest else ""))


def _spikes(values, index: _Telemetry, asset_id: str, column: str, window: tuple[int, int],
            rng: np.random.Generator, in_range: tuple[float, float] | None, manifest: list) -> None:
    """Single wild readings: far above the usual maximum, or (``in_range``: the move as a share of
    the sensor's normal range, its 1st to 99th percentile) a jump up or down that stays inside it."""
    rows = index.window(asset_id, *window)
    if len(rows) < 2:
        return
    count = min(len(rows), int(rng.integers(*SPIKES_PER_BURST)))
    hit = np.sort(rng.choice(rows, size=count, replace=False))
    readings = values[column][index.rows[asset_id]].astype(float)
    typical = np.nanquantile(readings, 0.99)
    if in_range is None:
        values[column][hit] = np.round(typical * rng.uniform(1.5, 4.0, count), 2).astype(values[column].dtype)
        _record(manifest, "spike", "telemetry", asset_id, column, *window, count,
                f"{count} single readings 1.5 to 4 times the sensor's usual maximum (electrical interference)")
        return
    low, high = np.nanquantile(readings, 0.01), typical
    base = values[column][hit].astype(float)
    move = rng.uniform(*in_range, count) * (high - low) * rng.choice(np.array([-1.0, 1.0]), count)
    moved = np.where((base + move > high) | (base + move < low), base - move, base + move)  # the side that fits
    values[column][hit] = as_stored(column, np.clip(moved, low, high)).astype(values[column].dtype)
    _record(manifest, "spike", "telemetry", asset_id, column, *window, count,
            f"{count} single readings that jump by {in_range[0]:.0%} to {in_range[1]:.0%} of the sensor's normal "
            f"range and stay within it (a loose connector)")


def _drift_and_offset(values, index: _Telemetry, asset_id: str, column: str, plan: _Plan, manifest: list) -> None:
    rng = plan.rng
    span = plan.end - plan.grid[0]
    drift_h = min(rng.uniform(*DRIFT_WEEKS), 0.25 * span / (7 * 8.64e13)) * 168
    offset_h = min(rng.uniform(*OFFSET_WEEKS), 0.25 * span / (7 * 8.64e13)) * 168
    anchors = index.times[index.rows[asset_id]][index.running[asset_id]]
    anchors = anchors[anchors < plan.end - (drift_h + offset_h) * 3.6e12]
    window = plan.window(asset_id, (drift_h + offset_h, drift_h + offset_h), anchors, log_uniform=False, max_share=0.5)
    if not window:
        return
    start, offset_end = window
    recalibrated = int(start + np.int64(drift_h * 3600) * 10**9) // plan.step_ns * plan.step_ns
    typical = float(np.nanmedian(values[column][index.rows[asset_id]][index.running[asset_id]].astype(float)))
    decimals = 2 if column == "pressure_bar" else 1
    drift = round(float(rng.choice([-1, 1]) * rng.uniform(*DRIFT_SHARE) * typical), decimals)
    rows = index.window(asset_id, start, recalibrated)
    share = (index.times[rows] - start) / max(recalibrated - start, 1)
    values[column][rows] = values[column][rows] + (drift * share).astype(values[column].dtype)
    _record(manifest, "drift", "telemetry", asset_id, column, start, recalibrated, len(rows),
            f"reading drifted linearly from 0 to {drift:+g} {UNITS[column]} until the recalibration on {_day(recalibrated)}; "
            "no other sensor measures the same")
    offset = round(float(rng.choice([-1, 1]) * rng.uniform(*OFFSET_SHARE_OF_DRIFT) * abs(drift)), decimals)
    if offset == 0:
        offset = 1 / 10**decimals
    rows = index.window(asset_id, recalibrated, offset_end)
    values[column][rows] = values[column][rows] + np.asarray(offset, dtype=values[column].dtype)
    _record(manifest, "offset", "telemetry", asset_id, column, recalibrated, offset_end, len(rows),
            f"recalibration left an offset of {offset:+g} {UNITS[column]}")


def _unit_switch(values, index: _Telemetry, asset_id: str, column: str, window: tuple[int, int], unit_from: str,
                 unit_to: str, manifest: list) -> None:
    rows = index.window(asset_id, *window)
    if not len(rows):
        return
    reading = values[column][rows].astype(float)
    converted = reading * 9.0 / 5.0 + 32.0 if unit_to == "degF" else reading * PSI_PER_BAR
    values[column][rows] = np.round(converted, 2).astype(values[column].dtype)
    _record(manifest, "unit_switch", "telemetry", asset_id, column, *window, len(rows),
            f"after a firmware update the transmitter reported {unit_to} instead of {unit_from} "
            f"until the configuration was fixed")


def _clock_skew(times: np.ndarray, index: _Telemetry, asset_id: str, plan: _Plan, manifest: list) -> None:
    rng = plan.rng
    rows_all = index.rows[asset_id]
    weeks = min(rng.uniform(*SKEW_WEEKS), 0.3 * (plan.end - plan.grid[0]) / (7 * 8.64e13))
    length = np.int64(weeks * 7 * 86400 * 10**9) // plan.step_ns * plan.step_ns
    first, last = int(index.times[rows_all[0]]), int(index.times[rows_all[-1]])
    start = first + int(rng.random() * max(last - first - length, 0)) // plan.step_ns * plan.step_ns
    end = min(int(start + length), int(plan.end))
    begin_min, end_min = rng.uniform(*SKEW_START_MIN), rng.uniform(*SKEW_END_MIN)
    rows = index.window(asset_id, start, end)
    share = (index.times[rows] - start) / max(end - start, 1)
    drift_min = begin_min + (end_min - begin_min) * share
    # Stamped on the PLC's own grid boundaries: the drift shows as whole steps, never as off-grid times.
    step_min = int(plan.step_ns // (60 * 10**9))
    steps = np.maximum(1, np.round(drift_min / step_min)).astype(np.int64)
    times[rows] = index.times[rows] + steps * plan.step_ns
    lead = steps * step_min
    _record(manifest, "clock_skew", "telemetry", asset_id, "timestamp", start, end, len(rows),
            f"PLC clock ahead of the MES clock, drifting from {begin_min:.1f} to {end_min:.1f} min; readings stamped "
            f"{lead[0]} to {lead[-1]} min ahead, on the grid, until a time sync on {_day(end)}")


def _summer_time_missed(times: np.ndarray, index: _Telemetry, asset_id: str, timezone: str, manifest: list) -> None:
    rows = index.rows[asset_id]
    stamps = pd.DatetimeIndex(pd.to_datetime(index.times[rows], utc=True))
    offset = (stamps.tz_convert(timezone).tz_localize(None) - stamps.tz_localize(None)).to_numpy().astype(np.int64)
    extra = offset - offset.min()  # summer time: the hour this PLC did not add
    shifted = rows[extra > 0]
    if not len(shifted):
        return
    times[shifted] = index.times[shifted] - extra[extra > 0]
    step = int(np.median(np.diff(index.times[rows]))) if len(rows) > 1 else 1
    start, end = int(index.times[shifted].min()), int(index.times[shifted].max()) + step
    _record(manifest, "dst_not_switched", "telemetry", asset_id, "timestamp", start, end, len(shifted),
            "PLC stayed on winter time: between the clock changes its timestamps are 1 h early "
            "(one hour of rows doubled in spring, one hour missing in autumn)")


# --- parts, energy, work orders ----------------------------------------------------------------

def _parts_defects(parts: pd.DataFrame, plan: _Plan, manifest: list) -> pd.DataFrame:
    rng = plan.rng
    times = _utc_ns(parts["timestamp"])
    machines = sorted(parts["asset_id"].astype(str).unique())
    asset_id = machines[int(rng.integers(len(machines)))]
    mine = np.flatnonzero(parts["asset_id"].astype(str).to_numpy() == asset_id)
    for _ in range(20):
        anchor = times[mine[int(rng.integers(len(mine)))]]
        end = anchor + np.int64(rng.uniform(*PART_DUPLICATE_HOURS) * 3600) * 10**9
        rows = mine[(times[mine] >= anchor) & (times[mine] < end)]
        if len(rows):
            order = np.insert(np.arange(len(parts)), np.searchsorted(np.arange(len(parts)), rows) + 1, rows)
            _record(manifest, "duplicate_rows", "parts", asset_id, None, anchor, end, len(rows),
                    f"MES posted {len(rows)} parts twice after a network hiccup (same part_id)")
            return parts.iloc[order].reset_index(drop=True)
    return parts


def _energy_defects(energy: pd.DataFrame, plan: _Plan, manifest: list) -> pd.DataFrame:
    rng = plan.rng
    times = _utc_ns(energy["timestamp"])
    meters = sorted(energy["asset_id"].astype(str).unique())
    chosen = rng.permutation(len(meters))
    interval_h = float(np.median(np.diff(np.unique(times)))) / 3.6e12 if len(np.unique(times)) > 1 else 0.25
    kwh = energy["energy_kwh"].to_numpy(dtype=float, copy=True)
    power = energy["mean_power_kw"].to_numpy(dtype=float, copy=True)

    def rows_of(asset_id: str) -> np.ndarray:
        rows = np.flatnonzero(energy["asset_id"].astype(str).to_numpy() == asset_id)
        return rows[np.argsort(times[rows], kind="stable")]

    # A gap in the meter readings; the register keeps counting, so the next reading catches up.
    asset_id = meters[chosen[0]]
    rows = rows_of(asset_id)
    busy = rows[kwh[rows] > 0]
    window = plan.window(f"energy:{asset_id}", METER_GAP_HOURS, times[busy] if len(busy) else None, max_share=0.05)
    if window:
        gap = rows[(times[rows] >= window[0]) & (times[rows] < window[1])]
        after = rows[times[rows] >= window[1]]
        if len(gap) and len(after):
            catch_up = after[0]
            kwh[catch_up] = round(kwh[catch_up] + kwh[gap].sum(), 2)
            power[catch_up] = round(kwh[catch_up] / interval_h, 3)
            kwh[gap], power[gap] = np.nan, np.nan
            _record(manifest, "dropout", "energy", asset_id, "energy_kwh", window[0],
                    int(times[catch_up] + interval_h * 3.6e12), len(gap) + 1,
                    f"{len(gap)} meter readings missing; the next reading holds the energy of the whole gap")
    # A run of zero readings while the machine ran: that energy is lost.
    asset_id = meters[chosen[1 % len(meters)]]
    rows = rows_of(asset_id)
    busy = rows[kwh[rows] > 0]
    window = plan.window(f"energy:{asset_id}", METER_ZERO_HOURS, times[busy] if len(busy) else None, max_share=0.02)
    if window:
        zero = rows[(times[rows] >= window[0]) & (times[rows] < window[1])]
        # Readings already 0.0 (the asset was off) are not changed by the fault, so they are not listed.
        changed = int((kwh[zero] > 0).sum())
        if changed:
            kwh[zero], power[zero] = 0.0, 0.0
            _record(manifest, "zero_value", "energy", asset_id, "energy_kwh", *window, changed,
                    f"{changed} meter readings exactly 0.0 kWh while the asset ran (meter communication fault)")
    raw = energy.copy()
    raw["energy_kwh"] = kwh.astype(energy["energy_kwh"].dtype)
    raw["mean_power_kw"] = power.astype(energy["mean_power_kw"].dtype)
    return raw


def _work_order_defects(orders: pd.DataFrame, plant: PlantTruth, plan: _Plan, manifest: list) -> pd.DataFrame:
    rng = plan.rng
    raw = orders.copy()
    corrective = np.flatnonzero((raw["wo_type"].astype(str) == "corrective").to_numpy())
    if len(corrective):
        row = int(corrective[int(rng.integers(len(corrective)))])
        reported = pd.Timestamp(raw.at[row, "reported_at"])
        late = reported + pd.Timedelta(hours=round(rng.uniform(*LATE_LOG_DAYS) * 24, 2))
        raw.at[row, "reported_at"] = late
        _record(manifest, "late_log", "work_orders", str(raw.at[row, "asset_id"]), "reported_at", reported.value,
                late.value, 1, f"{raw.at[row, 'wo_id']}: the failure was logged {(late - reported) / pd.Timedelta(days=1):.1f} "
                f"days late, after the repair was done")

    # A wrong label names another component a work order could carry for that asset: a technician never
    # writes the insert, which only the tool-change records know.
    modes = {a: [m.name for m in t.spec.failure_modes if m.name != TOOL_MODE] for a, t in plant.assets.items()}
    labelled = raw["failure_mode_reported"].notna().to_numpy()
    eligible = np.flatnonzero(labelled & raw["asset_id"].astype(str).map(lambda a: len(modes.get(a, [])) > 1).to_numpy())
    count = min(len(eligible), max(1, int(round(WRONG_LABEL_SHARE * labelled.sum())))) if len(eligible) else 0
    for row in (rng.choice(eligible, size=count, replace=False) if count else []):
        row = int(row)
        asset_id, true_mode = str(raw.at[row, "asset_id"]), str(raw.at[row, "failure_mode_reported"])
        wrong = _choose(rng, [m for m in modes[asset_id] if m != true_mode])
        raw.at[row, "failure_mode_reported"] = wrong
        # The true report time: a late log may have moved the raw one past the repair's completion.
        when = pd.Timestamp(orders.at[row, "reported_at"]).value
        _record(manifest, "wrong_label", "work_orders", asset_id, "failure_mode_reported", when,
                pd.Timestamp(orders.at[row, "completed_at"]).value, 1,
                f"{raw.at[row, 'wo_id']}: recorded as {wrong}, the true failure mode was {true_mode}")
    return raw


def _censoring(plant: PlantTruth) -> list[dict]:
    """One row per asset and failure mode: the component in place when the records end."""
    timeline = plant.timeline
    grid = timeline.times_utc.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)
    end = int(grid[-1] + np.int64(timeline.step_minutes * 60 * 10**9))
    rows = []
    for asset_id, truth in plant.assets.items():
        for mode in truth.spec.failure_modes:
            renewals = [e for e in truth.events if e.mode == mode.name and e.end_step <= timeline.n_steps
                        and (e.kind in ("corrective", "condition_based", "tool_change"))]
            since_step = max((e.end_step for e in renewals), default=0)
            if since_step >= timeline.n_steps:
                continue  # still down for that repair when the records end
            start = int(grid[since_step])
            health = truth.health.get(mode.name)
            state = f", true health at the end {float(health[-1]):.2f}" if health is not None else ""
            what = "in service since the records start" if since_step == 0 else f"in service since {_day(start)} (last replaced)"
            rows.append({"kind": "censored", "table": "work_orders", "asset_id": asset_id, "column": None,
                         "start": start, "end": end, "rows_affected": 0,
                         "detail": f"{mode.name}: no failure by the end of the records, {what}{state}"})
    return rows
