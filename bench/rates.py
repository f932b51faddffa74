"""The two rates at district scale: GET /api/rates/?by=community,group,month against the bare SQL.

    python -m bench.rates                       # small (20 communities, 50k residents, 200k responses)
    python -m bench.rates --size full           # 200 communities, 500k residents, 2M responses
    python -m bench.rates --size small --size full   # both, and the growth ratio

Each size lives in its own PostgreSQL database (healthedu_bench_rates_<size>) under
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/), created, migrated and filled
once by SQL (generate_series with a seeded hash, so the same seed gives the same rows) and reused
on later runs. Then, in one run:

1. the API: Django's test client, signed in as an administrator (the widest reach), GETs
   /api/rates/?by=community,group,month — the full request path: middleware, auth, the rates
   module's GROUP BYs, pandas shaping, JSON;
2. the bare aggregate: the same counts as hand-written SQL over the same rows (one GROUP BY
   over responses with FILTERed counts per group, one GROUP BY over answers per item);
3. freshness: a new response is saved through the service, the API is asked again and its
   denominator must be one higher at once (there is no nightly rebuild), then it is removed.

`run(sizes)` returns the figures as a dict; bench/run.py may call it.
"""

import argparse
import json
import os
import platform
import statistics
import time

from bench import rows

SIZES = {
    # name: (communities, residents, responses)
    "tiny": (5, 5_000, 20_000),
    "small": (20, 50_000, 200_000),
    "full": (200, 500_000, 2_000_000),
}
ITEMS = 10  # 6 knowledge + 4 behaviour
KNOWLEDGE_ITEMS = 6
SEED = rows.SEED
REPEATS = 5
# Chance (in %) of a correct / healthy answer by round: baseline, follow-up, routine.
SKILL = {0: (70, 55), 1: (85, 70), 2: (78, 62)}


def _database_name(size: str) -> str:
    # BENCH_RATES_PREFIX keeps a run's databases apart from another checkout's (same server).
    return os.environ.get("BENCH_RATES_PREFIX", "healthedu_bench_rates_") + size


def _setup_django(first_db: str) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    os.environ["DATABASE_URL"] = rows.BASE_URL.rstrip("/") + "/" + first_db
    os.environ.setdefault("DEBUG", "0")  # no query log kept in memory
    django.setup()


