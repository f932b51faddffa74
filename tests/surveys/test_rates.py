"""The two rates on small designed data, counted by hand, through GET /api/rates/.

Five respondents to the designed survey (thresholds 0.8) in community A on 2026-03-10, baseline.
Points: K1–K4 single-choice 1 each, K5 multi-select 2, so knowledge is out of 6; B1, B2 1 each.

| who | groups | knowledge points | aware | behaviour | formed |
| --- | --- | --- | --- | --- | --- |
| R1 resident F 70 | elderly, women | 6/6 | yes | 2/2 | yes |
| R2 resident M 20 | youth | 3/6 | no | 1/2 | no |
| R3 anonymous F 22 migrant | women, youth, migrant | 4/6 (K5 unanswered: 0, still in the full score) | no | none | — |
| R4 anonymous M 40 | general | 3/6 (K5 only half of the multi-select key: 0) | no | 2/2 | yes |
| R5 resident M 65 | elderly | none | — | 0/2 | no |
"""

import pytest

from healthedu.surveys.services import response_create
from tests.factories import make_resident
from tests.surveys.conftest import DAY, answers, item_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def designed_responses(designed_survey, community_a):
    s = designed_survey
    r1 = make_resident(community_a, sex="F", age=70, on=DAY)
    r2 = make_resident(community_a, sex="M", age=20, on=DAY)
    r5 = make_resident(community_a, sex="M", age=65, on=DAY)
    common = {"user": None, "survey": s, "answered_on": DAY, "round": "baseline"}
    response_create(resident=r1, answers=answers(s, [0], [1], [2], [0], [0, 2], [0], [1]), **common)
    response_create(resident=r2, answers=answers(s, [0], [1], [2], [1], [0], [0], [2]), **common)
    response_create(
        sex="F",
        age=22,
        is_migrant=True,
        community=community_a,
        answers=answers(s, [0], [1], [2], [0], None),
        **common,
    )
    response_create(
        sex="M",
        age=40,
        is_migrant=False,
        community=community_a,
        answers=answers(s, [0], [1], [2], [3], [0], [0], [1]),
        **common,
    )
    response_create(
        resident=r5, answers=answers(s, None, None, None, None, None, [1], [3]), **common
    )
    return s


def counts(block):
    return block["numerator"], block["denominator"]


def test_totals_count_each_respondent_once(api, educator_a, designed_responses):
    body = api(educator_a).get("/api/rates/", {"survey": designed_responses.pk}).json()
    assert body["unit"] == "respondents"
    assert counts(body["knowledge"]) == (1, 4)
    assert body["knowledge"]["rate"] == 0.25
    assert counts(body["behavior"]) == (2, 4)
    assert body["breakdown"] == []
    assert body["rounds"] == ["baseline"]


def test_groups_count_a_person_in_every_group_they_belong_to(api, educator_a, designed_responses):
    body = (
        api(educator_a).get("/api/rates/", {"survey": designed_responses.pk, "by": "group"}).json()
    )
    by_group = {e["group"]: e for e in body["breakdown"]}
    expected = {
        # group: (knowledge num, den), (behaviour num, den)
        "elderly": ((1, 1), (1, 2)),
        "women": ((1, 2), (1, 1)),
        "youth": ((0, 2), (0, 1)),
        "migrant": ((0, 1), (0, 0)),
        "general": ((0, 1), (1, 1)),
    }
    assert set(by_group) == set(expected)
    for group, (knowledge, behavior) in expected.items():
        assert counts(by_group[group]["knowledge"]) == knowledge, group
        assert counts(by_group[group]["behavior"]) == behavior, group
    # A group without respondents to a question is "no data", never 0 %.
    assert by_group["migrant"]["behavior"]["rate"] is None
    assert by_group["migrant"]["behavior"]["ci_low"] is None
    # Groups overlap, the total does not.
    assert sum(e["knowledge"]["denominator"] for e in body["breakdown"]) == 7
    assert body["knowledge"]["denominator"] == 4


def test_group_filter_counts_only_that_group(api, educator_a, designed_responses):
    body = (
        api(educator_a)
        .get("/api/rates/", {"survey": designed_responses.pk, "group": "youth"})
        .json()
    )
    assert counts(body["knowledge"]) == (0, 2)
    assert counts(body["behavior"]) == (0, 1)


