"""The data migration that groups stored readings into visits and re-grades them."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from healthedu.activities.models import Attendance
from healthedu.audit.models import AuditEntry
from healthedu.screening.models import BPReading, Referral, Visit
from reports.models import PeriodLock
from tests.factories import make_event, make_resident
from tests.screening.conftest import SCREENING, SCREENING_DAY

BEFORE = [("screening", "0002_reading_known_hypertension")]


def at(minutes, day=SCREENING_DAY):
    return day + dt.timedelta(minutes=minutes)


@pytest.mark.django_db(transaction=True)
def test_readings_are_grouped_into_visits_and_referrals_merged_keeping_follow_ups(
    community_a,
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldReading = old.get_model("screening", "BPReading")
    OldReferral = old.get_model("screening", "Referral")

    screening = make_event(community_a, starts_at=SCREENING_DAY, **SCREENING)
    september = make_event(
        community_a, starts_at=SCREENING_DAY - dt.timedelta(days=30), **SCREENING
    )
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 9, 1))

    def reading(resident, minute, systolic, diastolic, event=None, referral=None, day=None):
        stored = OldReading.objects.create(
            community_id=community_a.pk,
            resident_id=resident.pk,
            event_id=event.pk if event else None,
            systolic=systolic,
            diastolic=diastolic,
            measured_at=at(minute, day or SCREENING_DAY),
            category="grade_1" if referral else "normal",
            referral="referral" if referral else "none",
        )
        if referral:
            done = referral == "done"
            OldReferral.objects.create(
                reading_id=stored.pk,
                community_id=community_a.pk,
                resident_id=resident.pk,
                urgency="referral",
                due_on=dt.date(2026, 10, 31),
                status="followed_up" if done else "open",
                followed_up_on=dt.date(2026, 10, 20) if done else None,
                outcome=f"随访{stored.pk}" if done else "",
            )
        return stored

    lowered = make_resident(community_a, age=60)  # 142/88 + 136/84 → 139/86, no referral
    reading(lowered, 1, 142, 88, screening, referral="open")
    reading(lowered, 3, 136, 84, screening)
    twice = make_resident(community_a, age=60)  # two referrals: the earliest kept
    reading(twice, 1, 150, 95, screening, referral="done")
    reading(twice, 3, 152, 96, screening, referral="open")
    carried = make_resident(community_a, age=60)  # the later one's follow-up carried over
    first_open = reading(carried, 1, 150, 95, screening, referral="open")
    reading(carried, 3, 154, 97, screening, referral="done")
    kept = make_resident(community_a, age=60)  # followed up, now no referral: kept on record
    reading(kept, 1, 142, 88, screening, referral="done")
    reading(kept, 3, 130, 80, screening)
    loose = make_resident(community_a, age=60)  # without an activity: 15 minutes
    reading(loose, 0, 160, 100)
    reading(loose, 15, 150, 95)
    reading(loose, 16, 120, 80)
    minor = make_resident(community_a, age=15)
    reading(minor, 1, 185, 115, screening, referral="open")
    many = make_resident(community_a, age=60)
    for minute in range(4):
        reading(many, minute, 130, 80, screening)
    locked = make_resident(community_a, age=60)
    reading(locked, 1, 130, 80, september, day=september.starts_at)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    def visits(resident):
        return list(Visit.objects.filter(resident=resident).order_by("started_at"))

    [visit] = visits(lowered)
    assert (visit.reading_count, visit.systolic, visit.diastolic) == (2, 139, 86)
    assert (visit.category, visit.referral) == ("high_normal", "none")
    assert not Referral.objects.filter(resident=lowered).exists()

    [referral] = Referral.objects.filter(resident=twice)
    assert referral.status == "followed_up" and referral.visit.category == "grade_1"

    [referral] = Referral.objects.filter(resident=carried)
    assert referral.visit.readings.order_by("measured_at").first().pk == first_open.pk
    assert referral.status == "followed_up" and referral.outcome.startswith("随访")
    assert (
        AuditEntry.objects.filter(model="screening.Referral", note__contains="merged into").count()
        == 2
    )

    [referral] = Referral.objects.filter(resident=kept)
    assert referral.status == "followed_up" and referral.visit.referral == "none"

    assert [v.reading_count for v in visits(loose)] == [2, 1]
    assert visits(minor)[0].category == "not_graded"
    assert not Referral.objects.filter(resident=minor).exists()
    assert [(v.event_id, v.reading_count) for v in visits(many)] == [
        (screening.pk, 3),
        (None, 1),
    ]
    # Every reading carries its visit's grade.
    for stored in BPReading.objects.select_related("visit"):
        assert (stored.category, stored.referral) == (stored.visit.category, stored.visit.referral)
    # Measured at an activity → checked in, except in the finalised September.
    assert Attendance.objects.filter(event=screening).count() == 6
    assert not Attendance.objects.filter(event=september).exists()
