"""Jobs run by a real Celery worker on a real broker (Redis) against PostgreSQL.

Runs when CELERY_BROKER_URL is redis:// and the database is PostgreSQL (CI's second pass);
the worker is started here as a user would start it, pointed at the test database.
"""

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from healthedu.celery import app as celery_app
from healthedu.jobs.models import Job
from residents.models import Resident
from tests.factories import make_id_number
from tests.workbooks import SPARSE, crafted_workbook

BROKER = os.environ.get("CELERY_BROKER_URL", "")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER.startswith("redis://"), reason="needs CELERY_BROKER_URL=redis://…"
    ),
]


@pytest.fixture
def worker(tmp_path, settings, request):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database only on PostgreSQL")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthedu.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_QUEUE": queue,
        "PII_KEY": settings.PII_KEY,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **getattr(request, "param", {}),  # settings for this worker, by indirect parametrize
    }
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  closed after the worker stops
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "healthedu",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "1",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for(job_id, predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if predicate(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stuck: {Job.objects.get(pk=job_id).status}")


def roster(rows: int) -> bytes:
    import datetime as dt

    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(["姓名", "性别", "出生日期", "身份证号", "联系电话"])
    start = dt.date(1940, 1, 1)
    for i in range(rows):
        birth = start + dt.timedelta(days=i % 20000)
        sex = "MF"[i % 2]
        sheet.append(
            [
                f"居民{i}",
                "男" if sex == "M" else "女",
                birth.isoformat(),
                make_id_number(birth, sex, seq=i % 100, area=f"{110101 + i // 20000:06d}"),
                f"139{i:08d}",
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_job_runs_on_a_real_worker(worker, api, educator_a, community_a):
    upload = SimpleUploadedFile(
        "roster.xlsx", (ROOT / "tests/samples/天虹路社区居民花名册.xlsx").read_bytes()
    )
    response = api(educator_a).post(
        "/api/residents/import/", {"file": upload, "community": community_a.pk}, format="multipart"
    )
    assert response.status_code == 202
    job = wait_for(response.json()["id"], lambda j: j.status in ("done", "failed"))
    assert job.status == "done", job.error
    assert job.result["created"] == 191 and job.progress == 100


def test_a_worker_killed_mid_job_leaves_it_to_be_redone(worker, api, educator_a, community_a):
    upload = SimpleUploadedFile("big.xlsx", roster(15000))
    response = api(educator_a).post(
        "/api/residents/import/", {"file": upload, "community": community_a.pk}, format="multipart"
    )
    job_id = response.json()["id"]
    wait_for(job_id, lambda j: j.status == "running" and j.progress >= 5)
    # Kill the pool process doing the work (as the OOM killer would); the main process
    # rejects the unacknowledged task, the broker redelivers it, and the job is run again.
    children = subprocess.run(
        ["pgrep", "-P", str(worker.pid)], capture_output=True, text=True
    ).stdout.split()
    assert children, "no pool process found"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    job = wait_for(job_id, lambda j: j.status in ("done", "failed"), timeout=180)
    assert job.status == "done", job.error
    assert job.attempts >= 2
    assert job.result["created"] + job.result["unchanged"] + job.result["updated"] == 15000
    assert Resident.objects.count() == 15000
    assert settings.CELERY_TASK_ACKS_LATE


# Limits loosened so that the scan lets the sparse sheet through: calamine then asks for 512 GiB
# and aborts, in the child process that reads the upload, never in the worker.
LOOSE_LIMITS = {
    "UPLOAD_MAX_ROWS": "2000000",
    "UPLOAD_MAX_COLUMNS": "20000",
    "UPLOAD_PARSE_MEMORY_MB": "512",
}


@pytest.mark.parametrize("worker", [LOOSE_LIMITS], indirect=True)
def test_a_sparse_workbook_fails_its_job_and_the_worker_imports_the_next(
    worker, api, educator_a, community_a
):
    sparse = SimpleUploadedFile("sparse.xlsx", crafted_workbook(SPARSE))
    response = api(educator_a).post(
        "/api/residents/import/", {"file": sparse, "community": community_a.pk}, format="multipart"
    )
    assert response.status_code == 202
    job = wait_for(response.json()["id"], lambda j: j.status in ("done", "failed"))
    assert job.status == "failed" and job.attempts == 1, job.error
    assert "memory" in job.error or "内存" in job.error
    assert worker.poll() is None

    good = SimpleUploadedFile("roster.xlsx", roster(20))
    response = api(educator_a).post(
        "/api/residents/import/", {"file": good, "community": community_a.pk}, format="multipart"
    )
    job = wait_for(response.json()["id"], lambda j: j.status in ("done", "failed"))
    assert job.status == "done" and job.result["created"] == 20, job.error
