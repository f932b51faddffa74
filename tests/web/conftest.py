"""The page tests run at one moment (helpers.NOW): pages that show "today" (the home page, the
calendar, progress, reminders) then render the same on any day. The browser tests run against a
live server with real time and are left alone."""

import pytest
import time_machine

from tests.web.helpers import NOW


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    if "browser" in request.node.path.parts:
        yield
        return
    # The clock moves on from NOW (tick): timeouts and ordering by time still work.
    with time_machine.travel(NOW, tick=True):
        yield
