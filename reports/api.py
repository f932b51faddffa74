"""Reports API: ledgers and summaries as jobs, progress, summary JSON, ledger checks, locks.

Views translate HTTP to calls of reports' selectors and services. Every community or street a
caller names passes through their reach (unknown or out of reach: 400 "does not exist").
Leaders may ask for ledgers and summaries: those are reads, even if they start a job.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from healthedu.api.fields import CommunityCodeOrIdField, MonthField
from healthedu.api.permissions import AdminOnly, ReachPermission
from healthedu.api.viewsets import ScopedReadOnlyViewSet
from healthedu.ids import digits_int
from healthedu.jobs.api import JobSerializer, job_accepted
from healthedu.jobs.models import Job, Status
from healthedu.months import FIRST_YEAR, LAST_YEAR
from healthedu.org.models import Community, District, Street
from healthedu.org.reach import scope_tree
from reports.jobs import ledger_start, summary_start
from reports.models import PeriodLock
from reports.progress import plan_progress
from reports.services import period_finalise, period_unlock
from reports.summary import funnel_reference, leaders_summary, summary_scope

FORMATS = [("pdf", "PDF"), ("xlsx", "Excel")]
LEDGER_LIST_LIMIT = 200


class SignedIn(BasePermission):
    """Any signed-in user: reading reports (also as a job) is open to leaders, within reach."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class Writer(BasePermission):
    message = ReachPermission.message  # the foundation's words for the same refusal

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_write)


def _year_field(**kwargs):
    return serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs)


class CommunityMonthSerializer(serializers.Serializer):
    community = CommunityCodeOrIdField(
        queryset=Community.objects.select_related("street__district")
    )
    month = MonthField()


class LedgerRequestSerializer(CommunityMonthSerializer):
    format = serializers.ChoiceField(choices=FORMATS, default="pdf")


@extend_schema_field(OpenApiTypes.STR)
class ReachStreetField(serializers.Field):
    """A street by id or name, that holds at least one community in the caller's reach."""

    model = Street

    def to_internal_value(self, data):
        path = "communities" if self.model is Street else "streets__communities"
        queryset = scope_tree(self.model.objects.all(), self.context["request"].user, path=path)
        text = str(data).strip().replace("\x00", "")
        # A name, or an id (digits that fit a database integer; anything longer is no id).
        pk = digits_int(text)
        found = (
            queryset.filter(pk=pk).first() if pk is not None else queryset.filter(name=text).first()
        )
        if found is None:
            raise serializers.ValidationError(_("This place does not exist."))
        return found


class ReachDistrictField(ReachStreetField):
    model = District


class PlaceSerializer(serializers.Serializer):
    street = ReachStreetField(required=False)
    district = ReachDistrictField(required=False)
    community = CommunityCodeOrIdField(queryset=Community.objects.all(), required=False)
    year = _year_field()

    def validate(self, attrs):
        given = [k for k in ("street", "district", "community") if attrs.get(k) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"street": [_("Give exactly one of street, district or community.")]}
            )
        return attrs


class SummaryRequestSerializer(PlaceSerializer):
    format = serializers.ChoiceField(choices=FORMATS, default="pdf")


class ProgressQuerySerializer(serializers.Serializer):
    community = CommunityCodeOrIdField(queryset=Community.objects.all())
    year = _year_field(required=False)
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, value):
        # The same years as `year` (its default comes from as_of): 9999-12-31 has no next day.
        if not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Give a day between 2000-01-01 and 2100-12-31."))
        return value


