"""QR self sign-in: the window, lookup by name and last four digits, guests, the rate limit."""

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from healthedu.activities.models import Attendance, Event, WalkIn
from healthedu.activities.signin import MAX_FAILURES_PER_ADDRESS
from tests.activities.conftest import at
from tests.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(make_event, community_a):
    return make_event(community_a, starts_at=at(13, 9, 30), ends_at=at(13, 11))


@pytest.fixture
def wang(community_a):
    return make_resident(community_a, name="王秀英", phone="13912345678", id_number="")


def sign(event, lang="zh-hans", **data):
    client = Client(enforce_csrf_checks=False)
    return client.post(f"/s/{event.signin_token}/", data, HTTP_ACCEPT_LANGUAGE=lang)


def outcome(response) -> str:
    text = response.content.decode()
    marker = 'data-outcome="'
    return text.split(marker, 1)[1].split('"', 1)[0] if marker in text else ""


def test_page_shows_the_form_and_no_personal_data(lecture, wang):
    response = Client().get(f"/s/{lecture.signin_token}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert lecture.title in text
    assert 'name="last4"' in text
    assert "王秀英" not in text and "5678" not in text
    assert 'name="viewport"' in text


def test_resident_signs_in_by_name_and_phone_digits(lecture, wang):
    response = sign(lecture, mode="resident", name="王秀英", last4="5678")
    assert outcome(response) == "checked_in"
    assert "签到成功" in response.content.decode()
    assert "王秀英" not in response.content.decode()
    row = Attendance.objects.get(event=lecture, resident=wang)
    assert row.method == "qr"
    assert outcome(sign(lecture, mode="resident", name="王秀英", last4="5678")) == "already"
    assert Attendance.objects.filter(event=lecture).count() == 1


def test_id_number_digits_work_too(lecture, community_a):
    resident = make_resident(community_a, name="李国强", sex="M", age=66, phone="")
    last4 = resident.id_last4
    assert outcome(sign(lecture, mode="resident", name="李国强", last4=last4)) == "checked_in"


def test_not_found_offers_guest_sign_in_which_counts_a_walk_in(lecture, wang):
    response = sign(lecture, mode="resident", name="王秀英", last4="0000")
    assert outcome(response) == "not_found"
    assert 'value="guest"' in response.content.decode()
    assert not Attendance.objects.exists()
    response = sign(lecture, mode="guest", name="张阿姨")
    assert outcome(response) == "walk_in"
    lecture.refresh_from_db()
    assert lecture.walk_ins == 1
    assert list(WalkIn.objects.values_list("name", flat=True)) == ["张阿姨"]
    sign(lecture, mode="guest", name="")
    assert Event.objects.get(pk=lecture.pk).walk_ins == 2


def test_guests_fill_the_capacity_like_residents(
    make_event, community_a, wang, page_client, educator_a
):
    small = make_event(community_a, starts_at=at(13, 9, 30), ends_at=at(13, 11), capacity=2)
    assert outcome(sign(small, mode="resident", name="王秀英", last4="5678")) == "checked_in"
    assert outcome(sign(small, mode="guest", name="张阿姨")) == "walk_in"
    refused = sign(small, mode="guest", name="刘阿姨")
    assert outcome(refused) == "refused" and "已满" in refused.content.decode()
    other = make_resident(community_a, name="赵建国", phone="13900001111", id_number="")
    assert outcome(sign(small, mode="resident", name="赵建国", last4="1111")) == "refused"
    small.refresh_from_db()
    assert small.walk_ins == 1 and WalkIn.objects.filter(event=small).count() == 1
    assert not Attendance.objects.filter(event=small, resident=other).exists()
    # The educator counting someone who came at the door is an override.
    page = page_client(educator_a).post(f"/activities/{small.pk}/walk-in/", {"name": "刘阿姨"})
    assert page.status_code == 302
    assert Event.objects.get(pk=small.pk).walk_ins == 2


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at(13, 8, 59), False),  # 31 minutes before the start
        (at(13, 9, 0), True),  # 30 minutes before
        (at(13, 11, 0), True),  # the end
        (at(13, 11, 1), False),
    ],
)
def test_window_is_30_minutes_before_start_to_end(lecture, wang, moment, open_):
    with time_machine.travel(moment, tick=False):
        response = sign(lecture, mode="resident", name="王秀英", last4="5678")
    assert (outcome(response) == "checked_in") == open_
    if not open_:
        assert outcome(response) == "closed"
        assert not Attendance.objects.exists()


def test_cancelled_event_page_says_so(lecture, wang):
    Event.objects.filter(pk=lecture.pk).update(status="cancelled")
    response = sign(lecture, mode="resident", name="王秀英", last4="5678")
    assert outcome(response) == "closed"
    assert "已取消" in response.content.decode()


def test_guessing_is_rate_limited_per_address(lecture, wang):
    for _ in range(MAX_FAILURES_PER_ADDRESS):
        assert outcome(sign(lecture, mode="resident", name="王秀英", last4="1111")) == "not_found"
    response = sign(lecture, mode="resident", name="王秀英", last4="5678", lang="en")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not Attendance.objects.exists()
    # The counters expire after ten minutes (locmem expiry follows the real clock, so the
    # test clears the cache in place of waiting).
    cache.clear()
    assert outcome(sign(lecture, mode="resident", name="王秀英", last4="5678")) == "checked_in"


def test_successful_sign_ins_from_one_address_are_not_limited(lecture, community_a):
    people = [
        make_resident(community_a, name=f"居民甲{i}", phone=f"1390000{i:04d}", id_number="")
        for i in range(15)
    ]
    for person in people:
        assert (
            outcome(sign(lecture, mode="resident", name=person.name, last4=person.phone_last4))
            == "checked_in"
        )
    assert Attendance.objects.filter(event=lecture).count() == 15


def test_bad_input_is_shown_on_the_form(lecture):
    response = sign(lecture, mode="resident", name="", last4="12")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_csrf_is_required(lecture, wang):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/s/{lecture.signin_token}/", {"mode": "resident", "name": "王秀英", "last4": "5678"}
    )
    assert response.status_code == 403


def test_unknown_token_is_404(db):
    assert Client().get("/s/not-a-token/").status_code == 404


def test_qr_code_encodes_the_sign_in_link(api, educator_a, lecture):
    png = api(educator_a).get(f"/api/events/{lecture.pk}/qr.png")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = api(educator_a).get(f"/api/events/{lecture.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert api(educator_a).get(f"/api/events/{lecture.pk}/qr.gif").status_code == 404


def test_guessing_is_rate_limited_per_event_across_addresses(lecture, wang):
    from healthedu.activities.signin import MAX_FAILURES_PER_EVENT

    for index in range(MAX_FAILURES_PER_EVENT):
        Client(REMOTE_ADDR=f"10.0.{index // 200}.{index % 200}").post(
            f"/s/{lecture.signin_token}/", {"mode": "resident", "name": "某人", "last4": "9999"}
        )
    response = Client(REMOTE_ADDR="10.9.9.9").post(
        f"/s/{lecture.signin_token}/", {"mode": "resident", "name": "王秀英", "last4": "5678"}
    )
    assert response.status_code == 429
    assert outcome(response) == "blocked"
