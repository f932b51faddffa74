import datetime as dt

import pytest

from residents.groups import age_on, group_q, groups_as_of
from residents.models import Resident
from tests.factories import make_resident

ON = dt.date(2026, 6, 15)


def born(age: int, on=ON, days_after_birthday=0):
    try:
        birthday = on.replace(year=on.year - age)
    except ValueError:  # 29 February
        birthday = dt.date(on.year - age, 3, 1)
    return birthday - dt.timedelta(days=days_after_birthday)


@pytest.mark.parametrize(
    ("age", "sex", "expected"),
    [
        (9, "M", ["general"]),
        (10, "M", ["youth"]),
        (17, "F", ["youth"]),
        (18, "F", ["women", "youth"]),
        (24, "M", ["youth"]),
        (25, "M", ["general"]),
        (25, "F", ["women"]),
        (59, "M", ["general"]),
        (60, "M", ["elderly"]),
        (60, "F", ["elderly", "women"]),
    ],
)
def test_group_boundaries_by_age_and_sex(age, sex, expected):
    assert groups_as_of(sex=sex, birth_date=born(age), is_migrant=False, on=ON) == expected


def test_birthday_on_the_as_of_date_counts_the_new_age():
    assert age_on(dt.date(1966, 6, 15), ON) == 60
    assert age_on(dt.date(1966, 6, 16), ON) == 59
    assert "elderly" in groups_as_of(
        sex="M", birth_date=dt.date(1966, 6, 15), is_migrant=False, on=ON
    )


def test_born_on_29_february_turns_older_on_1_march_in_common_years():
    birth = dt.date(2008, 2, 29)
    assert age_on(birth, dt.date(2026, 2, 28)) == 17
    assert age_on(birth, dt.date(2026, 3, 1)) == 18
    assert groups_as_of(sex="F", birth_date=birth, is_migrant=False, on=dt.date(2026, 2, 28)) == [
        "youth"
    ]
    assert groups_as_of(sex="F", birth_date=birth, is_migrant=False, on=dt.date(2026, 3, 1)) == [
        "women",
        "youth",
    ]


def test_migrant_is_a_flag_not_derived():
    assert groups_as_of(sex="M", birth_date=born(40), is_migrant=True, on=ON) == ["migrant"]
    assert groups_as_of(sex="F", birth_date=born(70), is_migrant=True, on=ON) == [
        "elderly",
        "women",
        "migrant",
    ]


def test_groups_are_as_of_a_date_not_today():
    birth = dt.date(1966, 7, 1)
    assert "elderly" not in groups_as_of(sex="M", birth_date=birth, is_migrant=False, on=ON)
    assert "elderly" in groups_as_of(
        sex="M", birth_date=birth, is_migrant=False, on=dt.date(2026, 7, 1)
    )


def test_setting_moves_the_elderly_bound(settings):
    settings.HEALTHEDU = {**settings.HEALTHEDU, "ELDERLY_MIN_AGE": 65}
    assert groups_as_of(sex="M", birth_date=born(64), is_migrant=False, on=ON) == ["general"]
    assert groups_as_of(sex="M", birth_date=born(65), is_migrant=False, on=ON) == ["elderly"]


@pytest.mark.parametrize(
    "on", [ON, dt.date(2028, 2, 29), dt.date(2027, 2, 28), dt.date(2027, 3, 1)]
)
def test_database_filter_agrees_with_the_rule(community_a, on):
    births = [born(a, on, d) for a in (9, 10, 17, 18, 24, 25, 59, 60, 61) for d in (-1, 0, 1)]
    births.append(dt.date(2008, 2, 29))
    births.append(dt.date(1964, 2, 29))
    for i, birth in enumerate(births):
        make_resident(community_a, sex="MF"[i % 2], birth_date=birth, is_migrant=i % 7 == 0)
    residents = list(Resident.objects.all())
    for group in ("elderly", "women", "youth", "migrant", "general"):
        in_db = set(Resident.objects.filter(group_q(group, on)).values_list("pk", flat=True))
        by_rule = {
            r.pk
            for r in residents
            if group
            in groups_as_of(sex=r.sex, birth_date=r.birth_date, is_migrant=r.is_migrant, on=on)
        }
        assert in_db == by_rule, group
        # The shown groups (from the birth month) and the list filter by month agree too.
        by_month = Resident.objects.filter(group_q(group, on, by_month=True))
        shown = {r.pk for r in residents if group in r.groups_on(on)}
        assert set(by_month.values_list("pk", flat=True)) == shown, group


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(1950, 3, 20), dt.date(2010, 2, 28), 59),  # the month before
        (dt.date(1950, 3, 20), dt.date(2010, 3, 1), 60),  # the birth month, from its first day
        (dt.date(1950, 3, 20), dt.date(2010, 3, 19), 60),  # the exact rule still says 59
        (dt.date(1950, 3, 20), dt.date(2010, 3, 31), 60),
        (dt.date(1950, 3, 1), dt.date(2010, 3, 1), 60),
        (dt.date(1952, 2, 29), dt.date(2011, 2, 1), 59),
        (dt.date(1952, 2, 29), dt.date(2011, 1, 31), 58),
    ],
)
def test_the_age_shown_of_a_person_is_the_age_reached_in_the_month(birth, on, age):
    from residents.groups import shown_age_on, shown_groups_as_of

    assert shown_age_on(birth, on) == age
    # Nothing shown of a person depends on the day of birth: every day of the month says the same.
    for day in range(1, 29):
        other = birth.replace(day=day)
        assert shown_age_on(other, on) == age
        assert shown_groups_as_of(
            sex="F", birth_date=other, is_migrant=False, on=on
        ) == shown_groups_as_of(sex="F", birth_date=birth, is_migrant=False, on=on)
