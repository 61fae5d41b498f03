"""Loading and validating a plant scenario (the YAML file a plant is generated from).

Every error names the file and the key, so a wrong scenario is fixed in one look.

Besides the plant itself (calendar, lines, recipes, assets, maintenance, materials, wear), a
scenario may say how the plant's historian keeps the telemetry (its optional ``historian:`` section,
:class:`HistorianSettings`: from which day it stores a reading only when it moves by more than a
deadband, and how often it stores one anyway), and it may tell the plant's *story* (its optional ``story:`` section, :class:`Story`): the
machine and week of the historian export a lesson starts from, the machines whose clocks stay
right, and the phenomena a lesson relies on, such as a vibration dropout in that week. The
simulator and the defect layer make every declared event happen, whatever the seed; the course
reads the same declarations instead of repeating machine names.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plantsim.model import PlantSettings

ASSET_KINDS = ("cnc", "coolant_pump", "conveyor", "air_compressor")
SHIFT_NAMES = ("early", "late", "night")
UTILITY_LINE = "UT"

# The telemetry columns each asset kind has a sensor for (see plantsim.sensors.telemetry), so a
# story event on a sensor the machine does not have is caught when the scenario is read.
SENSORS_BY_KIND: dict[str, tuple[str, ...]] = {
    "cnc": ("power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "spindle_temp_c", "coolant_temp_c"),
    "coolant_pump": ("power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "coolant_temp_c",
                     "flow_l_min", "pressure_bar"),
    "conveyor": ("power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c"),
    "air_compressor": ("power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c", "pressure_bar",
                       "discharge_temp_c"),
}
# Story events the plant knows how to make happen, and what each does (the defect of that name).
STORY_EVENT_KINDS = {
    "dropout": "the sensor reports nothing for a few hours, with 0.0 written at the edges of the gap",
    "zero_value": "a run of exact 0.0 readings while the machine runs",
}
# The telemetry tags a historian deadband may be set for: the numeric columns of the telemetry table.
HISTORIAN_TAGS = ("speed_rpm", "load_pct", "power_kw", "motor_current_a", "vibration_rms_mm_s", "bearing_temp_c",
                  "spindle_temp_c", "coolant_temp_c", "flow_l_min", "pressure_bar", "discharge_temp_c")
HISTORIAN_EXPORT = "historian_export"  # the name a story event's `during` uses for the export's week
# A story event starts at least this long before its window ends, so that it lies inside it whole.
STORY_EVENT_MAX_HOURS = 12.0


class ScenarioError(ValueError):
    """A scenario file that cannot be simulated; the message names the file and the key."""


@dataclass(frozen=True)
class Recipe:
    name: str
    bore_nominal_mm: float
    bore_tolerance_um: tuple[float, float]
    spindle_speed_rpm: float
    spindle_load: float
    cycle_time_min: float
    roughness_base_um: float


@dataclass(frozen=True)
class AssetEntry:
    asset_id: str
    kind: str
    line: str
    model: str
    rated_power_kw: float
    recipes: tuple[str, ...]


@dataclass(frozen=True)
class HistorianExport:
    """The historian export a lesson starts from: one machine's raw telemetry for ``days`` days
    from local midnight of ``start``, as IT would hand it over (:mod:`plantsim.historian`)."""

    asset: str
    start: dt.date
    days: int

    @property
    def start_local(self) -> str:
        """The first local moment, as :func:`plantsim.historian.export_csv` takes it."""
        return f"{self.start:%Y-%m-%d} 00:00:00"

    @property
    def file_name(self) -> str:
        """The name the export is kept under next to the scenario: ``historian_<asset>_<start>.csv``."""
        return f"historian_{self.asset}_{self.start:%Y-%m-%d}.csv"


@dataclass(frozen=True)
class StoryEvent:
    """A phenomenon a lesson relies on, guaranteed in every plant of the scenario.

    ``kind`` is one of :data:`STORY_EVENT_KINDS`; it happens to ``column`` of ``asset`` for a
    random length between ``hours`` while the machine runs, at a random time within ``window``
    (first and last local day, inclusive). ``key`` is where it was declared (``story.events[0]``).
    """

    kind: str
    asset: str
    column: str
    window: tuple[dt.date, dt.date]
    hours: tuple[float, float]
    key: str = ""


@dataclass(frozen=True)
class HistorianSettings:
    """How the historian keeps the telemetry (the scenario's ``historian:`` section; :mod:`plantsim.historian`).

    From local midnight of ``store_on_change_from`` it stores a tag's reading only when it has moved
    by more than the tag's ``deadband`` (in the tag's unit) from the last stored one, and at every
    heartbeat, a clock time that is a whole multiple of ``heartbeat_minutes``. Without the section (or
    with no day) it keeps every reading.
    """

    store_on_change_from: dt.date | None = None
    heartbeat_minutes: int = 60
    deadband: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DefectSettings:
    """The numbers of the dirt in the raw tables that are choices (the scenario's ``defects:`` section;
    :mod:`plantsim.defects`). The defaults are the default plant's."""

    stuck_per_group: int = 2  # stuck sensors per group of assets
    stuck_hours: tuple[float, float] = (2.0, 120.0)  # how long a sensor stays frozen (log-uniform)
    stuck_at_rest_share: float = 0.5  # share of stuck sensors that freeze while their machine rests
    zero_on_real_zero_share: float = 0.75  # share of dropouts and zero runs on a tag that reads 0 at rest
    spike_bursts_per_group: int = 2  # bursts of single wild readings per group of assets
    spike_in_range_share: float = 0.5  # share of the bursts whose readings stay within the sensor's normal range
    spike_in_range_size: tuple[float, float] = (0.15, 0.4)  # how far such a reading moves, as a share of that range


