"""Activities API: events, attendance, attachments, repeats, QR code and calendar link.

Thin: serializers translate HTTP to the services and selectors and back.
"""

import datetime as dt

import django_filters
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from healthedu.activities import attachments as attachment_services
from healthedu.activities import attendance as attendance_services
from healthedu.activities import services
from healthedu.activities.feeds import feed_token_ensure, feed_url
from healthedu.activities.models import (
    Attachment,
    AttachmentCategory,
    Attendance,
    Event,
    EventKind,
    EventStatus,
    MaterialMedium,
    RepeatRule,
    Series,
)
from healthedu.activities.recurrence import MAX_OCCURRENCES
from healthedu.activities.selectors import attach_event_rows, event_flags, flagged_events
from healthedu.activities.signin import signin_url
from healthedu.api.fields import (
    AttachedListSerializer,
    AttachedManyRelatedField,
    CommunityCodeOrIdField,
    MonthFilter,
    ReachRelatedField,
)
from healthedu.api.viewsets import ServiceModelViewSet
from healthedu.ids import digits_int
from healthedu.org.models import Community
from healthedu.org.reach import in_reach
from healthedu.program.models import Topic
from residents.groups import ALL_GROUPS
from residents.models import Resident

MAX_BULK = 500


class MaterialListSerializer(AttachedListSerializer):
    attr = "material_rows"
    attach = staticmethod(attach_event_rows)


class MaterialSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=200)
    count = serializers.IntegerField(min_value=0, max_value=1_000_000)
    medium = serializers.ChoiceField(choices=MaterialMedium.choices, required=False)

    class Meta:
        list_serializer_class = MaterialListSerializer


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    community = CommunityCodeOrIdField(queryset=Community.objects.all())
    kind = serializers.ChoiceField(choices=EventKind.choices)
    kind_label = serializers.SerializerMethodField()
    title = serializers.CharField(max_length=200)
    topics = AttachedManyRelatedField(
        attr="topic_codes",
        attach=attach_event_rows,
        child_relation=serializers.SlugRelatedField(
            slug_field="code", queryset=Topic.objects.all()
        ),
        required=False,
    )
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, allow_null=True
    )
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=[(g, g) for g in ALL_GROUPS]),
        required=False,
        max_length=len(ALL_GROUPS),
    )
    speaker = serializers.CharField(max_length=100, required=False, allow_blank=True)
    organiser = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    walk_ins = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    materials = MaterialSerializer(many=True, required=False)
    form = serializers.CharField(max_length=100, required=False, allow_blank=True)
    content = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    recorder = serializers.CharField(max_length=64, required=False, allow_blank=True)
    responsible = serializers.CharField(max_length=64, required=False, allow_blank=True)
    recorded_on = serializers.DateField(required=False, allow_null=True)
    series = serializers.IntegerField(source="series_id", read_only=True, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)
    attendee_count = serializers.SerializerMethodField()
    participant_count = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    signin_url = serializers.SerializerMethodField()
    archive = serializers.SerializerMethodField(help_text="存档材料: categories with a file")

    def _attendees(self, event) -> int:
        count = getattr(event, "attendee_count", None)
        if count is None:
            count = event.attendee_count = event.attendances.count()
        return count

    def get_kind_label(self, event) -> str:
        # A kind the enum no longer knows (an old row) shows as it is stored.
        return EventKind(event.kind).label if event.kind in EventKind.values else event.kind

    def get_attendee_count(self, event) -> int:
        return self._attendees(event)

    def get_participant_count(self, event) -> int:
        return self._attendees(event) + event.walk_ins

    def get_flags(self, event) -> list[str]:
        return event_flags(
            status=event.status,
            participant_count=self.get_participant_count(event),
            summary=event.summary,
        )

    def get_archive(self, event) -> list[str]:
        if not hasattr(event, "archive_categories"):
            attach_event_rows([event])
        return [c for c in AttachmentCategory.values if c in event.archive_categories]

    def get_signin_url(self, event) -> str:
        return signin_url(self.context.get("request"), event)

    def validate_materials(self, items):
        if len(items) > 100:
            raise serializers.ValidationError(_("At most 100 kinds of material per activity."))
        return items


class EventFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community", label=gettext_lazy("community (id or code)")
    )
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    status = django_filters.ChoiceFilter(choices=EventStatus.choices)
    topic = django_filters.CharFilter(method="filter_topic", label=gettext_lazy("topic code"))
    month = MonthFilter(field_name="starts_at", label="YYYY-MM")
    starts_after = django_filters.CharFilter(method="filter_starts_after")
    starts_before = django_filters.CharFilter(method="filter_starts_before")

    class Meta:
        model = Event
        fields = ["community", "kind", "status", "topic", "month", "starts_after", "starts_before"]

    def filter_community(self, queryset, name, value):
        if (pk := digits_int(value)) is not None:
            return queryset.filter(community_id=pk)
        return queryset.filter(community__code=value)

    def filter_topic(self, queryset, name, value):
        if not Topic.objects.filter(code=value).exists():
            raise ValidationError({"topic": [_("Unknown topic “%(code)s”.") % {"code": value}]})
        return queryset.filter(topics__code=value)

    def filter_starts_after(self, queryset, name, value):
        return queryset.filter(starts_at__gte=parse_moment(value, name))

    def filter_starts_before(self, queryset, name, value):
        return queryset.filter(starts_at__lt=parse_moment(value, name))


def parse_moment(value: str, field: str) -> dt.datetime:
    """A date (start of that day, local time) or an ISO date-time; 400 naming the field if neither."""
    value = value.strip()
    moment = None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {field: [_("Give a date (YYYY-MM-DD) or a date and time (ISO 8601).")]}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


class AttendanceSerializer(serializers.ModelSerializer):
    """A row of the roster. A resident of a community outside the caller's reach (checked in by
    someone who reaches both) is counted, but shown without a name."""

    resident_name = serializers.SerializerMethodField()
    sex = serializers.CharField(source="resident.sex", read_only=True)
    community = serializers.IntegerField(source="resident.community_id", read_only=True)
    groups = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = [
            "id",
            "event",
            "resident",
            "resident_name",
            "sex",
            "community",
            "groups",
            "checked_in_at",
            "method",
        ]
        read_only_fields = fields

    def get_resident_name(self, attendance) -> str | None:
        request = self.context.get("request")
        if request is not None and not in_reach(request.user, attendance.resident.community_id):
            return None
        return attendance.resident.name

    def get_groups(self, attendance) -> list[str]:
        # Groups as of the activity's date, so that last year's roster stays as it was.
        day = timezone.localtime(attendance.event.starts_at).date()
        return attendance.resident.groups_on(day)


class CheckInSerializer(serializers.Serializer):
    resident = ReachRelatedField(queryset=Resident.objects.all())
    override_capacity = serializers.BooleanField(required=False, default=False)


class BulkCheckInSerializer(serializers.Serializer):
    residents = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_BULK
    )
    override_capacity = serializers.BooleanField(required=False, default=False)


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "category", "name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        path = f"/api/events/{attachment.event_id}/attachments/{attachment.pk}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    category = serializers.ChoiceField(choices=AttachmentCategory.choices)


