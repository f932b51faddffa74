from celery import shared_task


@shared_task
def make_last_month_ledgers() -> int:
    # Thin: one service call. Each community's ledger is a job of its own, with its own progress.
    from django.utils import timezone

    from healthedu.months import previous_month
    from reports.services import ledgers_start

    return len(ledgers_start(month=previous_month(timezone.localdate())))