@dataclass(frozen=True)
class Story:
    """The plant's story (the scenario's ``story:`` section); empty when the scenario tells none."""

    source: str = ""
    historian_export: HistorianExport | None = None
    clock_right: tuple[str, ...] = ()  # machines no clock defect touches (PLC clock skew, missed summer time)
    events: tuple[StoryEvent, ...] = ()


@dataclass(frozen=True)
class Scenario:
    source: str  # the file it came from, for messages
    name: str
    timezone: str
    start: dt.date
    days: int
    step_minutes: int
    seed: int
    shift_hours: dict[str, tuple[dt.time, dt.time]]
    holidays: tuple[dt.date, ...]
    shutdowns: tuple[tuple[dt.date, dt.date], ...]
    line_shifts: dict[str, tuple[str, ...]]
    line_saturday_shifts: dict[str, tuple[str, ...]]
    recipes: dict[str, Recipe]
    assets: tuple[AssetEntry, ...]
    preventive_interval_days: dict[str, float | None]  # None: no preventive service for that kind
    preventive_restore: tuple[float, float]
    tool_change_life_share: float
    lot_size_parts: int
    bad_lot_probability: float
    wear_speed_factor: float
    initial_wear: tuple[float, float] = (0.05, 0.6)  # each component's wear when the records start
    run_in_days: int = 0  # components neither wear nor fail in the first days of the records
    story: Story = Story()
    historian: HistorianSettings = HistorianSettings()
    defects: DefectSettings = DefectSettings()
    settings: PlantSettings = PlantSettings()  # optional sections: quality, ...

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days)

    def with_seed(self, seed: int) -> "Scenario":
        from dataclasses import replace

        return replace(self, seed=int(seed))


