"""Properties of the rates over generated respondents, and query budgets that do not grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthedu.surveys.models import Response
from healthedu.surveys.services import response_create
from residents.groups import groups_for_age
from tests.surveys.conftest import DAY, answers

pytestmark = pytest.mark.django_db

CHOICE = st.one_of(st.none(), st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True))
RESPONDENT = st.tuples(
    st.sampled_from(["M", "F"]),
    st.integers(0, 100),
    st.booleans(),
    st.integers(0, 200),  # day offset
    # A blank questionnaire is refused, so at least one item carries an answer.
    st.lists(CHOICE, min_size=7, max_size=7).filter(lambda chosen: any(chosen)),
)


def blocks(body):
    yield body["knowledge"]
    yield body["behavior"]
    for entry in body["breakdown"]:
        yield entry["knowledge"]
        yield entry["behavior"]
    yield from body["items"]
    yield from body["topics"]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(respondents=st.lists(RESPONDENT, max_size=12))
def test_counts_are_consistent(api, educator_a, designed_survey, community_a, respondents):
    Response.objects.all().delete()
    expected_k = expected_b = 0
    per_group = {}
    for sex, age, migrant, offset, chosen in respondents:
        response = response_create(
            user=None,
            survey=designed_survey,
            answered_on=DAY + dt.timedelta(days=offset),
            round="routine",
            sex=sex,
            age=age,
            is_migrant=migrant,
            community=community_a,
            answers=answers(designed_survey, *chosen),
        )
        expected_k += response.knowledge_answered > 0
        expected_b += response.behavior_answered > 0
        for group in groups_for_age(sex=sex, age=age, is_migrant=migrant):
            per_group[group] = per_group.get(group, 0) + (response.knowledge_answered > 0)

    client = api(educator_a)
    body = client.get("/api/rates/", {"survey": designed_survey.pk, "by": "group,month"}).json()
    for block in blocks(body):
        assert 0 <= block["numerator"] <= block["denominator"]
        if block["denominator"]:
            assert block["ci_low"] <= block["rate"] <= block["ci_high"]
        else:
            assert block["rate"] is None
    # The total's denominator is the number of distinct respondents who answered.
    assert body["knowledge"]["denominator"] == expected_k
    assert body["behavior"]["denominator"] == expected_b
    for group in per_group:
        got = sum(e["knowledge"]["denominator"] for e in body["breakdown"] if e["group"] == group)
        assert got == per_group[group]
    by_month = client.get("/api/rates/", {"survey": designed_survey.pk, "by": "month"}).json()
    assert sum(e["knowledge"]["denominator"] for e in by_month["breakdown"]) == expected_k


def _add(survey, community, n, start=0):
    for i in range(start, start + n):
        response_create(
            user=None,
            survey=survey,
            answered_on=DAY + dt.timedelta(days=i * 7 % 200),
            round="routine",
            sex="MF"[i % 2],
            age=10 + i * 7 % 80,
            is_migrant=i % 3 == 0,
            community=community,
            answers=answers(survey, [0], [1], [i % 3], [0], [0, 2], [i % 2], [1]),
        )


def _count_queries(client, url, params):
    client.get(url, params)  # warm: the user's reach is cached after the first request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_rates_query_count_is_bounded_and_does_not_grow(
    api, educator_a, designed_survey, community_a
):
    client = api(educator_a)
    params = {"by": "community,group,month", "community": community_a.pk, "year": 2026}
    _add(designed_survey, community_a, 5)
    small = _count_queries(client, "/api/rates/", params)
    _add(designed_survey, community_a, 40, start=5)
    large = _count_queries(client, "/api/rates/", params)
    assert small == large
    assert large <= 10


def test_response_list_query_count_does_not_grow_with_page_size(
    api, educator_a, designed_survey, community_a
):
    client = api(educator_a)
    _add(designed_survey, community_a, 3)
    small = _count_queries(client, "/api/survey-responses/", {"page_size": 3})
    _add(designed_survey, community_a, 30, start=3)
    large = _count_queries(client, "/api/survey-responses/", {"page_size": 33})
    assert small == large
    survey_list = _count_queries(client, "/api/surveys/", {})
    assert survey_list <= 8
