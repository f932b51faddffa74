"""Writes: readings (one, many, corrections, removal), the visits they form, referral follow-ups.

Every write checks the rule in healthedu.screening.bp, the activity it belongs to and the
finalised months (healthedu.locking), saves in one transaction and writes the audit log
(field names only, never values).

Measurement visits (the guideline's "mean of two, or three"): a reading joins the resident's
visit at the same activity, or without an activity the visit whose readings all lie within 15
minutes of it (VISIT_WINDOW, inclusive: 15:00 apart is one visit, 15:01 is two); otherwise it
opens a visit. A visit holds at most three readings: a fourth is refused (400) rather than
silently replacing an earlier one, so the recorded mean is always of readings the educator saw
counted. Every write locks the resident's row first (SELECT ... FOR NO KEY UPDATE), so two saves
for one person are applied one after the other and cannot open two visits or two referrals;
the database's one-visit-per-activity and one-referral-per-visit constraints are the last word.

A reading at an activity checks the resident in to it through the attendance service (one row,
never two). The measurement overrides the activity's capacity: the person was there and was
measured, and a capacity limits sign-ups, not who is counted as present. A finalised month
refuses the check-in as it refuses the reading. Correcting or deleting a reading leaves the
check-in alone (the person came).
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.activities.attendance import attendance_check_in
from healthedu.activities.models import Attendance
from healthedu.audit.models import AuditEntry
from healthedu.audit.services import Action, audit_record
from healthedu.locking import PeriodLocked, ensure_period_open, month_start
from healthedu.pii import pii_decrypt
from healthedu.screening.bp import MAX_READINGS, classify, plausibility_errors, visit_value
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.models import (
    READING_EVENT_KINDS,
    BPReading,
    Referral,
    ReferralStatus,
    Visit,
)
from residents.groups import age_on
from residents.models import Resident

# A reading may carry a time a little ahead of the server's clock (a tablet's clock drifts);
# beyond that it is a typing error.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# Nothing before this is a reading of this system (nor before the resident's birth).
EARLIEST_READING = dt.date(2000, 1, 1)
READING_FIELDS = ("resident", "event", "systolic", "diastolic", "pulse", "measured_at")
# Readings without an activity this close together (first to last) are one visit.
VISIT_WINDOW = dt.timedelta(minutes=15)
# What a visit copies onto its readings.
MIRRORED = ("category", "isolated_systolic", "referral")
VISIT_VALUES = (
    "started_at",
    "ended_at",
    "reading_count",
    "systolic",
    "diastolic",
    "pulse",
    "known_hypertension",
    "category",
    "isolated_systolic",
    "referral",
    "needs_another",
)


def referral_due_on(measured_at: dt.datetime) -> dt.date:
    """The day by which a referral must be followed up (the national specification's 2 weeks)."""
    days = settings.HEALTHEDU["REFERRAL_FOLLOWUP_DAYS"]
    return timezone.localtime(measured_at).date() + dt.timedelta(days=days)


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def clean_reading(data: dict, *, exclude_pk=None, taken: set | None = None) -> dict:
    """Check one reading's values against the rules; return them with the classification.

    `data` holds resident (a Resident), event (an Event or None), systolic, diastolic, pulse
    (or None), measured_at (aware, or None for the activity's start or now) and, optionally,
    known_hypertension (default: the resident's register entry). Raises
    ValidationError {field: [message]} naming what is wrong.
    """
    errors: dict[str, list[str]] = {}
    resident = data["resident"]
    event = data.get("event")
    systolic, diastolic, pulse = data["systolic"], data["diastolic"], data.get("pulse")
    errors.update(plausibility_errors(systolic, diastolic, pulse))

    measured_at = data.get("measured_at") or _default_time(resident, event, exclude_pk, taken)
    if measured_at > timezone.now() + FUTURE_TOLERANCE:
        errors.setdefault("measured_at", []).append(
            _("The time of measurement %(time)s lies in the future.")
            % {"time": timezone.localtime(measured_at).strftime("%Y-%m-%d %H:%M")}
        )
    elif _local_date(measured_at) < max(EARLIEST_READING, resident.birth_date):
        errors.setdefault("measured_at", []).append(
            _("The date of measurement %(day)s is too early; please check the year.")
            % {"day": _local_date(measured_at).isoformat()}
        )

    if event is not None:
        errors.update(_event_errors(event, resident, measured_at))

    if "measured_at" not in errors and _taken(resident, measured_at, exclude_pk, taken):
        errors.setdefault("measured_at", []).append(
            _("%(name)s already has a reading at this time.") % {"name": resident.name}
        )

    if errors:
        raise ValidationError(errors)
    known = data.get("known_hypertension")
    if known is None:
        known = resident.has_hypertension
    # The reading's own grade until its visit's mean replaces it (_visits_refresh).
    category, isolated, referral = classify(
        systolic, diastolic, known, age=age_on(resident.birth_date, _local_date(measured_at))
    )
    return {
        "known_hypertension": known,
        "resident": resident,
        "community_id": resident.community_id,
        "event": event,
        "systolic": systolic,
        "diastolic": diastolic,
        "pulse": pulse,
        "measured_at": measured_at,
        "category": category,
        "isolated_systolic": isolated,
        "referral": referral,
    }


def _default_time(resident, event, exclude_pk, taken: set | None) -> dt.datetime:
    """A reading typed without a time: now, or, for an activity not under way now (a sheet
    typed afterwards), the activity's start, a minute later for each reading the resident
    already has then, so that a visit's second and third readings get times of their own."""
    now = timezone.now()
    if event is None or event.starts_at <= now <= event.ends_at:
        return now
    when = event.starts_at
    for _step in range(MAX_READINGS * 2):
        if not _taken(resident, when, exclude_pk, taken):
            break
        when += dt.timedelta(minutes=1)
    return when


def _taken(resident, measured_at, exclude_pk, taken: set | None) -> bool:
    """Whether the resident has a reading at that instant (`taken`: the pairs known, for bulk)."""
    if taken is not None:
        return (resident.pk, measured_at) in taken
    return (
        BPReading.objects.filter(resident=resident, measured_at=measured_at)
        .exclude(pk=exclude_pk)
        .exists()
    )


def _event_errors(event, resident, measured_at) -> dict:
    if event.kind not in READING_EVENT_KINDS:
        return {
            "event": [
                _(
                    "Blood pressure is recorded at activities people attend in person; “%(title)s” is a %(kind)s, which nobody attends."
                )
                % {"title": event.title, "kind": event.get_kind_display()}
            ]
        }
    if event.status == "cancelled":
        return {"event": [_("The activity “%(title)s” was cancelled.") % {"title": event.title}]}
    if event.community_id != resident.community_id:
        return {
            "resident": [
                _("%(name)s does not live in the community of the activity “%(title)s”.")
                % {"name": resident.name, "title": event.title}
            ]
        }
    first, last = _local_date(event.starts_at), _local_date(event.ends_at)
    if not first <= _local_date(measured_at) <= last:
        return {
            "measured_at": [
                _(
                    "The reading was taken on %(day)s, but the activity “%(title)s” was held on %(held)s."
                )
                % {
                    "day": _local_date(measured_at).isoformat(),
                    "title": event.title,
                    "held": first.isoformat(),
                }
            ]
        }
    return {}


def _apply(reading: BPReading, cleaned: dict) -> None:
    for name, value in cleaned.items():
        setattr(reading, name, value)


# Visits ----------------------------------------------------------------------------------------


class _Refused(Exception):
    """Rows that cannot be stored, {index: {field: [message]}}; raised to roll back the write."""

    def __init__(self, errors: dict[int, dict]):
        super().__init__(errors)
        self.errors = errors


class _Slot:
    """A visit as placing sees it: the stored Visit (or None, to be made) and its readings' times."""

    def __init__(self, *, visit, resident_id, community_id, event_id, times):
        self.visit = visit
        self.resident_id = resident_id
        self.community_id = community_id
        self.event_id = event_id
        self.times = list(times)

    def fits(self, when: dt.datetime) -> bool:
        """Without an activity: whether all readings, with this one, lie within the window."""
        times = [*self.times, when]
        return max(times) - min(times) <= VISIT_WINDOW


def _lock_residents(resident_ids) -> None:
    # NO KEY UPDATE: serialises the person's BP writes, yet lets a check-in elsewhere insert a
    # row that refers to the resident (a foreign key takes KEY SHARE, which this does not block).
    list(
        Resident.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted(resident_ids))
        .values_list("pk", flat=True)
    )


