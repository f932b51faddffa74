"""Reads: visits of a community-month for the ledger, counts by category, the referral queue.

Every count of categories and referrals counts measurement visits (the guideline's recorded
value), never raw readings: a resident measured twice at a screening is one person graded once.

Each function that reads the database takes a `reach` (a user or a healthedu.org.reach.Reach)
and applies it itself; without one it reads nothing. The ledger job passes its one community
(Reach.everything().narrow([id])), so the job and the API count alike.
"""

import datetime as dt

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from healthedu.months import month_bounds
from healthedu.org.reach import NOWHERE, Reach
from healthedu.screening.bp import (
    MAX_READINGS,
    Category,
    category_label,
    classify,
    referral_label,
    visit_prompt,
    visit_value,
)
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.models import URGENT_FIRST, BPReading, Referral, ReferralStatus, Visit
from residents.groups import GROUP_LABELS, age_on


def visits_in_month(queryset, month: dt.date):
    """Visits by the month of their first reading."""
    start, end = month_bounds(month)
    return queryset.filter(started_at__gte=start, started_at__lt=end)


def visit_rows_for_month(*, reach: Reach = NOWHERE, month: dt.date) -> list[dict]:
    """The ledger's blood-pressure table: one row per measurement visit, masked, in time order,
    with the readings it averages (a visit of one reading is marked `single`). Three queries."""
    visits = (
        visits_in_month(Visit.objects.in_reach(reach), month)
        .select_related("resident", "event", "referral_case")
        .prefetch_related(
            Prefetch("readings", queryset=BPReading.objects.order_by("measured_at", "id"))
        )
        .order_by("started_at", "id")
    )
    rows = []
    for visit in visits:
        resident = visit.resident
        measured_on = timezone.localtime(visit.started_at).date()
        groups = resident.groups_on(measured_on)
        case = getattr(visit, "referral_case", None)
        readings = list(visit.readings.all())
        rows.append(
            {
                "id": visit.pk,
                "measured_at": visit.started_at,
                "resident": resident.pk,
                "name": resident.name,
                "sex": resident.sex,
                "age": resident.age_on(measured_on),
                "groups": groups,
                "group_labels": [str(GROUP_LABELS[g]) for g in groups],
                "phone_masked": resident.phone_masked,
                "event": visit.event_id,
                "event_title": visit.event.title if visit.event else "",
                "readings": [(r.systolic, r.diastolic) for r in readings],
                "reading_count": visit.reading_count,
                "single": visit.single,
                "needs_another": visit.needs_another,
                "systolic": visit.systolic,
                "diastolic": visit.diastolic,
                "pulse": visit.pulse,
                "category": visit.category,
                "category_label": category_label(visit.category),
                "isolated_systolic": visit.isolated_systolic,
                "referral": visit.referral,
                "referral_label": referral_label(visit.referral),
                "referral_status": case.status if case else "",
                "followed_up_on": case.followed_up_on if case else None,
            }
        )
    return rows


def reading_counts(*, reach: Reach = NOWHERE, month: dt.date | None = None) -> dict:
    """Visits by category (every category present, 0 where none), flags and referrals:
    {"total" (visits), "readings", "single", "residents", "isolated_systolic_count",
    "referral_count", "urgent_count", "by_category": {code: n}}.
    """
    queryset = Visit.objects.in_reach(reach)
    if month is not None:
        queryset = visits_in_month(queryset, month)
    by_category = dict.fromkeys(Category.values, 0)
    for row in queryset.values("category").annotate(n=Count("id")).order_by():
        by_category[row["category"]] = row["n"]
    totals = queryset.aggregate(
        total=Count("id"),
        readings=Sum("reading_count"),
        single=Count("id", filter=Q(reading_count=1)),
        residents=Count("resident", distinct=True),
        isolated_systolic_count=Count("id", filter=Q(isolated_systolic=True)),
        referral_count=Count("id", filter=Q(referral=ReferralKind.REFERRAL)),
        urgent_count=Count("id", filter=Q(referral=ReferralKind.URGENT)),
    )
    totals["readings"] = totals["readings"] or 0
    return {**totals, "by_category": by_category}


def visit_summary(visit: Visit) -> dict:
    """The visit as the API and the pages show it beside each reading."""
    return {
        "id": visit.pk,
        "readings": visit.reading_count,
        "systolic": visit.systolic,
        "diastolic": visit.diastolic,
        "category": visit.category,
        "category_label": category_label(visit.category),
        "isolated_systolic": visit.isolated_systolic,
        "referral": visit.referral,
        "needs_another": visit.needs_another,
        "prompt": visit_prompt(visit.reading_count, visit.needs_another),
    }


def referral_queue(*, reach: Reach = NOWHERE, status: str | None = None, overdue_on=None):
    """Referrals in reach, urgent ones (grade 3) first, then oldest due first; `overdue_on` (a
    date) keeps the open ones past due then."""
    queryset = Referral.objects.for_list().in_reach(reach)
    if status:
        queryset = queryset.filter(status=status)
    if overdue_on is not None:
        queryset = queryset.overdue(overdue_on)
    return queryset.order_by(*URGENT_FIRST)


def urgent_referrals_open(*, reach: Reach = NOWHERE):
    """Open urgent referrals (紧急转诊), the home page's first block: they stay there until the
    resident was reached and the follow-up recorded (status followed up). Earliest due first."""
    return referral_queue(reach=reach, status=ReferralStatus.OPEN).filter(
        urgency=ReferralKind.URGENT
    )


def visit_preview(*, visit: Visit, systolic: int, diastolic: int) -> dict | None:
    """What the visit would record with one more reading of these values (None when it holds
    three already): the page shows it as the next reading is typed. Raises ImplausibleReading."""
    values = list(visit.readings.order_by("measured_at", "id").values_list("systolic", "diastolic"))
    if len(values) >= MAX_READINGS:
        return None
    value = visit_value([*values, (systolic, diastolic)])
    age = age_on(visit.resident.birth_date, timezone.localtime(visit.started_at).date())
    grade = classify(value.systolic, value.diastolic, visit.known_hypertension, age=age)
    count = len(values) + 1
    return {
        "readings": count,
        "systolic": value.systolic,
        "diastolic": value.diastolic,
        "category": grade.category,
        "category_label": category_label(grade.category),
        "isolated_systolic": grade.isolated_systolic,
        "referral": grade.referral,
        "needs_another": value.needs_another,
        "prompt": visit_prompt(count, value.needs_another),
    }
