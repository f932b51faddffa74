"""Migrations 0005–0007 on data saved by the old rule: items get types and points, every
response is re-scored by points, a resident's older duplicates of a round go (the latest stays),
and the audit log says so."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_resident

BEFORE = [("surveys", "0004_response_list_order")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Back to every app's latest migration when the test ends: the tests after it (in the same
    database) need the tables of migrations newer than 0007, e.g. the kept rate counts."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_responses_are_rescored_and_duplicates_of_a_round_removed(community_a):
    resident = make_resident(community_a, sex="F", age=50, on=dt.date(2026, 3, 1))
    old = migrate(BEFORE)
    try:
        Survey = old.get_model("surveys", "Survey")
        Item = old.get_model("surveys", "Item")
        Response = old.get_model("surveys", "Response")
        Answer = old.get_model("surveys", "Answer")
        Topic = old.get_model("program", "Topic")
        topic = Topic.objects.get(code="hypertension")
        survey = Survey.objects.create(title="旧问卷", community_id=community_a.pk)
        items = [
            Item.objects.create(
                survey=survey,
                order=n + 1,
                kind="knowledge",
                text=f"K{n}",
                topic=topic,
                options=["a", "b", "c"],
                correct=[0, 1] if n == 4 else [0],
                multiple=n == 4,
            )
            for n in range(5)
        ]
        Item.objects.create(
            survey=survey,
            order=6,
            kind="behavior",
            text="B",
            topic=topic,
            options=["正确", "错误"],
            correct=[0],
        )

        def response(day, chosen, **extra):
            # Scored by the old rule: correct / answered.
            answered = [c for c in chosen if c[1]]
            right = sum(
                1
                for item, choice in answered
                if sorted(choice) == sorted(item.correct)
                or (not item.multiple and len(choice) == 1 and choice[0] in item.correct)
            )
            r = Response.objects.create(
                survey=survey,
                community_id=community_a.pk,
                answered_on=day,
                round="baseline",
                sex="F",
                age=50,
                month=day.replace(day=1),
                knowledge_answered=len(answered),
                knowledge_correct=right,
                knowledge_score=right / len(answered),
                knowledge_aware=right >= 0.8 * len(answered),
                **extra,
            )
            for item, choice in answered:
                Answer.objects.create(response=r, item=item, choice=choice, correct=True)
            return r

        # One of five answered, right: aware by the old rule (1/1), not by points (1/6).
        one = response(dt.date(2026, 3, 2), [(items[0], [0])], resident_id=None)
        # The same resident twice in the baseline round, on two dates: the later one stays.
        first = response(
            dt.date(2026, 3, 3), [(i, i.correct) for i in items], resident_id=resident.pk
        )
        later = response(dt.date(2026, 3, 9), [(items[0], [0])], resident_id=resident.pk)
    finally:
        new = migrate([("surveys", "0007_one_response_per_round")])
    Item = new.get_model("surveys", "Item")
    Response = new.get_model("surveys", "Response")
    AuditEntry = new.get_model("audit", "AuditEntry")
    assert [
        (i.type, i.points) for i in Item.objects.filter(survey_id=survey.pk).order_by("order")
    ] == [
        ("single", 1),
        ("single", 1),
        ("single", 1),
        ("single", 1),
        ("multiple", 2),
        ("true_false", 1),
    ]
    rescored = Response.objects.get(pk=one.pk)
    assert (rescored.knowledge_points, rescored.knowledge_full) == (1, 6)
    assert rescored.knowledge_aware is False
    assert rescored.knowledge_score == pytest.approx(1 / 6)
    assert (rescored.behavior_full, rescored.behavior_formed) == (1, None)
    assert not Response.objects.filter(pk=first.pk).exists()
    kept = Response.objects.get(pk=later.pk)
    assert kept.knowledge_aware is False
    entries = AuditEntry.objects.filter(object_id__in=[str(survey.pk), str(first.pk)])
    notes = {e.model: e.note for e in entries}
    assert "re-scored 3 responses" in notes["surveys.Survey"]
    assert "knowledge verdict changed for 2" in notes["surveys.Survey"]  # one, later
    assert f"kept response {later.pk} of 2026-03-09" in notes["surveys.Response"]
