"""Every periodic task, in one place. Times are Asia/Shanghai (CELERY_TIMEZONE).

Each entry says its cadence and why. Other issues add theirs here.
"""

BEAT_SCHEDULE: dict = {}
