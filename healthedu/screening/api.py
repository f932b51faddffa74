"""HTTP for readings and referrals: translate requests to services and selectors, and back."""

import django_filters
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from healthedu.activities.models import Event
from healthedu.api.fields import MonthFilter, ReachRelatedField
from healthedu.api.viewsets import ScopedReadOnlyViewSet, ServiceModelViewSet
from healthedu.screening import bp
from healthedu.screening.bp import (
    ISOLATED_SYSTOLIC_LABEL,
    Category,
    ImplausibleReading,
    category_label,
    referral_label,
)
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.filters import ReferralFilter
from healthedu.screening.filters import community_q as _community_q
from healthedu.screening.models import BPReading, Referral, Visit
from healthedu.screening.selectors import (
    visit_preview,
    visit_summary,
)
from healthedu.screening.services import (
    PhoneRevealRefused,
    phone_reveals_today,
    reading_create,
    reading_delete,
    reading_update,
    readings_bulk_create,
    referral_follow_up,
    referral_phone_reveal,
)
from residents.groups import age_on
from residents.models import Resident

BULK_MAX = 500


# Readings -----------------------------------------------------------------------------------


class BPReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    resident = ReachRelatedField(queryset=Resident.objects.all())
    event = ReachRelatedField(queryset=Event.objects.all(), allow_null=True, required=False)
    community = serializers.IntegerField(source="community_id", read_only=True)
    systolic = serializers.IntegerField()
    diastolic = serializers.IntegerField()
    pulse = serializers.IntegerField(allow_null=True, required=False)
    measured_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "Default: now; for an activity not under way now, its start (a minute later for each reading the resident already has then)."
        ),
    )
    known_hypertension = serializers.BooleanField(read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    category_label = serializers.SerializerMethodField()
    isolated_systolic = serializers.BooleanField(read_only=True)
    referral = serializers.ChoiceField(choices=ReferralKind.choices, read_only=True)
    referral_label = serializers.SerializerMethodField()
    visit = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The measurement visit this reading belongs to: the mean of its readings, the grade, flag and referral from that mean, and whether the guideline asks for another reading."
        )
    )

    def get_category_label(self, reading) -> str:
        return category_label(reading.category)

    @extend_schema_field(
        inline_serializer(
            "BPVisit",
            {
                "id": serializers.IntegerField(),
                "readings": serializers.IntegerField(),
                "systolic": serializers.IntegerField(),
                "diastolic": serializers.IntegerField(),
                "category": serializers.CharField(),
                "category_label": serializers.CharField(),
                "isolated_systolic": serializers.BooleanField(),
                "referral": serializers.CharField(),
                "needs_another": serializers.BooleanField(),
                "prompt": serializers.CharField(),
            },
        )
    )
    def get_visit(self, reading) -> dict:
        return visit_summary(reading.visit)

    def get_referral_label(self, reading) -> str:
        return referral_label(reading.referral)


class BPReadingFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community", label=gettext_lazy("community (id or code)")
    )
    resident = django_filters.NumberFilter(field_name="resident_id")
    event = django_filters.NumberFilter(field_name="event_id")
    visit = django_filters.NumberFilter(field_name="visit_id")
    category = django_filters.ChoiceFilter(choices=Category.choices)
    referral = django_filters.ChoiceFilter(choices=ReferralKind.choices)
    month = MonthFilter(field_name="measured_at", label=gettext_lazy("month (YYYY-MM)"))

    class Meta:
        model = BPReading
        fields = ["community", "resident", "event", "visit", "category", "referral", "month"]

    def filter_community(self, queryset, name, value):
        return queryset.filter(_community_q(value))


class BulkRowSerializer(serializers.Serializer):
    resident = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    systolic = serializers.IntegerField()
    diastolic = serializers.IntegerField()
    pulse = serializers.IntegerField(allow_null=True, required=False)
    measured_at = serializers.DateTimeField(required=False, allow_null=True)


class BulkSerializer(serializers.Serializer):
    event = ReachRelatedField(queryset=Event.objects.all(), allow_null=True, required=False)
    readings = serializers.ListField(
        child=serializers.JSONField(), min_length=1, max_length=BULK_MAX
    )


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    ok = serializers.BooleanField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    id = serializers.IntegerField(required=False)
    category = serializers.CharField(required=False)
    isolated_systolic = serializers.BooleanField(required=False)
    referral = serializers.CharField(required=False)
    visit = serializers.DictField(required=False)


BulkResponse = inline_serializer(
    "BPBulkResult",
    {
        "stored": serializers.IntegerField(),
        "all_or_nothing": serializers.BooleanField(),
        "detail": serializers.CharField(),
        "results": BulkResultSerializer(many=True),
    },
)


