"""The demo's surveys: a baseline and a better follow-up round, routine questionnaires, targets."""

import datetime as dt

import pytest

from healthedu.program.models import Target
from healthedu.surveys.demo import TITLE, seed_surveys
from healthedu.surveys.models import Response, Survey
from residents.demo import seed_residents

pytestmark = pytest.mark.django_db


def test_demo_surveys_show_improvement_and_are_deterministic(
    api, admin_user, community_a, community_c
):
    today = dt.date(2026, 11, 20)
    seed_residents([community_a, community_c], per_community=80, today=today)
    seed_surveys(communities=[community_a, community_c], today=today)
    survey = Survey.objects.get(title=TITLE)
    assert survey.community is None
    kinds = list(survey.items.values_list("kind", flat=True))
    assert kinds.count("knowledge") == 8 and kinds.count("behavior") == 4
    assert set(survey.items.values_list("type", flat=True)) == {"true_false", "single", "multiple"}
    assert Response.objects.filter(resident__isnull=True).exists()
    assert set(Response.objects.values_list("round", flat=True)) == {
        "baseline",
        "followup",
        "routine",
    }
    assert Target.objects.filter(year=2026).count() == 2
    body = api(admin_user).get("/api/rates/compare/", {"survey": survey.pk}).json()
    assert body["knowledge"]["change"] > 0
    assert body["behavior"]["change"] > 0
    # The same residents at baseline and follow-up: a paired cohort for McNemar's test.
    assert body["knowledge"]["paired"]["pairs"] >= 80
    assert (
        body["knowledge"]["paired"]["after"]["rate"] > body["knowledge"]["paired"]["before"]["rate"]
    )
    # A multi-select answered with only part of its key earns nothing.
    from healthedu.surveys.models import Answer

    partial = Answer.objects.filter(item__type="multiple", correct=False).exclude(choice=[])
    assert partial.exists()
    first = sorted(Response.objects.values_list("answered_on", "round", "knowledge_correct"))
    seed_surveys(communities=[community_a, community_c], today=today)  # a second run adds nothing
    assert (
        sorted(Response.objects.values_list("answered_on", "round", "knowledge_correct")) == first
    )
