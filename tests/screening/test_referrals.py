"""The referral queue: made by readings, overdue after the 2-week window, followed up, reminded."""

import datetime as dt

import pytest
from django.core import mail

from healthedu.screening.models import Referral
from healthedu.screening.tasks import send_overdue_referral_reminders
from reports.models import PeriodLock
from tests.factories import UserFactory, make_resident
from tests.screening.conftest import SCREENING_DAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]

READINGS = "/api/bp-readings/"
URL = "/api/referrals/"
PHONE = "13912345678"
ID_NUMBER_TAIL = "X"


def measure(api, user, resident, systolic=150, diastolic=92, minutes=10):
    response = api(user).post(
        READINGS,
        {
            "resident": resident.pk,
            "systolic": systolic,
            "diastolic": diastolic,
            "measured_at": (SCREENING_DAY + dt.timedelta(minutes=minutes)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_referral_is_due_in_14_days_and_overdue_the_day_after(api, educator_a, community_a):
    resident = make_resident(community_a, age=62, phone=PHONE)
    reading = measure(api, educator_a, resident)
    listed = api(educator_a).get(URL).json()["results"]
    assert len(listed) == 1
    item = listed[0]
    assert item["reading"] == reading["id"] and item["urgency"] == "referral"
    assert item["status"] == "open" and item["due_on"] == "2026-10-31"
    assert item["phone"] == "139****5678" and PHONE not in str(listed)
    assert item["overdue"] is False

    with at("2026-10-31"):
        assert api(educator_a).get(URL, {"overdue": "true"}).json()["count"] == 0
        assert api(educator_a).get(URL).json()["results"][0]["overdue"] is False
    with at("2026-11-01"):
        assert api(educator_a).get(URL, {"overdue": "true"}).json()["count"] == 1
        assert api(educator_a).get(URL, {"overdue": "false"}).json()["count"] == 0
        assert api(educator_a).get(URL).json()["results"][0]["overdue"] is True


def test_follow_up_closes_the_referral(api, educator_a, community_a):
    resident = make_resident(community_a)
    measure(api, educator_a, resident, systolic=186)
    referral = Referral.objects.get()
    assert referral.urgency == "urgent"
    with at("2026-11-05"):
        response = api(educator_a).post(
            f"{URL}{referral.pk}/follow-up/",
            {"followed_up_on": "2026-11-03", "outcome": "家庭医生复测，确诊高血压，已开始服药"},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "followed_up" and body["followed_up_on"] == "2026-11-03"
        assert body["overdue"] is False
        assert api(educator_a).get(URL, {"status": "open"}).json()["count"] == 0
        assert api(educator_a).get(URL, {"overdue": "true"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"followed_up_on": "2026-10-16", "outcome": "ok"}, "followed_up_on", "before"),
        ({"followed_up_on": "2026-10-18", "outcome": "ok"}, "followed_up_on", "future"),
        ({"followed_up_on": "2026-10-17", "outcome": "  "}, "outcome", "came of"),
        ({"followed_up_on": "17/10/2026", "outcome": "ok"}, "followed_up_on", ""),
        ({"outcome": "ok"}, "followed_up_on", ""),
    ],
)
def test_bad_follow_up_is_400(api, educator_a, community_a, payload, field, words):
    measure(api, educator_a, make_resident(community_a))
    referral = Referral.objects.get()
    response = api(educator_a).post(
        f"{URL}{referral.pk}/follow-up/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400, response.content
    assert words in response.json()[field][0]
    assert Referral.objects.get().status == "open"


def test_follow_up_in_a_finalised_month_is_409(api, educator_a, community_a):
    measure(api, educator_a, make_resident(community_a))
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 10, 1))
    referral = Referral.objects.get()
    response = api(educator_a).post(
        f"{URL}{referral.pk}/follow-up/",
        {"followed_up_on": "2026-10-17", "outcome": "ok"},
        format="json",
    )
    assert response.status_code == 409


def test_queue_reach_and_leader_read_only(
    api, educator_a, educator_b, leader, community_a, community_b
):
    measure(api, educator_a, make_resident(community_a))
    measure(api, educator_b, make_resident(community_b))
    mine = Referral.objects.get(community=community_a)
    assert api(educator_a).get(URL).json()["count"] == 1
    assert api(educator_a).get(URL, {"community": community_a.code}).json()["count"] == 1
    assert api(educator_a).get(URL, {"community": community_b.code}).json()["count"] == 0
    assert api(educator_b).get(f"{URL}{mine.pk}/").status_code == 404
    follow = {"followed_up_on": "2026-10-17", "outcome": "已通知"}
    assert (
        api(educator_b).post(f"{URL}{mine.pk}/follow-up/", follow, format="json").status_code == 404
    )
    assert api(leader).get(URL).json()["count"] == 2
    assert api(leader).post(f"{URL}{mine.pk}/follow-up/", follow, format="json").status_code == 403
    assert Referral.objects.get(pk=mine.pk).status == "open"


def test_queue_query_count_does_not_grow_with_page_size(api, educator_a, community_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(12):
        measure(api, educator_a, make_resident(community_a), systolic=150 + i)
    client = api(educator_a)
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"page_size": size}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 4


def test_weekly_reminder_mails_each_educator_their_overdue_referrals_masked(
    api, educator_a, educator_b, leader, community_a, community_b
):
    for user in (educator_a, educator_b, leader):
        user.email = f"{user.username}@example.org"
        user.save()
    UserFactory(username="edu_nomail", communities=[community_a])  # no address: skipped
    resident = make_resident(community_a, name="王秀兰", phone=PHONE)
    measure(api, educator_a, resident)
    measure(api, educator_a, make_resident(community_a, name="李建国"), systolic=182, minutes=20)
    with at("2026-10-26"):
        assert send_overdue_referral_reminders.delay().get() == 0
    assert mail.outbox == []
    with at("2026-11-02"):
        assert send_overdue_referral_reminders.delay().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["edu_a@example.org"]
    assert "2" in message.subject
    assert "王**" in message.body and "李**" in message.body
    assert "王秀兰" not in message.body and "李建国" not in message.body
    assert PHONE not in message.body and "139****5678" in message.body
    assert resident.id_number_masked[:6] not in message.body.replace("139****5678", "")
    assert "三级高血压" in message.body and "紧急转诊" in message.body


def test_weekly_reminder_is_on_the_schedule():
    from healthedu.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["screening-overdue-referrals-weekly"]
    assert entry["task"] == send_overdue_referral_reminders.name
