import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healthedu.activities.attendance import attendance_check_in
from tests.factories import make_event, make_resident, make_survey
from tests.web.helpers import NOW, educator_pages

pytestmark = pytest.mark.django_db


def test_every_post_form_carries_a_csrf_token(page_client, educator_a, community_a):
    client = page_client(educator_a)
    pages = [*educator_pages(educator_a, community_a), "/dashboard/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        forms = re.findall(
            r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", response.content.decode(), re.S
        )
        assert forms or path in (
            "/",
            "/residents/",
            "/activities/",
            "/bp/referrals/",
            "/surveys/",
        ), path
        for form in forms:
            assert "csrfmiddlewaretoken" in form, path


def test_posts_without_a_csrf_token_are_refused(educator_a, community_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(educator_a)
    response = client.post("/residents/new/", {"name": "x"})
    assert response.status_code == 403


def test_activity_page_and_calendar_queries_do_not_grow(page_client, educator_a, community_a):
    event = make_event(community_a, starts_at=NOW - dt.timedelta(hours=1), hours=1)
    client = page_client(educator_a)
    people = [make_resident(community_a) for _ in range(12)]
    attendance_check_in(user=educator_a, event=event, resident=people[0])
    with CaptureQueriesContext(connection) as few:
        client.get(f"/activities/{event.pk}/")
    for person in people[1:]:
        attendance_check_in(user=educator_a, event=event, resident=person)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/activities/{event.pk}/")
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as one_event:
        client.get("/activities/")
    for hour in range(2, 12):
        make_event(
            community_a,
            title=f"活动{hour}",
            venue=f"室{hour}",
            starts_at=NOW + dt.timedelta(hours=hour),
            hours=1,
        )
    with CaptureQueriesContext(connection) as eleven:
        client.get("/activities/")
    assert len(eleven) == len(one_event)


def test_referral_queue_queries_do_not_grow(page_client, educator_a, community_a):
    from healthedu.screening.services import reading_create

    event = make_event(
        community_a, kind="bp_screening", starts_at=NOW - dt.timedelta(hours=1), hours=1
    )
    client = page_client(educator_a)

    def referral():
        person = make_resident(community_a, age=70)
        reading_create(
            user=educator_a,
            data={"resident": person, "event": event, "systolic": 170, "diastolic": 100},
        )

    referral()
    with CaptureQueriesContext(connection) as one:
        client.get("/bp/referrals/")
    for _ in range(8):
        referral()
    with CaptureQueriesContext(connection) as nine:
        body = client.get("/bp/referrals/").content.decode()
    assert len(nine) == len(one)
    assert body.count("/follow-up/") == 9


# Digits that str.isdigit() takes but are no id here: int() refuses ²; other scripts' digits;
# more digits than a database integer holds.
NOT_IDS = ["²", "١٢", "9" * 40]


def test_ids_typed_as_other_digits_are_refused_not_a_server_error(
    page_client, educator_a, leader, community_a
):
    survey = make_survey(community_a, user=educator_a)
    event = make_event(community_a, starts_at=NOW - dt.timedelta(hours=1), hours=1)
    person = make_resident(community_a, age=50, on=NOW.date())
    educator, boss = page_client(educator_a), page_client(leader)
    for value in NOT_IDS:
        checked_in = educator.post(f"/activities/{event.pk}/check-in/", {"resident": value})
        assert checked_in.status_code == 404, value
        respond = educator.get(f"/surveys/{survey.pk}/respond/", {"resident": value})
        assert respond.status_code == 200, value
        assert person.name not in respond.content.decode()
        assert boss.get("/dashboard/", {"street": value}).status_code == 200, value
    assert not event.attendances.exists()
