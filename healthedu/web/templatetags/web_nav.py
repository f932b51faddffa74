"""The main navigation, by role: educators get their workbench, leaders the dashboard."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

EDUCATOR_ITEMS = [
    ("web:home", _("Home"), "home"),
    ("web:activities", _("Activities"), "activities"),
    ("web:bp", _("Blood pressure"), "bp"),
    ("web:residents", _("Residents"), "residents"),
    ("web:surveys", _("Surveys"), "surveys"),
    ("web:ledger", _("Ledger"), "ledger"),
]
LEADER_ITEMS = [("web:dashboard", _("Dashboard"), "dashboard")]
ADMIN_ITEMS = [
    ("web:dashboard", _("Dashboard"), "dashboard"),
    ("admin:index", _("Admin site"), "admin"),
]


def items_for(user) -> list[tuple[str, str, str]]:
    if user.is_leader:
        chosen = LEADER_ITEMS
    elif user.is_admin:
        chosen = EDUCATOR_ITEMS + ADMIN_ITEMS
    else:
        chosen = EDUCATOR_ITEMS
    found = []
    for name, label, section in chosen:
        try:
            found.append((reverse(name), label, section))
        except NoReverseMatch:  # an area whose pages are not installed
            continue
    return found


@register.inclusion_tag("web/_nav.html", takes_context=True)
def main_nav(context):
    request = context["request"]
    current = context.get("section", "")
    return {
        "items": [
            {"url": url, "label": label, "current": section == current}
            for url, label, section in items_for(request.user)
        ]
    }
