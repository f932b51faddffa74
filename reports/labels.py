"""Words printed in the ledger, shared by the PDF and the workbook so that both say the same.

English msgids; the Chinese of the paper forms is in reports/locale (the ledger is Chinese by default).
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from reports import formatting


def ledger_title() -> str:
    return pgettext("ledger", "Monthly health-education ledger")


def form_title() -> str:
    return pgettext("ledger", "Health-education activity record form")


# The fields of the 健康教育活动记录表, in the paper form's order.
FORM_FIELDS = {
    "time": pgettext_lazy("ledger", "Activity time"),
    "venue": pgettext_lazy("ledger", "Activity venue"),
    "form": pgettext_lazy("ledger", "Activity form"),
    "topic": pgettext_lazy("ledger", "Activity topic"),
    "organiser": pgettext_lazy("ledger", "Organiser"),
    "audience": pgettext_lazy("ledger", "Categories of people educated"),
    "participants": pgettext_lazy("ledger", "Number of people educated"),
    "materials": pgettext_lazy("ledger", "Kinds and numbers of materials handed out"),
    "content": pgettext_lazy("ledger", "Activity content"),
    "summary": pgettext_lazy("ledger", "Summary and evaluation"),
    "archive": pgettext_lazy("ledger", "Archived materials"),
    "recorder": pgettext_lazy("ledger", "Filled in by"),
    "responsible": pgettext_lazy("ledger", "Person in charge"),
    "filled_on": pgettext_lazy("ledger", "Date filled in"),
}


def materials_text(materials) -> str:
    return pgettext("ledger", "; ").join(
        _("%(kind)s × %(count)s") % {"kind": m.kind, "count": m.count} for m in materials
    )


def participants_text(activity) -> str:
    return _("%(total)s (signed in %(attendees)s, walk-ins %(walk_ins)s)") % {
        "total": activity.participant_count,
        "attendees": activity.attendee_count,
        "walk_ins": activity.walk_ins,
    }


def figure_headers() -> list[str]:
    return [
        pgettext("ledger", "Item"),
        pgettext("ledger", "Unit"),
        pgettext("ledger", "This month"),
        pgettext("ledger", "This year to month end"),
        pgettext("ledger", "Yearly minimum"),
        pgettext("ledger", "Due by month end"),
        pgettext("ledger", "Met"),
    ]


def roster_headers() -> list[str]:
    return [
        pgettext("ledger", "No."),
        pgettext("ledger", "Name"),
        pgettext("ledger", "Sex"),
        pgettext("ledger", "Age"),
        pgettext("ledger", "Groups"),
        pgettext("ledger", "Phone"),
        pgettext("ledger", "Checked in"),
    ]


def bp_headers() -> list[str]:
    return [
        pgettext("ledger", "Time"),
        pgettext("ledger", "Name"),
        pgettext("ledger", "Sex"),
        pgettext("ledger", "Age"),
        pgettext("ledger", "Readings taken"),
        pgettext("ledger", "Systolic (mean)"),
        pgettext("ledger", "Diastolic (mean)"),
        pgettext("ledger", "Pulse"),
        pgettext("ledger", "Category"),
        pgettext("ledger", "Isolated systolic"),
        pgettext("ledger", "Referral"),
    ]


def rate_headers() -> list[str]:
    return [
        pgettext("ledger", "Group"),
        pgettext("ledger", "Knowledge aware / answered"),
        pgettext("ledger", "Knowledge-awareness rate"),
        pgettext("ledger", "95% CI"),
        pgettext("ledger", "Behaviour formed / answered"),
        pgettext("ledger", "Behaviour-formation rate"),
        pgettext("ledger", "95% CI"),
    ]


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return pgettext("ledger", "yes") if value else pgettext("ledger", "no")


def test_name(code: str | None) -> str:
    """The significance test as a reader knows it (API codes: chi2, fisher, mcnemar,
    mcnemar_exact)."""
    names = {
        "chi2": pgettext("ledger", "Chi-square test"),
        "fisher": pgettext("ledger", "Fisher's exact test"),
        "mcnemar": pgettext("ledger", "McNemar's test"),
        "mcnemar_exact": pgettext("ledger", "McNemar's exact test"),
    }
    return names.get(code or "", "—")


def rounds_text(rounds: list[str] | None) -> str:
    """Which rounds a figure covers, as printed: 基线、随访 (each person once, latest)."""
    from healthedu.surveys.models import Round

    if not rounds:
        return "—"
    return "、".join(str(Round(r).label) for r in rounds)


def rounds_covered(rounds) -> str:
    """The sentence under a table of rates: which rounds it covers, each person once."""
    return pgettext(
        "ledger", "Rounds covered: %(rounds)s (each person once, by their latest response)."
    ) % {"rounds": rounds_text(list(rounds))}


def sample_text(block: dict) -> str:
    """Who an independent or paired comparison is over, in words."""
    paired = block.get("paired")
    if paired is None:
        return pgettext("ledger", "no resident answered both rounds")
    return pgettext("ledger", "%(pairs)d residents answered both rounds") % {
        "pairs": paired["pairs"]
    }


def test_notes() -> list[str]:
    """Which test answers which question (healthedu.surveys.rates.TEST_NOTES)."""
    from healthedu.surveys.rates import TEST_NOTES

    return [str(TEST_NOTES["independent"]), str(TEST_NOTES["paired"])]


def p_text(value: float | None) -> str:
    """A p value in a column headed p: "0.034", and "< 0.001" rather than a misleading 0.000
    (reports.formatting, the one rule)."""
    return formatting.p_number(value)


def percent(value: float | None) -> str:
    """A rate as printed; 'no data' where the denominator was 0, never 0 %."""
    return formatting.rate(value)


def interval(low: float | None, high: float | None) -> str:
    return formatting.interval(low, high)


def rate_cell(rate, denominator) -> str:
    """A rate as printed in a table, marked ※ when it rests on a small sample (the note under
    the table says what ※ means)."""
    text = formatting.rate(rate)
    return f"{text}※" if rate is not None and formatting.is_small_sample(denominator) else text


def sex_label(sex: str) -> str:
    return {"M": pgettext("ledger", "male"), "F": pgettext("ledger", "female")}.get(sex, "")


def when(value) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    if hasattr(value, "hour"):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def bp_values(reading) -> str:
    """The readings a visit averages ("142/88、136/84"); a single reading is marked as such."""
    if reading.single:
        return f"{reading.values_text}（{pgettext('ledger', 'single reading')}）"
    return reading.values_text


def ledger_filename(community_name: str, month, fmt: str) -> str:
    """天虹路社区-2026年11月-健康教育台账.pdf: the download's name, for people."""
    return (
        "-".join(
            [
                community_name,
                formatting.month_text(month),
                pgettext("ledger", "health-education ledger"),
            ]
        )
        + f".{fmt}"
    )


def summary_filename(title: str, year: int, fmt: str) -> str:
    """天虹街道-2026年-健康教育工作汇总.xlsx."""
    return (
        "-".join(
            [
                title,
                pgettext("ledger", "%(year)s") % {"year": year},
                pgettext("ledger", "health-education summary"),
            ]
        )
        + f".{fmt}"
    )
