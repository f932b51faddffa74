from django.conf import settings
from django.db import connection

from healthedu.dbrouter import read_cursor
from healthedu.org.models import Community
from healthedu.org.reach import NOWHERE, Reach
from healthedu.program.models import Target
from healthedu.sqlbatch import Read, read_together


def targets_for(*, reach: Reach = NOWHERE, year: int) -> dict[int, tuple[float, float]]:
    """(knowledge, behaviour) targets of each community in reach for a year; the settings'
    defaults where none is set."""
    found = targets_read(reach=reach, year=year)
    with read_cursor(Target) as cursor:
        (targets,) = read_together(cursor, found)
    return targets


def targets_read(*, reach: Reach = NOWHERE, year: int) -> Read:
    """targets_for() as a Read, to share a round trip (a community-month's rates ask it on
    every request). Written out: the ORM's compile and model building took four times the
    query (bench/province.py)."""
    defaults = (settings.HEALTHEDU["KNOWLEDGE_TARGET"], settings.HEALTHEDU["BEHAVIOR_TARGET"])
    ids = Reach.of(reach).ids()
    if ids is None:  # every community: ask which there are
        ids = list(Community.objects.values_list("pk", flat=True))
    if not ids:
        return Read((), lambda _results: {})
    table = connection.ops.quote_name(Target._meta.db_table)
    sql = (
        f"SELECT community_id, knowledge, behavior FROM {table}"
        f" WHERE year = %s AND community_id IN ({', '.join(['%s'] * len(ids))})"
    )

    def answer(results):
        found = {cid: (float(k), float(b)) for cid, k, b in results[0]}
        return {cid: found.get(cid, defaults) for cid in ids}

    return Read(((sql, [year, *ids]),), answer)
