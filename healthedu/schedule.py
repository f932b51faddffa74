"""Every periodic task, in one place. Times are Asia/Shanghai (CELERY_TIMEZONE).

Each entry says its cadence and why. Other issues add theirs here.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Weekly, Monday 08:00: each educator gets the referrals not followed up within the
    # 2-week window (REFERRAL_FOLLOWUP_DAYS). Weekly, not daily: a referral is worked by phone
    # and visit over days, and a daily mail about the same names would soon be ignored;
    # Monday morning, so the week's calls can be planned.
    "screening-overdue-referrals-weekly": {
        "task": "healthedu.screening.tasks.send_overdue_referral_reminders",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
}
