"""Asset kinds: their rotating parts, bearings and the ways they fail.

A scenario says which assets stand where; this module says what each kind of asset is. Numbers
are chosen to sit inside the ranges in the course's reference facts (ISO 10816 machine classes,
rolling-bearing geometry, IE3 motor efficiency) and calibrated so that one simulated year shows a
handful of failures per failure mode across the plant.
"""
from __future__ import annotations

import pandas as pd

from plantsim.model import AssetSpec, BearingGeometry, FailureMode
from plantsim.scenario import AssetEntry

# Spindle: angular-contact bearing of a 7014-size spindle; BPFO ~ 7.6 x shaft speed.
SPINDLE_BEARING = BearingGeometry("7014 ACD/P4A", n_balls=17, ball_diameter_mm=11.1,
                                  pitch_diameter_mm=92.5, contact_angle_deg=25.0)
# Pump motor end: deep-groove 6306.
PUMP_BEARING = BearingGeometry("6306-2Z", n_balls=8, ball_diameter_mm=12.7,
                               pitch_diameter_mm=52.5, contact_angle_deg=0.0)
# Conveyor gearbox input shaft: SKF 6205 (the Case Western Reserve bearing): BPFO = 3.585 fr.
CONVEYOR_BEARING = BearingGeometry("6205-2RS", n_balls=9, ball_diameter_mm=7.94,
                                   pitch_diameter_mm=39.04, contact_angle_deg=0.0)
# Screw compressor air end: deep-groove 6312.
COMPRESSOR_BEARING = BearingGeometry("6312 C3", n_balls=8, ball_diameter_mm=22.2,
                                     pitch_diameter_mm=95.0, contact_angle_deg=0.0)

PUMP_BEARING_LIFE_H = 5000.0

FAILURE_MODES: dict[str, tuple[FailureMode, ...]] = {
    "cnc": (
        FailureMode("spindle_bearing", "spindle bearing", mean_life_h=1700.0, wear_shape=0.6,
                    load_exponent=1.5, hazard_base_per_h=2e-6, hazard_scale_per_h=0.006,
                    hazard_exponent=3.0, repair_hours=(16.0, 40.0), repair_cost_eur=(6500.0, 12000.0)),
        # The cutting tool wears by cutting time (plantsim.wear.tool_wear_mm), not by this gamma
        # process; its entry carries the breakage repair time and cost.
        FailureMode("cutting_tool", "boring insert", mean_life_h=35.0, wear_shape=1.0,
                    load_exponent=1.0, hazard_base_per_h=3e-4, hazard_scale_per_h=0.6,
                    hazard_exponent=12.0, repair_hours=(0.25, 0.75), repair_cost_eur=(60.0, 180.0)),
    ),
    "coolant_pump": (
        FailureMode("impeller_wear", "impeller", mean_life_h=3600.0, wear_shape=1.2,
                    load_exponent=1.0, hazard_base_per_h=1e-6, hazard_scale_per_h=0.002,
                    hazard_exponent=3.0, repair_hours=(4.0, 8.0), repair_cost_eur=(900.0, 1600.0)),
        FailureMode("pump_seal", "mechanical seal", mean_life_h=2300.0, wear_shape=0.5,
                    load_exponent=1.2, hazard_base_per_h=3e-6, hazard_scale_per_h=0.003,
                    hazard_exponent=2.5, repair_hours=(3.0, 6.0), repair_cost_eur=(400.0, 900.0)),
        # The motor-end 6306 of a close-coupled pump: it lasts longer than the spindle's or the
        # gearbox's bearing. The weekly round does not inspect it (on a pump the overall vibration
        # it would read does not tell the bearing from a worn impeller): it shows in the route's
        # waveforms (the envelope spectrum), runs on to a zone D stop, or fails.
        FailureMode("pump_bearing", "pump bearing", mean_life_h=PUMP_BEARING_LIFE_H, wear_shape=0.7,
                    load_exponent=1.3, hazard_base_per_h=1e-6, hazard_scale_per_h=0.002,
                    hazard_exponent=3.0, repair_hours=(3.0, 6.0), repair_cost_eur=(500.0, 1100.0)),
    ),
    "conveyor": (
        FailureMode("gearbox_bearing", "gearbox bearing", mean_life_h=2800.0, wear_shape=0.7,
                    load_exponent=1.3, hazard_base_per_h=2e-6, hazard_scale_per_h=0.003,
                    hazard_exponent=3.0, repair_hours=(5.0, 10.0), repair_cost_eur=(700.0, 1500.0)),
    ),
    "air_compressor": (
        FailureMode("compressor_valve", "inlet valve", mean_life_h=2500.0, wear_shape=0.8,
                    load_exponent=1.4, hazard_base_per_h=2e-6, hazard_scale_per_h=0.003,
                    hazard_exponent=3.0, repair_hours=(4.0, 9.0), repair_cost_eur=(1200.0, 2600.0)),
    ),
}

NOMINAL_SPEED_RPM = {"cnc": 12000.0, "coolant_pump": 2900.0, "conveyor": 1450.0, "air_compressor": 2960.0}
BEARINGS = {"cnc": SPINDLE_BEARING, "coolant_pump": PUMP_BEARING, "conveyor": CONVEYOR_BEARING,
            "air_compressor": COMPRESSOR_BEARING}
# ISO 10816-3 style shop floor practice: small machines class I, 15-75 kW class II.
INSPECTION_MODES = {"spindle_bearing", "impeller_wear", "pump_seal", "gearbox_bearing", "compressor_valve"}


def machine_class(rated_power_kw: float) -> str:
    """ISO 10816-1 machine class by rated power (rigid foundations: I up to 15 kW, II up to 75 kW)."""
    if rated_power_kw <= 15.0:
        return "I"
    if rated_power_kw <= 75.0:
        return "II"
    return "III"


def build_spec(entry: AssetEntry) -> AssetSpec:
    return AssetSpec(
        asset_id=entry.asset_id,
        kind=entry.kind,
        line=entry.line,
        model=entry.model,
        rated_power_kw=entry.rated_power_kw,
        nominal_speed_rpm=NOMINAL_SPEED_RPM[entry.kind],
        machine_class=machine_class(entry.rated_power_kw),
        bearing=BEARINGS[entry.kind],
        failure_modes=FAILURE_MODES[entry.kind],
        recipes=entry.recipes,
    )


def asset_table(specs: list[AssetSpec]) -> pd.DataFrame:
    """The reference table of assets, as the plant's asset register would list them."""
    rows = []
    for spec in specs:
        b = spec.bearing
        rows.append({
            "asset_id": spec.asset_id,
            "kind": spec.kind,
            "line": spec.line,
            "model": spec.model,
            "rated_power_kw": spec.rated_power_kw,
            "nominal_speed_rpm": spec.nominal_speed_rpm,
            "machine_class": spec.machine_class,
            "bearing_designation": b.designation,
            "bearing_n_balls": b.n_balls,
            "bearing_ball_diameter_mm": b.ball_diameter_mm,
            "bearing_pitch_diameter_mm": b.pitch_diameter_mm,
            "bearing_contact_angle_deg": b.contact_angle_deg,
            "bpfo_order": round(b.bpfo_order(), 4),
            "bpfi_order": round(b.bpfi_order(), 4),
            "failure_modes": ", ".join(m.name for m in spec.failure_modes),
            "recipes": ", ".join(spec.recipes),
        })
    table = pd.DataFrame(rows)
    for column in ("asset_id", "kind", "line", "model", "machine_class"):
        table[column] = table[column].astype("category")
    return table
