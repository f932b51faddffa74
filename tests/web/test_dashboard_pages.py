import datetime as dt
import json

import pytest

from healthedu.jobs.models import Job
from tests.factories import make_event, make_resident
from tests.web.helpers import NOW, make_survey_with_answers

pytestmark = pytest.mark.django_db


def chart_data(response) -> dict:
    body = response.content.decode()
    start = body.index('id="chart-data"')
    return json.loads(body[body.index(">", start) + 1 : body.index("</script>", start)])


def test_leader_sees_rates_charts_and_comparison(page_client, leader, educator_a, community_a):
    make_survey_with_answers(community_a, educator_a, on=NOW.date())
    response = page_client(leader).get("/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-months"' in body and "vendor/chart.umd.js" in body
    assert 'id="comparison"' in body and 'id="compliance"' in body
    data = chart_data(response)
    assert data["months"]["labels"] and data["groups"]["labels"]
    assert data["target"]["knowledge"] is not None
    knowledge = response.context["summary"]["knowledge"]
    assert (knowledge["numerator"], knowledge["denominator"]) == (8, 12)


def test_drill_down_street_community_activity(page_client, leader, community_a, street):
    event = make_event(
        community_a, title="社区讲座甲", starts_at=NOW + dt.timedelta(hours=1), hours=1
    )
    client = page_client(leader)
    body = client.get(f"/dashboard/?street={street.pk}").content.decode()
    assert f"community={community_a.pk}" in body
    body = client.get(f"/dashboard/?community={community_a.pk}").content.decode()
    assert "社区讲座甲" in body and f"/activities/{event.pk}/" in body
    assert client.get(f"/activities/{event.pk}/").status_code == 200


def test_out_of_reach_places_fall_back_to_the_reach(page_client, leader, community_c, other_street):
    response = page_client(leader).get(
        f"/dashboard/?community={community_c.pk}&street={other_street.pk}"
    )
    assert response.status_code == 200
    assert response.context["community"] is None and response.context["street"] is None
    names = {row["name"] for row in response.context["summary"]["communities"]}
    assert community_c.name not in names


def test_leader_finds_no_edit_control_on_any_page(page_client, leader, community_a):
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    resident = make_resident(community_a)
    client = page_client(leader)
    for path in (
        "/dashboard/",
        "/residents/",
        "/activities/",
        f"/activities/{event.pk}/",
        "/bp/",
        "/bp/referrals/",
        "/ledger/",
    ):
        body = client.get(path).content.decode()
        main = body.split('id="main"')[1]
        forms = [
            chunk for chunk in main.split("<form")[1:] if 'method="post"' in chunk.split(">")[0]
        ]
        allowed = [f for f in forms if "/dashboard/summary/" in f.split(">")[0]]
        assert forms == allowed, path
        assert (
            "/edit/" not in main
            and "/new/" not in main
            and f"/residents/{resident.pk}/" not in main
        )


def test_every_write_url_refuses_a_leader(page_client, leader, community_a):
    from django.urls import get_resolver

    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    resident = make_resident(community_a)
    client = page_client(leader)
    web = get_resolver().url_patterns
    paths = [
        "/residents/new/",
        f"/residents/{resident.pk}/",
        "/residents/import/",
        "/activities/new/",
        f"/activities/{event.pk}/",
        f"/activities/{event.pk}/edit/",
        f"/activities/{event.pk}/check-in/",
        f"/activities/{event.pk}/walk-in/",
        f"/activities/{event.pk}/attach/",
        f"/activities/{event.pk}/cancel-repeat/",
        "/ledger/unlock/",
        f"/activities/{event.pk}/check-out/{resident.pk}/",
        f"/bp/screenings/{event.pk}/",
        "/ledger/make/",
        "/ledger/finalise/",
    ]
    assert web
    for path in paths:
        assert client.post(path, {}).status_code == 403, path


def test_leader_can_ask_for_the_summary_file(
    page_client, leader, community_a, street, django_capture_on_commit_callbacks
):
    client = page_client(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/summary/", {"street": street.pk, "format": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert client.get(f"/api/jobs/{job.pk}/file/").status_code == 200


def test_the_dashboard_drills_down_to_a_street(page_client, leader, community_a):
    body = page_client(leader).get("/dashboard/").content.decode()
    assert f"street={community_a.street_id}" in body
