"""A background job's page: a progress bar that polls /api/jobs/{id}/, then the outcome."""

from django.shortcuts import render
from django.utils.translation import pgettext_lazy

from healthedu.jobs.models import Job
from healthedu.web.access import get_in_reach, reader_page

STATUS_LABELS = {
    "pending": pgettext_lazy("web", "Waiting to start"),
    "running": pgettext_lazy("web", "Running"),
    "done": pgettext_lazy("web", "Finished"),
    "failed": pgettext_lazy("web", "Failed"),
}
BACK_TO = {
    "resident_import": ("web:residents", "residents"),
    "ledger": ("web:ledger", "ledger"),
    "summary": ("web:dashboard", "dashboard"),
    "survey_response_import": ("web:surveys", "surveys"),
}


def shown_progress(status: str, progress: int) -> int:
    """The bar as the status says it: full when finished, empty while waiting to start (a job
    that has not started has done nothing, whatever it reported)."""
    if status == "done":
        return 100
    if status == "pending":
        return 0
    return max(0, min(int(progress or 0), 100))


@reader_page
def job_page(request, pk):
    job = get_in_reach(Job.objects.select_related("community"), request.user, pk=pk)
    back, section = BACK_TO.get(job.kind, ("web:home", ""))
    result = job.result if isinstance(job.result, dict) else {}
    params = job.params or {}
    titles = {
        "resident_import": pgettext_lazy("web", "Importing a roster"),
        "survey_response_import": pgettext_lazy("web", "Importing questionnaires"),
        "ledger": pgettext_lazy("web", "Monthly ledger"),
        "summary": pgettext_lazy("web", "Leaders' summary"),
    }
    title = titles.get(job.kind, pgettext_lazy("web", "Background job"))
    detail = " ".join(
        str(v)
        for v in (params.get("month") or params.get("year"), (params.get("format") or "").upper())
        if v
    )
    return render(
        request,
        "web/job.html",
        {
            "section": section,
            "job": job,
            "title": title,
            "detail": detail,
            "status_label": STATUS_LABELS.get(job.status, job.status),
            "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
            "shown_progress": shown_progress(job.status, job.progress),
            "back": back,
            "result": result,
            "row_errors": result.get("errors") or [],
            "warnings": result.get("warnings") or result.get("checks") or [],
        },
    )