def test_item_rates_count_answers_and_skip_unanswered(api, educator_a, designed_responses):
    body = api(educator_a).get("/api/rates/", {"survey": designed_responses.pk}).json()
    assert body["items_unit"] == "answers"
    got = {i["order"]: (i["numerator"], i["denominator"]) for i in body["items"]}
    assert got == {1: (4, 4), 2: (4, 4), 3: (4, 4), 4: (2, 4), 5: (1, 3), 6: (3, 4), 7: (2, 4)}
    assert [i["item"] for i in body["items"]] == item_ids(designed_responses)
    topics = {(t["topic"], t["kind"]): counts(t) for t in body["topics"]}
    assert topics[("hypertension", "knowledge")] == (8, 8)
    assert topics[("tobacco_control", "knowledge")] == (1, 3)
    assert topics[("tobacco_control", "behavior")] == (2, 4)


def test_stored_scores_on_the_response(api, educator_a, designed_responses):
    rows = api(educator_a).get("/api/survey-responses/", {"survey": designed_responses.pk}).json()
    scores = sorted(
        (r["knowledge_score"], r["knowledge_aware"], r["behavior_score"], r["behavior_formed"])
        for r in rows["results"]
        if r["knowledge_score"] is not None
    )
    assert scores == [
        (0.5, False, 0.5, False),
        (0.5, False, 1.0, True),
        (pytest.approx(4 / 6), False, None, None),
        (1.0, True, 1.0, True),
    ]
    points = sorted(
        (r["knowledge_points"], r["knowledge_full"], r["behavior_points"], r["behavior_full"])
        for r in rows["results"]
    )
    assert points == [(0, 6, 0, 2), (3, 6, 1, 2), (3, 6, 2, 2), (4, 6, 0, 2), (6, 6, 2, 2)]


RIGHT = [[0], [1], [2], [0], [0, 2]]  # K1..K4 one point each, K5 (multi-select) two
WRONG = [[3], [3], [3], [3], [1]]


@pytest.mark.parametrize(
    ("chosen", "threshold", "points", "aware"),
    [
        # (K1..K5 as right / wrong / None = unanswered), threshold → points of 6, aware
        (("r", "r", "r", "r", "r"), 0.8, 6, True),
        (("r", "r", "r", "w", "r"), 0.8, 5, True),  # 5/6 = 0.833
        (("r", "r", "r", "r", "w"), 0.8, 4, False),  # 4/6 = 0.667: the multi-select weighs 2
        (("r", "r", "r", "r", None), 0.8, 4, False),  # unanswered K5 stays in the full score
        (("r", "r", "r", "r", "half"), 0.8, 4, False),  # part of the key earns nothing
        (("r", "w", "w", "w", "r"), 0.5, 3, True),  # 3/6 exactly at the threshold
        (("r", "w", "w", "w", "w"), 0.5, 1, False),
        (("r", "r", "r", "r", "w"), 4 / 6, 4, True),  # exactly at a non-binary threshold
        (("r", None, None, None, None), 0.8, 1, False),  # 1 of 5 answered, right: 1/6
        (("w", "w", "w", "w", "r"), 1 / 3, 2, True),
    ],
)
def test_threshold_boundary_with_points(
    community_a, designed_survey, chosen, threshold, points, aware
):
    designed_survey.knowledge_threshold = threshold
    designed_survey.save()
    picks = {"r": RIGHT, "w": WRONG}
    choice = [
        None if c is None else [0] if c == "half" else picks[c][n] for n, c in enumerate(chosen)
    ]
    response = response_create(
        user=None,
        survey=designed_survey,
        answered_on=DAY,
        round="routine",
        sex="F",
        age=30,
        is_migrant=False,
        community=community_a,
        answers=answers(designed_survey, *choice),
    )
    assert (response.knowledge_points, response.knowledge_full) == (points, 6)
    assert response.knowledge_aware is aware
    assert response.knowledge_score == pytest.approx(points / 6)


def test_one_of_five_answered_correctly_is_not_aware(api, educator_a, community_a):
    """Five one-point items, one answered, right: 1/5 = 0.2 (the old rule made it 1/1, aware)."""
    from healthedu.surveys.services import survey_create
    from tests.surveys.conftest import item

    survey = survey_create(
        user=None,
        title="五题",
        community=community_a,
        items=[item("knowledge", "hypertension", [0], text=f"T{n}") for n in range(5)],
    )
    resident = make_resident(community_a, sex="F", age=40, on=DAY)
    response = (
        api(educator_a)
        .post(
            "/api/survey-responses/",
            {
                "survey": survey.pk,
                "resident": resident.pk,
                "answered_on": DAY.isoformat(),
                "round": "baseline",
                "answers": [{"item": item_ids(survey)[0], "choice": [0]}],
            },
            format="json",
        )
        .json()
    )
    assert response["knowledge_score"] == 0.2
    assert response["knowledge_aware"] is False
    body = api(educator_a).get("/api/rates/", {"survey": survey.pk}).json()
    assert counts(body["knowledge"]) == (0, 1)


