"""Reads: readings of a community-month for the ledger, counts by category, the referral queue.

Callers pass the communities already in the user's reach (or scope a queryset with
`in_reach`); these functions add no scope of their own, so the ledger job and the API agree.
"""

import datetime as dt
import re

from django.db.models import Count, Q
from django.utils import timezone

from healthedu.screening.bp import Category, category_label, referral_label
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.models import BPReading, Referral, ReferralStatus
from residents.groups import GROUP_LABELS

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> dt.date:
    """'2026-10' → 2026-10-01. ValueError for anything else."""
    match = _MONTH.match((text or "").strip())
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), 1)


def month_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, aware in the server zone."""
    start = month.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(following, dt.time.min, tzinfo=zone),
    )


def readings_in_month(queryset, month: dt.date):
    start, end = month_range(month)
    return queryset.filter(measured_at__gte=start, measured_at__lt=end)


def reading_rows_for_month(*, community_id: int, month: dt.date) -> list[dict]:
    """The ledger's blood-pressure table: one row per reading, masked, in time order."""
    readings = (
        readings_in_month(BPReading.objects.filter(community_id=community_id), month)
        .select_related("resident", "event", "referral_case")
        .order_by("measured_at", "id")
    )
    rows = []
    for reading in readings:
        resident = reading.resident
        measured_on = timezone.localtime(reading.measured_at).date()
        groups = resident.groups_on(measured_on)
        case = getattr(reading, "referral_case", None)
        rows.append(
            {
                "id": reading.pk,
                "measured_at": reading.measured_at,
                "resident": resident.pk,
                "name": resident.name,
                "sex": resident.sex,
                "age": resident.age_on(measured_on),
                "groups": groups,
                "group_labels": [str(GROUP_LABELS[g]) for g in groups],
                "phone_masked": resident.phone_masked,
                "event": reading.event_id,
                "event_title": reading.event.title if reading.event else "",
                "systolic": reading.systolic,
                "diastolic": reading.diastolic,
                "pulse": reading.pulse,
                "category": reading.category,
                "category_label": category_label(reading.category),
                "isolated_systolic": reading.isolated_systolic,
                "referral": reading.referral,
                "referral_label": referral_label(reading.referral),
                "referral_status": case.status if case else "",
                "followed_up_on": case.followed_up_on if case else None,
            }
        )
    return rows


def reading_counts(*, community_ids, month: dt.date | None = None) -> dict:
    """Readings by category (every category present, 0 where none), flags and referrals:
    {"total", "residents", "isolated_systolic_count", "referral_count", "urgent_count",
    "by_category": {code: n}}.

    community_ids None means every community (an admin's reach).
    """
    queryset = BPReading.objects.all()
    if community_ids is not None:
        queryset = queryset.filter(community_id__in=community_ids)
    if month is not None:
        queryset = readings_in_month(queryset, month)
    by_category = dict.fromkeys(Category.values, 0)
    for row in queryset.values("category").annotate(n=Count("id")).order_by():
        by_category[row["category"]] = row["n"]
    totals = queryset.aggregate(
        total=Count("id"),
        residents=Count("resident", distinct=True),
        isolated_systolic_count=Count("id", filter=Q(isolated_systolic=True)),
        referral_count=Count("id", filter=Q(referral=ReferralKind.REFERRAL)),
        urgent_count=Count("id", filter=Q(referral=ReferralKind.URGENT)),
    )
    return {**totals, "by_category": by_category}


def referral_queue(*, community_ids=None, status: str | None = None, overdue_on=None):
    """Referrals, oldest due first; `overdue_on` (a date) keeps the open ones past due then."""
    queryset = Referral.objects.for_list()
    if community_ids is not None:
        queryset = queryset.filter(community_id__in=community_ids)
    if status:
        queryset = queryset.filter(status=status)
    if overdue_on is not None:
        queryset = queryset.overdue(overdue_on)
    return queryset.order_by("due_on", "id")


def referrals_open(*, community_ids, today: dt.date) -> list[Referral]:
    return list(referral_queue(community_ids=community_ids, status=ReferralStatus.OPEN))


def referrals_overdue(*, community_ids, today: dt.date) -> list[Referral]:
    return list(referral_queue(community_ids=community_ids, overdue_on=today))
