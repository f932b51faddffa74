"""Celery tasks of activities: thin, each calls one service."""

from celery import shared_task

from healthedu.activities.reminders import event_reminders_send


@shared_task
def send_event_reminders() -> int:
    return event_reminders_send()