def test_breakdown_by_month_and_quarter_fills_empty_months(
    api, educator_a, designed_responses, community_a
):
    s = designed_responses
    response_create(
        user=None,
        survey=s,
        answered_on=DAY.replace(month=5),
        round="routine",
        sex="M",
        age=50,
        is_migrant=False,
        community=community_a,
        answers=answers(s, [0], [1], [2], [0], [0, 2]),
    )
    body = api(educator_a).get("/api/rates/", {"survey": s.pk, "by": "month"}).json()
    months = [(e["month"], counts(e["knowledge"])) for e in body["breakdown"]]
    assert months == [("2026-03", (1, 4)), ("2026-04", (0, 0)), ("2026-05", (1, 1))]
    assert body["breakdown"][1]["knowledge"]["rate"] is None

    body = api(educator_a).get("/api/rates/", {"survey": s.pk, "by": "quarter,round"}).json()
    got = [(e["quarter"], e["round"], counts(e["knowledge"])) for e in body["breakdown"]]
    assert got == [
        ("2026-Q1", "baseline", (1, 4)),
        ("2026-Q1", "routine", (0, 0)),
        ("2026-Q2", "baseline", (0, 0)),
        ("2026-Q2", "routine", (1, 1)),
    ]


def test_by_community_and_street_names_them(api, leader, designed_responses, community_a):
    body = api(leader).get("/api/rates/", {"by": "community,street"}).json()
    assert len(body["breakdown"]) == 1
    entry = body["breakdown"][0]
    assert entry["community"] == community_a.pk
    assert entry["community_name"] == community_a.name
    assert entry["street_name"] == community_a.street.name
    assert counts(entry["knowledge"]) == (1, 4)


def test_no_responses_is_no_data_not_zero(api, educator_a, designed_survey):
    body = api(educator_a).get("/api/rates/", {"survey": designed_survey.pk, "by": "group"}).json()
    assert body["knowledge"] == {
        "numerator": 0,
        "denominator": 0,
        "rate": None,
        "ci_low": None,
        "ci_high": None,
    }
    # Every group is listed, as "no data".
    assert [e["group"] for e in body["breakdown"]] == [
        "elderly",
        "women",
        "youth",
        "migrant",
        "general",
    ]
    assert all(e["knowledge"]["rate"] is None for e in body["breakdown"])
    assert all(i["rate"] is None for i in body["items"])


