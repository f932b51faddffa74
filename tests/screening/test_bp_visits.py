"""Measurement visits through the API (中国高血压防治指南 2018): the mean of two readings, or of
three when the first two differ by more than 5 mmHg; grade, flag and one referral per visit;
not graded under 18; at any in-person activity, with the resident checked in."""

import datetime as dt
import threading

import pytest
from django.db import connection

from healthedu.activities.models import Attendance, EventKind
from healthedu.screening.models import BPReading, Referral, Visit
from reports.models import PeriodLock
from tests.factories import make_event, make_resident
from tests.screening.conftest import SCREENING, SCREENING_DAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]

URL = "/api/bp-readings/"
EN = {"format": "json", "HTTP_ACCEPT_LANGUAGE": "en"}


def at(minutes: float) -> str:
    return (SCREENING_DAY + dt.timedelta(minutes=minutes)).isoformat()


def post(client, resident, systolic, diastolic, minute, event=None, **extra):
    data = {
        "resident": resident.pk,
        "event": event.pk if event else None,
        "systolic": systolic,
        "diastolic": diastolic,
        "measured_at": at(minute),
        **extra,
    }
    return client.post(URL, data, **EN)


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


def test_142_88_then_136_84_is_one_visit_at_139_86_high_normal_without_referral(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    resident = make_resident(community_a, age=55)
    first = created(post(client, resident, 142, 88, 10, screening_a))
    # Alone, the first reading is grade 1 and asks for another reading.
    assert first["visit"]["readings"] == 1 and first["visit"]["needs_another"] is True
    assert first["visit"]["category"] == "grade_1" and first["referral"] == "referral"
    assert "measure once more" in first["visit"]["prompt"]
    assert Referral.objects.count() == 1

    second = created(post(client, resident, 136, 84, 12, screening_a))
    visit = second["visit"]
    assert visit["id"] == first["visit"]["id"]
    assert (visit["readings"], visit["systolic"], visit["diastolic"]) == (2, 139, 86)
    assert (visit["category"], visit["isolated_systolic"], visit["referral"]) == (
        "high_normal",
        False,
        "none",
    )
    # 142 and 136 are 6 apart: the guideline asks for a third reading; until then the visit
    # stands at the mean of two.
    assert visit["needs_another"] is True and "third reading" in visit["prompt"]
    # The first reading now carries the visit's grade, and its referral is gone.
    again = client.get(f"{URL}{first['id']}/").json()
    assert (again["category"], again["referral"]) == ("high_normal", "none")
    assert again["visit"] == client.get(f"{URL}{second['id']}/").json()["visit"]
    assert Referral.objects.count() == 0
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "second", "needs_third"),
    [
        ((150, 95), (145, 90), False),  # exactly 5 apart in both: no third
        ((150, 95), (155, 100), False),
        ((150, 95), (144, 95), True),  # systolic 6 apart
        ((150, 95), (156, 95), True),
        ((150, 95), (150, 89), True),  # diastolic 6 apart
        ((150, 95), (150, 101), True),
        ((150, 95), (140, 85), True),
        ((120, 80), (120, 80), False),
    ],
)
def test_a_third_reading_is_asked_for_when_the_first_two_differ_by_more_than_5(
    api, educator_a, community_a, screening_a, first, second, needs_third
):
    client = api(educator_a)
    resident = make_resident(community_a)
    created(post(client, resident, *first, 1, screening_a))
    visit = created(post(client, resident, *second, 3, screening_a))["visit"]
    assert visit["readings"] == 2 and visit["needs_another"] is needs_third
    prompt = client.get(URL, {"resident": resident.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    shown = prompt["results"][0]["visit"]["prompt"]
    assert ("两次读数相差超过 5 mmHg，请测量第三次" in shown) is needs_third


def test_150_95_then_140_85_needs_a_third_and_records_the_mean_of_three(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    resident = make_resident(community_a, age=60)
    created(post(client, resident, 150, 95, 1, screening_a))
    two = created(post(client, resident, 140, 85, 3, screening_a))["visit"]
    assert (two["systolic"], two["diastolic"], two["needs_another"]) == (145, 90, True)
    assert "third reading" in two["prompt"]
    three = created(post(client, resident, 143, 88, 5, screening_a))["visit"]
    # (150 + 140 + 143) / 3 = 144.33 → 144; (95 + 85 + 88) / 3 = 89.33 → 89.
    assert (three["readings"], three["systolic"], three["diastolic"]) == (3, 144, 89)
    assert (three["category"], three["isolated_systolic"], three["referral"]) == (
        "grade_1",
        True,
        "referral",
    )
    assert three["needs_another"] is False
    assert Referral.objects.count() == 1 and Referral.objects.get().visit_id == three["id"]


@pytest.mark.parametrize(
    ("first", "second", "mean", "category"),
    [
        ((139, 85), (140, 86), (140, 86), "grade_1"),  # 139.5 rounds half up to 140
        ((139, 85), (139, 86), (139, 86), "high_normal"),
        ((119, 79), (120, 80), (120, 80), "high_normal"),  # 119.5 / 79.5 → 120 / 80
        ((119, 79), (118, 78), (119, 79), "normal"),  # 118.5 / 78.5 → 119 / 79
        ((180, 100), (179, 99), (180, 100), "grade_3"),
    ],
)
def test_the_mean_rounds_half_up_to_a_whole_mmhg(
    api, educator_a, community_a, first, second, mean, category
):
    client = api(educator_a)
    resident = make_resident(community_a)
    created(post(client, resident, *first, 0))
    visit = created(post(client, resident, *second, 2))["visit"]
    assert ((visit["systolic"], visit["diastolic"]), visit["category"]) == (mean, category)


def test_a_fourth_reading_is_refused_naming_the_activity_or_the_time(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    resident = make_resident(community_a, name="李桂芳")
    for minute, values in enumerate([(150, 95), (140, 85), (145, 90)]):
        created(post(client, resident, *values, minute, screening_a))
    fourth = post(client, resident, 146, 91, 5, screening_a)
    assert fourth.status_code == 400
    assert "three readings" in fourth.json()["event"][0] and "李桂芳" in fourth.json()["event"][0]
    chinese = client.post(
        URL,
        {
            "resident": resident.pk,
            "event": screening_a.pk,
            "systolic": 146,
            "diastolic": 91,
            "measured_at": at(6),
        },
        format="json",
    )
    assert "三次" in chinese.json()["event"][0]

    loose = make_resident(community_a)
    for minute in (60, 61, 62):
        created(post(client, loose, 130, 80, minute))
    refused = post(client, loose, 130, 80, 63)
    assert refused.status_code == 400 and "15 minutes" in refused.json()["measured_at"][0]
    # More than 15 minutes after the visit's first reading, a new visit begins.
    assert created(post(client, loose, 130, 80, 75.5))["visit"]["readings"] == 1
    assert BPReading.objects.count() == 7 and Visit.objects.count() == 3


@pytest.mark.parametrize(
    ("gap", "one_visit"),
    [
        (dt.timedelta(minutes=1), True),
        (dt.timedelta(minutes=14, seconds=59), True),
        (dt.timedelta(minutes=15), True),  # exactly 15 minutes: still one visit
        (dt.timedelta(minutes=15, seconds=1), False),
        (dt.timedelta(minutes=40), False),
    ],
)
def test_without_an_activity_readings_within_15_minutes_are_one_visit(
    api, educator_a, community_a, gap, one_visit
):
    client = api(educator_a)
    resident = make_resident(community_a)
    first = created(post(client, resident, 142, 88, 0))
    later = SCREENING_DAY + gap
    second = created(
        client.post(
            URL,
            {
                "resident": resident.pk,
                "systolic": 136,
                "diastolic": 84,
                "measured_at": later.isoformat(),
            },
            format="json",
        )
    )
    assert (second["visit"]["id"] == first["visit"]["id"]) is one_visit
    assert second["visit"]["readings"] == (2 if one_visit else 1)
    # Entered out of order (the earlier one last) the answer is the same.
    other = make_resident(community_a)
    created(
        client.post(
            URL,
            {
                "resident": other.pk,
                "systolic": 136,
                "diastolic": 84,
                "measured_at": later.isoformat(),
            },
            format="json",
        )
    )
    assert (created(post(client, other, 142, 88, 0))["visit"]["readings"] == 2) is one_visit


def test_a_third_reading_stays_within_15_minutes_of_the_first(api, educator_a, community_a):
    client = api(educator_a)
    resident = make_resident(community_a)
    created(post(client, resident, 150, 95, 0))
    created(post(client, resident, 140, 85, 10))
    # 20 minutes after the first (10 after the second): the pair stays, a new visit begins.
    third = created(post(client, resident, 145, 90, 20))["visit"]
    assert third["readings"] == 1
    assert sorted(Visit.objects.values_list("reading_count", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("birthday_offset", "graded"),
    [
        (dt.timedelta(days=1), False),  # 18 tomorrow: 17 on the day of measurement
        (dt.timedelta(days=0), True),  # the 18th birthday: an adult
        (dt.timedelta(days=-1), True),
    ],
)
def test_residents_under_18_are_stored_but_not_graded(
    api, educator_a, community_a, screening_a, birthday_offset, graded
):
    measured_on = SCREENING_DAY.date()
    birthday = measured_on.replace(year=measured_on.year - 18) + birthday_offset
    teenager = make_resident(community_a, birth_date=birthday)
    client = api(educator_a)
    created(post(client, teenager, 185, 115, 1, screening_a))
    body = created(post(client, teenager, 183, 112, 3, screening_a))
    visit = body["visit"]
    if graded:
        assert (visit["category"], visit["referral"]) == ("grade_3", "urgent")
        assert Referral.objects.filter(resident=teenager).count() == 1
    else:
        assert (visit["category"], visit["referral"]) == ("not_graded", "none")
        assert (body["category"], body["referral"], body["isolated_systolic"]) == (
            "not_graded",
            "none",
            False,
        )
        assert visit["category_label"] == "Not graded (minor)"
        chinese = client.get(f"{URL}{body['id']}/").json()
        assert chinese["category_label"] == "未分级（未成年人）"
        assert not Referral.objects.exists()
    assert BPReading.objects.filter(resident=teenager).count() == 2


ALLOWED = [k for k in EventKind.values if k not in ("board_update", "print_material", "av_showing")]


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [(k, True) for k in ALLOWED]
    + [("board_update", False), ("print_material", False), ("av_showing", False)],
)
def test_blood_pressure_is_taken_at_activities_attended_in_person(
    api, educator_a, community_a, kind, allowed
):
    event = make_event(
        community_a,
        kind=kind,
        title=f"活动-{kind}",
        starts_at=SCREENING_DAY,
        status="held",
        venue="社区服务站",
        hours=3,
    )
    resident = make_resident(community_a)
    response = post(api(educator_a), resident, 130, 80, 5, event)
    if allowed:
        assert response.status_code == 201, response.content
        assert Attendance.objects.filter(event=event, resident=resident).count() == 1
    else:
        assert response.status_code == 400
        assert f"活动-{kind}" in response.json()["event"][0]
        assert not BPReading.objects.exists() and not Attendance.objects.exists()


def test_a_resident_measured_at_an_activity_is_checked_in_once(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    walk_up, registered = make_resident(community_a), make_resident(community_a)
    assert (
        client.post(
            f"/api/events/{screening_a.pk}/attendance/", {"resident": registered.pk}, format="json"
        ).status_code
        == 201
    )
    for minute in (1, 3):
        created(post(client, walk_up, 130, 80, minute, screening_a))
        created(post(client, registered, 130, 80, minute, screening_a))
    assert Attendance.objects.filter(event=screening_a, resident=walk_up).count() == 1
    assert Attendance.objects.filter(event=screening_a, resident=registered).count() == 1
    event = client.get(f"/api/events/{screening_a.pk}/").json()
    assert event["attendee_count"] == 2
    # A reading without an activity checks nobody in.
    created(post(client, make_resident(community_a), 130, 80, 30))
    assert Attendance.objects.count() == 2


def test_a_measurement_overrides_a_full_activitys_capacity(api, educator_a, community_a):
    lecture = make_event(
        community_a,
        kind="lecture",
        title="高血压讲座",
        capacity=1,
        starts_at=SCREENING_DAY,
        status="held",
        venue="社区服务站",
        hours=3,
    )
    client = api(educator_a)
    first, second = make_resident(community_a), make_resident(community_a)
    assert (
        client.post(
            f"/api/events/{lecture.pk}/attendance/", {"resident": first.pk}, format="json"
        ).status_code
        == 201
    )
    full = client.post(
        f"/api/events/{lecture.pk}/attendance/", {"resident": second.pk}, format="json"
    )
    assert full.status_code == 400  # the check-in alone respects the capacity
    created(post(client, second, 128, 82, 100, lecture))
    assert Attendance.objects.filter(event=lecture).count() == 2


def test_a_finalised_month_refuses_the_reading_and_the_check_in(
    api, educator_a, community_a, screening_a
):
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 10, 1))
    response = post(api(educator_a), make_resident(community_a), 130, 80, 5, screening_a)
    assert response.status_code == 409
    assert not BPReading.objects.exists() and not Attendance.objects.exists()
    assert not Visit.objects.exists()


def test_correcting_and_deleting_readings_keep_the_visit_and_its_one_referral_in_step(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    resident = make_resident(community_a)
    one = created(post(client, resident, 150, 95, 1, screening_a))
    two = created(post(client, resident, 148, 94, 3, screening_a))
    assert two["visit"]["referral"] == "referral" and Referral.objects.count() == 1
    fixed = client.patch(f"{URL}{two['id']}/", {"systolic": 146, "diastolic": 92}, format="json")
    assert fixed.status_code == 200, fixed.content
    assert (fixed.json()["visit"]["systolic"], fixed.json()["visit"]["diastolic"]) == (148, 94)
    assert Referral.objects.count() == 1  # still one, updated in place

    # The referral is followed up; a correction that lowers the mean keeps the follow-up.
    referral = Referral.objects.get()
    followed = client.post(
        f"/api/referrals/{referral.pk}/follow-up/",
        {"followed_up_on": "2026-10-17", "outcome": "家庭医生复测"},
        format="json",
    )
    assert followed.status_code == 200, followed.content
    low = client.patch(f"{URL}{one['id']}/", {"systolic": 128, "diastolic": 80}, format="json")
    # (128 + 146) / 2 = 137, (80 + 92) / 2 = 86: high-normal, no referral called for.
    assert low.json()["visit"]["category"] == "high_normal"
    assert Referral.objects.get().status == "followed_up"
    # An open referral, by contrast, goes when the visit no longer calls for it.
    other = make_resident(community_a)
    created(post(client, other, 150, 95, 7, screening_a))
    corrected = created(post(client, other, 120, 78, 9, screening_a))
    assert corrected["visit"]["referral"] == "none"
    assert not Referral.objects.filter(resident=other).exists()

    # Deleting one reading leaves a visit of one; deleting the last removes the visit.
    assert client.delete(f"{URL}{two['id']}/").status_code == 204
    left = client.get(f"{URL}{one['id']}/").json()["visit"]
    assert (left["readings"], left["needs_another"]) == (1, True)
    assert client.delete(f"{URL}{one['id']}/").status_code == 204
    assert not Visit.objects.filter(resident=resident).exists()


def test_moving_a_reading_to_another_time_moves_it_to_another_visit(api, educator_a, community_a):
    client = api(educator_a)
    resident = make_resident(community_a)
    first = created(post(client, resident, 150, 95, 0))
    second = created(post(client, resident, 130, 80, 2))
    assert second["visit"]["id"] == first["visit"]["id"]
    moved = client.patch(f"{URL}{second['id']}/", {"measured_at": at(90)}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["visit"]["id"] != first["visit"]["id"]
    assert moved.json()["visit"]["readings"] == 1
    back = client.get(f"{URL}{first['id']}/").json()["visit"]
    assert (back["readings"], back["systolic"], back["referral"]) == (1, 150, "referral")


def test_readings_typed_without_a_time_after_the_activity_get_times_of_their_own(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    resident = make_resident(community_a)
    for values in [(142, 88), (136, 84)]:
        body = created(
            client.post(
                URL,
                {
                    "resident": resident.pk,
                    "event": screening_a.pk,
                    "systolic": values[0],
                    "diastolic": values[1],
                },
                format="json",
            )
        )
    assert body["measured_at"] == "2026-10-17T09:01:00+08:00"
    assert (body["visit"]["readings"], body["visit"]["systolic"]) == (2, 139)


def test_bulk_rows_join_visits_and_report_them(api, educator_a, community_a, screening_a):
    client = api(educator_a)
    people = [make_resident(community_a) for _ in range(3)]
    sheet = {
        "event": screening_a.pk,
        "readings": [{"resident": p.pk, "systolic": 150, "diastolic": 95} for p in people],
    }
    first = client.post(f"{URL}bulk/", sheet, format="json")
    assert first.status_code == 201, first.content
    assert [r["visit"]["needs_another"] for r in first.json()["results"]] == [True] * 3
    second = {
        "event": screening_a.pk,
        "readings": [
            {"resident": people[0].pk, "systolic": 146, "diastolic": 92},
            {"resident": people[1].pk, "systolic": 140, "diastolic": 85},
        ],
    }
    body = client.post(f"{URL}bulk/", second, format="json").json()
    assert [(r["visit"]["readings"], r["visit"]["needs_another"]) for r in body["results"]] == [
        (2, False),
        (2, True),
    ]
    assert Visit.objects.count() == 3 and Referral.objects.count() == 3
    assert Attendance.objects.filter(event=screening_a).count() == 3


def test_the_list_shows_each_readings_visit_without_a_query_per_row(
    api, educator_a, community_a, screening_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(educator_a)
    for i in range(6):
        resident = make_resident(community_a)
        created(post(client, resident, 130 + i, 80, 1, screening_a))
        created(post(client, resident, 132 + i, 82, 3, screening_a))
    client.get(URL)
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(URL, {"page_size": size}).json()
        counts.append(len(ctx.captured_queries))
        assert all(r["visit"]["readings"] == 2 for r in body["results"])
    assert counts[0] == counts[1] <= 4
    assert client.get(URL, {"visit": body["results"][0]["visit"]["id"]}).json()["count"] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_readings_of_one_person_make_one_visit_one_check_in_one_referral(
    api, educator_a, community_a
):
    screening = make_event(community_a, starts_at=SCREENING_DAY, **SCREENING)
    resident = make_resident(community_a)
    statuses = []
    barrier = threading.Barrier(5)

    def worker(minute):
        from django.db import connections

        try:
            barrier.wait()
            statuses.append(post(api(educator_a), resident, 150, 95, minute, screening).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(m,)) for m in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 201, 201, 400, 400]
    assert Visit.objects.count() == 1 and Visit.objects.get().reading_count == 3
    assert Attendance.objects.filter(event=screening, resident=resident).count() == 1
    assert Referral.objects.count() == 1


def test_classify_previews_what_a_visit_in_progress_would_record(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    resident = make_resident(community_a)
    visit = created(post(client, resident, 142, 88, 1, screening_a))["visit"]
    query = {"systolic": 136, "diastolic": 84, "resident": resident.pk, "visit": visit["id"]}
    body = client.get(f"{URL}classify/", query).json()
    assert body["category"] == "high_normal"  # the typed value alone
    preview = body["visit"]
    assert (preview["readings"], preview["systolic"], preview["diastolic"]) == (2, 139, 86)
    assert preview["needs_another"] is True and "请测量第三次" in preview["prompt"]
    assert not BPReading.objects.filter(systolic=136).exists()  # nothing stored
    created(post(client, resident, 136, 84, 3, screening_a))
    created(post(client, resident, 140, 86, 5, screening_a))
    full = client.get(f"{URL}classify/", query).json()
    assert full["visit"] is None  # three readings already
    outsider = api(None)
    assert outsider.get(f"{URL}classify/", query).status_code == 401


def test_moving_a_single_reading_keeps_its_followed_up_referral(api, educator_a, community_a):
    client = api(educator_a)
    resident = make_resident(community_a)
    one = created(post(client, resident, 150, 95, 0))
    referral = Referral.objects.get()
    assert (
        client.post(
            f"/api/referrals/{referral.pk}/follow-up/",
            {"followed_up_on": "2026-10-17", "outcome": "家庭医生复测"},
            format="json",
        ).status_code
        == 200
    )
    moved = client.patch(f"{URL}{one['id']}/", {"measured_at": at(120)}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["visit"]["id"] == one["visit"]["id"]
    assert Referral.objects.get().status == "followed_up"
    # Refiled under an activity, the same visit (and referral) goes with it.
    lecture = make_event(
        community_a,
        kind="lecture",
        title="讲座",
        starts_at=SCREENING_DAY,
        status="held",
        venue="社区服务站",
        hours=3,
    )
    refiled = client.patch(f"{URL}{one['id']}/", {"event": lecture.pk}, format="json")
    assert refiled.status_code == 200, refiled.content
    assert refiled.json()["visit"]["id"] == one["visit"]["id"]
    assert Visit.objects.get().event_id == lecture.pk
    assert Attendance.objects.filter(event=lecture, resident=resident).count() == 1
    assert Referral.objects.get().status == "followed_up"
