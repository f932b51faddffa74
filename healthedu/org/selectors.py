from django.db import connection

from healthedu.dbrouter import read_cursor
from healthedu.org.models import Community
from healthedu.org.reach import NOWHERE, Reach


def community_id_of(value: str, *, reach: Reach = NOWHERE) -> int | None:
    """The id of the community named by `value`, its code or its id (scripts of the district's
    IT staff use codes); a code wins over an id. None when there is none in reach. Written out: the rates
    of a single community-month ask this on every request, and the ORM's compile took four
    times the query (bench/province.py)."""
    table = connection.ops.quote_name(Community._meta.db_table)
    as_id = int(value) if value.isdecimal() and len(value) < 18 else None
    with read_cursor(Community) as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE code = %s OR id = %s ORDER BY code = %s DESC, id LIMIT 1",
            [value, as_id, value],
        )
        row = cursor.fetchone()
    return row[0] if row and Reach.of(reach).contains(row[0]) else None
