"""Repeats: the occurrence rule (pure), all-or-nothing creation, one occurrence moved alone."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from healthedu.activities.models import Event
from healthedu.activities.recurrence import occurrence_dates
from tests.activities.conftest import TODAY, at
from tests.factories import make_event


@pytest.mark.parametrize(
    ("first", "rule", "interval", "until", "count", "expected"),
    [
        (dt.date(2026, 5, 4), "weekly", 1, None, 3, ["2026-05-04", "2026-05-11", "2026-05-18"]),
        (
            dt.date(2026, 5, 4),
            "weekly",
            2,
            dt.date(2026, 6, 1),
            None,
            ["2026-05-04", "2026-05-18", "2026-06-01"],
        ),
        (
            dt.date(2026, 1, 31),
            "monthly",
            1,
            None,
            4,
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"],
        ),
        (
            dt.date(2026, 11, 15),
            "monthly",
            2,
            dt.date(2027, 3, 14),
            None,
            ["2026-11-15", "2027-01-15"],
        ),
        (dt.date(2026, 5, 4), "weekly", 1, dt.date(2026, 5, 4), 10, ["2026-05-04"]),
    ],
)
def test_occurrence_dates(first, rule, interval, until, count, expected):
    dates = occurrence_dates(first, rule=rule, interval=interval, until=until, count=count)
    assert [d.isoformat() for d in dates] == expected


def series_payload(community, **overrides):
    data = {
        "community": community.code,
        "kind": "fitness",
        "title": "晨练",
        "venue": "社区广场",
        "starts_at": "2026-05-14T07:00:00+08:00",
        "ends_at": "2026-05-14T08:00:00+08:00",
        "rule": "weekly",
        "count": 4,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_weekly_series_creates_occurrences_linked_to_it(api, educator_a, community_a):
    response = api(educator_a).post(
        "/api/event-series/", series_payload(community_a), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [o["starts_at"][:16] for o in body["occurrences"]] == [
        "2026-05-14T07:00",
        "2026-05-21T07:00",
        "2026-05-28T07:00",
        "2026-06-04T07:00",
    ]
    assert Event.objects.filter(series_id=body["id"], kind="fitness").count() == 4


@pytest.mark.django_db
def test_a_clash_on_any_occurrence_creates_none_and_names_it(api, educator_a, community_a):
    make_event(
        community_a, title="广场宣传", venue="社区广场", starts_at=at(28, 7, 30), ends_at=at(28, 9)
    )
    response = api(educator_a).post(
        "/api/event-series/", series_payload(community_a), format="json"
    )
    assert response.status_code == 400
    messages = response.json()["venue"]
    assert len(messages) == 1
    assert "2026-05-28" in messages[0] and "广场宣传" in messages[0]
    assert not Event.objects.filter(title="晨练").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"count": None}, "until"),
        ({"count": None, "until": "2026-05-01"}, "until"),
        ({"rule": "daily"}, "rule"),
        ({"interval": 0}, "interval"),
        ({"count": 1000}, "count"),
        ({"count": None, "until": "2040-01-01"}, "until"),
        ({"ends_at": "2026-05-22T08:00:00+08:00"}, "ends_at"),
    ],
)
def test_bad_repeat_rules_are_400(api, educator_a, community_a, overrides, field):
    response = api(educator_a).post(
        "/api/event-series/", series_payload(community_a, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_one_occurrence_moved_or_cancelled_alone(api, educator_a, community_a):
    client = api(educator_a)
    body = client.post("/api/event-series/", series_payload(community_a), format="json").json()
    ids = [o["id"] for o in body["occurrences"]]
    moved = client.patch(
        f"/api/events/{ids[1]}/",
        {"starts_at": "2026-05-22T07:00:00+08:00", "ends_at": "2026-05-22T08:00:00+08:00"},
        format="json",
    )
    assert moved.status_code == 200
    assert (
        client.patch(f"/api/events/{ids[2]}/", {"status": "cancelled"}, format="json").status_code
        == 200
    )
    starts = {
        e.pk: (timezone.localtime(e.starts_at).day, e.status)
        for e in Event.objects.filter(pk__in=ids)
    }
    assert starts == {
        ids[0]: (14, "planned"),
        ids[1]: (22, "planned"),
        ids[2]: (28, "cancelled"),
        ids[3]: (4, "planned"),
    }
    # Cancelling the series leaves the occurrence moved alone as it is.
    assert client.post(f"/api/event-series/{body['id']}/cancel/").json() == {"cancelled": 2}
    assert Event.objects.get(pk=ids[1]).status == "planned"


@pytest.mark.django_db
def test_series_out_of_reach(api, educator_a, educator_b, community_a):
    body = (
        api(educator_a)
        .post("/api/event-series/", series_payload(community_a), format="json")
        .json()
    )
    assert api(educator_b).get(f"/api/event-series/{body['id']}/").status_code == 404
    assert api(educator_b).get("/api/event-series/").json()["count"] == 0
    assert (
        api(educator_b)
        .post("/api/event-series/", series_payload(community_a), format="json")
        .status_code
        == 400
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)
@pytest.mark.django_db
def test_postgres_refuses_overlapping_venue_even_past_the_service(community_a):
    common = {"community": community_a, "kind": "lecture", "title": "x", "venue": "活动室"}
    Event.objects.create(**common, starts_at=at(20, 9), ends_at=at(20, 10))
    with pytest.raises(IntegrityError):
        Event.objects.create(**common, starts_at=at(20, 9, 30), ends_at=at(20, 11))


@pytest.mark.django_db
def test_update_upcoming_changes_the_plan_of_what_is_to_come(api, educator_a, community_a):
    client = api(educator_a)
    body = client.post("/api/event-series/", series_payload(community_a), format="json").json()
    ids = [o["id"] for o in body["occurrences"]]
    # The 21 May occurrence was moved alone: it keeps its own plan.
    client.patch(
        f"/api/events/{ids[1]}/",
        {"starts_at": "2026-05-22T07:00:00+08:00", "ends_at": "2026-05-22T08:00:00+08:00"},
        format="json",
    )
    url = f"/api/event-series/{body['id']}/update-upcoming/"
    response = client.post(
        url, {"venue": "活动中心", "speaker": "王医生", "topics": ["hypertension"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"updated": 3}
    rows = {e.pk: e for e in Event.objects.filter(pk__in=ids)}
    assert [rows[i].venue for i in ids] == ["活动中心", "社区广场", "活动中心", "活动中心"]
    assert rows[ids[0]].speaker == "王医生" and rows[ids[0]].version == 2
    assert list(rows[ids[3]].topics.values_list("code", flat=True)) == ["hypertension"]
    assert not rows[ids[0]].detached


@pytest.mark.django_db
def test_update_upcoming_is_all_or_none_and_refuses_record_fields(
    api, educator_a, educator_b, community_a
):
    client = api(educator_a)
    body = client.post("/api/event-series/", series_payload(community_a), format="json").json()
    url = f"/api/event-series/{body['id']}/update-upcoming/"
    make_event(
        community_a, title="义诊", venue="活动中心", starts_at=at(28, 7, 30), ends_at=at(28, 9)
    )
    clash = client.post(url, {"venue": "活动中心"}, format="json")
    assert clash.status_code == 400
    assert len(clash.json()["venue"]) == 1 and "2026-05-28" in clash.json()["venue"][0]
    assert not Event.objects.filter(series_id=body["id"], venue="活动中心").exists()

    for bad, field in [
        ({"starts_at": "2026-05-20T07:00:00+08:00"}, "starts_at"),
        ({"summary": "好"}, "summary"),
        ({"capacity": 0}, "capacity"),
        ({}, "detail"),
    ]:
        refused = client.post(url, bad, format="json")
        assert refused.status_code == 400 and field in refused.json(), (bad, refused.json())
    assert (
        "请在那次活动上修改"
        in client.post(url, {"summary": "好"}, format="json").json()["summary"][0]
    )
    assert api(educator_b).post(url, {"title": "改"}, format="json").status_code == 404
    assert not Event.objects.filter(title="改").exists()


@pytest.mark.django_db
def test_an_occurrence_moved_to_another_community_leaves_the_repeat(
    api, admin_user, educator_a, community_a, community_b
):
    body = (
        api(admin_user)
        .post("/api/event-series/", series_payload(community_a), format="json")
        .json()
    )
    ids = [o["id"] for o in body["occurrences"]]
    moved = api(admin_user).patch(
        f"/api/events/{ids[2]}/", {"community": community_b.code}, format="json"
    )
    assert moved.status_code == 200 and Event.objects.get(pk=ids[2]).detached
    url = f"/api/event-series/{body['id']}/update-upcoming/"
    assert api(educator_a).post(url, {"title": "A改"}, format="json").json() == {"updated": 3}
    assert Event.objects.get(pk=ids[2]).title == "晨练"
    cancel = api(educator_a).post(f"/api/event-series/{body['id']}/cancel/")
    assert cancel.json() == {"cancelled": 3}
    assert Event.objects.get(pk=ids[2]).status == "planned"


@pytest.mark.django_db
def test_a_kind_the_enum_no_longer_knows_shows_as_stored(api, educator_a, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    Event.objects.filter(pk=event.pk).update(kind="old_kind")
    client = api(educator_a)
    assert client.get(f"/api/events/{event.pk}/").json()["kind_label"] == "old_kind"
    assert client.get("/api/events/").status_code == 200
