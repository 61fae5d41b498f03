"""The pip lock, the conda environment and pyproject.toml describe one and the same environment."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock line is not an exact pin: {line!r}"
            pins[normalise(name)] = version
    return pins


def conda_versions() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for entry in spec["dependencies"]:
        if isinstance(entry, str) and "==" in entry:
            name, version = entry.split("==")
            pins[normalise(name)] = version
    return pins


def direct_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [normalise(re.split(r"[<>=!~ \[]", dep)[0]) for dep in project["dependencies"]]


def test_every_direct_dependency_is_locked_and_in_the_conda_environment():
    lock, conda = lock_versions(), conda_versions()
    for name in direct_dependencies():
        assert name in lock, f"{name} is a dependency in pyproject.toml but not pinned in requirements.lock"
        assert name in conda, f"{name} is a dependency in pyproject.toml but missing from environment.yml"


def test_conda_pins_match_the_lock():
    lock = lock_versions()
    mismatched = {name: (version, lock.get(name)) for name, version in conda_versions().items() if lock.get(name) != version}
    assert not mismatched, f"environment.yml and requirements.lock disagree (conda, lock): {mismatched}"


def test_conda_environment_uses_python_311():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in spec["dependencies"]
