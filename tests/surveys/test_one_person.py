"""One person counts once: a resident answers a survey once per round, and every person-level
total counts distinct people (their latest response) — through the API."""

import datetime as dt

import pytest

from tests.factories import make_resident, make_response
from tests.surveys.conftest import DAY, answers

pytestmark = pytest.mark.django_db

RIGHT = ([0], [1], [2], [0], [0, 2], [0], [0])  # aware and formed
WRONG = ([3], [3], [3], [3], [1], [2], [3])  # neither
FOLLOWUP = DAY + dt.timedelta(days=200)  # 2026-09-26


def post(client, survey, resident, day, round_name, chosen=RIGHT):
    return client.post(
        "/api/survey-responses/",
        {
            "survey": survey.pk,
            "resident": resident.pk,
            "answered_on": day.isoformat(),
            "round": round_name,
            "answers": answers(survey, *chosen),
        },
        format="json",
    )


def test_a_second_response_in_the_same_round_is_refused_naming_the_first_date(
    api, educator_a, designed_survey, community_a
):
    client = api(educator_a)
    resident = make_resident(community_a, sex="F", age=50, on=DAY)
    assert post(client, designed_survey, resident, DAY, "baseline").status_code == 201
    again = post(client, designed_survey, resident, DAY + dt.timedelta(days=5), "baseline")
    assert again.status_code == 400
    assert "2026-03-10" in again.json()["resident"][0]
    same_day = post(client, designed_survey, resident, DAY, "baseline", WRONG)
    assert same_day.status_code == 400
    # Another round is another questionnaire.
    followup = post(client, designed_survey, resident, FOLLOWUP, "followup")
    assert followup.status_code == 201
    # Moving the follow-up into the baseline round is the same clash.
    moved = client.patch(
        f"/api/survey-responses/{followup.json()['id']}/", {"round": "baseline"}, format="json"
    )
    assert moved.status_code == 400
    assert "2026-03-10" in moved.json()["resident"][0]
    assert client.get("/api/survey-responses/").json()["count"] == 2


def test_the_database_refuses_a_second_response_too(designed_survey, community_a):
    from django.db import IntegrityError, transaction

    from healthedu.surveys.models import Response

    resident = make_resident(community_a, sex="F", age=50, on=DAY)
    first = make_response(designed_survey, resident, RIGHT, on=DAY, round="baseline")
    first.pk = None
    first.answered_on = DAY + dt.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()
    # Anonymous responses are not people we can recognise: any number of them.
    for _ in range(2):
        make_response(
            designed_survey,
            None,
            RIGHT,
            on=DAY,
            round="baseline",
            sex="M",
            age=30,
            is_migrant=False,
            community=community_a,
        )
    assert Response.objects.filter(resident__isnull=True).count() == 2


@pytest.fixture
def two_rounds(designed_survey, community_a):
    """R1: baseline not aware (March), follow-up aware (September). R2: baseline aware only.
    Two anonymous baseline respondents, one aware."""
    s = designed_survey
    r1 = make_resident(community_a, sex="F", age=70, on=DAY)
    r2 = make_resident(community_a, sex="M", age=40, on=DAY)
    make_response(s, r1, WRONG, on=DAY, round="baseline")
    make_response(s, r1, RIGHT, on=FOLLOWUP, round="followup")
    make_response(s, r2, RIGHT, on=DAY, round="baseline")
    anonymous = {"sex": "M", "age": 30, "is_migrant": False, "community": community_a}
    for chosen in (RIGHT, WRONG):
        make_response(s, None, chosen, on=DAY, round="baseline", **anonymous)
    return s


def counts(block):
    return block["numerator"], block["denominator"]


@pytest.mark.parametrize(
    ("params", "knowledge", "rounds"),
    [
        # no round: R1 once, by the follow-up (aware); R2; two anonymous → 3 of 4
        ({}, (3, 4), ["baseline", "followup"]),
        ({"round": "baseline"}, (2, 4), ["baseline"]),
        ({"round": "followup"}, (1, 1), ["followup"]),
        # a window ending before the follow-up: R1 by the baseline
        ({"to": "2026-06-30"}, (2, 4), ["baseline"]),
        ({"from": "2026-06-01"}, (1, 1), ["followup"]),
        ({"group": "elderly"}, (1, 1), ["followup"]),
    ],
)
def test_totals_count_each_person_once_by_their_latest_response(
    api, educator_a, two_rounds, params, knowledge, rounds
):
    for survey in (two_rounds.pk, None):  # with or without a survey filter
        query = {**params, **({"survey": survey} if survey else {})}
        body = api(educator_a).get("/api/rates/", query).json()
        assert counts(body["knowledge"]) == knowledge, query
        assert body["rounds"] == rounds, query


def test_breakdowns_count_people_within_each_entry(api, educator_a, two_rounds):
    client = api(educator_a)
    body = client.get("/api/rates/", {"by": "round"}).json()
    got = [(e["round"], counts(e["knowledge"]), e["rounds"]) for e in body["breakdown"]]
    assert got == [("baseline", (2, 4), ["baseline"]), ("followup", (1, 1), ["followup"])]
    assert counts(body["knowledge"]) == (3, 4)  # the total still counts R1 once
    body = client.get("/api/rates/", {"by": "month", "to": "2026-09-30"}).json()
    months = {e["month"]: counts(e["knowledge"]) for e in body["breakdown"]}
    assert months["2026-03"] == (2, 4) and months["2026-09"] == (1, 1)
    assert counts(body["knowledge"]) == (3, 4)
    body = client.get("/api/rates/", {"by": "quarter,group"}).json()
    q1_elderly = next(
        e for e in body["breakdown"] if e["quarter"] == "2026-Q1" and e["group"] == "elderly"
    )
    assert counts(q1_elderly["knowledge"]) == (0, 1)
    body = client.get("/api/rates/", {"by": "community"}).json()
    assert counts(body["breakdown"][0]["knowledge"]) == (3, 4)


def test_a_resident_of_two_surveys_counts_once_without_a_survey_filter(
    api, educator_a, two_rounds, community_a
):
    from healthedu.surveys.services import survey_copy

    other = survey_copy(user=None, survey=two_rounds, title="第二份")
    r3 = make_resident(community_a, sex="F", age=30, on=DAY)
    for survey, day, chosen in ((two_rounds, DAY, RIGHT), (other, FOLLOWUP, WRONG)):
        make_response(survey, r3, chosen, on=day)
    body = api(educator_a).get("/api/rates/", {"round": "routine"}).json()
    assert counts(body["knowledge"]) == (0, 1)  # by the later one, to the second survey
    body = api(educator_a).get("/api/rates/", {"round": "routine", "by": "survey"}).json()
    assert [counts(e["knowledge"]) for e in body["breakdown"]] == [(1, 1), (0, 1)]
