"""The rates read from a real streaming replica (DATABASE_REPLICA_URL), and a write followed at
once by its rate: the writer reads the primary until the replica has replayed the write."""

import datetime as dt
import time

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from healthedu.org.models import Community, District, Role, Street, User
from healthedu.program.models import Topic


@pytest.fixture
def place(real_db):
    district, _ = District.objects.get_or_create(name="复制区")
    street, _ = Street.objects.get_or_create(district=district, name="复制街道")
    community = Community.objects.create(
        street=street, name="复制社区", code=f"R{time.time_ns() % 10**8}"
    )
    admin = User.objects.create(username=f"replica-admin-{time.time_ns()}", role=Role.ADMIN)
    client = APIClient()
    client.force_authenticate(admin)
    return community, client


def survey_for(client, community):
    topic = Topic.objects.order_by("pk").first()
    body = {
        "title": "复制问卷",
        "community": community.pk,
        "items": [
            {
                "kind": "knowledge",
                "text": "K1",
                "topic": topic.code,
                "options": ["对", "错"],
                "correct": [0],
            },
            {
                "kind": "behavior",
                "text": "B1",
                "topic": topic.code,
                "options": ["是", "否"],
                "correct": [0],
            },
        ],
    }
    created = client.post("/api/surveys/", body, format="json")
    assert created.status_code == 201, created.content
    return created.json()


def post_response(client, survey, community, day):
    items = [i["id"] for i in survey["items"]]
    created = client.post(
        "/api/survey-responses/",
        {
            "survey": survey["id"],
            "answered_on": day.isoformat(),
            "round": "routine",
            "sex": "F",
            "age": 66,
            "is_migrant": False,
            "community": community.pk,
            "answers": [{"item": items[0], "choice": [0]}, {"item": items[1], "choice": [0]}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content


def rate(client, community, day):
    month = day.replace(day=1)
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    got = client.get(
        "/api/rates/",
        {"community": community.pk, "from": month.isoformat(), "to": last.isoformat()},
    )
    assert got.status_code == 200, got.content
    return got.json()["knowledge"]["denominator"]


def test_the_replica_is_a_real_standby(real_db):
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True


def test_a_write_is_in_its_rate_at_once_and_reports_then_read_the_replica(place):
    community, client = place
    survey = survey_for(client, community)
    day = dt.date(2026, 3, 10)
    for expected in (1, 2, 3):
        post_response(client, survey, community, day)
        # The very next request: counted, whatever the replica's lag.
        assert rate(client, community, day) == expected
    # Once the replica has replayed the writes, this user's reports are read there.
    for _ in range(100):
        with connections["replica"].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM surveys_response WHERE community_id = %s", [community.pk]
            )
            if cursor.fetchone()[0] == 3:
                break
        time.sleep(0.05)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert rate(client, community, day) == 3
    assert any("surveys_ratecount" in q["sql"] for q in on_replica), (
        "the rate was not read on the replica"
    )


def test_another_user_reads_the_replica_and_writes_never_go_there(place):
    community, client = place
    survey = survey_for(client, community)
    other = APIClient()
    other.force_authenticate(
        User.objects.create(username=f"reader-{time.time_ns()}", role=Role.ADMIN)
    )
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        post_response(client, survey, community, dt.date(2026, 4, 2))
    assert on_replica.captured_queries == []
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        rate(other, community, dt.date(2026, 4, 2))
    assert any("surveys_ratecount" in q["sql"] for q in on_replica)
