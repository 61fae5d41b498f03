"""The plant clock: time steps, shifts per line, weekends, holidays and shutdowns.

Shifts are planned in local time (so the daylight-saving changes move them against UTC, as in a
real plant); every table stores UTC.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from plantsim.model import Timeline
from plantsim.scenario import UTILITY_LINE, Scenario

SHIFT_CODES = {"early": 1, "late": 2, "night": 3}


def build_timeline(scenario: Scenario) -> Timeline:
    start_local = pd.Timestamp(scenario.start).tz_localize(scenario.timezone)
    end_local = pd.Timestamp(scenario.end).tz_localize(scenario.timezone)
    times_utc = pd.date_range(start_local.tz_convert("UTC"), end_local.tz_convert("UTC"),
                              freq=f"{scenario.step_minutes}min", inclusive="left")
    local = times_utc.tz_convert(scenario.timezone)
    minute_of_day = (local.hour * 60 + local.minute).to_numpy()

    clock_shift = np.zeros(len(times_utc), dtype=np.int8)
    for name, (begin, end) in scenario.shift_hours.items():
        b, e = begin.hour * 60 + begin.minute, end.hour * 60 + end.minute
        inside = (minute_of_day >= b) & (minute_of_day < e) if b < e else (minute_of_day >= b) | (minute_of_day < e)
        clock_shift[inside] = SHIFT_CODES[name]

    # A night shift belongs to the day it starts on: the hours after midnight count for the day before.
    night_start = scenario.shift_hours["night"][0]
    after_midnight = (clock_shift == SHIFT_CODES["night"]) & (minute_of_day < night_start.hour * 60 + night_start.minute)
    shift_day = (local.normalize().tz_localize(None) - pd.to_timedelta(after_midnight.astype(int), unit="D"))
    weekday = shift_day.day_of_week.to_numpy()
    shift_dates = shift_day.date

    stopped_days = set(scenario.holidays)
    for first, last in scenario.shutdowns:
        stopped_days.update(pd.date_range(first, last, freq="D").date)
    # A stop covers its whole calendar day, and every shift that belongs to it (a night shift running
    # into a holiday stops at midnight; one starting on a holiday evening does not run).
    stopped = np.asarray(sorted(stopped_days), dtype=object)
    calendar_dates = np.asarray(local.normalize().tz_localize(None).date)
    planned_stop = (np.isin(np.asarray(shift_dates), stopped) | np.isin(calendar_dates, stopped)) \
        if stopped_days else np.zeros(len(times_utc), dtype=bool)

    shift_by_line: dict[str, np.ndarray] = {}
    for line, shifts in scenario.line_shifts.items():
        weekday_codes = [SHIFT_CODES[s] for s in shifts]
        saturday_codes = [SHIFT_CODES[s] for s in scenario.line_saturday_shifts[line]]
        working = ((weekday < 5) & np.isin(clock_shift, weekday_codes)) | \
                  ((weekday == 5) & np.isin(clock_shift, saturday_codes))
        working &= ~planned_stop
        shift_by_line[line] = np.where(working, clock_shift, 0).astype(np.int8)
    # Utilities (compressed air) run whenever any production line works.
    any_line = np.max(np.stack(list(shift_by_line.values())), axis=0)
    shift_by_line[UTILITY_LINE] = any_line.astype(np.int8)

    return Timeline(
        times_utc=times_utc,
        step_minutes=scenario.step_minutes,
        timezone=scenario.timezone,
        shift=clock_shift,
        shift_by_line=shift_by_line,
        planned_stop=planned_stop,
    )
