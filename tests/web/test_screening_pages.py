import datetime as dt
import re

import pytest
from django.utils import timezone

from healthedu.activities.attendance import attendance_check_in
from healthedu.screening.models import BPReading, Referral
from tests.factories import make_event, make_resident
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(community_a, educator_a):
    event = make_event(
        community_a,
        kind="bp_screening",
        title="免费测血压",
        starts_at=NOW - dt.timedelta(hours=1),
        hours=1,
    )
    people = [make_resident(community_a, name=n, age=66) for n in ("甲大爷", "乙阿姨", "丙叔")]
    for person in people:
        attendance_check_in(user=educator_a, event=event, resident=person)
    return event, people


def sheet(people, values):
    data = {}
    for person, (sys, dia) in zip(people, values, strict=False):
        data[f"r-{person.pk}-systolic"] = sys
        data[f"r-{person.pk}-diastolic"] = dia
    return data


def test_entry_sheet_lists_the_attendees(page_client, educator_a, screening):
    event, people = screening
    body = page_client(educator_a).get(f"/bp/screenings/{event.pk}/").content.decode()
    for person in people:
        assert f'name="r-{person.pk}-systolic"' in body
    assert "/api/bp-readings/classify/" in body


def test_saving_the_sheet_stores_classified_readings_and_referrals(
    page_client, educator_a, screening
):
    event, people = screening
    response = page_client(educator_a).post(
        f"/bp/screenings/{event.pk}/", sheet(people, [("118", "76"), ("185", "95"), ("", "")])
    )
    assert response.status_code == 302
    readings = {r.resident.name: r for r in BPReading.objects.select_related("resident")}
    assert set(readings) == {"甲大爷", "乙阿姨"}
    assert readings["甲大爷"].category == "normal" and readings["乙阿姨"].category == "grade_3"
    assert Referral.objects.get().urgency == "urgent"
    body = page_client(educator_a).get(f"/bp/screenings/{event.pk}/").content.decode()
    assert "三级高血压" in body
    # One reading each so far: both are asked for another, and 丙叔 is still to be measured.
    for person in people:
        assert f'name="r-{person.pk}-systolic"' in body
    assert body.count("请间隔 1–2 分钟再测一次") == 2


def test_the_sheet_asks_for_the_next_reading_and_shows_the_visits_mean(
    page_client, educator_a, screening
):
    event, people = screening
    client = page_client(educator_a)
    client.post(f"/bp/screenings/{event.pk}/", sheet(people, [("150", "95"), ("142", "88")]))
    response = client.post(
        f"/bp/screenings/{event.pk}/", sheet(people, [("140", "85"), ("136", "84")]), follow=True
    )
    body = response.content.decode()
    said = [str(m) for m in response.context["messages"]]
    assert said[0] == "已保存 2 条血压。"
    # 150/95 then 140/85: 10 apart, a third reading is asked for, with the mean so far.
    assert any("甲大爷" in m and "145/90" in m and "请测量第三次" in m for m in said)
    assert any("乙阿姨" in m and "139/86" in m and "正常高值" in m for m in said)
    assert "两次读数相差超过 5 mmHg，请测量第三次" in body
    assert f'name="r-{people[0].pk}-systolic"' in body
    third = client.post(f"/bp/screenings/{event.pk}/", sheet(people, [("145", "90")]), follow=True)
    body = third.content.decode()
    assert f'name="r-{people[0].pk}-systolic"' not in body  # three readings: off the sheet
    assert "150/95、140/85、145/90" in body and "145/90" in body
    assert BPReading.objects.filter(resident=people[0]).count() == 3
    assert Referral.objects.filter(resident=people[0]).count() == 1


def test_one_bad_row_stores_nothing_and_says_why_in_place(page_client, educator_a, screening):
    event, people = screening
    response = page_client(educator_a).post(
        f"/bp/screenings/{event.pk}/", sheet(people, [("120", "80"), ("80", "120"), ("abc", "90")])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert not BPReading.objects.exists()
    assert 'value="abc"' in body and "80" in body
    rows = {row["resident"].name: row for row in response.context["rows"]}
    assert rows["乙阿姨"]["errors"] and rows["丙叔"]["errors"] and not rows["甲大爷"]["errors"]


def test_referral_queue_and_follow_up(page_client, educator_a, screening):
    event, people = screening
    client = page_client(educator_a)
    client.post(f"/bp/screenings/{event.pk}/", sheet(people, [("165", "95")]))
    referral = Referral.objects.get()
    body = client.get("/bp/referrals/").content.decode()
    assert "甲大爷" in body and people[0].phone_masked in body
    response = client.post(
        f"/bp/referrals/{referral.pk}/follow-up/",
        {"followed_up_on": timezone.localdate().isoformat(), "outcome": ""},
    )
    assert response.status_code == 200 and "outcome" in response.context["form"].errors
    response = client.post(
        f"/bp/referrals/{referral.pk}/follow-up/",
        {"followed_up_on": timezone.localdate().isoformat(), "outcome": "家庭医生已确诊"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "followed_up"


def test_screening_pages_respect_reach_and_leaders(page_client, educator_b, leader, screening):
    event, people = screening
    assert page_client(educator_b).get(f"/bp/screenings/{event.pk}/").status_code == 404
    client = page_client(leader)
    assert client.get("/bp/").status_code == 200
    assert client.get("/bp/referrals/").status_code == 200
    assert client.get(f"/bp/screenings/{event.pk}/").status_code == 403
    assert (
        client.post(f"/bp/screenings/{event.pk}/", sheet(people, [("120", "80")])).status_code
        == 403
    )
    assert not BPReading.objects.exists()


def test_the_follow_up_outcome_is_marked_required(page_client, educator_a, community_a):
    from healthedu.screening.services import readings_bulk_create

    event = make_event(
        community_a, kind="bp_screening", starts_at=NOW - dt.timedelta(hours=1), hours=1
    )
    person = make_resident(community_a, age=50)
    readings_bulk_create(
        user=educator_a,
        event=event,
        rows=[{"resident": person, "systolic": 165, "diastolic": 95, "pulse": None}],
    )
    from healthedu.screening.models import Referral

    referral = Referral.objects.get(resident=person)
    body = page_client(educator_a).get(f"/bp/referrals/{referral.pk}/follow-up/").content.decode()
    assert re.search(r'for="id_outcome">[^<]*<span class="req"', body)


def test_readings_in_full_width_digits_count_and_other_digits_are_refused_in_place(
    page_client, educator_a, screening
):
    # An input method in full-width mode types １４０ for 140. str.isdigit() also takes ²
    # (int() refuses it) and Arabic-Indic ١٤٠: refused in place, nothing stored.
    event, people = screening
    client = page_client(educator_a)
    refused = client.post(
        f"/bp/screenings/{event.pk}/",
        sheet(people, [("1²0", "80"), ("١٤٠", "90"), ("9" * 40, "80")]),
    )
    assert refused.status_code == 200
    assert refused.content.decode().count("请输入整数。") == 3  # each row says so in place
    assert not BPReading.objects.exists()
    saved = client.post(f"/bp/screenings/{event.pk}/", sheet(people, [("１４０", "９０")]))
    assert saved.status_code == 302
    reading = BPReading.objects.get()
    assert (reading.systolic, reading.diastolic) == (140, 90)