def test_targets_and_gap_for_one_community_and_year(
    api, educator_a, designed_responses, community_a
):
    response = api(educator_a).post(
        "/api/targets/",
        {"community": community_a.pk, "year": 2026, "knowledge": "0.850", "behavior": "0.700"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = (
        api(educator_a)
        .get("/api/rates/", {"community": community_a.code, "year": 2026, "by": "community"})
        .json()
    )
    assert body["knowledge"]["target"] == 0.85
    assert body["knowledge"]["gap"] == -0.6
    assert body["behavior"]["gap"] == -0.2
    assert body["breakdown"][0]["knowledge"]["gap"] == -0.6


def test_bad_parameters_answer_400_naming_the_field(api, educator_a, designed_survey):
    client = api(educator_a)
    assert "by" in client.get("/api/rates/", {"by": "colour"}).json()
    assert "from" in client.get("/api/rates/", {"from": "2026-13-01"}).json()
    assert "group" in client.get("/api/rates/", {"group": "aliens"}).json()
    assert client.get("/api/rates/", {"topic": "no-such"}).status_code == 400


@pytest.mark.parametrize(
    "by",
    [
        "quarter",
        "street,group",
        "survey,round",
        "community,group,month",
        "month,quarter",
        "topic",
        "group,community,quarter,round,survey,street,month",
    ],
)
def test_every_breakdown_adds_up_to_the_total(api, admin_user, designed_responses, by):
    body = (
        api(admin_user)
        .get("/api/rates/", {"by": by, "from": "2026-01-01", "to": "2026-12-31"})
        .json()
    )
    assert body["knowledge"]["denominator"] == 4
    if "group" not in by and by != "topic":
        assert sum(e["knowledge"]["denominator"] for e in body["breakdown"]) == 4
    for entry in body["breakdown"]:
        for name in by.split(","):
            if name != "topic":
                assert name in entry


def test_round_and_date_filters(api, educator_a, designed_responses):
    client = api(educator_a)
    assert client.get("/api/rates/", {"round": "followup"}).json()["knowledge"]["denominator"] == 0
    assert client.get("/api/rates/", {"round": "baseline"}).json()["knowledge"]["denominator"] == 4
    assert client.get("/api/rates/", {"from": "2026-03-11"}).json()["knowledge"]["denominator"] == 0
    assert client.get("/api/rates/", {"to": "2026-03-10"}).json()["knowledge"]["denominator"] == 4
    topic = client.get("/api/rates/", {"topic": "diabetes"}).json()
    assert {i["topic"] for i in topic["items"]} == {"diabetes"}
    # Person-level rates for a topic: the respondents of surveys asking about it, each once.
    assert topic["knowledge"]["denominator"] == 4
    assert client.get("/api/rates/", {"topic": "aids"}).json()["knowledge"]["denominator"] == 0


def test_item_rates_agree_when_a_survey_has_more_items_than_the_masks_hold(
    api, educator_a, designed_responses, community_b
):
    from healthedu.surveys.services import survey_create
    from tests.surveys.conftest import item

    # A 63-item survey elsewhere makes the rates count item answers from the answer rows.
    survey_create(
        user=None,
        title="长问卷",
        community=community_b,
        items=[item("knowledge", "aids", [0], text=f"L{n}") for n in range(63)],
    )
    body = api(educator_a).get("/api/rates/", {"survey": designed_responses.pk}).json()
    got = {i["order"]: (i["numerator"], i["denominator"]) for i in body["items"]}
    assert got == {1: (4, 4), 2: (4, 4), 3: (4, 4), 4: (2, 4), 5: (1, 3), 6: (3, 4), 7: (2, 4)}


def test_items_past_the_masks_count_when_no_earlier_item_was_answered(
    api, educator_a, designed_responses, community_a
):
    """A response that answered only items past the masks' last one leaves no kept item count:
    its survey still comes out as too long, and its items are counted from the answer rows."""
    from healthedu.surveys.models import MASK_ITEMS
    from healthedu.surveys.services import survey_create
    from tests.surveys.conftest import DAY, item

    long_survey = survey_create(
        user=None,
        title="长问卷",
        community=community_a,
        items=[item("knowledge", "aids", [0], text=f"L{n}") for n in range(MASK_ITEMS + 2)],
    )
    late = [None] * MASK_ITEMS + [[0], [1]]  # the last two items only: right, then wrong
    response_create(
        user=None,
        survey=long_survey,
        answered_on=DAY,
        round="baseline",
        resident=make_resident(community_a, age=50, on=DAY),
        answers=answers(long_survey, *late),
    )
    month = {"community": "A01", "from": "2026-03-01", "to": "2026-03-31"}
    body = api(educator_a).get("/api/rates/", month).json()
    got = {
        i["order"]: (i["numerator"], i["denominator"])
        for i in body["items"]
        if i["survey"] == long_survey.pk
    }
    assert got[MASK_ITEMS + 1] == (1, 1) and got[MASK_ITEMS + 2] == (0, 1)
    assert got[1] == (0, 0)
    # The designed survey's items are there as before.
    assert {i["order"] for i in body["items"] if i["survey"] == designed_responses.pk} == set(
        range(1, 8)
    )


def test_community_by_code_or_id_within_reach(
    api, educator_a, admin_user, designed_responses, community_a, community_b, street
):
    """`community` names a community by its code or its id; within the caller's reach a code
    wins over another community's id; a code out of reach neither hides the caller's own
    community nor tells that it exists; a community out of reach, or none, is 404."""
    from tests.factories import CommunityFactory

    # Another community whose code is community A's id.
    other = CommunityFactory(code=str(community_a.pk), name="同号社区", street=street)
    month = {"from": "2026-03-01", "to": "2026-03-31"}

    def get(user, community, **extra):
        return api(user).get("/api/rates/", {"community": community, **month, **extra})

    by_code = get(admin_user, "A01").json()
    assert counts(by_code["knowledge"]) == (1, 4)
    assert by_code["target_year"] == 2026
    # For the administrator, who reaches both, the value names the community with that code.
    assert get(admin_user, community_a.pk).json()["knowledge"]["denominator"] == 0
    assert get(admin_user, other.pk).status_code == 200
    # For A's educator, A's id is A: the other community's code is out of reach.
    for value in ("A01", community_a.pk):
        assert counts(get(educator_a, value).json()["knowledge"]) == (1, 4)
    for value in (other.pk, community_b.code, community_b.pk):
        assert get(educator_a, value).status_code == 404
    # Full-width digits (an input method's) are the same digits; other scripts' are no id.
    full_width = "".join(chr(0xFF10 + int(d)) for d in str(community_a.pk))
    assert get(admin_user, full_width).json() == get(admin_user, community_a.pk).json()
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in str(community_a.pk))
    assert get(admin_user, arabic_indic).status_code == 404
    for missing in ("Z99", "999999", "x" * 64):
        assert get(admin_user, missing).status_code == 404
