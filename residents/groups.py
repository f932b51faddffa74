"""Key populations (重点人群), worked out as of a date. The one home of the rule.

A resident belongs to zero or more of elderly, women, youth and migrant; in none, to general.
Bounds come from settings.HEALTHEDU. `groups_as_of` is the rule; `group_q` is the same rule as a
database filter over birth dates, for lists and counts.

What is shown of one person (an age, their groups, on a page, a roster, a list) is worked out from
the birth year and month alone (`shown_age_on`, `shown_groups_as_of`, `group_q(by_month=True)`):
as if born on the 1st, so a person shows the age they reach in a month from its first day. Shown
to the day, ages taken on many dates would give away the day of birth, and with it most of an ID
number (residents.masking). Counts and rates keep the exact rule.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from healthedu.months import month_end

ELDERLY, WOMEN, YOUTH, MIGRANT, GENERAL = "elderly", "women", "youth", "migrant", "general"
KEY_GROUPS = (ELDERLY, WOMEN, YOUTH, MIGRANT)
ALL_GROUPS = (*KEY_GROUPS, GENERAL)
GROUP_LABELS = {
    ELDERLY: _("Elderly"),
    WOMEN: _("Women"),
    YOUTH: _("Youth"),
    MIGRANT: _("Migrants"),
    GENERAL: _("General population"),
}


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years. Someone born on 29 February turns a year older on 1 March in common years."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def shown_birth(birth_date: dt.date) -> dt.date:
    """The birth date as far as anything shown of one person may depend on it: its month."""
    return birth_date.replace(day=1)


def shown_age_on(birth_date: dt.date | None, on: dt.date) -> int | None:
    """The age shown of one person on a date: the age they reach in that month."""
    return None if birth_date is None else age_on(shown_birth(birth_date), on)


def _bounds():
    conf = settings.HEALTHEDU
    return (
        conf["ELDERLY_MIN_AGE"],
        conf["WOMEN_MIN_AGE"],
        conf["YOUTH_MIN_AGE"],
        conf["YOUTH_MAX_AGE"],
    )


def groups_for_age(*, sex: str | None, age: int | None, is_migrant: bool) -> list[str]:
    elderly_min, women_min, youth_min, youth_max = _bounds()
    groups = []
    if age is not None:
        if age >= elderly_min:
            groups.append(ELDERLY)
        if sex == "F" and age >= women_min:
            groups.append(WOMEN)
        if youth_min <= age <= youth_max:
            groups.append(YOUTH)
    if is_migrant:
        groups.append(MIGRANT)
    return groups or [GENERAL]


def groups_as_of(
    *, sex: str | None, birth_date: dt.date | None, is_migrant: bool, on: dt.date
) -> list[str]:
    age = age_on(birth_date, on) if birth_date else None
    return groups_for_age(sex=sex, age=age, is_migrant=is_migrant)


def shown_groups_as_of(
    *, sex: str | None, birth_date: dt.date | None, is_migrant: bool, on: dt.date
) -> list[str]:
    """The groups shown of one person: groups_as_of, from the birth month (shown_birth)."""
    return groups_for_age(sex=sex, age=shown_age_on(birth_date, on), is_migrant=is_migrant)


def _born_by(on: dt.date, years: int) -> dt.date:
    """The latest birth date of someone at least `years` old on `on`."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a common year: they turn `years` on 1 March
        return dt.date(on.year - years, 2, 28)


def _born_after(on: dt.date, years: int) -> dt.date:
    """Birth dates strictly after this are younger than `years + 1`, i.e. at most `years` old."""
    return _born_by(on, years + 1)


def group_q(group: str, on: dt.date, prefix: str = "", *, by_month: bool = False) -> Q:
    """The same rule as groups_as_of, as a filter on a model with sex, birth_date and is_migrant;
    with `by_month`, the rule of shown_groups_as_of (what a list of people may be filtered by)."""
    elderly_min, women_min, youth_min, youth_max = _bounds()
    f = prefix

    def bound(day: dt.date) -> dt.date:
        # born on the 1st of b's month <= day  <=>  b <= the end of day's month (and so for >)
        return month_end(day) if by_month else day

    if group == ELDERLY:
        return Q(**{f"{f}birth_date__lte": bound(_born_by(on, elderly_min))})
    if group == WOMEN:
        return Q(**{f"{f}sex": "F", f"{f}birth_date__lte": bound(_born_by(on, women_min))})
    if group == YOUTH:
        return Q(
            **{
                f"{f}birth_date__lte": bound(_born_by(on, youth_min)),
                f"{f}birth_date__gt": bound(_born_after(on, youth_max)),
            }
        )
    if group == MIGRANT:
        return Q(**{f"{f}is_migrant": True})
    if group == GENERAL:
        q = Q()
        for g in KEY_GROUPS:
            q &= ~group_q(g, on, prefix, by_month=by_month)
        return q
    raise ValueError(f"unknown group {group!r}")
