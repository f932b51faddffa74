"""Ledgers and summaries as background jobs (healthedu.jobs). Handlers are idempotent: a worker
killed mid-ledger leaves the job to be redone, and the redo replaces any half-written file."""

from django.conf import settings
from django.utils import translation

from healthedu.jobs.models import Job
from healthedu.jobs.registry import job_handler
from healthedu.jobs.services import JobError, job_attach_file, job_start
from healthedu.months import parse_month
from healthedu.org.models import Community
from reports.services import CONTENT_TYPES, ledger_make


def _language(job) -> str:
    # The ledger is Chinese by default, whoever asked and in whatever language.
    return job.params.get("language") or settings.LANGUAGE_CODE


def ledger_start(*, user, community: Community, month, fmt: str = "pdf") -> Job:
    """A community-month's ledger (`month` a date or YYYY-MM) as a PDF or workbook."""
    params = {"community": community.pk, "month": f"{parse_month(month):%Y-%m}", "format": fmt}
    return job_start(kind="ledger", user=user, community=community, params=params)


def summary_start(
    *, user, year: int, fmt: str = "pdf", community=None, street=None, district=None
) -> Job:
    """The leaders' summary of a place (cut to the user's reach when it runs)."""
    params = {
        "street": street.pk if street else None,
        "district": district.pk if district else None,
        "community": community.pk if community else None,
        "year": year,
        "format": fmt,
    }
    return job_start(kind="summary", user=user, community=community, params=params)


@job_handler("ledger")
def run_ledger(job, progress) -> dict:
    from reports.ledger import display_name

    community = (
        Community.objects.select_related("street__district")
        .filter(pk=job.params.get("community"))
        .first()
    )
    if community is None:
        raise JobError(translation.gettext("The community no longer exists."))
    month = parse_month(job.params["month"])
    fmt = job.params.get("format", "pdf")
    with translation.override(_language(job)):
        name, content, result = ledger_make(
            community=community,
            month=month,
            fmt=fmt,
            made_by=display_name(job.created_by) if job.created_by else "",
            progress=lambda fraction: progress(fraction * 100),
        )
    job_attach_file(job, name=name, content=content, content_type=CONTENT_TYPES[fmt])
    return result


@job_handler("summary")
def run_summary(job, progress) -> dict:
    from reports.summary import summary_file

    with translation.override(_language(job)):
        name, content, result = summary_file(
            params=job.params,
            user=job.created_by,
            progress=lambda fraction: progress(fraction * 100),
        )
    fmt = job.params.get("format", "pdf")
    job_attach_file(job, name=name, content=content, content_type=CONTENT_TYPES[fmt])
    return result
