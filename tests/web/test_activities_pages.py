import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.models import Attendance, Event
from healthedu.months import shift_month
from healthedu.program.models import Topic
from reports.models import PeriodLock
from tests.factories import make_event, make_resident
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def event_form(community, start, **extra):
    data = {
        "community": community.pk,
        "kind": "lecture",
        "title": "糖尿病饮食讲座",
        "starts_at": local(start),
        "ends_at": local(start + dt.timedelta(hours=1)),
        "venue": "二楼会议室",
        "topics": [Topic.objects.get(code="diabetes").pk]
        if Topic.objects.filter(code="diabetes").exists()
        else [],
        "target_groups": ["elderly"],
    }
    data.update(extra)
    return data


def test_calendar_shows_the_months_activities_in_reach(
    page_client, educator_a, community_a, community_b
):
    mine = make_event(
        community_a, title="本社区讲座", starts_at=NOW + dt.timedelta(hours=1), hours=1
    )
    make_event(community_b, title="别社区讲座", starts_at=NOW + dt.timedelta(hours=1), hours=1)
    month = timezone.localtime(mine.starts_at).strftime("%Y-%m")
    body = page_client(educator_a).get(f"/activities/?month={month}").content.decode()
    assert "本社区讲座" in body and "别社区讲座" not in body


def test_create_one_and_a_weekly_repeat(page_client, educator_a, community_a):
    client = page_client(educator_a)
    start = timezone.now() + dt.timedelta(days=2)
    response = client.post("/activities/new/", event_form(community_a, start))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/activities/{event.pk}/"
    response = client.post(
        "/activities/new/",
        event_form(
            community_a,
            start + dt.timedelta(hours=3),
            title="晨练",
            kind="fitness",
            venue="广场",
            repeat="weekly",
            interval=1,
            count=4,
        ),
    )
    assert response.status_code == 302
    assert Event.objects.filter(title="晨练").count() == 4


def test_clash_and_end_before_start_are_shown_next_to_the_fields(
    page_client, educator_a, community_a
):
    client = page_client(educator_a)
    start = timezone.now() + dt.timedelta(days=2)
    make_event(
        community_a,
        title="先订的讲座",
        venue="二楼会议室",
        starts_at=NOW + dt.timedelta(hours=48),
        hours=1,
    )
    response = client.post("/activities/new/", event_form(community_a, start))
    assert response.status_code == 200
    assert "先订的讲座" in " ".join(response.context["form"].errors["venue"])
    response = client.post(
        "/activities/new/",
        event_form(community_a, start, venue="别处", ends_at=local(start - dt.timedelta(hours=1))),
    )
    assert "ends_at" in response.context["form"].errors


def test_check_in_search_by_last_four_digits_and_check_in_once(
    page_client, educator_a, community_a
):
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    resident = make_resident(community_a, name="赵阿姨", phone="13911112345")
    client = page_client(educator_a)
    body = client.get(f"/activities/{event.pk}/?q=2345").content.decode()
    assert "赵阿姨" in body and "139****2345" in body and "13911112345" not in body
    for _ in range(2):
        response = client.post(
            f"/activities/{event.pk}/check-in/", {"resident": resident.pk, "q": "2345"}
        )
        assert response.status_code == 302
    assert Attendance.objects.filter(event=event).count() == 1


def test_check_in_refused_for_a_cancelled_activity(page_client, educator_a, community_a):
    event = make_event(
        community_a, status="cancelled", starts_at=NOW + dt.timedelta(hours=1), hours=1
    )
    resident = make_resident(community_a)
    response = page_client(educator_a).post(
        f"/activities/{event.pk}/check-in/", {"resident": resident.pk}, follow=True
    )
    assert "取消" in response.content.decode()
    assert not Attendance.objects.exists()


def test_cannot_check_in_a_resident_out_of_reach(page_client, educator_a, community_a, community_b):
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    outsider = make_resident(community_b)
    response = page_client(educator_a).post(
        f"/activities/{event.pk}/check-in/", {"resident": outsider.pk}
    )
    assert response.status_code == 404


