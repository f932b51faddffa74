"""Readings through the API: classification stored, plausibility, activities, filters, reach."""

import datetime as dt

import pytest

from healthedu.audit.models import AuditEntry
from healthedu.screening.models import BPReading, Referral
from reports.models import PeriodLock
from tests.factories import make_event, make_resident
from tests.screening.conftest import SCREENING, SCREENING_DAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]

URL = "/api/bp-readings/"


def reading(resident, event=None, systolic=150, diastolic=85, **extra):
    data = {
        "resident": resident.pk,
        "event": event.pk if event else None,
        "systolic": systolic,
        "diastolic": diastolic,
        "pulse": 72,
        "measured_at": (SCREENING_DAY + dt.timedelta(minutes=10)).isoformat(),
    }
    data.update(extra)
    return data


def test_reading_is_classified_and_stored_with_a_referral(
    api, educator_a, community_a, screening_a
):
    resident = make_resident(community_a, age=66)
    response = api(educator_a).post(URL, reading(resident, screening_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category"] == "grade_1"
    assert body["isolated_systolic"] is True
    assert body["referral"] == "referral"
    assert body["community"] == community_a.pk
    assert body["event"] == screening_a.pk
    assert body["measured_at"] == "2026-10-17T09:10:00+08:00"
    stored = BPReading.objects.get()
    assert (stored.category, stored.referral) == ("grade_1", "referral")
    referral = Referral.objects.get()
    assert referral.visit == stored.visit and referral.due_on == dt.date(2026, 10, 31)
    assert AuditEntry.objects.filter(model="screening.BPReading", action="create").count() == 1


def test_known_hypertension_grade_1_needs_no_referral_but_grade_3_is_urgent(
    api, educator_a, community_a
):
    resident = make_resident(community_a, age=70, conditions=["hypertension"])
    first = api(educator_a).post(URL, reading(resident, systolic=150, diastolic=95), format="json")
    assert first.json()["referral"] == "none"
    second = api(educator_a).post(
        URL,
        reading(resident, systolic=185, diastolic=95, measured_at="2026-10-17T10:00:00+08:00"),
        format="json",
    )
    assert second.json()["referral"] == "urgent"
    assert Referral.objects.get().urgency == "urgent"


def test_measured_at_defaults_to_the_start_of_the_activity(
    api, educator_a, community_a, screening_a
):
    resident = make_resident(community_a)
    data = reading(resident, screening_a)
    del data["measured_at"]
    response = api(educator_a).post(URL, data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["measured_at"] == "2026-10-17T09:00:00+08:00"


@pytest.mark.parametrize(
    ("values", "field", "named"),
    [
        ({"systolic": 59, "diastolic": 40}, "systolic", "59"),
        ({"systolic": 301}, "systolic", "301"),
        ({"diastolic": 29}, "diastolic", "29"),
        ({"systolic": 250, "diastolic": 201}, "diastolic", "201"),
        ({"systolic": 120, "diastolic": 120}, "diastolic", "120"),
        ({"pulse": 250}, "pulse", "250"),
        ({"systolic": "high"}, "systolic", ""),
        ({"measured_at": "2026-10-20T09:00:00+08:00"}, "measured_at", "2026-10-20"),
    ],
)
def test_implausible_values_are_400_naming_the_value(
    api, educator_a, community_a, values, field, named
):
    resident = make_resident(community_a)
    response = api(educator_a).post(
        URL, reading(resident, **values), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400, response.content
    assert named in response.json()[field][0]
    assert not BPReading.objects.exists()


def test_messages_are_chinese_by_default_and_english_on_request(api, educator_a, community_a):
    resident = make_resident(community_a)
    chinese = api(educator_a).post(URL, reading(resident, systolic=301), format="json")
    assert "收缩压" in chinese.json()["systolic"][0] and "301" in chinese.json()["systolic"][0]
    english = api(educator_a).post(
        URL, reading(resident, systolic=301), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Systolic pressure 301 mmHg" in english.json()["systolic"][0]


def test_the_activity_must_be_a_screening_of_the_residents_community(
    api, educator_a, community_a, community_b, leader
):
    resident = make_resident(community_a)
    board = make_event(
        community_a,
        kind="board_update",
        title="十月宣传栏",
        venue="宣传栏",
        starts_at=SCREENING_DAY,
        status="held",
        hours=3,
    )
    cancelled = make_event(
        community_a,
        status="cancelled",
        venue="广场",
        kind="bp_screening",
        starts_at=SCREENING_DAY,
        title=f"{community_a.name}免费测血压",
        hours=3,
    )
    client = api(educator_a)
    en = {"format": "json", "HTTP_ACCEPT_LANGUAGE": "en"}
    assert "十月宣传栏" in client.post(URL, reading(resident, board), **en).json()["event"][0]
    assert "cancelled" in client.post(URL, reading(resident, cancelled), **en).json()["event"][0]
    # An admin reaches B's screening, but the resident lives in A.
    from tests.factories import UserFactory

    both = UserFactory(username="edu_ab", communities=[community_a, community_b])
    elsewhere = make_event(community_b, starts_at=SCREENING_DAY, **SCREENING)
    response = api(both).post(URL, reading(resident, elsewhere), **en)
    assert response.status_code == 400 and "does not live" in response.json()["resident"][0]
    assert not BPReading.objects.exists()


def test_same_resident_same_time_is_refused(api, educator_a, community_a):
    resident = make_resident(community_a)
    assert api(educator_a).post(URL, reading(resident), format="json").status_code == 201
    again = api(educator_a).post(URL, reading(resident), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400 and "already has a reading" in again.json()["measured_at"][0]


def test_correcting_a_reading_reclassifies_it_and_keeps_the_referral_in_step(
    api, educator_a, community_a
):
    resident = make_resident(community_a)
    created = api(educator_a).post(URL, reading(resident, systolic=150), format="json").json()
    assert Referral.objects.count() == 1
    fixed = api(educator_a).patch(
        f"{URL}{created['id']}/", {"systolic": 125, "diastolic": 78}, format="json"
    )
    assert fixed.status_code == 200, fixed.content
    assert (fixed.json()["category"], fixed.json()["referral"]) == ("high_normal", "none")
    assert Referral.objects.count() == 0
    urgent = api(educator_a).patch(f"{URL}{created['id']}/", {"systolic": 182}, format="json")
    assert urgent.json()["referral"] == "urgent"
    assert Referral.objects.get().urgency == "urgent"
    assert api(educator_a).delete(f"{URL}{created['id']}/").status_code == 204
    assert not BPReading.objects.exists() and not Referral.objects.exists()


def test_filters(api, educator_a, community_a, screening_a):
    old, young = make_resident(community_a, age=70), make_resident(community_a, age=30)
    client = api(educator_a)
    client.post(URL, reading(old, screening_a, systolic=165, diastolic=95), format="json")
    client.post(URL, reading(young, screening_a, systolic=118, diastolic=76), format="json")
    client.post(
        URL,
        reading(young, systolic=130, diastolic=70, measured_at="2026-09-30T23:30:00+08:00"),
        format="json",
    )

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert ids() == 3
    assert ids(community=community_a.code) == 3
    assert ids(community=community_a.pk) == 3
    assert ids(resident=young.pk) == 2
    assert ids(event=screening_a.pk) == 2
    assert ids(category="grade_2") == 1
    assert ids(referral="referral") == 1
    assert ids(month="2026-10") == 2
    assert ids(month="2026-09") == 1  # 23:30 in Shanghai is still September


@pytest.mark.parametrize("bad", ["2026-13", "10/2026", "2026-1", "abc"])
def test_bad_month_is_400(api, educator_a, community_a, bad):
    response = api(educator_a).get(URL, {"month": bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["month"][0]


def test_bad_category_filter_is_400(api, educator_a):
    assert api(educator_a).get(URL, {"category": "grade_9"}).status_code == 400


def test_reach_outsiders_get_404_and_leaders_read_but_cannot_write(
    api, educator_a, educator_b, leader, community_a, community_c, screening_a
):
    resident = make_resident(community_a)
    created = api(educator_a).post(URL, reading(resident, screening_a), format="json").json()
    detail = f"{URL}{created['id']}/"

    assert api(educator_b).get(detail).status_code == 404
    assert api(educator_b).get(URL).json()["count"] == 0
    assert api(educator_b).patch(detail, {"systolic": 120}, format="json").status_code == 404
    assert api(educator_b).delete(detail).status_code == 404
    # Writing about a resident or an activity out of reach: "does not exist".
    response = api(educator_b).post(
        URL, reading(resident, measured_at="2026-10-17T11:00:00+08:00"), format="json"
    )
    assert response.status_code == 400 and "resident" in response.json()
    other = make_resident(community_c)
    response = api(educator_a).post(URL, reading(other, screening_a), format="json")
    assert response.status_code == 400 and "resident" in response.json()

    assert api(leader).get(detail).status_code == 200
    assert api(leader).get(URL).json()["count"] == 1
    assert (
        api(leader)
        .post(URL, reading(resident, measured_at="2026-10-17T11:00:00+08:00"), format="json")
        .status_code
        == 403
    )
    assert api(leader).patch(detail, {"systolic": 120}, format="json").status_code == 403
    assert api(leader).delete(detail).status_code == 403
    assert api(None).get(URL).status_code == 401
    assert BPReading.objects.get().systolic == 150


def test_finalised_month_refuses_new_readings(api, educator_a, community_a, screening_a):
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 10, 1))
    resident = make_resident(community_a)
    response = api(educator_a).post(URL, reading(resident, screening_a), format="json")
    assert response.status_code == 409
    assert not BPReading.objects.exists()


def test_list_query_count_does_not_grow_with_page_size(
    api, educator_a, community_a, screening_a, django_assert_num_queries
):
    client = api(educator_a)
    for i in range(12):
        resident = make_resident(community_a)
        data = reading(resident, screening_a, systolic=120 + i)
        assert client.post(URL, data, format="json").status_code == 201
    client.get(URL)  # warm the user's reach cache path identically for both calls
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"page_size": size})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 4


@pytest.mark.parametrize(
    ("params", "category", "referral", "isolated"),
    [
        ({"systolic": 118, "diastolic": 76}, "normal", "none", False),
        ({"systolic": 145, "diastolic": 85}, "grade_1", "referral", True),
        ({"systolic": 145, "diastolic": 85, "has_hypertension": "true"}, "grade_1", "none", True),
        ({"systolic": 190, "diastolic": 85}, "grade_3", "urgent", True),
    ],
)
def test_classify_answers_the_live_category(api, educator_a, params, category, referral, isolated):
    response = api(educator_a).get(f"{URL}classify/", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["category"], body["referral"], body["isolated_systolic"]) == (
        category,
        referral,
        isolated,
    )


def test_classify_labels_are_chinese_and_use_the_residents_conditions(
    api, educator_a, community_a, community_c
):
    known = make_resident(community_a, conditions=["hypertension"])
    body = (
        api(educator_a)
        .get(f"{URL}classify/", {"systolic": 150, "diastolic": 80, "resident": known.pk})
        .json()
    )
    assert body["label"] == "一级高血压"
    assert body["isolated_systolic_label"] == "单纯收缩期高血压"
    assert body["referral"] == "none"
    english = api(educator_a).get(
        f"{URL}classify/", {"systolic": 150, "diastolic": 80}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["label"] == "Grade 1 hypertension"
    assert english.json()["referral_label"] == "Referral advised"
    bad = api(educator_a).get(
        f"{URL}classify/", {"systolic": 40, "diastolic": 30}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400 and "40" in bad.json()["systolic"][0]
    outsider = make_resident(community_c)
    response = api(educator_a).get(
        f"{URL}classify/", {"systolic": 150, "diastolic": 80, "resident": outsider.pk}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00-12:00", "1999-12-31T10:00:00+08:00"])
def test_a_reading_from_before_2000_is_refused(api, educator_a, community_a, when):
    resident = make_resident(community_a)
    response = api(educator_a).post(
        URL, reading(resident, measured_at=when), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "too early" in response.json()["measured_at"][0]


def test_absurd_ids_are_400_not_500(api, educator_a, screening_a):
    big = 10**25
    client = api(educator_a)
    assert (
        client.post(
            URL, {"resident": big, "systolic": 120, "diastolic": 80}, format="json"
        ).status_code
        == 400
    )
    assert client.get(URL, {"resident": big}).status_code in (200, 400)
    assert client.get(f"{URL}classify/", {"systolic": big, "diastolic": 80}).status_code == 400
    bulk = {
        "event": screening_a.pk,
        "readings": [{"resident": big, "systolic": 120, "diastolic": 80}],
    }
    response = client.post(f"{URL}bulk/", bulk, format="json")
    assert response.status_code == 400 and "resident" in response.json()["results"][0]["errors"]


def test_a_later_diagnosis_does_not_rewrite_a_corrected_readings_referral(
    api, educator_a, community_a
):
    resident = make_resident(community_a)
    created = api(educator_a).post(URL, reading(resident, systolic=150), format="json").json()
    assert created["known_hypertension"] is False and created["referral"] == "referral"
    resident.has_hypertension = True  # diagnosed after the referral
    resident.save()
    fixed = api(educator_a).patch(
        f"{URL}{created['id']}/", {"pulse": 80, "systolic": 152}, format="json"
    )
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["referral"] == "referral"
    assert Referral.objects.get().status == "open"
    # A new reading of the now-known hypertensive follows the register.
    later = api(educator_a).post(
        URL, reading(resident, systolic=150, measured_at="2026-10-17T11:00:00+08:00"), format="json"
    )
    assert later.json()["referral"] == "none"


def test_correcting_or_removing_a_reading_of_a_finalised_month_is_409(api, educator_a, community_a):
    resident = make_resident(community_a)
    created = api(educator_a).post(URL, reading(resident), format="json").json()
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 10, 1))
    detail = f"{URL}{created['id']}/"
    assert (
        api(educator_a).patch(detail, {"systolic": 120, "diastolic": 70}, format="json").status_code
        == 409
    )
    assert api(educator_a).delete(detail).status_code == 409
    assert BPReading.objects.get().systolic == 150


def test_classify_does_not_grade_a_minor(api, educator_a, community_a):
    teenager = make_resident(community_a, age=16)
    body = (
        api(educator_a)
        .get(f"{URL}classify/", {"systolic": 150, "diastolic": 95, "resident": teenager.pk})
        .json()
    )
    assert (body["category"], body["label"], body["referral"]) == (
        "not_graded",
        "未分级（未成年人）",
        "none",
    )
