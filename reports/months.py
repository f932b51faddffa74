"""Months as the ledger knows them: `YYYY-MM` in, the first day and aware bounds out."""

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value) -> dt.date:
    """'2026-10' → date(2026, 10, 1); anything else is a ValidationError naming the month."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(value.strip()) if isinstance(value, str) else None
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise ValidationError({"month": [_("Give the month as YYYY-MM, e.g. 2026-10.")]})


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month as aware datetimes in the server's zone."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(month.replace(day=1), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(next_month(month), dt.time(), tzinfo=zone)
    return start, end


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"
