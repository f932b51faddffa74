"""The main navigation, by role: educators get their workbench, leaders the dashboard."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

register = template.Library()

EDUCATOR_ITEMS = [
    ("web:home", pgettext_lazy("web", "Home"), "home"),
    ("web:activities", pgettext_lazy("nav", "Activities"), "activities"),
    ("web:bp", pgettext_lazy("web", "Blood pressure"), "bp"),
    ("web:residents", pgettext_lazy("web", "Residents"), "residents"),
    ("web:surveys", pgettext_lazy("web", "Surveys"), "surveys"),
    ("web:ledger", pgettext_lazy("web", "Ledger"), "ledger"),
]
# The leader's menu: all reading. The referral queue is the educators' own page, read-only for
# a leader (no follow-up control; its POSTs answer 403).
LEADER_ITEMS = [
    ("web:dashboard", pgettext_lazy("web", "Dashboard"), "dashboard"),
    ("web:leader_ledgers", pgettext_lazy("web", "Communities' ledgers"), "leader_ledgers"),
    ("web:referrals", pgettext_lazy("web", "Referral queue"), "bp"),
    ("web:leader_progress", pgettext_lazy("web", "Plan progress"), "leader_progress"),
]
ADMIN_ITEMS = [
    ("web:dashboard", pgettext_lazy("web", "Dashboard"), "dashboard"),
    ("admin:index", pgettext_lazy("web", "Admin site"), "admin"),
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
