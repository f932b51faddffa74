"""The onboarding workbook's import as a background job."""

from healthedu.jobs.models import Job
from healthedu.jobs.registry import job_handler
from healthedu.jobs.services import JobError, job_start
from healthedu.org.onboarding import import_setup
from healthedu.tabular import TableError


def org_import_start(*, user, upload) -> Job:
    return job_start(kind="org_import", user=user, input_file=upload)


@job_handler("org_import")
def run_org_import(job, progress) -> dict:
    try:
        with job.input_file.open("rb") as fileobj:
            return import_setup(content=fileobj.read(), actor=job.created_by, progress=progress)
    except TableError as exc:
        raise JobError(str(exc)) from None
