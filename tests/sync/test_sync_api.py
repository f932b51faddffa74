"""POST /api/sync/: each item applied once however often sent, refusals with reasons, reach."""

import datetime as dt
import uuid

import pytest

from healthedu.activities.models import Attendance
from healthedu.audit.models import AuditEntry
from healthedu.screening.models import BPReading, Referral, Visit
from healthedu.sync.models import SyncItem
from reports.models import PeriodLock
from residents.models import Resident
from tests.factories import make_event, make_id_number, make_resident
from tests.screening.conftest import SCREENING, SCREENING_DAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]

URL = "/api/sync/"


def at(minutes: int) -> str:
    return (SCREENING_DAY + dt.timedelta(minutes=minutes)).isoformat()


def item(op, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "op": op, **fields}


def reading(event, resident, systolic, diastolic, minutes, **extra) -> dict:
    return item(
        "reading",
        event=event.pk,
        resident=resident if isinstance(resident, str) else resident.pk,
        systolic=systolic,
        diastolic=diastolic,
        pulse=70,
        measured_at=at(minutes),
        **extra,
    )


def walk_up(community, name="王秀兰", **extra) -> dict:
    fields = {"sex": "F", "birth_date": "1951-03-08", "phone": "13912345678", **extra}
    return item("resident", name=name, community=community.pk, **fields)


def send(client, items):
    response = client.post(URL, {"items": items}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def counts() -> tuple:
    return (
        Resident.objects.count(),
        Attendance.objects.count(),
        BPReading.objects.count(),
        Visit.objects.count(),
        Referral.objects.count(),
    )


def test_a_batch_is_applied_once_however_often_it_is_sent(
    api, educator_a, community_a, screening_a
):
    known = make_resident(community_a, age=70)
    new = walk_up(community_a)
    batch = [
        new,
        item("check_in", event=screening_a.pk, resident=new["id"]),
        item("check_in", event=screening_a.pk, resident=known.pk),
        reading(screening_a, new["id"], 142, 88, 5),
        reading(screening_a, new["id"], 136, 84, 7),  # 6 mmHg apart: a third is asked for
        reading(screening_a, new["id"], 139, 86, 9),
        reading(screening_a, known, 128, 82, 6),
    ]
    client = api(educator_a)
    before = counts()
    first = send(client, batch)
    assert [r["status"] for r in first] == ["applied"] * 7, first
    assert [r["id"] for r in first] == [i["id"] for i in batch]
    walker = Resident.objects.get(name="王秀兰")
    assert first[0]["object"] == {
        "type": "resident",
        "id": walker.pk,
        "name": "王秀兰",
        "phone": "139****5678",
        "community": community_a.pk,
    }
    assert first[4]["object"]["visit"]["needs_another"] is True
    third = first[5]["object"]["visit"]
    assert (third["readings"], third["systolic"], third["diastolic"]) == (3, 139, 86)
    after = counts()
    assert after == (before[0] + 1, 2, 4, 2, 0)

    again = send(client, batch)
    assert [r["status"] for r in again] == ["duplicate"] * 7
    assert [r["object"] for r in again] == [r["object"] for r in first]
    assert counts() == after
    assert SyncItem.objects.filter(user=educator_a, applied=True).count() == 7


def test_a_later_batch_may_name_a_walk_up_of_an_earlier_one(
    api, educator_a, community_a, screening_a
):
    client = api(educator_a)
    new = walk_up(community_a)
    [registered] = send(client, [new])
    [measured] = send(client, [reading(screening_a, new["id"], 150, 95, 10)])
    assert measured["status"] == "applied", measured
    assert BPReading.objects.get().resident_id == registered["object"]["id"]
    assert Attendance.objects.get().resident_id == registered["object"]["id"]


def test_one_item_in_a_locked_month_is_refused_and_the_others_applied(
    api, educator_a, community_a, screening_a
):
    locked_event = make_event(
        community_a, starts_at=SCREENING_DAY - dt.timedelta(days=30), **SCREENING
    )
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 9, 1))
    a = make_resident(community_a, age=66)
    b = make_resident(community_a, age=67)
    batch = [
        reading(screening_a, a, 130, 80, 5),
        item("check_in", event=locked_event.pk, resident=b.pk),
        reading(screening_a, b, 132, 82, 6),
    ]
    results = send(api(educator_a), batch)
    assert [r["status"] for r in results] == ["applied", "refused", "applied"]
    assert "2026-09" in results[1]["reason"]
    assert "administrator" in results[1]["reason"].lower() or "管理员" in results[1]["reason"]
    assert results[1]["object"] is None
    assert not Attendance.objects.filter(event=locked_event).exists()
    assert BPReading.objects.count() == 2
    # Refused items are not remembered: once unlocked, the same item is applied.
    PeriodLock.objects.update(active=False)
    [retry] = send(api(educator_a), [batch[1]])
    assert retry["status"] == "applied"


