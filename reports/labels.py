"""Words printed in the ledger, shared by the PDF and the workbook so that both say the same.

English msgids; the Chinese of the paper forms is in reports/locale (the ledger is Chinese by default).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def ledger_title() -> str:
    return _("Monthly health-education ledger")


def form_title() -> str:
    return _("Health-education activity record form")


# The fields of the 健康教育活动记录表, in the paper form's order.
FORM_FIELDS = {
    "time": gettext_lazy("Activity time"),
    "venue": gettext_lazy("Activity venue"),
    "form": gettext_lazy("Activity form"),
    "topic": gettext_lazy("Activity topic"),
    "organiser": gettext_lazy("Organiser"),
    "audience": gettext_lazy("Categories of people educated"),
    "participants": gettext_lazy("Number of people educated"),
    "materials": gettext_lazy("Kinds and numbers of materials handed out"),
    "content": gettext_lazy("Activity content"),
    "summary": gettext_lazy("Summary and evaluation"),
    "archive": gettext_lazy("Archived materials"),
    "recorder": gettext_lazy("Filled in by"),
    "responsible": gettext_lazy("Person in charge"),
    "filled_on": gettext_lazy("Date filled in"),
}


def materials_text(materials) -> str:
    return _("; ").join(
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
        _("Item"),
        _("Unit"),
        _("This month"),
        _("This year so far (when made)"),
        _("Yearly minimum"),
        _("Due by month end"),
        _("Met"),
    ]


def roster_headers() -> list[str]:
    return [_("No."), _("Name"), _("Sex"), _("Age"), _("Groups"), _("Phone"), _("Checked in")]


def bp_headers() -> list[str]:
    return [
        _("Time"),
        _("Name"),
        _("Sex"),
        _("Age"),
        _("Systolic"),
        _("Diastolic"),
        _("Pulse"),
        _("Category"),
        _("Isolated systolic"),
        _("Referral"),
    ]


def rate_headers() -> list[str]:
    return [
        _("Group"),
        _("Knowledge aware / answered"),
        _("Knowledge-awareness rate"),
        _("95% CI"),
        _("Behaviour formed / answered"),
        _("Behaviour-formation rate"),
        _("95% CI"),
    ]


def check_headers() -> list[str]:
    return [_("Activity"), _("Problem")]


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


def percent(value: float | None) -> str:
    """A rate as printed; 'no data' where the denominator was 0, never 0 %."""
    if value is None:
        return _("no data")
    return f"{value * 100:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"{low * 100:.1f}%–{high * 100:.1f}%"


def sex_label(sex: str) -> str:
    return {"M": _("male"), "F": _("female")}.get(sex, "")


def when(value) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    if hasattr(value, "hour"):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"
