"""POST /api/sync/: a device's queue in one request; each item's answer, in the order sent."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from healthedu.sync.services import BATCH_MAX, sync_apply
from healthedu.sync.shapes import shape_item


class BatchSerializer(serializers.Serializer):
    items = serializers.ListField(
        # Any value: an item that is not an object is refused on its own, not the batch.
        child=serializers.JSONField(allow_null=True),
        min_length=1,
        max_length=BATCH_MAX,
        help_text=gettext_lazy(
            'Each {"id": a UUID made on the device, "op": "resident" | "check_in" | "reading" | '
            '"urgent_ack", ...}: resident: name, sex, birth_date, community, address, phone, '
            "id_number, is_migrant, conditions; check_in: event, resident; reading: event, "
            "resident, systolic, diastolic, pulse, measured_at, urgent_acknowledged_at; "
            "urgent_ack: reading, acknowledged_at. A resident (or reading) may be the device id "
            "of an item of this or an earlier batch."
        ),
    )


ResultSerializer = inline_serializer(
    "SyncResult",
    {
        "id": serializers.CharField(allow_null=True),
        "op": serializers.CharField(allow_null=True),
        "status": serializers.ChoiceField(choices=["applied", "duplicate", "refused"]),
        "reason": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        "object": serializers.DictField(allow_null=True),
    },
)


class SyncView(APIView):
    """Apply a device's queued items: each once however often it is sent, each on its own."""

    @extend_schema(
        request=BatchSerializer,
        responses={200: inline_serializer("SyncResults", {"results": ResultSerializer})},
        examples=[
            OpenApiExample(
                "A walk-up checked in and measured",
                request_only=True,
                value={
                    "items": [
                        {
                            "id": "5b0c5a52-6f0e-4d7e-9d36-3f3a8d2f0a11",
                            "op": "resident",
                            "name": "王秀兰",
                            "sex": "F",
                            "birth_date": "1951-03-08",
                            "community": 1,
                        },
                        {
                            "id": "0f6f3c1e-2b7a-4a57-8e4e-0b7f5d1c9a22",
                            "op": "reading",
                            "event": 7,
                            "resident": "5b0c5a52-6f0e-4d7e-9d36-3f3a8d2f0a11",
                            "systolic": 152,
                            "diastolic": 94,
                            "measured_at": "2026-11-20T09:12:00+08:00",
                        },
                    ]
                },
            )
        ],
    )
    def post(self, request):
        batch = BatchSerializer(data=request.data if isinstance(request.data, dict) else {})
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(
                {"items": [_('Send {"items": [...]}: a list of the device\'s queued items.')]}
            )
        batch.is_valid(raise_exception=True)
        return Response(
            {
                "results": sync_apply(
                    user=request.user,
                    items=[shape_item(raw) for raw in batch.validated_data["items"]],
                )
            }
        )