def generate(size: str, *, regenerate: bool = False, log=print) -> dict:
    """Fill the size's database unless it already holds this size and seed. Returns timings."""
    communities, residents, responses = SIZES[size]
    marker = f"{communities}/{residents}/{responses}/{SEED}/points"
    if not rows.needs_rows(_database_name(size), marker, regenerate=regenerate):
        log(f"[{size}] reusing {_database_name(size)} ({marker})")
        return {"generated": False, "generate_seconds": None}

    log(
        f"[{size}] generating {communities} communities, {residents} residents, {responses} responses"
    )
    started = time.perf_counter()
    per_resident = -(-responses // residents)  # questionnaires per resident, ≤ 4 keeps dates unique
    statements = [
        "SET work_mem = '256MB'",
        "SET maintenance_work_mem = '512MB'",
        rows.TRUNCATE,
        *rows.people(
            district="基准区",
            streets=max(1, communities // 10),
            communities=communities,
            code="B",
            width=4,
            residents=residents,
        ),
        *rows.surveys(["基准问卷"], items=ITEMS, knowledge=KNOWLEDGE_ITEMS),
        # Respondent n: resident 1 + (n-1) % R, k = (n-1) / R-th questionnaire of that resident:
        # k = 0 baseline (March), 1 follow-up (October), 2+ routine (disjoint day ranges).
        "DROP TABLE IF EXISTS bench_respondent",
        f"""CREATE UNLOGGED TABLE bench_respondent AS
            SELECT n, 1 + (n - 1) % {residents} AS resident_id, LEAST((n - 1) / {residents}, 2) AS stage,
                   CASE (n - 1) / {residents}
                        WHEN 0 THEN date '2026-03-01' + {rows.hashed("n", 4)} % 28
                        WHEN 1 THEN date '2026-10-01' + {rows.hashed("n", 4)} % 28
                        ELSE date '2026-01-01' + ((n - 1) / {residents} - 2) * 53 + {rows.hashed("n", 4)} % 50
                   END AS answered_on,
                   (n - 1) / {residents} = 3 AS anonymous
            FROM generate_series(1, {responses}) n""",
        "DROP TABLE IF EXISTS bench_answer",
        f"""CREATE UNLOGGED TABLE bench_answer AS
            SELECT r.n, o, r.stage,
                   {rows.hashed("r.n * 16 + o", 6)} % 25 <> 0 AS answered,
                   {rows.hashed("r.n * 16 + o", 7)} % 100 < CASE WHEN o <= {KNOWLEDGE_ITEMS}
                        THEN (ARRAY[{SKILL[0][0]}, {SKILL[1][0]}, {SKILL[2][0]}])[r.stage + 1]
                        ELSE (ARRAY[{SKILL[0][1]}, {SKILL[1][1]}, {SKILL[2][1]}])[r.stage + 1] END AS correct
            FROM bench_respondent r CROSS JOIN generate_series(1, {ITEMS}) o""",
        f"""INSERT INTO surveys_response (id, survey_id, resident_id, community_id, answered_on, round, sex, age,
                is_migrant, month, knowledge_answered, knowledge_correct, behavior_answered, behavior_healthy,
                knowledge_points, knowledge_full, behavior_points, behavior_full, answered_items, correct_items,
                knowledge_score, behavior_score, knowledge_aware, behavior_formed, is_elderly, is_women,
                is_youth, is_general, import_key, created_by_id, created_at, updated_at)
            SELECT p.n, 1, CASE WHEN p.anonymous THEN NULL ELSE p.resident_id END, r.community_id, p.answered_on,
                   (ARRAY['baseline', 'followup', 'routine'])[p.stage + 1], r.sex, a.age, r.is_migrant,
                   date_trunc('month', p.answered_on)::date, c.ka, c.kc, c.ba, c.bh,
                   c.kc, {KNOWLEDGE_ITEMS}, c.bh, {ITEMS - KNOWLEDGE_ITEMS}, c.am, c.cm,
                   CASE WHEN c.ka > 0 THEN c.kc::float / {KNOWLEDGE_ITEMS} END,
                   CASE WHEN c.ba > 0 THEN c.bh::float / {ITEMS - KNOWLEDGE_ITEMS} END,
                   CASE WHEN c.ka > 0 THEN c.kc >= 0.8 * {KNOWLEDGE_ITEMS} - 1e-9 END,
                   CASE WHEN c.ba > 0 THEN c.bh >= 0.8 * {ITEMS - KNOWLEDGE_ITEMS} - 1e-9 END,
                   a.age >= 60, r.sex = 'F' AND a.age >= 18, a.age BETWEEN 10 AND 24,
                   NOT (a.age >= 60 OR (r.sex = 'F' AND a.age >= 18) OR a.age BETWEEN 10 AND 24 OR r.is_migrant),
                   CASE WHEN p.anonymous THEN 'bench-' || p.n ELSE '' END, NULL, now(), now()
            FROM bench_respondent p
            JOIN residents_resident r ON r.id = p.resident_id
            JOIN (SELECT n, count(*) FILTER (WHERE answered AND o <= {KNOWLEDGE_ITEMS}) AS ka,
                         count(*) FILTER (WHERE answered AND correct AND o <= {KNOWLEDGE_ITEMS}) AS kc,
                         count(*) FILTER (WHERE answered AND o > {KNOWLEDGE_ITEMS}) AS ba,
                         count(*) FILTER (WHERE answered AND correct AND o > {KNOWLEDGE_ITEMS}) AS bh,
                         sum(CASE WHEN answered THEN 1::bigint << (o - 1) ELSE 0 END) AS am,
                         sum(CASE WHEN answered AND correct THEN 1::bigint << (o - 1) ELSE 0 END) AS cm
                  FROM bench_answer GROUP BY n) c ON c.n = p.n
            CROSS JOIN LATERAL (SELECT extract(year FROM age(p.answered_on, r.birth_date))::int AS age) a""",
        """INSERT INTO surveys_answer (response_id, item_id, choice, correct)
            SELECT n, o, CASE WHEN correct THEN '[0]'::jsonb ELSE '[1]'::jsonb END, correct
            FROM bench_answer WHERE answered""",
        "DROP TABLE bench_respondent",
        "DROP TABLE bench_answer",
    ]
    with rows.niced_backends():
        # Bulk load without per-row index and foreign-key upkeep; rebuilt (and checked) after.
        rows.load(statements, ["surveys_answer", "surveys_response"], log)
        rows.finish(marker, log)
    seconds = time.perf_counter() - started
    log(f"[{size}] generated in {seconds:.0f}s")
    if per_resident > 4:
        log("  (more than 4 questionnaires per resident: routine dates may collide)")
    return {"generated": True, "generate_seconds": round(seconds, 1)}


def _group_filters() -> str:
    flags = {
        "elderly": "is_elderly",
        "women": "is_women",
        "youth": "is_youth",
        "migrant": "is_migrant",
        "general": "is_general",
    }
    parts = []
    for flag in flags.values():
        parts += [
            f"count(*) FILTER (WHERE knowledge_aware AND {flag})",
            f"count(knowledge_aware) FILTER (WHERE {flag})",
            f"count(*) FILTER (WHERE behavior_formed AND {flag})",
            f"count(behavior_formed) FILTER (WHERE {flag})",
            # the rounds each group's figure covers, as the API says them
            *(
                f"count(*) FILTER (WHERE round = '{name}' AND {flag})"
                for name in ("baseline", "followup", "routine")
            ),
        ]
    return ",\n       ".join(parts)


def _counted(partition: str) -> str:
    """Each person once (the API's rule): anonymous responses, and each resident's latest
    response within the partition."""
    return f"""(SELECT * FROM surveys_response WHERE resident_id IS NULL OR id IN (
        SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY resident_id{partition}
                        ORDER BY answered_on DESC, id DESC) AS rank
                        FROM surveys_response WHERE resident_id IS NOT NULL) latest
        WHERE rank = 1)) counted"""


ROUND_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE round = '{name}')" for name in ("baseline", "followup", "routine")
)
BARE_PERSON_SQL = f"""
SELECT community_id, month,
       count(*) FILTER (WHERE knowledge_aware), count(knowledge_aware),
       count(*) FILTER (WHERE behavior_formed), count(behavior_formed),
       {ROUND_COUNTS},
       {_group_filters()}
FROM {_counted(", community_id, month")}
GROUP BY community_id, month
"""
# The headline counts a person once over the whole window (a second, narrower partition).
BARE_TOTAL_SQL = f"""
SELECT count(*) FILTER (WHERE knowledge_aware), count(knowledge_aware),
       count(*) FILTER (WHERE behavior_formed), count(behavior_formed), {ROUND_COUNTS}
FROM {_counted("")}
"""
# Item rates as the API counts them: the answered/correct bits of each item order, summed over
# responses (one scan of the response table) ...
BARE_ITEM_SQL = (
    "SELECT survey_id, "
    + ", ".join(
        f"sum((answered_items >> {k}) & 1), sum((correct_items >> {k}) & 1)" for k in range(ITEMS)
    )
    + " FROM surveys_response GROUP BY survey_id"
)
# ... and, for reference, the same counts from the answer rows (19 M at full size).
ANSWER_SCAN_SQL = """
SELECT item_id, count(*) FILTER (WHERE correct), count(*)
FROM surveys_answer
GROUP BY item_id
"""


