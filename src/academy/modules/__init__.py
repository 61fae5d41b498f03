"""The course's exercise files: one Python file per module, ``mNN.py``.

A module file is declarative. It defines:

``MODULE``
    The module id, two digits as a string (``"00"``), the same as in its file name.
``WORDS``
    Every trainee-facing word of the module's exercises, in one dict, so that a translation is a
    file to fill in. One entry per exercise name::

        WORDS = {
            "q1": {
                "todo": "the average vibration of CNC-101 in mm/s, dropouts left out",
                "hints": ["first, gentle hint", "...", "last hint, close to the answer"],
                "mistakes": {"kept_dropouts": "Your average still includes the 0.0 readings ..."},
            },
        }

    ``todo`` completes the placeholder comment of the trainee notebook ("replace ... with <todo>").
``EXERCISES``
    A list of :class:`academy.exercise.Exercise`, in notebook order.
``data_source()`` (optional)
    Returns the tables the checks compute their expected answers from (an object with
    ``load(name, variant)`` and ``load_truth(name)``). Without it the checks read the plant
    through :mod:`academy.data`. Test-only modules use it to run on small in-memory tables.

Where modules are found
-----------------------
The package folder first, then every folder in ``$ACADEMY_MODULE_PATH`` (``os.pathsep``
separated), then every folder added with :func:`add_search_path`, then the exercise folder of the course
above the current folder: the ``module_path`` its ``course.yml`` declares (the tooling's own test
course uses that, so its notebooks find their exercise files when run from their own folder), else
its ``src/academy/modules`` (so a copy of the course finds the modules written in it, such as one
just made by ``academy new-module``). Each folder joins this
package's ``__path__``, so a module file is always imported as ``academy.modules.mNN`` and may use
relative imports of its neighbours.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

MODULE_PATH_ENV = "ACADEMY_MODULE_PATH"
MODULE_ID = re.compile(r"^\d{2}$")
EXERCISE_FILE = re.compile(r"^m\d{2}\.py$")  # a module's exercise file, mNN.py

_package_dir = str(Path(__file__).resolve().parent)
_added_paths: list[str] = []


class ModuleNotFound(LookupError):
    """No exercise file for the module id anywhere on the search path."""


def add_search_path(folder: str | os.PathLike) -> None:
    """Make the ``mNN.py`` files in ``folder`` loadable as course modules."""
    resolved = str(Path(folder).resolve())
    if resolved not in _added_paths:
        _added_paths.append(resolved)


def search_path() -> list[str]:
    """Folders searched for ``mNN.py``, in order (see the module docstring)."""
    folders = [_package_dir]
    folders += [str(Path(p).resolve()) for p in os.environ.get(MODULE_PATH_ENV, "").split(os.pathsep) if p]
    folders += _added_paths
    course_folder = _course_module_path(Path.cwd())
    if course_folder is not None:
        folders.append(course_folder)
    unique: list[str] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def _course_module_path(start: Path) -> str | None:
    for folder in (start, *start.parents):
        manifest = folder / "course.yml"
        if manifest.is_file():
            import yaml  # only needed when a course folder is around

            declared = (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("module_path")
            if declared:
                return str((folder / declared).resolve())
            own = folder / "src" / "academy" / "modules"
            return str(own.resolve()) if own.is_dir() else None
    return None


def normalise_module_id(module_id: str | int) -> str:
    """``0``, ``"0"`` and ``"00"`` all mean module ``"00"``."""
    text = str(module_id).strip()
    if text.isdigit() and len(text) <= 2:
        text = text.zfill(2)
    if not MODULE_ID.match(text):
        raise ModuleNotFound(f"'{module_id}' is not a module number; module numbers look like \"00\" or \"07\".")
    return text


@dataclass(frozen=True)
class CourseModule:
    """One loaded exercise file: its id, words, bound exercises and data source."""

    module_id: str
    exercises: tuple  # tuple[Exercise, ...], each bound to this module's id and words
    words: dict
    python_module: ModuleType

    def exercise(self, name: str):
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        known = ", ".join(e.name for e in self.exercises)
        raise KeyError(f"Module {self.module_id} has no exercise '{name}' (it has: {known}).")

    def data(self) -> Any:
        """The tables the checks compute expected answers from."""
        source = getattr(self.python_module, "data_source", None)
        if source is not None:
            return source()
        from academy import data

        return data


def load_module(module_id: str | int) -> CourseModule:
    """Import ``mNN.py`` from the search path and bind its exercises to their words."""
    module_id = normalise_module_id(module_id)
    _sync_package_path()
    name = f"{__name__}.m{module_id}"
    if name not in sys.modules:
        importlib.invalidate_caches()  # a folder's file listing may be cached from before the file existed
    try:
        python_module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise ModuleNotFound(
            f"No exercises for module {module_id}: there is no m{module_id}.py in " + ", ".join(search_path())
        ) from None
    declared = getattr(python_module, "MODULE", None)
    if declared != module_id:
        raise ModuleNotFound(f"{python_module.__file__} declares MODULE = {declared!r}, expected '{module_id}'.")
    words = getattr(python_module, "WORDS", {})
    exercises = tuple(
        replace(exercise, module=module_id, words=words.get(exercise.name, {}))
        for exercise in getattr(python_module, "EXERCISES", [])
    )
    return CourseModule(module_id, exercises, words, python_module)


def available_modules() -> list[str]:
    """Ids of every module file on the search path, sorted."""
    found = set()
    for folder in search_path():
        for path in Path(folder).glob("m[0-9][0-9].py"):
            found.add(path.stem[1:])
    return sorted(found)


def _sync_package_path() -> None:
    # Extending __path__ lets the import system find module files in extra folders under
    # this package's name; stale entries are harmless because file names are unique per id.
    for folder in search_path():
        if folder not in __path__:
            __path__.append(folder)
