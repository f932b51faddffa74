"""Scale-out of background work: a street's ledgers for a year with 1 and with 2 Celery workers
on Redis (each worker one process), wall time from enqueueing to the last file.

    DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://127.0.0.1:6379/0 python -m bench.workers
"""

import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def _months(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, 13)]


def _run(workers: int, months: list[dt.date]) -> float:
    from healthedu.celery import app
    from healthedu.jobs.models import Job
    from reports.services import ledgers_start

    queue = f"bench-{uuid.uuid4().hex[:6]}"
    app.conf.task_default_queue = queue
    env = {**os.environ, "CELERY_QUEUE": queue}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "healthedu",
                "worker",
                "-Q",
                queue,
                "--concurrency",
                "1",
                "-n",
                f"w{i}-{queue}@%h",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    try:
        time.sleep(6)  # let the workers connect before the clock starts
        started = time.perf_counter()
        jobs = [job for month in months for job in ledgers_start(month=month)]
        ids = [job.pk for job in jobs]
        while Job.objects.filter(pk__in=ids, status__in=["pending", "running"]).exists():
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        failed = Job.objects.filter(pk__in=ids, status="failed").count()
        if failed:
            raise SystemExit(f"{failed} ledger jobs failed")
        return elapsed
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def run() -> dict:
    from healthedu.org.models import Community

    year = dt.date.today().year
    months = _months(year)[: dt.date.today().month]
    one = _run(1, months)
    two = _run(2, months)
    return {
        "ledgers": Community.objects.count() * len(months),
        "one": round(one, 1),
        "two": round(two, 1),
        "speedup": round(one / two, 2),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    django.setup()
    print(json.dumps(run()))
