"""Starting and running background jobs."""

import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.jobs.models import Job, Status
from healthedu.jobs.registry import HANDLERS

logger = logging.getLogger(__name__)


class JobError(Exception):
    """A failure the user should read (bad file, nothing to do), stored as the job's error."""


class QueueUnavailable(Exception):
    """The broker could not take the task. The job is saved and will be enqueued later."""

    def __init__(self, job_id: str):
        super().__init__(job_id)
        self.job_id = job_id


# Fail fast when the broker is down, rather than keeping the user's request waiting.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}


def job_enqueue(job_id: str) -> None:
    from healthedu.jobs.tasks import run_job

    try:
        run_job.apply_async((job_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # kombu raises OperationalError, redis ConnectionError, OSError...
        logger.warning("broker unavailable; job saved for later", extra={"job": job_id})
        raise QueueUnavailable(job_id) from exc
    Job.objects.filter(pk=job_id).update(enqueued=True)


def jobs_requeue(*, older_than_seconds: int = 30) -> int:
    """Enqueue the jobs saved while the broker was down. Returns how many went."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    count = 0
    for job_id in Job.objects.filter(
        status=Status.PENDING, enqueued=False, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        try:
            job_enqueue(str(job_id))
        except QueueUnavailable:
            break
        count += 1
    return count


def job_start(
    *, kind: str, user=None, community=None, params: dict | None = None, input_file=None
) -> Job:
    """Create a job and enqueue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, params=params or {}, created_by=user, community=community)
    if input_file is not None:
        job.input_file.save(input_file.name, input_file, save=False)
    job.save()
    # After commit, so the worker finds the job; a broker that is down raises QueueUnavailable
    # (a 503 for the user) while the job stays saved for jobs_requeue().
    transaction.on_commit(partial(job_enqueue, str(job.pk)))
    return job


def job_run(job_id) -> Job | None:
    """Run a job by id. Safe to run again after a worker died mid-way: handlers are idempotent."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.FAILED):
            return job
        job.status = Status.RUNNING
        job.progress = 0
        job.started_at = timezone.now()
        job.attempts = F("attempts") + 1
        job.save(update_fields=["status", "progress", "started_at", "attempts"])
    job.refresh_from_db()

    def progress(percent: float) -> None:
        value = max(0, min(99, int(percent)))
        Job.objects.filter(pk=job.pk, progress__lt=value).update(progress=value)

    try:
        result = HANDLERS[job.kind](job, progress)
    except JobError as exc:
        _finish(job, Status.FAILED, error=str(exc))
    except Exception as exc:  # the job keeps the error; the worker carries on
        logger.exception("job failed", extra={"job": str(job.pk)})
        _finish(
            job,
            Status.FAILED,
            error=_("The job failed unexpectedly: %(error)s") % {"error": type(exc).__name__},
        )
    else:
        _finish(job, Status.DONE, result=result)
    job.refresh_from_db()
    return job


def job_attach_file(job: Job, *, name: str, content: bytes, content_type: str) -> None:
    """Store the job's output, replacing a file left by an earlier attempt."""
    if job.file:
        job.file.delete(save=False)
    job.file.save(name, ContentFile(content), save=False)
    job.content_type = content_type
    Job.objects.filter(pk=job.pk).update(file=job.file.name, content_type=content_type)


def _finish(job: Job, status: str, *, result=None, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status,
        progress=100 if status == Status.DONE else F("progress"),
        result=result,
        error=error,
        finished_at=timezone.now(),
    )


def job_take_secrets(job: Job, user) -> dict | None:
    """A finished job's result may hold `secrets` (an import's generated passwords) meant for the
    user who started it alone, once: their first read takes them out of the stored result.
    Anyone else never sees them. Returns the secrets for this reader, or None."""
    if not isinstance(job.result, dict) or "secrets" not in job.result:
        return None
    if user is None or job.created_by_id != getattr(user, "pk", None):
        return None
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        result = dict(locked.result or {})
        secrets = result.pop("secrets", None)
        Job.objects.filter(pk=job.pk).update(result=result)
    return secrets


def job_public_result(result):
    """A job's result without the secrets in it."""
    if isinstance(result, dict) and "secrets" in result:
        return {k: v for k, v in result.items() if k != "secrets"}
    return result


def import_job_run(job, progress, importer, **arguments) -> dict:
    """The runner of the file imports: the job's file, by its name, read by `importer` as the
    job's author; a file that cannot be read fails the job with the reader's message."""
    from pathlib import PurePath

    from healthedu.tabular import TableError

    try:
        with job.input_file.open("rb") as fileobj:
            report = importer(
                fileobj=fileobj,
                filename=PurePath(job.input_file.name).name,
                user=job.created_by,
                progress=progress,
                **arguments,
            )
    except TableError as exc:
        raise JobError(str(exc)) from None
    return report.as_dict()
