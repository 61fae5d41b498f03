"""What the maintenance department writes down: work orders and the CNC tool-change log.

Every work order comes from a real intervention in the truth layer (a breakdown repair, a planned
service, a replacement after an inspection finding) and says what the technician saw and did, the
way technicians write it: components spelt five ways, abbreviations, measurements read off the
machine's screen. The readings in a note are taken from the observed telemetry around the event
(when the caller passes it), so a bearing note quotes the vibration the historian recorded.

Broken inserts are not work orders: the operator changes the insert at the machine and the change
goes into the tool-change log with the reason ``broken``, as it does in most machining plants.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from plantsim.alarms import ISO_ZONE_LIMITS_MM_S, state_codes
from plantsim.inspection import INSPECTION_HOUR, INSPECTION_WEEKDAY
from plantsim.model import MaintenanceEvent, PlantTruth, State

WORK_ORDER_COLUMNS = ["wo_id", "asset_id", "wo_type", "priority", "reported_at", "started_at", "completed_at",
                      "component", "failure_mode_reported", "technician_note", "downtime_h", "labour_h",
                      "parts_cost_eur", "technician"]
TOOL_CHANGE_COLUMNS = ["asset_id", "timestamp", "tool_id_removed", "reason", "parts_on_tool", "vb_measured_mm"]

TOOL_MODE = "cutting_tool"  # inserts are logged in the tool-change records, never in a work order
PRIORITY = {"corrective": 1, "condition_based": 2, "preventive": 3}  # 1 = breakdown, at once
ZONE_D_STOPS = ("vibration_trip", "operator_stop")  # condition-based, but unplanned: priority 1, at once
LABOUR_RATE_EUR_H = 68.0
VB_MEASURED_SHARE = 0.10  # inserts that go under the tool-room microscope
VB_GAUGE_SIGMA_MM = 0.01
TOOL_CHANGE_REASONS = ("planned_count", "broken", "quality")
READING_WINDOW_STEPS = 12  # what a technician sees on the screen: the last hour of running

# Technicians and how each writes: "terse" abbreviates in lower case, "caps" abbreviates in
# capitals, "plain" writes the words out.
TECHNICIANS = (("J. Weber", "terse"), ("M. Kowalski", "caps"), ("S. Yilmaz", "plain"),
               ("P. Lange", "terse"), ("A. Richter", "plain"))
HABIT_SHARE = 0.75  # how often a technician writes a component the usual way

COMPONENT_SPELLINGS = {
    "spindle bearing": ("spindle bearing", "Spdl brg", "SPINDLE BRG", "sp. bearing", "spindle brgs",
                        "Spindle Bearing set"),
    "boring insert": ("boring insert", "insert", "INSERT", "boring tool", "cutting insert"),
    "pump bearing": ("pump bearing", "pump brg", "PUMP BRG", "motor bearing DE", "mtr brg", "Pump Bearing"),
    "impeller": ("impeller", "Impeller", "IMPELLER", "imp.", "pump impeller", "impellor"),
    "mechanical seal": ("mechanical seal", "mech seal", "MECH. SEAL", "m/seal", "shaft seal", "Seal"),
    "gearbox bearing": ("gearbox bearing", "gbx brg", "GEARBOX BRG", "gear box bearing", "g/box bearing",
                        "GB bearing"),
    "inlet valve": ("inlet valve", "intake valve", "INLET VLV", "inl. valve", "suction valve", "Inlet Valve"),
    "service": ("PM service", "general service", "PM", "routine maint.", "SERVICE", "inspection + lube"),
}

ABBREVIATIONS = (("replaced", "repl"), ("bearings", "brgs"), ("bearing", "brg"), ("spindle", "spdl"),
                 ("vibration", "vib"), ("checked", "chkd"), ("temperature", "temp"), ("pressure", "press"),
                 ("gearbox", "gbx"), ("mechanical", "mech"), ("production", "prod"), ("with", "w/"),
                 ("compressor", "comp"), ("discharge", "disch"), ("inspection", "insp"), ("approximately", "approx"),
                 ("lubrication", "lube"), ("minutes", "min"), ("normally", "norm"))

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

PREVENTIVE_TASKS = {
    "cnc": ("greased the spindle", "way lubrication topped up", "checked drawbar force", "coolant filter changed",
            "cleaned chip conveyor", "checked axis backlash"),
    "coolant_pump": ("greased the motor bearing", "checked the seal for leaks", "suction strainer cleaned",
                     "checked coupling"),
    "conveyor": ("gearbox oil level checked", "chain tensioned", "belt tracking adjusted", "rollers greased"),
    "air_compressor": ("oil and oil filter changed", "air filter changed", "cooler blown out",
                       "checked belts", "drained condensate trap"),
}


def work_orders(plant: PlantTruth, rng: np.random.Generator, *, telemetry: pd.DataFrame | None = None,
                assets: pd.DataFrame | None = None, inspections: pd.DataFrame | None = None) -> pd.DataFrame:
    """One work order per repair, service and condition-based replacement in the truth layer.

    ``telemetry`` (the observed telemetry of the same assets) lets the notes quote readings; without
    it the notes describe symptoms in words only. ``assets`` (the plant's asset register) numbers
    the work orders so that orders written for different groups of assets never share an id.
    ``inspections`` (the inspection rounds' sheet) lets a condition-based order quote the reading
    that was the finding.
    """
    timeline = plant.timeline
    grid = _grid_ns(timeline)
    end_of_records = grid[-1] + _step_ns(timeline)
    readings = _Readings(telemetry, timeline, inspections)
    rows = []
    for asset_id, truth in plant.assets.items():
        for event in truth.events:
            if event.kind == "tool_change" or event.mode == TOOL_MODE:
                continue
            rows.append(_work_order(event, truth.spec, timeline, grid, end_of_records, readings, rng))
    frame = pd.DataFrame(rows, columns=[c for c in WORK_ORDER_COLUMNS if c != "wo_id"])
    order = list(assets["asset_id"].astype(str)) if assets is not None else list(plant.assets)
    frame = frame.sort_values(["reported_at", "asset_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "wo_id", _wo_ids(frame, order, timeline.timezone))
    for column in ("reported_at", "started_at", "completed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[ns, UTC]")
    frame["priority"] = frame["priority"].astype(np.int8)
    return frame[WORK_ORDER_COLUMNS]


def tool_changes(plant: PlantTruth, rng: np.random.Generator, *, parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CNC tool-change log: every insert taken out, why, after how many parts, and its wear.

    Parts per insert are counted in ``parts`` when given (the observed parts table), else from
    the truth layer's cutting time and the recipes' cycle times.
    """
    timeline = plant.timeline
    grid = _grid_ns(timeline)
    step_ns = _step_ns(timeline)
    cycle = plant.recipes["cycle_time_min"].to_numpy(dtype=float)
    frames = []
    for asset_id, truth in plant.assets.items():
        if truth.tool_id is None:
            continue
        changes = [e for e in truth.events if e.mode == "cutting_tool" and (e.kind == "tool_change" or e.failure)]
        if not changes:
            continue
        steps = np.array([e.step for e in changes])
        removed = np.asarray(truth.tool_id)[steps].astype(np.int32)
        count = _parts_per_tool(truth, parts, asset_id, cycle, timeline.step_minutes)
        reasons = np.array([_tool_reason(e) for e in changes], dtype=object)
        measured = rng.random(len(changes)) < VB_MEASURED_SHARE
        vb_true = np.asarray(truth.tool_wear_mm, dtype=float)[steps] if truth.tool_wear_mm is not None \
            else np.full(len(changes), np.nan)
        vb = np.round(np.clip(vb_true + rng.normal(0.0, VB_GAUGE_SIGMA_MM, len(changes)), 0.0, None), 2)
        stamp = grid[steps] + (rng.random(len(changes)) * step_ns).astype(np.int64) // 10**9 * 10**9
        frames.append(pd.DataFrame({
            "asset_id": asset_id,
            "timestamp": pd.to_datetime(stamp, utc=True),
            "tool_id_removed": removed,
            "reason": reasons,
            "parts_on_tool": np.array([count.get(int(t), 0) for t in removed], dtype=np.int32),
            "vb_measured_mm": np.where(measured, vb, np.nan),
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TOOL_CHANGE_COLUMNS})
    frame = pd.concat(frames, ignore_index=True).sort_values(["timestamp", "asset_id"], kind="stable")
    frame["timestamp"] = frame["timestamp"].astype("datetime64[ns, UTC]")
    return frame.reset_index(drop=True)[TOOL_CHANGE_COLUMNS]


def spellings(component: str) -> tuple[str, ...]:
    """How the plant's technicians write a component (the first is the register's own name)."""
    if component in COMPONENT_SPELLINGS:
        return COMPONENT_SPELLINGS[component]
    return (component, component.upper(), component.title(), abbreviate(component))


def abbreviate(text: str) -> str:
    for word, short in ABBREVIATIONS:
        text = re.sub(rf"\b{word}\b", short, text, flags=re.IGNORECASE)
    return text


# --- internals ---------------------------------------------------------------------------------

def _grid_ns(timeline) -> np.ndarray:
    return timeline.times_utc.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)


def _step_ns(timeline) -> np.int64:
    return np.int64(timeline.step_minutes * 60 * 10**9)


def _tool_reason(event: MaintenanceEvent) -> str:
    if event.reason in TOOL_CHANGE_REASONS:
        return event.reason
    return "broken" if event.failure else "planned_count"


def _parts_per_tool(truth, parts: pd.DataFrame | None, asset_id: str, cycle: np.ndarray,
                    step_minutes: int) -> dict[int, int]:
    if parts is not None and len(parts):
        mine = parts[parts["asset_id"].astype(str) == asset_id]
        return {int(k): int(v) for k, v in mine.groupby("tool_id").size().items()}
    cutting = (np.asarray(truth.state) == State.PRODUCING) & (np.asarray(truth.recipe) >= 0)
    feed = np.asarray(truth.extra.get("feed_override", np.ones(len(truth.state))), dtype=np.float64)
    made = np.where(cutting, feed * step_minutes / cycle[np.maximum(np.asarray(truth.recipe, dtype=np.int64), 0)], 0.0)
    tool = np.asarray(truth.tool_id, dtype=np.int64)
    totals = np.bincount(tool, weights=made, minlength=int(tool.max()) + 1)
    return {k: int(np.floor(v)) for k, v in enumerate(totals)}


def _wo_ids(frame: pd.DataFrame, order: list[str], timezone: str) -> list[str]:
    """WO-yy-PPNNN: year of reporting, the asset's place in the register, its running number."""
    place = {a: k for k, a in enumerate(order, start=1)}
    year = pd.to_datetime(frame["reported_at"], utc=True).dt.tz_convert(timezone).dt.year % 100
    number = frame.groupby([frame["asset_id"], year]).cumcount() + 1
    return [f"WO-{y:02d}-{place.get(a, 0):02d}{k:03d}" for a, y, k in zip(frame["asset_id"], year, number)]


class _Readings:
    """Readings a technician would see on the machine's screen, from the observed telemetry."""

    def __init__(self, telemetry: pd.DataFrame | None, timeline, inspections: pd.DataFrame | None = None):
        self.by_asset: dict[str, pd.DataFrame] = {}
        self.timezone = timeline.timezone
        self.inspections = inspections
        if telemetry is None or len(telemetry) == 0:
            return
        for asset_id, rows in telemetry.groupby(telemetry["asset_id"].astype(str), sort=False, observed=True).indices.items():
            part = telemetry.iloc[rows]
            part = part.assign(_t=pd.to_datetime(part["timestamp"], utc=True)).sort_values("_t", kind="stable")
            self.by_asset[asset_id] = part.set_index("_t")

    def window(self, asset_id: str, column: str, end: pd.Timestamp, before: bool, steps: int = READING_WINDOW_STEPS,
               within: pd.Timedelta = pd.Timedelta(days=3)) -> np.ndarray:
        """The last ``steps`` running values of ``column`` before ``end`` (or the first after it)."""
        part = self.by_asset.get(asset_id)
        if part is None or column not in part:
            return np.array([])
        span = part.loc[end - within:end - pd.Timedelta(seconds=1)] if before else part.loc[end:end + within]
        running = np.isin(state_codes(span["machine_state"]), (int(State.IDLE), int(State.PRODUCING)))
        if "speed_rpm" in span:
            running &= span["speed_rpm"].to_numpy(dtype=float) > 0
        values = span[column].to_numpy(dtype=float)[running]
        values = values[np.isfinite(values)]
        return values[-steps:] if before else values[:steps]

    def first_above(self, asset_id: str, column: str, limit: float, start: pd.Timestamp, end: pd.Timestamp):
        part = self.by_asset.get(asset_id)
        if part is None or column not in part:
            return None
        span = part.loc[start:end]
        running = span["speed_rpm"].to_numpy(dtype=float) > 0 if "speed_rpm" in span else np.ones(len(span), bool)
        hits = span.index[running & (span[column].to_numpy(dtype=float) > limit)]
        return hits[0] if len(hits) else None

    def normal(self, asset_id: str, column: str) -> float | None:
        """The asset's typical producing value in its first two weeks."""
        part = self.by_asset.get(asset_id)
        if part is None or column not in part:
            return None
        first = part.index[0]
        span = part.loc[first:first + pd.Timedelta(days=14)]
        values = span[column].to_numpy(dtype=float)[state_codes(span["machine_state"]) == int(State.PRODUCING)]
        values = values[np.isfinite(values)]
        return float(np.median(values)) if len(values) else None


def _round_to_5min(ns: int) -> int:
    five = 300 * 10**9
    return int((ns + five // 2) // five * five)


def _work_order(event: MaintenanceEvent, spec, timeline, grid: np.ndarray, end_of_records: int,
                readings: _Readings, rng: np.random.Generator) -> dict:
    down = int(grid[event.step])
    up = int(grid[event.end_step]) if event.end_step < len(grid) else int(end_of_records)
    downtime_s = (up - down) / 1e9
    minute = 60 * 10**9
    if event.kind == "corrective" or event.reason in ZONE_D_STOPS:
        reported = down + int(np.exp(np.log(10) + 0.6 * rng.normal()) * minute)  # the operator calls
        reported = min(reported, down + int(0.2 * downtime_s * 1e9))
        response = int(np.exp(np.log(25) + 0.6 * rng.normal()) * minute)
        started = min(reported + response, down + int(0.4 * downtime_s * 1e9))
        completed = up - int(rng.uniform(10, 30) * minute)  # run-in and test cut before hand-back
    else:
        if event.kind == "preventive":
            # The CMMS raises planned work ahead of the stop it is planned into.
            reported = down - int(rng.uniform(5, 21) * 86400 * 10**9)
        else:
            reported = _last_inspection_before(down, timeline.timezone)
        reported = max(reported, int(grid[0]))
        started = down + int(rng.uniform(0, 20) * minute)
        completed = up - int(rng.uniform(0, 15) * minute)
    started = max(started, reported)
    completed = max(completed, started + 15 * minute)
    reported, started, completed = (_round_to_5min(t) for t in (reported, started, completed))
    completed = max(completed, started + 5 * minute)

    heavy = event.mode is not None and any(m.name == event.mode and m.repair_hours[1] > 10 for m in spec.failure_modes)
    crew = 2 if heavy or (event.kind == "preventive" and rng.random() < 0.4) else 1
    worked_h = (completed - started) / 3.6e12 * crew * rng.uniform(0.7, 0.95)
    labour_h = max(0.25, round(worked_h * 4) / 4)
    parts_cost = round(max(event.cost_eur - labour_h * LABOUR_RATE_EUR_H, 0.2 * event.cost_eur), 2)

    technician_index = int(rng.integers(len(TECHNICIANS)))
    name, style = TECHNICIANS[technician_index]
    component = _component_name(event, spec)
    written = _spelling(component, technician_index, rng)
    note = _note(event, spec, written, style, pd.Timestamp(down, tz="UTC"), pd.Timestamp(up, tz="UTC"), readings, rng)
    return {
        "asset_id": spec.asset_id,
        "wo_type": event.kind,
        "priority": 1 if event.reason in ZONE_D_STOPS else PRIORITY.get(event.kind, 3),
        "reported_at": pd.Timestamp(reported, tz="UTC"),
        "started_at": pd.Timestamp(started, tz="UTC"),
        "completed_at": pd.Timestamp(completed, tz="UTC"),
        "component": written,
        "failure_mode_reported": event.mode if event.kind != "preventive" else None,
        "technician_note": note,
        "downtime_h": round(downtime_s / 3600.0, 2),
        "labour_h": labour_h,
        "parts_cost_eur": parts_cost,
        "technician": name,
    }


def _last_inspection_before(when_ns: int, timezone: str) -> int:
    """The weekly inspection round at which a condition-based job was found (local time)."""
    local = pd.Timestamp(when_ns, tz="UTC").tz_convert(timezone)
    day = local.normalize() - pd.Timedelta(days=(local.day_of_week - INSPECTION_WEEKDAY) % 7)
    found = day + pd.Timedelta(hours=INSPECTION_HOUR)
    if found >= local:
        found -= pd.Timedelta(days=7)
    return int(found.tz_convert("UTC").value)


def _component_name(event: MaintenanceEvent, spec) -> str:
    if event.mode is None:
        return "service"
    mode = next((m for m in spec.failure_modes if m.name == event.mode), None)
    return mode.component if mode is not None else event.mode.replace("_", " ")


def _spelling(component: str, technician_index: int, rng: np.random.Generator) -> str:
    options = spellings(component)
    habit = options[(technician_index * 2 + len(component)) % len(options)]
    return habit if rng.random() < HABIT_SHARE else options[int(rng.integers(len(options)))]


def _pick(rng: np.random.Generator, options) -> str:
    return options[int(rng.integers(len(options)))]


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _note(event: MaintenanceEvent, spec, written: str, style: str, down: pd.Timestamp, up: pd.Timestamp,
          readings: _Readings, rng: np.random.Generator) -> str:
    """The technician's note, made from what happened (truth) and what the screen showed (telemetry)."""
    mode = event.mode or ""
    asset_id = spec.asset_id
    clauses: list[str] = []
    found = _found_condition(mode, event.health_before, rng)
    action = _pick(rng, ("replaced {c}", "changed {c}", "new {c} fitted", "{c} replaced"))

    if event.kind == "preventive":
        clauses.append(_pick(rng, ("{c} done", "{c} as planned", "{c} carried out")).format(c=written))
        tasks = PREVENTIVE_TASKS.get(spec.kind, ("general checks",))
        chosen = rng.choice(len(tasks), size=min(len(tasks), int(rng.integers(2, 4))), replace=False)
        clauses.extend(tasks[i] for i in sorted(chosen))
        vibration = readings.window(asset_id, "vibration_rms_mm_s", down, before=True, steps=READING_WINDOW_STEPS * 8)
        if len(vibration):
            level = _fmt(np.median(vibration))
            if _zone(spec, float(level)) in "AB":
                clauses.append(_pick(rng, ("vibration {v} mm/s ok", "vibration reading {v} mm/s, fine",
                                           "vibration {v} mm/s in limits")).format(v=level))
            else:
                clauses.append(_pick(rng, ("vibration {v} mm/s too high, told the planner",
                                           "vibration {v} mm/s high, bearing to be watched")).format(v=level))
        return _styled(clauses, style, rng)

    if event.reason in ZONE_D_STOPS:
        clauses.extend(_zone_d_stop(event, spec, down, readings, rng))
        clauses.append(action.format(c=written))
        clauses.append(found)
        clauses.extend(_after_repair(asset_id, spec, mode, up, readings, rng))
        return _styled(clauses, style, rng)

    if event.kind == "condition_based":
        found_at = pd.Timestamp(_last_inspection_before(int(down.value), readings.timezone), tz="UTC")
        route = _route_reading(asset_id, mode, found_at, readings, _component_name(event, spec))
        day = found_at.tz_convert(readings.timezone).strftime("%d.%m.")
        clauses.append(_pick(rng, ("found on inspection round {d}", "inspection {d}: wear found",
                                   "condition-based, inspection finding {d}")).format(d=day) + (f", {route}" if route else ""))
        clauses.append(action.format(c=written))
        clauses.append(found)
        clauses.extend(_after_repair(asset_id, spec, mode, up, readings, rng))
        return _styled(clauses, style, rng)

    # Corrective: the symptoms the shift reported, then the repair.
    clauses.extend(_symptoms(asset_id, spec, mode, down, readings, rng))
    clauses.append(action.format(c=written))
    clauses.append(found)
    check = _pick(rng, _CHECKS.get(_family(mode), ("checked the surroundings ok",)))
    clauses.append(check.format(r=int(rng.integers(1, 5)), n=int(rng.integers(16, 22))))
    clauses.extend(_after_repair(asset_id, spec, mode, up, readings, rng))
    return _styled(clauses, style, rng)


def _family(mode: str) -> str:
    for part in ("bearing", "impeller", "seal", "valve"):
        if part in mode:
            return part
    return "other"


_CHECKS = {
    "bearing": ("checked lubrication ok", "checked drawbar force {n} kN", "runout {r} um after fitting",
                "checked coupling and alignment"),
    "impeller": ("cleaned the suction strainer", "checked the tank filter", "motor bearing ok"),
    "seal": ("shaft sleeve ok", "checked alignment", "cleaned up coolant on the floor"),
    "valve": ("oil level ok", "checked the oil separator", "cooler cleaned"),
}


def _found_condition(mode: str, health_before: float, rng: np.random.Generator) -> str:
    family = _family(mode)
    if family == "bearing":
        bank = (("outer race spalled", "cage broken", "bearing seized, balls flattened") if health_before < 0.15 else
                ("pitting on the outer race", "race worn, grease dark") if health_before < 0.45 else
                ("bearing rough when turned by hand", "slight wear marks on the race"))
    elif family == "impeller":
        bank = (("vanes badly eroded", "impeller worn through at the eye") if health_before < 0.3 else
                ("impeller worn, clearance too big", "cavitation damage on the vanes"))
    elif family == "seal":
        bank = (("seal faces scored", "seal faces cracked") if health_before < 0.4 else
                ("o-ring hardened", "seal faces worn"))
    elif family == "valve":
        bank = (("valve plate cracked", "valve seat worn badly") if health_before < 0.3 else
                ("carbon deposits on the valve", "valve seat worn"))
    else:
        bank = ("part worn",)
    return _pick(rng, bank)


def _zone(spec, vibration_mm_s: float) -> str:
    """ISO 10816 zone (A, B, C or D) of a vibration reading for this asset's machine class."""
    ab, bc, cd = ISO_ZONE_LIMITS_MM_S.get(spec.machine_class, (np.inf, np.inf, np.inf))
    return "A" if vibration_mm_s <= ab else "B" if vibration_mm_s <= bc else "C" if vibration_mm_s <= cd else "D"


def _symptoms(asset_id: str, spec, mode: str, down: pd.Timestamp, readings: _Readings,
              rng: np.random.Generator) -> list[str]:
    family = _family(mode)
    out = []
    if family == "bearing":
        vibration = readings.window(asset_id, "vibration_rms_mm_s", down, before=True)
        if len(vibration):
            level = _fmt(vibration.max())
            zone = _zone(spec, float(level))
            if zone in "AB":
                # A bearing can fail with little warning in the overall level: it seized or broke.
                out.append(_pick(rng, ("vibration only {v} mm/s before, failed suddenly",
                                       "no warning, vibration was {v} mm/s")).format(v=level))
            else:
                text = _pick(rng, ("very high vibration {v} mm/s", "vibration up to {v} mm/s")
                             if zone == "D" else ("high vibration {v} mm/s", "vibration up to {v} mm/s",
                                                  "vibration {v} mm/s on the screen")).format(v=level)
                out.append(text + _high_since(asset_id, spec, down, readings))
                if zone == "D":
                    out.append("machine stopped by the operator")
        out.append(_pick(rng, ("noise", "loud rumbling noise", "grinding noise", "noisy when running")))
        temperature_column = "spindle_temp_c" if spec.kind == "cnc" else "bearing_temp_c"
        temperature = readings.window(asset_id, temperature_column, down, before=True)
        if len(temperature) and rng.random() < 0.6:
            out.append(f"{'spindle' if spec.kind == 'cnc' else 'bearing'} temperature {_fmt(temperature.max())} C")
    elif family == "impeller":
        flow = readings.window(asset_id, "flow_l_min", down, before=True)
        normal = readings.normal(asset_id, "flow_l_min")
        if len(flow) and normal and np.median(flow) < 0.9 * normal:
            out.append(f"low flow {_fmt(np.median(flow), 0)} l/min (normally approximately {_fmt(normal, 0)})")
            out.append(_pick(rng, ("machines short of coolant", "coolant starving at the spindles")))
        else:
            out.append(_pick(rng, ("pump noisy, rattling", "pump vibrating and noisy")))
            if len(flow):
                out.append(f"flow still {_fmt(np.median(flow), 0)} l/min")
        pressure = readings.window(asset_id, "pressure_bar", down, before=True)
        if len(pressure):
            out.append(f"pressure {_fmt(np.median(pressure))} bar")
    elif family == "seal":
        out.append(_pick(rng, ("leak at the mechanical seal", "coolant dripping from the pump", "puddle under the pump")))
        pressure = readings.window(asset_id, "pressure_bar", down, before=True)
        if len(pressure):
            out.append(f"pressure {_fmt(np.median(pressure))} bar")
    elif family == "valve":
        temperature = readings.window(asset_id, "discharge_temp_c", down, before=True)
        if len(temperature):
            hot = temperature.max() > 100.0
            out.append(("discharge temperature high, {t} C" if hot else "discharge temperature {t} C").format(
                t=_fmt(temperature.max(), 0)))
        pressure = readings.window(asset_id, "pressure_bar", down, before=True)
        if len(pressure) and pressure.min() < 6.8:
            out.append(f"cannot hold pressure, {_fmt(pressure.min())} bar")
        out.append(_pick(rng, ("running loaded all the time", "compressor hot and loud", "knocking from the valve")))
    else:
        out.append(f"{mode.replace('_', ' ')} fault")
    return out


def _high_since(asset_id: str, spec, down: pd.Timestamp, readings: _Readings) -> str:
    """Since when the vibration has been above the zone C limit, as a technician would say it."""
    bc = ISO_ZONE_LIMITS_MM_S[spec.machine_class][1]
    look_back = down - pd.Timedelta(days=6)
    since = readings.first_above(asset_id, "vibration_rms_mm_s", bc, look_back, down)
    if since is None:
        return ""
    local = since.tz_convert(readings.timezone)
    if since - look_back < pd.Timedelta(days=1):
        return " for more than a week"
    if local.normalize() == down.tz_convert(readings.timezone).normalize():
        return " since this morning"
    return f" since {WEEKDAYS[local.day_of_week]}"


_STOPPED = {"coolant_pump": "pump", "conveyor": "conveyor", "air_compressor": "compressor"}


def _zone_d_stop(event: MaintenanceEvent, spec, down: pd.Timestamp, readings: _Readings,
                 rng: np.random.Generator) -> list[str]:
    """Why the machine stood: the vibration reading that passed the zone D limit, and who stopped it."""
    out = []
    vibration = readings.window(spec.asset_id, "vibration_rms_mm_s", down, before=True, steps=3)
    cd = ISO_ZONE_LIMITS_MM_S[spec.machine_class][2]
    if len(vibration):
        out.append(_pick(rng, ("VIB_TRIP {v} mm/s, zone D", "vibration {v} mm/s over the trip limit {l} mm/s",
                               "vibration alarm {v} mm/s (zone D)")).format(v=_fmt(vibration.max(), 2), l=f"{cd:g}")
                   + _high_since(spec.asset_id, spec, down, readings))
    if event.reason == "vibration_trip":
        out.append(_pick(rng, ("spindle monitor tripped the machine", "machine tripped on vibration",
                               "machine stopped by the vibration monitor")))
    else:
        out.append(_pick(rng, ("{k} stopped by the operator", "operator switched the {k} off on the alarm")).format(
            k=_STOPPED.get(spec.kind, "machine")))
    out.append(_pick(rng, ("noisy when running", "rough running", "rumbling noise")))
    return out


def _route_reading(asset_id: str, mode: str, found_at: pd.Timestamp, readings: _Readings, component: str = "") -> str:
    """The reading the finding stood on: the inspection sheet's, else what the historian showed."""
    sheet = readings.inspections
    if sheet is not None and len(sheet):
        row = sheet[(sheet["asset_id"].astype(str) == asset_id) & (sheet["timestamp"] == found_at)
                    & (sheet["component"].astype(str) == component)]
        if len(row):
            reading = row.iloc[0]
            words = {"vibration_rms_mm_s": "vibration", "head_loss_pct": "head loss", "seal_leak_ml_h": "leakage",
                     "valve_leak_back_pct": "leak-back"}.get(str(reading["measurement"]), "reading")
            digits = 0 if reading["unit"] == "ml/h" else 1
            return f"{words} {reading['reading']:.{digits}f} {reading['unit']} (limit {reading['limit']:g})"
    family = _family(mode)
    column, unit, words = {"bearing": ("vibration_rms_mm_s", "mm/s", "vibration"),
                           "impeller": ("flow_l_min", "l/min", "flow"),
                           "seal": ("pressure_bar", "bar", "pressure"),
                           "valve": ("discharge_temp_c", "C", "discharge temperature")}.get(family, (None, "", ""))
    if column is None:
        return ""
    values = readings.window(asset_id, column, found_at + pd.Timedelta(hours=2), before=True)
    if not len(values):
        return ""
    return f"{words} {_fmt(np.median(values), 0 if unit == 'l/min' else 1)} {unit}"


def _after_repair(asset_id: str, spec, mode: str, up: pd.Timestamp, readings: _Readings,
                  rng: np.random.Generator) -> list[str]:
    closings = ("run-in {m} minutes", "test run ok", "handed back to production")
    if spec.kind == "cnc":
        closings += ("test cut ok, back to production", "first part measured ok")
    out = [_pick(rng, closings).format(m=int(rng.choice([15, 20, 30])))]
    family = _family(mode)
    column, unit, words = {"bearing": ("vibration_rms_mm_s", "mm/s", "vibration after"),
                           "impeller": ("flow_l_min", "l/min", "flow after"),
                           "valve": ("discharge_temp_c", "C", "discharge temperature after")}.get(family, (None, "", ""))
    if column is not None and rng.random() < 0.6:
        values = readings.window(asset_id, column, up, before=False)
        if len(values):
            out.append(f"{words} {_fmt(np.median(values), 0 if unit == 'l/min' else 1)} {unit}")
    return out


def _styled(clauses: list[str], style: str, rng: np.random.Generator) -> str:
    clauses = [c for c in clauses if c]
    if style == "plain":
        sentences = [c[0].upper() + c[1:] for c in clauses]
        return ". ".join(sentences) + "."
    joiner = _pick(rng, (", ", ". ", "; ", " - "))
    text = joiner.join(abbreviate(c) for c in clauses)
    text = re.sub(r"(\d) (mm/s|l/min|bar|C)\b", lambda m: m.group(1) + ("" if rng.random() < 0.5 else " ") + m.group(2), text)
    return text.upper() if style == "caps" else text.lower()