class ClassifyQuerySerializer(serializers.Serializer):
    systolic = serializers.IntegerField()
    diastolic = serializers.IntegerField()
    resident = ReachRelatedField(queryset=Resident.objects.all(), required=False)
    has_hypertension = serializers.BooleanField(required=False, default=False)
    visit = ReachRelatedField(
        queryset=Visit.objects.select_related("resident"),
        required=False,
        help_text=gettext_lazy(
            "A visit in progress: also say what it would record with these values."
        ),
    )


class BPReadingViewSet(ServiceModelViewSet):
    # Resident, activity and community are shown by id; the visit comes in the same query.
    queryset = BPReading.objects.select_related("visit").order_by("-measured_at", "-id")
    serializer_class = BPReadingSerializer
    filterset_class = BPReadingFilter

    def perform_create(self, serializer):
        serializer.instance = reading_create(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = reading_update(
            user=self.request.user, reading=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        reading_delete(user=self.request.user, reading=instance)

    @extend_schema(request=BulkSerializer, responses={201: BulkResponse, 400: BulkResponse})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """A screening's readings in one request: all stored, or none (each row reported)."""
        serializer = BulkSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        event = serializer.validated_data.get("event")
        rows = self._bulk_rows(serializer.validated_data["readings"])
        report, stored = readings_bulk_create(user=request.user, event=event, rows=rows)
        failed = sum(1 for entry in report if not entry["ok"])
        if failed:
            detail = _(
                "%(failed)s of %(total)s readings have errors; none was stored. Correct them and send the whole list again."
            ) % {"failed": failed, "total": len(report)}
            body = {"stored": 0, "all_or_nothing": True, "detail": detail, "results": report}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        for entry, reading in zip(report, stored, strict=True):
            entry.update(
                id=reading.pk,
                category=reading.category,
                isolated_systolic=reading.isolated_systolic,
                referral=reading.referral,
                visit=visit_summary(reading.visit),
            )
        detail = _("All %(total)s readings were stored.") % {"total": len(stored)}
        body = {"stored": len(stored), "all_or_nothing": True, "detail": detail, "results": report}
        return Response(body, status=status.HTTP_201_CREATED)

    def _bulk_rows(self, raw_rows: list) -> list[dict]:
        """Type-check each row and find its resident in the caller's reach (one query)."""
        parsed = []
        for raw in raw_rows:
            row = BulkRowSerializer(data=raw if isinstance(raw, dict) else {})
            if not isinstance(raw, dict):
                parsed.append({"errors": {"detail": [_("Each reading must be an object.")]}})
            elif row.is_valid():
                parsed.append(dict(row.validated_data))
            else:
                parsed.append({"errors": {k: [str(m) for m in v] for k, v in row.errors.items()}})
        wanted = {row["resident"] for row in parsed if "errors" not in row}
        residents = Resident.objects.in_reach(self.request.user).in_bulk(wanted)
        for row in parsed:
            if "errors" in row:
                continue
            resident = residents.get(row["resident"])
            if resident is None:
                row["errors"] = {
                    "resident": [_("Resident %(id)s does not exist.") % {"id": row["resident"]}]
                }
            else:
                row["resident"] = resident
        return parsed

    @extend_schema(
        parameters=[ClassifyQuerySerializer],
        responses=inline_serializer(
            "BPClassification",
            {
                "category": serializers.CharField(),
                "label": serializers.CharField(),
                "isolated_systolic": serializers.BooleanField(),
                "isolated_systolic_label": serializers.CharField(),
                "referral": serializers.CharField(),
                "referral_label": serializers.CharField(),
                "visit": serializers.DictField(allow_null=True, required=False),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def classify(self, request):
        """The category of a pair of values as they are typed, by the same rule as the readings."""
        query = ClassifyQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        resident = data.get("resident")
        known = resident.has_hypertension if resident else data["has_hypertension"]
        age = age_on(resident.birth_date, timezone.localdate()) if resident else None
        try:
            category, isolated, referral = bp.classify(
                data["systolic"], data["diastolic"], known, age=age
            )
        except ImplausibleReading as exc:
            raise serializers.ValidationError(exc.errors) from None
        body = {
            "category": category,
            "label": category_label(category),
            "isolated_systolic": isolated,
            "isolated_systolic_label": str(ISOLATED_SYSTOLIC_LABEL) if isolated else "",
            "referral": referral,
            "referral_label": referral_label(referral),
        }
        if data.get("visit") is not None:
            body["visit"] = visit_preview(
                visit=data["visit"], systolic=data["systolic"], diastolic=data["diastolic"]
            )
        return Response(body)


# Referrals ----------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    phone = serializers.CharField(source="resident.phone_masked", read_only=True)
    urgency_label = serializers.SerializerMethodField()
    # The visit's first reading (what the queue linked to before visits); the values are the visit's.
    reading = serializers.IntegerField(source="first_reading", read_only=True)
    readings = serializers.IntegerField(source="visit.reading_count", read_only=True)
    measured_at = serializers.DateTimeField(source="visit.started_at", read_only=True)
    systolic = serializers.IntegerField(source="visit.systolic", read_only=True)
    diastolic = serializers.IntegerField(source="visit.diastolic", read_only=True)
    category = serializers.CharField(source="visit.category", read_only=True)
    category_label = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "visit",
            "reading",
            "readings",
            "resident",
            "resident_name",
            "phone",
            "community",
            "urgency",
            "urgency_label",
            "status",
            "measured_at",
            "systolic",
            "diastolic",
            "category",
            "category_label",
            "due_on",
            "overdue",
            "followed_up_on",
            "outcome",
            "reached",
            "seen_by_doctor",
            "diagnosis_confirmed",
            "treatment_started",
            "next_follow_up_on",
        ]
        read_only_fields = fields

    def get_category_label(self, referral) -> str:
        return category_label(referral.visit.category)

    def get_urgency_label(self, referral) -> str:
        return referral_label(referral.urgency)

    def get_overdue(self, referral) -> bool:
        return referral.is_overdue(self.context.get("today") or timezone.localdate())


class FollowUpSerializer(serializers.Serializer):
    followed_up_on = serializers.DateField()
    outcome = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    reached = serializers.BooleanField(
        required=False,
        default=True,
        help_text=gettext_lazy(
            "Whether the resident was reached (联系上); default true. Not reached keeps the referral open and needs next_follow_up_on."
        ),
    )
    seen_by_doctor = serializers.BooleanField(allow_null=True, required=False, default=None)
    diagnosis_confirmed = serializers.BooleanField(allow_null=True, required=False, default=None)
    treatment_started = serializers.BooleanField(allow_null=True, required=False, default=None)
    next_follow_up_on = serializers.DateField(allow_null=True, required=False, default=None)


class RevealPhoneSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


# The status each refusal of a phone reveal answers with.
REVEAL_STATUS = {
    "not_allowed": status.HTTP_403_FORBIDDEN,
    "out_of_reach": status.HTTP_403_FORBIDDEN,
    "not_open": status.HTTP_400_BAD_REQUEST,
    "no_phone": status.HTTP_400_BAD_REQUEST,
    "daily_limit": status.HTTP_429_TOO_MANY_REQUESTS,
}
RevealRefusal = inline_serializer(
    "PhoneRevealRefused", {"detail": serializers.CharField(), "code": serializers.CharField()}
)


class ReferralViewSet(ScopedReadOnlyViewSet):
    """The referral queue: open ones first, urgent ones first among them, then by due date;
    recording a follow-up; revealing the phone of a resident to call (audited, limited)."""

    # Open ones first ("open" sorts after "followed_up"), urgent before the others ("urgent"
    # sorts after "referral"), the most pressing at the top.
    # Only the columns the rows show of the reading and the resident (a resident row is wide).
    queryset = (
        Referral.objects.select_related("visit", "resident")
        .only(
            *(f.attname for f in Referral._meta.concrete_fields),
            "visit__started_at",
            "visit__reading_count",
            "visit__systolic",
            "visit__diastolic",
            "visit__category",
            "resident__name",
            "resident__phone_masked",
        )
        .annotate(
            first_reading=Subquery(
                BPReading.objects.filter(visit=OuterRef("visit"))
                .order_by("measured_at", "id")
                .values("id")[:1]
            )
        )
        .order_by("-status", "-urgency", "due_on", "id")
    )
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(
        request=FollowUpSerializer,
        responses={200: ReferralSerializer},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        referral = self.get_object()
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_follow_up(user=request.user, referral=referral, **serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=RevealPhoneSerializer,
        responses={
            200: inline_serializer(
                "RevealedPhone",
                {
                    "phone": serializers.CharField(),
                    "tel": serializers.CharField(),
                    "reveals_left_today": serializers.IntegerField(),
                },
            ),
            400: RevealRefusal,
            403: RevealRefusal,
            429: RevealRefusal,
        },
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request, pk=None):
        """The full phone of the referral's resident, once, to call them: for an open referral in
        reach, with a reason (audited), within the daily limit. Never the ID number."""
        # Within reach: another community's referral is a 404, as everywhere, so an id outside
        # reach reveals nothing, not even that it exists (the service checks the reach again).
        referral = get_object_or_404(Referral.objects.in_reach(request.user), pk=pk)
        # The reason is checked by the service after the reach (out of reach is 403 whatever).
        reason = request.data.get("reason") if hasattr(request.data, "get") else None
        try:
            phone = referral_phone_reveal(
                user=request.user,
                referral=referral,
                reason=reason if isinstance(reason, str) else "",
            )
        except PhoneRevealRefused as exc:
            return Response(
                {"detail": exc.message, "code": exc.code}, status=REVEAL_STATUS[exc.code]
            )
        left = max(
            0, settings.HEALTHEDU["PHONE_REVEALS_PER_DAY"] - phone_reveals_today(request.user)
        )
        response = Response({"phone": phone, "tel": f"tel:{phone}", "reveals_left_today": left})
        response["Cache-Control"] = "no-store"
        return response
