"""A province: the two rates over millions of responses from the counts kept at write time.

    python -m bench.province                        # 2,000,000 responses (a district's worth, 2,000 communities)
    python -m bench.province --size province        # 20,000,000 (5,000,000 residents)
    python -m bench.province --size district --size province   # both, and the growth

Each size lives in its own PostgreSQL database (healthedu_bench_province_<size>) under
BENCH_DATABASE_URL, filled once by SQL (generate_series with a seeded hash, as bench.rates does)
and reused on later runs. Three years (2024–2026): each resident's k-th questionnaire falls in
its own stretch of days (k = 0 baseline, 1 follow-up, 2+ routine), a tenth of the fourth ones
anonymous. The fourth is a second survey's (routine), so that
each resident answers a survey once per round. Ten items (six knowledge, four behaviour) each,
kept as the response's item masks; answer
rows are not generated (the rates never read them while a survey has at most 62 items, and they
would be most of the disk). Then, in one run:

1. province: GET /api/rates/?by=community,group,month as an administrator (read from the kept
   counts) against the bare SQL over the raw rows (bench.rates' GROUP BY with each person once,
   and the item sums) — target ≤ 0.1×; and the rates module's own raw path (rates(raw=True), the
   check) for the one-person-once decision of healthedu.surveys.counts;
2. one community-month: GET /api/rates/?community=…&from=…&to=… (API.md's names) against GET
   /api/health/ — target ≤ 2×; the queries of each counted with Django's query capture;
3. a write: response_create through the service with the counts kept against the same write with
   the keeping switched off (counts.kept replaced by a no-op) — target ≤ 1.3×; each written row is
   deleted again, untimed;
4. freshness: the next request after a write counts it.
"""

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
import time

from bench import rows
from bench.rates import (
    BARE_ITEM_SQL,
    BARE_PERSON_SQL,
    BARE_TOTAL_SQL,
    KNOWLEDGE_ITEMS,
    _setup_django,
    _time,
    machine,
)

SIZES = {
    # name: (communities, residents, responses)
    "tiny": (50, 5_000, 20_000),
    "district": (2_000, 500_000, 2_000_000),
    "province": (2_000, 5_000_000, 20_000_000),
}
ITEMS = 10
SEED = 20261202
WRITES = 60  # of each kind, taking turns: the median of a noisy machine needs many
PREFIX = "healthedu_bench_province_"


def _database_name(size: str) -> str:
    return PREFIX + size


