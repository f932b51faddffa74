"""The yearly minimums by their cadence (国家基本公共卫生服务规范 第三版), through
GET /api/reports/progress/: a lecture in each month, each board every BOARD_UPDATE_MAX_DAYS (60)
days and at least two boards, a meeting in each quarter; judged so far during the year, whole
after it."""

import datetime as dt

import pytest

from tests.factories import TZ, make_event

pytestmark = pytest.mark.django_db


def progress(api, user, community, as_of, year=2026):
    response = api(user).get(
        "/api/reports/progress/",
        {"community": community.code, "year": year, "as_of": as_of},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.content
    return response.json()


def kind(body, code):
    return next(k for k in body["kinds"] if k["kind"] == code)


def lectures_on(community, days):
    for day in days:
        when = day if isinstance(day, dt.datetime) else dt.datetime(*day, 10, 0, tzinfo=TZ)
        make_event(
            community,
            title="讲座",
            starts_at=when,
            hours=1,
            topics=["hypertension"],
            status="held",
            venue="",
        )


def months(*numbers, year=2026):
    return [f"{year}-{n:02d}" for n in numbers]


# --- lectures: one in each month --------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "met", "final", "missing"),
    [
        # January's twelve lectures are all in January: January is fine on its last day…
        ("2026-01-31", True, False, []),
        # …February is open on the 27th: not failed yet, but listed so it can be put right.
        ("2026-02-27", True, False, months(2)),
        # February closed (its last day) without a lecture: not met, for good.
        ("2026-02-28", False, False, months(2)),
        ("2026-06-15", False, False, months(2, 3, 4, 5, 6)),
        # After the year: not met though 12 ≥ 12, the whole year judged.
        ("2027-03-01", False, True, months(*range(2, 13))),
    ],
)
def test_twelve_lectures_all_in_january_are_not_met(
    api, educator_a, community_a, as_of, met, final, missing
):
    lectures_on(community_a, [(2026, 1, day) for day in range(1, 13)])
    lecture = kind(progress(api, educator_a, community_a, as_of), "lecture")
    assert lecture["count"] == 12 and lecture["minimum"] == 12
    assert (lecture["met"], lecture["final"], lecture["months_missing"]) == (met, final, missing)


def test_the_reasons_name_the_months_without_a_lecture(api, educator_a, community_a):
    lectures_on(community_a, [(2026, m, 5) for m in (1, 2, 4, 5, 6, 7, 8, 9)])
    lecture = kind(progress(api, educator_a, community_a, "2026-10-20"), "lecture")
    assert lecture["months_missing"] == ["2026-03", "2026-10"]
    assert lecture["reasons"] == [
        "No health-knowledge lecture was held in 2026-03; at least one is due every month.",
        "No health-knowledge lecture has been held in 2026-10 yet; hold one by 2026-10-31.",
        "Health-knowledge lecture: 8 so far, 9 due by now for the yearly minimum of 12.",
    ]
    assert lecture["met"] is False


@pytest.mark.parametrize(
    ("held_at", "as_of", "october_has_one"),
    [
        # The month's bounds in the server's zone: 31 October 23:30 is October's…
        (dt.datetime(2026, 10, 31, 23, 30, tzinfo=TZ), "2026-10-31", True),
        # …1 November 00:00 is November's, and a lecture after the judging day is not counted.
        (dt.datetime(2026, 11, 1, 0, 0, tzinfo=TZ), "2026-11-01", False),
        (dt.datetime(2026, 10, 1, 0, 0, tzinfo=TZ), "2026-10-31", True),
        (dt.datetime(2026, 9, 30, 23, 59, tzinfo=TZ), "2026-10-31", False),
    ],
)
def test_a_lecture_counts_for_its_local_month(
    api, educator_a, community_a, held_at, as_of, october_has_one
):
    lectures_on(community_a, [(2026, m, 5) for m in range(1, 10)] + [held_at])
    lecture = kind(progress(api, educator_a, community_a, as_of), "lecture")
    assert ("2026-10" not in lecture["months_missing"]) is october_has_one


