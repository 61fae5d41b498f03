"""Loading and validating a plant scenario (the YAML file a plant is generated from).

Every error names the file and the key, so a wrong scenario is fixed in one look.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ASSET_KINDS = ("cnc", "coolant_pump", "conveyor", "air_compressor")
SHIFT_NAMES = ("early", "late", "night")
UTILITY_LINE = "UT"


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
    cbm_health_trigger: float
    cbm_detection_probability: float
    preventive_restore: tuple[float, float]
    tool_change_life_share: float
    lot_size_parts: int
    bad_lot_probability: float
    wear_speed_factor: float

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days)

    def with_seed(self, seed: int) -> "Scenario":
        from dataclasses import replace

        return replace(self, seed=int(seed))


# The allowed keys at each level; anything else is a typo that would silently do nothing.
_SCHEMA: dict[str, tuple[str, ...]] = {
    "": ("plant", "calendar", "lines", "recipes", "assets", "maintenance", "materials", "wear"),
    "plant": ("name", "timezone", "start", "days", "step_minutes", "seed"),
    "calendar": ("shifts", "holidays", "shutdowns"),
    "line": ("shifts", "saturday_shifts"),
    "recipe": ("bore_nominal_mm", "bore_tolerance_um", "spindle_speed_rpm", "spindle_load",
               "cycle_time_min", "roughness_base_um"),
    "asset": ("id", "kind", "line", "model", "rated_power_kw", "recipes"),
    "maintenance": ("preventive_interval_days", "condition_based", "preventive_restore", "tool_change_life_share"),
    "condition_based": ("health_trigger", "detection_probability"),
    "materials": ("lot_size_parts", "bad_lot_probability"),
    "wear": ("speed_factor",),
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
    cbm = r.mapping(r.require(maintenance, "condition_based", "maintenance"), "maintenance.condition_based", "condition_based")
    restore = r.require(maintenance, "preventive_restore", "maintenance")
    if not isinstance(restore, list) or len(restore) != 2:
        raise r.fail("maintenance.preventive_restore", "must be [lowest, highest] share of lost health restored")
    restore_lo = r.number(restore[0], "maintenance.preventive_restore", positive=False, low=0, high=1)
    restore_hi = r.number(restore[1], "maintenance.preventive_restore", positive=False, low=0, high=1)
    if restore_hi < restore_lo:
        raise r.fail("maintenance.preventive_restore", "must be [lowest, highest] with lowest <= highest")

    materials = r.mapping(top["materials"], "materials", "materials")
    wear = r.mapping(top["wear"], "wear", "wear")

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
        cbm_health_trigger=r.number(r.require(cbm, "health_trigger", "maintenance.condition_based"),
                                    "maintenance.condition_based.health_trigger", high=1),
        cbm_detection_probability=r.number(r.require(cbm, "detection_probability", "maintenance.condition_based"),
                                           "maintenance.condition_based.detection_probability", positive=False, low=0, high=1),
        preventive_restore=(restore_lo, restore_hi),
        tool_change_life_share=r.number(r.require(maintenance, "tool_change_life_share", "maintenance"),
                                        "maintenance.tool_change_life_share", high=1.5),
        lot_size_parts=r.number(r.require(materials, "lot_size_parts", "materials"), "materials.lot_size_parts", integer=True),
        bad_lot_probability=r.number(r.require(materials, "bad_lot_probability", "materials"),
                                     "materials.bad_lot_probability", positive=False, low=0, high=1),
        wear_speed_factor=r.number(r.require(wear, "speed_factor", "wear"), "wear.speed_factor", high=100),
    )
