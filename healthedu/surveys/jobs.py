"""The paper-questionnaire import as a background job."""

from pathlib import PurePath

from healthedu.jobs.registry import job_handler
from healthedu.jobs.services import JobError
from healthedu.org.models import Community
from healthedu.surveys.importing import import_responses
from healthedu.surveys.models import Survey
from healthedu.tabular import TableError


@job_handler("survey_response_import")
def run_survey_response_import(job, progress) -> dict:
    community = Community.objects.get(pk=job.params["community"])
    survey = Survey.objects.get(pk=job.params["survey"])
    try:
        with job.input_file.open("rb") as fileobj:
            report = import_responses(
                fileobj=fileobj,
                filename=PurePath(job.input_file.name).name,
                survey=survey,
                community=community,
                user=job.created_by,
                progress=progress,
            )
    except TableError as exc:
        raise JobError(str(exc)) from None
    return report.as_dict()
