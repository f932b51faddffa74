"""Each rule of an activity record in one function, its SQL form held to it."""

import datetime as dt

import pytest

from healthedu.activities.models import Event, EventMaterial
from healthedu.activities.rules import (
    BLANK_CHARACTERS,
    material_kind_key,
    summary_missing,
    summary_missing_q,
)
from healthedu.activities.selectors import event_flags, flagged_events, material_kinds_by_year
from healthedu.org.reach import Reach
from tests.factories import TZ

pytestmark = pytest.mark.django_db

HELD_AT = dt.datetime(2026, 10, 17, 9, 0, tzinfo=TZ)

SUMMARIES = [
    "",
    " ",
    "\u3000",  # the ideographic space a Chinese input method types
    "\u3000\u3000 \n\t",
    "\xa0\u2003",
    "讲座效果良好",
    "\u3000讲座效果良好\u3000",
    " x ",
    "\u200b",  # a zero-width space is no white space to Python, so it is a summary
]


def _held(community, summary="", at=HELD_AT) -> Event:
    return Event.objects.create(
        community=community,
        kind="lecture",
        title="讲座",
        venue=f"活动室{Event.objects.count()}",
        starts_at=at,
        ends_at=at + dt.timedelta(hours=1),
        status="held",
        summary=summary,
    )


def test_the_blank_characters_are_pythons_white_space():
    assert "\u3000" in BLANK_CHARACTERS and " " in BLANK_CHARACTERS
    assert all(c.isspace() for c in BLANK_CHARACTERS)
    assert max(map(ord, BLANK_CHARACTERS)) == 0x3000


def test_summary_missing_in_python_and_in_sql_agree(community_a):
    events = {summary: _held(community_a, summary) for summary in SUMMARIES}
    in_sql = set(Event.objects.filter(summary_missing_q()).values_list("pk", flat=True))
    for summary, event in events.items():
        assert (event.pk in in_sql) == summary_missing(summary), repr(summary)
    assert summary_missing("\u3000") and not summary_missing("\u200b")


def test_the_ledger_flags_and_the_list_agree_on_an_ideographic_space(community_a):
    event = _held(community_a, "\u3000")
    assert "no_summary" in event_flags(status="held", participant_count=1, summary=event.summary)
    assert event in flagged_events(user=Reach.everything())


def test_material_kinds_count_by_the_one_key(community_a):
    spellings = ["高血压折页", " 高血压折页\u3000", "Salt Guide", "salt guide ", "SALT GUIDE"]
    for index, kind in enumerate(spellings):
        event = _held(community_a, "好", at=HELD_AT + dt.timedelta(days=index))
        EventMaterial.objects.create(event=event, kind=kind, count=5, medium="print")
    expected = len({material_kind_key(kind) for kind in spellings})
    assert expected == 2
    counts = material_kinds_by_year(reach=Reach.everything(), year=2026)[community_a.pk]
    assert counts["print"] == expected and counts["av"] == 0
