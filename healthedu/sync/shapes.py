"""The shape of a device's queued item, type-checked before the service applies it.

DRF serializers declare each op's fields (and give the OpenAPI schema its words); they live
here, beside the API, so that the sync service itself knows no HTTP framework. Only types and
sizes are checked: the rules (reach, locks, the visit rule, the registry's checks) are the
services'.
"""

import uuid

from django.utils.translation import gettext as _
from rest_framework import serializers

from healthedu.sync.models import Op
from healthedu.sync.services import ShapedItem


class ResidentRef(serializers.Field):
    """A resident's id, or the device id of a walk-up registration."""

    default_error_messages = {
        "invalid": _("Give the resident's id or the device id of a walk-up registration."),
    }

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and 0 < data < 2**63:
            return data
        if isinstance(data, str):
            try:
                return uuid.UUID(data)
            except ValueError:
                pass
        self.fail("invalid")

    def to_representation(self, value):
        return str(value)


class ItemHead(serializers.Serializer):
    id = serializers.UUIDField()
    op = serializers.ChoiceField(choices=Op.choices)


class ResidentItem(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    sex = serializers.ChoiceField(choices=[("M", "M"), ("F", "F")])
    birth_date = serializers.DateField()
    community = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    is_migrant = serializers.BooleanField(required=False, default=False)
    conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=["hypertension", "diabetes"]),
        required=False,
        default=list,
        max_length=2,
    )


class CheckInItem(serializers.Serializer):
    event = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    resident = ResidentRef()


class ReadingItem(CheckInItem):
    systolic = serializers.IntegerField(min_value=-(2**31), max_value=2**31)
    diastolic = serializers.IntegerField(min_value=-(2**31), max_value=2**31)
    pulse = serializers.IntegerField(
        min_value=-(2**31), max_value=2**31, allow_null=True, required=False
    )
    measured_at = serializers.DateTimeField()
    # When the educator acknowledged the desk's urgent-referral notice for this reading's visit.
    urgent_acknowledged_at = serializers.DateTimeField(required=False, allow_null=True)


class UrgentAckItem(serializers.Serializer):
    """The notice acknowledged after the reading was sent (the server found the visit urgent)."""

    reading = ResidentRef()  # a reading's id or the device id of its reading item
    acknowledged_at = serializers.DateTimeField()


SHAPES = {
    Op.RESIDENT: ResidentItem,
    Op.CHECK_IN: CheckInItem,
    Op.READING: ReadingItem,
    Op.URGENT_ACK: UrgentAckItem,
}


def _field_errors(errors) -> dict:
    return {
        key: [str(m) for m in (value if isinstance(value, list) else [value])]
        for key, value in errors.items()
    }


def shape_item(raw) -> ShapedItem:
    if not isinstance(raw, dict):
        return ShapedItem(
            None, None, errors={"detail": [_("Each item must be an object.")]}, correctable=False
        )
    head = ItemHead(data=raw)
    raw_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    if not head.is_valid():
        return ShapedItem(raw_id, None, errors=_field_errors(head.errors))
    item_id, op = str(head.validated_data["id"]), head.validated_data["op"]
    shape = SHAPES[op](data=raw)
    if not shape.is_valid():
        return ShapedItem(item_id, op, errors=_field_errors(shape.errors))
    return ShapedItem(item_id, op, data=shape.validated_data)
