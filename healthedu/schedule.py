"""Every periodic task, in one place. Times are Asia/Shanghai (CELERY_TIMEZONE).

Each entry says its cadence and why. Other issues add theirs here.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Every minute: jobs saved while the broker was down are enqueued once it is back, so a
    # user's import or ledger starts by itself within a minute of the broker's return.
    "jobs-requeue": {
        "task": "healthedu.jobs.tasks.requeue_jobs",
        "schedule": 60.0,
    },
    # Weekly, Monday 08:00: each educator gets the referrals not followed up within the
    # 2-week window (REFERRAL_FOLLOWUP_DAYS). Weekly, not daily: a referral is worked by phone
    # and visit over days, and a daily mail about the same names would soon be ignored;
    # Monday morning, so the week's calls can be planned.
    "screening-overdue-referrals-weekly": {
        "task": "healthedu.screening.tasks.send_overdue_referral_reminders",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    # Daily at 16:00: the organiser of each activity starting tomorrow gets a reminder (sign-in
    # sheet, materials, camera). The afternoon before, so there is still a working evening to
    # prepare; each activity is reminded once (Event.reminder_sent_at), so a rerun is harmless.
    "activities-day-before-reminders": {
        "task": "healthedu.activities.tasks.send_event_reminders",
        "schedule": crontab(minute=0, hour=16),
    },
    # Monthly, on the 1st at 01:30: last month's ledger (PDF) for every community, one job each,
    # so that it is already there when educators start the month; 01:30, after midnight's
    # last check-ins of the closing day and before anyone is at work.
    "reports-last-month-ledgers": {
        "task": "reports.tasks.make_last_month_ledgers",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
}
