"""Reading cells as educators type them (healthedu.tabular), shared by every import."""

import datetime as dt

import pytest
from django.utils import translation

from healthedu.tabular import cell_text, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(1950, 3, 2), dt.date(1950, 3, 2)),
        (dt.datetime(1950, 3, 2, 0, 0), dt.date(1950, 3, 2)),
        ("1950-03-02", dt.date(1950, 3, 2)),
        ("1950/3/2", dt.date(1950, 3, 2)),
        ("1950.3.2", dt.date(1950, 3, 2)),
        (" 1950/3/2 ", dt.date(1950, 3, 2)),
        ("1950-03-02 00:00:00", dt.date(1950, 3, 2)),
        ("1950-03-02 00:00", dt.date(1950, 3, 2)),
        ("19500302", dt.date(1950, 3, 2)),
        (19500302, dt.date(1950, 3, 2)),
        (19500302.0, dt.date(1950, 3, 2)),
        ("1950年03月02日", dt.date(1950, 3, 2)),
        ("1950年3月2", dt.date(1950, 3, 2)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_dates_as_people_type_them(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1950/2/30", "does not exist"),
        ("19500230", "does not exist"),
        ("1950年2月30日", "does not exist"),
        ("abc", "is not a date"),
        ("1950/3", "is not a date"),
        ("195003021", "is not a date"),
        ("1950-03-02T00:00", "is not a date"),
        ("1950-03-02 12:00", "is not a date"),
        ("19500302.5", "is not a date"),
        ("1950/3/2日", "is not a date"),
    ],
)
def test_what_is_not_a_date_is_refused_with_a_reason(value, reason):
    with translation.override("en"), pytest.raises(ValueError, match=reason):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (" 王强 ", "王强"), (17.0, "17"), (17.5, "17.5"), (3, "3"), (True, "True")],
)
def test_cell_text(value, text):
    assert cell_text(value) == text
