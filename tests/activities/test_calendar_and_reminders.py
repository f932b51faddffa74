"""The iCalendar feed behind a secret per-user link, and the day-before reminder email."""

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from healthedu.activities.models import Event
from healthedu.activities.tasks import send_event_reminders
from healthedu.schedule import BEAT_SCHEDULE
from tests.activities.conftest import TODAY, at
from tests.factories import make_event

pytestmark = pytest.mark.django_db


def feed_path(api, user, **data) -> str:
    response = api(user).post("/api/calendar/token/", data, format="json")
    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_feed_lists_activities_in_the_users_reach_only(api, educator_a, community_a, community_b):
    mine = make_event(
        community_a,
        title="控烟讲座",
        speaker="李医生",
        on=TODAY,
        at="09:30",
        hours=1.5,
        venue="二楼活动室",
    )
    make_event(
        community_b, title="春晖社区咨询", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室"
    )
    path = feed_path(api, educator_a)
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["控烟讲座"]
    entry = events[0]
    assert str(entry["UID"]) == f"event-{mine.pk}@healthedu"
    assert entry.decoded("DTSTART") == mine.starts_at
    assert "二楼活动室" in str(entry["LOCATION"])
    assert "李医生" in str(entry["DESCRIPTION"])


def test_feed_can_be_narrowed_to_one_community(api, leader, community_a, community_b):
    make_event(community_a, title="A", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    make_event(community_b, title="B", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    path = feed_path(api, leader)
    assert Client().get(f"{path}?community={community_b.code}").content.count(b"BEGIN:VEVENT") == 1
    assert Client().get(path).content.count(b"BEGIN:VEVENT") == 2
    assert Client().get(f"{path}?community=NOPE").status_code == 404


def test_cancelled_activity_is_marked_cancelled(api, educator_a, community_a):
    make_event(community_a, status="cancelled", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    content = Client().get(feed_path(api, educator_a)).content
    assert b"STATUS:CANCELLED" in content


def test_link_is_secret_and_rotating_it_kills_the_old_one(api, educator_a, community_a):
    make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    first = feed_path(api, educator_a)
    assert feed_path(api, educator_a) == first  # asking again keeps the same link
    assert Client().get("/calendar/wrong-token-wrong-token-wrong.ics").status_code == 404
    second = feed_path(api, educator_a, rotate=True)
    assert second != first
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_token_endpoint_needs_a_login(api):
    assert api(None).post("/api/calendar/token/").status_code == 401
    assert api(None).get("/api/calendar/token/").status_code == 401


def test_get_token_before_making_one_is_null(api, educator_a):
    assert api(educator_a).get("/api/calendar/token/").json() == {"url": None}


# Reminders --------------------------------------------------------------------------


def test_organiser_is_emailed_the_day_before_once(community_a, educator_a):
    educator_a.email = "edu_a@example.org"
    educator_a.save()
    tomorrow = make_event(
        community_a,
        user=educator_a,
        title="明天的讲座",
        starts_at=at(14, 9),
        ends_at=at(14, 10),
        venue="二楼活动室",
    )
    make_event(
        community_a,
        user=educator_a,
        title="后天",
        starts_at=at(15, 9),
        ends_at=at(15, 10),
        venue="二楼活动室",
    )
    make_event(
        community_a,
        user=educator_a,
        title="已取消",
        venue="别处",
        starts_at=at(14, 9),
        ends_at=at(14, 10),
        status="cancelled",
    )
    assert send_event_reminders.delay().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["edu_a@example.org"]
    assert "明天的讲座" in message.subject and "提醒" in message.subject
    assert "二楼活动室" in message.body
    assert Event.objects.get(pk=tomorrow.pk).reminder_sent_at is not None
    assert send_event_reminders.delay().get() == 0
    assert len(mail.outbox) == 1


def test_without_a_creator_the_communitys_educators_are_told(community_a, educator_a, educator_b):
    educator_a.email = "edu_a@example.org"
    educator_a.save()
    educator_b.email = "edu_b@example.org"
    educator_b.save()
    make_event(community_a, starts_at=at(14, 9), ends_at=at(14, 10), venue="二楼活动室")
    send_event_reminders.delay()
    assert [m.to for m in mail.outbox] == [["edu_a@example.org"]]


def test_reminder_is_scheduled():
    entry = BEAT_SCHEDULE["activities-day-before-reminders"]
    assert entry["task"] == send_event_reminders.name
