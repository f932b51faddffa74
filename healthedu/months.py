"""Months and years, the one home: `YYYY-MM` in; first days, last days and aware bounds out.

Every route, page, job and report reads a month through parse_month(), so a month means the
same everywhere: YYYY-MM with a year from FIRST_YEAR to LAST_YEAR (the range the API's years
take), refused with one error, InvalidMonth. Arithmetic is dateutil's relativedelta.
"""

import datetime as dt
import re

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 2000, 2100
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class InvalidMonth(ValidationError, ValueError):
    """Not a month written YYYY-MM within the years served. A Django ValidationError (the
    services', forms' and API's refusal) and a ValueError (for plain callers)."""

    def __init__(self, value=None):
        super().__init__(_("Give the month as YYYY-MM, e.g. 2026-10."), code="invalid_month")
        self.value = value


def parse_month(value) -> dt.date:
    """'2026-10' → date(2026, 10, 1) (a date stands for its month). InvalidMonth otherwise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if FIRST_YEAR <= value.year <= LAST_YEAR:
            return value.replace(day=1)
        raise InvalidMonth(value)
    match = _MONTH.match(value.strip()) if isinstance(value, str) else None
    if match:
        year, month = int(match[1]), int(match[2])
        if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise InvalidMonth(value)


def month_or(value, default: dt.date) -> dt.date:
    """The month asked for, or `default`'s month when the text is no month (pages fall back)."""
    try:
        return parse_month(value or "")
    except InvalidMonth:
        return default.replace(day=1)


def shift_month(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` away (negative: back)."""
    return month.replace(day=1) + relativedelta(months=months)


def next_month(month: dt.date) -> dt.date:
    return shift_month(month, 1)


def previous_month(day: dt.date) -> dt.date:
    return shift_month(day, -1)


def month_end(month: dt.date) -> dt.date:
    """The month's last day."""
    return next_month(month) - dt.timedelta(days=1)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month as aware datetimes in the server's zone."""
    return _start_of(month.replace(day=1)), _start_of(next_month(month))


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the year as aware datetimes in the server's zone."""
    return _start_of(dt.date(year, 1, 1)), _start_of(dt.date(year + 1, 1, 1))


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first`'s to `last`'s, both included."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"
