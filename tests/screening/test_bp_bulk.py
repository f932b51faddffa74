"""Bulk entry of a screening's readings: every row reported, all stored or none."""

import pytest

from healthedu.screening.models import BPReading, Referral
from tests.factories import make_resident

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]

URL = "/api/bp-readings/bulk/"


def row(resident, systolic, diastolic, minute=0, **extra):
    return {
        "resident": resident.pk if hasattr(resident, "pk") else resident,
        "systolic": systolic,
        "diastolic": diastolic,
        "pulse": 70,
        "measured_at": f"2026-10-17T09:{minute:02d}:00+08:00",
        **extra,
    }


@pytest.fixture
def people(community_a):
    return [make_resident(community_a, age=60 + i) for i in range(4)]


def test_a_good_sheet_is_stored_whole_with_each_row_reported(api, educator_a, screening_a, people):
    readings = [
        row(people[0], 118, 76, 1),
        row(people[1], 145, 85, 2),
        row(people[2], 182, 100, 3),
        row(people[3], 135, 88),
    ]
    response = api(educator_a).post(
        URL, {"event": screening_a.pk, "readings": readings}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stored"] == 4 and body["all_or_nothing"] is True
    assert [r["ok"] for r in body["results"]] == [True] * 4
    assert [r["category"] for r in body["results"]] == [
        "normal",
        "grade_1",
        "grade_3",
        "high_normal",
    ]
    assert [r["referral"] for r in body["results"]] == ["none", "referral", "urgent", "none"]
    assert body["results"][1]["isolated_systolic"] is True
    assert BPReading.objects.filter(event=screening_a).count() == 4
    assert sorted(Referral.objects.values_list("urgency", flat=True)) == ["referral", "urgent"]


def test_one_bad_row_stores_nothing_and_names_the_rows_and_values(
    api, educator_a, screening_a, people, community_c
):
    outsider = make_resident(community_c)
    readings = [
        row(people[0], 118, 76, 1),
        row(people[1], 301, 85, 2),
        row(people[2], 120, 120, 3),
        row(outsider, 130, 80, 4),
        row(people[3], "abc", 80, 5),
        "not a reading",
        row(999999, 130, 80, 6),
    ]
    response = api(educator_a).post(
        URL,
        {"event": screening_a.pk, "readings": readings},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["stored"] == 0 and body["all_or_nothing"] is True
    assert "none was stored" in body["detail"] and "6 of 7" in body["detail"]
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["ok"] for r in results] == [True, False, False, False, False, False, False]
    assert "301" in results[1]["errors"]["systolic"][0]
    assert "120" in results[2]["errors"]["diastolic"][0]
    assert "does not exist" in results[3]["errors"]["resident"][0]  # out of reach looks absent
    assert "systolic" in results[4]["errors"]
    assert "detail" in results[5]["errors"]
    assert "999999" in results[6]["errors"]["resident"][0]
    assert not BPReading.objects.exists() and not Referral.objects.exists()

    fixed = [readings[0], row(people[1], 151, 85, 2), row(people[2], 120, 80, 3)]
    again = api(educator_a).post(URL, {"event": screening_a.pk, "readings": fixed}, format="json")
    assert again.status_code == 201 and again.json()["stored"] == 3


def test_a_resent_sheet_is_refused_not_doubled(api, educator_a, screening_a, people):
    sheet = {
        "event": screening_a.pk,
        "readings": [row(people[0], 130, 80, 1), row(people[1], 150, 95, 2)],
    }
    assert api(educator_a).post(URL, sheet, format="json").status_code == 201
    again = api(educator_a).post(URL, sheet, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert all(
        "already has a reading" in r["errors"]["measured_at"][0] for r in again.json()["results"]
    )
    assert BPReading.objects.count() == 2


def test_the_same_person_twice_in_one_sheet_is_refused(api, educator_a, screening_a, people):
    sheet = {
        "event": screening_a.pk,
        "readings": [row(people[0], 130, 80), row(people[0], 150, 95)],
    }
    response = api(educator_a).post(URL, sheet, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "twice" in response.json()["results"][1]["errors"]["resident"][0]
    assert not BPReading.objects.exists()


def test_readings_default_to_the_screenings_start(api, educator_a, screening_a, people):
    sheet = {
        "event": screening_a.pk,
        "readings": [{"resident": people[0].pk, "systolic": 128, "diastolic": 82}],
    }
    response = api(educator_a).post(URL, sheet, format="json")
    assert response.status_code == 201, response.content
    assert BPReading.objects.get().measured_at == screening_a.starts_at


@pytest.mark.parametrize(
    "payload",
    [
        {"readings": []},
        {"readings": "many"},
        {"event": 999999, "readings": [{"resident": 1, "systolic": 120, "diastolic": 80}]},
        {},
        [],
    ],
)
def test_malformed_requests_are_400(api, educator_a, payload):
    assert api(educator_a).post(URL, payload, format="json").status_code == 400


def test_a_sheet_over_the_limit_is_400(api, educator_a, screening_a, people):
    sheet = {"event": screening_a.pk, "readings": [row(people[0], 130, 80)] * 501}
    assert api(educator_a).post(URL, sheet, format="json").status_code == 400


def test_chinese_summary_by_default(api, educator_a, screening_a, people):
    sheet = {"event": screening_a.pk, "readings": [row(people[0], 59, 40)]}
    body = api(educator_a).post(URL, sheet, format="json").json()
    assert "全部未保存" in body["detail"]
    assert "收缩压 59 mmHg" in body["results"][0]["errors"]["systolic"][0]


def test_reach_on_bulk(api, educator_b, leader, screening_a, people):
    sheet = {"event": screening_a.pk, "readings": [row(people[0], 130, 80)]}
    response = api(educator_b).post(URL, sheet, format="json")
    assert response.status_code == 400 and "event" in response.json()
    assert api(leader).post(URL, sheet, format="json").status_code == 403
    assert not BPReading.objects.exists()


def test_a_finalised_month_is_reported_per_row_and_nothing_stored(
    api, educator_a, screening_a, people, community_a
):
    import datetime as dt

    from reports.models import PeriodLock

    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 10, 1))
    sheet = {
        "event": screening_a.pk,
        "readings": [row(people[0], 130, 80, 1), row(people[1], 140, 85, 2)],
    }
    response = api(educator_a).post(URL, sheet, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert all("finalised" in r["errors"]["measured_at"][0] for r in response.json()["results"])
    assert not BPReading.objects.exists()


def test_bulk_queries_do_not_grow_per_row_beyond_the_audit_entry(
    api, educator_a, screening_a, community_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def post(n, hour, checked_in=True):
        people = [make_resident(community_a) for _ in range(n)]
        if checked_in:
            response = api(educator_a).post(
                f"/api/events/{screening_a.pk}/attendance/bulk/",
                {"residents": [p.pk for p in people]},
                format="json",
            )
            assert response.status_code == 200
        sheet = {
            "event": screening_a.pk,
            "readings": [row(p, 130, 80, i) for i, p in enumerate(people)],
        }
        for entry in sheet["readings"]:
            entry["measured_at"] = entry["measured_at"].replace("T09:", f"T{hour}:")
        with CaptureQueriesContext(connection) as ctx:
            assert api(educator_a).post(URL, sheet, format="json").status_code == 201
        return len(ctx.captured_queries)

    # Visits, their values, the copy onto readings and the referrals: a fixed number of queries.
    small, large = post(3, "09"), post(13, "10")
    assert large - small <= 10  # at most one audit entry per reading, nothing else per row
    # A resident not yet checked in is checked in by the attendance service, person by person
    # (its row lock and audit entry): bounded per new attendee.
    small, large = post(3, "11", checked_in=False), post(13, "11", checked_in=False)
    assert large - small <= 10 * 12
