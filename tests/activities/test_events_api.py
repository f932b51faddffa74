"""Events through the API: create, clash, validation, filters, reach, versions, flags, counts."""

import pytest

from healthedu.activities.models import Event
from tests.activities.conftest import TODAY, at
from tests.factories import make_event, make_resident

pytestmark = pytest.mark.django_db


def payload(place, **overrides):
    data = {
        "community": place.code,
        "kind": "lecture",
        "title": "糖尿病饮食讲座",
        "topics": ["diabetes"],
        "venue": "二楼活动室",
        "starts_at": "2026-05-20T09:00:00+08:00",
        "ends_at": "2026-05-20T10:30:00+08:00",
        "capacity": 40,
        "target_groups": ["elderly", "women"],
        "speaker": "李医生",
        "organiser": "王护士",
        "materials": [{"kind": "糖尿病防治手册", "count": 50}],
    }
    data.update(overrides)
    return data


def test_educator_creates_an_event_with_the_record_form_fields(api, educator_a, community_a):
    response = api(educator_a).post(
        "/api/events/",
        payload(community_a, form="讲座", content="饮食控制", recorder="张三", responsible="李四"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["community"] == community_a.pk
    assert body["topics"] == ["diabetes"]
    assert body["status"] == "planned"
    assert body["attendee_count"] == 0
    assert body["participant_count"] == 0
    assert body["materials"] == [{"kind": "糖尿病防治手册", "count": 50, "medium": "print"}]
    assert body["version"] == 1
    assert body["flags"] == []
    assert "/s/" in body["signin_url"]
    event = Event.objects.get(pk=body["id"])
    assert event.created_by == educator_a
    assert (event.form, event.recorder, event.responsible) == ("讲座", "张三", "李四")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "picnic"),
        ("topics", ["no-such-topic"]),
        ("target_groups", ["aliens"]),
        ("capacity", -1),
        ("starts_at", "yesterday"),
        ("materials", [{"kind": "手册", "count": -3}]),
        ("community", "NOPE"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, educator_a, community_a, field, value):
    response = api(educator_a).post(
        "/api/events/", payload(community_a, **{field: value}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_end_before_start_is_refused(api, educator_a, community_a):
    response = api(educator_a).post(
        "/api/events/",
        payload(community_a, ends_at="2026-05-20T08:00:00+08:00"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["ends_at"] == ["The end must be after the start."]


def test_same_venue_overlapping_is_refused_naming_the_clash(api, educator_a, community_a):
    make_event(
        community_a, title="控烟讲座", starts_at=at(20, 10), ends_at=at(20, 11), venue="二楼活动室"
    )
    response = api(educator_a).post("/api/events/", payload(community_a), format="json")
    assert response.status_code == 400
    message = response.json()["venue"][0]
    assert "控烟讲座" in message
    assert "已被" in message  # Chinese by default


@pytest.mark.parametrize(
    ("other", "clashes"),
    [
        ({"starts_at": at(20, 10), "ends_at": at(20, 12)}, True),  # overlaps the end
        ({"starts_at": at(20, 8), "ends_at": at(20, 9)}, False),  # ends as ours starts
        ({"starts_at": at(20, 10, 30), "ends_at": at(20, 11), "venue": "广场"}, False),
        ({"starts_at": at(20, 9), "ends_at": at(20, 10), "status": "cancelled"}, False),
    ],
)
def test_clash_boundaries(api, educator_a, community_a, other, clashes):
    make_event(community_a, **{"venue": "二楼活动室", **other})
    response = api(educator_a).post("/api/events/", payload(community_a), format="json")
    assert (response.status_code == 400) == clashes


def test_same_venue_in_another_community_is_no_clash(api, educator_a, community_a, community_b):
    make_event(community_b, starts_at=at(20, 9), ends_at=at(20, 10), venue="二楼活动室")
    response = api(educator_a).post("/api/events/", payload(community_a), format="json")
    assert response.status_code == 201


def test_moving_an_event_onto_another_is_refused(api, educator_a, community_a):
    make_event(
        community_a, title="第一场", starts_at=at(20, 9), ends_at=at(20, 10), venue="二楼活动室"
    )
    second = make_event(
        community_a, title="第二场", starts_at=at(20, 14), ends_at=at(20, 15), venue="二楼活动室"
    )
    response = api(educator_a).patch(
        f"/api/events/{second.pk}/",
        {"starts_at": "2026-05-20T09:30:00+08:00", "ends_at": "2026-05-20T10:30:00+08:00"},
        format="json",
    )
    assert response.status_code == 400
    assert "第一场" in response.json()["venue"][0]


def test_stale_version_is_409_and_fresh_version_passes(api, educator_a, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    client = api(educator_a)
    first = client.patch(
        f"/api/events/{event.pk}/", {"title": "新标题", "version": 1}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = client.patch(
        f"/api/events/{event.pk}/", {"title": "另一个", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    event.refresh_from_db()
    assert event.title == "新标题"


def test_held_in_the_future_is_refused(api, educator_a, community_a):
    event = make_event(community_a, starts_at=at(20, 9), ends_at=at(20, 10), venue="二楼活动室")
    response = api(educator_a).patch(f"/api/events/{event.pk}/", {"status": "held"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_held_without_participants_or_summary_is_flagged(api, educator_a, community_a):
    bare = make_event(
        community_a,
        title="空场",
        starts_at=at(12, 9),
        ends_at=at(12, 10),
        status="held",
        venue="二楼活动室",
    )
    done = make_event(
        community_a,
        title="完整",
        starts_at=at(11, 9),
        ends_at=at(11, 10),
        status="held",
        summary="效果良好",
        walk_ins=12,
        venue="二楼活动室",
    )
    client = api(educator_a)
    assert client.get(f"/api/events/{bare.pk}/").json()["flags"] == [
        "no_participants",
        "no_summary",
    ]
    assert client.get(f"/api/events/{done.pk}/").json()["flags"] == []
    flagged = client.get("/api/events/flagged/").json()
    assert [row["id"] for row in flagged["results"]] == [bare.pk]


def test_participants_are_attendees_plus_walk_ins(api, educator_a, community_a):
    event = make_event(community_a, walk_ins=5, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    resident = make_resident(community_a)
    api(educator_a).post(
        f"/api/events/{event.pk}/attendance/", {"resident": resident.pk}, format="json"
    )
    body = api(educator_a).get(f"/api/events/{event.pk}/").json()
    assert (body["attendee_count"], body["participant_count"]) == (1, 6)


# Reach ------------------------------------------------------------------------------


def test_out_of_reach_event_is_404_and_never_listed(api, educator_a, educator_b, community_a):
    event = make_event(
        community_a, starts_at=at(12, 9), ends_at=at(12, 10), status="held", venue="二楼活动室"
    )
    assert api(educator_a).get("/api/events/flagged/").json()["count"] == 1
    client = api(educator_b)
    assert client.get(f"/api/events/{event.pk}/").status_code == 404
    assert (
        client.patch(f"/api/events/{event.pk}/", {"title": "x"}, format="json").status_code == 404
    )
    assert client.delete(f"/api/events/{event.pk}/").status_code == 404
    assert client.get(f"/api/events/{event.pk}/attendance/").status_code == 404
    assert client.get(f"/api/events/{event.pk}/qr.png").status_code == 404
    assert client.get("/api/events/").json()["count"] == 0
    assert client.get("/api/events/flagged/").json()["count"] == 0
    assert client.get(f"/api/events/?community={community_a.code}").json()["count"] == 0


def test_writing_into_a_community_out_of_reach_is_400(api, educator_b, community_a):
    response = api(educator_b).post("/api/events/", payload(community_a), format="json")
    assert response.status_code == 400
    assert "community" in response.json()


def test_leader_reads_but_gets_403_on_writes(api, leader, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    client = api(leader)
    assert client.get(f"/api/events/{event.pk}/").status_code == 200
    assert client.post("/api/events/", payload(community_a), format="json").status_code == 403
    assert (
        client.patch(f"/api/events/{event.pk}/", {"title": "x"}, format="json").status_code == 403
    )
    resident = make_resident(community_a)
    response = client.post(
        f"/api/events/{event.pk}/attendance/", {"resident": resident.pk}, format="json"
    )
    assert response.status_code == 403


def test_anonymous_is_401(api, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    assert api(None).get("/api/events/").status_code == 401
    assert api(None).get(f"/api/events/{event.pk}/qr.png").status_code == 401


# Filters ----------------------------------------------------------------------------


def test_filters(api, educator_a, community_a):
    make_event(
        community_a,
        title="五月讲座",
        starts_at=at(20, 9),
        ends_at=at(20, 10),
        topics=[],
        venue="二楼活动室",
    )
    make_event(
        community_a,
        title="六月咨询",
        kind="consultation",
        starts_at=at(3, 9, month=6),
        ends_at=at(3, 10, month=6),
        venue="二楼活动室",
    )
    client = api(educator_a)

    def titles(query):
        response = client.get(f"/api/events/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["title"] for row in response.json()["results"])

    assert titles("month=2026-05") == ["五月讲座"]
    assert titles("kind=consultation") == ["六月咨询"]
    assert titles("starts_after=2026-06-01") == ["六月咨询"]
    assert titles("starts_before=2026-06-01T00:00:00%2B08:00") == ["五月讲座"]
    assert titles(f"community={community_a.pk}&status=planned") == ["五月讲座", "六月咨询"]
    assert titles("topic=aids") == []


@pytest.mark.parametrize(
    "query",
    [
        "month=2026-13",
        "month=May",
        "kind=picnic",
        "status=done",
        "starts_after=soon",
        "starts_before=2026-02-30",
        "topic=nope",
    ],
)
def test_bad_filters_are_400_naming_the_field(api, educator_a, query):
    response = api(educator_a).get(f"/api/events/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_list_query_count_does_not_grow_with_page_size(
    api, educator_a, community_a, django_assert_max_num_queries
):
    residents = [make_resident(community_a) for _ in range(3)]
    for day in range(1, 13):
        event = make_event(
            community_a,
            venue=f"室{day}",
            starts_at=at(day, 8),
            ends_at=at(day, 9),
            materials=[{"kind": "手册", "count": 3}],
        )
        for resident in residents:
            api(educator_a).post(
                f"/api/events/{event.pk}/attendance/", {"resident": resident.pk}, format="json"
            )
    client = api(educator_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/events/?page_size={size}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    event = Event.objects.first()
    counts = []
    for size in (1, 3):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/events/{event.pk}/attendance/?page_size={size}")
            assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("lang", "label"), [("zh-hans", "健康知识讲座"), ("en", "Health-knowledge lecture")]
)
def test_kind_label_follows_the_language(api, educator_a, community_a, lang, label):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    body = api(educator_a).get(f"/api/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE=lang).json()
    assert body["kind_label"] == label


def test_version_conflict_message_is_chinese_by_default_and_english_on_request(
    api, educator_a, community_a
):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    client = api(educator_a)
    client.patch(f"/api/events/{event.pk}/", {"title": "一", "version": 1}, format="json")
    chinese = client.patch(f"/api/events/{event.pk}/", {"title": "二", "version": 1}, format="json")
    english = client.patch(
        f"/api/events/{event.pk}/",
        {"title": "二", "version": 1},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "刷新" in chinese.json()["detail"]
    assert english.json()["detail"].startswith("This activity was changed by someone else")


def test_a_year_far_off_is_refused_as_a_typing_slip(api, educator_a, community_a):
    body = {
        "community": community_a.pk,
        "kind": "lecture",
        "title": "讲座",
        "venue": "活动室",
        "starts_at": "9999-12-10T09:00:00+08:00",
        "ends_at": "9999-12-10T10:00:00+08:00",
    }
    response = api(educator_a).post("/api/events/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "year" in " ".join(response.json()["starts_at"])


def test_list_rows_are_the_detail_rows(api, educator_a, community_a, tmp_path, settings):
    # The list attaches topics, materials and archive categories in bulk; a single event reads
    # them on its own. Both must show the same, in the same order.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from healthedu.program.models import Topic

    settings.MEDIA_ROOT = tmp_path
    client = api(educator_a)
    made = [
        make_event(
            community_a,
            title=f"讲座{day}",
            starts_at=at(day, 9),
            ends_at=at(day, 10),
            topics=list(Topic.objects.filter(code__in=["diabetes", "hypertension"][: day % 3])),
            materials=[
                {"kind": "手册", "count": day},
                {"kind": "视频", "count": 1, "medium": "av"},
            ][: day % 3],
            venue="二楼活动室",
        )
        for day in range(1, 6)
    ]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for category in ("sign_in", "photo"):
        upload = SimpleUploadedFile("a.png", png)
        reply = client.post(
            f"/api/events/{made[1].pk}/attachments/", {"file": upload, "category": category}
        )
        assert reply.status_code == 201, reply.content
    rows = client.get("/api/events/?page_size=10").json()["results"]
    assert len(rows) == 5
    assert any(row["topics"] and row["materials"] for row in rows)
    assert any(row["archive"] for row in rows)
    for row in rows:
        assert row == client.get(f"/api/events/{row['id']}/").json()