def _time(*fns, repeats=REPEATS):
    """Median seconds of each function, and its last result. The functions take turns in each
    round, so that whatever else the machine is doing weighs on all of them alike."""
    results = [fn() for fn in fns]  # warm the cache
    times = [[] for _ in fns]
    for _ in range(repeats):
        for n, fn in enumerate(fns):
            started = time.perf_counter()
            results[n] = fn()
            times[n].append(time.perf_counter() - started)
    return [(statistics.median(t), result) for t, result in zip(times, results, strict=True)]


def measure(size: str, *, log=print) -> dict:
    from django.db import connection
    from django.test import Client

    from healthedu.org.models import Community, Role, User
    from healthedu.surveys.models import Survey
    from healthedu.surveys.services import response_create, response_delete

    rows.use_database(_database_name(size))
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
    client = Client()
    client.force_login(admin)
    url = "/api/rates/"
    params = {"by": "community,group,month"}

    def api():
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        return json.loads(response.content)

    def bare_person():
        with connection.cursor() as cursor:
            cursor.execute(BARE_PERSON_SQL)
            rows = cursor.fetchall()
            cursor.execute(BARE_TOTAL_SQL)
            return rows, cursor.fetchone()

    def bare_items():
        with connection.cursor() as cursor:
            cursor.execute(BARE_ITEM_SQL)
            return cursor.fetchall()

    def answer_scan():
        with connection.cursor() as cursor:
            cursor.execute(ANSWER_SCAN_SQL)
            return cursor.fetchall()

    (api_seconds, body), (person_seconds, (person_rows, total)), (item_seconds, item_rows) = _time(
        api, bare_person, bare_items
    )
    ((scan_seconds, scan_rows),) = _time(answer_scan, repeats=1)
    bare_seconds = person_seconds + item_seconds

    # The API's counts are the bare aggregate's, and the answer rows say the same.
    assert body["knowledge"]["denominator"] == total[1]
    assert body["knowledge"]["numerator"] == total[0]
    entries = sum(
        e["knowledge"]["denominator"] for e in body["breakdown"] if e["group"] == "general"
    )
    general_den = 9 + 4 * 7 + 1  # columns: 2 keys, 7 totals, then 7 per group (general last)
    assert entries == sum(r[general_den] for r in person_rows)  # general: people per month
    answered = sum(v for r in item_rows for v in r[1::2])
    assert sum(i["denominator"] for i in body["items"]) == answered == sum(r[2] for r in scan_rows)

    # Freshness: one more response is counted by the very next request.
    before = body["knowledge"]["denominator"]
    survey = Survey.objects.get(pk=1)
    items = list(survey.items.order_by("order"))
    community = Community.objects.order_by("pk").first()
    new = response_create(
        user=admin,
        survey=survey,
        answered_on=__import__("datetime").date(2026, 11, 2),
        round="routine",
        sex="F",
        age=66,
        is_migrant=False,
        community=community,
        answers=[{"item": i.pk, "choice": [0]} for i in items],
    )
    started = time.perf_counter()
    after = api()["knowledge"]["denominator"]
    fresh_seconds = time.perf_counter() - started
    response_delete(user=admin, response=new)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM surveys_response")
        responses = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM surveys_answer")
        answers = cursor.fetchone()[0]
    figures = {
        "size": size,
        "communities": SIZES[size][0],
        "residents": SIZES[size][1],
        "responses": responses,
        "answers": answers,
        "api_seconds": round(api_seconds, 3),
        "bare_seconds": round(bare_seconds, 3),
        "bare_person_seconds": round(person_seconds, 3),
        "bare_item_seconds": round(item_seconds, 3),
        "answer_scan_seconds": round(scan_seconds, 3),
        "ratio": round(api_seconds / bare_seconds, 3),
        "breakdown_rows": len(body["breakdown"]),
        "response_bytes": len(json.dumps(body, ensure_ascii=False).encode()),
        "fresh_counted": after == before + 1,
        "fresh_request_seconds": round(fresh_seconds, 3),
    }
    log(
        f"[{size}] API {api_seconds:.3f}s, bare SQL {bare_seconds:.3f}s "
        f"(responses {person_seconds:.3f}s + items {item_seconds:.3f}s), ratio {figures['ratio']:.2f}; "
        f"new response counted at once: {figures['fresh_counted']}"
    )
    return figures


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f"{int(f.readline().split()[1]) // 1024 // 1024} GB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
            cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgres": pg,
        "python": platform.python_version(),
    }


def run(*sizes: str, regenerate: bool = False, log=print) -> dict:
    """Generate (or reuse) each size and measure it. Returns {"machine", "sizes": {...}, "growth"}."""
    sizes = sizes or ("small",)
    _setup_django(_database_name(sizes[0]))
    results = {}
    for size in sizes:
        generated = generate(size, regenerate=regenerate, log=log)
        results[size] = {**measure(size, log=log), **generated}
    out = {"machine": machine(), "sizes": results}
    if len(results) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        out["growth"] = {
            "rows": round(last["responses"] / first["responses"], 1),
            "api_time": round(last["api_seconds"] / first["api_seconds"], 1),
            "bare_time": round(last["bare_seconds"] / first["bare_seconds"], 1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="repeatable")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the data even if present"
    )
    args = parser.parse_args()
    figures = run(*(args.size or ["small"]), regenerate=args.regenerate)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
