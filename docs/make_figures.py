"""Draw the README's figures from the generated plant.

    .venv/bin/python docs/make_figures.py            # docs/asset_life.png for CNC-103
    .venv/bin/python docs/make_figures.py --asset CNC-101 --out /tmp/cnc101.png

docs/asset_life.png follows one CNC machine's spindle bearing through the simulated year: its
true health (ground truth, which no one in a real plant sees), the vibration the historian
recorded (what the plant does see) against the ISO 10816 zone limits of the machine's class, and
every failure, condition-based replacement and preventive service. The figure is computed from
the tables on disk, so a plant generated with another seed draws its own story.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    from academy import data
except ModuleNotFoundError:  # a fresh checkout before `pip install -e .`: use the source tree
    sys.path.insert(0, str(ROOT / "src"))
    from academy import data

import matplotlib

matplotlib.use("Agg")  # draw to a file; no display needed

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from plantsim.scenario import load_scenario  # noqa: E402
from plantsim.sensors import zone_limits  # noqa: E402

DEFAULT_ASSET = "CNC-103"  # four bearing stories in one year: two found on inspection, two failures
MODE = "spindle_bearing"
DEFAULT_OUT = ROOT / "docs" / "asset_life.png"
VIBRATION_QUANTILE = 0.95

# Okabe-Ito palette: distinguishable with every common form of colour blindness. Event types also
# differ in line style and marker, so the figure survives a grey-scale printer.
BLUE, VERMILLION, GREEN, PURPLE, GREY = "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#6E6E6E"
EVENT_STYLES = {
    "failure": {"color": VERMILLION, "linestyle": "-", "marker": "X", "label": "failure (breakdown repair)"},
    "condition_based": {"color": GREEN, "linestyle": "--", "marker": "o",
                        "label": "replaced after an inspection finding"},
    "preventive": {"color": PURPLE, "linestyle": ":", "marker": "^", "label": "preventive service"},
}
ZONE_SHADES = ("#FFFFFF", "#F4F4F4", "#E6E6E6", "#D5D5D5")  # zones A to D: darker is worse


def asset_life(asset_id: str) -> dict:
    """Everything the figure draws for one machine, in the plant's local time."""
    scenario = load_scenario(data.scenario_path())
    timezone = scenario.timezone
    assets = data.load("assets").set_index("asset_id")
    if asset_id not in assets.index:
        raise SystemExit(f"There is no asset {asset_id!r} in the plant; known: {', '.join(assets.index)}")
    if assets.loc[asset_id, "kind"] != "cnc":
        cncs = ", ".join(assets.index[assets["kind"] == "cnc"])
        raise SystemExit(f"{asset_id} is a {assets.loc[asset_id, 'kind']}; this figure follows a CNC spindle ({cncs})")
    machine_class = str(assets.loc[asset_id, "machine_class"])

    health = data.load_truth("health")
    health = health[(health["asset_id"] == asset_id) & (health["mode"] == MODE)]
    health = health.set_index(health["timestamp"].dt.tz_convert(timezone))["health"]

    telemetry = data.load("telemetry", "clean")
    producing = telemetry[(telemetry["asset_id"] == asset_id) & (telemetry["machine_state"] == "producing")]
    day = producing["timestamp"].dt.tz_convert(timezone).dt.normalize()
    vibration = producing.groupby(day)["vibration_rms_mm_s"].quantile(VIBRATION_QUANTILE)

    maintenance = data.load_truth("maintenance")
    mine = maintenance[maintenance["asset_id"] == asset_id]
    events = pd.concat([
        mine[(mine["kind"] == "corrective") & (mine["mode"] == MODE)].assign(event="failure"),
        mine[(mine["kind"] == "condition_based") & (mine["mode"] == MODE)].assign(event="condition_based"),
        mine[mine["kind"] == "preventive"].assign(event="preventive"),
    ]).sort_values("start")
    events["when"] = events["start"].dt.tz_convert(timezone)

    # When each condition-based job was found: the inspection round its work order was raised at.
    orders = data.load("work_orders", "clean")
    findings = orders[(orders["asset_id"] == asset_id) & (orders["wo_type"] == "condition_based")]
    found_at = findings["reported_at"].dt.tz_convert(timezone).sort_values().reset_index(drop=True)

    shutdowns = [(pd.Timestamp(first).tz_localize(timezone), pd.Timestamp(last).tz_localize(timezone) + pd.Timedelta(days=1))
                 for first, last in scenario.shutdowns]
    return {
        "asset_id": asset_id, "machine_class": machine_class, "zones": zone_limits(machine_class),
        "health": health, "vibration": vibration, "events": events, "found_at": found_at,
        "finding_zone": scenario.settings.cbm_vibration_zone, "shutdowns": shutdowns, "timezone": timezone,
        "year": int(health.index[len(health) // 2].year),
    }


def _zone(value: float, zones: tuple[float, float, float]) -> str:
    return "ABCD"[sum(value > limit for limit in zones)]


def _event_label(event: pd.Series, found_at: pd.Series) -> str:
    if event["event"] == "failure":
        return f"failed\nhealth {event['health_before']:.2f}"
    earlier = found_at[found_at <= event["when"]]
    found = f"found {earlier.iloc[-1]:%d %b}\n" if len(earlier) else ""
    return f"{found}replaced {event['when']:%d %b}"


def draw_asset_life(life: dict, out: Path) -> Path:
    ab, bc, cd = life["zones"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7.2), sharex=True, height_ratios=(1, 1.15),
                                      constrained_layout=True)
    fig.suptitle(f"{life['asset_id']} spindle bearing, {life['year']}: "
                 f"does the vibration warn before the bearing fails?", fontsize=14, fontweight="bold")

    # Top: the truth no one sees. (Shutdowns are shaded here only: below, the ISO zones own the background.)
    for start, end in life["shutdowns"]:
        top.axvspan(start, end, color="#EDEDED", zorder=0, linewidth=0)
    top.plot(life["health"].index, life["health"].to_numpy(), color=BLUE, linewidth=1.6)
    top.set_ylim(0, 1.08)
    top.set_ylabel("health (1 = new, 0 = worn out)")
    top.set_title("What really happens: the bearing's hidden health (truth table)", loc="left", fontsize=10.5)

    # Bottom: what the plant sees, against the ISO 10816 zones of the machine's class.
    vibration = life["vibration"]
    top_of_axis = max(cd * 1.3, float(vibration.max()) * 1.08)
    edges = (0.0, ab, bc, cd, top_of_axis)
    for zone, (low, high, shade) in enumerate(zip(edges[:-1], edges[1:], ZONE_SHADES)):
        bottom.axhspan(low, high, color=shade, zorder=0, linewidth=0)
        bottom.text(1.005, (low + high) / 2, "ABCD"[zone], transform=bottom.get_yaxis_transform(),
                    fontsize=10, fontweight="bold", va="center", color="#333333")
    finding_limit = {"B": "A/B", "C": "B/C", "D": "C/D"}[life["finding_zone"]]
    for limit, name in ((ab, "A/B"), (bc, "B/C"), (cd, "C/D")):
        bottom.axhline(limit, color=GREY, linewidth=0.8, linestyle="--", zorder=1)
        note = {"C/D": ": the machine stops"}.get(name, "")
        if name == finding_limit:
            note += ": a weekly inspection reading above it is a finding"
        bottom.text(vibration.index[0], limit, f" {name} {limit:g} mm/s{note}", fontsize=8, color="#333333",
                    va="bottom")
    bottom.plot(vibration.index, vibration.to_numpy(), color="black", linewidth=0.8, marker=".", markersize=3.5,
                zorder=3)
    bottom.set_ylim(0, top_of_axis)
    bottom.set_ylabel("vibration velocity RMS (mm/s)")
    bottom.set_title(f"What the plant sees: vibration against the ISO 10816 zones, class {life['machine_class']} "
                     f"(A new, B fine, C plan maintenance, D stop)", loc="left", fontsize=10.5)

    for _, event in life["events"].iterrows():
        style = EVENT_STYLES[event["event"]]
        for axis in (top, bottom):
            axis.axvline(event["when"], color=style["color"], linestyle=style["linestyle"], linewidth=1.3, zorder=2)
        top.plot(event["when"], 1.04, marker=style["marker"], color=style["color"], markersize=8,
                 linestyle="none", zorder=4, clip_on=False)
        if event["event"] == "failure":
            # The last day's reading before the breakdown: was there a warning to act on?
            before = vibration[vibration.index < event["when"].normalize()]
            if len(before):
                zone = _zone(float(before.iloc[-1]), life["zones"])
                warning = "no warning" if zone in "AB" else "warned"
                early = event["when"] < life["health"].index[0] + pd.Timedelta(days=45)  # keep text inside
                bottom.annotate(f"day before: zone {zone}\n({warning})", (event["when"], top_of_axis * 0.97),
                                xytext=(4 if early else -4, 0), textcoords="offset points", fontsize=8.5,
                                color=VERMILLION, fontweight="bold", va="top", ha="left" if early else "right")
        if event["event"] != "preventive":
            top.annotate(_event_label(event, life["found_at"]), (event["when"], 0.06), xytext=(4, 0),
                         textcoords="offset points", fontsize=8.5, color=style["color"], fontweight="bold",
                         va="bottom")

    handles = [plt.Line2D([], [], color=BLUE, linewidth=1.6, label="true bearing health (ground truth)"),
               plt.Line2D([], [], color="black", marker=".", linewidth=0.8,
                          label=f"vibration, daily {VIBRATION_QUANTILE:.0%} quantile while producing")]
    handles += [plt.Line2D([], [], color=s["color"], linestyle=s["linestyle"], marker=s["marker"], label=s["label"])
                for s in EVENT_STYLES.values()]
    handles.append(plt.Rectangle((0, 0), 1, 1, color="#EDEDED", label="planned plant shutdown"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=9, frameon=False)

    bottom.xaxis.set_major_locator(mdates.MonthLocator(tz=life["timezone"]))
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%b", tz=life["timezone"]))
    bottom.set_xlabel(f"date in {life['year']} (plant local time, {life['timezone']})")
    bottom.set_xlim(life["health"].index[0], life["health"].index[-1])
    for axis in (top, bottom):
        axis.spines[["top", "right"]].set_visible(False)

    out.parent.mkdir(parents=True, exist_ok=True)
    # No software or date stamp in the file: the same plant draws the same bytes.
    fig.savefig(out, dpi=150, metadata={"Software": None})
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the README's figures from the generated plant.")
    parser.add_argument("--asset", default=DEFAULT_ASSET, help="CNC machine to follow (default %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG file to write")
    args = parser.parse_args(argv)
    print(f"Wrote {draw_asset_life(asset_life(args.asset), args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
