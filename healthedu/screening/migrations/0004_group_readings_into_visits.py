"""Group the readings stored so far into measurement visits and grade the visits.

- A resident's readings at one activity are one visit (the first three in time: a fourth or
  later reading at one activity is taken off the activity and grouped as a reading without
  one, and the audit log says so); readings without an activity are one visit while they lie
  within 15 minutes of the visit's first reading (and a visit holds at most three).
- Each visit gets the mean of its readings, its grade, flag and referral by the one rule
  (healthedu.screening.bp: mean half up, not graded under 18), copied onto its readings.
- Referrals move from readings to visits. A visit that calls for none loses its open referrals;
  one already followed up stays on record. Where a visit now holds two or more referrals, the
  earliest is kept; a follow-up recorded on a later one is carried over to it (or, when both
  were followed up, appended to its outcome), the later ones are removed, and the audit log
  notes each merge.
- A resident measured at an activity is checked in to it (the rule from now on), except in
  finalised months, whose figures stay as printed.
"""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

from healthedu.screening.bp import MAX_READINGS, classify, visit_value

WINDOW = dt.timedelta(minutes=15)


def _local(value):
    return value.astimezone(ZoneInfo(settings.TIME_ZONE))


def _age(birth, on):
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def _audit(AuditEntry, *, action, model, object_id, note):
    AuditEntry.objects.create(
        action=action, model=model, object_id=str(object_id), object_repr="", note=note
    )


def forwards(apps, schema_editor):
    BPReading = apps.get_model("screening", "BPReading")
    Visit = apps.get_model("screening", "Visit")
    Referral = apps.get_model("screening", "Referral")
    Resident = apps.get_model("residents", "Resident")
    Attendance = apps.get_model("activities", "Attendance")
    PeriodLock = apps.get_model("reports", "PeriodLock")
    AuditEntry = apps.get_model("audit", "AuditEntry")

    readings = list(BPReading.objects.order_by("resident_id", "measured_at", "id"))
    if not readings:
        return
    births = dict(Resident.objects.values_list("pk", "birth_date"))

    # 1. Group.
    groups: list[list] = []
    open_loose: dict[tuple, list] = {}
    at_event: dict[tuple, list] = {}
    for reading in readings:
        if reading.event_id is not None:
            key = (reading.resident_id, reading.event_id)
            group = at_event.get(key)
            if group is None:
                group = at_event[key] = []
                groups.append(group)
            if len(group) < MAX_READINGS:
                group.append(reading)
                continue
            _audit(
                AuditEntry,
                action="update",
                model="screening.BPReading",
                object_id=reading.pk,
                note=f"visits: a fourth reading at activity {reading.event_id}, taken off it",
            )
            reading.event_id = None
        key = (reading.resident_id, reading.community_id)
        group = open_loose.get(key)
        if (
            group is None
            or len(group) >= MAX_READINGS
            or reading.measured_at - group[0].measured_at > WINDOW
        ):
            group = open_loose[key] = []
            groups.append(group)
        group.append(reading)

    # 2. Grade each visit by the one rule and store it.
    visits = []
    for group in groups:
        first = group[0]
        value = visit_value([(r.systolic, r.diastolic) for r in group])
        age = _age(births[first.resident_id], _local(first.measured_at).date())
        category, isolated, referral = classify(
            value.systolic, value.diastolic, first.known_hypertension, age=age
        )
        pulses = [r.pulse for r in group if r.pulse is not None]
        visits.append(
            Visit(
                community_id=first.community_id,
                resident_id=first.resident_id,
                event_id=first.event_id,
                started_at=first.measured_at,
                ended_at=group[-1].measured_at,
                reading_count=len(group),
                systolic=value.systolic,
                diastolic=value.diastolic,
                pulse=round(sum(pulses) / len(pulses)) if pulses else None,
                known_hypertension=first.known_hypertension,
                category=category,
                isolated_systolic=isolated,
                referral=referral,
                needs_another=value.needs_another,
            )
        )
    visits = Visit.objects.bulk_create(visits, batch_size=500)
    for visit, group in zip(visits, groups, strict=True):
        for reading in group:
            reading.visit_id = visit.pk
            reading.category = visit.category
            reading.isolated_systolic = visit.isolated_systolic
            reading.referral = visit.referral
    BPReading.objects.bulk_update(
        readings, ["visit", "event", "category", "isolated_systolic", "referral"], batch_size=500
    )

    # 3. Referrals: one per visit, follow-ups kept.
    visit_of_reading = {r.pk: r.visit_id for r in readings}
    by_visit = defaultdict(list)
    for referral in Referral.objects.order_by("created_at", "id"):
        by_visit[visit_of_reading[referral.reading_id]].append(referral)
    days = settings.HEALTHEDU["REFERRAL_FOLLOWUP_DAYS"]
    for visit in visits:
        cases = by_visit.get(visit.pk, [])
        if visit.referral == "none":
            for case in [c for c in cases if c.status == "open"]:
                case.delete()
            cases = [c for c in cases if c.status != "open"]
            if not cases:
                continue
        elif not cases:
            Referral.objects.create(
                visit_id=visit.pk,
                community_id=visit.community_id,
                resident_id=visit.resident_id,
                urgency=visit.referral,
                due_on=_local(visit.started_at).date() + dt.timedelta(days=days),
            )
            continue
        keep, *later = cases
        for other in later:
            if other.status == "followed_up":
                if keep.status == "open":
                    keep.status = "followed_up"
                    keep.followed_up_on = other.followed_up_on
                    keep.outcome = other.outcome
                    keep.followed_up_by_id = other.followed_up_by_id
                else:
                    keep.outcome = (
                        f"{keep.outcome}\n[{other.followed_up_on:%Y-%m-%d}] {other.outcome}"
                    ).strip()
            _audit(
                AuditEntry,
                action="delete",
                model="screening.Referral",
                object_id=other.pk,
                note=f"visits: merged into referral {keep.pk} of visit {visit.pk}",
            )
            other.delete()
        keep.visit_id = visit.pk
        if visit.referral != "none":
            keep.urgency = visit.referral
            keep.due_on = _local(visit.started_at).date() + dt.timedelta(days=days)
        keep.save()

    # 4. Check in the residents measured at activities (not in finalised months).
    locked = set(PeriodLock.objects.filter(active=True).values_list("community_id", "month"))
    present = set(Attendance.objects.values_list("event_id", "resident_id"))
    Event = apps.get_model("activities", "Event")
    events = Event.objects.in_bulk({v.event_id for v in visits if v.event_id})
    missing = []
    for visit in visits:
        event = events.get(visit.event_id)
        if event is None or (event.pk, visit.resident_id) in present:
            continue
        month = _local(event.starts_at).date().replace(day=1)
        if (event.community_id, month) in locked:
            continue
        present.add((event.pk, visit.resident_id))
        missing.append(Attendance(event_id=event.pk, resident_id=visit.resident_id))
    Attendance.objects.bulk_create(missing, batch_size=500)
    if missing:
        _audit(
            AuditEntry,
            action="create",
            model="activities.Attendance",
            object_id="",
            note=f"visits: {len(missing)} residents measured at activities checked in to them",
        )
    _audit(
        AuditEntry,
        action="update",
        model="screening.BPReading",
        object_id="",
        note=f"visits: {len(readings)} readings grouped into {len(visits)} visits and re-graded",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_visits"),
        ("activities", "0002_venue_exclusion_postgres"),
        ("audit", "0002_initial"),
        ("reports", "0001_initial"),
        ("residents", "0002_no_like_indexes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
