"""Counts kept at write time: the two rates without scanning the responses.

Two small tables (surveys.models.RateCount, ItemCount) hold, per breakdown key (survey, round,
community, month and the five group flags), the respondents, aware and formed counts and, per
item order, answers and correct answers. Every write that changes a response (create, edit,
delete, the paper import; demo data and migrations call rebuild()) changes them in the same
transaction, by a delta: the contribution of the residents and responses it touches, worked out
before and after the write from their own rows (a few per resident), is subtracted and added
with one INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n, so concurrent writers never
lose a count. Writers touching the same resident (or the same anonymous response) are
serialised by a row lock on it, taken before the "before" is read. A response is in the figures
the moment it is saved; there is no nightly job.

Counting a person once (rates module doc). A resident is counted by their latest response within
what a figure covers, so a kept count is exact only where the ranking partition is fixed. Three
scopes are kept, each a full set of counts:

- "response": every response. Exact when the filters and breakdown make a response a person
  (one survey and one round), with any filter.
- "month": each resident's latest response per community and month. Exact for breakdowns by
  community and month (with street and group) whose filters are constant within a community-month
  (reach, community, street, whole-month dates): such filters commute with the ranking.
- "person": each resident's latest response overall. Exact for the headline with no filter at
  all (the province's own total, and its group breakdown).

Anything else (quarters across rounds, a survey or group filter pooled over rounds, strata of the
funnel plot, paired comparisons) is answered from the raw rows with the window over the
response_person_latest index, as before. Measured (bench/province.py, 2,000,000 responses,
2,000 communities): the province's by=community,group,month and its headline take 2.8 s from the
kept "month" and "person" scopes against 23 s from the raw rows with the window (ROW_NUMBER over
each resident's responses, read from that index); keeping the scopes costs a write two round
trips, the resident's own few rows read with the lock and one statement of upserts (10.3 ms
against 8.9 ms unkept at 20,000,000 responses, bench/README.md). So the scopes are kept rather
than answering those queries from the raw rows.

rebuild() recomputes every count from the raw rows with one GROUP BY per scope; the management
command rebuild_rate_counts reports any difference first (expected: none).
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction

from healthedu.dbrouter import read_cursor
from healthedu.sqlbatch import Read, one_round_trip, read_together, select_each
from healthedu.surveys.models import COUNT_KEY, MASK_ITEMS, ItemCount, RateCount, Response

SCOPES = ("response", "month", "person")
MEASURES = ("n", "k_num", "k_den", "b_num", "b_den")
KEY_COLUMNS = tuple(f"{k}_id" if k in ("survey", "community") else k for k in COUNT_KEY)
ROW_FIELDS = (
    "pk",
    "resident_id",
    "answered_on",
    *KEY_COLUMNS,
    "knowledge_aware",
    "behavior_formed",
    "answered_items",
    "correct_items",
)


# ---------------------------------------------------------------- contributions


def _measures(row) -> tuple:
    k, b = row["knowledge_aware"], row["behavior_formed"]
    return (1, int(k is True), int(k is not None), int(b is True), int(b is not None))


def _latest(rows: list[dict]) -> dict:
    return max(rows, key=lambda r: (r["answered_on"], r["pk"]))


def contributions(rows: list[dict]) -> tuple[dict, dict]:
    """What these responses add to the kept counts: ({(scope, *key): measures},
    {(survey, round, community, month, order): (answered, correct)}). rows must hold every
    response of each resident among them (a resident's latest is chosen among all of them)."""
    people = defaultdict(list)
    rate = defaultdict(lambda: [0] * len(MEASURES))
    items = defaultdict(lambda: [0, 0])

    def add(scope, row):
        key = (scope, *(row[c] for c in KEY_COLUMNS))
        for i, value in enumerate(_measures(row)):
            rate[key][i] += value

    for row in rows:
        add("response", row)
        answered, correct = row["answered_items"], row["correct_items"]
        order = 0
        while answered >> order:
            if (answered >> order) & 1:
                key = (row["survey_id"], row["round"], row["community_id"], row["month"], order + 1)
                items[key][0] += 1
                items[key][1] += (correct >> order) & 1
            order += 1
        if row["resident_id"] is None:
            add("month", row)
            add("person", row)
        else:
            people[row["resident_id"]].append(row)
    for own in people.values():
        add("person", _latest(own))
        by_month = defaultdict(list)
        for row in own:
            by_month[(row["community_id"], row["month"])].append(row)
        for group in by_month.values():
            add("month", _latest(group))
    return rate, items


def _rows(resident_ids, response_ids) -> list[dict]:
    from django.db.models import Q

    q = Q(pk__in=[])
    if resident_ids:
        q |= Q(resident_id__in=list(resident_ids))
    if response_ids:
        q |= Q(pk__in=list(response_ids))
    return list(Response.objects.filter(q).order_by().values(*ROW_FIELDS))


# ---------------------------------------------------------------- applying deltas


def _upsert_sql(table: str, key_columns: list[str], measures: list[str], rows: list[tuple]):
    """INSERT … ON CONFLICT adding the measures of each row to its key, and its parameters."""
    qn = connection.ops.quote_name
    columns = [*key_columns, *measures]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{qn(m)} = {qn(table)}.{qn(m)} + excluded.{qn(m)}" for m in measures)
    sql = (
        f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
        + ", ".join([placeholders] * len(rows))
        + f" ON CONFLICT ({', '.join(qn(c) for c in key_columns)}) DO UPDATE SET {updates}"
    )
    return sql, [v for row in rows for v in row]


CHUNK = 500  # rows per INSERT


def _upserts(tables: list[tuple[str, list[str], list[str], list[tuple]]]) -> None:
    """Add the measures of each row to its key, table by table (atomic on PostgreSQL and SQLite
    alike). Rows go in key order, so that concurrent writers take their row locks in one order.
    A write's few rows go to both tables in one statement on PostgreSQL (one round trip, a
    data-modifying WITH); an import's many, in chunks."""
    statements = []
    for table, key_columns, measures, rows in tables:
        rows = sorted(rows, key=lambda r: tuple(str(v) for v in r[: len(key_columns)]))
        for start in range(0, len(rows), CHUNK):
            statements.append(
                _upsert_sql(table, key_columns, measures, rows[start : start + CHUNK])
            )
    if len(statements) == 2 and connection.vendor == "postgresql":
        (first, first_params), (second, second_params) = statements
        statements = [(f"WITH kept AS ({first}) {second}", [*first_params, *second_params])]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def apply(before: tuple[dict, dict], after: tuple[dict, dict]) -> None:
    """Add after − before to the kept counts (only the keys that changed)."""
    rate_rows, item_rows = [], []
    for key in before[0].keys() | after[0].keys():
        old, new = before[0].get(key, [0] * 5), after[0].get(key, [0] * 5)
        delta = [b - a for a, b in zip(old, new, strict=True)]
        if any(delta):
            rate_rows.append((*key, *delta))
    for key in before[1].keys() | after[1].keys():
        old, new = before[1].get(key, [0, 0]), after[1].get(key, [0, 0])
        delta = [b - a for a, b in zip(old, new, strict=True)]
        if any(delta):
            item_rows.append((*key, *delta))
    _upserts(
        [
            (RateCount._meta.db_table, ["scope", *KEY_COLUMNS], list(MEASURES), rate_rows),
            (
                ItemCount._meta.db_table,
                ["survey_id", "round", "community_id", "month", "order"],
                ["answered", "correct"],
                item_rows,
            ),
        ]
    )


def _row_of(response) -> dict:
    """A saved response as _rows() would read it back."""
    return {name: getattr(response, name) for name in ROW_FIELDS}


class Keeper:
    """The residents and responses a write touches, and what it wrote; see kept()."""

    def __init__(self, resident_ids, response_ids):
        self.resident_ids = {r for r in resident_ids if r is not None}
        self.response_ids = {r for r in response_ids if r is not None}
        self.written: dict[int, object] = {}
        self.removed: set[int] = set()

    def add(self, response) -> None:
        """A response written (created) inside the block."""
        self.response_ids.add(response.pk)
        if response.resident_id is not None:
            self.resident_ids.add(response.resident_id)
        self.written[response.pk] = response

    def changed(self, response) -> None:
        """A response saved inside the block with every stored field as the instance holds it."""
        self.written[response.pk] = response

    def remove(self, response_id: int) -> None:
        """A response deleted inside the block."""
        self.removed.add(response_id)

    def after(self, before: list[dict]) -> list[dict] | None:
        """The rows as they are after the write, worked out from the rows before and what
        the write said it did (no second read); None when it said nothing."""
        if not (self.written or self.removed):
            return None
        rows = {row["pk"]: row for row in before}
        for pk in self.removed:
            rows.pop(pk, None)
        for pk, response in self.written.items():
            rows[pk] = _row_of(response)
        return list(rows.values())


def _lock(keeper: Keeper) -> None:
    """Lock the residents and the responses a write touches (the residents first, in id order),
    and add the residents of those responses to it."""
    from residents.models import Resident

    if keeper.resident_ids:
        list(
            Resident.objects.select_for_update()
            .filter(pk__in=keeper.resident_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    if keeper.response_ids:
        locked = Response.objects.select_for_update().filter(pk__in=keeper.response_ids)
        keeper.resident_ids |= {
            r for r in locked.order_by("pk").values_list("resident_id", flat=True) if r
        }


def _lock_and_read(keeper: Keeper) -> list[dict]:
    """_lock(), then _rows(): lock the residents and responses, read the residents' responses
    and the responses themselves. On PostgreSQL in one round trip (sqlbatch.select_each): the
    locks and the read as statements of one query string, each with a snapshot of its own
    (READ COMMITTED), so the read still sees what a writer we waited for committed."""
    from residents.models import Resident

    if not one_round_trip(connection):
        _lock(keeper)
        return _rows(keeper.resident_ids, keeper.response_ids)
    residents, response_ids = sorted(keeper.resident_ids), sorted(keeper.response_ids)
    if not (residents or response_ids):
        return []
    qn = connection.ops.quote_name
    responses = qn(Response._meta.db_table)
    resident_list = ", ".join(["%s"] * len(residents))
    response_list = ", ".join(["%s"] * len(response_ids))
    statements, wanted, wanted_params = [], [], []
    if residents:
        statements.append(
            (
                f"SELECT id FROM {qn(Resident._meta.db_table)} WHERE id IN ({resident_list})"
                " ORDER BY id FOR UPDATE",
                residents,
            )
        )
        wanted.append(f"resident_id IN ({resident_list})")
        wanted_params += residents
    if response_ids:
        statements.append(
            (
                f"SELECT resident_id FROM {responses} WHERE id IN ({response_list})"
                " ORDER BY id FOR UPDATE",
                response_ids,
            )
        )
        # The residents of the responses (locked by the caller, named up front) and the
        # responses themselves (anonymous ones have no resident).
        wanted.append(
            f"resident_id IN (SELECT resident_id FROM {responses} WHERE id IN ({response_list}))"
        )
        wanted.append(f"id IN ({response_list})")
        wanted_params += [*response_ids, *response_ids]
    columns = ", ".join("id" if name == "pk" else name for name in ROW_FIELDS)
    statements.append(
        (f"SELECT {columns} FROM {responses} WHERE {' OR '.join(wanted)}", wanted_params)
    )
    with connection.cursor() as cursor:
        *locked, read = select_each(cursor, statements)
    if response_ids:
        keeper.resident_ids |= {r for (r,) in locked[-1] if r is not None}
    return [dict(zip(ROW_FIELDS, row, strict=True)) for row in read]


@contextmanager
def kept(*, residents=(), responses=()):
    """Keep the counts through a write: lock the residents and responses it touches, read their
    rows, run the write, and apply the difference its rows make, in one transaction (part of
    the caller's, which every service has: no savepoint of its own). The rows after are those
    before with what the write reports through the Keeper (add, changed, remove) put in;
    a write that reports nothing has them read again. Residents a write moves a response to
    must be named up front (they are locked first)."""
    keeper = Keeper(residents, responses)
    with transaction.atomic(savepoint=False):
        rows = _lock_and_read(keeper)
        before = contributions(rows)
        yield keeper
        after_rows = keeper.after(rows)
        if after_rows is None:
            after_rows = _rows(keeper.resident_ids, keeper.response_ids)
        apply(before, contributions(after_rows))


# ---------------------------------------------------------------- rebuild and check


def _raw_sql() -> dict[str, str]:
    """One GROUP BY per scope over the raw responses: the counts as they should be."""
    key = ", ".join(KEY_COLUMNS)
    measures = (
        "COUNT(*) AS n, "
        "SUM(CASE WHEN knowledge_aware THEN 1 ELSE 0 END) AS k_num, "
        "COUNT(knowledge_aware) AS k_den, "
        "SUM(CASE WHEN behavior_formed THEN 1 ELSE 0 END) AS b_num, "
        "COUNT(behavior_formed) AS b_den"
    )
    table = Response._meta.db_table

    def ranked(partition):
        return (
            f"SELECT * FROM (SELECT r.*, CASE WHEN resident_id IS NULL THEN 1 ELSE ROW_NUMBER() "
            f"OVER (PARTITION BY resident_id{partition} ORDER BY answered_on DESC, id DESC) END "
            f"AS person_rank FROM {table} r) ranked WHERE person_rank = 1"
        )

    return {
        "response": f"SELECT {key}, {measures} FROM {table} GROUP BY {key}",
        "month": f"SELECT {key}, {measures} FROM ({ranked(', community_id, month')}) x "
        f"GROUP BY {key}",
        "person": f"SELECT {key}, {measures} FROM ({ranked('')}) x GROUP BY {key}",
    }


def _items_sql(max_order: int) -> str:
    """Answers and correct answers per key and item order: one scan summing each order's bits,
    then one row per order (UNION ALL over the grouped rows, which are few)."""
    table = Response._meta.db_table
    key = "survey_id, round, community_id, month"
    sums = ", ".join(
        f"SUM((answered_items >> {k}) & 1) AS a{k}, SUM((correct_items >> {k}) & 1) AS c{k}"
        for k in range(max_order)
    )
    per_order = " UNION ALL ".join(
        f"SELECT {key}, {k + 1} AS item_order, a{k} AS answered, c{k} AS correct FROM grouped "
        f"WHERE a{k} > 0"
        for k in range(max_order)
    )
    return f"WITH grouped AS (SELECT {key}, {sums} FROM {table} GROUP BY {key}) {per_order}"


def _max_order() -> int:
    from django.db.models import Max

    from healthedu.surveys.models import Item

    return min(Item.objects.aggregate(top=Max("order"))["top"] or 0, MASK_ITEMS)


def _normalise(value):
    # SQLite returns dates as text from raw SQL; the kept table returns date objects.
    return str(value)


def expected() -> tuple[dict, dict]:
    """The counts recomputed from the raw rows (zero rows left out)."""
    rate, items = {}, {}
    with connection.cursor() as cursor:
        for scope, sql in _raw_sql().items():
            cursor.execute(sql)
            for row in cursor.fetchall():
                key = (scope, *map(_normalise, row[: len(KEY_COLUMNS)]))
                rate[key] = tuple(int(v) for v in row[len(KEY_COLUMNS) :])
        top = _max_order()
        if top:
            cursor.execute(_items_sql(top))
            for row in cursor.fetchall():
                items[tuple(map(_normalise, row[:5]))] = (int(row[5]), int(row[6]))
    return rate, items


def stored() -> tuple[dict, dict]:
    """The kept counts as they are (zero rows left out)."""
    rate = {
        (r[0], *map(_normalise, r[1:10])): tuple(r[10:])
        for r in RateCount.objects.values_list("scope", *KEY_COLUMNS, *MEASURES)
        if any(r[10:])
    }
    items = {
        tuple(map(_normalise, r[:5])): tuple(r[5:])
        for r in ItemCount.objects.values_list(
            "survey_id", "round", "community_id", "month", "order", "answered", "correct"
        )
        if any(r[5:])
    }
    return rate, items


def differences() -> list[str]:
    """Each kept count that differs from the raw aggregate, as a line of text."""
    out = []
    for name, want, have in zip(("rate", "item"), expected(), stored(), strict=True):
        for key in sorted(want.keys() | have.keys()):
            if want.get(key) != have.get(key):
                out.append(f"{name} {key}: kept {have.get(key)}, raw {want.get(key)}")
    return out


@transaction.atomic
def rebuild() -> None:
    """Recompute every kept count from the raw rows (in the database, one statement each)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Block writers of responses while the counts are rebuilt, so none is lost.
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {qn(Response._meta.db_table)} IN SHARE MODE")
        rate_table, item_table = RateCount._meta.db_table, ItemCount._meta.db_table
        cursor.execute(f"DELETE FROM {qn(rate_table)}")
        cursor.execute(f"DELETE FROM {qn(item_table)}")
        key = ", ".join(KEY_COLUMNS)
        for scope, sql in _raw_sql().items():
            cursor.execute(
                f"INSERT INTO {qn(rate_table)} (scope, {key}, n, k_num, k_den, b_num, b_den) "
                f"SELECT %s, x.* FROM ({sql}) x",
                [scope],
            )
        top = _max_order()
        if top:
            cursor.execute(
                f"INSERT INTO {qn(item_table)} (survey_id, round, community_id, month, "
                f"{qn('order')}, answered, correct) {_items_sql(top)}"
            )


# ---------------------------------------------------------------- reading


def _whole_months(query) -> bool:
    """Dates that cover whole months commute with the month key (a partial month does not)."""
    import datetime as dt

    if query.date_from and query.date_from.day != 1:
        return False
    return not (query.date_to and (query.date_to + dt.timedelta(days=1)).day != 1)


def _one_cell(query) -> bool:
    """The filters pin one community and one whole month: each person once within them is each
    person once per community and month."""
    reached = query.reach.ids()
    one_place = query.community is not None or (reached is not None and len(reached) == 1)
    months = {d.replace(day=1) for d in (query.date_from, query.date_to) if d}
    return one_place and len(months) == 1 and bool(query.date_from and query.date_to)


def scope_for(query, by: list[str], one_per_person: bool) -> str | None:
    """The kept scope that answers this query exactly, or None (see the module doc).
    one_per_person: the filters and breakdown already make each response a person."""
    if not _whole_months(query) or {"sex", "age"} & set(by):
        return None
    if one_per_person:
        return "response"
    partition = {d for d in by if d in ("community", "round", "survey", "month", "quarter")}
    pooled_filters = query.survey or query.round or query.rounds or query.topic or query.group
    if not pooled_filters and (
        partition == {"community", "month"}
        or (partition <= {"community", "month"} and _one_cell(query))
    ):
        return "month"
    place_filters = not query.reach.is_everything or query.community or query.street
    if not (partition or pooled_filters or place_filters or query.date_from or query.date_to):
        return "person"
    return None


def _where(query, *, group: bool = True) -> tuple[list[str], list] | None:
    """The filters as SQL over a kept-count table (RateCount or ItemCount): conditions and
    their parameters, or None when nothing can match (a reach of no community). Written out
    rather than through the ORM: compiling a queryset of a dozen filtered sums took several
    milliseconds, more than a community-month's whole read (bench/province.py)."""
    from healthedu.org.models import Community
    from healthedu.program.models import Topic
    from healthedu.surveys.models import Item
    from healthedu.surveys.rates import GROUP_FLAG

    qn = connection.ops.quote_name
    where, params = [], []
    reached = query.reach.ids()
    if reached is not None:
        if not reached:
            return None
        where.append(f"community_id IN ({', '.join(['%s'] * len(reached))})")
        params += reached
    if query.survey is not None:
        where.append("survey_id = %s")
        params.append(query.survey)
    if query.community is not None:
        where.append("community_id = %s")
        params.append(query.community)
    if query.street is not None:
        where.append(
            f"community_id IN (SELECT id FROM {qn(Community._meta.db_table)} WHERE street_id = %s)"
        )
        params.append(query.street)
    if query.round:
        where.append("round = %s")
        params.append(query.round)
    if query.rounds:
        where.append(f"round IN ({', '.join(['%s'] * len(query.rounds))})")
        params += list(query.rounds)
    adapt = connection.ops.adapt_datefield_value
    if query.date_from:
        where.append("month >= %s")
        params.append(adapt(query.date_from))
    if query.date_to:
        where.append("month <= %s")
        params.append(adapt(query.date_to))
    if group and query.group:
        where.append(f"{GROUP_FLAG[query.group]} = %s")
        params.append(True)
    if query.topic:
        item, topic = qn(Item._meta.db_table), qn(Topic._meta.db_table)
        where.append(
            f"survey_id IN (SELECT i.survey_id FROM {item} i JOIN {topic} t ON t.id = i.topic_id"
            " WHERE t.code = %s)"
        )
        params.append(query.topic)
    return where, params


def read(*reads: Read) -> list:
    """The reads' answers in one round trip, where reports read the kept counts (the replica
    when the router sends them there; raw SQL bypasses the router otherwise)."""
    with read_cursor(RateCount) as cursor:
        return read_together(cursor, *reads)


def person_rows(query, scope: str, columns: list[str], measures: dict):
    """The kept counts grouped like rates._person_aggregates groups the responses: `measures`
    name the same figures (k_num, n_baseline, k_num__elderly, ...), summed here. Tuples
    (columns, then measures) straight from the cursor."""
    (rows,) = read(person_read(query, scope, columns, measures))
    return rows


def person_read(query, scope: str, columns: list[str], measures: dict) -> Read:
    """person_rows() as a Read, to share a round trip."""
    from healthedu.org.models import Community

    found = _where(query)
    if found is None:
        nothing = [] if columns else [tuple(0 for _name in measures)]
        return Read((), lambda _results: nothing)
    where, params = found
    # A key whose responses were all edited away or deleted keeps a row of zeros: left out, as
    # the raw GROUP BY has no row for it.
    where = ["scope = %s", "n > 0", *where]
    params = [scope, *params]
    sums, sum_params = [], []
    for name in measures:
        sql, more = _sum(name)
        sums.append(sql)
        sum_params += more
    params = [*sum_params, *params]  # the sums come before the WHERE
    select = [_column(c) for c in columns]
    table = connection.ops.quote_name(RateCount._meta.db_table)
    join = ""
    if "community__street_id" in columns:
        join = (
            f" JOIN {connection.ops.quote_name(Community._meta.db_table)} c ON c.id = community_id"
        )
    sql = f"SELECT {', '.join([*select, *sums])} FROM {table}{join} WHERE {' AND '.join(where)}"
    if columns:
        sql += f" GROUP BY {', '.join(select)}"

    def answer(results):
        (rows,) = results
        if "month" in columns and rows and isinstance(rows[0][columns.index("month")], str):
            import datetime as dt

            at = columns.index("month")  # SQLite gives dates as text
            rows = [(*r[:at], dt.date.fromisoformat(r[at]), *r[at + 1 :]) for r in rows]
        return rows

    return Read(((sql, params),), answer)


def _column(name: str) -> str:
    return "c.street_id" if name == "community__street_id" else name


def _sum(name: str) -> tuple[str, list]:
    """SQL for one measure of person_rows (k_num, n_baseline, b_den__elderly, ...) and its
    parameters."""
    from healthedu.surveys.rates import GROUP_FLAG

    base, _sep, group = name.partition("__")
    condition, params = [], []
    if group:
        condition.append(f"{GROUP_FLAG[group]} = %s")
        params.append(True)
    if base.startswith("n_"):
        condition.append("round = %s")
        params.append(base[2:])
        column = "n"
    else:
        column = base
    if not condition:
        return f"COALESCE(SUM({column}), 0)", params
    return f"COALESCE(SUM({column}) FILTER (WHERE {' AND '.join(condition)}), 0)", params


def item_rows(query) -> list[tuple] | None:
    """The items with their kept counts: (item, survey, order, kind, topic code, text, correct,
    answered) in survey and item order — the items of the surveys with answers within the
    filters (or of the survey filtered on), 0 where an item has none. None when the kept counts
    cannot answer exactly (a group filter, part of a month, a survey with items past the
    masks)."""
    found = item_read(query)
    return None if found is None else read(found)[0]


def item_read(query) -> Read | None:
    """item_rows() as a Read, to share a round trip; None when the filters alone rule the kept
    counts out (its answer is None when a survey is too long for them). Two plain statements,
    joined here (each its own snapshot: a survey's items do not change once it has responses,
    surveys.services): one statement joining the counts to the items took the planner longer than
    both took to run (bench/province.py)."""
    from healthedu.program.models import Topic
    from healthedu.surveys.models import Item

    if query.group or not _whole_months(query):
        return None
    found = _where(query, group=False)
    if found is None:
        return Read((), lambda _results: [])
    where, params = found
    qn = connection.ops.quote_name
    order = qn("order")
    counts_table = qn(ItemCount._meta.db_table)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    counted = (
        f"SELECT survey_id, {order}, SUM(correct), SUM(answered) "
        f"FROM {counts_table}{condition} GROUP BY survey_id, {order}"
    )
    if query.survey is not None:
        surveys, survey_params = "i.survey_id = %s", [query.survey]
    else:
        # The surveys with respondents within the filters, from the respondents' counts: a
        # survey's item counts stop at the masks' last item, so a response that answered only
        # items past it has none, and its survey must still come out as too long.
        answered = " AND ".join(["scope = %s", "n > 0", *where])
        surveys = (
            f"i.survey_id IN (SELECT survey_id FROM {qn(RateCount._meta.db_table)}"
            f" WHERE {answered})"
        )
        survey_params = ["response", *params]
    items = (
        f"SELECT i.id, i.survey_id, i.{order}, i.kind, t.code, i.text "
        f"FROM {qn(Item._meta.db_table)} i JOIN {qn(Topic._meta.db_table)} t ON t.id = i.topic_id "
        f"WHERE {surveys} ORDER BY i.survey_id, i.{order}"
    )

    def answer(results):
        counted_rows, item_list = results
        # A survey longer than the masks is counted from its answer rows instead.
        if any(row[2] > MASK_ITEMS for row in item_list):
            return None
        sums = {(survey, item_order): (num, den) for survey, item_order, num, den in counted_rows}
        return [
            (*row, *sums.get((row[1], row[2]), (0, 0)))
            for row in item_list
            if not query.topic or row[4] == query.topic
        ]

    return Read(((counted, params), (items, survey_params)), answer)
