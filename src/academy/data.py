"""Loading the plant's tables for the course.

Trainee-facing tables come in two variants: ``"raw"`` (as the plant's systems recorded them,
defects included) and ``"clean"`` (the same records with every listed defect undone). Reference
tables (assets, recipes, material lots) have one variant. Ground-truth tables (true health,
remaining useful life, true failure modes, quality causes, the defect manifest) are for
instructors and checks: :func:`load` refuses them, :func:`load_truth` returns them.

The tables are generated on first use when missing (see ``plantsim generate``).

``plant="fleet"`` reads the owner's sister sites instead (``plantsim fleet``): five plants of the
same machine kinds over three years, stored hourly and daily, for the lessons that need many
failures (failure warning, remaining useful life). Its tables have one variant (clean).
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

OBSERVED_TABLES = ("telemetry", "vibration", "parts", "energy", "alarms", "work_orders", "tool_changes", "inspections")
REFERENCE_TABLES = ("assets", "recipes", "material_lots")
TRUTH_TABLES = ("health", "tool_wear", "failures", "maintenance", "part_truth", "quality_causes", "disturbances", "defects")
VARIANTS = ("raw", "clean")
FLEET_OBSERVED_TABLES = ("hourly", "daily", "alarms", "work_orders")
FLEET_REFERENCE_TABLES = ("sites", "assets")
FLEET_TRUTH_TABLES = ("maintenance", "failures", "lives", "health_daily")
PLANTS = ("plant", "fleet")

PLANT_DIR_ENV = "ACADEMY_PLANT_DIR"
FLEET_DIR_ENV = "ACADEMY_FLEET_DIR"


class DataError(LookupError):
    """A table that does not exist, or a dataset that is not there."""


def project_root() -> Path:
    """The course folder (the one holding datasets/ and notebooks/).

    In a course release (``academy release``) that is the release's own folder, named by its
    ``release.json`` (see :mod:`academy.exercise.solutions`): it holds the cohort's plant, so the
    notebooks and their checks read the cohort's data. Otherwise it is this installation's folder.
    """
    from academy.exercise.solutions import read_release_settings

    release_root = read_release_settings().course_root
    if release_root is not None:
        plant = release_root / "datasets" / "plant"
        # An assessment's trainee folder holds the cohort's tables but not the scenario that makes them.
        if (plant / "scenario.yml").is_file() or (plant / "tables" / "MANIFEST.json").is_file():
            return release_root
    return installation_root()


def installation_root() -> Path:
    """The course folder of this installation (the repository), whatever release is in force."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "datasets" / "plant" / "scenario.yml").is_file():
            return parent
    raise DataError("Cannot find the course folder (datasets/plant/scenario.yml) above " + str(here))


def plant_dir() -> Path:
    """Where the generated tables live: $ACADEMY_PLANT_DIR, else datasets/plant/tables."""
    configured = os.environ.get(PLANT_DIR_ENV)
    if configured:
        return Path(configured)
    return project_root() / "datasets" / "plant" / "tables"


def scenario_path() -> Path:
    return project_root() / "datasets" / "plant" / "scenario.yml"


def fleet_dir() -> Path:
    """Where the fleet's tables live: $ACADEMY_FLEET_DIR, else datasets/fleet/tables."""
    configured = os.environ.get(FLEET_DIR_ENV)
    if configured:
        return Path(configured)
    return project_root() / "datasets" / "fleet" / "tables"


def ensure_fleet(directory: Path | None = None) -> Path:
    """Generate the fleet from its scenario when its tables are missing (about half a minute)."""
    directory = Path(directory) if directory is not None else fleet_dir()
    if not (directory / "MANIFEST.json").is_file():
        from plantsim.fleet import generate_fleet

        scenario = project_root() / "datasets" / "fleet" / "scenario.yml"
        if not scenario.is_file():
            raise DataError(f"The fleet is not part of this course folder ({scenario} is missing).")
        generate_fleet(scenario, directory, progress=True)
    return directory


def story():
    """The plant's story as its scenario declares it (``story:`` in scenario.yml), a
    :class:`plantsim.scenario.Story`: the historian export's machine and week
    (``story().historian_export.asset``), the machines whose clocks stay right, and the events the
    modules rely on. Exercise files read names from here instead of repeating them."""
    from plantsim.scenario import load_scenario

    return load_scenario(scenario_path()).story


def historian_export_path() -> Path:
    """The historian export the story declares, kept next to the scenario
    (``datasets/plant/historian_<asset>_<start>.csv``)."""
    export = story().historian_export
    if export is None:
        raise DataError(f"{scenario_path()} declares no historian export (story.historian_export).")
    return scenario_path().parent / export.file_name


