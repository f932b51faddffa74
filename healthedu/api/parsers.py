"""The API's JSON parser: a body is a JSON object of bounded depth, or a 400 that says why.

Every write route of the API takes an object. A list, a number, a string or null as the whole
body, or nesting deeper than any of our shapes, is refused here, once, before a view or a
serializer sees it (a 1,000-deep body used to end in RecursionError, `[null]` in AttributeError).
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32  # our deepest shape (a response's answers) is 3


class JSONObjectParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        if not isinstance(data, dict):
            raise ParseError(_("The request body must be a JSON object ({...})."))
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(self._too_deep())
        return data

    @staticmethod
    def _too_deep() -> str:
        return _("The request body is nested too deeply (at most %(max)d levels).") % {
            "max": MAX_DEPTH
        }


def _depth_exceeds(value, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit`; iterative, so no recursion limit."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False
