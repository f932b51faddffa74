from django.db import connection

from healthedu.dbrouter import read_cursor
from healthedu.ids import ascii_digits, digits_int
from healthedu.org.models import Community
from healthedu.org.reach import NOWHERE, Reach


def community_id_of(value: str, *, reach: Reach = NOWHERE) -> int | None:
    """The id of the community in reach named by `value`, its code or its id (scripts of the
    district's IT staff use codes); within reach a code wins over an id. None when there is
    none. Written out: the rates of a single community-month ask this on every request, and
    the ORM's compile took four times the query (bench/province.py)."""
    table = connection.ops.quote_name(Community._meta.db_table)
    value = ascii_digits(value)
    where, params = "(code = %s OR id = %s)", [value, digits_int(value)]
    ids = Reach.of(reach).ids()
    if ids is not None:
        # Within reach before choosing: a code out of reach must neither hide an id in reach
        # nor tell that it exists.
        if not ids:
            return None
        where += f" AND id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with read_cursor(Community) as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE {where} ORDER BY code = %s DESC, id LIMIT 1",
            [*params, value],
        )
        row = cursor.fetchone()
    return row[0] if row else None
