"""The onboarding workbook on an admin page: upload, template download, the jobs' outcome."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from healthedu.jobs.models import Job
from healthedu.jobs.services import job_public_result, job_take_secrets
from healthedu.org.jobs import org_import_start
from healthedu.org.onboarding import check_upload
from healthedu.org.onboarding_api import setup_workbook_response
from healthedu.tabular import TableError


class SetupUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except TableError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


def onboarding_view(request):
    if not request.user.is_admin:
        raise PermissionDenied
    if request.GET.get("download"):
        return setup_workbook_response()
    form = SetupUploadForm()
    if request.method == "POST":
        form = SetupUploadForm(request.POST, request.FILES)
        if form.is_valid():
            org_import_start(user=request.user, upload=form.cleaned_data["file"])
            messages.success(request, _("The import has started; reload this page to see it."))
            return redirect("admin_onboarding")
    jobs = []
    for job in Job.objects.filter(kind="org_import", created_by=request.user)[:10]:
        jobs.append(
            {
                "job": job,
                "result": job_public_result(job.result) or {},
                "secrets": job_take_secrets(job, request.user),
            }
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Set up the organisation from a workbook"),
        "form": form,
        "jobs": jobs,
    }
    return render(request, "org/onboarding.html", context)
