"""Every selector applies reach itself and fails closed: called for a user who reaches nothing
(or with no reach at all), it finds nothing, though the database holds data of every kind.

The selectors are found by introspection, so a selector added later is checked too (or must be
named below as one that reads no table of its own)."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
import time_machine
from django.db import connection
from django.db.models import QuerySet

from healthedu.activities.models import Event, EventMaterial
from healthedu.org.reach import Reach
from healthedu.screening.services import reading_create
from healthedu.sqlbatch import Read, read_together
from tests.factories import TZ, UserFactory, make_resident

pytestmark = pytest.mark.django_db

HELD_AT = dt.datetime(2026, 10, 17, 9, 0, tzinfo=TZ)

# Functions of a selectors module that read no table by reach: each takes rows or a queryset the
# caller has already cut to reach, or is a pure rule.
NOT_SCOPED = {
    "healthedu.activities.selectors.event_flags": "pure: a record's flags",
    "healthedu.activities.selectors.attach_event_rows": "decorates events the caller read",
    "healthedu.screening.selectors.visits_in_month": "filters the caller's queryset",
    "healthedu.screening.selectors.visit_summary": "presents one visit the caller read",
    "healthedu.screening.selectors.visit_preview": "previews one visit the caller read",
    "healthedu.surveys.selectors.attach_answers": "decorates responses the caller read",
    "residents.selectors.resident_search": "filters the caller's queryset",
    "residents.selectors.residents_listed": "orders the caller's queryset",
    "healthedu.sync.selectors.desk_refusal": "judges the state of an activity the caller read",
}

ARGUMENTS = {
    "value": "A01",  # a community's code (community_a's)
    "year": 2026,
    "month": dt.date(2026, 10, 1),
    "today": dt.date(2026, 10, 17),  # the day before the planned activity (reminders)
}


def selectors() -> list:
    found = []
    for package in ("healthedu", "residents", "reports"):
        path = importlib.import_module(package).__path__
        for module_info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if not module_info.name.endswith(".selectors"):
                continue
            module = importlib.import_module(module_info.name)
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if function.__module__ == module.__name__ and not name.startswith("_"):
                    found.append((f"{module.__name__}.{name}", function))
    return sorted(found, key=lambda pair: pair[0])


def _empty(value) -> bool:
    if isinstance(value, Read):  # a statement to share a round trip: what it answers
        with connection.cursor() as cursor:
            (value,) = read_together(cursor, value)
    if isinstance(value, QuerySet):
        return not value.exists()
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list | tuple | set):
        return len(value) == 0
    return value in (0, None)


@pytest.fixture
def everything_held(community_a, educator_a):
    """One of each: a held activity with material, a planned one, a reading with a referral."""
    held = Event.objects.create(
        community=community_a,
        kind="bp_screening",
        title="免费测血压",
        venue="服务站",
        starts_at=HELD_AT,
        ends_at=HELD_AT + dt.timedelta(hours=2),
        status="held",
    )
    EventMaterial.objects.create(event=held, kind="高血压折页", count=10, medium="print")
    Event.objects.create(
        community=community_a,
        kind="lecture",
        title="讲座",
        venue="活动室",
        starts_at=HELD_AT + dt.timedelta(days=1),
        ends_at=HELD_AT + dt.timedelta(days=1, hours=1),
        status="planned",
    )
    resident = make_resident(community_a, age=66, on=HELD_AT.date())
    reading_create(
        user=educator_a,
        data={
            "resident": resident,
            "event": held,
            "systolic": 182,
            "diastolic": 112,
            "measured_at": HELD_AT + dt.timedelta(minutes=5),
        },
    )
    return held


def test_every_selector_is_scoped_or_named():
    names = {name for name, _ in selectors()}
    assert set(NOT_SCOPED) <= names, set(NOT_SCOPED) - names
    for name, function in selectors():
        parameters = inspect.signature(function).parameters
        assert name in NOT_SCOPED or {"reach", "user"} & set(parameters), (
            f"{name} takes neither `reach` nor `user`: apply reach in it, or name it in NOT_SCOPED"
        )


@time_machine.travel(HELD_AT + dt.timedelta(hours=4), tick=False)
def test_a_user_who_reaches_nothing_gets_nothing_from_any_selector(everything_held, community_a):
    nobody = UserFactory(username="no-community")
    checked = []
    for name, function in selectors():
        if name in NOT_SCOPED:
            continue
        parameters = inspect.signature(function).parameters
        given = {k: v for k, v in ARGUMENTS.items() if k in parameters}
        if "event" in parameters:
            given["event"] = everything_held
        key = "reach" if "reach" in parameters else "user"
        # The same call with every community finds something: the data is there to be missed.
        assert not _empty(function(**given, **{key: Reach.everything()})), name
        assert _empty(function(**given, **{key: nobody})), name
        assert _empty(function(**given, **{key: Reach.of(nobody)})), name
        if key == "reach" and parameters["reach"].default is not inspect.Parameter.empty:
            assert _empty(function(**given)), f"{name} reads something when given no reach"
        checked.append(name)
    assert len(checked) >= 8, checked
