"""The onboarding workbook through the API: import (a background job) and the template, which
is an export of the current setup. Admins only."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, serializers
from rest_framework.views import APIView

from healthedu.api.fields import CheckedUploadField
from healthedu.api.permissions import AdminOnly
from healthedu.jobs.api import JobSerializer, job_accepted
from healthedu.org.jobs import org_import_start
from healthedu.org.onboarding import check_upload, export_setup

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SetupImportSerializer(serializers.Serializer):
    file = CheckedUploadField(check=check_upload)


class SetupImportView(APIView):
    """POST multipart `file` (the workbook with sheets 街道, 社区, 用户) → 202 job."""

    permission_classes = [AdminOnly]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(
        request={"multipart/form-data": SetupImportSerializer}, responses={202: JobSerializer}
    )
    def post(self, request):
        serializer = SetupImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = org_import_start(user=request.user, upload=serializer.validated_data["file"])
        return job_accepted(request, job)


def setup_workbook_response() -> HttpResponse:
    response = HttpResponse(export_setup(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=setup.xlsx"
    return response


class SetupExportView(APIView):
    """GET → the current setup as the workbook the import reads (the template)."""

    permission_classes = [AdminOnly]

    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request):
        return setup_workbook_response()
