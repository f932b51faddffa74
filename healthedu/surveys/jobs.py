"""The paper-questionnaire import as a background job: its start and its handler."""

from healthedu.jobs.models import Job
from healthedu.jobs.registry import job_handler
from healthedu.jobs.services import import_job_run, job_start
from healthedu.org.models import Community
from healthedu.surveys.importing import import_responses
from healthedu.surveys.models import Survey


def survey_response_import_start(*, user, community: Community, survey: Survey, upload) -> Job:
    return job_start(
        kind="survey_response_import",
        user=user,
        community=community,
        params={"community": community.pk, "survey": survey.pk},
        input_file=upload,
    )


@job_handler("survey_response_import")
def run_survey_response_import(job, progress) -> dict:
    community = Community.objects.get(pk=job.params["community"])
    survey = Survey.objects.get(pk=job.params["survey"])
    return import_job_run(job, progress, import_responses, survey=survey, community=community)
