"""ISO 10816-1 vibration zones: the boundaries between zones A/B, B/C and C/D (mm/s RMS) for each
machine class.

A table of the standard, kept apart from the sensor model (:mod:`plantsim.sensors`, which needs
scipy for its filters) so that the course's figures and checks can look a limit up without
importing the simulator's numerics: importing scipy.signal costs seconds on a cold start.
"""
from __future__ import annotations

# ISO 10816-1 zone boundaries (mm/s RMS): A/B, B/C, C/D per machine class.
ZONE_LIMITS_MM_S = {
    "I": (0.71, 1.8, 4.5),
    "II": (1.12, 2.8, 7.1),
    "III": (1.8, 4.5, 11.2),
    "IV": (2.8, 7.1, 18.0),
}


def zone_limits(machine_class: str) -> tuple[float, float, float]:
    """ISO 10816-1 A/B, B/C and C/D limits (mm/s RMS) for a machine class."""
    try:
        return ZONE_LIMITS_MM_S[machine_class]
    except KeyError:
        raise ValueError(f"unknown ISO 10816 machine class {machine_class!r}; use I, II, III or IV") from None
