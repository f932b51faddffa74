"""List endpoints: query counts at page sizes 10 and 500, and p95 latency under 20 concurrent
clients against /api/health/ under the same load, with gunicorn serving.

    DATABASE_URL=postgres://… python -m bench.api_load

Targets (issue 7): query counts equal at both page sizes and ≤ 8; p95 ≤ 3× /api/health/'s
"under the same load": each client alternates the list and /api/health/, and the two p95s of
that one load are compared. Each endpoint's p95 alone against /api/health/'s alone (the same
number of clients, asking for one path only) is reported as well.
"""

import os
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.server import gunicorn

LIST_ENDPOINTS = [
    "/api/residents/",
    "/api/events/",
    "/api/bp-readings/",
    "/api/referrals/",
    "/api/surveys/",
    "/api/survey-responses/",
    "/api/communities/",
    "/api/jobs/",
]


def query_counts(username: str) -> dict:
    """Queries per request at page_size 10 and 500, each with a freshly loaded user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from healthedu.org.models import User

    counts = {}
    for path in LIST_ENDPOINTS:
        row = {}
        for size in (10, 500):
            client = APIClient()
            client.force_authenticate(User.objects.get(username=username))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, {"page_size": size})
            row[size] = (
                len(queries) if response.status_code == 200 else f"HTTP {response.status_code}"
            )
            row[f"rows_{size}"] = (
                len(response.json().get("results", [])) if response.status_code == 200 else 0
            )
        counts[path] = row
    return counts


def _get(url: str, token: str) -> float:
    request = urllib.request.Request(
        url, headers={"Authorization": f"Token {token}"} if token else {}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - started


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def latency(
    token: str,
    *,
    clients: int = 20,
    requests_per_client: int = 25,
    port: int = 8799,
    workers: int = 4,
) -> dict:
    with gunicorn(port, workers=workers) as base:
        paths = ["/api/health/", *LIST_ENDPOINTS]

        def url_of(path):
            return base + path + ("" if path == "/api/health/" else "?page_size=50")

        # Warm every worker on every path first (imports, connections, caches), so that the
        # first path measured does not carry the server's start-up.
        with ThreadPoolExecutor(clients) as pool:
            warm = [url_of(path) for path in paths for _ in range(workers * 3)]
            list(pool.map(_get, warm, [token] * len(warm)))
        results = {}
        for path in paths:
            # Alone: every client asks for this path only.
            url = url_of(path)
            with ThreadPoolExecutor(clients) as pool:
                samples = list(
                    pool.map(
                        _get,
                        [url] * (clients * requests_per_client),
                        [token] * (clients * requests_per_client),
                    )
                )
            results[path] = {
                "p95_ms": round(_p95(samples), 1),
                "median_ms": round(statistics.median(samples) * 1000, 1),
            }
            if path == "/api/health/":
                continue

            # Under the same load: each client alternates this path and /api/health/, so both
            # wait in the same queue and the difference is what the endpoint itself costs.
            def client(n, url=url):
                mine = {"list": [], "health": []}
                for i in range(requests_per_client):
                    order = ("list", "health") if (n + i) % 2 else ("health", "list")
                    for kind in order:
                        target = url if kind == "list" else url_of("/api/health/")
                        mine[kind].append(_get(target, token))
                return mine

            with ThreadPoolExecutor(clients) as pool:
                per_client = list(pool.map(client, range(clients)))
            mixed_list = [t for c in per_client for t in c["list"]]
            mixed_health = [t for c in per_client for t in c["health"]]
            results[path]["same_load"] = {
                "p95_ms": round(_p95(mixed_list), 1),
                "health_p95_ms": round(_p95(mixed_health), 1),
                "ratio": round(_p95(mixed_list) / _p95(mixed_health), 2),
            }
        health = results["/api/health/"]["p95_ms"]
        for row in results.values():
            row["ratio_to_health"] = round(row["p95_ms"] / health, 2)
        return results


def run(username: str = "edu_th") -> dict:
    from rest_framework.authtoken.models import Token

    from healthedu.org.models import User

    token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
    return {"query_counts": query_counts(username), "latency": latency(token.key)}


GROWTH_ENDPOINTS = ["/api/residents/", "/api/survey-responses/"]


def growth(*sizes: str, repeats: int = 7) -> dict:
    """How a list's first page grows with the table: the median time of one request (in-process,
    a district administrator, the widest reach) on the rates benchmark's databases, which hold
    50,000 / 500,000 residents and 200,000 / 2,000,000 responses (bench.rates generates them)."""
    from rest_framework.test import APIClient

    from bench.rates import _database_name
    from bench.rows import use_database
    from healthedu.org.models import Role, User

    figures = {}
    for size in sizes:
        use_database(_database_name(size))
        admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
        client = APIClient()
        client.force_authenticate(admin)
        figures[size] = {}
        for path in GROWTH_ENDPOINTS:
            client.get(path)
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            figures[size][path] = {
                "rows": response.json()["count"],
                "ms": round(statistics.median(samples) * 1000, 1),
            }
    return figures


if __name__ == "__main__":
    import argparse
    import json

    import django

    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--growth", nargs="+", metavar="SIZE", help="only the growth figures, on these sizes"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    django.setup()
    figures = growth(*args.growth) if args.growth else run()
    print(json.dumps(figures, indent=1, ensure_ascii=False))
