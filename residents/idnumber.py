"""Mainland resident ID numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd = male), check digit.
The area code must be an administrative-division code (行政区划代码), current or historical: a
number keeps the code of the place where it was first issued, however that place was renamed or
merged since. The table is python-stdnum's (stdnum.cn.ric, from GB/T 2260's published lists).
15-digit numbers (first generation, withdrawn since 2013) are refused with a message asking for
the 18-digit number: they carry no check digit, so a typo cannot be caught.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)


def _division_codes() -> frozenset[str]:
    """Every six-digit code of stdnum's table (cn/loc), whatever years it was in use.

    Not stdnum.cn.ric.validate: that refuses a code created after the holder's birth year, but a
    number carries the code of the place where it was first issued (from 1985 on), so an
    80-year-old's number rightly carries a code younger than they are."""
    from stdnum import numdb

    codes = set()
    for _length, low, high, _props, counties in numdb.get("cn/loc").prefixes:
        for province in range(int(low), int(high) + 1):
            for _clength, clow, chigh, cprops, _children in counties:
                if "county" not in cprops:
                    continue
                for county in range(int(clow), int(chigh) + 1):
                    codes.add(f"{province:02d}{county:04d}")
    return frozenset(codes)


@cache
def division_codes() -> frozenset[str]:
    """The administrative-division codes an ID number may start with (built once: a set lookup
    per number, which an import of 100,000 rows can afford)."""
    return _division_codes()


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def check_digit(first17: str) -> str:
    """The 18th character: CHECK_CHARS[sum of digit x weight, mod 11].

    The weights are 2**(17 - i) mod 11 (i = 0 for the first digit), and 13 = 2 (mod 11), so the
    sum is 2 * int(first17, 13) (mod 11): one int() in C instead of seventeen products, which
    counts when an import checks 100,000 numbers. tests/residents/test_idnumber.py checks the two
    forms agree.
    """
    if len(first17) != len(WEIGHTS) or not first17.isdigit():
        raise ValueError("a check digit is computed over 17 digits")
    return CHECK_CHARS[2 * int(first17, 13) % 11]


def normalise_id_number(raw) -> str:
    # NFKC folds full-width digits and Ｘ (a Chinese input method's) to ASCII, so that one
    # number always has one form, one hash and one resident.
    return unicodedata.normalize("NFKC", str(raw or "")).strip().replace(" ", "").upper()


def parse_id_number(raw) -> IdInfo:
    return _parse(normalise_id_number(raw))


def id_number_from_cell(raw) -> IdInfo | None:
    """An ID number as a spreadsheet cell holds it, the one rule of every import: None for a
    blank cell; a ValidationError for a cell that lost digits (stored as a number, or shown in
    scientific notation) or holds no valid number."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise ValidationError(lost_digits_message())
    text = normalise_id_number(raw)
    if not text:
        return None
    if "E+" in text or "E17" in text or (text.endswith("00") and "." in text):
        raise ValidationError(lost_digits_message())
    return _parse(text)


def lost_digits_message() -> str:
    return _(
        "The ID number was stored as a number and has lost digits; format the column as text and type it again."
    )


def _parse(number: str) -> IdInfo:
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise ValidationError(
            _("15-digit ID numbers are no longer valid; please enter the 18-digit number.")
        )
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}
        )
    if not _SHAPE.match(number):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."))
    if number[:6] not in division_codes():
        raise ValidationError(
            _(
                "The first six digits of the ID number (%(code)s) are not an administrative-division code."
            )
            % {"code": number[:6]}
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the ID number (%(d)s) does not exist.") % {"d": number[6:14]}
        ) from None
    if birth.year < 1880:
        raise ValidationError(
            _("The birth date in the ID number (%(d)s) does not exist.") % {"d": number[6:14]}
        )
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(_("The ID number's check digit is wrong; please check the number."))
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex)
