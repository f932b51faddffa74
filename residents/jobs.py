"""The resident import as a background job: its start and its handler."""

from healthedu.jobs.models import Job
from healthedu.jobs.registry import job_handler
from healthedu.jobs.services import import_job_run, job_start
from healthedu.org.models import Community
from residents.importing import import_residents


def resident_import_start(*, user, community: Community, upload) -> Job:
    return job_start(
        kind="resident_import",
        user=user,
        community=community,
        params={"community": community.pk},
        input_file=upload,
    )


@job_handler("resident_import")
def run_resident_import(job, progress) -> dict:
    community = Community.objects.get(pk=job.params["community"])
    return import_job_run(job, progress, import_residents, community=community)