def test_walk_in_and_record_form(page_client, educator_a, community_a):
    event = make_event(community_a, starts_at=NOW - dt.timedelta(hours=2), hours=1)
    client = page_client(educator_a)
    client.post(f"/activities/{event.pk}/walk-in/", {"name": "路过的人"})
    event.refresh_from_db()
    assert event.walk_ins == 1
    response = client.post(
        f"/activities/{event.pk}/",
        {
            "status": "held",
            "walk_ins": 3,
            "materials": "高血压折页 50\n控盐勺 20",
            "summary": "居民反响良好。",
            "recorder": "王老师",
            "responsible": "李主任",
            "recorded_on": timezone.localdate().isoformat(),
            "version": event.version,
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "held" and event.walk_ins == 3
    assert sorted((m.kind, m.count) for m in event.materials.all()) == [
        ("控盐勺", 20),
        ("高血压折页", 50),
    ]


def test_stale_record_form_is_refused(page_client, educator_a, community_a):
    event = make_event(community_a, starts_at=NOW - dt.timedelta(hours=2), hours=1)
    response = page_client(educator_a).post(
        f"/activities/{event.pk}/",
        {"status": "held", "walk_ins": 1, "summary": "x", "version": event.version + 5},
    )
    assert response.status_code == 200 and response.context["record_form"].non_field_errors()


def test_bad_material_line_is_an_error_in_place(page_client, educator_a, community_a):
    event = make_event(community_a, starts_at=NOW - dt.timedelta(hours=2), hours=1)
    response = page_client(educator_a).post(
        f"/activities/{event.pk}/",
        {"status": "held", "walk_ins": 1, "materials": "折页很多", "version": event.version},
    )
    assert "materials" in response.context["record_form"].errors


def test_attachment_type_is_checked(page_client, educator_a, community_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    client = page_client(educator_a)
    bad = SimpleUploadedFile("x.pdf", b"not a pdf at all")
    response = client.post(f"/activities/{event.pk}/attach/", {"category": "photo", "file": bad})
    assert response.status_code == 200 and "file" in response.context["attachment_form"].errors
    good = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%fake\n")
    response = client.post(f"/activities/{event.pk}/attach/", {"category": "sign_in", "file": good})
    assert response.status_code == 302 and event.attachments.count() == 1
    attachment = event.attachments.get()
    page = client.get(f"/activities/{event.pk}/").content.decode()
    link = f"/api/events/{event.pk}/attachments/{attachment.pk}/"
    assert link in page and "签到表.pdf" in page
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_out_of_reach_activity_pages_are_404(page_client, educator_a, community_b):
    event = make_event(community_b, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    client = page_client(educator_a)
    for path in ("", "edit/", "qr/"):
        assert client.get(f"/activities/{event.pk}/{path}").status_code == 404


def test_leader_reads_an_activity_without_edit_controls_and_gets_403_on_writes(
    page_client, leader, community_a
):
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    resident = make_resident(community_a)
    client = page_client(leader)
    body = client.get(f"/activities/{event.pk}/").content.decode()
    assert event.title in body
    assert '<form method="post"' not in body.split("</header>")[1]
    assert client.get("/activities/new/").status_code == 403
    assert client.get(f"/activities/{event.pk}/edit/").status_code == 403
    for path, data in [
        ("check-in/", {"resident": resident.pk}),
        ("walk-in/", {}),
        ("", {"status": "held", "walk_ins": 1, "version": 1}),
    ]:
        assert client.post(f"/activities/{event.pk}/{path}", data).status_code == 403
    assert not Attendance.objects.exists()


def test_qr_page_embeds_the_code_and_the_link(page_client, educator_a, community_a):
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    body = page_client(educator_a).get(f"/activities/{event.pk}/qr/").content.decode()
    assert f"/api/events/{event.pk}/qr.svg" in body and f"/s/{event.signin_token}/" in body


def test_cancel_the_coming_occurrences_of_a_repeat(page_client, educator_a, community_a):
    client = page_client(educator_a)
    start = timezone.now() + dt.timedelta(days=1)
    client.post(
        "/activities/new/",
        event_form(
            community_a, start, title="晨练", kind="fitness", venue="广场", repeat="weekly", count=3
        ),
    )
    first = Event.objects.filter(title="晨练").order_by("starts_at").first()
    assert "/cancel-repeat/" in client.get(f"/activities/{first.pk}/").content.decode()
    client.post(f"/activities/{first.pk}/cancel-repeat/")
    assert set(Event.objects.filter(title="晨练").values_list("status", flat=True)) == {"cancelled"}


def test_edit_one_occurrence_and_carry_its_plan_to_the_coming_ones(
    page_client, educator_a, community_a
):
    client = page_client(educator_a)
    start = timezone.now() + dt.timedelta(days=1)
    client.post(
        "/activities/new/",
        event_form(
            community_a, start, title="晨练", kind="fitness", venue="广场", repeat="weekly", count=4
        ),
    )
    events = list(Event.objects.filter(title="晨练").order_by("starts_at"))
    second = events[1]
    page = client.get(f"/activities/{second.pk}/edit/").content.decode()
    assert 'name="apply_to_following"' in page and "以后各次" in page
    moved = second.starts_at + dt.timedelta(hours=2)
    reply = client.post(
        f"/activities/{second.pk}/edit/",
        event_form(
            community_a,
            moved,
            title="太极晨练",
            kind="fitness",
            venue="活动中心",
            speaker="李教练",
            apply_to_following="on",
        ),
    )
    assert reply.status_code == 302, reply.content.decode()[:2000]
    after = list(Event.objects.filter(series=second.series).order_by("pk"))
    assert [e.title for e in after] == ["晨练", "太极晨练", "太极晨练", "太极晨练"]
    assert [e.venue for e in after] == ["广场", "活动中心", "活动中心", "活动中心"]
    # The times changed for the edited occurrence alone.
    assert after[1].starts_at == moved and after[2].starts_at == events[2].starts_at
    assert after[1].detached and not after[2].detached
    # Without the box, only the one activity changes.
    client.post(
        f"/activities/{after[3].pk}/edit/",
        event_form(community_a, after[3].starts_at, title="改名", kind="fitness", venue="活动中心"),
    )
    assert Event.objects.filter(series=second.series, title="改名").count() == 1
    # An activity that is not part of a repeat has no such box.
    single = make_event(
        community_a, title="单次讲座", starts_at=NOW + dt.timedelta(hours=1), hours=1
    )
    assert (
        'name="apply_to_following"'
        not in client.get(f"/activities/{single.pk}/edit/").content.decode()
    )


def test_carrying_a_plan_starts_after_the_edited_occurrence_and_not_in_the_past(
    page_client, educator_a, community_a
):
    client = page_client(educator_a)
    start = timezone.now() - dt.timedelta(days=8)
    client.post(
        "/activities/new/",
        event_form(
            community_a, start, title="晨练", kind="fitness", venue="广场", repeat="weekly", count=4
        ),
    )
    events = list(Event.objects.filter(title="晨练").order_by("starts_at"))
    assert len(events) == 4
    first = events[0]
    # Another activity holds 活动中心 at the first occurrence's old time: moving it two hours on
    # and into 活动中心 is no clash, box or no box.
    Event.objects.create(
        community=community_a,
        kind="consultation",
        title="义诊",
        venue="活动中心",
        starts_at=first.starts_at,
        ends_at=first.starts_at + dt.timedelta(hours=1),
    )
    later = first.starts_at + dt.timedelta(hours=2)
    reply = client.post(
        f"/activities/{first.pk}/edit/",
        event_form(
            community_a,
            later,
            title="晨练",
            kind="fitness",
            venue="活动中心",
            apply_to_following="on",
        ),
    )
    assert reply.status_code == 302, reply.content.decode()[:3000]
    venues = [e.venue for e in Event.objects.filter(title="晨练").order_by("pk")]
    # The one a week ago is past: it keeps its venue; those to come take the new one.
    assert venues == ["活动中心", "广场", "活动中心", "活动中心"]


@pytest.mark.parametrize("month", ["9999-12", "10000-01", "0-1", "2026-13", "abc"])
def test_calendar_of_an_impossible_month_shows_this_month(page_client, educator_a, month):
    response = page_client(educator_a).get(f"/activities/?month={month}")
    assert response.status_code == 200
    # The month shown is the one the page pages from: its neighbours are the links.
    this_month = timezone.localdate().replace(day=1)
    body = response.content.decode()
    assert f'href="?month={shift_month(this_month, -1):%Y-%m}"' in body
    assert f'href="?month={shift_month(this_month, 1):%Y-%m}"' in body


@pytest.mark.parametrize("resident", ["abc", "", "1.5"])
def test_checking_in_a_malformed_resident_is_404_not_500(
    page_client, educator_a, community_a, resident
):
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    response = page_client(educator_a).post(
        f"/activities/{event.pk}/check-in/", {"resident": resident}
    )
    assert response.status_code == 404


def test_a_finalised_months_activity_says_so_and_offers_no_edits(
    page_client, educator_a, community_a
):
    event = make_event(community_a, starts_at=NOW - dt.timedelta(hours=2), status="held", hours=1)
    month = timezone.localtime(event.starts_at).date().replace(day=1)
    PeriodLock.objects.create(community=community_a, month=month, locked_by=educator_a)
    client = page_client(educator_a)
    body = client.get(f"/activities/{event.pk}/").content.decode()
    assert 'id="locked"' in body and "已定稿" in body
    for control in ("/edit/", "/check-in/", "/walk-in/", "/attach/", 'name="version"'):
        assert control not in body
    edit = client.get(f"/activities/{event.pk}/edit/").content.decode()
    assert 'id="locked"' in edit
    assert Event.objects.get(pk=event.pk).title == event.title
