"""Applying a device's queued items (the desk's offline work): each once, each on its own.

An item is {"id": <UUID made on the device>, "op": "resident" | "check_in" | "reading" |
"urgent_ack", ...the op's fields}. Each goes through the product's own services (resident
registration, attendance, readings), so the same checks, locks and audit apply as online. The
item's id is claimed first (a committed SyncItem row), so an item sent in several batches, or
in two at once, is applied once; its stored answer is returned again as "duplicate". A refused
item changes nothing, gives its reason and what to do, and does not stop the others.

A check-in or reading may name its resident by the device id of a walk-up registered in the
same batch (earlier in it) or in an earlier one.
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.activities.attendance import attendance_check_in
from healthedu.activities.models import Event
from healthedu.audit.services import Action, audit_record
from healthedu.locking import PeriodLocked
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.models import BPReading, Referral
from healthedu.screening.selectors import visit_summary
from healthedu.screening.services import reading_create
from healthedu.sync.models import Op, SyncItem
from residents.models import Resident, ResidentStatus

BATCH_MAX = 500
APPLIED, DUPLICATE, REFUSED = "applied", "duplicate", "refused"


class Refused(Exception):
    """An item that cannot be applied: errors {field: [message]} and what the educator can do."""

    def __init__(self, errors: dict, todo: str):
        super().__init__(errors)
        self.errors = errors
        self.todo = todo


@dataclass(frozen=True)
class ShapedItem:
    """One item as sent: its id and op (None when unreadable), its typed data, or the errors that
    refuse it; `correctable` when the educator can fix the item on the desk."""

    item_id: str | None
    op: str | None
    data: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    correctable: bool = True


def _todo_correct() -> str:
    return _("Correct the item on the desk and sync again, or delete it.")


# The batch ---------------------------------------------------------------------------------------


def sync_apply(*, user, items: list[ShapedItem]) -> list[dict]:
    """Each item's answer, in the order sent: {"id", "op", "status", "reason", "errors", "object"}.
    The items come type-checked (healthedu.sync.shapes); the rules are applied here."""
    made_here: dict[uuid.UUID, tuple[str, int]] = {}  # device id → (op, object id), this batch
    return [_one(user, raw, made_here) for raw in items]


def _answer(item_id, op, status, *, obj=None, errors=None, todo="") -> dict:
    errors = errors or {}
    messages = [m for ms in errors.values() for m in ms]
    reason = " ".join([*messages, todo]).strip()
    return {
        "id": item_id,
        "op": op,
        "status": status,
        "reason": reason,
        "errors": errors,
        "object": obj,
    }


def _one(user, item: ShapedItem, made_here) -> dict:
    if item.errors:
        todo = _todo_correct() if item.correctable else ""
        return _answer(item.item_id, item.op, REFUSED, errors=item.errors, todo=todo)
    item_id, op = item.item_id, item.op
    try:
        with transaction.atomic():
            claim = SyncItem.objects.create(user=user, item_id=item_id, op=op)
    except IntegrityError:
        return _repeat(user, item_id, op, made_here)
    try:
        obj, object_id = _apply(user, op, item.data, made_here)
    except Refused as exc:
        claim.delete()
        return _answer(item_id, op, REFUSED, errors=exc.errors, todo=exc.todo)
    except BaseException:
        claim.delete()
        raise
    claim.applied, claim.object_id, claim.result = True, object_id, obj
    claim.save(update_fields=["applied", "object_id", "result"])
    made_here[uuid.UUID(item_id)] = (op, object_id)
    return _answer(item_id, op, APPLIED, obj=obj)


def _repeat(user, item_id, op, made_here) -> dict:
    stored = SyncItem.objects.get(user=user, item_id=item_id)
    if stored.op != op:
        return _answer(
            item_id,
            op,
            REFUSED,
            errors={"id": [_("This device id was already used for another kind of item.")]},
            todo=_("Make a new item on the desk; this one cannot be applied."),
        )
    if not stored.applied:
        return _answer(
            item_id,
            op,
            REFUSED,
            errors={"id": [_("This item is being applied by another request right now.")]},
            todo=_("Sync again in a moment; it will not be counted twice."),
        )
    made_here[stored.item_id] = (op, stored.object_id)
    return _answer(item_id, op, DUPLICATE, obj=stored.result)


def _apply(user, op, data, made_here) -> tuple[dict, int]:
    try:
        if op == Op.RESIDENT:
            return _register(user, data)
        if op == Op.CHECK_IN:
            return _check_in(user, data, made_here)
        if op == Op.READING:
            return _reading(user, data, made_here)
        return _acknowledge(user, data, made_here)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        raise Refused(errors, _todo_correct()) from None
    except PeriodLocked as exc:
        raise Refused(
            {"measured_at": [str(exc)]},
            _("Ask an administrator to unlock the month, or delete the item from the desk."),
        ) from None


# The ops -----------------------------------------------------------------------------------------


def _register(user, data) -> tuple[dict, int]:
    from healthedu.org.models import Community
    from residents.services import resident_create

    community = Community.objects.in_reach(user).filter(pk=data["community"]).first()
    if community is None:
        raise Refused(
            {"community": [_("Community %(id)s is not one of yours.") % {"id": data["community"]}]},
            _("This desk cannot register residents there; delete the item."),
        )
    resident = resident_create(user=user, data={**data, "community": community})
    return _resident_object(resident), resident.pk


def _resident_object(resident) -> dict:
    return {
        "type": "resident",
        "id": resident.pk,
        "name": resident.name,
        "phone": resident.phone_masked,
        "community": resident.community_id,
    }


def _event(user, event_id) -> Event:
    event = Event.objects.in_reach(user).filter(pk=event_id).first()
    if event is None:
        raise Refused(
            {
                "event": [
                    _("Activity %(id)s is not one of your communities' activities.")
                    % {"id": event_id}
                ]
            },
            _("This desk cannot record it; delete the item."),
        )
    return event


def _resident(user, ref, made_here) -> Resident:
    if isinstance(ref, uuid.UUID):
        made = made_here.get(ref)
        if made is None:
            stored = SyncItem.objects.filter(user=user, item_id=ref, op=Op.RESIDENT, applied=True)
            made = (Op.RESIDENT, stored.values_list("object_id", flat=True).first())
        if made[0] != Op.RESIDENT or made[1] is None:
            raise Refused(
                {
                    "resident": [
                        _("The walk-up registration this item refers to has not been applied.")
                    ]
                },
                _("Correct that registration first (see its own answer), then sync again."),
            )
        ref = made[1]
    resident = Resident.objects.in_reach(user).filter(pk=ref).first()
    if resident is None:
        raise Refused(
            {
                "resident": [
                    _("Resident %(id)s is not one of your communities' residents.") % {"id": ref}
                ]
            },
            _("This desk cannot record them; delete the item."),
        )
    if resident.status == ResidentStatus.MOVED_OUT:
        raise Refused(
            {"resident": [_("%(name)s is recorded as moved out.") % {"name": resident.name}]},
            _("If they live here again, change their status in the register, then sync again."),
        )
    return resident


def _check_in(user, data, made_here) -> tuple[dict, int]:
    event = _event(user, data["event"])
    resident = _resident(user, data["resident"], made_here)
    # The person is at the desk: capacity limits sign-ups, not who is counted as present.
    outcome = attendance_check_in(user=user, event=event, resident=resident, override_capacity=True)
    attendance = outcome.attendance
    obj = {
        "type": "attendance",
        "id": attendance.pk,
        "event": event.pk,
        "resident": resident.pk,
        "created": outcome.created,
    }
    return obj, attendance.pk


def _reading(user, data, made_here) -> tuple[dict, int]:
    event = _event(user, data["event"])
    resident = _resident(user, data["resident"], made_here)
    values = {name: data.get(name) for name in ("systolic", "diastolic", "pulse", "measured_at")}
    with transaction.atomic():  # the reading and its acknowledgement, or neither
        reading = reading_create(user=user, data={"resident": resident, "event": event, **values})
        acknowledged = False
        if data.get("urgent_acknowledged_at") and reading.visit.referral == ReferralKind.URGENT:
            acknowledged = _record_acknowledgement(user, reading, data["urgent_acknowledged_at"])
    return _reading_object(reading, acknowledged), reading.pk


def _reading_object(reading: BPReading, acknowledged: bool) -> dict:
    return {
        "type": "reading",
        "id": reading.pk,
        "event": reading.event_id,
        "resident": reading.resident_id,
        "measured_at": reading.measured_at.isoformat(),
        "systolic": reading.systolic,
        "diastolic": reading.diastolic,
        "visit": visit_summary(reading.visit),
        "urgent": reading.visit.referral == ReferralKind.URGENT,
        "acknowledged": acknowledged,
    }


def _record_acknowledgement(user, reading: BPReading, at) -> bool:
    referral = Referral.objects.filter(visit_id=reading.visit_id).first()
    if referral is None:
        return False
    audit_record(
        user=user,
        action=Action.UPDATE,
        obj=referral,
        fields=["urgent_notice_acknowledged"],
        note="urgent referral notice acknowledged at the desk at "
        + timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
    )
    return True


def _acknowledge(user, data, made_here) -> tuple[dict, int]:
    ref = data["reading"]
    if isinstance(ref, uuid.UUID):
        made = made_here.get(ref)
        if made is None:
            stored = SyncItem.objects.filter(user=user, item_id=ref, op=Op.READING, applied=True)
            made = (Op.READING, stored.values_list("object_id", flat=True).first())
        ref = made[1] if made[0] == Op.READING else None
    reading = (
        BPReading.objects.in_reach(user).select_related("visit").filter(pk=ref).first()
        if ref
        else None
    )
    if reading is None:
        raise Refused(
            {"reading": [_("The reading this acknowledgement refers to has not been applied.")]},
            _("Sync the reading first; the acknowledgement follows it."),
        )
    if reading.visit.referral != ReferralKind.URGENT:
        raise Refused(
            {"reading": [_("This reading's visit is no longer an urgent referral.")]},
            _("Nothing to acknowledge; delete the item."),
        )
    _record_acknowledgement(user, reading, data["acknowledged_at"])
    return {"type": "acknowledgement", "reading": reading.pk}, reading.pk
