import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")

app = Celery("healthedu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _load_schedule(sender, **kwargs):
    # Periodic tasks live in one file, healthedu/schedule.py.
    from healthedu.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
