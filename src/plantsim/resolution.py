"""The resolution of every number the plant stores, and the one function that puts numbers on it.

The plant must be the same, byte for byte, on every machine. Floating-point arithmetic is not:
``exp``, ``log``, ``sin`` or ``pow`` may differ in the last bit between CPUs (numpy's AVX-512
kernels, another libm on arm64), and a result computed in float32 differs in its 24th bit. A
stored value that carried those bits would carry the machine into the file. So the simulator
computes in float64 and every float column is rounded, here and only here, to a declared number
of decimals (an instrument's resolution for an observation, a stated precision for truth) before
it is cast to its storage type. A difference of a few units in the 16th digit then changes a
stored value only where it lies that close to a rounding boundary: tests/test_determinism.py
generates the plant with last-bit-perturbed math and requires the recorded bytes.

One column name means one thing in every table (``speed_rpm`` in telemetry and in the vibration
captures), so resolutions are declared per column name. A float column that is not declared here
cannot be written: :func:`on_grid` refuses it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Resolution:
    """A stored column's grid: ``decimals`` after the point, kept as ``dtype``."""

    decimals: int
    dtype: str = "float64"


def _telemetry(decimals: int) -> Resolution:
    return Resolution(decimals, "float32")  # a historian keeps single-precision readings


RESOLUTIONS: dict[str, Resolution] = {
    # Telemetry: the instruments' resolutions (DATASHEET section 4.7).
    "speed_rpm": _telemetry(0),
    "load_pct": _telemetry(1),
    "power_kw": _telemetry(2),
    "motor_current_a": _telemetry(1),
    "vibration_rms_mm_s": _telemetry(2),
    "bearing_temp_c": _telemetry(1),
    "spindle_temp_c": _telemetry(1),
    "coolant_temp_c": _telemetry(1),
    "flow_l_min": _telemetry(1),
    "pressure_bar": _telemetry(2),
    "discharge_temp_c": _telemetry(1),
    # Energy meters: the register counts 0.01 kWh; mean power is that over the interval.
    "energy_kwh": Resolution(2),
    "mean_power_kw": Resolution(3),
    # Parts: the bore gauge reads 1 um, the roughness tester 0.01 um.
    "bore_nominal_mm": Resolution(3),
    "bore_diameter_mm": Resolution(3),
    "roughness_ra_um": Resolution(2),
    # Records.
    "value": Resolution(2),  # an alarm's reading
    "reading": Resolution(2),  # an inspection round's reading (its unit is in the row)
    "limit": Resolution(4),  # an alarm's configured limit
    "vb_measured_mm": Resolution(2),
    "downtime_h": Resolution(3),
    "labour_h": Resolution(2),
    "parts_cost_eur": Resolution(2),
    "cost_eur": Resolution(2),
    # Reference tables: as the asset register and the recipes state them.
    "rated_power_kw": Resolution(2),
    "nominal_speed_rpm": Resolution(0),
    "bearing_ball_diameter_mm": Resolution(3),
    "bearing_pitch_diameter_mm": Resolution(3),
    "bearing_contact_angle_deg": Resolution(2),
    "bpfo_order": Resolution(4),
    "bpfi_order": Resolution(4),
    "bore_tolerance_lo_um": Resolution(1),
    "bore_tolerance_hi_um": Resolution(1),
    "spindle_speed_rpm": Resolution(0),
    "spindle_load": Resolution(3),
    "cycle_time_min": Resolution(2),
    "roughness_base_um": Resolution(2),
    "certified_porosity_index": Resolution(2),  # the foundry certificate's figure
    # Truth: stated precisions, finer than any instrument.
    "health": Resolution(4, "float32"),
    "health_before": Resolution(4),
    "health_after": Resolution(4),
    "rul_h": Resolution(3, "float32"),
    "flank_wear_mm": Resolution(4, "float32"),
    "true_bore_diameter_mm": Resolution(6),  # 0.001 um
    "magnitude": Resolution(2),
    # The fleet (plantsim.fleet): hourly and daily aggregates of the readings above, hour meters.
    "vibration_max_mm_s": _telemetry(2),
    "vibration_mean_mm_s": _telemetry(2),
    "operating_h": Resolution(2),
    "running_h": Resolution(2),
    "producing_h": Resolution(2),
    "life_operating_h": Resolution(2),
    "start_operating_h": Resolution(2),
    "end_operating_h": Resolution(2),
}

# Columns whose cells are arrays of samples, put on their instrument's grid where they are made.
SAMPLE_COLUMNS = {"accel_g": "plantsim.vibration.quantise (16-bit ADC over +-50 g)"}


class UndeclaredColumn(ValueError):
    """A float column without a declared resolution reached the writer."""


def quantise(values, decimals: int) -> np.ndarray:
    """``values`` rounded to ``decimals`` in float64 (the same bits on every machine)."""
    return np.round(np.asarray(values, dtype=np.float64), decimals)


def as_stored(column: str, values) -> np.ndarray:
    """``values`` as column ``column`` stores them (float64): for decisions taken on recorded values."""
    return quantise(values, RESOLUTIONS[column].decimals)


def on_grid(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A copy of ``frame`` with every float column on its declared grid and in its storage type.

    Applying it twice changes nothing, so the observation layer can round what the record layer
    reads and the writer can round everything it writes.
    """
    out = frame.copy()
    if out.empty:  # no number to round (an empty table's columns may not be typed yet)
        return out
    for column in out.columns:
        if column in SAMPLE_COLUMNS or not pd.api.types.is_float_dtype(out[column].dtype):
            continue
        resolution = RESOLUTIONS.get(column)
        if resolution is None:
            raise UndeclaredColumn(
                f"table {table!r} has a float column {column!r} with no declared resolution; "
                "add it to plantsim.resolution.RESOLUTIONS (and to the datasheet)")
        out[column] = quantise(out[column].to_numpy(dtype=np.float64), resolution.decimals).astype(resolution.dtype)
    return out