# The allowed keys at each level; anything else is a typo that would silently do nothing.
_SCHEMA: dict[str, tuple[str, ...]] = {
    "": ("plant", "calendar", "lines", "recipes", "assets", "maintenance", "materials", "wear", "historian", "defects",
         "story", "quality", "machining", "coolant", "energy", "costs"),
    "plant": ("name", "timezone", "start", "days", "step_minutes", "seed"),
    "calendar": ("shifts", "holidays", "shutdowns"),
    "line": ("shifts", "saturday_shifts"),
    "recipe": ("bore_nominal_mm", "bore_tolerance_um", "spindle_speed_rpm", "spindle_load",
               "cycle_time_min", "roughness_base_um"),
    "asset": ("id", "kind", "line", "model", "rated_power_kw", "recipes"),
    "maintenance": ("preventive_interval_days", "condition_based", "preventive_restore", "tool_change_life_share",
                    "zone_d_stop"),
    "condition_based": ("vibration_zone", "head_loss_pct", "seal_leak_ml_h", "valve_leak_back_pct", "round_coverage"),
    "materials": ("lot_size_parts", "bad_lot_probability", "porosity_spread", "certificate_error"),
    "wear": ("speed_factor", "initial_wear", "run_in_days"),
    "historian": ("store_on_change_from", "heartbeat_minutes", "deadband"),
    "deadband": HISTORIAN_TAGS,
    "defects": ("stuck_per_group", "stuck_hours", "stuck_at_rest_share", "zero_on_real_zero_share",
                "spike_bursts_per_group", "spike_in_range_share", "spike_in_range_size"),
    "story": ("historian_export", "clock_right", "events"),
    "historian_export": ("asset", "start", "days"),
    "story_event": ("kind", "asset", "column", "during", "hours"),
    "quality": ("gauge_sigma_um",),
    "machining": ("spindle_load_limit",),
    "coolant": ("setpoint_c", "chiller_band_k"),
    "costs": ("lost_machine_hour_eur", "scrapped_part_eur"),
    "energy": ("cnc_ready_share", "cnc_cutting_peripherals_share", "cnc_standby_share", "compressed_air_leak_share"),
}
# Sections a scenario may leave out: their keys take the default plant's values.
_OPTIONAL_SECTIONS = ("quality", "machining", "coolant", "energy", "costs", "historian", "defects", "story")
# Keys of earlier scenarios that mean something else now, with what to write instead.
_REPLACED = {
    "maintenance.condition_based.health_trigger":
        "is gone: the inspection acts on its readings, not on the hidden health; set their limits "
        "(vibration_zone, head_loss_pct, seal_leak_ml_h, valve_leak_back_pct) instead",
    "maintenance.condition_based.detection_probability":
        "is gone: a reading past its limit is a finding; round_coverage is the chance that the round "
        "reaches a machine",
}


