"""Small display filters for the pages: rates as percentages, 'no data' where the denominator is 0."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def percent(value, digits: int = 1):
    if value is None or value == "":
        return pgettext("web", "no data")
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def signed_points(value):
    """A change of rates in percentage points, with its sign."""
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}"


@register.filter
def pvalue(value):
    """'p < 0.001' or 'p = 0.034'."""
    if value is None:
        return "—"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@register.filter
def lookup(mapping, key):
    return mapping.get(key, key) if hasattr(mapping, "get") else key
