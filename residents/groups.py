"""Key populations (重点人群), worked out as of a date. The one home of the rule.

A resident belongs to zero or more of elderly, women, youth and migrant; in none, to general.
Bounds come from settings.HEALTHEDU. `groups_as_of` is the rule; `group_q` is the same rule as a
database filter over birth dates, for lists and counts.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


def _born_by(on: dt.date, years: int) -> dt.date:
    """The latest birth date of someone at least `years` old on `on`."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a common year: they turn `years` on 1 March
        return dt.date(on.year - years, 2, 28)


def _born_after(on: dt.date, years: int) -> dt.date:
    """Birth dates strictly after this are younger than `years + 1`, i.e. at most `years` old."""
    return _born_by(on, years + 1)


def group_q(group: str, on: dt.date, prefix: str = "") -> Q:
    """The same rule as groups_as_of, as a filter on a model with sex, birth_date and is_migrant."""
    elderly_min, women_min, youth_min, youth_max = _bounds()
    f = prefix
    if group == ELDERLY:
        return Q(**{f"{f}birth_date__lte": _born_by(on, elderly_min)})
    if group == WOMEN:
        return Q(**{f"{f}sex": "F", f"{f}birth_date__lte": _born_by(on, women_min)})
    if group == YOUTH:
        return Q(
            **{
                f"{f}birth_date__lte": _born_by(on, youth_min),
                f"{f}birth_date__gt": _born_after(on, youth_max),
            }
        )
    if group == MIGRANT:
        return Q(**{f"{f}is_migrant": True})
    if group == GENERAL:
        q = Q()
        for g in KEY_GROUPS:
            q &= ~group_q(g, on, prefix)
        return q
    raise ValueError(f"unknown group {group!r}")
