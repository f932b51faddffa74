"""Writes: readings (one, many, corrections, removal) and referral follow-ups.

Every write checks the rule in healthedu.screening.bp, the activity it belongs to and the
finalised months (healthedu.locking), saves in one transaction and writes the audit log
(field names only, never values).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.audit.services import Action, audit_record
from healthedu.locking import PeriodLocked, ensure_period_open, month_start
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.bp import classify, plausibility_errors
from healthedu.screening.models import (
    READING_EVENT_KINDS,
    BPReading,
    Referral,
    ReferralStatus,
)

# A reading may carry a time a little ahead of the server's clock (a tablet's clock drifts);
# beyond that it is a typing error.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# Nothing before this is a reading of this system (nor before the resident's birth).
EARLIEST_READING = dt.date(2000, 1, 1)
READING_FIELDS = ("resident", "event", "systolic", "diastolic", "pulse", "measured_at")


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

    measured_at = data.get("measured_at") or (event.starts_at if event else timezone.now())
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
    category, isolated, referral = classify(systolic, diastolic, known)
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
                    "Blood pressure is recorded at screenings, consultations and health checks; “%(title)s” is a %(kind)s."
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


def _sync_referral(reading: BPReading) -> None:
    """The reading's referral, kept in step with its classification."""
    existing = Referral.objects.filter(reading=reading).first()
    if reading.referral == ReferralKind.NONE:
        # A corrected reading no longer needs the doctor; a follow-up already done stays on record.
        if existing is not None and existing.status == ReferralStatus.OPEN:
            existing.delete()
        return
    values = {
        "community_id": reading.community_id,
        "resident_id": reading.resident_id,
        "urgency": reading.referral,
        "due_on": referral_due_on(reading.measured_at),
    }
    if existing is None:
        Referral.objects.create(reading=reading, **values)
        return
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()


@transaction.atomic
def reading_create(*, user, data: dict) -> BPReading:
    cleaned = clean_reading(data)
    ensure_period_open(cleaned["community_id"], cleaned["measured_at"])
    reading = BPReading(recorded_by=user if _is_user(user) else None)
    _apply(reading, cleaned)
    reading.save()
    _sync_referral(reading)
    audit_record(
        user=user,
        action=Action.CREATE,
        obj=reading,
        fields=[k for k in READING_FIELDS if data.get(k) is not None],
    )
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
    _apply(reading, cleaned)
    reading.save()
    _sync_referral(reading)
    audit_record(user=user, action=Action.UPDATE, obj=reading, fields=changed)
    return reading


@transaction.atomic
def reading_delete(*, user, reading: BPReading) -> None:
    ensure_period_open(reading.community_id, reading.measured_at)
    audit_record(user=user, action=Action.DELETE, obj=reading)
    reading.delete()


def readings_bulk_create(*, user, event, rows: list[dict]) -> tuple[list[dict], list[BPReading]]:
    """All of a screening's readings, or none: (per-row report, readings stored).

    `rows` are dicts as clean_reading takes them, without `event` (the batch's). Rows that
    failed earlier checks (unknown resident, not a number) come in as {"errors": {...}}.
    Each row is reported as {"index", "ok", "errors"}; if any row fails, nothing is stored,
    so the educator can correct the sheet and send it again as a whole.
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
        report.append({"index": index, "ok": not errors, "errors": errors})
        cleaned_rows.append(cleaned)
    if any(not entry["ok"] for entry in report):
        return report, []
    return report, _store_many(user=user, cleaned_rows=cleaned_rows)


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


@transaction.atomic
def _store_many(*, user, cleaned_rows: list[dict]) -> list[BPReading]:
    recorder = user if _is_user(user) else None
    readings = []
    for cleaned in cleaned_rows:
        reading = BPReading(recorded_by=recorder)
        _apply(reading, cleaned)
        readings.append(reading)
    readings = BPReading.objects.bulk_create(readings)
    Referral.objects.bulk_create(
        [
            Referral(
                reading=r,
                community_id=r.community_id,
                resident_id=r.resident_id,
                urgency=r.referral,
                due_on=referral_due_on(r.measured_at),
            )
            for r in readings
            if r.referral != ReferralKind.NONE
        ]
    )
    for reading in readings:
        audit_record(
            user=user,
            action=Action.CREATE,
            obj=reading,
            fields=[k for k in READING_FIELDS if getattr(reading, k, None) is not None],
            note="bulk",
        )
    return readings


@transaction.atomic
def referral_follow_up(
    *, user, referral: Referral, followed_up_on: dt.date, outcome: str
) -> Referral:
    """Mark a referral followed up (or correct the follow-up already recorded)."""
    outcome = (outcome or "").strip()
    measured_on = _local_date(referral.reading.measured_at)
    errors: dict[str, list[str]] = {}
    if followed_up_on < measured_on:
        errors["followed_up_on"] = [
            _("The follow-up date %(day)s is before the reading of %(measured)s.")
            % {"day": followed_up_on.isoformat(), "measured": measured_on.isoformat()}
        ]
    elif followed_up_on > timezone.localdate():
        errors["followed_up_on"] = [
            _("The follow-up date %(day)s lies in the future.")
            % {"day": followed_up_on.isoformat()}
        ]
    if not outcome:
        errors["outcome"] = [
            _("Say what came of the referral (e.g. seen by the family doctor, diagnosed).")
        ]
    if errors:
        raise ValidationError(errors)
    ensure_period_open(referral.community_id, followed_up_on)
    changed = [
        name
        for name, value in (
            ("status", ReferralStatus.FOLLOWED_UP),
            ("followed_up_on", followed_up_on),
            ("outcome", outcome),
        )
        if getattr(referral, name) != value
    ]
    referral.status = ReferralStatus.FOLLOWED_UP
    referral.followed_up_on = followed_up_on
    referral.outcome = outcome
    referral.followed_up_by = user if _is_user(user) else None
    referral.save()
    audit_record(user=user, action=Action.UPDATE, obj=referral, fields=changed)
    return referral


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)
