"""Occurrences of a repeat rule: a pure function, tested without a database."""

import calendar
import datetime as dt

from django.utils import timezone

MAX_OCCURRENCES = 200


def _add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    # The 31st in a 30-day month falls on its last day, and returns to the 31st after.
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(anchor_day, last))


def occurrence_dates(
    first: dt.date,
    *,
    rule: str,
    interval: int = 1,
    until: dt.date | None = None,
    count: int | None = None,
) -> list[dt.date]:
    """Dates of a weekly or monthly rule from `first`, up to `until` (inclusive) or `count`.

    Stops at MAX_OCCURRENCES whichever comes first; the caller refuses a rule that reaches it.
    """
    if interval < 1:
        raise ValueError("interval must be at least 1")
    if until is None and count is None:
        raise ValueError("until or count is required")
    dates: list[dt.date] = []
    step = 0
    while len(dates) <= MAX_OCCURRENCES:
        if rule == "weekly":
            day = first + dt.timedelta(weeks=step * interval)
        elif rule == "monthly":
            day = _add_months(first, step * interval, first.day)
        else:
            raise ValueError(f"unknown rule {rule!r}")
        if until is not None and day > until:
            break
        if count is not None and len(dates) >= count:
            break
        dates.append(day)
        step += 1
    return dates


def occurrence_times(
    starts_at: dt.datetime, ends_at: dt.datetime, dates: list[dt.date]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Start and end on each date at the same local wall-clock time as the first occurrence."""
    tz = timezone.get_current_timezone()
    local_start = timezone.localtime(starts_at, tz)
    duration = ends_at - starts_at
    times = []
    for day in dates:
        start = dt.datetime.combine(day, local_start.time().replace(tzinfo=None))
        start = timezone.make_aware(start, tz)
        times.append((start, start + duration))
    return times
