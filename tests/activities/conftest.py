"""Helpers for activity tests: a fixed clock (Wednesday 13 May 2026, 09:00) and its day."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from tests.factories import TZ

NOW = dt.datetime(2026, 5, 13, 9, 0, tzinfo=TZ)
TODAY = NOW.date()


def at(day: int, hour: int, minute: int = 0, month: int = 5, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Wednesday 13 May 2026, 09:00 in Shanghai; the cache (rate limits) starts empty."""
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
