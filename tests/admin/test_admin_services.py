"""The other writes of the admin go through the services the API calls, or are not offered:
surveys with their items, targets, check-ins; repeats, referrals and period locks only shown."""

import datetime as dt
from decimal import Decimal

import pytest

from healthedu.activities.models import Attendance, Event, Series
from healthedu.audit.models import AuditEntry
from healthedu.program.models import Target, Topic
from healthedu.surveys.models import Survey
from reports.models import PeriodLock
from tests.admin.conftest import LOCKED, finalise
from tests.admin.helpers import bulk_delete, change_form_data, delete_confirmed
from tests.factories import make_event, make_resident
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
USERS = pytest.mark.parametrize("as_user", ["admin", "staff"], indirect=True)


def errors_of(response) -> str:
    import re

    html = response.content.decode()
    return " | ".join(re.findall(r'class="errorlist[^>]*>(.*?)</ul>', html, re.S))


def survey_post(client, community, *, options='["是", "否"]', correct="[0]"):
    data = change_form_data(client, "/admin/surveys/survey/add/", "survey_form")
    topic = Topic.objects.get(code="hypertension")
    data.update(
        {
            "title": ["管理后台问卷"],
            "community": [str(community.pk) if community else ""],
            "knowledge_threshold": ["0.6"],
            "behavior_threshold": ["0.6"],
            "items-TOTAL_FORMS": ["1"],
            "items-0-order": ["1"],
            "items-0-kind": ["knowledge"],
            "items-0-type": ["true_false"],
            "items-0-points": ["1"],
            "items-0-text": ["正常血压低于？"],
            "items-0-topic": [str(topic.pk)],
            "items-0-options": [options],
            "items-0-correct": [correct],
        }
    )
    return client.post("/admin/surveys/survey/add/", data)


@USERS
def test_a_survey_is_made_with_its_items_through_the_service(page_client, as_user, community_a):
    client = page_client(as_user)
    response = survey_post(client, community_a)
    assert response.status_code == 302, errors_of(response)
    survey = Survey.objects.get(title="管理后台问卷")
    assert list(survey.items.values_list("order", "type", "points", "options", "correct")) == [
        (1, "true_false", 1, ["是", "否"], [0])
    ]
    entry = AuditEntry.objects.get(action="create", model="surveys.Survey")
    assert sorted(entry.fields) == ["items", "title"] and entry.user == as_user  # the service's


@USERS
@pytest.mark.parametrize(
    ("options", "correct"), [('["只有一个"]', "[0]"), ('["是", "否"]', "[5]")], ids=["one", "key"]
)
def test_a_bad_item_is_an_error_on_the_form(page_client, as_user, community_a, options, correct):
    response = survey_post(page_client(as_user), community_a, options=options, correct=correct)
    assert response.status_code == 200 and "第1题" in response.content.decode()
    assert not Survey.objects.exists()


def test_only_an_administrator_makes_a_shared_survey(page_client, admin_user, staff_educator):
    refused = survey_post(page_client(staff_educator), None)
    assert refused.status_code == 200 and "管理员" in refused.content.decode()
    assert not Survey.objects.exists()
    assert survey_post(page_client(admin_user), None).status_code == 302
    assert Survey.objects.get().community is None


@USERS
def test_a_target_is_set_through_the_service(page_client, as_user, community_a):
    client = page_client(as_user)
    data = change_form_data(client, "/admin/program/target/add/", "target_form")
    data.update(community=[str(community_a.pk)], year=["2026"], knowledge=["0.9"], behavior=["0.8"])
    assert client.post("/admin/program/target/add/", data).status_code == 302
    target = Target.objects.get()
    assert (target.knowledge, target.behavior) == (Decimal("0.9"), Decimal("0.8"))
    assert AuditEntry.objects.get(model="program.Target").note == ""  # the service's own

    url = f"/admin/program/target/{target.pk}/change/"
    data = change_form_data(client, url, "target_form")
    data["knowledge"] = ["1.5"]
    refused = client.post(url, data)
    assert refused.status_code == 200, errors_of(refused)
    assert "target_knowledge_fraction" in errors_of(refused)  # the database's rule, as a message
    target.refresh_from_db()
    assert target.knowledge == Decimal("0.9")