class _Reader:
    """Walks the parsed YAML and raises ScenarioError with file and key path."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: '{key}' {problem}")

    def mapping(self, value: Any, key: str, schema: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key or "(top level)", "must be a mapping of keys to values")
        allowed = _SCHEMA[schema]
        for k in value:
            if k not in allowed:
                where = f"{key}.{k}" if key else str(k)
                if where in _REPLACED:
                    raise self.fail(where, _REPLACED[where])
                raise self.fail(where, f"is not a known key here (known: {', '.join(allowed)})")
        return value

    def require(self, mapping: dict, key: str, path: str) -> Any:
        if key not in mapping:
            raise self.fail(f"{path}.{key}" if path else key, "is missing")
        return mapping[key]

    def number(self, value: Any, key: str, *, positive: bool = True, low: float | None = None,
               high: float | None = None, integer: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"must be a number, not {value!r}")
        if integer and int(value) != value:
            raise self.fail(key, f"must be a whole number, not {value!r}")
        if positive and value <= 0:
            raise self.fail(key, f"must be positive, not {value!r}")
        if low is not None and value < low:
            raise self.fail(key, f"must be at least {low}, not {value!r}")
        if high is not None and value > high:
            raise self.fail(key, f"must be at most {high}, not {value!r}")
        return int(value) if integer else float(value)

    def date(self, value: Any, key: str) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"must be a date like 2025-01-31, not {value!r}") from None

    def clock(self, value: Any, key: str) -> dt.time:
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"must be a time like 06:00, not {value!r}") from None

    def names(self, value: Any, key: str, allowed: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        for item in value:
            if item not in allowed:
                raise self.fail(key, f"names '{item}', which is not one of: {', '.join(allowed)}")
        return tuple(value)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: not valid YAML ({error})") from None
    return parse_scenario(raw, source=str(path))


def parse_scenario(raw: Any, source: str = "<scenario>") -> Scenario:
    r = _Reader(source)
    top = r.mapping(raw, "", "")
    for section in _SCHEMA[""]:
        if section not in _OPTIONAL_SECTIONS:
            r.require(top, section, "")

    plant = r.mapping(top["plant"], "plant", "plant")
    timezone = str(r.require(plant, "timezone", "plant"))
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise r.fail("plant.timezone", f"is not a known time zone: {timezone!r}") from None
    start = r.date(r.require(plant, "start", "plant"), "plant.start")
    days = r.number(r.require(plant, "days", "plant"), "plant.days", integer=True)
    if days < 7:
        raise r.fail("plant.days", f"must cover at least one week (7 days), not {days}")
    step = r.number(r.require(plant, "step_minutes", "plant"), "plant.step_minutes", integer=True)
    if 15 % step != 0:
        raise r.fail("plant.step_minutes", f"must divide 15 (energy is metered per 15 minutes), not {step}")
    seed = r.number(r.require(plant, "seed", "plant"), "plant.seed", positive=False, low=0, integer=True)

    calendar = r.mapping(top["calendar"], "calendar", "calendar")
    shifts_raw = r.require(calendar, "shifts", "calendar")
    if not isinstance(shifts_raw, dict) or set(shifts_raw) != set(SHIFT_NAMES):
        raise r.fail("calendar.shifts", f"must define exactly the shifts {', '.join(SHIFT_NAMES)}")
    shift_hours = {}
    for name, span in shifts_raw.items():
        if not isinstance(span, list) or len(span) != 2:
            raise r.fail(f"calendar.shifts.{name}", "must be [start, end] like ['06:00', '14:00']")
        shift_hours[name] = (r.clock(span[0], f"calendar.shifts.{name}"), r.clock(span[1], f"calendar.shifts.{name}"))
    end = start + dt.timedelta(days=days)
    holidays = tuple(r.date(d, "calendar.holidays") for d in calendar.get("holidays", []) or [])
    shutdowns = []
    for i, span in enumerate(calendar.get("shutdowns", []) or []):
        key = f"calendar.shutdowns[{i}]"
        if not isinstance(span, list) or len(span) != 2:
            raise r.fail(key, "must be [first_day, last_day]")
        first, last = r.date(span[0], key), r.date(span[1], key)
        if last < first:
            raise r.fail(key, f"ends ({last}) before it starts ({first})")
        if first < start or last >= end:
            raise r.fail(key, f"lies outside the simulated time range {start} to {end - dt.timedelta(days=1)}")
        shutdowns.append((first, last))

    lines_raw = top["lines"]
    if not isinstance(lines_raw, dict) or not lines_raw:
        raise r.fail("lines", "must name at least one production line")
    line_shifts, line_saturday = {}, {}
    for line, spec in lines_raw.items():
        spec = r.mapping(spec, f"lines.{line}", "line")
        line_shifts[line] = r.names(r.require(spec, "shifts", f"lines.{line}"), f"lines.{line}.shifts", SHIFT_NAMES)
        line_saturday[line] = r.names(spec.get("saturday_shifts", []) or [], f"lines.{line}.saturday_shifts", SHIFT_NAMES)

    recipes_raw = top["recipes"]
    if not isinstance(recipes_raw, dict) or not recipes_raw:
        raise r.fail("recipes", "must define at least one recipe")
    recipes = {}
    for name, spec in recipes_raw.items():
        key = f"recipes.{name}"
        spec = r.mapping(spec, key, "recipe")
        for field in _SCHEMA["recipe"]:
            r.require(spec, field, key)
        tolerance = spec["bore_tolerance_um"]
        if not isinstance(tolerance, list) or len(tolerance) != 2 or tolerance[1] <= tolerance[0]:
            raise r.fail(f"{key}.bore_tolerance_um", "must be [lower, upper] in um with upper > lower")
        recipes[name] = Recipe(
            name=name,
            bore_nominal_mm=r.number(spec["bore_nominal_mm"], f"{key}.bore_nominal_mm"),
            bore_tolerance_um=(float(tolerance[0]), float(tolerance[1])),
            spindle_speed_rpm=r.number(spec["spindle_speed_rpm"], f"{key}.spindle_speed_rpm", high=30000),
            spindle_load=r.number(spec["spindle_load"], f"{key}.spindle_load", high=1.0),
            cycle_time_min=r.number(spec["cycle_time_min"], f"{key}.cycle_time_min"),
            roughness_base_um=r.number(spec["roughness_base_um"], f"{key}.roughness_base_um"),
        )

    assets_raw = top["assets"]
    if not isinstance(assets_raw, list) or not assets_raw:
        raise r.fail("assets", "must list at least one asset")
    assets, seen = [], set()
    for i, spec in enumerate(assets_raw):
        key = f"assets[{i}]"
        spec = r.mapping(spec, key, "asset")
        for field in ("id", "kind", "line", "model", "rated_power_kw"):
            r.require(spec, field, key)
        asset_id = str(spec["id"])
        key = f"assets[{i}] ({asset_id})"
        if asset_id in seen:
            raise r.fail(key, "repeats an asset id; ids must be unique")
        seen.add(asset_id)
        if spec["kind"] not in ASSET_KINDS:
            raise r.fail(f"{key}.kind", f"must be one of {', '.join(ASSET_KINDS)}, not {spec['kind']!r}")
        if spec["line"] not in line_shifts and spec["line"] != UTILITY_LINE:
            raise r.fail(f"{key}.line", f"names '{spec['line']}', which is not a line in 'lines' (or {UTILITY_LINE} for utilities)")
        asset_recipes = r.names(spec.get("recipes", []) or [], f"{key}.recipes", list(recipes))
        if spec["kind"] == "cnc" and not asset_recipes:
            raise r.fail(f"{key}.recipes", "must list at least one recipe for a CNC machine")
        if spec["kind"] == "cnc" and spec["line"] == UTILITY_LINE:
            raise r.fail(f"{key}.line", "a CNC machine must stand on a production line")
        assets.append(AssetEntry(
            asset_id=asset_id, kind=spec["kind"], line=spec["line"], model=str(spec["model"]),
            rated_power_kw=r.number(spec["rated_power_kw"], f"{key}.rated_power_kw", high=1000),
            recipes=asset_recipes,
        ))
    if not any(a.kind == "cnc" for a in assets):
        raise r.fail("assets", "must include at least one cnc machine (parts come from them)")

    maintenance = r.mapping(top["maintenance"], "maintenance", "maintenance")
    intervals_raw = r.require(maintenance, "preventive_interval_days", "maintenance")
    if not isinstance(intervals_raw, dict):
        raise r.fail("maintenance.preventive_interval_days", "must map asset kinds to days")
    intervals = {}
    for kind in ASSET_KINDS:
        if kind not in intervals_raw:
            raise r.fail(f"maintenance.preventive_interval_days.{kind}", "is missing")
        value = intervals_raw[kind]
        # YAML reads a bare `off` as false; a quoted "off" arrives as text. Both mean no preventive service.
        if value is False or value == "off":
            intervals[kind] = None
        elif value is True or not isinstance(value, (int, float)):
            raise r.fail(f"maintenance.preventive_interval_days.{kind}",
                         f"must be a number of days, or off for no preventive service, not {value!r}")
        else:
            intervals[kind] = r.number(value, f"maintenance.preventive_interval_days.{kind}")
    for kind in intervals_raw:
        if kind not in ASSET_KINDS:
            raise r.fail(f"maintenance.preventive_interval_days.{kind}", f"is not an asset kind ({', '.join(ASSET_KINDS)})")
    r.mapping(r.require(maintenance, "condition_based", "maintenance") or {}, "maintenance.condition_based", "condition_based")
    restore = r.require(maintenance, "preventive_restore", "maintenance")
    if not isinstance(restore, list) or len(restore) != 2:
        raise r.fail("maintenance.preventive_restore", "must be [lowest, highest] share of lost health restored")
    restore_lo = r.number(restore[0], "maintenance.preventive_restore", positive=False, low=0, high=1)
    restore_hi = r.number(restore[1], "maintenance.preventive_restore", positive=False, low=0, high=1)
    if restore_hi < restore_lo:
        raise r.fail("maintenance.preventive_restore", "must be [lowest, highest] with lowest <= highest")

    materials = r.mapping(top["materials"], "materials", "materials")
    wear = r.mapping(top["wear"], "wear", "wear")
    initial = wear.get("initial_wear", [0.05, 0.6])
    if not isinstance(initial, list) or len(initial) != 2:
        raise r.fail("wear.initial_wear", "must be [lowest, highest], each between 0 and 1")
    initial_lo = r.number(initial[0], "wear.initial_wear", positive=False, low=0, high=1)
    initial_hi = r.number(initial[1], "wear.initial_wear", positive=False, low=0, high=1)
    if initial_hi < initial_lo:
        raise r.fail("wear.initial_wear", "must be [lowest, highest] with lowest <= highest")
    settings = _settings(r, top)
    for name, recipe in recipes.items():
        if recipe.spindle_load > settings.spindle_load_limit:
            raise r.fail(f"recipes.{name}.spindle_load",
                         f"({recipe.spindle_load:g}) is above machining.spindle_load_limit ({settings.spindle_load_limit:g}): "
                         "the adaptive feed control would throttle even a new insert; lower the load or raise the limit")

    return Scenario(
        source=source,
        name=str(r.require(plant, "name", "plant")),
        timezone=timezone,
        start=start,
        days=days,
        step_minutes=step,
        seed=seed,
        shift_hours=shift_hours,
        holidays=holidays,
        shutdowns=tuple(shutdowns),
        line_shifts=line_shifts,
        line_saturday_shifts=line_saturday,
        recipes=recipes,
        assets=tuple(assets),
        preventive_interval_days=intervals,
        preventive_restore=(restore_lo, restore_hi),
        tool_change_life_share=r.number(r.require(maintenance, "tool_change_life_share", "maintenance"),
                                        "maintenance.tool_change_life_share", high=1.5),
        lot_size_parts=r.number(r.require(materials, "lot_size_parts", "materials"), "materials.lot_size_parts", integer=True),
        bad_lot_probability=r.number(r.require(materials, "bad_lot_probability", "materials"),
                                     "materials.bad_lot_probability", positive=False, low=0, high=1),
        wear_speed_factor=r.number(r.require(wear, "speed_factor", "wear"), "wear.speed_factor", high=100),
        initial_wear=(initial_lo, initial_hi),
        run_in_days=r.number(wear.get("run_in_days", 0), "wear.run_in_days", positive=False, low=0,
                             high=days, integer=True),
        story=parse_story(r, top.get("story"), assets, start, end) if "story" in top else Story(source=source),
        historian=parse_historian(r, top["historian"], step) if "historian" in top else HistorianSettings(),
        defects=parse_defects(r, top["defects"]) if "defects" in top else DefectSettings(),
        settings=settings,
    )


def parse_defects(r: _Reader, raw: Any) -> DefectSettings:
    """The ``defects:`` section: each key optional (the default plant's value), each in a range that
    keeps the dirt something a lesson can find."""
    spec = r.mapping(raw, "defects", "defects")
    default = DefectSettings()

    def span(key: str, low: float, high: float) -> tuple[float, float]:
        value = spec.get(key, list(getattr(default, key)))
        if not isinstance(value, list) or len(value) != 2:
            raise r.fail(f"defects.{key}", "must be [shortest, longest]")
        first = r.number(value[0], f"defects.{key}", low=low, high=high)
        last = r.number(value[1], f"defects.{key}", low=low, high=high)
        if last < first:
            raise r.fail(f"defects.{key}", "must be [shortest, longest] with shortest <= longest")
        return first, last

    def share(key: str) -> float:
        return r.number(spec.get(key, getattr(default, key)), f"defects.{key}", positive=False, low=0, high=1)

    return DefectSettings(
        stuck_per_group=r.number(spec.get("stuck_per_group", default.stuck_per_group), "defects.stuck_per_group",
                                 positive=False, low=0, high=10, integer=True),
        stuck_hours=span("stuck_hours", 0.25, 24 * 14),
        stuck_at_rest_share=share("stuck_at_rest_share"),
        zero_on_real_zero_share=share("zero_on_real_zero_share"),
        spike_bursts_per_group=r.number(spec.get("spike_bursts_per_group", default.spike_bursts_per_group),
                                        "defects.spike_bursts_per_group", positive=False, low=0, high=10, integer=True),
        spike_in_range_share=share("spike_in_range_share"),
        spike_in_range_size=span("spike_in_range_size", 0.05, 0.5),
    )


def parse_historian(r: _Reader, raw: Any, step_minutes: int) -> HistorianSettings:
    """The ``historian:`` section: a day, a heartbeat that falls on whole steps at the same clock
    times every day, a deadband of zero or more per tag."""
    spec = r.mapping(raw, "historian", "historian")
    # Any day: one after the records end keeps every reading (a short what-if plant of the default
    # scenario), one before they start stores on change throughout.
    since = None
    if spec.get("store_on_change_from") is not None:
        since = r.date(spec["store_on_change_from"], "historian.store_on_change_from")
    heartbeat = r.number(spec.get("heartbeat_minutes", 60), "historian.heartbeat_minutes", integer=True, high=1440)
    if heartbeat % step_minutes or 1440 % heartbeat:
        raise r.fail("historian.heartbeat_minutes", f"must be a whole number of steps ({step_minutes} min) that "
                                                    f"divides a day (1440 min), not {heartbeat}")
    bands = r.mapping(spec.get("deadband", {}) or {}, "historian.deadband", "deadband")
    deadband = {tag: r.number(value, f"historian.deadband.{tag}", positive=False, low=0) for tag, value in bands.items()}
    if since is not None and not deadband:
        raise r.fail("historian.deadband", "is needed when store_on_change_from is set: a deadband per tag it "
                                           "stores on change")
    return HistorianSettings(since, heartbeat, deadband)


def parse_story(r: _Reader, raw: Any, assets: list[AssetEntry], start: dt.date, end: dt.date) -> Story:
    """The ``story:`` section, checked against the plant: known machines, sensors they have, days
    inside the simulated range."""
    story = r.mapping(raw, "story", "story")
    kinds = {a.asset_id: a.kind for a in assets}

    def known_asset(value: Any, key: str) -> str:
        if str(value) not in kinds:
            raise r.fail(key, f"names '{value}', which is not an asset in 'assets'")
        return str(value)

    def inside(first: dt.date, last: dt.date, key: str) -> None:
        if last < first:
            raise r.fail(key, f"ends ({last}) before it starts ({first})")
        if first < start or last >= end:
            raise r.fail(key, f"lies outside the simulated time range {start} to {end - dt.timedelta(days=1)}")

    export = None
    if "historian_export" in story:
        key = "story.historian_export"
        spec = r.mapping(story["historian_export"], key, "historian_export")
        asset = known_asset(r.require(spec, "asset", key), f"{key}.asset")
        first = r.date(r.require(spec, "start", key), f"{key}.start")
        days = r.number(r.require(spec, "days", key), f"{key}.days", integer=True)
        inside(first, first + dt.timedelta(days=days - 1), key)
        export = HistorianExport(asset, first, days)

    clock_right = story.get("clock_right", []) or []
    if not isinstance(clock_right, list):
        raise r.fail("story.clock_right", "must be a list of asset ids")
    clock_right = tuple(known_asset(a, "story.clock_right") for a in clock_right)

    events_raw = story.get("events", []) or []
    if not isinstance(events_raw, list):
        raise r.fail("story.events", "must be a list of events")
    events = []
    for i, spec in enumerate(events_raw):
        key = f"story.events[{i}]"
        spec = r.mapping(spec, key, "story_event")
        for field in _SCHEMA["story_event"]:
            r.require(spec, field, key)
        kind = spec["kind"]
        if kind not in STORY_EVENT_KINDS:
            raise r.fail(f"{key}.kind", f"must be one of {', '.join(STORY_EVENT_KINDS)}, not {kind!r}")
        asset = known_asset(spec["asset"], f"{key}.asset")
        column = spec["column"]
        if column not in SENSORS_BY_KIND[kinds[asset]]:
            raise r.fail(f"{key}.column", f"names '{column}', which a {kinds[asset]} has no sensor for "
                                          f"(it has: {', '.join(SENSORS_BY_KIND[kinds[asset]])})")
        during = spec["during"]
        if during == HISTORIAN_EXPORT:
            if export is None:
                raise r.fail(f"{key}.during", "names the historian export, but the story declares none (story.historian_export)")
            window = (export.start, export.start + dt.timedelta(days=export.days - 1))
        elif isinstance(during, list) and len(during) == 2:
            window = (r.date(during[0], f"{key}.during"), r.date(during[1], f"{key}.during"))
            inside(*window, f"{key}.during")
        else:
            raise r.fail(f"{key}.during", f"must be {HISTORIAN_EXPORT} or [first_day, last_day]")
        hours = spec["hours"]
        if not isinstance(hours, list) or len(hours) != 2:
            raise r.fail(f"{key}.hours", "must be [shortest, longest] in hours")
        low = r.number(hours[0], f"{key}.hours")
        high = r.number(hours[1], f"{key}.hours", high=STORY_EVENT_MAX_HOURS)
        if high < low:
            raise r.fail(f"{key}.hours", "must be [shortest, longest] with shortest <= longest")
        events.append(StoryEvent(kind, asset, column, window, (low, high), key))
    return Story(r.source, export, clock_right, tuple(events))


def _settings(r: _Reader, top: dict) -> PlantSettings:
    """The optional sections' knobs, each checked against the range a real plant could have."""
    default = PlantSettings()
    quality = r.mapping(top.get("quality") or {}, "quality", "quality")
    gauge = r.number(quality.get("gauge_sigma_um", default.gauge_sigma_um), "quality.gauge_sigma_um", high=10)
    machining = r.mapping(top.get("machining") or {}, "machining", "machining")
    # Below half the rating a spindle would be oversized for its cuts; above 1 the continuous load
    # would exceed the S1 rating the control is there to protect.
    limit = r.number(machining.get("spindle_load_limit", default.spindle_load_limit), "machining.spindle_load_limit",
                     low=0.5, high=1.0)
    maintenance = top.get("maintenance") or {}
    zone_d_stop = maintenance.get("zone_d_stop", default.zone_d_stop)
    if not isinstance(zone_d_stop, bool):
        raise r.fail("maintenance.zone_d_stop", f"must be true (a machine in ISO 10816 zone D is stopped) or false "
                     f"(it runs on), not {zone_d_stop!r}")
    coolant = r.mapping(top.get("coolant") or {}, "coolant", "coolant")
    # Machining coolant is run between about 15 and 30 degC; a chiller that cannot hold 5 K is broken.
    setpoint = r.number(coolant.get("setpoint_c", default.coolant_setpoint_c), "coolant.setpoint_c", low=15, high=30)
    band = r.number(coolant.get("chiller_band_k", default.chiller_band_k), "coolant.chiller_band_k", high=5)
    materials = top.get("materials") or {}
    # A spread of 0.1 makes every lot alike; beyond 1.5 a lot could be a hundred times as porous as another.
    spread = r.number(materials.get("porosity_spread", default.porosity_spread), "materials.porosity_spread",
                      low=0.1, high=1.5)
    certificate = r.number(materials.get("certificate_error", default.certificate_error), "materials.certificate_error",
                           positive=False, low=0, high=2)
    energy = r.mapping(top.get("energy") or {}, "energy", "energy")
    base = {}
    for key in ("cnc_ready_share", "cnc_cutting_peripherals_share", "cnc_standby_share"):
        # A base load is a share of the machine's rating: none at all, or at most half of it.
        base[key] = r.number(energy.get(key, getattr(default, key)), f"energy.{key}", positive=False, low=0, high=0.5)
    if base["cnc_standby_share"] > base["cnc_ready_share"]:
        raise r.fail("energy.cnc_standby_share", f"({base['cnc_standby_share']:g}) is above energy.cnc_ready_share "
                     f"({base['cnc_ready_share']:g}): a machine on standby draws less than one ready to cut")
    leak = r.number(energy.get("compressed_air_leak_share", default.compressed_air_leak_share),
                    "energy.compressed_air_leak_share", positive=False, low=0, high=0.6)
    cbm = maintenance.get("condition_based") or {}
    zone = cbm.get("vibration_zone", default.cbm_vibration_zone)
    if zone not in ("B", "C", "D"):
        raise r.fail("maintenance.condition_based.vibration_zone",
                     f"must be the ISO 10816 zone whose readings are a finding: B, C or D, not {zone!r}")
    limits = {}
    for key, setting in (("head_loss_pct", "limit_head_loss_pct"), ("seal_leak_ml_h", "limit_seal_leak_ml_h"),
                         ("valve_leak_back_pct", "limit_valve_leak_back_pct")):
        limits[setting] = r.number(cbm.get(key, getattr(default, setting)), f"maintenance.condition_based.{key}",
                                   high=1000)
    coverage = r.number(cbm.get("round_coverage", default.round_coverage), "maintenance.condition_based.round_coverage",
                        positive=False, low=0, high=1)
    costs = r.mapping(top.get("costs") or {}, "costs", "costs")
    money = {}
    for key in ("lost_machine_hour_eur", "scrapped_part_eur"):
        money[key] = r.number(costs.get(key, getattr(default, key)), f"costs.{key}", positive=False, low=0, high=100000)
    return PlantSettings(gauge_sigma_um=gauge, spindle_load_limit=limit, zone_d_stop=zone_d_stop,
                         coolant_setpoint_c=setpoint, chiller_band_k=band, porosity_spread=spread,
                         certificate_error=certificate, compressed_air_leak_share=leak, cbm_vibration_zone=zone,
                         round_coverage=coverage, **base, **limits, **money)
