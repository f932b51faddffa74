"""What of a resident's birth date a user is shown: administrators the date, everyone else its
year and month (the day, with the area code and the sex, would narrow an ID number down to a few
hundred numbers: residents.masking)."""

import datetime as dt


def sees_birth_day(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def birth_date_shown(birth_date: dt.date | None, user) -> str:
    """'1950-03-02' for an administrator, '1950-03' for anyone else; '' when unknown."""
    if birth_date is None:
        return ""
    return birth_date.isoformat() if sees_birth_day(user) else f"{birth_date:%Y-%m}"
