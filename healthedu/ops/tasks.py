from celery import shared_task


@shared_task
def ping() -> str:
    # The doctor's round trip through the broker to a worker and back through the result backend.
    return "pong"
