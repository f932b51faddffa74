"""QR self sign-in: the window, lookup by name and birthday, guests, the guards against guessing."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client

from healthedu.activities.models import Attendance, Event, WalkIn
from healthedu.activities.signin import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_EVENT,
    MAX_FAILURES_PER_NAME,
    MAX_GUESTS_PER_ADDRESS,
)
from tests.activities.conftest import at
from tests.factories import make_event, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(community_a):
    return make_event(community_a, starts_at=at(13, 9, 30), ends_at=at(13, 11), venue="二楼活动室")


@pytest.fixture
def wang(community_a):
    return make_resident(
        community_a,
        name="王秀英",
        phone="13912345678",
        id_number="",
        birth_date=dt.date(1951, 7, 23),
    )


WANG = {"mode": "resident", "name": "王秀英", "birth_month": "7", "birth_day": "23"}


def sign(event, lang="zh-hans", address="192.0.2.10", **data):
    client = Client(enforce_csrf_checks=False, REMOTE_ADDR=address)
    return client.post(f"/s/{event.signin_token}/", data, HTTP_ACCEPT_LANGUAGE=lang)


def guess(event, name="王秀英", month="1", day="1", address="192.0.2.10"):
    return sign(
        event, address=address, mode="resident", name=name, birth_month=month, birth_day=day
    )


def outcome(response) -> str:
    text = response.content.decode()
    marker = 'data-outcome="'
    return text.split(marker, 1)[1].split('"', 1)[0] if marker in text else ""


def test_page_shows_the_form_and_no_personal_data(lecture, wang):
    response = Client().get(f"/s/{lecture.signin_token}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert lecture.title in text
    assert 'name="birth_month"' in text and 'name="birth_day"' in text
    assert 'name="last4"' not in text
    assert "王秀英" not in text and "5678" not in text and "1951" not in text
    assert 'name="viewport"' in text


def test_resident_signs_in_by_name_and_birthday(lecture, wang):
    response = sign(lecture, **WANG)
    assert outcome(response) == "checked_in"
    assert "签到成功" in response.content.decode()
    assert "王秀英" not in response.content.decode()
    row = Attendance.objects.get(event=lecture, resident=wang)
    assert row.method == "qr"
    assert outcome(sign(lecture, **WANG)) == "already"
    assert Attendance.objects.filter(event=lecture).count() == 1


def test_the_digits_printed_on_rosters_no_longer_sign_anyone_in(lecture, community_a):
    resident = make_resident(community_a, name="李国强", sex="M", age=66, phone="13800001234")
    for digits in (resident.phone_last4, resident.id_last4):
        response = sign(lecture, mode="resident", name="李国强", last4=digits)
        assert outcome(response) == ""
        assert "errorlist" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("birth_date", "month", "day", "result"),
    [
        (dt.date(1951, 7, 23), "7", "23", "checked_in"),
        (dt.date(1951, 7, 23), "07", "23", "checked_in"),  # a leading zero is fine
        (dt.date(1951, 7, 23), "7", "22", "not_found"),
        (dt.date(1951, 7, 23), "8", "23", "not_found"),
        (dt.date(1951, 7, 23), "23", "7", ""),  # day and month swapped: month 23 is refused
        (dt.date(1948, 2, 29), "2", "29", "checked_in"),
        (dt.date(1960, 1, 1), "1", "1", "checked_in"),
        (dt.date(1960, 12, 31), "12", "31", "checked_in"),
        (dt.date(1960, 12, 31), "13", "31", ""),
        (dt.date(1960, 12, 31), "0", "31", ""),
        (dt.date(1960, 12, 31), "12", "32", ""),
        (dt.date(1960, 12, 31), "12", "0", ""),
        (dt.date(1960, 12, 31), "十二", "31", ""),
    ],
)
def test_birthday_boundaries(lecture, community_a, birth_date, month, day, result):
    make_resident(community_a, name="赵桂芝", birth_date=birth_date)
    response = sign(lecture, mode="resident", name="赵桂芝", birth_month=month, birth_day=day)
    assert outcome(response) == result
    if not result:
        assert "errorlist" in response.content.decode()
    assert Attendance.objects.exists() == (result == "checked_in")


def test_someone_of_another_community_with_the_same_name_and_birthday_is_not_found(
    lecture, community_b
):
    make_resident(community_b, name="王秀英", birth_date=dt.date(1951, 7, 23))
    assert outcome(sign(lecture, **WANG)) == "not_found"


def test_not_found_offers_guest_sign_in_which_counts_a_walk_in(lecture, wang):
    response = guess(lecture)
    assert outcome(response) == "not_found"
    assert "身份证上的出生月日" in response.content.decode()
    assert 'value="guest"' in response.content.decode()
    assert not Attendance.objects.exists()
    response = sign(lecture, mode="guest", name="张阿姨")
    assert outcome(response) == "walk_in"
    lecture.refresh_from_db()
    assert lecture.walk_ins == 1
    assert list(WalkIn.objects.values_list("name", flat=True)) == ["张阿姨"]
    sign(lecture, mode="guest", name="")
    assert Event.objects.get(pk=lecture.pk).walk_ins == 2


def test_guests_fill_the_capacity_like_residents(community_a, wang, page_client, educator_a):
    small = make_event(
        community_a, starts_at=at(13, 9, 30), ends_at=at(13, 11), capacity=2, venue="二楼活动室"
    )
    assert outcome(sign(small, **WANG)) == "checked_in"
    assert outcome(sign(small, mode="guest", name="张阿姨")) == "walk_in"
    refused = sign(small, mode="guest", name="刘阿姨")
    assert outcome(refused) == "refused" and "已满" in refused.content.decode()
    other = make_resident(community_a, name="赵建国", birth_date=dt.date(1950, 5, 1))
    assert outcome(guess(small, name="赵建国", month="5", day="1")) == "refused"
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
        response = sign(lecture, **WANG)
    assert (outcome(response) == "checked_in") == open_
    if not open_:
        assert outcome(response) == "closed"
        assert not Attendance.objects.exists()


def test_cancelled_event_page_says_so(lecture, wang):
    Event.objects.filter(pk=lecture.pk).update(status="cancelled")
    response = sign(lecture, **WANG)
    assert outcome(response) == "closed"
    assert "已取消" in response.content.decode()


def test_a_name_guessed_wrongly_is_locked_for_the_activity_and_nobody_else(
    lecture, wang, community_a
):
    li = make_resident(community_a, name="李国强", sex="M", birth_date=dt.date(1949, 10, 1))
    for day in range(1, MAX_FAILURES_PER_NAME + 1):
        assert outcome(guess(lecture, day=str(day))) == "not_found"
    # The right birthday, even from another address, no longer helps for that name...
    response = sign(lecture, address="198.51.100.4", lang="en", **WANG)
    assert response.status_code == 429
    assert "ask the staff" in response.content.decode()
    # ...for the rest of the activity, not for ten minutes only.
    with time_machine.travel(at(13, 10, 30), tick=False):
        assert outcome(sign(lecture, **WANG)) == "blocked"
    # Everyone else at the same address signs in.
    assert outcome(guess(lecture, name="李国强", month="10", day="1")) == "checked_in"
    assert list(Attendance.objects.values_list("resident", flat=True)) == [li.pk]


def test_ten_wrong_guesses_from_the_halls_wifi_lock_nobody_out(lecture, wang):
    for index in range(10):
        assert outcome(guess(lecture, name=f"某人{index}")) == "not_found"
    assert outcome(sign(lecture, **WANG)) == "checked_in"


def test_an_address_has_a_generous_budget_per_activity(lecture, wang):
    for index in range(MAX_FAILURES_PER_ADDRESS):
        assert outcome(guess(lecture, name=f"某人{index}")) == "not_found"
    response = sign(lecture, lang="en", **WANG)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not Attendance.objects.exists()
    # Another address is not affected.
    assert outcome(sign(lecture, address="198.51.100.4", **WANG)) == "checked_in"


def test_the_address_budget_expires_after_ten_minutes(lecture, wang):
    for index in range(MAX_FAILURES_PER_ADDRESS):
        guess(lecture, name=f"某人{index}")
    assert outcome(sign(lecture, **WANG)) == "blocked"
    # locmem expiry follows the real clock, so the test clears the cache in place of waiting.
    cache.clear()
    assert outcome(sign(lecture, **WANG)) == "checked_in"


def test_successful_sign_ins_from_one_address_are_not_limited(lecture, community_a):
    people = [
        make_resident(community_a, name=f"居民甲{i}", birth_date=dt.date(1950, 1 + i % 12, 1 + i))
        for i in range(15)
    ]
    for person in people:
        response = guess(
            lecture,
            name=person.name,
            month=str(person.birth_date.month),
            day=str(person.birth_date.day),
        )
        assert outcome(response) == "checked_in"
    assert Attendance.objects.filter(event=lecture).count() == 15


def test_guests_from_one_address_have_an_allowance(lecture):
    for index in range(MAX_GUESTS_PER_ADDRESS):
        assert outcome(sign(lecture, mode="guest", name=f"来宾{index}")) == "walk_in"
    refused = sign(lecture, mode="guest", name="再来一位")
    assert refused.status_code == 429 and outcome(refused) == "blocked"
    assert outcome(sign(lecture, address="198.51.100.4", mode="guest", name="另一位")) == "walk_in"
    with time_machine.travel(at(13, 9, 11), tick=False):
        assert outcome(sign(lecture, mode="guest", name="十分钟后")) == "walk_in"
    assert Event.objects.get(pk=lecture.pk).walk_ins == MAX_GUESTS_PER_ADDRESS + 2
    assert WalkIn.objects.filter(event=lecture).count() == MAX_GUESTS_PER_ADDRESS + 2


def _sign_in_at_once(event, count, address_of):
    """`count` guests post at the same moment, each in a thread of its own."""
    outcomes = []
    barrier = threading.Barrier(count)

    def worker(index):
        from django.db import connections

        try:
            barrier.wait()
            response = sign(event, address=address_of(index), mode="guest", name=f"来宾{index}")
            outcomes.append(outcome(response))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_guests_from_one_address_let_in_exactly_the_allowance(lecture):
    outcomes = _sign_in_at_once(lecture, 50, lambda index: "192.0.2.10")
    assert outcomes.count("walk_in") == MAX_GUESTS_PER_ADDRESS
    assert outcomes.count("blocked") == 50 - MAX_GUESTS_PER_ADDRESS
    assert WalkIn.objects.filter(event=lecture).count() == MAX_GUESTS_PER_ADDRESS
    assert Event.objects.get(pk=lecture.pk).walk_ins == MAX_GUESTS_PER_ADDRESS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_guests_fill_the_capacity_exactly(community_a):
    small = make_event(
        community_a, starts_at=at(13, 9, 30), ends_at=at(13, 11), capacity=10, venue="二楼活动室"
    )
    outcomes = _sign_in_at_once(small, 50, lambda index: f"198.51.100.{index + 1}")
    assert outcomes.count("walk_in") == 10
    assert outcomes.count("refused") == 40
    assert Event.objects.get(pk=small.pk).walk_ins == 10
    assert WalkIn.objects.filter(event=small).count() == 10


def test_bad_input_is_shown_on_the_form(lecture):
    response = sign(lecture, mode="resident", name="", birth_month="7")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_csrf_is_required(lecture, wang):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/s/{lecture.signin_token}/", WANG)
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
    for index in range(MAX_FAILURES_PER_EVENT):
        guess(lecture, name=f"某人{index}", address=f"10.0.{index // 200}.{index % 200}")
    response = sign(lecture, address="10.9.9.9", **WANG)
    assert response.status_code == 429
    assert outcome(response) == "blocked"