def test_a_full_year_of_lectures_is_met_and_final(api, educator_a, community_a):
    lectures_on(community_a, [(2026, m, 28) for m in range(1, 13)])
    lecture = kind(progress(api, educator_a, community_a, "2027-01-10"), "lecture")
    assert (lecture["met"], lecture["final"], lecture["reasons"]) == (True, True, [])
    assert lecture["months_missing"] == []


def test_a_year_not_begun_owes_nothing(api, educator_a, community_a):
    body = progress(api, educator_a, community_a, "2026-10-01", year=2027)
    assert body["judged_on"] is None
    assert all(k["met"] in (True, None) and not k["reasons"] for k in body["kinds"])


# --- publicity boards: each at most 60 days after its last update, two boards -----------------


def board(community, venue, *days):
    for day in days:
        make_event(
            community,
            kind="board_update",
            title="宣传栏更新",
            venue=venue,
            starts_at=dt.datetime(*day, 14, 0, tzinfo=TZ),
            hours=1,
            status="held",
        )


@pytest.fixture
def boards(community_a):
    """Board 2 updated every 45 days from December 2025 on (never late); board 1 every ≤ 52 days
    from 20 December 2025 up to 1 August 2026."""
    day = dt.date(2025, 12, 15)
    while day.year < 2027:
        board(community_a, "2号宣传栏", (day.year, day.month, day.day))
        day += dt.timedelta(days=45)
    board(
        community_a,
        "1号宣传栏",
        (2025, 12, 20),
        (2026, 2, 10),
        (2026, 4, 1),
        (2026, 5, 20),
        (2026, 7, 5),
        (2026, 8, 1),
    )


@pytest.mark.parametrize(
    ("next_update", "as_of", "met", "overdue_since"),
    [
        # "Every two months" is at most 60 days: 1 August + 60 days = 30 September, in time…
        (None, "2026-09-30", True, None),
        # …and from the 61st day on the board is overdue.
        (None, "2026-10-01", False, "2026-10-01"),
        # An update on the 60th day keeps the board in time; on the 61st it was late (for good).
        ((2026, 9, 30), "2026-10-15", True, None),
        ((2026, 10, 1), "2026-10-15", False, None),
    ],
)
def test_a_board_is_due_every_sixty_days(
    api, educator_a, community_a, boards, next_update, as_of, met, overdue_since
):
    if next_update:
        board(community_a, "1号宣传栏", next_update)
    row = kind(progress(api, educator_a, community_a, as_of), "board_update")
    first = next(b for b in row["boards"] if b["board"] == "1号宣传栏")
    assert (row["met"], first["overdue_since"]) == (met, overdue_since)
    if overdue_since:
        assert row["reasons"] == [
            "The publicity board “1号宣传栏” is overdue since 2026-10-01 (last updated 2026-08-01); "
            "update it: each board is due at least every 60 days."
        ]
    if next_update == (2026, 10, 1):
        assert row["reasons"] == [
            "The publicity board “1号宣传栏” went 61 days without an update (overdue from "
            "2026-10-01 until 2026-10-01); at most 60 are allowed."
        ]


@pytest.mark.parametrize(
    ("first_update", "met"),
    [((2026, 3, 2), True), ((2026, 3, 3), False)],  # 1 January + 60 days = 2 March
)
def test_a_new_boards_clock_starts_on_the_first_of_january(
    api, educator_a, community_a, first_update, met
):
    board(community_a, "2号宣传栏", (2026, 1, 5), (2026, 3, 1))
    board(community_a, "1号宣传栏", first_update)
    row = kind(progress(api, educator_a, community_a, "2026-03-20"), "board_update")
    assert row["met"] is met


@pytest.mark.parametrize(
    ("as_of", "met"),
    # One board only: the second is missing once 60 days of the year have passed.
    [("2026-03-02", True), ("2026-03-03", False)],
)
def test_at_least_two_boards(api, educator_a, community_a, as_of, met):
    board(community_a, "1号宣传栏", (2026, 1, 5), (2026, 2, 20))
    row = kind(progress(api, educator_a, community_a, as_of), "board_update")
    assert row["met"] is met
    assert (
        "Only 1 publicity board(s) updated in 2026 so far; at least 2 are kept." in row["reasons"]
    )


