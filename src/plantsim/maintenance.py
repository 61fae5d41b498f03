"""Maintenance policies and the life of one asset: wear, failures, repairs and tool changes.

The plant runs a mixed policy, as most plants do:
- fixed-interval preventive service per asset kind, done the first time the asset is off-shift after
  it falls due;
  a service is an imperfect repair that gives back only part of the lost health;
- condition-based work: a weekly inspection round finds a worn component with some probability once
  its health is low, and the component is replaced the next time the asset stands off-shift (an
  evening, a weekend or a holiday), unless it fails first: the gap between finding and failing is
  the P-F interval;
- corrective work after a failure: the asset is down for the repair and the component is new after;
- on CNC machines, tool changes after the programmed number of parts, early changes by an operator
  who sees the bores drift, and broken inserts.

The loop walks forward one event at a time, looking ahead a window of steps with vectorised numpy;
loops run only over assets and maintenance cycles.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plantsim import wear
from plantsim.assets import INSPECTION_MODES
from plantsim.model import AssetSpec, MaintenanceEvent, State, Timeline
from plantsim.scenario import Scenario

LOOKAHEAD_DAYS = 7
PREVENTIVE_HOURS = (3.0, 8.0)
PREVENTIVE_COST_EUR = {"cnc": (450.0, 900.0), "coolant_pump": (150.0, 300.0),
                       "conveyor": (120.0, 260.0), "air_compressor": (350.0, 700.0)}
CONDITION_BASED_SHARE_OF_REPAIR = 0.6  # planned replacement takes less time and money than a breakdown
INITIAL_WEAR = (0.05, 0.6)  # the plant is not new: components start part-way through their lives
TOOL_CHANGE_MINUTES = 5
OPERATOR_EARLY_CHANGE_SHARE = 0.3  # share of inserts that an attentive operator changes early
OPERATOR_EARLY_CHANGE_VB = (0.20, 0.25)
INSPECTION_WEEKDAY, INSPECTION_HOUR = 0, 8  # Monday 08:00 local, during the early shift


@dataclass
class ToolPlan:
    """Per recipe: tool life (h) at its cutting speed and the programmed parts per insert."""

    life_h: np.ndarray  # indexed by recipe index
    cycle_min: np.ndarray
    parts_per_insert: np.ndarray


def tool_plan(recipes: list, life_share: float) -> ToolPlan:
    life = np.array([wear.tool_life_hours(wear.cutting_speed_m_min(r.bore_nominal_mm, r.spindle_speed_rpm))
                     for r in recipes])
    cycle = np.array([r.cycle_time_min for r in recipes])
    return ToolPlan(life_h=life, cycle_min=cycle,
                    parts_per_insert=np.floor(life_share * life * 60.0 / cycle).astype(int))


def _next_index_where(mask: np.ndarray) -> np.ndarray:
    """For each step i, the first step j >= i where mask is true (len(mask) when none)."""
    n = len(mask)
    positions = np.where(mask, np.arange(n), n)
    return np.minimum.accumulate(positions[::-1])[::-1]


def _inspection_steps(timeline: Timeline) -> np.ndarray:
    local = timeline.times_utc.tz_convert(timeline.timezone)
    hits = (local.day_of_week == INSPECTION_WEEKDAY) & (local.hour == INSPECTION_HOUR) & (local.minute == 0)
    return np.flatnonzero(np.asarray(hits))


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def run_life(spec: AssetSpec, scenario: Scenario, timeline: Timeline, state: np.ndarray,
             load: np.ndarray, recipe: np.ndarray, rng: np.random.Generator
             ) -> tuple[dict[str, np.ndarray], list[MaintenanceEvent], np.ndarray | None, np.ndarray | None]:
    """Simulate one asset's components over the horizon.

    ``state`` is modified in place: maintenance and repairs become DOWN steps. Returns health per
    failure mode, the events, and for CNC machines the insert's flank wear and tool id per step.
    """
    n, dt_h = timeline.n_steps, timeline.step_hours
    is_cnc = spec.kind == "cnc"
    modes = [m for m in spec.failure_modes if m.name != "cutting_tool"]
    tool_mode = next((m for m in spec.failure_modes if m.name == "cutting_tool"), None)
    rotating = (state == State.PRODUCING) if is_cnc else (state != State.OFF)
    increments = {m.name: wear.wear_increments(m, load, rotating, dt_h, scenario.wear_speed_factor, rng) for m in modes}

    health = {m.name: np.ones(n) for m in modes}
    worn = {m.name: float(rng.uniform(*INITIAL_WEAR)) for m in modes}
    rate = {m.name: wear.lifetime_factor(rng) for m in modes}
    threshold = {m.name: float(rng.exponential()) for m in modes}  # failure when cumulative hazard passes it
    hazard_sum = {m.name: 0.0 for m in modes}
    pending_job: dict[str, int] = {}  # mode -> step of a planned condition-based replacement
    events: list[MaintenanceEvent] = []

    off_steps = state == State.OFF
    next_off = _next_index_where(off_steps)
    inspections = _inspection_steps(timeline)
    steps_per_day = int(round(24 / dt_h))
    interval_days = scenario.preventive_interval_days[spec.kind]
    if interval_days is None:
        pm_interval, pm_due = n, n  # preventive service turned off: never due
    else:
        pm_interval = int(interval_days * steps_per_day)
        # The fleet's services are staggered: each asset's first one falls due somewhere in its first interval.
        pm_due = int(rng.integers(0, pm_interval))

    if is_cnc:
        plan = tool_plan(list(scenario.recipes.values()), scenario.tool_change_life_share)
        vb = np.zeros(n)
        tool_ids = np.zeros(n, dtype=np.int32)
        tool = _new_tool(rng, tool_id=1)
        tool["life_used"] = float(rng.uniform(0.0, 0.5))

    window = LOOKAHEAD_DAYS * steps_per_day
    t = 0
    while t < n:
        end = min(n, t + window)
        operating = (state[t:end] == State.PRODUCING) if is_cnc else (state[t:end] != State.OFF) & (state[t:end] != State.DOWN)
        candidates: list[tuple[int, str, str | None]] = []  # (offset, what, mode)
        paths = {}
        for m in modes:
            path_wear = worn[m.name] + rate[m.name] * np.cumsum(increments[m.name][t:end] * operating)
            path_health = wear.health_from_wear(path_wear)
            path_hazard = hazard_sum[m.name] + np.cumsum(wear.hazard_per_hour(m, path_health) * dt_h * operating)
            paths[m.name] = (path_wear, path_health, path_hazard)
            failed = _first(((path_hazard >= threshold[m.name]) | (path_health <= 0.0)) & operating)
            if failed is not None:
                candidates.append((failed, "failure", m.name))
            if m.name in pending_job:
                # A job planned for a stop that another repair already used happens right after it.
                job = max(pending_job[m.name], t)
                if job < end:
                    candidates.append((job - t, "condition_based", m.name))
            elif m.name in INSPECTION_MODES:
                here = inspections[(inspections >= t) & (inspections < end)]
                if len(here):
                    low = path_health[here - t] < scenario.cbm_health_trigger
                    found = low & (rng.random(len(here)) < scenario.cbm_detection_probability)
                    if found.any():
                        candidates.append((int(here[np.argmax(found)] - t), "finding", m.name))
        pm_step = int(next_off[min(max(pm_due, t), n - 1)]) if pm_due < n else n
        if pm_step < end:
            candidates.append((pm_step - t, "preventive", None))
        if is_cnc:
            tool_path = _tool_path(tool, plan, recipe[t:end], operating, dt_h, timeline.step_minutes, tool_mode)
            for offset, what in tool_path["candidates"]:
                candidates.append((offset, what, "cutting_tool"))

        if not candidates:
            _commit(health, paths, worn, hazard_sum, t, end, end - t - 1)
            if is_cnc:
                _commit_tool(tool, tool_path, vb, tool_ids, t, end - t - 1)
            t = end
            continue

        offset, what, mode_name = min(candidates, key=lambda c: (c[0], c[1]))
        step = t + offset
        # Steps before the event run as looked ahead; the event's own step is spent down, not wearing.
        if offset > 0:
            _commit(health, paths, worn, hazard_sum, t, step, offset - 1)
            if is_cnc:
                _commit_tool(tool, tool_path, vb, tool_ids, t, offset - 1)
        if what == "finding":
            pending_job[mode_name] = int(next_off[step])
            t = step
            continue
        for m in modes:
            health[m.name][step] = wear.health_from_wear(worn[m.name])
        if is_cnc:
            vb[step] = wear.tool_wear_mm(tool["life_used"])
            tool_ids[step] = tool["tool_id"]

        if what in ("failure", "condition_based"):
            mode = next(m for m in modes if m.name == mode_name)
            share = 1.0 if what == "failure" else CONDITION_BASED_SHARE_OF_REPAIR
            hours = rng.uniform(*mode.repair_hours) * share
            cost = rng.uniform(*mode.repair_cost_eur) * share
            before = float(health[mode_name][step])
            worn[mode_name], rate[mode_name] = 0.0, wear.lifetime_factor(rng)
            threshold[mode_name], hazard_sum[mode_name] = float(rng.exponential()), 0.0
            pending_job.pop(mode_name, None)
            down_end = _go_down(state, step, hours, dt_h, n)
            events.append(MaintenanceEvent(spec.asset_id, step, down_end, "corrective" if what == "failure" else "condition_based",
                                           mode_name, before, 1.0, round(float(cost), 2), what == "failure",
                                           "breakdown" if what == "failure" else "inspection_finding"))
        elif what == "preventive":
            hours = rng.uniform(*PREVENTIVE_HOURS)
            cost = rng.uniform(*PREVENTIVE_COST_EUR[spec.kind])
            restored = {}
            for m in modes:
                worn[m.name] *= 1.0 - rng.uniform(*scenario.preventive_restore)
                restored[m.name] = float(wear.health_from_wear(worn[m.name]))
            lowest = min(modes, key=lambda m: health[m.name][step])
            down_end = _go_down(state, step, hours, dt_h, n)
            events.append(MaintenanceEvent(spec.asset_id, step, down_end, "preventive", None,
                                           float(health[lowest.name][step]), restored[lowest.name],
                                           round(float(cost), 2), False, "schedule"))
            pm_due = step + pm_interval
        else:  # tool events
            broken = what == "broken"
            hours = rng.uniform(*tool_mode.repair_hours) if broken else TOOL_CHANGE_MINUTES / 60.0
            cost = rng.uniform(*tool_mode.repair_cost_eur) if broken else 45.0
            down_end = _go_down(state, step, hours, dt_h, n)
            events.append(MaintenanceEvent(spec.asset_id, step, down_end, "corrective" if broken else "tool_change",
                                           "cutting_tool", float(max(0.0, 1.0 - vb[step] / wear.TOOL_VB_END_MM)), 1.0,
                                           round(float(cost), 2), broken, what))
            tool = _new_tool(rng, tool_id=tool["tool_id"] + 1)

        # Health holds still while the asset is down; the repaired state starts at down_end.
        for m in modes:
            health[m.name][step + 1:down_end] = health[m.name][step]
            if down_end < n:
                health[m.name][down_end] = wear.health_from_wear(worn[m.name])
        if is_cnc:
            vb[step + 1:down_end] = vb[step] if what not in ("broken", "planned_count", "quality") else 0.0
            tool_ids[step + 1:down_end] = tool["tool_id"] if what in ("broken", "planned_count", "quality") else tool_ids[step]
        t = down_end

    if is_cnc:
        return health, events, vb, tool_ids
    return health, events, None, None


def _go_down(state: np.ndarray, step: int, hours: float, dt_h: float, n: int) -> int:
    steps = max(1, int(round(hours / dt_h)))
    end = min(n, step + steps)
    state[step:end] = State.DOWN
    return end


def _commit(health, paths, worn, hazard_sum, t, stop, last_offset):
    """Write the looked-ahead health into place up to ``stop`` and carry the state forward."""
    for name, (path_wear, path_health, path_hazard) in paths.items():
        health[name][t:stop] = path_health[: stop - t]
        worn[name] = float(path_wear[last_offset])
        hazard_sum[name] = float(path_hazard[last_offset])


def _new_tool(rng: np.random.Generator, tool_id: int) -> dict:
    return {
        "tool_id": tool_id,
        "life_used": 0.0,
        "parts": 0.0,
        "life_factor": float(np.exp(rng.normal(-wear.TOOL_LIFE_SPREAD * wear.TOOL_LIFE_SPREAD / 2, wear.TOOL_LIFE_SPREAD))),  # mean 1
        "threshold": float(rng.exponential()),
        "hazard": 0.0,
        "early_vb": float(rng.uniform(*OPERATOR_EARLY_CHANGE_VB)) if rng.random() < OPERATOR_EARLY_CHANGE_SHARE else None,
    }


def _tool_path(tool: dict, plan: ToolPlan, recipe: np.ndarray, producing: np.ndarray, dt_h: float,
               step_minutes: int, mode) -> dict:
    cutting = producing & (recipe >= 0)
    r = np.maximum(recipe, 0)
    life_used = tool["life_used"] + np.cumsum(np.where(cutting, dt_h / (plan.life_h[r] * tool["life_factor"]), 0.0))
    # Parts counted against each recipe's programmed count: a share of the programmed life per part.
    parts_share = tool["parts"] + np.cumsum(np.where(cutting, step_minutes / plan.cycle_min[r] / plan.parts_per_insert[r], 0.0))
    vb = wear.tool_wear_mm(life_used)
    hazard = tool["hazard"] + np.cumsum(wear.tool_breakage_hazard_per_hour(vb, mode) * dt_h * cutting)
    candidates = []
    broken = _first((hazard >= tool["threshold"]) & cutting)
    if broken is not None:
        candidates.append((broken, "broken"))
    planned = _first((parts_share >= 1.0) & cutting)
    if planned is not None:
        candidates.append((planned, "planned_count"))
    if tool["early_vb"] is not None:
        early = _first((vb >= tool["early_vb"]) & cutting)
        if early is not None:
            candidates.append((early, "quality"))
    return {"life_used": life_used, "parts": parts_share, "vb": vb, "hazard": hazard, "candidates": candidates}


def _commit_tool(tool: dict, path: dict, vb: np.ndarray, tool_ids: np.ndarray, t: int, last_offset: int) -> None:
    stop = t + last_offset + 1
    vb[t:stop] = path["vb"][: last_offset + 1]
    tool_ids[t:stop] = tool["tool_id"]
    tool["life_used"] = float(path["life_used"][last_offset])
    tool["parts"] = float(path["parts"][last_offset])
    tool["hazard"] = float(path["hazard"][last_offset])
