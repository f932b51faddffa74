"""Screenings to measure at: one held in community A, one in B, a lecture and a cancelled one in A."""

import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.models import Event
from tests.factories import TZ

# A Saturday morning screening; tests freeze time a little after it.
SCREENING_DAY = dt.datetime(2026, 10, 17, 9, 0, tzinfo=TZ)


def make_event(community, *, kind="bp_screening", starts_at=SCREENING_DAY, status="held", **extra):
    return Event.objects.create(
        community=community,
        kind=kind,
        title=extra.pop("title", f"{community.name}免费测血压"),
        venue=extra.pop("venue", "社区服务站"),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        status=status,
        **extra,
    )


@pytest.fixture
def screening_a(community_a):
    return make_event(community_a)


@pytest.fixture
def screening_b(community_b):
    return make_event(community_b)


@pytest.fixture
def frozen_after_screening():
    import time_machine

    with time_machine.travel(SCREENING_DAY + dt.timedelta(hours=4), tick=False):
        assert timezone.localdate().isoformat() == "2026-10-17"
        yield
