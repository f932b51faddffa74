"""GET /api/reports/progress/: counts against the yearly minimums and warnings at month boundaries."""

import datetime as dt

import pytest
import time_machine

from tests.factories import TZ, make_event
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


def progress(api, user, community, **params):
    response = api(user).get("/api/reports/progress/", {"community": community.code, **params})
    assert response.status_code == 200, response.content
    return response.json()


def codes(body):
    return sorted(w["code"] for w in body["warnings"])


def behind(body):
    return sorted(w["kind"] for w in body["warnings"] if w["code"] == "behind_schedule")


def others(body):
    return sorted(w["code"] for w in body["warnings"] if w["code"] != "behind_schedule")


@pytest.fixture
def year_so_far(community_a):
    """Nine monthly lectures Jan–Sep 2026, two boards, print materials of 10 kinds."""
    for month in range(1, 10):
        make_event(
            community_a,
            title=f"{month}月讲座",
            starts_at=at(month, 10),
            topics=["hypertension"],
            summary="x",
            status="held",
            venue="",
        )
    make_event(
        community_a,
        kind="board_update",
        title="栏1",
        venue="1号宣传栏",
        starts_at=at(9, 1),
        summary="x",
        status="held",
    )
    make_event(
        community_a,
        kind="board_update",
        title="栏2",
        venue="2号宣传栏",
        starts_at=at(8, 1),
        summary="x",
        status="held",
    )
    make_event(
        community_a,
        kind="print_material",
        title="发放",
        starts_at=at(6, 1),
        materials=[(f"折页{n}", 10, "print") for n in range(10)] + [(" 折页1 ", 5, "print")],
        summary="x",
        status="held",
        venue="",
    )


def test_counts_minimums_and_met(api, educator_a, community_a, year_so_far):
    body = progress(api, educator_a, community_a, year=2026, as_of="2026-10-01")
    kinds = {k["kind"]: k for k in body["kinds"]}
    # A lecture in each of January–September; October has just begun: nothing missed so far,
    # but not final, and October's lecture is still to do.
    lecture = kinds["lecture"]
    assert (lecture["count"], lecture["minimum"], lecture["met"], lecture["final"]) == (
        9,
        12,
        True,
        False,
    )
    assert lecture["months_missing"] == ["2026-10"]
    assert kinds["lecture"]["expected_by_now"] == 9  # nine months behind 1 October
    assert kinds["lecture"]["on_schedule"] is True
    assert (kinds["print_material"]["count"], kinds["print_material"]["unit"]) == (10, "kinds")
    assert kinds["fitness"]["minimum"] is None and kinds["fitness"]["met"] is None


NOTHING_YET = ["av_showing", "board_update", "consultation", "meeting"]


@pytest.mark.parametrize(
    ("now", "expected", "behind_kinds"),
    [
        # 19 October: a lecture is not yet overdue; board 2 (1 Aug) is 79 days old, board 1 (1 Sep)
        # 48. Nine months behind: 9 lectures and 10 print kinds are on schedule.
        (dt.datetime(2026, 10, 19, 23, 59, tzinfo=TZ), ["board_stale"], NOTHING_YET),
        # From the 20th on, October without a lecture is warned about.
        (dt.datetime(2026, 10, 20, 0, 0, tzinfo=TZ), ["board_stale", "no_lecture"], NOTHING_YET),
        # 31 October, the month's last day: ten months behind, 9 lectures < 10 due; print 10 ≥ 10;
        # board 1 is now 60 days old.
        (
            dt.datetime(2026, 10, 31, 12, 0, tzinfo=TZ),
            ["board_stale", "board_stale", "no_lecture"],
            sorted([*NOTHING_YET, "lecture"]),
        ),
    ],
    ids=["19th", "20th", "month-end"],
)
def test_warnings_at_month_boundaries(
    api, educator_a, community_a, year_so_far, now, expected, behind_kinds
):
    with time_machine.travel(now, tick=False):
        body = progress(api, educator_a, community_a)  # as of today, this year
    assert body["as_of"] == now.date().isoformat()
    assert others(body) == expected
    assert behind(body) == behind_kinds


def test_board_warning_starts_at_fifty_days(api, educator_a, community_a):
    make_event(
        community_a,
        kind="board_update",
        title="栏1",
        venue="1号宣传栏",
        starts_at=at(8, 1),
        summary="x",
        status="held",
    )
    make_event(
        community_a,
        kind="board_update",
        title="栏2",
        venue="2号宣传栏",
        starts_at=at(9, 30),
        summary="x",
        status="held",
    )
    day49 = progress(api, educator_a, community_a, year=2026, as_of="2026-09-19")
    day50 = progress(api, educator_a, community_a, year=2026, as_of="2026-09-20")
    assert "board_stale" not in codes(day49)
    stale = [w for w in day50["warnings"] if w["code"] == "board_stale"]
    assert [(w["board"], w["days"]) for w in stale] == [("1号宣传栏", 50)]


def test_a_held_lecture_silences_the_lecture_warning(api, educator_a, community_a):
    make_event(
        community_a,
        title="十月讲座",
        starts_at=at(10, 19, 20),
        topics=["hypertension"],
        summary="x",
        status="held",
        venue="",
    )
    body = progress(api, educator_a, community_a, year=2026, as_of="2026-10-20")
    assert "no_lecture" not in codes(body)
    before = progress(api, educator_a, community_a, year=2026, as_of="2026-10-19")
    assert "no_lecture" not in codes(before)


def test_too_few_boards(api, educator_a, community_a):
    make_event(
        community_a,
        kind="board_update",
        title="栏1",
        venue="1号宣传栏",
        starts_at=at(10, 1),
        summary="x",
        status="held",
    )
    body = progress(api, educator_a, community_a, year=2026, as_of="2026-10-05")
    assert others(body) == ["too_few_boards"]


def test_a_past_year_has_no_warnings_and_is_judged_on_its_last_day(
    api, educator_a, community_a, year_so_far
):
    body = progress(api, educator_a, community_a, year=2026, as_of="2027-01-15")
    assert body["warnings"] == []
    lecture = next(k for k in body["kinds"] if k["kind"] == "lecture")
    assert (lecture["expected_by_now"], lecture["on_schedule"]) == (12, False)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"community": "NOPE"},
        {"community": "A01", "year": "abc"},
        {"community": "A01", "as_of": "2026-13-01"},
    ],
)
def test_bad_parameters_answer_400(api, educator_a, community_a, params):
    response = api(educator_a).get("/api/reports/progress/", params)
    assert response.status_code == 400


def test_english_messages_on_request(api, educator_a, community_a):
    response = api(educator_a).get(
        "/api/reports/progress/",
        {"community": "A01", "as_of": "2026-10-20", "year": 2026},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    messages = [w["message"] for w in response.json()["warnings"]]
    assert any("No health-knowledge lecture" in m for m in messages)
