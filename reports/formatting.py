"""How a figure reads, wherever it is shown: the pages, the PDFs and the workbooks call these, so
that the same figure reads the same in all three (issue 14).

Rates are percentages with one decimal; a rate over no answers is "no data", never 0 %. A
difference of two rates is in percentage points (百分点), with its sign. A p value is
"p = 0.034", and one below 0.001 is "p < 0.001", never "p = 0.000". People are named as people:
a Chinese name is written without a space (李秀英).
"""

import re

from django.conf import settings
from django.utils.translation import pgettext

DASH = "—"


def no_data() -> str:
    return pgettext("format", "no data")


def rate(value, digits: int = 1) -> str:
    """0.8512 → "85.1%"; None (no denominator) → "no data"."""
    if value is None or value == "":
        return no_data()
    return f"{float(value) * 100:.{int(digits)}f}%"


def interval(low, high, digits: int = 1) -> str:
    """A confidence interval of a rate: "64.0%–95.0%"."""
    if low is None or high is None:
        return DASH
    return f"{float(low) * 100:.{digits}f}%–{float(high) * 100:.{digits}f}%"


def points(value, digits: int = 1) -> str:
    """A difference of two rates (fractions) in percentage points: 0.052 → "+5.2 百分点"."""
    if value is None or value == "":
        return DASH
    return pgettext("format", "%(value)s pp") % {"value": f"{float(value) * 100:+.{digits}f}"}


def p_value(value) -> str:
    """ "p < 0.001" or "p = 0.034"; never "p = 0" (a p value is never zero)."""
    if value is None or value == "":
        return DASH
    value = float(value)
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def p_number(value) -> str:
    """The same without the "p": for a column headed p."""
    if value is None or value == "":
        return DASH
    value = float(value)
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def count(value) -> str:
    """A count of people or things, grouped by thousands: 4,012."""
    if value is None or value == "":
        return DASH
    return f"{int(value):,}"


def fraction(numerator, denominator) -> str:
    """ "17/20" (who said yes of who answered)."""
    return f"{count(numerator)}/{count(denominator)}"


def month_text(month) -> str:
    """A month as written: 2026年11月."""
    return pgettext("format", "%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def small_sample_n() -> int:
    return int(settings.HEALTHEDU["SMALL_SAMPLE_N"])


def is_small_sample(denominator) -> bool:
    """A rate over fewer answers than settings.HEALTHEDU["SMALL_SAMPLE_N"] (but some): printed
    with a caveat. No answers at all is "no data", not a small sample."""
    return denominator is not None and 0 < int(denominator) < small_sample_n()


def small_sample_caveat() -> str:
    return pgettext("format", "small sample, for reference only")


def small_sample_note() -> str:
    """The sentence under a table whose marked rates rest on few answers."""
    return pgettext("format", "※ small sample, for reference only: fewer than %(n)s answers.") % {
        "n": small_sample_n()
    }


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def person_name(first: str = "", last: str = "") -> str:
    """A person's name from the two name fields: Chinese parts joined without a space
    (李 + 秀英 → 李秀英), Latin ones with one (Anna Li)."""
    parts = [p.strip() for p in (first or "", last or "") if p and p.strip()]
    if not parts:
        return ""
    joiner = "" if any(_CJK.search(p) for p in parts) else " "
    return joiner.join(parts)


def user_name(user) -> str:
    """How a user is named on paper and on the pages: their name, the login only if they have
    none (an account not yet given one)."""
    if user is None:
        return ""
    return person_name(user.first_name, user.last_name) or user.username


def clean_name(text: str) -> str:
    """A name typed with a space inside Chinese ("李 秀英") as written (李秀英)."""
    text = (text or "").strip()
    if _CJK.search(text):
        text = re.sub(
            r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])", "", text
        )
    return text
