"""Reads of the resident registry shared by the API and the pages: one search, one order."""

import re

from django.db.models import Q, QuerySet

from healthedu.pii import pii_hash
from residents.idnumber import normalise_id_number
from residents.sorting import name_sort_key

# The list's order: pinyin of the name, then the name (homophones), then the record.
LIST_ORDER = ("name_pinyin", "name", "id")
PHONE_DIGITS = re.compile(r"\d{1,4}")
FULL_ID_NUMBER = re.compile(r"\d{17}[\dX]")
PINYIN = re.compile(r"[A-Za-z]+")


def resident_search(queryset: QuerySet, query: str, *, user=None) -> QuerySet:
    """Residents of `queryset` that a search box's text finds:

    - one to four digits: the end of the phone number, which every masked phone shows
      (138****5678); for anyone but an administrator (who may reveal the whole number, audited)
      never the end of an ID number, whose masked form shows only the area code: matching
      fragments of it would be an oracle that rebuilds the hidden digits one query at a time
      (residents.masking, tests/privacy/test_reconstruction.py);
    - a whole 18-character ID number: that number exactly, through its keyed hash, as one who
      holds the card may look it up;
    - Latin letters: the start of the name's pinyin (zhang finds 张三, 章华);
    - anything else: a part of the name.
    """
    query = (query or "").strip()
    if not query:
        return queryset
    if PHONE_DIGITS.fullmatch(query):
        if len(query) == 4:
            phone = Q(phone_last4=query)
            return queryset.filter(phone | Q(id_last4=query) if _is_admin(user) else phone)
        phone = Q(phone_last4__endswith=query)
        return queryset.filter(phone | Q(id_last4__endswith=query) if _is_admin(user) else phone)
    number = normalise_id_number(query)
    if FULL_ID_NUMBER.fullmatch(number):
        return queryset.filter(id_number_hash=pii_hash(number))
    if PINYIN.fullmatch(query):
        return queryset.filter(
            Q(name__icontains=query) | Q(name_pinyin__startswith=name_sort_key(query.lower()))
        )
    return queryset.filter(name__icontains=query)


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_admin", False))


def residents_listed(queryset: QuerySet) -> QuerySet:
    """The residents in the list's order (pinyin), for pages and API alike."""
    return queryset.order_by(*LIST_ORDER)
