import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from healthedu.jobs.models import Job
from healthedu.surveys.models import BankItem, Response, Survey
from tests.factories import make_resident
from tests.web.helpers import NOW, make_survey_with_answers

pytestmark = pytest.mark.django_db


def test_build_a_survey_from_the_bank(page_client, educator_a, community_a):
    bank = list(BankItem.objects.order_by("pk")[:3])
    client = page_client(educator_a)
    page = client.get("/surveys/new/").content.decode()
    assert bank[0].text in page
    response = client.post(
        "/surveys/new/",
        {
            "title": "控烟知识问卷",
            "community": community_a.pk,
            "knowledge_threshold": 0.8,
            "behavior_threshold": 0.8,
            "bank_items": [b.pk for b in bank],
        },
    )
    survey = Survey.objects.get(title="控烟知识问卷")
    assert (
        response.status_code == 302
        and survey.items.count() == 3
        and survey.community == community_a
    )


def test_building_needs_items_and_a_community_in_reach(page_client, educator_a, community_b):
    response = page_client(educator_a).post(
        "/surveys/new/",
        {
            "title": "x",
            "community": community_b.pk,
            "knowledge_threshold": 0.8,
            "behavior_threshold": 0.8,
        },
    )
    form = response.context["form"]
    assert "bank_items" in form.errors and "community" in form.errors
    assert not Survey.objects.exists()


def test_enter_a_questionnaire_for_a_resident_then_an_anonymous_one(
    page_client, educator_a, community_a
):
    survey = make_survey_with_answers(
        community_a, educator_a, on=NOW.date(), baseline=(0, 0), followup=(0, 0)
    )
    items = list(survey.items.order_by("order"))
    person = make_resident(community_a, name="答卷人甲", phone="13855556666")
    client = page_client(educator_a)
    found = client.get(f"/surveys/{survey.pk}/respond/?q=6666").content.decode()
    assert "答卷人甲" in found and f"?resident={person.pk}" in found
    answers = {f"q{item.pk}": str(item.correct[0]) for item in items}
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/surveys/{survey.pk}/respond/",
        {"resident": person.pk, "round": "baseline", "answered_on": today, **answers},
    )
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.resident == person and saved.knowledge_aware
    response = client.post(
        f"/surveys/{survey.pk}/respond/", {"round": "routine", "answered_on": today, **answers}
    )
    assert response.status_code == 200 and {"sex", "age"} <= set(response.context["form"].errors)
    response = client.post(
        f"/surveys/{survey.pk}/respond/",
        {
            "round": "routine",
            "answered_on": today,
            "sex": "F",
            "age": 45,
            "community": community_a.pk,
            **answers,
        },
    )
    assert response.status_code == 302 and Response.objects.count() == 2


def test_rates_page_shows_the_two_rates_and_the_comparison(
    page_client, leader, educator_a, community_a
):
    survey = make_survey_with_answers(community_a, educator_a, on=NOW.date())
    response = page_client(leader).get(f"/surveys/{survey.pk}/rates/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "66.7%" in body and 'id="comparison"' in body and 'id="item-rates"' in body
    assert 'id="chart-data"' in body


def test_import_questionnaires_starts_a_job(
    page_client, educator_a, community_a, django_capture_on_commit_callbacks
):
    survey = make_survey_with_answers(
        community_a, educator_a, on=NOW.date(), baseline=(0, 0), followup=(0, 0)
    )
    client = page_client(educator_a)
    template = client.get(f"/api/surveys/{survey.pk}/template/")
    upload = SimpleUploadedFile("answers.xlsx", template.content)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/surveys/{survey.pk}/import/", {"community": community_a.pk, "file": upload}
        )
    job = Job.objects.get(kind="survey_response_import")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert client.get(f"/jobs/{job.pk}/").status_code == 200


def test_survey_pages_respect_reach_and_leaders(
    page_client, educator_b, leader, educator_a, community_a
):
    survey = make_survey_with_answers(
        community_a, educator_a, on=NOW.date(), baseline=(0, 0), followup=(0, 0)
    )
    for path in ("", "rates/", "respond/"):
        assert page_client(educator_b).get(f"/surveys/{survey.pk}/{path}").status_code == 404
    client = page_client(leader)
    assert client.get("/surveys/").status_code == 200
    assert client.get(f"/surveys/{survey.pk}/respond/").status_code == 403
    assert client.post(f"/surveys/{survey.pk}/respond/", {}).status_code == 403
    assert client.post("/surveys/new/", {}).status_code == 403
    assert client.post(f"/surveys/{survey.pk}/import/", {}).status_code == 403


def test_survey_page_names_rounds_in_words(page_client, educator_a, community_a):
    survey = make_survey_with_answers(community_a, educator_a, on=NOW.date())
    body = page_client(educator_a).get(f"/surveys/{survey.pk}/").content.decode()
    text = re.sub(r"<[^>]+>", " ", body)
    assert "基线 6" in text and "随访（干预后） 6" in text
    assert "baseline" not in text and "followup" not in text
    assert "问卷份数：" in text


def test_round_and_date_survive_looking_up_the_next_respondent(
    page_client, educator_a, community_a
):
    survey = make_survey_with_answers(community_a, educator_a, on=NOW.date())
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


def test_an_answer_ticked_by_mistake_can_be_cleared(page_client, educator_a, community_a):
    from healthedu.surveys.models import Response

    survey = make_survey_with_answers(community_a, educator_a, on=NOW.date())
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
