"""Wear and hazard: how hidden component health falls, and how likely a failure is at each health.

- Component wear is a gamma process (independent, positive increments) whose rate grows with load,
  times a lifetime factor drawn for every installed component (no two bearings last equally long).
  Health is ``1 - wear ** HEALTH_EXPONENT``: it stays high for most of a life and falls fast at the
  end, as bearings and valves do.
- A failure is drawn from a hazard that rises as health falls (a random failure can still strike a
  healthy part). Nothing visible is ever compared with a fixed threshold to decide a failure.
- Cutting-tool flank wear follows the three phases of a tool's life (fast break-in, long steady
  wear, rapid end) as a function of the share of the tool's life used; life depends on cutting
  speed through Taylor's equation ``V T^n = C``.
- A worn insert needs more cutting power. The CNC's adaptive feed control keeps the spindle load
  (the drive's, friction of worn bearings included) at or below its limit by slowing the feed, so
  the continuous load stays within the spindle's rating and the cycle takes longer instead.
"""
from __future__ import annotations

import numpy as np

from plantsim.model import FailureMode

HEALTH_EXPONENT = 2.0
REFERENCE_LOAD = 0.7  # load at which a failure mode's mean life is quoted
LIFETIME_SPREAD = 0.35  # sigma of the log-normal lifetime factor of an installed component

# Tool life (Taylor): reference life at reference cutting speed; n = 0.25 for carbide.
TAYLOR_N = 0.25
TOOL_REFERENCE_SPEED_M_MIN = 1700.0
TOOL_REFERENCE_LIFE_H = 36.0
TOOL_LIFE_SPREAD = 0.18
TOOL_VB_END_MM = 0.30  # ISO 3685 end-of-life criterion for average flank wear
TOOL_LOAD_GAIN = 1.0  # cutting power rises with flank wear: +30 % spindle load at VB 0.3 mm


def wear_increments(mode: FailureMode, load: np.ndarray, operating: np.ndarray, step_hours: float,
                    speed_factor: float, rng: np.random.Generator) -> np.ndarray:
    """Gamma-process wear added in each step (in units of a nominal life), zero when not operating."""
    relative = np.power(np.where(operating, np.maximum(load, 0.0) / REFERENCE_LOAD, 0.0), mode.load_exponent)
    shape = mode.wear_shape * step_hours * relative * speed_factor
    scale = 1.0 / (mode.mean_life_h * mode.wear_shape)
    return rng.gamma(shape, scale)


def lifetime_factor(rng: np.random.Generator) -> float:
    """How fast this particular component wears compared with the average one (mean 1)."""
    return float(np.exp(rng.normal(-LIFETIME_SPREAD * LIFETIME_SPREAD / 2, LIFETIME_SPREAD)))


def health_from_wear(wear: np.ndarray | float) -> np.ndarray:
    return np.clip(1.0 - np.power(np.clip(wear, 0.0, None), HEALTH_EXPONENT), 0.0, 1.0)


def hazard_per_hour(mode: FailureMode, health: np.ndarray) -> np.ndarray:
    return mode.hazard_base_per_h + mode.hazard_scale_per_h * np.power(1.0 - health, mode.hazard_exponent)


def cutting_speed_m_min(bore_diameter_mm: float, spindle_speed_rpm: float) -> float:
    return np.pi * bore_diameter_mm * spindle_speed_rpm / 1000.0


def tool_life_hours(cutting_speed: float) -> float:
    """Taylor tool life at this cutting speed: T = T_ref * (V_ref / V) ** (1 / n)."""
    return TOOL_REFERENCE_LIFE_H * float(np.power(TOOL_REFERENCE_SPEED_M_MIN / cutting_speed, 1.0 / TAYLOR_N))


def tool_wear_mm(life_used: np.ndarray) -> np.ndarray:
    """Flank wear VB (mm) after using this share of the tool's life: break-in, steady, rapid end."""
    used = np.clip(life_used, 0.0, None)
    return 0.06 * (1.0 - np.exp(-used / 0.04)) + 0.17 * used + 0.07 * np.power(used, 8)


def tool_breakage_hazard_per_hour(vb_mm: np.ndarray, mode: FailureMode) -> np.ndarray:
    return mode.hazard_base_per_h + mode.hazard_scale_per_h * np.power(vb_mm / TOOL_VB_END_MM, mode.hazard_exponent)


def cutting_demand(recipe_load: np.ndarray, vb_mm: np.ndarray) -> np.ndarray:
    """Spindle load (share of rating) the cut needs at the programmed feed with this flank wear."""
    return recipe_load * (1.0 + TOOL_LOAD_GAIN * vb_mm)


def feed_override(demand: np.ndarray, mechanical_efficiency: np.ndarray, limit: float) -> np.ndarray:
    """Adaptive feed control: the share of the programmed feed that keeps the drive's load
    (cutting demand over the spindle's mechanical efficiency) at or below ``limit``; 1 where the
    programmed feed already does. Cutting load and material removal fall with the feed."""
    drive = demand / mechanical_efficiency
    return np.where(drive > limit, limit / np.maximum(drive, limit), 1.0)
