"""Reach on every reports endpoint and on the downloads of their files."""

import pytest

from healthedu.jobs.models import Job

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("post", "/api/reports/ledgers/", {"community": "A01", "month": "2026-10", "format": "pdf"}),
    ("post", "/api/reports/summaries/", {"community": "A01", "year": 2026, "format": "pdf"}),
    ("get", "/api/reports/summary/", {"community": "A01", "year": 2026}),
    ("get", "/api/reports/progress/", {"community": "A01", "year": 2026}),
    ("get", "/api/reports/ledger-checks/", {"community": "A01", "month": "2026-10"}),
    ("post", "/api/reports/finalise/", {"community": "A01", "month": "2026-10"}),
    ("post", "/api/reports/unlock/", {"community": "A01", "month": "2026-10", "reason": "x"}),
    ("get", "/api/reports/locks/", {}),
]


def call(client, method, path, data):
    if method == "get":
        return client.get(path, data)
    return client.post(path, data, format="json")


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_anonymous_gets_401(api, community_a, method, path, data):
    assert call(api(None), method, path, data).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "data"), ENDPOINTS[:6], ids=[e[1] for e in ENDPOINTS[:6]]
)
def test_educator_of_b_cannot_name_community_a(api, educator_b, community_a, method, path, data):
    response = call(api(educator_b), method, path, data)
    assert response.status_code == 400
    assert "community" in response.json()
    assert not Job.objects.exists()


def test_educator_of_b_cannot_read_or_download_as_ledger_by_its_id(
    api, educator_a, educator_b, october, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(educator_a).post(
            "/api/reports/ledgers/", {"community": "A01", "month": "2026-10"}, format="json"
        )
    job_id = response.json()["id"]
    assert api(educator_a).get(f"/api/jobs/{job_id}/file/").status_code == 200
    assert api(educator_b).get(f"/api/jobs/{job_id}/").status_code == 404
    assert api(educator_b).get(f"/api/jobs/{job_id}/file/").status_code == 404


def test_a_scheduled_ledger_is_downloadable_by_the_communitys_people_only(
    api, educator_a, educator_b, leader, october, django_capture_on_commit_callbacks
):
    from healthedu.months import parse_month
    from reports.services import ledgers_start

    with django_capture_on_commit_callbacks(execute=True):
        jobs = ledgers_start(month=parse_month("2026-10"), communities=[october.community])
    job_id = jobs[0].pk
    assert api(educator_a).get(f"/api/jobs/{job_id}/file/").status_code == 200
    assert api(leader).get(f"/api/jobs/{job_id}/file/").status_code == 200
    assert api(educator_b).get(f"/api/jobs/{job_id}/file/").status_code == 404


def test_leader_may_ask_for_ledgers_and_summaries_of_their_street(
    api, leader, october, community_c, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ledger = api(leader).post(
            "/api/reports/ledgers/",
            {"community": "A01", "month": "2026-10", "format": "xlsx"},
            format="json",
        )
        summary = api(leader).post(
            "/api/reports/summaries/",
            {"street": "天虹街道", "year": 2026, "format": "pdf"},
            format="json",
        )
    assert ledger.status_code == 202 and summary.status_code == 202
    for job in (ledger.json(), summary.json()):
        done = api(leader).get(f"/api/jobs/{job['id']}/").json()
        assert done["status"] == "done", done
    other_street = api(leader).post(
        "/api/reports/summaries/", {"street": "文化街道", "year": 2026}, format="json"
    )
    assert other_street.status_code == 400
    assert (
        api(leader).get("/api/reports/summary/", {"community": "C01", "year": 2026}).status_code
        == 400
    )


def test_made_ledgers_are_listed_within_reach(
    api, educator_a, educator_b, leader, october, community_b, django_capture_on_commit_callbacks
):
    from healthedu.months import parse_month
    from reports.services import ledgers_start

    with django_capture_on_commit_callbacks(execute=True):
        ledgers_start(month=parse_month("2026-10"))
    mine = api(educator_a).get("/api/reports/ledgers/", {"month": "2026-10"}).json()
    assert len(mine) == 1 and mine[0]["file"].endswith("/file/")
    assert mine[0]["params"]["month"] == "2026-10"
    assert len(api(leader).get("/api/reports/ledgers/").json()) == 2
    assert api(educator_b).get("/api/reports/ledgers/", {"community": "A01"}).status_code == 400
    assert api(educator_a).get("/api/reports/ledgers/", {"month": "2026-09"}).json() == []
