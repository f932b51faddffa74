"""Check-in: one row per resident per activity, capacity, cancelled and far-future refusals, races."""

import threading

import pytest
from django.db import connection

from healthedu.activities import attendance as attendance_module
from healthedu.activities.models import Attendance
from tests.activities.conftest import TODAY, at
from tests.factories import make_event, make_resident

pytestmark = pytest.mark.django_db


def check_in(client, event, resident, lang="zh-hans", **data):
    return client.post(
        f"/api/events/{event.pk}/attendance/",
        {"resident": resident.pk, **data},
        format="json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_first_check_in_is_201_second_is_200_with_the_same_row(api, educator_a, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    resident = make_resident(community_a)
    client = api(educator_a)
    first = check_in(client, event, resident)
    second = check_in(client, event, resident)
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Attendance.objects.filter(event=event).count() == 1


def test_resident_of_another_community_in_reach_may_attend(
    api, leader, admin_user, community_a, community_b
):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    neighbour = make_resident(community_b)
    assert check_in(api(admin_user), event, neighbour).status_code == 201


def test_resident_out_of_reach_is_400(api, educator_a, community_a, community_b):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    stranger = make_resident(community_b)
    response = check_in(api(educator_a), event, stranger)
    assert response.status_code == 400
    assert "resident" in response.json()


def test_capacity_is_respected_unless_overridden(api, educator_a, community_a):
    event = make_event(
        community_a, capacity=2, walk_ins=1, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室"
    )
    client = api(educator_a)
    first, second, third = (make_resident(community_a) for _ in range(3))
    assert check_in(client, event, first).status_code == 201
    refused = check_in(client, event, second, lang="en")
    assert refused.status_code == 400
    assert "full" in refused.json()["detail"][0]
    assert check_in(client, event, second, override_capacity=True).status_code == 201
    # An existing row still answers 200, full or not.
    assert check_in(client, event, first).status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"status": "cancelled"}, 400, "取消"),
        ({"starts_at": at(14, 9, 1), "ends_at": at(14, 10)}, 400, "一天"),  # just over a day ahead
        ({"starts_at": at(14, 9), "ends_at": at(14, 10)}, 201, ""),  # exactly a day ahead
        ({"starts_at": at(1, 9), "ends_at": at(1, 10)}, 201, ""),  # after the fact, from the sheet
    ],
)
def test_cancelled_and_far_future_are_refused(api, educator_a, community_a, fields, status, words):
    event = make_event(
        community_a, **{"on": TODAY, "at": "09:30", "hours": 1.5, "venue": "二楼活动室", **fields}
    )
    response = check_in(api(educator_a), event, make_resident(community_a))
    assert response.status_code == status
    if words:
        assert words in response.json()["detail"][0]


def test_english_reason_with_accept_language(api, educator_a, community_a):
    event = make_event(
        community_a, status="cancelled", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室"
    )
    response = check_in(api(educator_a), event, make_resident(community_a), lang="en")
    assert response.json()["detail"] == [
        "This activity has been cancelled; nobody can be checked in."
    ]


def test_race_between_check_and_insert_answers_already_checked_in(
    api, educator_a, community_a, monkeypatch
):
    """Another request inserts the row after our look-up: the constraint wins, we answer 200."""
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    resident = make_resident(community_a)
    real_refusal = attendance_module.check_in_refusal

    def refusal_while_someone_else_checks_in(event_, **kwargs):
        Attendance.objects.create(event=event_, resident=resident)
        return real_refusal(event_, **kwargs)

    monkeypatch.setattr(attendance_module, "check_in_refusal", refusal_while_someone_else_checks_in)
    response = check_in(api(educator_a), event, resident)
    assert response.status_code == 200
    assert Attendance.objects.filter(event=event, resident=resident).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_check_ins_leave_one_row(api, educator_a, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    resident = make_resident(community_a)
    statuses = []
    barrier = threading.Barrier(10)

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            statuses.append(check_in(api(educator_a), event, resident).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 9 + [201]
    assert Attendance.objects.filter(event=event, resident=resident).count() == 1


def test_bulk_check_in_reports_each_resident(api, educator_a, community_a, community_b):
    event = make_event(community_a, capacity=3, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    client = api(educator_a)
    a1, a2, a3 = (make_resident(community_a) for _ in range(3))
    stranger = make_resident(community_b)
    check_in(client, event, a1)
    response = client.post(
        f"/api/events/{event.pk}/attendance/bulk/",
        {"residents": [a1.pk, a2.pk, stranger.pk, a3.pk, 999999]},
        format="json",
    )
    assert response.status_code == 200
    results = {row["resident"]: row["result"] for row in response.json()["results"]}
    assert results == {
        a1.pk: "already_checked_in",
        a2.pk: "checked_in",
        stranger.pk: "refused",
        a3.pk: "checked_in",
        999999: "refused",
    }
    full = client.post(
        f"/api/events/{event.pk}/attendance/bulk/",
        {"residents": [make_resident(community_a).pk]},
        format="json",
    )
    assert full.json()["results"][0]["result"] == "refused"


@pytest.mark.parametrize(
    "body", [{}, {"residents": []}, {"residents": ["x"]}, {"residents": "1,2"}]
)
def test_bulk_bad_input_is_400(api, educator_a, community_a, body):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    response = api(educator_a).post(f"/api/events/{event.pk}/attendance/bulk/", body, format="json")
    assert response.status_code == 400
    assert "residents" in response.json()


def test_remove_attendance(api, educator_a, educator_b, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    resident = make_resident(community_a)
    check_in(api(educator_a), event, resident)
    url = f"/api/events/{event.pk}/attendance/{resident.pk}/"
    assert api(educator_b).delete(url).status_code == 404
    assert api(educator_a).delete(url).status_code == 204
    assert api(educator_a).delete(url).status_code == 404
    assert not Attendance.objects.filter(event=event).exists()


def test_attendance_list_shows_groups_as_of_the_event_and_no_personal_data(
    api, educator_a, community_a
):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    resident = make_resident(community_a, sex="F", age=70)
    check_in(api(educator_a), event, resident)
    row = api(educator_a).get(f"/api/events/{event.pk}/attendance/").json()["results"][0]
    assert row["resident"] == resident.pk
    assert set(row["groups"]) == {"elderly", "women"}
    assert "phone" not in row and "id_number" not in row


def test_locked_month_refuses_writes_with_409(api, educator_a, community_a):
    from reports.models import PeriodLock

    event = make_event(
        community_a, starts_at=at(2, 9, month=4), ends_at=at(2, 10, month=4), venue="二楼活动室"
    )
    PeriodLock.objects.create(community=community_a, month=at(1, 0, month=4).date(), active=True)
    client = api(educator_a)
    assert check_in(client, event, make_resident(community_a)).status_code == 409
    assert (
        client.patch(f"/api/events/{event.pk}/", {"title": "改"}, format="json").status_code == 409
    )


def test_roster_hides_names_of_residents_out_of_the_callers_reach(
    api, admin_user, educator_a, community_a, community_b
):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    neighbour = make_resident(community_b, name="春晖居民")
    assert check_in(api(admin_user), event, neighbour).status_code == 201
    rows = api(educator_a).get(f"/api/events/{event.pk}/attendance/").json()["results"]
    assert [row["resident_name"] for row in rows] == [None]
    rows = api(admin_user).get(f"/api/events/{event.pk}/attendance/").json()["results"]
    assert [row["resident_name"] for row in rows] == ["春晖居民"]