class UnlockSerializer(CommunityMonthSerializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class LedgerListQuerySerializer(serializers.Serializer):
    community = CommunityCodeOrIdField(queryset=Community.objects.all(), required=False)
    month = MonthField(required=False)


class LedgerRequestView(APIView):
    """GET: the ledgers made (on the 1st, by hand or on request) that the caller may download,
    newest first; POST: ask for one."""

    permission_classes = [SignedIn]

    @extend_schema(
        parameters=[
            OpenApiParameter("community", str),
            OpenApiParameter("month", str, description="YYYY-MM"),
        ],
        responses={200: JobSerializer(many=True)},
    )
    def get(self, request):
        query = LedgerListQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        jobs = Job.objects.in_reach(request.user).filter(kind="ledger", status=Status.DONE)
        if query.validated_data.get("community"):
            jobs = jobs.filter(community=query.validated_data["community"])
        if query.validated_data.get("month"):
            jobs = jobs.filter(params__month=f"{query.validated_data['month']:%Y-%m}")
        jobs = jobs.select_related("community").order_by("-created_at")[:LEDGER_LIST_LIMIT]
        return Response(JobSerializer(jobs, many=True, context={"request": request}).data)

    @extend_schema(request=LedgerRequestSerializer, responses={202: JobSerializer})
    def post(self, request):
        serializer = LedgerRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = ledger_start(
            user=request.user, community=data["community"], month=data["month"], fmt=data["format"]
        )
        return job_accepted(request, job)


class SummaryRequestView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(request=SummaryRequestSerializer, responses={202: JobSerializer})
    def post(self, request):
        serializer = SummaryRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = data.get("community")
        job = summary_start(
            user=request.user,
            year=data["year"],
            fmt=data["format"],
            community=community,
            street=data.get("street"),
            district=data.get("district"),
        )
        return job_accepted(request, job)


class SummaryView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        parameters=[
            OpenApiParameter("street", str),
            OpenApiParameter("district", str),
            OpenApiParameter("community", str),
            OpenApiParameter("year", int, required=True),
        ],
        responses={200: inline_serializer("LeadersSummary", {"title": serializers.CharField()})},
    )
    def get(self, request):
        serializer = PlaceSerializer(data=request.query_params, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        title, communities = summary_scope(
            user=request.user,
            street=data.get("street"),
            district=data.get("district"),
            community=data.get("community"),
        )
        return Response(
            leaders_summary(
                title=title,
                communities=communities,
                year=data["year"],
                compare_with=funnel_reference(user=request.user, communities=communities),
            )
        )


class ProgressView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        parameters=[
            OpenApiParameter("community", str, required=True),
            OpenApiParameter("year", int),
            OpenApiParameter("as_of", dt.date, description="the day to judge on (default today)"),
        ],
        responses={200: inline_serializer("PlanProgress", {"kinds": serializers.ListField()})},
    )
    def get(self, request):
        serializer = ProgressQuerySerializer(
            data=request.query_params, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        as_of = data.get("as_of") or timezone.localdate()
        year = data.get("year") or as_of.year
        return Response(plan_progress(community=data["community"], year=year, as_of=as_of))


class LedgerChecksView(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        parameters=[
            OpenApiParameter("community", str, required=True),
            OpenApiParameter("month", str, required=True, description="YYYY-MM"),
        ],
        responses={200: inline_serializer("LedgerChecks", {"checks": serializers.ListField()})},
    )
    def get(self, request):
        from reports.ledger import ledger_checks

        serializer = CommunityMonthSerializer(
            data=request.query_params, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        community, month = (
            serializer.validated_data["community"],
            serializer.validated_data["month"],
        )
        checks = ledger_checks(community_id=community.pk, month=month)
        return Response(
            {
                "community": community.code,
                "month": f"{month:%Y-%m}",
                "checks": [
                    {
                        "code": c.code,
                        "activity": c.activity_id,
                        "title": c.activity_title,
                        "message": c.message,
                    }
                    for c in checks
                ],
            }
        )


class PeriodLockSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True)
    month = serializers.SerializerMethodField()
    locked_by = serializers.CharField(source="locked_by.username", default=None, read_only=True)
    unlocked_by = serializers.CharField(source="unlocked_by.username", default=None, read_only=True)

    class Meta:
        model = PeriodLock
        fields = [
            "id",
            "community",
            "month",
            "active",
            "locked_at",
            "locked_by",
            "unlocked_at",
            "unlocked_by",
            "unlock_reason",
        ]
        read_only_fields = fields

    def get_month(self, lock) -> str:
        return f"{lock.month:%Y-%m}"


class FinaliseView(APIView):
    permission_classes = [Writer]

    @extend_schema(request=CommunityMonthSerializer, responses={200: PeriodLockSerializer})
    def post(self, request):
        serializer = CommunityMonthSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lock, job = period_finalise(user=request.user, **data)
        body = PeriodLockSerializer(lock).data
        body["ledger_job"] = JobSerializer(job, context={"request": request}).data if job else None
        return Response(body)


class UnlockView(APIView):
    permission_classes = [AdminOnly]

    @extend_schema(request=UnlockSerializer, responses={200: PeriodLockSerializer})
    def post(self, request):
        if not request.user.is_admin:  # pragma: no cover - AdminOnly already refused
            raise PermissionDenied()
        serializer = UnlockSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        lock = period_unlock(user=request.user, **serializer.validated_data)
        return Response(PeriodLockSerializer(lock).data)


class PeriodLockViewSet(ScopedReadOnlyViewSet):
    queryset = PeriodLock.objects.select_related("community", "locked_by", "unlocked_by").order_by(
        "-month", "community__code"
    )
    serializer_class = PeriodLockSerializer
    filterset_fields = ["community", "active"]
