from celery import shared_task


@shared_task
def send_overdue_referral_reminders() -> int:
    # Thin: call one service with today's date; the service finds the educators and referrals.
    from django.utils import timezone

    from healthedu.screening.reminders import overdue_referral_reminders_send

    return overdue_referral_reminders_send(today=timezone.localdate())
