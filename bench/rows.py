"""The rows both rates benchmarks generate (bench.rates, bench.province), by PostgreSQL's own
set-returning functions: places, residents, surveys and items; and the steps around a load
(reusing a database that holds the size, dropping and restoring indexes, rebuilding the kept
counts). Each benchmark adds its own responses."""

import contextlib
import os
import time

BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
SEED = 20261128  # of the hash below; a benchmark's marker names its own seed and sizes


def hashed(expr: str, salt: int) -> str:
    """A seeded, order-independent pseudo-random integer 0 ≤ h < 2^31 from a bigint expression."""
    return f"((hashint8extended(({expr})::bigint, {SEED + salt}) & 2147483647)::int)"


def ensure_database(name: str) -> None:
    import psycopg

    admin_url = BASE_URL.rstrip("/") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def use_database(name: str) -> None:
    """Point Django's default connection at another bench database."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def needs_rows(name: str, marker: str, *, regenerate: bool) -> bool:
    """Create and migrate the database; True unless it already holds the rows `marker` names."""
    from django.core.management import call_command
    from django.db import connection

    ensure_database(name)
    use_database(name)
    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (marker text)")
        cursor.execute("SELECT marker FROM bench_meta")
        found = cursor.fetchone()
    return regenerate or not (found and found[0] == marker)


TRUNCATE = (
    "TRUNCATE surveys_answer, surveys_response, surveys_item, surveys_survey, residents_resident,"
    " org_community, org_street, org_district, bench_meta RESTART IDENTITY CASCADE"
)


def people(
    *, district: str, streets: int, communities: int, code: str, width: int, residents: int
) -> list[str]:
    """One district of `streets` streets and `communities` communities (codes `code` and a
    number of `width` digits), and `residents` residents spread over the communities in turn."""
    return [
        f"INSERT INTO org_district (id, name) VALUES (1, '{district}')",
        f"INSERT INTO org_street (id, district_id, name) SELECT s, 1, '街道' || s FROM generate_series(1, {streets}) s",
        f"""INSERT INTO org_community (id, code, name, street_id)
            SELECT c, '{code}' || lpad(c::text, {width}, '0'), '社区' || c, 1 + (c - 1) % {streets}
            FROM generate_series(1, {communities}) c""",
        f"""INSERT INTO residents_resident (id, name, sex, birth_date, community_id, address, is_migrant,
                has_hypertension, has_diabetes, status, id_number_hash, id_number_enc, id_number_masked,
                phone_enc, phone_masked, phone_last4, id_last4, created_at, updated_at, name_pinyin)
            SELECT i, '居民' || i, CASE WHEN {hashed("i", 1)} % 2 = 0 THEN 'F' ELSE 'M' END,
                   date '1930-01-01' + ({hashed("i", 2)} % 33000), 1 + (i - 1) % {communities}, '',
                   {hashed("i", 3)} % 100 < 15, false, false, 'active', NULL, '', '', '', '', '', '', now(), now(),
                   -- residents.sorting.name_sort_key('居民' || i), as the service would store it
                   'ju1 min2 ' || i
            FROM generate_series(1, {residents}) i""",
    ]


def surveys(titles: list[str], *, items: int, knowledge: int) -> list[str]:
    """Shared surveys (ids 1, 2, ...) of `items` single-choice items each, the first
    `knowledge` of them knowledge items, the rest behaviour; item k of survey s has id
    (s − 1) · items + k and the k-th topic (in turn)."""
    values = ", ".join(
        f"({n}, '{title}', NULL, 0.8, 0.8, now(), now())" for n, title in enumerate(titles, 1)
    )
    return [
        f"""INSERT INTO surveys_survey (id, title, community_id, knowledge_threshold, behavior_threshold,
                created_at, updated_at) VALUES {values}""",
        f"""INSERT INTO surveys_item (id, survey_id, "order", kind, text, topic_id, options, correct, multiple)
            SELECT (s - 1) * {items} + o, s, o, CASE WHEN o <= {knowledge} THEN 'knowledge' ELSE 'behavior' END,
                   '第' || o || '题', (SELECT id FROM program_topic ORDER BY id OFFSET (o - 1) % 10 LIMIT 1),
                   '["A", "B", "C", "D"]'::jsonb, '[0]'::jsonb, false
            FROM generate_series(1, {items}) o CROSS JOIN generate_series(1, {len(titles)}) s""",
    ]


SEQUENCES = [
    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
    for table in (
        "org_district",
        "org_street",
        "org_community",
        "residents_resident",
        "surveys_survey",
        "surveys_item",
        "surveys_response",
    )
]


def load(statements: list[str], tables: list[str], log) -> None:
    """Run the statements in one transaction (a failed load leaves the database as it was),
    with the tables' constraints and indexes dropped for the load and restored, and so
    checked, after it; then the sequences past the ids given."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        restore = drop_constraints_and_indexes(cursor, tables)
        for sql in [*statements, *SEQUENCES, *restore]:
            step = time.perf_counter()
            cursor.execute(sql)
            log(f"  {time.perf_counter() - step:7.1f}s  {' '.join(sql.split())[:70]}")


def finish(marker: str, log) -> None:
    """After a load: the kept counts rebuilt (the bulk rows bypass the services that keep
    them), VACUUM (the visibility map) and ANALYZE (the planner's statistics), the marker."""
    from django.db import connection

    from healthedu.surveys import counts

    connection.close()  # VACUUM runs outside a transaction
    step = time.perf_counter()
    counts.rebuild()
    log(f"  {time.perf_counter() - step:7.1f}s  counts.rebuild()")
    with connection.cursor() as cursor:
        step = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        log(f"  {time.perf_counter() - step:7.1f}s  VACUUM ANALYZE")
        cursor.execute("INSERT INTO bench_meta (marker) VALUES (%s)", [marker])


def drop_constraints_and_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the tables' constraints (but the primary key) and indexes; return the SQL to restore them."""
    restore = []
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype <> 'p' ORDER BY contype DESC",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        restore += [definition for _name, definition in indexes]
        restore += [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints]
    return restore


@contextlib.contextmanager
def niced_backends(niceness: int = 10):
    """Run the PostgreSQL backends this process opens at a lower CPU priority: a build takes
    minutes of both cores on a machine others share. Best effort (renicing another user's
    process needs the right to; without it the build runs at normal priority)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def renice(sender, connection, **kwargs):
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with contextlib.suppress(OSError):
            os.setpriority(
                os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), niceness)
            )

    connection_created.connect(renice)
    try:
        if connection.connection is not None:
            renice(None, connection)
        yield
    finally:
        connection_created.disconnect(renice)
        connection.close()  # the next backend runs at normal priority