def ensure_plant(directory: Path | None = None) -> Path:
    """Generate the plant from the default scenario when its tables are missing."""
    directory = Path(directory) if directory is not None else plant_dir()
    if not (directory / "MANIFEST.json").is_file():
        from plantsim.simulate import generate  # only needed the first time

        generate(scenario_path(), directory, progress=True)
    return directory


def manifest() -> dict:
    """The generated dataset's manifest: scenario, seed, tables, row counts and checksums."""
    return json.loads((ensure_plant() / "MANIFEST.json").read_text())


def tables() -> dict[str, tuple[str, ...]]:
    """Every table name a trainee can load, by group."""
    return {"observed (raw or clean)": OBSERVED_TABLES, "reference": REFERENCE_TABLES}


def load(name: str, variant: str = "clean", plant: str = "plant") -> pd.DataFrame:
    """Return one table as a DataFrame with parsed timestamps and categories.

    ``variant`` is ``"clean"`` (default) or ``"raw"`` for the plant's observed tables; reference
    tables ignore it. ``plant`` is ``"plant"`` (the course's plant) or ``"fleet"`` (its sister sites).
    """
    if plant == "fleet":
        return _load_fleet(name, variant)
    if plant not in PLANTS:
        raise DataError(f"plant must be 'plant' or 'fleet', not '{plant}'.")
    if name in TRUTH_TABLES:
        raise DataError(
            f"'{name}' is a ground-truth table, kept away from trainee notebooks. "
            f"Instructors and checks read it with academy.data.load_truth('{name}')."
        )
    if name in REFERENCE_TABLES:
        return _read(str(plant_dir()), "reference", name).copy()
    if name not in OBSERVED_TABLES:
        known = ", ".join(OBSERVED_TABLES + REFERENCE_TABLES)
        hint = " (that is a fleet table: add plant=\"fleet\")" if name in FLEET_OBSERVED_TABLES + FLEET_REFERENCE_TABLES else ""
        raise DataError(f"There is no plant table called '{name}'{hint}. Tables you can load: {known}.")
    if variant not in VARIANTS:
        raise DataError(f"variant must be 'raw' or 'clean', not '{variant}'.")
    return _read(str(plant_dir()), variant, name).copy()


def _load_fleet(name: str, variant: str) -> pd.DataFrame:
    if name in FLEET_TRUTH_TABLES:
        raise DataError(
            f"'{name}' is a ground-truth table of the fleet, kept away from trainee notebooks. "
            f"Instructors and checks read it with academy.data.load_truth('{name}', plant=\"fleet\")."
        )
    if variant != "clean":
        raise DataError("The fleet's tables have one variant, 'clean' (its sites' records, without data defects).")
    if name in FLEET_REFERENCE_TABLES:
        return _read(str(fleet_dir()), "reference", name, "fleet").copy()
    if name not in FLEET_OBSERVED_TABLES:
        known = ", ".join(FLEET_OBSERVED_TABLES + FLEET_REFERENCE_TABLES)
        raise DataError(f"There is no fleet table called '{name}'. Tables you can load with plant=\"fleet\": {known}.")
    return _read(str(fleet_dir()), "clean", name, "fleet").copy()


WITHHELD_TRUTH = "ground_truth_withheld"  # a MANIFEST.json key: an assessment's tables, without truth/


def load_truth(name: str, plant: str = "plant") -> pd.DataFrame:
    """Return a ground-truth table (instructors and checks only)."""
    if plant == "fleet":
        if name not in FLEET_TRUTH_TABLES:
            raise DataError(f"There is no fleet ground-truth table called '{name}'. Known: {', '.join(FLEET_TRUTH_TABLES)}.")
        return _read(str(fleet_dir()), "truth", name, "fleet").copy()
    if name not in TRUTH_TABLES:
        raise DataError(f"There is no ground-truth table called '{name}'. Known: {', '.join(TRUTH_TABLES)}.")
    directory = plant_dir()
    listed = directory / "MANIFEST.json"
    if listed.is_file() and json.loads(listed.read_text()).get(WITHHELD_TRUTH):
        raise DataError(f"'{name}' is a ground-truth table, and this is an assessment: the ground truth stays with "
                        "your instructor's grader.")
    return _read(str(directory), "truth", name).copy()


@lru_cache(maxsize=32)
def _read(directory: str, group: str, name: str, plant: str = "plant") -> pd.DataFrame:
    root = ensure_fleet(Path(directory)) if plant == "fleet" else ensure_plant(Path(directory))
    path = root / group / name
    if not path.exists():
        command = "plantsim fleet --force" if plant == "fleet" else "plantsim generate --force"
        raise DataError(f"The table '{name}' is missing from {root}. Regenerate the {plant}: {command}")
    return pd.read_parquet(path)