def _place(cleaned_rows: list[dict], *, moving: BPReading | None = None) -> list[_Slot]:
    """The visit of each row (a _Slot, shared by rows of one visit), in the rows' order.

    Two queries whatever the number of rows. `moving` is a reading being corrected: its own
    time does not count in its old visit, and that visit is preferred when it still fits.
    Raises _Refused for rows that would be a visit's fourth reading, PeriodLocked when a row
    joins a visit that began in a finalised month.
    """
    resident_ids = {row["resident"].pk for row in cleaned_rows}
    event_ids = {row["event"].pk for row in cleaned_rows if row["event"] is not None}
    loose = [row["measured_at"] for row in cleaned_rows if row["event"] is None]
    wanted = Q(pk__in=[])
    if event_ids:
        wanted |= Q(event_id__in=event_ids)
    if loose:
        wanted |= Q(
            event__isnull=True,
            started_at__lte=max(loose) + VISIT_WINDOW,
            ended_at__gte=min(loose) - VISIT_WINDOW,
        )
    visits = list(
        Visit.objects.select_for_update()
        .filter(wanted, resident_id__in=resident_ids)
        .order_by("started_at", "id")
    )
    times: dict[int, list] = {v.pk: [] for v in visits}
    stored = BPReading.objects.filter(visit__in=visits)
    if moving is not None:
        stored = stored.exclude(pk=moving.pk)
    for visit_id, measured_at in stored.values_list("visit_id", "measured_at"):
        times[visit_id].append(measured_at)
    slots = [
        _Slot(
            visit=v,
            resident_id=v.resident_id,
            community_id=v.community_id,
            event_id=v.event_id,
            times=times[v.pk],
        )
        for v in visits
    ]
    if moving is not None:
        # The reading's own visit first, so a correction stays in it while it still fits.
        slots.sort(key=lambda slot: slot.visit.pk != moving.visit_id)

    placed: list[_Slot | None] = [None] * len(cleaned_rows)
    errors: dict[int, dict] = {}
    order = sorted(range(len(cleaned_rows)), key=lambda i: cleaned_rows[i]["measured_at"])
    for index in order:
        row = cleaned_rows[index]
        resident, event, when = row["resident"], row["event"], row["measured_at"]
        event_id = event.pk if event is not None else None
        mine = [
            s
            for s in slots
            if s.resident_id == resident.pk
            and s.event_id == event_id
            and s.community_id == row["community_id"]
        ]
        if event_id is not None:
            slot = mine[0] if mine else None
        else:
            fitting = [s for s in mine if s.fits(when)]
            slot = next((s for s in fitting if len(s.times) < MAX_READINGS), None)
            if slot is None and fitting:
                slot = fitting[0]
        if slot is not None and len(slot.times) >= MAX_READINGS:
            errors[index] = _fourth_reading_error(resident, event)
            continue
        if slot is None:
            slot = _Slot(
                visit=None,
                resident_id=resident.pk,
                community_id=row["community_id"],
                event_id=event_id,
                times=[],
            )
            slots.append(slot)
        elif slot.visit is not None and slot.visit.pk != getattr(moving, "visit_id", None):
            ensure_period_open(slot.visit.community_id, slot.visit.started_at)
        slot.times.append(when)
        placed[index] = slot
    if errors:
        raise _Refused(errors)
    return placed


