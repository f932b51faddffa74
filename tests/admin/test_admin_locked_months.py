"""In a finalised month the admin refuses to change or delete the month's activities,
attendance, readings (with their referrals) and survey responses, with the lock's message, and
allows it again once an administrator has unlocked the month. Through the admin's pages: the
change form, the delete confirmation and the change list's bulk delete, as the superuser and as
a staff educator whose reach still applies."""

import datetime as dt

import pytest

from healthedu.activities.models import Attachment, Attendance, Event
from healthedu.screening.models import BPReading, Referral
from healthedu.surveys.models import Response
from tests.admin.conftest import LOCKED, finalise, unlock
from tests.admin.helpers import bulk_delete, change_form_data, delete_confirmed, messages_of
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
USERS = pytest.mark.parametrize("as_user", ["admin", "staff"], indirect=True)


def october_record(october, kind):
    """One record of each kind dated in October 2026 in community A."""
    if kind == "event":
        return october.events[0]
    if kind == "attendance":
        return Attendance.objects.get(event=october.events[1])
    if kind == "attachment":
        return Attachment.objects.filter(event=october.events[0]).first()
    if kind == "bpreading":
        reading = BPReading.objects.get(resident=october.residents[0], measured_at=at(10, 10, 10))
        assert Referral.objects.filter(
            visit=reading.visit
        ).exists()  # a reading whose visit is referred
        return reading
    return Response.objects.get(resident=october.residents[0], answered_on=dt.date(2026, 10, 10))


APPS = {"event": "activities", "attendance": "activities", "attachment": "activities"}
APPS |= {"bpreading": "screening", "response": "surveys"}
KINDS = pytest.mark.parametrize("kind", list(APPS))
WAYS = pytest.mark.parametrize("way", [delete_confirmed, bulk_delete], ids=["page", "bulk"])


def delete(way, client, kind, record):
    if way is bulk_delete:
        return way(client, APPS[kind], kind, [record.pk])
    return way(client, APPS[kind], kind, record.pk)


@USERS
@KINDS
@WAYS
def test_delete_is_refused_in_a_locked_month_and_allowed_after_unlocking(
    api, page_client, educator_a, admin_user, as_user, october, kind, way
):
    record = october_record(october, kind)
    model = type(record)
    client = page_client(as_user)
    finalise(api, educator_a)

    response = delete(way, client, kind, record)
    assert response.status_code == 200
    assert model.objects.filter(pk=record.pk).exists()
    assert any(LOCKED in m for m in messages_of(response)), messages_of(response)
    assert not any("成功删除" in m for m in messages_of(response))

    unlock(api, admin_user)
    response = delete(way, client, kind, record)
    assert response.status_code == 200
    assert not model.objects.filter(pk=record.pk).exists()
    assert not any(LOCKED in m for m in messages_of(response))


@USERS
@KINDS
def test_the_delete_page_of_a_locked_record_says_why_before_asking(
    api, page_client, educator_a, as_user, october, kind
):
    record = october_record(october, kind)
    finalise(api, educator_a)
    page = page_client(as_user).get(f"/admin/{APPS[kind]}/{kind}/{record.pk}/delete/", follow=True)
    assert page.status_code == 200
    assert any(LOCKED in m for m in messages_of(page))
    assert type(record).objects.filter(pk=record.pk).exists()


@USERS
def test_a_bulk_delete_with_one_locked_record_deletes_none(
    api, page_client, educator_a, as_user, october
):
    """September stays open, October is finalised: selecting a reading of each keeps both."""
    september = BPReading.objects.get(measured_at=at(9, 20, 10))
    october_reading = october_record(october, "bpreading")
    finalise(api, educator_a)
    response = bulk_delete(
        page_client(as_user), "screening", "bpreading", [september.pk, october_reading.pk]
    )
    assert any(LOCKED in m for m in messages_of(response))
    assert BPReading.objects.filter(pk__in=[september.pk, october_reading.pk]).count() == 2


@USERS
def test_changing_an_activity_is_refused_in_a_locked_month_and_allowed_after_unlocking(
    api, page_client, educator_a, admin_user, as_user, october
):
    event = october.events[0]
    url = f"/admin/activities/event/{event.pk}/change/"
    client = page_client(as_user)
    finalise(api, educator_a)

    shown = client.get(url)
    assert any(LOCKED in m for m in messages_of(shown))  # said before anything is typed
    data = change_form_data(client, url, "event_form")
    data["title"] = ["改过的讲座"]
    refused = client.post(url, data)
    assert refused.status_code == 200  # the form again, with the reason
    assert LOCKED in refused.content.decode()
    event.refresh_from_db()
    assert event.title == "高血压防治讲座" and event.version == 1

    unlock(api, admin_user)
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[-2000:]
    event.refresh_from_db()
    assert event.title == "改过的讲座" and event.version == 2
    # the rest of the record is as it was: topics, materials, times
    assert list(event.topics.values_list("code", flat=True)) == ["hypertension"]
    assert event.materials.count() == 2 and event.starts_at == at(10, 10)


