"""Display filters for the pages: thin names over reports.formatting, so that a figure reads the
same on the page as in the PDF and the workbook (rates, 百分点, p values, names)."""

from django import template

from reports import formatting

register = template.Library()


@register.filter
def percent(value, digits: int = 1):
    return formatting.rate(value, digits)


@register.filter
def small_sample(denominator):
    """样本量小，仅供参考 for a rate over fewer answers than HEALTHEDU_SMALL_SAMPLE_N (the ※ of the
    PDFs and the 说明 of the workbooks, by the same rule); "" otherwise."""
    return formatting.small_sample_caveat() if formatting.is_small_sample(denominator) else ""


@register.filter
def signed_points(value):
    """A change of rates in percentage points (百分点), with its sign."""
    return formatting.points(value)


@register.filter
def pvalue(value):
    """'p < 0.001' or 'p = 0.034'."""
    return formatting.p_value(value)


@register.filter
def count(value):
    return formatting.count(value)


@register.filter
def person(user):
    """A user named as a person (李秀英), the login only where they have no name."""
    return formatting.user_name(user)


@register.filter
def lookup(mapping, key):
    return mapping.get(key, key) if hasattr(mapping, "get") else key
