"""Check-in rules: one row per resident per activity, capacity, cancelled and far-future activities.

The unique constraint on (event, resident) is the last word: when two check-ins of one person
race, the loser's IntegrityError becomes "already checked in" with the winner's row.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.activities.models import Attendance, CheckInMethod, Event, EventStatus, WalkIn
from healthedu.audit.services import Action, audit_record
from healthedu.locking import ensure_period_open
from residents.models import ResidentStatus

# Check-in opens this long before the start (a register may be prepared the day before).
CHECK_IN_LEAD = dt.timedelta(days=1)


@dataclass
class CheckIn:
    attendance: Attendance | None
    created: bool
    reason: str = ""


def check_in_refusal(event: Event, *, now=None) -> str:
    """Why nobody can be checked in to this activity now; '' when they can."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return _("This activity has been cancelled; nobody can be checked in.")
    if event.starts_at - now > CHECK_IN_LEAD:
        return _("This activity starts more than a day from now; check-in is not open yet.")
    return ""


def _refuse_if_full(event: Event) -> None:
    """Residents and guests alike fill the capacity. `event` must be freshly locked."""
    if event.capacity is None:
        return
    if event.attendances.count() + event.walk_ins >= event.capacity:
        raise ValidationError(
            {
                "detail": [
                    _(
                        "This activity is full (capacity %(capacity)d). An educator may override the capacity."
                    )
                    % {"capacity": event.capacity}
                ]
            }
        )


def attendance_check_in(
    *,
    user,
    event: Event,
    resident,
    override_capacity: bool = False,
    method: str = CheckInMethod.MANUAL,
    now=None,
) -> CheckIn:
    """Check a resident in; returns the row and whether it is new. Refusals raise ValidationError."""
    with transaction.atomic():
        # The row lock serialises check-ins to one activity, so that capacity holds under load.
        event = Event.objects.select_for_update().get(pk=event.pk)
        existing = Attendance.objects.filter(event=event, resident=resident).first()
        if existing is not None:
            return CheckIn(existing, created=False)
        reason = check_in_refusal(event, now=now)
        if reason:
            raise ValidationError({"detail": [reason]})
        if resident.status == ResidentStatus.DECEASED:
            raise ValidationError({"resident": [_("This resident is recorded as deceased.")]})
        ensure_period_open(event.community_id, event.starts_at)
        if not override_capacity:
            _refuse_if_full(event)
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    event=event,
                    resident=resident,
                    checked_in_by=user if getattr(user, "is_authenticated", False) else None,
                    method=method,
                )
        except IntegrityError:
            # Someone checked the same person in between our look and our insert.
            return CheckIn(Attendance.objects.get(event=event, resident=resident), created=False)
        audit_record(user=user, action=Action.CREATE, obj=attendance, fields=["resident"])
        return CheckIn(attendance, created=True)


def attendance_check_in_many(
    *, user, event: Event, residents_by_id: dict, requested_ids: list[int], override_capacity=False
) -> list[dict]:
    """Check in a list of residents, each on its own: a per-resident result, none half-done."""
    results = []
    for resident_id in requested_ids:
        resident = residents_by_id.get(resident_id)
        if resident is None:
            results.append(
                {"resident": resident_id, "result": "refused", "detail": _("No such resident.")}
            )
            continue
        try:
            outcome = attendance_check_in(
                user=user, event=event, resident=resident, override_capacity=override_capacity
            )
        except ValidationError as exc:
            messages = [str(m) for m in exc.messages]
            results.append(
                {"resident": resident_id, "result": "refused", "detail": " ".join(messages)}
            )
            continue
        results.append(
            {
                "resident": resident_id,
                "result": "checked_in" if outcome.created else "already_checked_in",
                "detail": "" if outcome.created else _("Already checked in."),
            }
        )
    return results


@transaction.atomic
def attendance_remove(*, user, event: Event, resident_id: int) -> bool:
    attendance = Attendance.objects.filter(event=event, resident_id=resident_id).first()
    if attendance is None:
        return False
    ensure_period_open(event.community_id, event.starts_at)
    audit_record(user=user, action=Action.DELETE, obj=attendance)
    attendance.delete()
    return True


@transaction.atomic
def walk_in_add(*, event: Event, name: str = "", override_capacity: bool = False) -> WalkIn:
    """Someone not in the register signed in: count them, keep the name they gave (if any).
    A full activity refuses them as it refuses residents (ValidationError), unless overridden."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        ensure_period_open(event.community_id, event.starts_at)
        if not override_capacity:
            _refuse_if_full(event)
        walk_in = WalkIn.objects.create(event=event, name=name.strip()[:64])
        # F() so that simultaneous sign-ins add up; the version is left alone on purpose, so
        # that an educator's open edit form is not made stale by a guest signing in.
        Event.objects.filter(pk=event.pk).update(walk_ins=F("walk_ins") + 1)
    return walk_in