@USERS
def test_a_check_in_is_added_through_the_check_in_service(
    api, page_client, educator_a, as_user, october
):
    client = page_client(as_user)
    resident = october.residents[3]
    november = Event.objects.get(title="十一月讲座")
    for event, saved in ((october.events[2], False), (november, True)):
        data = change_form_data(client, "/admin/activities/attendance/add/", "attendance_form")
        data.update(event=[str(event.pk)], resident=[str(resident.pk)])
        if not saved:
            finalise(api, educator_a)
        response = client.post("/admin/activities/attendance/add/", data)
        assert Attendance.objects.filter(event=event, resident=resident).exists() is saved
        if saved:
            assert response.status_code == 302
            attendance = Attendance.objects.get(event=event, resident=resident)
            assert attendance.checked_in_by == as_user and attendance.method == "manual"
        else:
            assert response.status_code == 200 and LOCKED in response.content.decode()


def test_a_full_activity_refuses_a_check_in_from_the_admin(page_client, admin_user, community_a):
    event = make_event(
        community_a, title="小讲座", starts_at=at(10, 10), capacity=1, status="held", venue=""
    )
    first, second = (make_resident(community_a, age=50) for _ in range(2))
    Attendance.objects.create(event=event, resident=first)
    client = page_client(admin_user)
    data = change_form_data(client, "/admin/activities/attendance/add/", "attendance_form")
    data.update(event=[str(event.pk)], resident=[str(second.pk)])
    response = client.post("/admin/activities/attendance/add/", data)
    assert response.status_code == 200 and "已满" in response.content.decode()
    assert not Attendance.objects.filter(resident=second).exists()


@USERS
def test_repeats_referrals_and_period_locks_are_only_shown(
    api, page_client, educator_a, as_user, october
):
    series = Series.objects.create(community=october.community, rule="weekly", count=2)
    finalise(api, educator_a)
    lock = PeriodLock.objects.get()
    client = page_client(as_user)
    for app, model, pk in (("activities", "series", series.pk), ("reports", "periodlock", lock.pk)):
        assert client.get(f"/admin/{app}/{model}/").status_code == 200
        assert client.get(f"/admin/{app}/{model}/add/").status_code == 403
        assert client.post(f"/admin/{app}/{model}/{pk}/change/", {}).status_code == 403
        assert client.post(f"/admin/{app}/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
        assert (
            'value="delete_selected"' not in client.get(f"/admin/{app}/{model}/").content.decode()
        )
        bulk_delete(client, app, model, [pk])
    assert Series.objects.filter(pk=series.pk).exists()
    assert PeriodLock.objects.get().active  # deleting the lock would have unlocked the month


def test_a_survey_with_responses_is_not_deleted(page_client, admin_user, october):
    survey = october.survey
    client = page_client(admin_user)
    delete_confirmed(client, "surveys", "survey", survey.pk)
    bulk_delete(client, "surveys", "survey", [survey.pk])
    assert Survey.objects.filter(pk=survey.pk).exists()
    assert survey.responses.count() == 4
    assert dt.date(2026, 10, 10) in set(survey.responses.values_list("answered_on", flat=True))


def test_users_and_their_reach_are_an_administrators_alone(page_client, staff_educator):
    """Even a staff educator given the user permissions cannot widen their own reach."""
    from django.contrib.auth.models import Permission

    staff_educator.user_permissions.add(*Permission.objects.filter(codename__endswith="_user"))
    client = page_client(staff_educator)
    url = f"/admin/org/user/{staff_educator.pk}/change/"
    assert client.get("/admin/org/user/").status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, {"username": "staff_edu", "role": "admin"}).status_code == 403
    staff_educator.refresh_from_db()
    assert staff_educator.role == "educator"


def test_a_staff_educator_cannot_check_in_to_another_communitys_activity(
    page_client, staff_educator, community_a, community_b
):
    theirs = make_event(
        community_b, title="春晖讲座", starts_at=at(10, 10), status="held", venue=""
    )
    resident = make_resident(community_a, age=50)
    client = page_client(staff_educator)
    data = change_form_data(client, "/admin/activities/attendance/add/", "attendance_form")
    data.update(event=[str(theirs.pk)], resident=[str(resident.pk)])
    response = client.post("/admin/activities/attendance/add/", data)
    assert response.status_code == 200 and 'id="id_event_error"' in response.content.decode()
    assert not Attendance.objects.exists()
