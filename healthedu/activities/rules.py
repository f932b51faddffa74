"""Two rules of an activity record, each in one function that every caller uses.

- A summary is missing when it holds nothing but white space (Python's str.isspace(), so the
  ideographic space "\u3000" a Chinese input method types counts as blank). summary_missing() is
  the rule; summary_missing_q() is the same rule as a database filter, for lists; a test holds
  the two together (tests/activities/test_rules.py).
- Material kinds are one kind when they differ only in surrounding white space or case:
  material_kind_key(). The yearly count of kinds applies it in Python too, so there is no SQL
  form to disagree with it (SQLite's LOWER() folds ASCII only).
"""

import sys

from django.db.models import F, Func, Q, TextField, Value
from django.db.models.lookups import Exact

# Every character Python's strip() removes, i.e. str.isspace() (29 of them, the last U+3000).
BLANK_CHARACTERS = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def summary_missing(summary: str | None) -> bool:
    return not (summary or "").strip()


class _TrimCharacters(Func):
    """TRIM(text, characters): SQLite's two-argument TRIM; PostgreSQL calls it BTRIM."""

    function = "TRIM"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="BTRIM", **extra_context)


def summary_missing_q(field: str = "summary") -> Q:
    """Q over a model with a text `field`: true where summary_missing() would be."""
    trimmed = _TrimCharacters(F(field), Value(BLANK_CHARACTERS, output_field=TextField()))
    return Q(Exact(trimmed, Value("", output_field=TextField())))


def material_kind_key(kind: str | None) -> str:
    """The kind a material counts as: surrounding white space and case ignored."""
    return (kind or "").strip().casefold()
