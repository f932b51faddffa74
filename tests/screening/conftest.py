"""Screenings to measure at: one held in community A, one in B, a lecture and a cancelled one in A."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import TZ, make_event

# A Saturday morning screening; tests freeze time a little after it.
SCREENING_DAY = dt.datetime(2026, 10, 17, 9, 0, tzinfo=TZ)
# What make_event is told for a held three-hour screening at the service station.
SCREENING = {"kind": "bp_screening", "status": "held", "venue": "社区服务站", "hours": 3}


def at(day: str):
    """The clock at 10:00 on the day ("2026-10-31"), for a `with` block."""
    import time_machine

    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


@pytest.fixture
def screening_a(community_a):
    return make_event(community_a, starts_at=SCREENING_DAY, **SCREENING)


@pytest.fixture
def screening_b(community_b):
    return make_event(community_b, starts_at=SCREENING_DAY, **SCREENING)


@pytest.fixture
def frozen_after_screening():
    import time_machine

    with time_machine.travel(SCREENING_DAY + dt.timedelta(hours=4), tick=False):
        assert timezone.localdate().isoformat() == "2026-10-17"
        yield
