from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: str) -> str:
    # Thin: load by id, call one service. acks_late + reject_on_worker_lost: a worker killed
    # mid-job leaves the message to be redelivered, and the job is redone, not lost.
    from healthedu.jobs.services import job_run

    job = job_run(job_id)
    return job.status if job else "missing"


@shared_task
def requeue_jobs() -> int:
    from healthedu.jobs.services import jobs_requeue

    return jobs_requeue()
