"""Helpers for activity tests: a fixed clock and an event maker going through the service."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from healthedu.activities.services import event_create
from tests.factories import TZ

NOW = dt.datetime(2026, 5, 13, 9, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 5, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Wednesday 13 May 2026, 09:00 in Shanghai; the cache (rate limits) starts empty."""
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def make_event(db):
    def make(community, *, user=None, **fields):
        data = {
            "community": community,
            "kind": "lecture",
            "title": "高血压防治讲座",
            "venue": "二楼活动室",
            "starts_at": at(13, 9, 30),
            "ends_at": at(13, 11),
        }
        data.update(fields)
        return event_create(user=user, data=data)

    return make