def generate(size: str, *, regenerate: bool = False, log=print) -> dict:
    communities, residents, responses = SIZES[size]
    name = _database_name(size)
    marker = f"province/{communities}/{residents}/{responses}/{SEED}"
    if not rows.needs_rows(name, marker, regenerate=regenerate):
        log(f"[{size}] reusing {name} ({marker})")
        return {"generated": False, "generate_seconds": None}
    log(
        f"[{size}] generating {communities} communities, {residents} residents, {responses} responses"
    )
    started = time.perf_counter()
    behaviour = ITEMS - KNOWLEDGE_ITEMS
    # Item k (bit k-1) answered unless one hashed item is skipped; correct with about 75 % chance.
    masks = f"""
        SELECT n, am, am & ({rows.hashed("n", 8)} | {rows.hashed("n", 9)}) & 1023 AS cm
        FROM (SELECT n, 1023 & ~(1 << ({rows.hashed("n", 7)} % 16)) AS am FROM bench_respondent) m"""
    statements = [
        "SET work_mem = '256MB'",
        "SET maintenance_work_mem = '1GB'",
        rows.TRUNCATE,
        *rows.people(
            district="基准省",
            streets=max(1, communities // 20),
            communities=communities,
            code="P",
            width=5,
            residents=residents,
        ),
        *rows.surveys(["基准问卷", "基准问卷（常规二）"], items=ITEMS, knowledge=KNOWLEDGE_ITEMS),
        "DROP TABLE IF EXISTS bench_respondent",
        # The k-th questionnaire of a resident: 270 days apart from 2024-01-01, three years.
        f"""CREATE UNLOGGED TABLE bench_respondent AS
            SELECT n, 1 + (n - 1) % {residents} AS resident_id, LEAST((n - 1) / {residents}, 2) AS stage,
                   date '2024-01-01' + ((n - 1) / {residents}) * 270 + {rows.hashed("n", 4)} % 260 AS answered_on,
                   (n - 1) / {residents} = 3 AND {rows.hashed("n", 5)} % 10 = 0 AS anonymous,
                   CASE WHEN (n - 1) / {residents} >= 3 THEN 2 ELSE 1 END AS survey_id
            FROM generate_series(1, {responses}) n""",
        "DROP TABLE IF EXISTS bench_mask",
        f"CREATE UNLOGGED TABLE bench_mask AS {masks}",
        f"""INSERT INTO surveys_response (id, survey_id, resident_id, community_id, answered_on, round, sex, age,
                is_migrant, month, knowledge_answered, knowledge_correct, behavior_answered, behavior_healthy,
                knowledge_points, knowledge_full, behavior_points, behavior_full, answered_items, correct_items,
                knowledge_score, behavior_score, knowledge_aware, behavior_formed, is_elderly, is_women,
                is_youth, is_general, import_key, created_by_id, created_at, updated_at)
            SELECT p.n, p.survey_id, CASE WHEN p.anonymous THEN NULL ELSE p.resident_id END, r.community_id, p.answered_on,
                   (ARRAY['baseline', 'followup', 'routine'])[p.stage + 1], r.sex, a.age, r.is_migrant,
                   date_trunc('month', p.answered_on)::date, c.ka, c.kc, c.ba, c.bh,
                   c.kc, {KNOWLEDGE_ITEMS}, c.bh, {behaviour}, m.am, m.cm,
                   CASE WHEN c.ka > 0 THEN c.kc::float / {KNOWLEDGE_ITEMS} END,
                   CASE WHEN c.ba > 0 THEN c.bh::float / {behaviour} END,
                   CASE WHEN c.ka > 0 THEN c.kc >= 0.8 * {KNOWLEDGE_ITEMS} - 1e-9 END,
                   CASE WHEN c.ba > 0 THEN c.bh >= 0.8 * {behaviour} - 1e-9 END,
                   a.age >= 60, r.sex = 'F' AND a.age >= 18, a.age BETWEEN 10 AND 24,
                   NOT (a.age >= 60 OR (r.sex = 'F' AND a.age >= 18) OR a.age BETWEEN 10 AND 24 OR r.is_migrant),
                   CASE WHEN p.anonymous THEN 'bench-' || p.n ELSE '' END, NULL, now(), now()
            FROM bench_respondent p
            JOIN bench_mask m ON m.n = p.n
            JOIN residents_resident r ON r.id = p.resident_id
            CROSS JOIN LATERAL (SELECT
                bit_count((m.am & 63)::bit(10)) AS ka, bit_count((m.cm & 63)::bit(10)) AS kc,
                bit_count((m.am >> 6)::bit(10)) AS ba, bit_count((m.cm >> 6)::bit(10)) AS bh) c
            CROSS JOIN LATERAL (SELECT extract(year FROM age(p.answered_on, r.birth_date))::int AS age) a""",
        "DROP TABLE bench_respondent",
        "DROP TABLE bench_mask",
    ]
    with rows.niced_backends():
        rows.load(statements, ["surveys_response"], log)
        rows.finish(marker, log)
    seconds = time.perf_counter() - started
    log(f"[{size}] generated in {seconds:.0f}s")
    return {"generated": True, "generate_seconds": round(seconds, 1)}


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _queries(fn) -> int:
    """The SQL statements one call runs (Django's query capture)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def measure(size: str, *, repeats: int = 3, raw_path: bool = True, log=print) -> dict:
    from django.db import connection
    from django.test import Client

    from healthedu.org.models import Role, User
    from healthedu.org.reach import Reach
    from healthedu.surveys import services
    from healthedu.surveys.models import RateCount, Survey
    from healthedu.surveys.rates import RateQuery, rates

    rows.use_database(_database_name(size))
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
    client = Client()
    client.force_login(admin)

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, response.content[:300]
        return json.loads(response.content)

    def province_bytes():
        # Timed up to the last byte of the answer: the client's parse of 100 MB of JSON (seconds
        # of Python building a million dicts) is the client's, as fetching rows is the bare
        # SQL's only cost on its side.
        response = client.get("/api/rates/", {"by": "community,group,month"})
        assert response.status_code == 200, response.content[:300]
        return response.content

    def province():
        return json.loads(province_bytes())

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(BARE_PERSON_SQL)
            people = cursor.fetchall()
            cursor.execute(BARE_TOTAL_SQL)
            total = cursor.fetchone()
            cursor.execute(BARE_ITEM_SQL)
            return people, total, cursor.fetchall()

    (api_seconds, content), (bare_seconds, (person_rows, total, item_rows)) = _time(
        province_bytes, bare, repeats=repeats
    )
    body, response_mb = json.loads(content), round(len(content) / 2**20, 1)
    content = None
    assert (
        body["knowledge"]["denominator"] == total[1] and body["knowledge"]["numerator"] == total[0]
    )
    general = sum(
        e["knowledge"]["denominator"] for e in body["breakdown"] if e["group"] == "general"
    )
    assert general == sum(r[9 + 4 * 7 + 1] for r in person_rows)
    assert sum(i["denominator"] for i in body["items"]) == sum(
        v for r in item_rows for v in r[1::2]
    )

    raw_seconds = None
    if raw_path:
        started = time.perf_counter()
        raw = rates(
            RateQuery(reach=Reach.everything(), by=["community", "group", "month"]), raw=True
        )
        raw_seconds = time.perf_counter() - started
        assert raw["knowledge"] == body["knowledge"]

    community = 1 + SIZES[size][0] // 2
    # The API's date parameters are from/to (API.md); other names would be ignored and the
    # whole province's history of the community counted instead.
    cell = {"community": community, "from": "2025-06-01", "to": "2025-06-30"}
    ((cell_seconds, cell_body), (health_seconds, _health)) = _time(
        lambda: get("/api/rates/", cell), lambda: get("/api/health/"), repeats=3 * repeats
    )
    # The dates were read (a community and one year's dates give that year's targets).
    assert cell_body.get("target_year") == 2025, cell_body.keys()
    cell_queries, health_queries = (
        _queries(lambda: get("/api/rates/", cell)),
        _queries(lambda: get("/api/health/")),
    )

    from residents.models import Resident

    survey = Survey.objects.get(pk=1)

    people = list(Resident.objects.order_by("-pk").values_list("pk", flat=True)[: 2 * WRITES])

    def write(resident_id, keep):
        resident = Resident.objects.get(pk=resident_id)
        original = services.counts.kept
        if not keep:
            services.counts.kept = _no_keeping
        try:
            started = time.perf_counter()
            new = services.response_create(
                user=admin,
                survey=survey,
                resident=resident,
                answered_on=dt.date(2026, 11, 20),
                round="routine",
                answers=[{"item": i.pk, "choice": [0]} for i in items],
            )
            seconds = time.perf_counter() - started
            services.response_delete(user=admin, response=new)  # untimed, kept alike
        finally:
            services.counts.kept = original
        return seconds

    # A new version of the survey, so that none of these residents has answered it yet.
    survey = services.survey_copy(user=admin, survey=survey, title="写入基准")
    items = list(survey.items.order_by("order"))
    with_keep, without = [], []
    for n, resident_id in enumerate(people):
        (with_keep if n % 2 == 0 else without).append(write(resident_id, keep=n % 2 == 0))
    write_with, write_without = statistics.median(with_keep), statistics.median(without)

    before = province()["knowledge"]["denominator"]
    new = services.response_create(
        user=admin,
        survey=survey,
        answered_on=dt.date(2026, 11, 21),
        round="routine",
        sex="F",
        age=66,
        is_migrant=False,
        community=survey.community or _first_community(),
        answers=[{"item": i.pk, "choice": [0]} for i in items],
    )
    fresh = province()["knowledge"]["denominator"] == before + 1
    services.response_delete(user=admin, response=new)
    services.survey_delete(user=admin, survey=survey)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM surveys_response")
        responses = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_total_relation_size('surveys_response'), pg_total_relation_size('surveys_ratecount')"
        )
        response_bytes, count_bytes = cursor.fetchone()
    figures = {
        "size": size,
        "communities": SIZES[size][0],
        "residents": SIZES[size][1],
        "responses": responses,
        "kept_rows": RateCount.objects.count(),
        "response_table_mb": round(response_bytes / 2**20),
        "kept_table_mb": round(count_bytes / 2**20),
        "province_api_seconds": round(api_seconds, 3),
        "province_bare_sql_seconds": round(bare_seconds, 3),
        "province_ratio": round(api_seconds / bare_seconds, 3),
        "province_raw_path_seconds": round(raw_seconds, 3) if raw_seconds is not None else None,
        "breakdown_rows": len(body["breakdown"]),
        "province_response_mb": response_mb,
        "cell_api_seconds": round(cell_seconds, 4),
        "health_seconds": round(health_seconds, 4),
        "cell_ratio": round(cell_seconds / health_seconds, 2),
        "cell_queries": cell_queries,
        "health_queries": health_queries,
        "cell_denominator": cell_body["knowledge"]["denominator"],
        "write_kept_seconds": round(write_with, 4),
        "write_unkept_seconds": round(write_without, 4),
        "write_ratio": round(write_with / write_without, 2),
        "fresh_counted": fresh,
    }
    log(json.dumps(figures, ensure_ascii=False))
    return figures


def _first_community():
    from healthedu.org.models import Community

    return Community.objects.order_by("pk").first()


@contextlib.contextmanager
def _no_keeping(**_kwargs):
    """counts.kept without the keeping: the write alone, for the cost comparison (inside the
    service's own transaction, as kept() is: no savepoint)."""
    from django.db import transaction

    from healthedu.surveys.counts import Keeper

    with transaction.atomic(savepoint=False):
        yield Keeper((), ())


def run(
    *sizes: str, regenerate: bool = False, repeats: int = 3, raw_path: bool = True, log=print
) -> dict:
    sizes = sizes or ("district",)
    _setup_django(_database_name(sizes[0]))
    results = {}
    for size in sizes:
        generated = generate(size, regenerate=regenerate, log=log)
        figures = measure(size, repeats=repeats, raw_path=raw_path, log=log)
        results[size] = {**figures, **generated}
    out = {"machine": machine(), "sizes": results}
    if len(results) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        out["growth"] = {
            key: round(last[key] / first[key], 2)
            for key in (
                "responses",
                "province_api_seconds",
                "province_bare_sql_seconds",
                "cell_api_seconds",
                "write_kept_seconds",
            )
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="repeatable")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the data even if present"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed rounds of the province request (median)"
    )
    parser.add_argument(
        "--no-raw-path",
        action="store_true",
        help="skip timing rates(raw=True), the window over the raw rows (minutes at 20 M)",
    )
    args = parser.parse_args()
    sizes = args.size or ["district"]
    if args.generate_only:
        _setup_django(_database_name(sizes[0]))
        for size in sizes:
            generate(size, regenerate=args.regenerate)
        return
    # With --json the figures are the only thing on stdout (bench.run reads them); the progress
    # goes to stderr.
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else print
    figures = run(
        *sizes,
        regenerate=args.regenerate,
        repeats=args.repeats,
        raw_path=not args.no_raw_path,
        log=log,
    )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
