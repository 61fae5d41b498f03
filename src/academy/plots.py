"""The course's plotting helpers: figures a notebook shows with one call, so that a module's page
holds the lesson rather than twenty lines of drawing code.

* :func:`plot_vibration_year`: a year of one machine's vibration against its ISO 10816 zones;
* :func:`zones_reached`: for every machine, the highest zone its vibration reached in the year.

Both read the plant through :mod:`academy.data` unless they are given the tables.
"""
from __future__ import annotations

import pandas as pd

ZONES = ("A", "B", "C", "D")
# Okabe-Ito colours, told apart with colour blindness: green, sky blue, orange, vermilion.
ZONE_COLOURS = {"A": "#009E73", "B": "#56B4E9", "C": "#E69F00", "D": "#D55E00"}


def _tables(telemetry: pd.DataFrame | None, assets: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from academy import data

    return (data.load("telemetry") if telemetry is None else telemetry, data.load("assets") if assets is None else assets)


def daily_highest_vibration(telemetry: pd.DataFrame, asset_id: str) -> pd.Series:
    """The machine's highest vibration RMS (mm/s) of each day, by UTC day."""
    machine = telemetry[telemetry["asset_id"] == asset_id]
    return machine.resample("D", on="timestamp")["vibration_rms_mm_s"].max()


def zone_limits_of(assets: pd.DataFrame, asset_id: str) -> tuple[float, float, float]:
    """The A/B, B/C and C/D limits (mm/s) of the machine's class in the asset register."""
    from plantsim.sensors import zone_limits

    machine_class = assets.loc[assets["asset_id"] == asset_id, "machine_class"].iloc[0]
    return zone_limits(str(machine_class))


def zone_of(vibration_mm_s: float, limits: tuple[float, float, float]) -> str:
    """The ISO 10816 zone of one reading: A below the A/B limit, ..., D above the C/D limit."""
    return ZONES[sum(vibration_mm_s > limit for limit in limits)]


def plot_vibration_year(asset_id: str, telemetry: pd.DataFrame | None = None, assets: pd.DataFrame | None = None):
    """Draw a year of one machine's highest daily vibration against its zones, and show it.

    The y axis always reaches into zone D, so that every machine's figure shows all four bands
    and one machine's figure reads like the next one's.
    """
    import matplotlib.pyplot as plt

    telemetry, assets = _tables(telemetry, assets)
    daily_max_mm_s = daily_highest_vibration(telemetry, asset_id)
    a_b, b_c, c_d = zone_limits_of(assets, asset_id)
    top = max(daily_max_mm_s.max(), c_d) * 1.15  # room above the highest point, and zone D in view
    fig, ax = plt.subplots(figsize=(9, 3.5))
    for zone, low, high in (("A", 0, a_b), ("B", a_b, b_c), ("C", b_c, c_d), ("D", c_d, top)):
        ax.axhspan(low, high, color=ZONE_COLOURS[zone], alpha=0.25, linewidth=0)
        # name the zone at the right-hand edge, halfway up its band
        ax.text(1.01, (low + high) / 2, f"zone {zone}", transform=ax.get_yaxis_transform(), va="center")
    ax.plot(daily_max_mm_s.index, daily_max_mm_s, color="black", linewidth=1)
    ax.set(ylim=(0, top), xlabel="day (UTC)", ylabel="highest vibration of the day\nRMS (mm/s)")
    ax.set_title(f"Which vibration zones did {asset_id} reach over the year?")
    plt.show()


def zones_reached(telemetry: pd.DataFrame | None = None, assets: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per machine, as the asset register lists them: its class, its highest vibration of
    the year (mm/s), the highest zone that reading lies in, and on how many days it reached zone
    C or D."""
    telemetry, assets = _tables(telemetry, assets)
    by_day = pd.Grouper(key="timestamp", freq="D")
    daily_by_machine = telemetry.groupby(["asset_id", by_day], observed=True)["vibration_rms_mm_s"].max()
    rows = []
    for asset_id in assets["asset_id"]:
        daily = daily_by_machine.loc[asset_id]
        limits = zone_limits_of(assets, asset_id)
        highest = float(daily.max())
        rows.append(
            {
                "asset_id": asset_id,
                "machine_class": assets.loc[assets["asset_id"] == asset_id, "machine_class"].iloc[0],
                "highest_mm_s": round(highest, 2),
                "highest_zone": zone_of(highest, limits),
                "days_in_zone_c_or_d": int((daily > limits[1]).sum()),
            }
        )
    return pd.DataFrame(rows)
