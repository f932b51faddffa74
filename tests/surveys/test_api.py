"""Surveys, responses, item bank, targets and comparison through the API, with reach."""

import datetime as dt
import io

import openpyxl
import pytest

from healthedu.surveys.models import Response
from healthedu.surveys.services import response_create, survey_create
from reports.models import PeriodLock
from tests.factories import make_resident
from tests.surveys.conftest import DAY, answers, item, item_ids

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def survey_body(community, **extra):
    return {
        "title": "控烟知识调查",
        "community": community.pk if community else None,
        "items": [
            {
                "kind": "knowledge",
                "text": "二手烟有害吗？",
                "topic": "tobacco_control",
                "options": ["有害", "无害"],
                "correct": [0],
            },
            {
                "kind": "behavior",
                "text": "您吸烟吗？",
                "topic": "tobacco_control",
                "options": ["从不", "已戒", "吸"],
                "correct": [0, 1],
            },
        ],
        **extra,
    }


# ---------------------------------------------------------------- surveys


def test_educator_creates_a_survey_with_items(api, educator_a, community_a):
    response = api(educator_a).post("/api/surveys/", survey_body(community_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["knowledge_threshold"] == 0.8
    assert [i["topic"] for i in body["items"]] == ["tobacco_control", "tobacco_control"]
    assert body["items"][1]["correct"] == [0, 1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": []}, "items"),
        (
            {
                "items": [
                    {
                        "kind": "knowledge",
                        "text": "x",
                        "topic": "aids",
                        "options": ["a"],
                        "correct": [0],
                    }
                ]
            },
            "items",
        ),
        (
            {
                "items": [
                    {
                        "kind": "knowledge",
                        "text": "x",
                        "topic": "aids",
                        "options": ["a", "b"],
                        "correct": [2],
                    }
                ]
            },
            "items",
        ),
        (
            {
                "items": [
                    {
                        "kind": "opinion",
                        "text": "x",
                        "topic": "aids",
                        "options": ["a", "b"],
                        "correct": [0],
                    }
                ]
            },
            "items",
        ),
        (
            {
                "items": [
                    {
                        "kind": "knowledge",
                        "text": "x",
                        "topic": "nope",
                        "options": ["a", "b"],
                        "correct": [0],
                    }
                ]
            },
            "items",
        ),
        ({"knowledge_threshold": 1.5}, "knowledge_threshold"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_surveys_answer_400_naming_the_field(api, educator_a, community_a, change, field):
    body = {**survey_body(community_a), **change}
    response = api(educator_a).post("/api/surveys/", body, format="json", **EN)
    assert response.status_code == 400
    assert field in response.json()


def test_shared_survey_only_by_admin(api, educator_a, admin_user, community_a):
    assert (
        api(educator_a).post("/api/surveys/", survey_body(None), format="json").status_code == 403
    )
    assert (
        api(admin_user).post("/api/surveys/", survey_body(None), format="json").status_code == 201
    )


def test_survey_with_responses_refuses_item_changes_and_offers_a_copy(
    api, educator_a, designed_survey, community_a
):
    response_create(
        user=None,
        survey=designed_survey,
        answered_on=DAY,
        round="baseline",
        sex="F",
        age=30,
        is_migrant=False,
        community=community_a,
        answers=answers(designed_survey, [0]),
    )
    client = api(educator_a)
    url = f"/api/surveys/{designed_survey.pk}/"
    current = client.get(url).json()
    current["items"][0]["correct"] = [1]
    refused = client.put(url, current, format="json", **EN)
    assert refused.status_code == 400
    assert "copy" in refused.json()["items"][0]
    assert client.patch(url, {"knowledge_threshold": 0.6}, format="json").status_code == 400
    # The title is only a label: it may change.
    assert client.patch(url, {"title": "新标题"}, format="json").status_code == 200
    copy = client.post(f"{url}copy/", {}, format="json")
    assert copy.status_code == 201
    new_url = f"/api/surveys/{copy.json()['id']}/"
    body = client.get(new_url).json()
    body["items"][0]["correct"] = [1]
    assert client.put(new_url, body, format="json").status_code == 200
    assert client.delete(url).status_code == 400  # has responses
    assert client.delete(new_url).status_code == 204


def test_item_bank_lists_at_least_30_items_and_builds_a_survey(api, educator_a, community_a):
    client = api(educator_a)
    bank = client.get("/api/item-bank/", {"page_size": 500}).json()
    assert bank["count"] >= 30
    topics = {i["topic"] for i in bank["results"]}
    assert {
        "hypertension",
        "diabetes",
        "tobacco_control",
        "tuberculosis",
        "hepatitis_b",
        "aids",
    } <= topics
    assert all(len(i["options"]) >= 2 and i["correct"] for i in bank["results"])
    ids = [i["id"] for i in bank["results"][:6]]
    made = client.post(
        "/api/surveys/from-bank/",
        {"title": "社区问卷", "community": community_a.code, "items": ids},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert len(made.json()["items"]) == 6
    bad = client.post(
        "/api/surveys/from-bank/",
        {"title": "x", "community": community_a.pk, "items": [999999]},
        format="json",
    )
    assert bad.status_code == 400


def test_template_has_the_headers_and_a_notes_sheet(api, educator_a, designed_survey):
    response = api(educator_a).get(f"/api/surveys/{designed_survey.pk}/template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book.worksheets[0][1]]
    assert headers == ["answered_on", "round", "id_number", "sex", "age", "is_migrant"] + [
        f"Q{n}" for n in range(1, 8)
    ]
    assert len(book.worksheets) == 2


# ---------------------------------------------------------------- responses


def test_identified_response_takes_sex_age_and_groups_from_the_register(
    api, educator_a, designed_survey, community_a
):
    resident = make_resident(community_a, sex="F", age=60, on=DAY)
    body = {
        "survey": designed_survey.pk,
        "resident": resident.pk,
        "answered_on": DAY.isoformat(),
        "round": "baseline",
        "answers": answers(designed_survey, [0], [1], [2], [0], [0, 2]),
    }
    response = api(educator_a).post("/api/survey-responses/", body, format="json")
    assert response.status_code == 201, response.content
    got = response.json()
    assert got["knowledge_score"] == 1.0
    assert got["knowledge_aware"] is True
    assert got["behavior_formed"] is None
    assert got["groups"] == ["elderly", "women"]
    assert got["month"] == "2026-03"
    # The same resident, date and round again is refused, not duplicated.
    again = api(educator_a).post("/api/survey-responses/", body, format="json")
    assert again.status_code == 400
    assert Response.objects.count() == 1


def test_anonymous_response_needs_sex_age_migrant_and_community(
    api, educator_a, designed_survey, community_a
):
    body = {
        "survey": designed_survey.pk,
        "answered_on": DAY.isoformat(),
        "round": "routine",
        "answers": answers(designed_survey, [0]),
    }
    missing = api(educator_a).post("/api/survey-responses/", body, format="json", **EN)
    assert missing.status_code == 400
    assert {"sex", "age", "is_migrant", "community"} <= set(missing.json())
    body.update(sex="M", age=17, is_migrant=True, community=community_a.code)
    made = api(educator_a).post("/api/survey-responses/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["groups"] == ["youth", "migrant"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"answers": [{"item": 999999, "choice": [0]}]}, "answers"),
        ({"answers": "first", "choice": [9]}, "answers"),
        ({"round": "midterm"}, "round"),
        ({"answered_on": "2099-01-01"}, "answered_on"),
        ({"age": 300}, "age"),
    ],
)
def test_bad_responses_answer_400(api, educator_a, designed_survey, community_a, bad, field):
    body = {
        "survey": designed_survey.pk,
        "answered_on": DAY.isoformat(),
        "round": "routine",
        "sex": "F",
        "age": 30,
        "is_migrant": False,
        "community": community_a.pk,
        "answers": answers(designed_survey, [0]),
    }
    if bad.get("answers") == "first":
        bad = {"answers": [{"item": item_ids(designed_survey)[0], "choice": [9]}]}
    body.update(bad)
    response = api(educator_a).post("/api/survey-responses/", body, format="json", **EN)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_finalised_month_refuses_new_and_changed_responses(
    api, educator_a, designed_survey, community_a
):
    existing = response_create(
        user=None,
        survey=designed_survey,
        answered_on=DAY,
        round="routine",
        sex="F",
        age=30,
        is_migrant=False,
        community=community_a,
        answers=answers(designed_survey, [0]),
    )
    PeriodLock.objects.create(community=community_a, month=DAY.replace(day=1))
    body = {
        "survey": designed_survey.pk,
        "answered_on": DAY.isoformat(),
        "round": "routine",
        "sex": "F",
        "age": 31,
        "is_migrant": False,
        "community": community_a.pk,
        "answers": answers(designed_survey, [1]),
    }
    client = api(educator_a)
    assert client.post("/api/survey-responses/", body, format="json").status_code == 409
    assert (
        client.put(f"/api/survey-responses/{existing.pk}/", body, format="json").status_code == 409
    )
    assert client.delete(f"/api/survey-responses/{existing.pk}/").status_code == 409


# ---------------------------------------------------------------- reach


@pytest.fixture
def survey_b(community_b):
    return survey_create(
        user=None,
        title="B 社区问卷",
        community=community_b,
        items=[item("knowledge", "aids", [0]), item("behavior", "healthy_lifestyle", [0])],
    )


@pytest.fixture
def response_b(survey_b, community_b):
    return response_create(
        user=None,
        survey=survey_b,
        answered_on=DAY,
        round="baseline",
        sex="M",
        age=50,
        is_migrant=False,
        community=community_b,
        answers=answers(survey_b, [0], [0]),
    )


def test_out_of_reach_is_404_and_never_listed(api, educator_a, survey_b, response_b, community_b):
    client = api(educator_a)
    assert client.get(f"/api/surveys/{survey_b.pk}/").status_code == 404
    assert client.get(f"/api/surveys/{survey_b.pk}/template/").status_code == 404
    assert client.get(f"/api/survey-responses/{response_b.pk}/").status_code == 404
    assert survey_b.pk not in [s["id"] for s in client.get("/api/surveys/").json()["results"]]
    assert client.get("/api/survey-responses/").json()["count"] == 0
    assert client.get("/api/rates/", {"survey": survey_b.pk}).status_code == 404
    assert client.get("/api/rates/", {"community": community_b.code}).status_code == 404
    assert client.get("/api/rates/compare/", {"community": community_b.pk}).status_code == 404
    # Without filters the rates count only what is in reach.
    assert client.get("/api/rates/").json()["knowledge"]["denominator"] == 0
    assert client.get(f"/api/targets/?community={community_b.pk}").json()["count"] == 0


def test_writes_referencing_out_of_reach_objects_answer_400(
    api, educator_a, survey_b, community_b, community_a, designed_survey
):
    client = api(educator_a)
    outsider = make_resident(community_b, sex="F", age=40)
    body = {
        "survey": designed_survey.pk,
        "resident": outsider.pk,
        "answered_on": DAY.isoformat(),
        "round": "routine",
        "answers": [],
    }
    assert client.post("/api/survey-responses/", body, format="json").status_code == 400
    body = {
        **body,
        "survey": survey_b.pk,
        "resident": None,
        "sex": "F",
        "age": 3,
        "is_migrant": False,
        "community": community_a.pk,
    }
    assert client.post("/api/survey-responses/", body, format="json").status_code == 400
    target = {"community": community_b.pk, "year": 2026, "knowledge": "0.8", "behavior": "0.7"}
    assert client.post("/api/targets/", target, format="json").status_code == 400


def test_shared_survey_is_visible_to_all_but_its_answers_are_not(
    api, admin_user, educator_a, educator_b, community_b
):
    shared = api(admin_user).post("/api/surveys/", survey_body(None), format="json").json()
    assert api(educator_a).get(f"/api/surveys/{shared['id']}/").status_code == 200
    made = api(educator_b).post(
        "/api/survey-responses/",
        {
            "survey": shared["id"],
            "answered_on": DAY.isoformat(),
            "round": "routine",
            "sex": "F",
            "age": 30,
            "is_migrant": False,
            "community": community_b.pk,
            "answers": [{"item": shared["items"][0]["id"], "choice": [0]}],
        },
        format="json",
    )
    assert made.status_code == 201
    assert api(educator_a).get("/api/survey-responses/").json()["count"] == 0
    assert (
        api(educator_a)
        .get("/api/rates/", {"survey": shared["id"]})
        .json()["knowledge"]["denominator"]
        == 0
    )
    assert (
        api(educator_b)
        .get("/api/rates/", {"survey": shared["id"]})
        .json()["knowledge"]["denominator"]
        == 1
    )


def test_leader_reads_but_gets_403_on_every_write(
    api, leader, designed_survey, response_b, community_a
):
    client = api(leader)
    assert client.get(f"/api/surveys/{designed_survey.pk}/").status_code == 200
    assert client.get(f"/api/survey-responses/{response_b.pk}/").status_code == 200
    assert client.get("/api/rates/", {"by": "community"}).status_code == 200
    assert client.post("/api/surveys/", survey_body(community_a), format="json").status_code == 403
    assert (
        client.patch(
            f"/api/surveys/{designed_survey.pk}/", {"title": "x"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/survey-responses/{response_b.pk}/").status_code == 403
    assert (
        client.post(
            "/api/surveys/from-bank/", {"title": "x", "items": [1]}, format="json"
        ).status_code
        == 403
    )
    target = {"community": community_a.pk, "year": 2026, "knowledge": "0.8", "behavior": "0.7"}
    assert client.post("/api/targets/", target, format="json").status_code == 403
    assert client.post("/api/survey-responses/import/", {}, format="multipart").status_code == 403


def test_anonymous_caller_gets_401(api):
    for url in [
        "/api/surveys/",
        "/api/survey-responses/",
        "/api/rates/",
        "/api/rates/compare/",
        "/api/item-bank/",
        "/api/targets/",
    ]:
        assert api(None).get(url).status_code == 401, url


# ---------------------------------------------------------------- comparison


def test_compare_baseline_and_followup(api, educator_a, designed_survey, community_a):
    def respond(round_name, day, right):
        chosen = [[0], [1], [2], [0], [0, 2]] if right else [[3], [3], [3], [3], [1]]
        response_create(
            user=None,
            survey=designed_survey,
            answered_on=day,
            round=round_name,
            sex="F",
            age=40,
            is_migrant=False,
            community=community_a,
            answers=answers(designed_survey, *chosen, [0], [0]),
        )

    for n in range(20):
        respond("baseline", DAY, right=n < 8)  # 8 of 20 aware
        respond("followup", DAY + dt.timedelta(days=90), right=n < 16)  # 16 of 20
    body = (
        api(educator_a)
        .get(
            "/api/rates/compare/",
            {
                "survey": designed_survey.pk,
                "community": community_a.pk,
                "before": "baseline",
                "after": "followup",
            },
        )
        .json()
    )
    knowledge = body["knowledge"]
    assert knowledge["before"]["numerator"] == 8
    assert knowledge["after"]["numerator"] == 16
    assert knowledge["change"] == 0.4
    assert knowledge["test"] == "chi2"
    # 2×2 [[8, 12], [16, 4]]: X² = 40·(8·4 − 12·16)² / (20·20·24·16) = 6.6667
    assert knowledge["statistic"] == pytest.approx(6.6667, abs=1e-4)
    assert 0 < knowledge["p_value"] < 0.05
    # Every respondent's behaviour is healthy in both rounds: Fisher, P = 1.
    assert body["behavior"]["test"] == "fisher"
    # Anonymous respondents cannot be paired.
    assert knowledge["paired"] is None
    assert set(body["tests"]) == {"independent", "paired"}


def test_compare_pairs_the_residents_who_answered_both_rounds(
    api, educator_a, designed_survey, community_a
):
    """30 residents in both rounds: 5 aware both times, 3 only before, 12 only after, 10 never;
    4 more only at baseline (unaware) and 2 anonymous follow-ups (aware) are in the independent
    test only. McNemar exact (15 discordant < 25): P = 2·(1 + 15 + 105 + 455)/2¹⁵."""
    right = [[0], [1], [2], [0], [0, 2], [0], [0]]
    wrong = [[3], [3], [3], [3], [1], [0], [0]]
    plan = [(True, True)] * 5 + [(True, False)] * 3 + [(False, True)] * 12 + [(False, False)] * 10
    plan += [(False, None)] * 4
    for n, (before, after) in enumerate(plan):
        resident = make_resident(community_a, sex="F", age=30 + n, on=DAY)
        for round_name, day, aware in (
            ("baseline", DAY, before),
            ("followup", DAY + dt.timedelta(days=120), after),
        ):
            if aware is not None:
                response_create(
                    user=None,
                    survey=designed_survey,
                    resident=resident,
                    answered_on=day,
                    round=round_name,
                    answers=answers(designed_survey, *(right if aware else wrong)),
                )
    for _ in range(2):
        response_create(
            user=None,
            survey=designed_survey,
            answered_on=DAY + dt.timedelta(days=120),
            round="followup",
            sex="M",
            age=50,
            is_migrant=False,
            community=community_a,
            answers=answers(designed_survey, *right),
        )
    body = api(educator_a).get("/api/rates/compare/", {"survey": designed_survey.pk}, **EN).json()
    knowledge = body["knowledge"]
    assert (knowledge["before"]["numerator"], knowledge["before"]["denominator"]) == (8, 34)
    assert (knowledge["after"]["numerator"], knowledge["after"]["denominator"]) == (19, 32)
    paired = knowledge["paired"]
    assert paired["pairs"] == 30
    assert (paired["before"]["numerator"], paired["before"]["denominator"]) == (8, 30)
    assert (paired["after"]["numerator"], paired["after"]["denominator"]) == (17, 30)
    assert paired["test"] == "mcnemar_exact"
    assert paired["statistic"] is None
    assert paired["p_value"] == pytest.approx(0.03515625)
    # Behaviour healthy for all 30 pairs both times: no discordant pair, P = 1.
    assert body["behavior"]["paired"]["pairs"] == 30
    assert body["behavior"]["paired"]["p_value"] == 1.0
    assert "same people" in body["tests"]["paired"]
    # Without the survey filter (each person's latest response per round): the same pairs.
    wide = api(educator_a).get("/api/rates/compare/").json()
    assert wide["knowledge"]["paired"]["pairs"] == 30


def test_compare_with_an_empty_round_is_nulls_with_a_note(api, educator_a, designed_survey):
    body = api(educator_a).get("/api/rates/compare/", {"survey": designed_survey.pk}, **EN).json()
    assert body["knowledge"]["change"] is None
    assert "nothing to compare" in body["knowledge"]["note"]


def test_partial_update_rescores_and_keeps_the_rest(api, educator_a, designed_survey, community_a):
    made = response_create(
        user=None,
        survey=designed_survey,
        answered_on=DAY,
        round="routine",
        sex="F",
        age=30,
        is_migrant=False,
        community=community_a,
        answers=answers(designed_survey, [3], [3], [3], [3], [1]),
    )
    url = f"/api/survey-responses/{made.pk}/"
    client = api(educator_a)
    assert client.patch(url, {"round": "baseline"}, format="json").json()["knowledge_answered"] == 5
    fixed = client.patch(
        url, {"answers": answers(designed_survey, [0], [1], [2], [0], [0, 2])}, format="json"
    )
    assert fixed.status_code == 200, fixed.content
    body = fixed.json()
    assert (body["round"], body["knowledge_aware"], body["age"]) == ("baseline", True, 30)


def test_targets_detail_and_import_outside_reach(
    api, educator_a, admin_user, survey_b, community_a, community_b, designed_survey
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    made = api(admin_user).post(
        "/api/targets/",
        {"community": community_b.code, "year": 2026, "knowledge": "0.9", "behavior": "0.75"},
        format="json",
    )
    assert made.status_code == 201
    client = api(educator_a)
    assert client.get(f"/api/targets/{made.json()['id']}/").status_code == 404
    csv = "调查日期,轮次,性别,年龄,是否流动人口,第1题\n2026-03-10,基线,女,30,否,A\n".encode()
    for survey, community in ((survey_b, community_a), (designed_survey, community_b)):
        response = client.post(
            "/api/survey-responses/import/",
            {
                "file": SimpleUploadedFile("a.csv", csv),
                "survey": survey.pk,
                "community": community.pk,
            },
            format="multipart",
        )
        assert response.status_code == 400


def test_admin_pages_open(page_client, admin_user, designed_survey, response_b):
    client = page_client(admin_user)
    for url in [
        "/admin/surveys/survey/",
        f"/admin/surveys/survey/{designed_survey.pk}/change/",
        "/admin/surveys/response/",
        f"/admin/surveys/response/{response_b.pk}/change/",
        "/admin/surveys/bankitem/",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_blank_questionnaire_is_refused(api, educator_a, designed_survey, community_a):
    body = {
        "survey": designed_survey.pk,
        "answered_on": "2026-10-10",
        "round": "routine",
        "sex": "F",
        "age": 40,
        "is_migrant": False,
        "community": community_a.pk,
        "answers": [{"item": item.pk, "choice": []} for item in designed_survey.items.all()],
    }
    response = api(educator_a).post(
        "/api/survey-responses/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "blank" in " ".join(response.json()["answers"])


def test_list_rows_are_the_detail_rows_with_answers_in_the_order_given(
    api, educator_a, designed_survey, community_a, django_assert_max_num_queries
):
    client = api(educator_a)
    for n in range(4):
        resident = make_resident(community_a, sex="F", age=40 + n, on=DAY)
        chosen = answers(designed_survey, [0], [1], None, [n % 3], [0, 2], [n % 3])
        posted = client.post(
            "/api/survey-responses/",
            {
                "survey": designed_survey.pk,
                "resident": resident.pk,
                "answered_on": DAY.isoformat(),
                "round": "baseline",
                "answers": chosen[::-1] if n % 2 else chosen,
            },
            format="json",
        )
        assert posted.status_code == 201, posted.content
        assert posted.json()["answers"] == (chosen[::-1] if n % 2 else chosen)
    with django_assert_max_num_queries(6):
        rows = client.get("/api/survey-responses/?page_size=10").json()["results"]
    assert len(rows) == 4
    for row in rows:
        assert len(row["answers"]) == 5
        assert row == client.get(f"/api/survey-responses/{row['id']}/").json()


# ---------------------------------------------------------------- item types and points


def tf_item(**extra):
    return {
        "kind": "knowledge",
        "text": "吸烟有害健康。",
        "topic": "tobacco_control",
        "options": ["正确", "错误"],
        "correct": [0],
        **extra,
    }


@pytest.mark.parametrize(
    ("given", "type_", "multiple", "points"),
    [
        ({"type": "true_false"}, "true_false", False, 1),
        ({}, "single", False, 1),
        ({"multiple": True, "correct": [0, 1]}, "multiple", True, 2),
        ({"type": "multiple", "correct": [0, 1]}, "multiple", True, 2),
        ({"type": "multiple", "multiple": True, "points": 3}, "multiple", True, 3),
        ({"type": "single", "points": 1}, "single", False, 1),
        ({"type": "single", "points": 100}, "single", False, 100),
    ],
)
def test_items_carry_a_type_and_points_with_defaults(
    api, educator_a, community_a, given, type_, multiple, points
):
    body = {"title": "计分", "community": community_a.pk, "items": [tf_item(**given)]}
    response = api(educator_a).post("/api/surveys/", body, format="json")
    assert response.status_code == 201, response.content
    got = response.json()["items"][0]
    assert (got["type"], got["multiple"], got["points"]) == (type_, multiple, points)


@pytest.mark.parametrize(
    "given",
    [
        {"type": "true_false", "options": ["正确", "错误", "不知道"]},
        {"type": "true_false", "correct": [0, 1]},
        {"type": "single", "multiple": True},
        {"type": "multiple", "multiple": False},
        {"type": "essay"},
        {"points": 0},
        {"points": -1},
        {"points": 101},
        {"points": 1.5},
    ],
)
def test_bad_item_types_and_points_answer_400(api, educator_a, community_a, given):
    body = {"title": "计分", "community": community_a.pk, "items": [tf_item(**given)]}
    response = api(educator_a).post("/api/surveys/", body, format="json", **EN)
    assert response.status_code == 400, response.content
    assert "items" in response.json()


def test_the_bank_gives_types_and_points_and_a_survey_keeps_them(api, educator_a, community_a):
    client = api(educator_a)
    bank = client.get("/api/item-bank/", {"page_size": 200}).json()
    rows = bank["results"] if isinstance(bank, dict) else bank
    types = {r["type"] for r in rows}
    assert types == {"true_false", "single", "multiple"}
    multi = next(r for r in rows if r["type"] == "multiple")
    assert (multi["multiple"], multi["points"]) == (True, 2)
    tf = next(r for r in rows if r["type"] == "true_false")
    made = client.post(
        "/api/surveys/from-bank/",
        {"title": "题库", "community": community_a.pk, "items": [multi["id"], tf["id"]]},
        format="json",
    ).json()
    assert [(i["type"], i["points"]) for i in made["items"]] == [("multiple", 2), ("true_false", 1)]
