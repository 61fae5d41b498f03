"""Smart Factory Academy: the course's own tools.

In a notebook::

    import academy
    from academy import data
    ex = academy.exercises("00")     # the module's exercises: ex.q1.check(), ex.q1.hint()
    telemetry = data.load("telemetry")
    academy.progress()               # which modules and exercises pass, from the saved notebooks

Further tools are submodules, imported on first use (``academy.build``, ``academy.course``,
``academy.release`` and ``academy.grade``).
"""
from __future__ import annotations

import importlib

from academy import data, progress  # academy.progress() works: the module is callable
from academy.exercise import exercises

__all__ = ["data", "exercises", "progress"]

_LAZY_SUBMODULES = ("build", "cells", "course", "cli", "modules", "progress", "release", "grade")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'academy' has no attribute '{name}'")