@USERS
def test_moving_an_open_activity_into_a_locked_month_is_refused(
    api, page_client, educator_a, as_user, october
):
    november = Event.objects.get(title="十一月讲座")
    url = f"/admin/activities/event/{november.pk}/change/"
    client = page_client(as_user)
    finalise(api, educator_a)
    data = change_form_data(client, url, "event_form")
    data["starts_at_0"], data["ends_at_0"] = ["2026-10-28"], ["2026-10-28"]
    refused = client.post(url, data)
    assert refused.status_code == 200 and LOCKED in refused.content.decode()
    november.refresh_from_db()
    assert november.starts_at == at(11, 1, 0, 0)


@USERS
@pytest.mark.parametrize("kind", ["attendance", "bpreading", "response", "referral"])
def test_records_the_admin_only_shows_cannot_be_changed_there(page_client, as_user, october, kind):
    """Readings, responses and check-ins are written through the API and pages (where they are
    classified, scored, counted); referrals follow their reading. Open month or not."""
    if kind == "referral":
        record = Referral.objects.filter(community=october.community).first()
        app = "screening"
    else:
        record = october_record(october, kind)
        app = APPS[kind]
    before = type(record).objects.filter(pk=record.pk).values().get()
    client = page_client(as_user)
    assert client.get(f"/admin/{app}/{kind}/{record.pk}/change/").status_code == 200
    assert client.post(f"/admin/{app}/{kind}/{record.pk}/change/", {}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).values().get() == before
    if kind == "referral":
        assert client.post(f"/admin/{app}/{kind}/{record.pk}/delete/").status_code == 403
        assert Referral.objects.filter(pk=record.pk).exists()


def test_staff_educator_reaches_only_their_communities_records(
    api, page_client, educator_a, staff_educator, october
):
    """B's lecture is out of the staff educator's reach: not shown, not deleted, lock or not."""
    other = Event.objects.get(title="春晖社区讲座")
    client = page_client(staff_educator)
    assert "春晖社区讲座" not in client.get("/admin/activities/event/").content.decode()
    page = client.get(f"/admin/activities/event/{other.pk}/change/")
    assert page.status_code == 302  # "does not exist" (to them), back to the list
    delete_confirmed(client, "activities", "event", other.pk)
    bulk_delete(client, "activities", "event", [other.pk])
    assert Event.objects.filter(pk=other.pk).exists()


def test_deleting_a_locked_activity_keeps_its_attendance_and_readings(
    api, page_client, educator_a, admin_user, october
):
    event = october.events[0]
    attendance = Attendance.objects.filter(event=event).count()
    finalise(api, educator_a)
    delete_confirmed(page_client(admin_user), "activities", "event", event.pk)
    assert Event.objects.filter(pk=event.pk).exists()
    assert Attendance.objects.filter(event=event).count() == attendance == 3


@USERS
@pytest.mark.parametrize(
    ("day", "saved"), [(dt.date(2026, 10, 30), False), (dt.date(2026, 11, 3), True)]
)
def test_adding_an_activity_goes_through_the_service_and_the_lock(
    api, page_client, educator_a, as_user, october, day, saved
):
    client = page_client(as_user)
    finalise(api, educator_a)
    data = change_form_data(client, "/admin/activities/event/add/", "event_form")
    data.update(
        community=[str(october.community.pk)],
        kind=["lecture"],
        title=["后台补录讲座"],
        venue=["社区活动室"],
        starts_at_0=[day.isoformat()],
        starts_at_1=["14:00"],
        ends_at_0=[day.isoformat()],
        ends_at_1=["15:00"],
        status=["held"],
        walk_ins=["0"],
        target_groups=["[]"],
    )
    response = client.post("/admin/activities/event/add/", data)
    assert Event.objects.filter(title="后台补录讲座").exists() is saved
    if saved:
        assert response.status_code == 302
        event = Event.objects.get(title="后台补录讲座")
        assert event.created_by == as_user  # made by event_create, which keeps the author
    else:
        assert response.status_code == 200 and LOCKED in response.content.decode()
