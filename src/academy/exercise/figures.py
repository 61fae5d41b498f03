"""Matplotlib figures reduced to what a check looks at.

:func:`summarise` turns a Figure or an Axes into a :class:`FigureSummary`,
a JSON-able dict::

    {
      "suptitle": "",
      "axes": [
        {
          "title": "Is CNC-101's vibration inside its alarm limit?",
          "xlabel": "time", "ylabel": "vibration RMS (mm/s)",
          "lines": [{"label": "CNC-101", "n": 288, "x": [...], "y": [...],
                     "y_min": 0.9, "y_max": 3.1, "y_mean": 1.7}],
          "hlines": [4.5],      # horizontal limit lines (axhline, hlines, two-point flat lines)
          "hline_styles": ["dashed"],  # each limit line's style: solid, dashed, dotted or dashdot
          "vlines": [20089.0]   # vertical marker lines, x in matplotlib's float units (dates: days)
        }
      ]
    }

Data lines hold their points as floats after matplotlib's unit conversion (dates become days since
1970); NaN becomes ``None``. Lines longer than :data:`MAX_POINTS` keep only ``n`` and the three
statistics, which is enough to tell them apart from the expected line.

:func:`expected_figure` builds what an exercise's ``expected`` function returns for the
:class:`~academy.exercise.kinds.Figure` kind.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np


class FigureSummary(dict):
    """A figure reduced to what checks look at (see :func:`summarise`)."""


MAX_POINTS = 20_000


def summarise(figure_or_axes: Any) -> FigureSummary:
    from matplotlib.axes import Axes

    if isinstance(figure_or_axes, Axes):
        axes_list = [figure_or_axes]
        figure = figure_or_axes.figure
    else:
        figure = figure_or_axes
        axes_list = list(figure.axes)
    suptitle = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) is not None else ""
    return FigureSummary(suptitle=suptitle, axes=[_summarise_axes(axes) for axes in axes_list])


def _summarise_axes(axes: Any) -> dict:
    from matplotlib.collections import LineCollection, PathCollection

    title = next((axes.get_title(loc) for loc in ("center", "left", "right") if axes.get_title(loc)), "")
    lines: list[dict] = []
    hlines: list[float] = []
    hline_styles: list[str] = []
    vlines: list[float] = []
    y_transform = axes.get_yaxis_transform(which="grid")
    x_transform = axes.get_xaxis_transform(which="grid")
    for line in axes.get_lines():
        points = np.asarray(line.get_xydata(), dtype=float).reshape(-1, 2)
        if line.get_transform() is y_transform:
            hlines.append(float(points[0, 1]))
            hline_styles.append(_style_name(line.get_linestyle()))
        elif line.get_transform() is x_transform:
            vlines.append(float(points[0, 0]))
        elif len(points) == 2 and points[0, 1] == points[1, 1] and points[0, 0] != points[1, 0]:
            hlines.append(float(points[0, 1]))  # a limit drawn as ax.plot([x0, x1], [y, y])
            hline_styles.append(_style_name(line.get_linestyle()))
        else:
            lines.append(_summarise_points(_label(line.get_label()), points))
    for collection in axes.collections:
        if isinstance(collection, LineCollection):
            styles = collection.get_linestyles() or [(0, None)]
            for position, segment in enumerate(collection.get_segments()):
                segment = np.asarray(segment, dtype=float)
                if len(segment) == 2 and segment[0, 1] == segment[1, 1]:
                    hlines.append(float(segment[0, 1]))
                    # ax.hlines keeps only the dash pattern: no pattern is solid, any other counts as dashed
                    hline_styles.append("solid" if styles[position % len(styles)][1] is None else "dashed")
                elif len(segment) == 2 and segment[0, 0] == segment[1, 0]:
                    vlines.append(float(segment[0, 0]))
        elif isinstance(collection, PathCollection):  # scatter plots
            lines.append(_summarise_points(_label(collection.get_label()), np.asarray(collection.get_offsets(), dtype=float)))
    return {
        "title": title,
        "xlabel": axes.get_xlabel(),
        "ylabel": axes.get_ylabel(),
        "lines": lines,
        "hlines": hlines,
        "hline_styles": hline_styles,
        "vlines": vlines,
    }


_STYLE_NAMES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dashdot", "solid": "solid",
                "dashed": "dashed", "dotted": "dotted", "dashdot": "dashdot"}


def _style_name(linestyle: Any) -> str:
    return _STYLE_NAMES.get(str(linestyle), "dashed" if isinstance(linestyle, tuple) else "none")


def _label(label: Any) -> str:
    label = str(label)
    return "" if label.startswith("_") else label  # matplotlib names unlabelled artists "_child0"


def _summarise_points(label: str, points: np.ndarray) -> dict:
    x = points[:, 0] if len(points) else np.empty(0)
    y = points[:, 1] if len(points) else np.empty(0)
    finite = y[np.isfinite(y)]
    summary = {
        "label": label,
        "n": int(len(y)),
        "y_min": float(finite.min()) if finite.size else None,
        "y_max": float(finite.max()) if finite.size else None,
        "y_mean": float(finite.mean()) if finite.size else None,
        "x_min": float(x.min()) if len(x) and np.isfinite(x).all() else None,
        "x_max": float(x.max()) if len(x) and np.isfinite(x).all() else None,
        "x": None,
        "y": None,
    }
    if len(y) <= MAX_POINTS:
        summary["x"] = _floats(x)
        summary["y"] = _floats(y)
    return summary


def _floats(values: Iterable[float]) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def expected_figure(
    y: Any = None, hlines: Iterable[float] = (), vlines: Iterable[float] = (), x: Any = None
) -> dict:
    """What a Figure exercise's ``expected`` returns: the main line's x and y values and the limit lines.

    ``y`` may be any sequence of numbers (a Series' values, a list); ``None`` means any data line
    will do. ``x`` is what the line is drawn against: numbers, or times (a Series of timestamps,
    turned into matplotlib's days as ``ax.plot`` does); ``None`` leaves the x values open.
    ``vlines`` values are in matplotlib's float units (use ``matplotlib.dates.date2num`` for times).
    """
    return {
        "x": None if x is None else _floats(_as_plot_numbers(x)),
        "y": None if y is None else _floats(np.asarray(y, dtype=float).reshape(-1)),
        "hlines": [float(v) for v in hlines],
        "vlines": [float(v) for v in vlines],
    }


def _as_plot_numbers(values: Any) -> np.ndarray:
    """Values as the float x positions matplotlib gives them: times as days since 1970."""
    import pandas as pd

    series = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        from matplotlib.dates import date2num

        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return np.asarray(date2num(series.to_numpy()), dtype=float)
    return np.asarray(series, dtype=float).reshape(-1)


def draw_expected(expected: dict, kind: Any = None) -> Any:
    """A matplotlib figure that meets an expectation from :func:`expected_figure` and everything a
    :class:`~academy.exercise.kinds.Figure` kind asks of it: its line, its limit lines in the
    kind's style, its marker lines, a question for a title and the axis labels' words and units.

    For previewing what a Figure exercise asks for, and for testing checks without a notebook.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    y = [np.nan if v is None else v for v in expected["y"]] if expected["y"] is not None else [0.0, 1.0]
    if expected.get("x") is not None:
        ax.plot([np.nan if v is None else v for v in expected["x"]], y)
    else:
        ax.plot(y)
    style = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-."}[getattr(kind, "limit_linestyle", "") or "dashed"]
    for value in expected["hlines"]:
        ax.axhline(value, linestyle=style)
    for value in expected["vlines"]:
        ax.axvline(value, linestyle=":")
    title_words = getattr(kind, "title_words", ())
    ax.set(
        title=" ".join(("What does the", *title_words, "figure show?")),
        xlabel=" ".join(getattr(kind, "xlabel_words", ()) or ("x",)),
        ylabel=" ".join(("value", *getattr(kind, "ylabel_words", ()), *getattr(kind, "ylabel_units", ()))),
    )
    plt.close(fig)
    return fig
