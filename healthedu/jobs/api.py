import mimetypes
from pathlib import PurePath

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from healthedu.api.viewsets import ScopedReadOnlyViewSet
from healthedu.downloads import content_disposition
from healthedu.jobs.models import Job, Status
from healthedu.jobs.services import job_public_result, job_take_secrets


class JobSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "result",
            "error",
            "file",
            "params",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def to_representation(self, job):
        data = super().to_representation(job)
        # Secrets in a result (generated passwords) go to the job's creator once, to no one else.
        data["result"] = job_public_result(data["result"])
        request = self.context.get("request")
        secrets = job_take_secrets(job, getattr(request, "user", None))
        if secrets is not None:
            data["result"]["secrets"] = secrets
        return data

    def get_file(self, job) -> str | None:
        if job.status != Status.DONE or not job.file:
            return None
        request = self.context.get("request")
        path = f"/api/jobs/{job.pk}/file/"
        return request.build_absolute_uri(path) if request else path


class JobViewSet(ScopedReadOnlyViewSet):
    queryset = Job.objects.select_related("community").order_by("-created_at")
    serializer_class = JobSerializer
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # The list shows the caller's own jobs; the ones made on a schedule show by id.
            return queryset.filter(created_by=self.request.user)
        return queryset

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        job = self.get_object()
        if job.status != Status.DONE or not job.file:
            raise Http404(_("This job has no file (yet)."))
        stored = PurePath(job.file.name).name
        content_type = (
            job.content_type or mimetypes.guess_type(stored)[0] or "application/octet-stream"
        )
        # The job names its file for people (result "filename", "filename_ascii"); the stored
        # name may carry the storage's random suffix, the download's never does.
        result = job.result if isinstance(job.result, dict) else {}
        response = FileResponse(job.file.open("rb"), content_type=content_type)
        response["Content-Disposition"] = content_disposition(
            result.get("filename") or stored, result.get("filename_ascii") or stored
        )
        return response


def job_accepted(request, job: Job):
    """The answer to a request that started a job: 202 and the job, to follow by its id."""
    from rest_framework.response import Response

    return Response(JobSerializer(job, context={"request": request}).data, status=202)
