"""The data that flows between the plant's three layers.

Truth (calendar, wear, maintenance) produces one :class:`AssetTruth` per asset. The observation
layer (sensors, vibration, quality, energy) turns it into what instruments report, and the record
layer (alarms, work orders) into what people write down. Defects are applied last, to observation
and record tables only, and every one is listed in the defect manifest.

All per-step arrays share the plant :class:`Timeline`: index ``i`` is the interval that starts at
``timeline.times_utc[i]`` and lasts ``timeline.step_minutes``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pandas as pd


class State(IntEnum):
    """What an asset is doing during one step."""

    OFF = 0  # no shift, weekend, holiday or shutdown: powered down
    IDLE = 1  # powered, in a shift, not cutting (set-up, waiting, warm-up)
    PRODUCING = 2  # running a recipe / delivering flow or air
    DOWN = 3  # stopped for maintenance or repair (planned or after a failure)


@dataclass(frozen=True)
class BearingGeometry:
    """Rolling-element bearing geometry; defect frequencies follow REFERENCE formulas."""

    designation: str
    n_balls: int
    ball_diameter_mm: float
    pitch_diameter_mm: float
    contact_angle_deg: float

    def _ratio(self) -> float:
        return self.ball_diameter_mm / self.pitch_diameter_mm * np.cos(np.radians(self.contact_angle_deg))

    def bpfo_order(self) -> float:
        """Outer-race defect frequency as a multiple of shaft speed."""
        return self.n_balls / 2 * (1 - self._ratio())

    def bpfi_order(self) -> float:
        """Inner-race defect frequency as a multiple of shaft speed."""
        return self.n_balls / 2 * (1 + self._ratio())

    def ftf_order(self) -> float:
        return 0.5 * (1 - self._ratio())

    def bsf_order(self) -> float:
        return self.pitch_diameter_mm / (2 * self.ball_diameter_mm) * (1 - self._ratio() * self._ratio())


@dataclass(frozen=True)
class FailureMode:
    """One way an asset kind fails. Physics parameters live in plantsim.assets."""

    name: str  # e.g. "spindle_bearing"
    component: str  # the part a technician replaces, e.g. "spindle bearing"
    mean_life_h: float  # mean operating hours from new to health 0 at nominal load
    wear_shape: float  # gamma-process shape per operating hour (lower = more erratic wear)
    load_exponent: float  # wear rate grows with load ** load_exponent
    hazard_base_per_h: float  # random failures at full health
    hazard_scale_per_h: float  # extra hazard as health falls ...
    hazard_exponent: float  # ... growing with (1 - health) ** hazard_exponent
    repair_hours: tuple[float, float]  # corrective repair duration range
    repair_cost_eur: tuple[float, float]  # corrective repair parts + labour range


@dataclass(frozen=True)
class AssetSpec:
    asset_id: str
    kind: str  # cnc | coolant_pump | conveyor | air_compressor
    line: str  # L1, L2, or UT (utilities)
    model: str
    rated_power_kw: float
    nominal_speed_rpm: float
    machine_class: str  # ISO 10816 / 20816 class: I, II, III or IV
    bearing: BearingGeometry
    failure_modes: tuple[FailureMode, ...]
    recipes: tuple[str, ...] = ()  # CNC only


@dataclass
class Timeline:
    """The plant clock and calendar, shared by every asset."""

    times_utc: pd.DatetimeIndex  # step start times, tz-aware UTC
    step_minutes: int
    timezone: str
    shift: np.ndarray  # per line: see shift_by_line
    shift_by_line: dict[str, np.ndarray]  # line -> int8 per step: 0 none, 1 early, 2 late, 3 night
    planned_stop: np.ndarray  # bool per step: holiday or shutdown (whole plant)

    @property
    def n_steps(self) -> int:
        return len(self.times_utc)

    @property
    def step_hours(self) -> float:
        return self.step_minutes / 60.0


SHIFT_NAMES = {0: "none", 1: "early", 2: "late", 3: "night"}


@dataclass
class MaintenanceEvent:
    """One intervention on an asset, as it really happened (truth)."""

    asset_id: str
    step: int  # step at which the asset went down (failure or start of the job)
    end_step: int  # first step the asset is back (exclusive end of the downtime)
    kind: str  # corrective | preventive | condition_based | tool_change
    mode: str | None  # failure mode concerned; None for a general preventive service
    health_before: float
    health_after: float
    cost_eur: float
    failure: bool  # True when the asset failed (corrective work follows)
    reason: str = ""  # why: e.g. planned_count, broken, wear_limit, schedule, inspection_finding


@dataclass
class AssetTruth:
    """Everything that really happened to one asset, step by step."""

    spec: AssetSpec
    state: np.ndarray  # int8 State per step
    load: np.ndarray  # float64 load fraction: 0 when off or down; CNC 0 idle, the cutting load when producing
                      # (recipe load, more with flank wear, held to the adaptive feed control's limit);
                      # pumps, conveyors and compressors 0.25-0.45 idle, more with the machines they serve
    speed_rpm: np.ndarray  # float64 shaft / spindle speed per step (0 when stopped)
    recipe: np.ndarray  # int8 index into the scenario's recipe list, -1 when not producing
    health: dict[str, np.ndarray]  # failure mode -> float64 health per step, 1 new, 0 failed
    events: list[MaintenanceEvent] = field(default_factory=list)
    tool_wear_mm: np.ndarray | None = None  # CNC only: flank wear VB of the boring insert
    tool_id: np.ndarray | None = None  # CNC only: running number of the insert in use
    ambient_c: np.ndarray | None = None  # hall temperature, float64 per step
    inspection: object | None = None  # plantsim.inspection.RoundNoise: the weekly rounds' reach and errors
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # kind-specific truth signals: on a CNC
                                                                # "feed_override", the adaptive control's share of the programmed feed


@dataclass
class Disturbance:
    """A plant-level upset that is not a component failure (truth)."""

    kind: str  # coolant_chiller_fault | air_supply_drop | fixture_loose | ...
    target: str  # a line (L1, L2) or an asset id
    start_step: int
    end_step: int  # exclusive
    magnitude: float  # kind-specific size (e.g. +K on coolant temperature)
    description: str
    asset_id: str | None = None  # the asset that caused it, where one did (the tripped compressor)


@dataclass(frozen=True)
class PlantSettings:
    """The scenario's physics and record-keeping knobs that the observation and record layers read.

    The defaults are the default plant's (datasets/plant/scenario.yml states every one of them);
    a scenario may leave a key out and gets the default.
    """

    gauge_sigma_um: float = 0.6  # in-process bore gauge: repeatability (1 sigma) before its 1 um resolution
    spindle_load_limit: float = 0.95  # CNC adaptive feed control: the spindle load it holds a cut to (share of S1 rating)
    zone_d_stop: bool = True  # a machine whose vibration reaches ISO 10816 zone D is stopped and the worn part replaced
    coolant_setpoint_c: float = 20.0  # each line's chiller holds its coolant tank at this temperature ...
    chiller_band_k: float = 1.0  # ... within about this many kelvin either way (chiller faults aside)
    porosity_spread: float = 0.5  # sigma of the log-normal porosity index of the casting lots (graded lots)
    certificate_error: float = 0.35  # log-normal sigma of the foundry certificate's porosity index
    cnc_ready_share: float = 0.25  # a machine tool's base load, ready to cut (share of its rating) ...
    cnc_cutting_peripherals_share: float = 0.08  # ... plus this while it cuts (chip conveyor, coolant, extraction) ...
    cnc_standby_share: float = 0.05  # ... and this off shift (controls, cabinet cooling, spindle chiller)
    compressed_air_leak_share: float = 0.25  # share of the compressors' output lost to leaks
    cbm_vibration_zone: str = "C"  # the weekly round finds a bearing whose vibration reading is in this ISO zone
    limit_head_loss_pct: float = 12.0  # ... an impeller whose pump has lost this share of its head
    limit_seal_leak_ml_h: float = 85.0  # ... a mechanical seal leaking this much
    limit_valve_leak_back_pct: float = 15.0  # ... a compressor valve leaking back this much in its test
    round_coverage: float = 0.9  # chance that the round reaches a machine in a given week
    lost_machine_hour_eur: float = 120.0  # production lost while a CNC stands in its shift, per hour
    scrapped_part_eur: float = 35.0  # a rejected housing: the blank and its machining


@dataclass
class PlantTruth:
    """The whole plant's truth layer: what the observation and record layers are made from."""

    timeline: Timeline
    assets: dict[str, AssetTruth]  # asset_id -> truth, in scenario order
    disturbances: list[Disturbance]
    material_lots: pd.DataFrame  # lot_id, line, supplier, received_date, valid_from(_step), porosity_index
                                 # (truth: > 1 is a porous lot; the trainee-facing table leaves it out)
    recipes: pd.DataFrame  # one row per recipe, columns as in the scenario
    seed: int
    settings: PlantSettings = field(default_factory=PlantSettings)