def test_refusals_name_the_reason(api, educator_a, community_a, community_b, screening_a):
    screening_b = make_event(community_b, starts_at=SCREENING_DAY, **SCREENING)
    other = make_resident(community_b, age=50)
    moved = make_resident(community_a, age=60, status="moved_out")
    present = make_resident(community_a, age=60)
    clash_number = make_id_number(dt.date(1950, 1, 2), "F", seq=7)
    make_resident(community_a, birth_date=dt.date(1950, 1, 2), id_number=clash_number)
    batch = [
        item("check_in", event=screening_b.pk, resident=present.pk),  # another community's activity
        item("check_in", event=screening_a.pk, resident=other.pk),  # another community's resident
        item("check_in", event=screening_a.pk, resident=moved.pk),
        reading(screening_a, present, 300, 310, 5),  # invalid field
        walk_up(community_b, name="李四"),  # out of reach
        walk_up(
            community_a, name="赵五", id_number=clash_number, birth_date="1950-01-02"
        ),  # already registered
        reading(screening_a, str(uuid.uuid4()), 130, 80, 6),  # a walk-up never sent
        {"id": "not-a-uuid", "op": "reading"},
        item("dance"),
        "just a string",
    ]
    before = counts()
    results = send(api(educator_a), batch)
    assert [r["status"] for r in results] == ["refused"] * len(batch), results
    fields = [sorted(r["errors"]) for r in results]
    assert fields[:7] == [
        ["event"],
        ["resident"],
        ["resident"],
        ["diastolic"],
        ["community"],
        ["id_number"],
        ["resident"],
    ]
    assert all(r["reason"] for r in results)
    assert counts() == before
    assert not SyncItem.objects.exists()


def test_the_same_reading_under_a_new_device_id_is_refused_as_a_duplicate(
    api, educator_a, community_a, screening_a
):
    resident = make_resident(community_a, age=66)
    first = reading(screening_a, resident, 130, 80, 5)
    copy = {**first, "id": str(uuid.uuid4())}
    results = send(api(educator_a), [first, copy])
    assert [r["status"] for r in results] == ["applied", "refused"]
    assert "measured_at" in results[1]["errors"]
    assert BPReading.objects.count() == 1


def test_an_urgent_reading_carries_its_acknowledgement_into_the_audit_log(
    api, educator_a, community_a, screening_a
):
    resident = make_resident(community_a, age=72)
    results = send(
        api(educator_a),
        [reading(screening_a, resident, 186, 112, 5, urgent_acknowledged_at=at(5))],
    )
    obj = results[0]["object"]
    assert obj["urgent"] is True and obj["acknowledged"] is True
    referral = Referral.objects.get()
    entry = AuditEntry.objects.get(model="screening.Referral", object_id=str(referral.pk))
    assert entry.user == educator_a
    assert entry.fields == ["urgent_notice_acknowledged"]
    assert "2026-10-17 09:05" in entry.note


def test_an_acknowledgement_sent_after_its_reading(api, educator_a, community_a, screening_a):
    resident = make_resident(community_a, age=72)
    measured = reading(screening_a, resident, 190, 100, 5)
    client = api(educator_a)
    [result] = send(client, [measured])
    assert result["object"]["urgent"] and not result["object"]["acknowledged"]
    ack = item("urgent_ack", reading=measured["id"], acknowledged_at=at(6))
    assert send(client, [ack])[0]["status"] == "applied"
    assert AuditEntry.objects.filter(fields=["urgent_notice_acknowledged"]).count() == 1
    assert send(client, [ack])[0]["status"] == "duplicate"
    assert AuditEntry.objects.filter(fields=["urgent_notice_acknowledged"]).count() == 1


def test_another_users_device_ids_are_their_own(
    api, educator_a, community_a, screening_a, admin_user
):
    new = walk_up(community_a)
    send(api(educator_a), [new])
    # An id is claimed per user: another user's item with that id is a new item, and a
    # reference to a walk-up another user registered is refused.
    result = send(api(admin_user), [reading(screening_a, new["id"], 130, 80, 5)])
    assert result[0]["status"] == "refused"


def test_a_leader_may_not_sync_and_bad_bodies_are_400(api, leader, educator_a):
    assert api(leader).post(URL, {"items": [item("dance")]}, format="json").status_code == 403
    client = api(educator_a)
    for body in ([], {}, {"items": []}, {"items": "x"}, {"items": [{}] * 501}, "null", 7):
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.content)


def test_items_of_any_shape_are_refused_never_a_server_error(
    api, educator_a, community_a, screening_a
):
    from tests.api.test_fuzz import WRONG_VALUES

    resident = make_resident(community_a, age=66)
    valid = [
        walk_up(community_a),
        item("check_in", event=screening_a.pk, resident=resident.pk),
        reading(screening_a, resident, 130, 80, 5, urgent_acknowledged_at=at(5)),
        item("urgent_ack", reading=str(uuid.uuid4()), acknowledged_at=at(6)),
    ]
    items = []
    for good in valid:
        for field in good:
            items += [{**good, "id": str(uuid.uuid4()), field: wrong} for wrong in WRONG_VALUES]
    items += [*WRONG_VALUES, [valid[1]], {"items": valid}]
    client = api(educator_a)
    client.raise_request_exception = False
    before = counts()
    for start in range(0, len(items), 100):
        response = client.post(URL, {"items": items[start : start + 100]}, format="json")
        assert response.status_code == 200, response.content[:500]
        statuses = {r["status"] for r in response.json()["results"]}
        assert statuses <= {"refused", "applied"}
    # Nothing half-written: whatever was applied is whole (a wrong "pulse" of None is allowed,
    # a wrong "address" may still register the walk-up), and each refusal says why.
    assert Resident.objects.count() - before[0] <= len(WRONG_VALUES)


def test_bodies_of_any_shape_are_400(api, educator_a):
    from tests.api.test_fuzz import SHAPES

    client = api(educator_a)
    client.raise_request_exception = False
    for body in SHAPES:
        response = client.generic("POST", URL, body, "application/json")
        assert response.status_code == 400, (body[:40], response.status_code)
        assert "json" in response["Content-Type"]
