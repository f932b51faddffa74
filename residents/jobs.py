"""The resident import as a background job."""

from pathlib import PurePath

from healthedu.jobs.registry import job_handler
from healthedu.jobs.services import JobError
from healthedu.org.models import Community
from healthedu.tabular import TableError
from residents.importing import import_residents


@job_handler("resident_import")
def run_resident_import(job, progress) -> dict:
    community = Community.objects.get(pk=job.params["community"])
    try:
        with job.input_file.open("rb") as fileobj:
            report = import_residents(
                fileobj=fileobj,
                filename=PurePath(job.input_file.name).name,
                community=community,
                user=job.created_by,
                progress=progress,
            )
    except TableError as exc:
        raise JobError(str(exc)) from None
    return report.as_dict()
