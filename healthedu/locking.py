"""Finalised months are locked: their activities, attendance, readings and responses stay as printed.

The lock itself is reports.PeriodLock (made when a ledger is finalised); services that write
dated records call ensure_period_open() first, so the rule has one home.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.errors import PeriodLocked

__all__ = ["PeriodLocked", "ensure_period_open", "month_start"]


def month_start(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def ensure_period_open(community_id: int | None, when) -> None:
    if community_id is None or when is None:
        return
    from reports.models import PeriodLock

    month = month_start(when)
    if PeriodLock.objects.filter(community_id=community_id, month=month, active=True).exists():
        raise PeriodLocked(
            _(
                "The ledger of %(month)s has been finalised; its records can no longer be changed. An administrator can unlock it."
            )
            % {"month": month.strftime("%Y-%m")}
        )
