import datetime as dt

import pytest

from healthedu.activities.attendance import attendance_check_in
from healthedu.screening.services import reading_create
from tests.factories import make_event, make_resident
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db


def test_educator_home_shows_progress_upcoming_and_referrals(
    page_client, educator_a, community_a, community_b
):
    make_event(community_a, title="下周讲座", starts_at=NOW + dt.timedelta(hours=30), hours=1)
    make_event(community_b, title="别处讲座", starts_at=NOW + dt.timedelta(hours=30), hours=1)
    screening = make_event(
        community_a,
        kind="bp_screening",
        title="测血压",
        starts_at=NOW - dt.timedelta(hours=1),
        hours=1,
    )
    person = make_resident(community_a, name="钱大爷", age=70)
    attendance_check_in(user=educator_a, event=screening, resident=person)
    reading_create(
        user=educator_a,
        data={"resident": person, "event": screening, "systolic": 150, "diastolic": 95},
    )
    response = page_client(educator_a).get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="plan-progress"' in body and "健康知识讲座" in body
    assert "下周讲座" in body and "别处讲座" not in body
    assert "钱大爷" in body and response.context["referral_count"] == 1


def test_nav_by_role(page_client, educator_a, leader, admin_user):
    educator_nav = page_client(educator_a).get("/residents/").content.decode()
    for href in ("/activities/", "/bp/", "/residents/"):
        assert f'href="{href}"' in educator_nav
    assert 'href="/admin/"' not in educator_nav
    leader_nav = page_client(leader).get("/dashboard/").content.decode()
    assert 'href="/dashboard/"' in leader_nav and 'href="/residents/"' not in leader_nav
    admin_nav = page_client(admin_user).get("/residents/").content.decode()
    assert 'href="/admin/"' in admin_nav


def test_pages_need_login(client):
    for path in ("/", "/residents/", "/activities/", "/bp/", "/dashboard/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_home_lists_held_activities_without_a_summary(page_client, educator_a, community_a):
    event = make_event(
        community_a,
        title="忘写总结的讲座",
        starts_at=NOW - dt.timedelta(hours=5),
        status="held",
        walk_ins=3,
        hours=1,
    )
    body = page_client(educator_a).get("/").content.decode()
    assert 'id="unfinished"' in body and f"/activities/{event.pk}/" in body


def test_pages_carry_an_icon(page_client, educator_a):
    body = page_client(educator_a).get("/").content.decode()
    assert 'rel="icon"' in body and "web/favicon.svg" in body
