import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from healthedu.api.fields import CheckedUploadField, CommunityCodeOrIdField
from healthedu.api.permissions import AdminOnly
from healthedu.api.viewsets import ServiceModelViewSet
from healthedu.jobs.api import JobSerializer, job_accepted
from healthedu.org.models import Community
from residents.filters import ResidentFilter
from residents.importing import check_upload, template_workbook
from residents.jobs import resident_import_start
from residents.models import Condition, Resident, ResidentHasHistory, ResidentStatus, Sex
from residents.presenting import birth_date_shown
from residents.selectors import residents_listed
from residents.services import resident_create, resident_delete, resident_reveal, resident_update


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}(-\d{2})?$",
        "description": "YYYY-MM-DD; read as YYYY-MM by anyone but an administrator. Written "
        "as YYYY-MM (what was read) it keeps the date held, if it is of that month.",
    }
)
class BirthDateField(serializers.Field):
    """The date of birth: an administrator reads the date, anyone else its year and month
    (residents.presenting). Written in full; or, as read, in the form YYYY-MM (a MonthOnly)."""

    default_error_messages = {
        "invalid": gettext_lazy("A date of birth is written YYYY-MM-DD."),
    }

    def to_representation(self, value):
        request = self.context.get("request")
        return birth_date_shown(value, getattr(request, "user", None))

    def to_internal_value(self, data):
        text = data if isinstance(data, str) else ""
        try:
            if len(text) == 7:
                return MonthOnly(dt.date.fromisoformat(text + "-01"))
            if len(text) == 10:
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        self.fail("invalid")


class MonthOnly:
    """A date of birth written as YYYY-MM: only the month, as a non-administrator reads it."""

    def __init__(self, first: dt.date):
        self.first = first

    def matches(self, birth_date: dt.date | None) -> bool:
        return birth_date is not None and birth_date.replace(day=1) == self.first


class ResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=64)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = BirthDateField()
    community = CommunityCodeOrIdField(queryset=Community.objects.all())
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, source="phone_masked"
    )
    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, source="id_number_masked"
    )
    is_migrant = serializers.BooleanField(required=False, default=False)
    conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=Condition.choices), required=False, default=list
    )
    status = serializers.ChoiceField(
        choices=ResidentStatus.choices, required=False, default=ResidentStatus.ACTIVE
    )
    groups = serializers.SerializerMethodField()

    def get_groups(self, resident) -> list[str]:
        return resident.groups_on(self.context.get("today") or timezone.localdate())

    def to_service_data(self) -> dict:
        data = dict(self.validated_data)
        birth = data.get("birth_date")
        if isinstance(birth, MonthOnly):
            # The month as it was read back: the date held stays. Anything else needs the day.
            if self.instance is None or not birth.matches(self.instance.birth_date):
                raise serializers.ValidationError(
                    {"birth_date": [_("Give the full date of birth (YYYY-MM-DD).")]}
                )
            del data["birth_date"]
        # Sources point at the masked columns for reading; on writing they carry the plain value.
        if "phone_masked" in data:
            data["phone"] = data.pop("phone_masked")
        if "id_number_masked" in data:
            data["id_number"] = data.pop("id_number_masked")
        return data


class ResidentConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "resident_has_records"


class ResidentImportSerializer(serializers.Serializer):
    file = CheckedUploadField(check=check_upload)
    community = CommunityCodeOrIdField(queryset=Community.objects.all())


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=2, max_length=500)


class ResidentViewSet(ServiceModelViewSet):
    # The community is shown by id: no join. In the pages' order (pinyin: residents.selectors).
    queryset = residents_listed(Resident.objects.all())
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter

    def perform_create(self, serializer):
        serializer.instance = resident_create(
            user=self.request.user, data=serializer.to_service_data()
        )

    def perform_update(self, serializer):
        serializer.instance = resident_update(
            user=self.request.user, resident=serializer.instance, data=serializer.to_service_data()
        )

    def perform_destroy(self, instance):
        try:
            resident_delete(user=self.request.user, resident=instance)
        except ResidentHasHistory as exc:
            raise ResidentConflict(exc.args[0]) from None

    @extend_schema(
        request={"multipart/form-data": ResidentImportSerializer}, responses={202: JobSerializer}
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def import_file(self, request):
        serializer = ResidentImportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        community = serializer.validated_data["community"]
        job = resident_import_start(
            user=request.user, community=community, upload=serializer.validated_data["file"]
        )
        return job_accepted(request, job)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes
        }
    )
    @action(detail=False, methods=["get"], url_path="import/template")
    def import_template(self, request):
        from django.http import HttpResponse

        content = template_workbook()
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename=residents-template.xlsx"
        return response

    @extend_schema(
        request=RevealSerializer,
        responses={
            200: inline_serializer(
                "Revealed", {"id_number": serializers.CharField(), "phone": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[AdminOnly])
    def reveal(self, request, pk=None):
        resident = self.get_object()
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not request.user.is_admin:
            raise PermissionDenied(_("Only an administrator may reveal personal data."))
        return Response(
            resident_reveal(
                user=request.user, resident=resident, reason=serializer.validated_data["reason"]
            )
        )
