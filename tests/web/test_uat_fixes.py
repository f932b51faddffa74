"""Defects found by driving the pages as a new user would (acceptance run of 2026-11-28)."""

import re

import pytest
from django.utils import timezone

from healthedu.activities.models import Event
from reports.models import PeriodLock
from tests.factories import make_resident
from tests.web.helpers import make_event, make_survey_with_answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", ["9999-12", "10000-01", "0-1", "2026-13", "abc"])
def test_calendar_of_an_impossible_month_shows_this_month(page_client, educator_a, month):
    response = page_client(educator_a).get(f"/activities/?month={month}")
    assert response.status_code == 200
    this_month = timezone.localdate().strftime("%Y-%m")
    assert this_month in response.content.decode()


@pytest.mark.parametrize("resident", ["abc", "", "1.5"])
def test_checking_in_a_malformed_resident_is_404_not_500(
    page_client, educator_a, community_a, resident
):
    event = make_event(community_a)
    response = page_client(educator_a).post(
        f"/activities/{event.pk}/check-in/", {"resident": resident}
    )
    assert response.status_code == 404


def test_survey_page_names_rounds_in_words(page_client, educator_a, community_a):
    survey = make_survey_with_answers(community_a, educator_a)
    body = page_client(educator_a).get(f"/surveys/{survey.pk}/").content.decode()
    text = re.sub(r"<[^>]+>", " ", body)
    assert "基线 6" in text and "随访（干预后） 6" in text
    assert "baseline" not in text and "followup" not in text
    assert "问卷份数：" in text


def test_round_and_date_survive_looking_up_the_next_respondent(
    page_client, educator_a, community_a
):
    survey = make_survey_with_answers(community_a, educator_a)
    person = make_resident(community_a, name="钱多多")
    client = page_client(educator_a)
    found = client.get(
        f"/surveys/{survey.pk}/respond/",
        {"q": "钱多多", "round": "baseline", "answered_on": "2026-11-02"},
    ).content.decode()
    # The search form carries the round and date, and so does the link picking the resident.
    assert 'name="round" value="baseline"' in found
    assert f'href="?resident={person.pk}&amp;round=baseline&amp;answered_on=2026-11-02"' in found
    picked = client.get(
        f"/surveys/{survey.pk}/respond/",
        {"resident": person.pk, "round": "baseline", "answered_on": "2026-11-02"},
    ).content.decode()
    assert re.search(r'<option value="baseline" selected>', picked)
    assert 'value="2026-11-02"' in picked


def test_a_leaders_refusal_and_a_missing_page_are_explained_in_chinese(
    page_client, leader, community_a
):
    client = page_client(leader)
    refused = client.get("/activities/new/")
    assert refused.status_code == 403
    assert "您的账号只能查看记录，不能修改。" in refused.content.decode()


def test_missing_page_is_chinese(page_client, educator_a, settings):
    settings.DEBUG = False
    response = page_client(educator_a).get("/activities/999999/")
    assert response.status_code == 404 and "找不到页面" in response.content.decode()


def test_a_finalised_months_activity_says_so_and_offers_no_edits(
    page_client, educator_a, community_a
):
    event = make_event(community_a, hours_from_now=-2, status="held")
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


def test_pages_carry_an_icon(page_client, educator_a):
    body = page_client(educator_a).get("/").content.decode()
    assert 'rel="icon"' in body and "web/favicon.svg" in body


def test_an_answer_ticked_by_mistake_can_be_cleared(page_client, educator_a, community_a):
    from healthedu.surveys.models import Response

    survey = make_survey_with_answers(community_a, educator_a)
    person = make_resident(community_a, name="孙小美")
    items = list(survey.items.order_by("order"))
    single = next(item for item in items if not item.multiple)
    client = page_client(educator_a)
    page = client.get(f"/surveys/{survey.pk}/respond/?resident={person.pk}").content.decode()
    assert f'name="q{single.pk}" value=""' in page and "未作答" in page
    data = {
        "resident": person.pk,
        "round": "routine",
        "answered_on": timezone.localdate().isoformat(),
        f"q{single.pk}": "",
    }
    for item in items:
        if item.pk != single.pk:
            data[f"q{item.pk}"] = "0" if not item.multiple else ["0"]
    assert client.post(f"/surveys/{survey.pk}/respond/", data).status_code == 302
    response = Response.objects.get(resident=person)
    answered = set(response.answers.values_list("item_id", flat=True))
    assert single.pk not in answered and answered == {i.pk for i in items} - {single.pk}


def test_the_follow_up_outcome_is_marked_required(page_client, educator_a, community_a):
    from healthedu.screening.services import readings_bulk_create

    event = make_event(community_a, kind="bp_screening", hours_from_now=-1)
    person = make_resident(community_a, age=50)
    readings_bulk_create(
        user=educator_a,
        event=event,
        rows=[{"resident": person, "systolic": 165, "diastolic": 95, "pulse": None}],
    )
    from healthedu.screening.models import Referral

    referral = Referral.objects.get(resident=person)
    body = page_client(educator_a).get(f"/bp/referrals/{referral.pk}/follow-up/").content.decode()
    assert re.search(r'for="id_outcome">[^<]*<span class="req"', body)


def test_the_dashboard_drills_down_to_a_street(page_client, leader, community_a):
    body = page_client(leader).get("/dashboard/").content.decode()
    assert f"street={community_a.street_id}" in body


def test_ticked_bank_items_stay_in_sight_when_the_form_comes_back(page_client, educator_a):
    from healthedu.surveys.models import BankItem

    last = BankItem.objects.select_related("topic").order_by("topic_id", "kind", "pk").last()
    body = (
        page_client(educator_a)
        .post("/surveys/new/", {"title": "", "bank_items": [last.pk]})
        .content.decode()
    )
    block = body.split(f"<summary>{last.topic.name} ")[0].rsplit("<details", 1)[1]
    assert "open" in block