def test_a_board_is_its_venue_ignoring_spaces_and_case(api, educator_a, community_a):
    board(community_a, "1号宣传栏", (2026, 1, 5))
    board(community_a, " 1号宣传栏 ", (2026, 2, 20))
    board(community_a, "Board B", (2026, 1, 10))
    board(community_a, "board b", (2026, 2, 25))
    row = kind(progress(api, educator_a, community_a, "2026-03-01"), "board_update")
    assert [(b["board"], b["updates_this_year"]) for b in row["boards"]] == [
        ("1号宣传栏", 2),
        ("Board B", 2),
    ]


# --- leading-group meetings: one in each quarter ----------------------------------------------


def meetings(community, *days):
    for day in days:
        make_event(
            community,
            kind="meeting",
            title="领导小组会议",
            starts_at=dt.datetime(*day, 15, 0, tzinfo=TZ),
            hours=1,
            status="held",
            venue="",
        )


@pytest.mark.parametrize(
    ("days", "as_of", "met", "missing"),
    [
        ([(2026, 2, 1), (2026, 5, 1), (2026, 8, 1), (2026, 11, 1)], "2027-01-05", True, []),
        # Four meetings, two in the first quarter: the second quarter had none.
        (
            [(2026, 1, 1), (2026, 3, 31), (2026, 7, 1), (2026, 10, 1)],
            "2027-01-05",
            False,
            ["2026-Q2"],
        ),
        # The second quarter is open on 29 June, closed on its last day.
        ([(2026, 1, 10)], "2026-06-29", True, []),
        ([(2026, 1, 10)], "2026-06-30", False, ["2026-Q2"]),
        # A meeting on the quarter's last evening is the quarter's.
        ([(2026, 3, 31), (2026, 6, 30)], "2026-07-01", True, []),
    ],
)
def test_a_meeting_in_each_quarter(api, educator_a, community_a, days, as_of, met, missing):
    meetings(community_a, *days)
    row = kind(progress(api, educator_a, community_a, as_of), "meeting")
    assert (row["met"], row["periods_missing"]) == (met, missing)
    if "2026-Q2" in missing:
        assert (
            "No leading-group meeting was held in 2026-Q2 (2026-04-01 to 2026-06-30); "
            "one is due in each."
        ) in row["reasons"]


# --- counts only: consultations ≥ 9 a year -----------------------------------------------------


@pytest.mark.parametrize(
    ("held", "as_of", "met"),
    [
        (9, "2027-01-01", True),
        (8, "2027-01-01", False),
        # During the year the minimum pro rata: 9 × 6 / 12 = 4 by 30 June.
        (4, "2026-06-30", True),
        (3, "2026-06-30", False),
    ],
)
def test_consultations_by_count(api, educator_a, community_a, held, as_of, met):
    for n in range(held):
        make_event(
            community_a,
            kind="consultation",
            title="咨询",
            starts_at=dt.datetime(2026, 1, 10 + n, 9, 0, tzinfo=TZ),
            status="held",
            venue="",
        )
    row = kind(progress(api, educator_a, community_a, as_of), "consultation")
    assert row["met"] is met
    assert bool(row["reasons"]) is not met


# --- parameters at their limits ---------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31", "1999-12-31", "0001-01-01"])
def test_an_as_of_outside_the_years_is_a_400_naming_it(api, educator_a, community_a, as_of):
    response = api(educator_a).get(
        "/api/reports/progress/", {"community": community_a.code, "as_of": as_of}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]  # the field named, with the reason
    assert response.json()["as_of"] == ["日期须在 2000-01-01 至 2100-12-31 之间。"]


@pytest.mark.parametrize("as_of", ["2100-12-31", "2000-01-01"])
def test_an_as_of_at_the_limits_is_answered(api, educator_a, community_a, as_of):
    response = api(educator_a).get(
        "/api/reports/progress/", {"community": community_a.code, "as_of": as_of}
    )
    assert response.status_code == 200, response.content