def _fourth_reading_error(resident, event) -> dict:
    if event is not None:
        return {
            "event": [
                _(
                    "%(name)s already has three readings at “%(title)s”; a visit records the mean of at most three. Correct or delete one of them instead."
                )
                % {"name": resident.name, "title": event.title}
            ]
        }
    return {
        "measured_at": [
            _(
                "%(name)s already has three readings within 15 minutes of this time; a visit records the mean of at most three. Correct or delete one of them, or measure again more than 15 minutes later for a new visit."
            )
            % {"name": resident.name}
        ]
    }


def _open_visits(slots: list[_Slot], cleaned_rows: list[dict]) -> None:
    """Store the visits placing made up (one query); their values follow in _visits_refresh."""
    new = []
    for slot, row in zip(slots, cleaned_rows, strict=True):
        if slot.visit is None:
            slot.visit = Visit(
                community_id=slot.community_id,
                resident_id=slot.resident_id,
                event_id=slot.event_id,
                started_at=min(slot.times),
                ended_at=max(slot.times),
                systolic=row["systolic"],
                diastolic=row["diastolic"],
                category=row["category"],
            )
            new.append(slot.visit)
    Visit.objects.bulk_create(new)


def _visits_refresh(visit_ids) -> list[Visit]:
    """Recompute visits from their readings: mean, grade, flag, referral, the copy on each
    reading and the one referral. Empty visits are removed. A fixed number of queries."""
    visit_ids = {pk for pk in visit_ids if pk is not None}
    if not visit_ids:
        return []
    visits = list(Visit.objects.filter(pk__in=visit_ids).select_related("resident"))
    readings: dict[int, list[BPReading]] = {v.pk: [] for v in visits}
    for reading in BPReading.objects.filter(visit_id__in=visit_ids).order_by("measured_at", "id"):
        readings[reading.visit_id].append(reading)
    empty = [v.pk for v in visits if not readings[v.pk]]
    if empty:
        Visit.objects.filter(pk__in=empty).delete()
    visits = [v for v in visits if readings[v.pk]]
    changed_readings = []
    for visit in visits:
        mine = readings[visit.pk]
        visit_values_apply(visit, mine)
        for reading in mine:
            if any(getattr(reading, n) != getattr(visit, n) for n in MIRRORED):
                for name in MIRRORED:
                    setattr(reading, name, getattr(visit, name))
                changed_readings.append(reading)
    if visits:
        Visit.objects.bulk_update(visits, [*VISIT_VALUES, "updated_at"])
    if changed_readings:
        BPReading.objects.bulk_update(changed_readings, list(MIRRORED))
    _sync_referrals(visits)
    return visits


