"""Deposit schedules: frequencies, draft days (``depositIntervals``) and draft dates.

- ``M`` monthly: one day 1-30 (default: the first payment's day, capped at 30); later drafts fall
  on that day of each following month (the month's last day when it is shorter).
- ``SM`` semi-monthly: two days 1-30, e.g. ``"1,15"`` (default: the first payment's day and the
  day 15 days later in the month); drafts fall on each of them.
- ``BW`` bi-weekly: a weekday name (default: the first payment's weekday); drafts fall every 14
  days on that weekday.
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

from ._payload_envelope import BusinessError

FREQUENCIES = ("M", "SM", "BW")
WEEKDAYS = tuple(calendar.day_name)  # Monday first, as date.weekday() counts
INVALID_DEPOSIT_INTERVALS = "INVALID_DEPOSIT_INTERVALS"


def check_frequency(frequency: str) -> str:
    if frequency not in FREQUENCIES:
        raise BusinessError("INVALID_FREQUENCY", "frequency must be M, SM or BW")
    return frequency


def _day(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 30:
        raise BusinessError(INVALID_DEPOSIT_INTERVALS, "draft days must be numbers from 1 to 30")
    return int(text)


def normalize_intervals(frequency: str, intervals: str | None, first: date) -> str:
    """The draft day(s) in canonical form; defaults follow the first payment date."""
    if frequency == "M":
        return str(_day(intervals) if intervals else min(first.day, 30))
    if frequency == "SM":
        if not intervals:
            low = min(first.day, 30)
            other = low + 15 if low + 15 <= 30 else low - 15
            return ",".join(str(day) for day in sorted({low, max(other, 1)}))
        days = sorted({_day(part) for part in intervals.split(",")})
        if len(days) != 2 or len(intervals.split(",")) != 2:
            raise BusinessError(INVALID_DEPOSIT_INTERVALS, "SM takes two different days, e.g. 1,15")
        return f"{days[0]},{days[1]}"
    if not intervals:
        return WEEKDAYS[first.weekday()]
    name = intervals.strip().capitalize()
    if name not in WEEKDAYS:
        raise BusinessError(INVALID_DEPOSIT_INTERVALS, "BW takes a weekday name, e.g. Monday")
    return name


def draft_count(frequency: str, term_months: int) -> int:
    if frequency == "M":
        return term_months
    if frequency == "SM":
        return 2 * term_months
    return math.ceil(term_months * 26 / 12)


def _on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def draft_dates(frequency: str, intervals: str, first: date, count: int) -> list[date]:
    """``count`` draft dates: ``first``, then the recurring ones after it."""
    dates = [first]
    if frequency == "BW":
        wanted = WEEKDAYS.index(intervals)
        start = first + timedelta(days=8)
        start += timedelta(days=(wanted - start.weekday()) % 7)
        if wanted == first.weekday():
            start = first + timedelta(days=14)
        dates.extend(start + timedelta(days=14 * i) for i in range(count - 1))
        return dates
    days = [int(part) for part in intervals.split(",")]
    year, month = first.year, first.month
    while len(dates) < count:
        for day in days:
            candidate = _on_day(year, month, day)
            if candidate > dates[-1] and len(dates) < count:
                dates.append(candidate)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return dates