class EventViewSet(ServiceModelViewSet):
    queryset = Event.objects.with_counts().order_by("-starts_at", "-id")
    serializer_class = EventSerializer
    filterset_class = EventFilter

    def list(self, request, *args, **kwargs):
        return self._page_of(self.filter_queryset(self.get_queryset()))

    def _page_of(self, queryset):
        page = attach_event_rows(self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        event = services.event_create(user=request.user, data=data)
        return Response(self._out(event), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        event = self.get_object()
        serializer = self.get_serializer(event, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        event = services.event_update(
            user=request.user, event=event, data=dict(serializer.validated_data)
        )
        return Response(self._out(event))

    def perform_destroy(self, instance):
        services.event_delete(user=self.request.user, event=instance)

    def _out(self, event):
        # Read back through the list queryset so counts and relations are those of a GET.
        fresh = self.get_queryset().get(pk=event.pk)
        return self.get_serializer(fresh).data

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=False, methods=["get"])
    def flagged(self, request):
        """Held activities with no participants or no summary, for the educator to finish."""
        return self._page_of(self.filter_queryset(flagged_events(user=request.user)))

    # Attendance ------------------------------------------------------------------------

    @extend_schema(methods=["get"], request=None, responses=AttendanceSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=CheckInSerializer,
        responses={200: AttendanceSerializer, 201: AttendanceSerializer},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def attendance(self, request, pk=None):
        event = self.get_object()
        if request.method == "GET":
            rows = (
                Attendance.objects.filter(event=event)
                .select_related("resident", "event")
                .order_by("checked_in_at", "id")
            )
            page = self.paginate_queryset(rows)
            data = AttendanceSerializer(page, many=True, context=self.get_serializer_context()).data
            return self.get_paginated_response(data)
        serializer = CheckInSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        outcome = attendance_services.attendance_check_in(
            user=request.user,
            event=event,
            resident=serializer.validated_data["resident"],
            override_capacity=serializer.validated_data["override_capacity"],
        )
        body = AttendanceSerializer(outcome.attendance, context=self.get_serializer_context()).data
        if not outcome.created:
            body["detail"] = _("Already checked in.")
        return Response(
            body, status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        )

    @extend_schema(
        request=BulkCheckInSerializer,
        responses=inline_serializer(
            "BulkCheckInResult",
            {
                "results": serializers.ListField(
                    child=inline_serializer(
                        "BulkCheckInRow",
                        {
                            "resident": serializers.IntegerField(),
                            "result": serializers.ChoiceField(
                                choices=["checked_in", "already_checked_in", "refused"]
                            ),
                            "detail": serializers.CharField(),
                        },
                    )
                )
            },
        ),
    )
    @action(detail=True, methods=["post"], url_path="attendance/bulk", filterset_class=None)
    def attendance_bulk(self, request, pk=None):
        event = self.get_object()
        serializer = BulkCheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        requested = list(dict.fromkeys(serializer.validated_data["residents"]))
        residents = Resident.objects.in_reach(request.user).filter(pk__in=requested)
        results = attendance_services.attendance_check_in_many(
            user=request.user,
            event=event,
            residents_by_id={r.pk: r for r in residents},
            requested_ids=requested,
            override_capacity=serializer.validated_data["override_capacity"],
        )
        return Response({"results": results})

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"attendance/(?P<resident_id>[0-9]+)",
        filterset_class=None,
    )
    def attendance_remove(self, request, pk=None, resident_id=None):
        event = self.get_object()
        removed = attendance_services.attendance_remove(
            user=request.user, event=event, resident_id=int(resident_id)
        )
        if not removed:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Attachments -----------------------------------------------------------------------

    @extend_schema(methods=["get"], request=None, responses=AttachmentSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
        filterset_class=None,
    )
    def attachments(self, request, pk=None):
        event = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            rows = event.attachments.order_by("uploaded_at", "id")
            return Response(AttachmentSerializer(rows, many=True, context=context).data)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachment_services.attachment_add(
            user=request.user,
            event=event,
            upload=serializer.validated_data["file"],
            category=serializer.validated_data["category"],
        )
        return Response(
            AttachmentSerializer(attachment, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["get"], request=None, responses={(200, "application/octet-stream"): bytes}
    )
    @extend_schema(methods=["delete"], request=None, responses={204: None})
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        filterset_class=None,
    )
    def attachment(self, request, pk=None, attachment_id=None):
        event = self.get_object()
        attachment = event.attachments.filter(pk=int(attachment_id)).first()
        if attachment is None:
            raise Http404
        if request.method == "DELETE":
            attachment_services.attachment_delete(user=request.user, attachment=attachment)
            return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
        filename = f"attachment-{attachment.pk}{extension.get(attachment.content_type, '')}"
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=attachment.content_type
        )


class SeriesSerializer(serializers.ModelSerializer):
    occurrences = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = ["id", "community", "rule", "interval", "until", "count", "occurrences"]
        read_only_fields = fields

    def get_occurrences(self, series) -> list[dict]:
        return [
            {
                "id": e.pk,
                "starts_at": serializers.DateTimeField().to_representation(e.starts_at),
                "status": e.status,
            }
            for e in series.events.all()
        ]


class SeriesCreateSerializer(EventSerializer):
    rule = serializers.ChoiceField(choices=RepeatRule.choices)
    interval = serializers.IntegerField(min_value=1, max_value=52, required=False, default=1)
    until = serializers.DateField(required=False, allow_null=True)
    count = serializers.IntegerField(
        min_value=1, max_value=MAX_OCCURRENCES, required=False, allow_null=True
    )


class SeriesUpdateSerializer(EventSerializer):
    """The fields of an activity that a repeat carries to its occurrences (services.SERIES_FIELDS);
    any other field is the record of one occurrence and is refused by name."""

    def get_fields(self):
        fields = super().get_fields()
        keep = {*services.SERIES_FIELDS, "topics"}
        fields = {name: field for name, field in fields.items() if name in keep}
        for field in fields.values():  # any subset; the schema says so too
            field.required = False
        return fields

    def validate(self, data):
        others = sorted(set(self.initial_data) - set(self.fields))
        if others:
            raise ValidationError(
                {
                    name: [_("This belongs to each occurrence; change it on that activity.")]
                    for name in others
                }
            )
        if not data:
            raise ValidationError({"detail": [_("Give at least one field to change.")]})
        return data


class SeriesViewSet(ServiceModelViewSet):
    """Repeating activities: POST the first occurrence and a rule; each occurrence is an event."""

    queryset = Series.objects.prefetch_related(
        Prefetch("events", queryset=Event.objects.order_by("starts_at", "pk"))
    ).order_by("-created_at", "-id")
    serializer_class = SeriesSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return SeriesCreateSerializer if self.action == "create" else SeriesSerializer

    @extend_schema(request=SeriesCreateSerializer, responses={201: SeriesSerializer})
    def create(self, request, *args, **kwargs):
        serializer = SeriesCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        data.pop("status", None)
        rule = data.pop("rule")
        interval = data.pop("interval", 1)
        until = data.pop("until", None)
        count = data.pop("count", None)
        series = services.series_create(
            user=request.user, data=data, rule=rule, interval=interval, until=until, count=count
        )
        series = self.get_queryset().get(pk=series.pk)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SeriesUpdateSerializer,
        responses=inline_serializer("SeriesUpdated", {"updated": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"], url_path="update-upcoming")
    def update_upcoming(self, request, pk=None):
        """Change the plan (title, venue, speaker, topics…) of the planned occurrences still to
        come, except those edited alone; all or none."""
        series = self.get_object()
        serializer = SeriesUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        updated = services.series_update_upcoming(
            user=request.user, series=series, data=dict(serializer.validated_data)
        )
        return Response({"updated": updated})

    @extend_schema(
        request=None,
        responses=inline_serializer("SeriesCancelled", {"cancelled": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the planned occurrences still to come (those edited alone stay)."""
        series = self.get_object()
        return Response({"cancelled": services.series_cancel(user=request.user, series=series)})


class CalendarTokenView(APIView):
    """GET: the user's calendar link (null when none yet); POST: make one, or a new one with rotate."""

    permission_classes = [IsAuthenticated]
    response_shape = inline_serializer(
        "CalendarLink", {"url": serializers.CharField(allow_null=True)}
    )

    @extend_schema(responses=response_shape)
    def get(self, request):
        token = request.user.feed_token
        return Response({"url": feed_url(request, token) if token else None})

    @extend_schema(
        request=inline_serializer("CalendarRotate", {"rotate": serializers.BooleanField()}),
        responses=response_shape,
    )
    def post(self, request):
        rotate = serializers.BooleanField(required=False).run_validation(
            request.data.get("rotate", False)
        )
        token = feed_token_ensure(user=request.user, rotate=rotate)
        return Response({"url": feed_url(request, token)})