def visit_values_apply(visit: Visit, readings: list[BPReading]) -> None:
    """Set a visit's values from its readings (in the order measured): the one rule's answer."""
    first = readings[0]
    value = visit_value([(r.systolic, r.diastolic) for r in readings])
    pulses = [r.pulse for r in readings if r.pulse is not None]
    age = age_on(visit.resident.birth_date, _local_date(first.measured_at))
    grade = classify(value.systolic, value.diastolic, first.known_hypertension, age=age)
    visit.started_at = first.measured_at
    visit.ended_at = readings[-1].measured_at
    visit.reading_count = len(readings)
    visit.systolic, visit.diastolic = value.systolic, value.diastolic
    visit.pulse = round(sum(pulses) / len(pulses)) if pulses else None
    visit.known_hypertension = first.known_hypertension
    visit.category, visit.isolated_systolic, visit.referral = grade
    visit.needs_another = value.needs_another
    visit.updated_at = timezone.now()


def _sync_referrals(visits: list[Visit]) -> None:
    """Each visit's referral, kept in step with its grade: one per visit at most."""
    if not visits:
        return
    existing = {r.visit_id: r for r in Referral.objects.filter(visit__in=visits)}
    create, update, drop = [], [], []
    for visit in visits:
        referral = existing.get(visit.pk)
        if visit.referral == ReferralKind.NONE:
            # A corrected visit no longer needs the doctor; a follow-up already done stays on record.
            if referral is not None and referral.status == ReferralStatus.OPEN:
                drop.append(referral.pk)
            continue
        values = {
            "community_id": visit.community_id,
            "resident_id": visit.resident_id,
            "urgency": visit.referral,
            "due_on": referral_due_on(visit.started_at),
        }
        if referral is None:
            create.append(Referral(visit=visit, **values))
        elif any(getattr(referral, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(referral, name, value)
            referral.updated_at = timezone.now()
            update.append(referral)
    if drop:
        Referral.objects.filter(pk__in=drop).delete()
    if create:
        Referral.objects.bulk_create(create)
    if update:
        Referral.objects.bulk_update(
            update, ["community", "resident", "urgency", "due_on", "updated_at"]
        )


def _check_in(*, user, cleaned_rows: list[dict]) -> dict[int, dict]:
    """Check in each resident measured at an activity (the attendance service, one row each);
    {index: errors} for rows whose resident it refuses. One query per activity for those
    already checked in, the service's own for each new one."""
    errors: dict[int, dict] = {}
    by_event: dict[int, tuple] = {}
    for index, row in enumerate(cleaned_rows):
        if row["event"] is not None:
            event, indexes = by_event.setdefault(row["event"].pk, (row["event"], {}))
            indexes.setdefault(row["resident"].pk, []).append(index)
    for event, indexes in by_event.values():
        present = set(
            Attendance.objects.filter(event=event, resident_id__in=indexes).values_list(
                "resident_id", flat=True
            )
        )
        for resident_id, row_indexes in indexes.items():
            if resident_id in present:
                continue
            resident = cleaned_rows[row_indexes[0]]["resident"]
            try:
                attendance_check_in(
                    user=user, event=event, resident=resident, override_capacity=True
                )
            except ValidationError as exc:
                for index in row_indexes:
                    errors[index] = exc.message_dict
    return errors


def _store(*, user, cleaned_rows: list[dict], note: str = "") -> list[BPReading]:
    """Check in, place in visits, insert, recompute the visits: all of it or nothing.
    Raises _Refused (per-row errors) or PeriodLocked, having written nothing."""
    with transaction.atomic():
        _lock_residents({row["resident"].pk for row in cleaned_rows})
        errors = _check_in(user=user, cleaned_rows=cleaned_rows)
        if errors:
            raise _Refused(errors)
        slots = _place(cleaned_rows)
        _open_visits(slots, cleaned_rows)
        recorder = user if _is_user(user) else None
        readings = []
        for slot, cleaned in zip(slots, cleaned_rows, strict=True):
            reading = BPReading(recorded_by=recorder, visit=slot.visit)
            _apply(reading, cleaned)
            readings.append(reading)
        readings = BPReading.objects.bulk_create(readings)
        _show_visits(readings, _visits_refresh({slot.visit.pk for slot in slots}))
        for reading in readings:
            audit_record(
                user=user,
                action=Action.CREATE,
                obj=reading,
                fields=[k for k in READING_FIELDS if getattr(reading, k, None) is not None],
                note=note,
            )
    return readings


def _show_visits(readings: list[BPReading], visits: list[Visit]) -> None:
    """The refreshed visits (and their values) onto the reading instances the caller holds."""
    visits = {v.pk: v for v in visits}
    for reading in readings:
        reading.visit = visits[reading.visit_id]
        for name in MIRRORED:
            setattr(reading, name, getattr(reading.visit, name))


def reading_create(*, user, data: dict) -> BPReading:
    cleaned = clean_reading(data)
    ensure_period_open(cleaned["community_id"], cleaned["measured_at"])
    try:
        [reading] = _store(user=user, cleaned_rows=[cleaned])
    except _Refused as exc:
        raise ValidationError(exc.errors[0]) from None
    return reading


@transaction.atomic
def reading_update(*, user, reading: BPReading, data: dict) -> BPReading:
    ensure_period_open(reading.community_id, reading.measured_at)
    merged = {name: getattr(reading, name) for name in READING_FIELDS} | data
    if merged["resident"].pk == reading.resident_id:
        # Same person: the rule applies as it stood when measured, not as the register says now.
        merged["known_hypertension"] = reading.known_hypertension
    cleaned = clean_reading(merged, exclude_pk=reading.pk)
    ensure_period_open(cleaned["community_id"], cleaned["measured_at"])
    changed = [
        name
        for name in READING_FIELDS
        if name in data and getattr(reading, name) != cleaned.get(name)
    ]
    _lock_residents({reading.resident_id, cleaned["resident"].pk})
    old_visit = reading.visit_id
    moved = (
        any(name in changed for name in ("resident", "event", "measured_at"))
        or reading.community_id != cleaned["community_id"]
    )
    if moved:
        if cleaned["event"] is not None and cleaned["event"].pk != reading.event_id:
            errors = _check_in(user=user, cleaned_rows=[cleaned])
            if errors:
                raise ValidationError(errors[0])
        try:
            [slot] = _place([cleaned], moving=reading)
        except _Refused as exc:
            raise ValidationError(exc.errors[0]) from None
        alone = not BPReading.objects.filter(visit_id=old_visit).exclude(pk=reading.pk).exists()
        if slot.visit is None and alone:
            # A visit of this one reading moves with it, and so does its referral (with any
            # follow-up already recorded), rather than being removed and made again.
            slot.visit = Visit.objects.get(pk=old_visit)
            slot.visit.resident_id = slot.resident_id
            slot.visit.community_id = slot.community_id
            slot.visit.event_id = slot.event_id
            slot.visit.save(update_fields=["resident", "community", "event", "updated_at"])
        _open_visits([slot], [cleaned])
        reading.visit = slot.visit
    _apply(reading, cleaned)
    reading.save()
    _show_visits([reading], _visits_refresh({old_visit, reading.visit_id}))
    audit_record(user=user, action=Action.UPDATE, obj=reading, fields=changed)
    return reading


@transaction.atomic
def reading_delete(*, user, reading: BPReading) -> None:
    ensure_period_open(reading.community_id, reading.measured_at)
    _lock_residents({reading.resident_id})
    audit_record(user=user, action=Action.DELETE, obj=reading)
    visit_id = reading.visit_id
    reading.delete()
    _visits_refresh({visit_id})


def readings_bulk_create(*, user, event, rows: list[dict]) -> tuple[list[dict], list[BPReading]]:
    """All of a screening's readings, or none: (per-row report, readings stored).

    `rows` are dicts as clean_reading takes them, without `event` (the batch's). Rows that
    failed earlier checks (unknown resident, not a number) come in as {"errors": {...}}.
    Each row is reported as {"index", "ok", "errors"}; if any row fails, nothing is stored,
    so the educator can correct the sheet and send it again as a whole. Rows join visits as
    single readings do (a resident's second reading of the day at the activity is averaged
    with the first).
    """
    report: list[dict] = []
    cleaned_rows: list[dict] = []
    seen: dict[tuple, int] = {}
    # One query each for the readings already stored and the finalised months, not one a row.
    taken = set(
        BPReading.objects.filter(
            resident__in=[row["resident"] for row in rows if not row.get("errors")]
        ).values_list("resident_id", "measured_at")
    )
    locks: dict[tuple, str] = {}
    for index, row in enumerate(rows):
        errors = dict(row.get("errors") or {})
        cleaned = None
        if not errors:
            try:
                cleaned = clean_reading({**row, "event": event}, taken=taken)
                _ensure_open_cached(locks, cleaned["community_id"], cleaned["measured_at"])
                if event is not None:
                    _ensure_open_cached(locks, event.community_id, event.starts_at)
            except ValidationError as exc:
                errors = exc.message_dict
            except PeriodLocked as exc:
                errors = {"measured_at": [str(exc)]}
        if cleaned is not None and not errors:
            key = (cleaned["resident"].pk, cleaned["measured_at"])
            if key in seen:
                errors = {
                    "resident": [
                        _(
                            "%(name)s is measured twice at the same time (index %(first)s and %(row)s)."
                        )
                        % {"name": cleaned["resident"].name, "first": seen[key], "row": index}
                    ]
                }
            else:
                seen[key] = index
                if not row.get("measured_at"):
                    # A row typed without a time: the next such row of the person moves on.
                    taken.add(key)
        report.append({"index": index, "ok": not errors, "errors": errors})
        cleaned_rows.append(cleaned)
    if any(not entry["ok"] for entry in report):
        return report, []
    try:
        stored = _store(user=user, cleaned_rows=cleaned_rows, note="bulk")
    except _Refused as exc:
        for index, errors in exc.errors.items():
            report[index].update(ok=False, errors=errors)
        return report, []
    return report, stored


def _ensure_open_cached(locks: dict, community_id: int, when: dt.datetime) -> None:
    key = (community_id, month_start(when))
    if key not in locks:
        try:
            ensure_period_open(community_id, when)
            locks[key] = ""
        except PeriodLocked as exc:
            locks[key] = str(exc)
    if locks[key]:
        raise PeriodLocked(locks[key])


# The follow-up items that only a resident who was reached can answer.
DOCTOR_ITEMS = ("seen_by_doctor", "diagnosis_confirmed", "treatment_started")
FOLLOW_UP_FIELDS = (
    "status",
    "followed_up_on",
    "outcome",
    "reached",
    *DOCTOR_ITEMS,
    "next_follow_up_on",
)


def clean_follow_up(*, referral: Referral, data: dict) -> dict:
    """The follow-up record, checked: its dates and the consistency of its items (the national
    hypertension service's: reached, seen by a doctor, diagnosis confirmed, treatment started,
    next follow-up). Raises ValidationError naming each field at fault."""
    cleaned = {
        "followed_up_on": data["followed_up_on"],
        "outcome": (data.get("outcome") or "").strip(),
        "reached": data.get("reached", True),
        "next_follow_up_on": data.get("next_follow_up_on"),
        **{name: data.get(name) for name in DOCTOR_ITEMS},
    }
    day = cleaned["followed_up_on"]
    measured_on = _local_date(referral.visit.started_at)
    errors: dict[str, list[str]] = {}
    if day < measured_on:
        errors["followed_up_on"] = [
            _("The follow-up date %(day)s is before the reading of %(measured)s.")
            % {"day": day.isoformat(), "measured": measured_on.isoformat()}
        ]
    elif day > timezone.localdate():
        errors["followed_up_on"] = [
            _("The follow-up date %(day)s lies in the future.") % {"day": day.isoformat()}
        ]
    following = cleaned["next_follow_up_on"]
    if following is not None and following < max(day, measured_on):
        errors["next_follow_up_on"] = [
            _("The next follow-up %(next)s is before this follow-up of %(day)s.")
            % {"next": following.isoformat(), "day": day.isoformat()}
        ]
    if cleaned["reached"] is None:
        errors["reached"] = [_("Say whether the resident was reached.")]
    elif not cleaned["reached"]:
        for name in DOCTOR_ITEMS:
            if cleaned[name] is not None:
                errors[name] = [
                    _("The resident was not reached: this cannot be known yet; leave it empty.")
                ]
        if following is None and "next_follow_up_on" not in errors:
            errors["next_follow_up_on"] = [
                _("The resident was not reached: say when you will try again.")
            ]
    else:
        seen = cleaned["seen_by_doctor"]
        if cleaned["diagnosis_confirmed"] is not None and seen is not True:
            errors["diagnosis_confirmed"] = [
                _(
                    "A diagnosis (confirmed or ruled out) needs a doctor's visit: tick seen by a doctor."
                )
            ]
        if cleaned["treatment_started"]:
            if seen is not True:
                errors["treatment_started"] = [
                    _("Treatment needs a doctor's visit: tick seen by a doctor.")
                ]
            elif cleaned["diagnosis_confirmed"] is False:
                errors["treatment_started"] = [
                    _("The doctor ruled hypertension out: no treatment for it can have started.")
                ]
    # The items and the words as well (what a doctor said, why the call failed).
    if not cleaned["outcome"]:
        errors["outcome"] = [
            _("Say what came of the referral (e.g. seen by the family doctor, diagnosed).")
            if cleaned["reached"] is not False
            else _("Say what happened (e.g. no answer twice, a wrong number).")
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def referral_follow_up(*, user, referral: Referral, followed_up_on: dt.date, **items) -> Referral:
    """Record a referral's follow-up (or correct the one recorded). A resident reached closes the
    referral (followed up); an attempt that did not reach them is kept and the referral stays
    open, with the day of the next attempt. `items`: outcome, reached (default True: the
    follow-up of earlier versions, an outcome in words), seen_by_doctor, diagnosis_confirmed,
    treatment_started, next_follow_up_on. A follow-up dated in a finalised month, or correcting
    one dated in such a month, raises PeriodLocked."""
    referral = Referral.objects.select_for_update().select_related("visit").get(pk=referral.pk)
    cleaned = clean_follow_up(referral=referral, data={"followed_up_on": followed_up_on, **items})
    ensure_period_open(referral.community_id, followed_up_on)
    if referral.followed_up_on is not None:
        ensure_period_open(referral.community_id, referral.followed_up_on)
    cleaned["status"] = ReferralStatus.FOLLOWED_UP if cleaned["reached"] else ReferralStatus.OPEN
    changed = [name for name in FOLLOW_UP_FIELDS if getattr(referral, name) != cleaned[name]]
    for name in FOLLOW_UP_FIELDS:
        setattr(referral, name, cleaned[name])
    referral.followed_up_by = user if _is_user(user) else None
    referral.save()
    audit_record(user=user, action=Action.UPDATE, obj=referral, fields=changed)
    return referral


class PhoneRevealRefused(Exception):
    """A phone reveal refused; `code` names the reason for the caller (and the HTTP status)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


REVEAL_REASON_MIN, REVEAL_REASON_MAX = 2, 500


def phone_reveals_today(user) -> int:
    """The phone numbers this user was shown today (local day), by the audit log."""
    start = dt.datetime.combine(
        timezone.localdate(), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    return AuditEntry.objects.filter(
        user=user,
        action=Action.REVEAL,
        model=Resident._meta.label,
        note__startswith=PHONE_REVEAL_NOTE,
        at__gte=start,
    ).count()


# Marks an educator's follow-up reveal in the audit log (an admin's reveal notes its reason only).
PHONE_REVEAL_NOTE = "follow-up call: "


@transaction.atomic
def referral_phone_reveal(*, user, referral: Referral, reason: str) -> str:
    """The full phone number of a referral's resident, for the educator who calls them.

    Only for an educator or admin, a referral in their reach and still open (a referral in the
    weekly reminder is an overdue open one), with a reason, and at most
    HEALTHEDU["PHONE_REVEALS_PER_DAY"] a day per user; each reveal is written to the audit log
    with the reason. ID numbers are never revealed here (an admin act, residents.services).
    Raises PhoneRevealRefused (code: not_allowed, out_of_reach, not_open, no_phone, daily_limit)
    or ValidationError (reason)."""
    if not _is_user(user) or not user.can_write:
        raise PhoneRevealRefused(
            "not_allowed", _("Only an educator or an administrator may call residents.")
        )
    if not Referral.objects.in_reach(user).filter(pk=referral.pk).exists():
        raise PhoneRevealRefused(
            "out_of_reach", _("This referral belongs to a community outside your reach.")
        )
    if referral.status != ReferralStatus.OPEN:
        raise PhoneRevealRefused(
            "not_open",
            _("This referral was followed up already: there is no open referral to call about."),
        )
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN or len(reason) > REVEAL_REASON_MAX:
        raise ValidationError(
            {
                "reason": [
                    _("Say why you need the number (e.g. follow-up call), in 2 to 500 characters.")
                ]
            }
        )
    resident = Resident.objects.get(pk=referral.resident_id)
    if not resident.phone_enc:
        raise PhoneRevealRefused("no_phone", _("No phone number is on record for this resident."))
    # One reveal at a time per user, so that two at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.HEALTHEDU["PHONE_REVEALS_PER_DAY"]
    if phone_reveals_today(user) >= limit:
        raise PhoneRevealRefused(
            "daily_limit",
            _(
                "You have been shown %(limit)s phone numbers today, the daily limit. Try again tomorrow."
            )
            % {"limit": limit},
        )
    audit_record(
        user=user,
        action=Action.REVEAL,
        obj=resident,
        fields=["phone"],
        note=f"{PHONE_REVEAL_NOTE}{reason}",
        repr_=f"{resident.audit_repr()}, referral {referral.pk}",
    )
    return pii_decrypt(resident.phone_enc)


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)
