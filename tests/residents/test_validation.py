"""Checking a resident's fields, as the API, the pages, the import and the admin do."""

import datetime as dt
import gc
import weakref

from django.core.exceptions import ValidationError

from residents.validation import clean_resident


class _Rows:
    """Stands for what a caller holds while it checks residents: an import's rows."""


def test_refusing_fields_lets_go_of_the_callers_locals_at_once():
    # Django's one-message ValidationError refers to itself; were its traceback kept, the
    # caller's frame (an import, with all its rows) would wait for the cyclic collector.
    def check_one():
        rows = _Rows()
        try:
            clean_resident(
                {
                    "name": "王强",
                    "sex": "M",
                    "birth_date": dt.date(2999, 1, 1),
                    "id_number": "110105194912310021",
                    "phone": "12345",
                }
            )
        except ValidationError as exc:
            fields = sorted(exc.message_dict)
        return weakref.ref(rows), fields

    enabled = gc.isenabled()
    gc.disable()
    try:
        rows, fields = check_one()
        assert fields == ["birth_date", "id_number", "phone"]
        assert rows() is None
    finally:
        if enabled:
            gc.enable()
