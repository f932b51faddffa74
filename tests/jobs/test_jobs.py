import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.jobs.models import Job
from healthedu.jobs.registry import HANDLERS, job_handler
from healthedu.jobs.services import JobError, job_attach_file, job_run, job_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def temporary_kinds():
    before = dict(HANDLERS)

    @job_handler("test_file")
    def make_file(job, progress):
        progress(50)
        job_attach_file(job, name="out.csv", content=b"a,b\n", content_type="text/csv")
        return {"rows": 1}

    @job_handler("test_user_error")
    def user_error(job, progress):
        raise JobError("文件没有数据")

    @job_handler("test_crash")
    def crash(job, progress):
        raise RuntimeError("secret detail 13912345678")

    yield
    HANDLERS.clear()
    HANDLERS.update(before)


def test_a_done_job_offers_its_file_with_the_content_type(
    api, educator_a, community_a, temporary_kinds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test_file", user=educator_a, community=community_a)
    body = api(educator_a).get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["result"] == {"rows": 1}
    assert body["file"].endswith(f"/api/jobs/{job.pk}/file/")
    download = api(educator_a).get(f"/api/jobs/{job.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    assert b"".join(download.streaming_content) == b"a,b\n"


def test_another_communitys_educator_cannot_see_or_download_a_job(
    api, educator_a, educator_b, community_a, temporary_kinds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test_file", user=educator_a, community=community_a)
    assert api(educator_b).get(f"/api/jobs/{job.pk}/").status_code == 404
    assert api(educator_b).get(f"/api/jobs/{job.pk}/file/").status_code == 404
    assert api(educator_b).get("/api/jobs/").json()["count"] == 0


def test_a_failed_job_keeps_a_readable_error_and_no_internal_detail(
    api, educator_a, community_a, temporary_kinds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_error = job_start(kind="test_user_error", user=educator_a, community=community_a)
        crash = job_start(kind="test_crash", user=educator_a, community=community_a)
    assert api(educator_a).get(f"/api/jobs/{user_error.pk}/").json()["error"] == "文件没有数据"
    body = api(educator_a).get(f"/api/jobs/{crash.pk}/").json()
    assert (
        body["status"] == "failed"
        and "RuntimeError" in body["error"]
        and "139" not in body["error"]
    )
    assert api(educator_a).get(f"/api/jobs/{crash.pk}/file/").status_code == 404


def test_a_redelivered_job_runs_again_and_a_finished_one_does_not(
    educator_a, community_a, temporary_kinds
):
    job = Job.objects.create(
        kind="test_file",
        created_by=educator_a,
        community=community_a,
        status="running",
        progress=40,
    )
    assert job_run(job.pk).status == "done"
    finished_at = Job.objects.get(pk=job.pk).finished_at
    job_run(job.pk)
    assert Job.objects.get(pk=job.pk).finished_at == finished_at


def test_unknown_job_id_is_404(api, educator_a):
    assert api(educator_a).get("/api/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert api(educator_a).get("/api/jobs/not-a-uuid/").status_code == 404


def test_input_files_are_kept_with_the_job(
    educator_a, community_a, temporary_kinds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="test_file",
            user=educator_a,
            community=community_a,
            input_file=SimpleUploadedFile("in.csv", b"x"),
        )
    assert Job.objects.get(pk=job.pk).input_file.read() == b"x"


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_saves_the_job_says_so_and_it_starts_when_the_broker_is_back(
    api, educator_a, community_a, temporary_kinds, monkeypatch
):
    from kombu.exceptions import OperationalError

    from healthedu.jobs.services import jobs_requeue
    from healthedu.jobs.tasks import run_job

    real = run_job.apply_async

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(run_job, "apply_async", broker_down)
    from residents.api import ResidentViewSet  # noqa: F401  (the import endpoint enqueues a job)

    upload = SimpleUploadedFile("r.csv", "姓名,性别,出生日期\n张三,男,1950-03-02\n".encode())
    response = api(educator_a).post(
        "/api/residents/import/", {"file": upload, "community": community_a.pk}, format="multipart"
    )
    assert response.status_code == 503
    assert "队列" in response.json()["detail"]
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == "pending" and not job.enqueued

    assert jobs_requeue(older_than_seconds=0) == 0  # still down: nothing lost, nothing sent
    monkeypatch.setattr(run_job, "apply_async", real)
    assert jobs_requeue(older_than_seconds=0) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.enqueued and job.result["created"] == 1
