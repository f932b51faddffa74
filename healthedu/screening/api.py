"""HTTP for readings and referrals: translate requests to services and selectors, and back."""

import django_filters
from django.db.models import OuterRef, Q, Subquery
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
from healthedu.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from healthedu.screening import bp
from healthedu.screening.bp import (
    ISOLATED_SYSTOLIC_LABEL,
    Category,
    ImplausibleReading,
    category_label,
    referral_label,
)
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.models import BPReading, Referral, ReferralStatus, Visit
from healthedu.screening.selectors import (
    visit_preview,
    visit_summary,
)
from healthedu.screening.services import (
    reading_create,
    reading_delete,
    reading_update,
    readings_bulk_create,
    referral_follow_up,
)
from residents.groups import age_on
from residents.models import Resident

BULK_MAX = 500


def _community_q(value: str, field: str = "community") -> Q:
    if value.isdigit():
        return Q(**{f"{field}_id": int(value)}) | Q(**{f"{field}__code": value})
    return Q(**{f"{field}__code": value})


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

    def create(self, validated_data):
        return reading_create(user=self.context["request"].user, data=validated_data)

    def update(self, instance, validated_data):
        return reading_update(
            user=self.context["request"].user, reading=instance, data=validated_data
        )


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


class BPReadingViewSet(ScopedModelViewSet):
    # Resident, activity and community are shown by id; the visit comes in the same query.
    queryset = BPReading.objects.select_related("visit").order_by("-measured_at", "-id")
    serializer_class = BPReadingSerializer
    filterset_class = BPReadingFilter

    # The services audit; the mixin's audit would write a second entry.
    def perform_create(self, serializer):
        serializer.save()

    def perform_update(self, serializer):
        serializer.save()

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
        ]
        read_only_fields = fields

    def get_category_label(self, referral) -> str:
        return category_label(referral.visit.category)

    def get_urgency_label(self, referral) -> str:
        return referral_label(referral.urgency)

    def get_overdue(self, referral) -> bool:
        return referral.is_overdue(self.context.get("today") or timezone.localdate())


class ReferralFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community", label=gettext_lazy("community (id or code)")
    )
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    urgency = django_filters.ChoiceFilter(
        choices=[(ReferralKind.REFERRAL, "referral"), (ReferralKind.URGENT, "urgent")]
    )
    resident = django_filters.NumberFilter(field_name="resident_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Referral
        fields = ["community", "status", "urgency", "resident", "overdue"]

    def filter_community(self, queryset, name, value):
        return queryset.filter(_community_q(value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class FollowUpSerializer(serializers.Serializer):
    followed_up_on = serializers.DateField()
    outcome = serializers.CharField(max_length=2000, allow_blank=True)


class ReferralViewSet(ScopedReadOnlyViewSet):
    """The referral queue: open ones first by due date; marking one followed up."""

    # Open ones first ("open" sorts after "followed_up"), the most pressing at the top.
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
        .order_by("-status", "due_on", "id")
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
        referral = referral_follow_up(
            user=request.user,
            referral=referral,
            followed_up_on=serializer.validated_data["followed_up_on"],
            outcome=serializer.validated_data["outcome"],
        )
        return Response(self.get_serializer(referral).data)
