"""Partitioning the responses by year, measured: where would it help a province?

    python -m bench.partition          # on bench.province's 20,000,000 responses (built there)
    python -m bench.partition --size district

The province's reads come from the kept counts (healthedu.surveys.counts), which never touch the
response table; what still reads it are the raw fallbacks (quarters pooled over rounds, a survey
or group filter pooled over rounds, funnel strata, paired tests, the raw check) and deleting an old
year. This copies surveys_response once into a table partitioned by RANGE (answered_on, the
column the date filters are on), one partition a year with the indexes the fallbacks use, and
times, taking turns on the two tables (median of 3 after a warm-up; the three years: one round
after it), the statements rates(raw=True) sends for:

1. one year's quarters (by=quarter, 2025) over the whole province;
2. one community's year by quarter;
3. the three years' quarters (nothing to prune);

and reports the time to remove a year: DELETE of its rows (in a transaction rolled back) against
DETACH PARTITION. The statements are captured from the rates module and pointed at the copy by
name, so both tables answer the same SQL; the answers are compared.
"""

import argparse
import datetime as dt
import json
import sys
import time

from bench import rows
from bench.province import _database_name
from bench.rates import _setup_django, _time

COPY = "bench_response_by_year"
YEARS = (2024, 2025, 2026)
TABLE = '"surveys_response"'
# The rates' date filters are on answered_on (month is its first day, for the kept counts'
# keys): partitioned by it, a year's filter prunes to the year's partition.
KEY = "answered_on"


def build(log=print) -> dict:
    """The partitioned copy, unless one with as many rows is there. Returns its build time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM surveys_response")
        (wanted,) = cursor.fetchone()
        cursor.execute(
            "SELECT pg_get_partkeydef(c.oid) FROM pg_class c WHERE c.relname = %s", [COPY]
        )
        found = cursor.fetchone()
        if found and found[0] == f"RANGE ({KEY})":
            cursor.execute(f"SELECT count(*) FROM {COPY}")
            if cursor.fetchone()[0] == wanted:
                log(f"reusing {COPY} ({wanted} rows)")
                return {"built": False, "build_seconds": None}
        started = time.perf_counter()
        cursor.execute(f"DROP TABLE IF EXISTS {COPY}")
        cursor.execute(
            f"CREATE TABLE {COPY} (LIKE surveys_response INCLUDING DEFAULTS) PARTITION BY RANGE ({KEY})"
        )
        for year in YEARS:
            cursor.execute(
                f"CREATE TABLE {COPY}_{year} PARTITION OF {COPY}"
                f" FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
            )
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(f"INSERT INTO {COPY} SELECT * FROM surveys_response")
        log(f"copied {wanted} rows in {time.perf_counter() - started:.0f}s")
        # The indexes of surveys_response the raw fallbacks use, made on each partition.
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'surveys_response'"
            " AND indexname IN ('response_person_latest', 'response_community_month',"
            " 'response_month', 'response_survey_round')"
        )
        for (definition,) in cursor.fetchall():
            name = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
            statement = definition.replace(f" {name} ", f" {name}_by_year ", 1).replace(
                " ON public.surveys_response ", f" ON {COPY} ", 1
            )
            cursor.execute(statement.replace("CREATE UNIQUE INDEX", "CREATE INDEX"))
        cursor.execute(f"ANALYZE {COPY}")
    seconds = time.perf_counter() - started
    log(f"built {COPY} in {seconds:.0f}s")
    return {"built": True, "build_seconds": round(seconds, 1)}


def _statements(query) -> list[str]:
    """The SQL rates(raw=True) sends for the query (as executed, parameters in place)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from healthedu.surveys.rates import rates

    with CaptureQueriesContext(connection) as captured:
        rates(query, raw=True)
    return [q["sql"] for q in captured.captured_queries if TABLE in q["sql"]]


def _runner(statements: list[str], table: str):
    from django.db import connection

    def run():
        answers = []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace(TABLE, table))
                answers.append(sorted(cursor.fetchall(), key=repr))  # no ORDER BY in some
        return answers

    return run


def _delete_year(year: int) -> tuple[float, float]:
    """Seconds to remove a year: DELETE from the table (rolled back) and DETACH PARTITION
    (attached again after)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "DELETE FROM surveys_response WHERE answered_on >= %s AND answered_on < %s",
            [dt.date(year, 1, 1), dt.date(year + 1, 1, 1)],
        )
        deleted = time.perf_counter() - started
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(f"ALTER TABLE {COPY} DETACH PARTITION {COPY}_{year}")
        detached = time.perf_counter() - started
        cursor.execute(
            f"ALTER TABLE {COPY} ATTACH PARTITION {COPY}_{year}"
            f" FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
        )
    return deleted, detached


def measure(size: str, *, repeats: int = 3, log=print) -> dict:
    from healthedu.org.reach import Reach
    from healthedu.surveys.rates import RateQuery

    rows.use_database(_database_name(size))
    figures = {"size": size, **build(log=log)}
    community = 1 + 2_000 // 2
    year = {"date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 12, 31)}
    shapes = {
        "year_by_quarter": RateQuery(reach=Reach.everything(), by=["quarter"], **year),
        "community_year_by_quarter": RateQuery(
            reach=Reach.everything(), community=community, by=["quarter"], **year
        ),
        "three_years_by_quarter": RateQuery(reach=Reach.everything(), by=["quarter"]),
    }
    for name, query in shapes.items():
        statements = _statements(query)
        # The three years take minutes a round: one timed round after the warm-up.
        rounds = 1 if name.startswith("three_years") else repeats
        (plain, plain_answer), (parted, parted_answer) = _time(
            _runner(statements, TABLE), _runner(statements, COPY), repeats=rounds
        )
        assert plain_answer == parted_answer, name
        figures[name] = {
            "statements": len(statements),
            "rounds": rounds,
            "table_seconds": round(plain, 3),
            "partitioned_seconds": round(parted, 3),
            "ratio": round(parted / plain, 3),
        }
        log(f"{name}: table {plain:.3f}s, partitioned {parted:.3f}s ({parted / plain:.2f} ×)")
    deleted, detached = _delete_year(2024)
    figures["remove_2024"] = {
        "delete_seconds": round(deleted, 2),
        "detach_seconds": round(detached, 4),
    }
    log(f"removing 2024: DELETE {deleted:.1f}s (rolled back), DETACH PARTITION {detached:.3f}s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="province", choices=["district", "province"])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    _setup_django(_database_name(args.size))
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else print
    figures = measure(args.size, log=log)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
