"""The screening desk on a slow line: a desk save's round trip, and the desk's first load on 3G.

    DATABASE_URL=postgres://… python -m bench.desk      (on the demo database: bench.run seeds it)

1. A desk save is what the desk sends when online: POST /api/sync/ with one reading item. With
   gunicorn serving, CLIENTS clients each alternate a save and GET /api/health/, so both wait in
   the same queue; the target (issue 13) is the save's p95 ≤ 2× /api/health/'s in that load.
   Each save measures a different resident at a screening made for the run (two readings each,
   the guideline's visit), so that every save is a real write.
2. The first load: headless Chromium (Debian's /usr/bin/chromium) under Chrome DevTools' "3G"
   profile (Network.emulateNetworkConditions: 562.5 ms latency, 1.6 Mbit/s down, 750 kbit/s up,
   the former "Fast 3G"), with an empty cache, from navigation to the desk ready to find a
   person (the roster loaded); then the same page opened again (its files from the service
   worker's cache).
"""

import datetime as dt
import json
import os
import statistics
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from bench.server import gunicorn

CLIENTS = 10
SAVES_PER_CLIENT = 20
THREE_G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def _request(url: str, token: str, body: dict | None = None) -> float:
    headers = {"Authorization": f"Token {token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = response.read()
    elapsed = time.perf_counter() - started
    if body is not None:
        status = json.loads(payload)["results"][0]["status"]
        assert status == "applied", payload[:500]
    return elapsed


def _fixture(username: str):
    """A screening under way in the user's first community, and residents enough to measure."""
    from django.utils import timezone

    from healthedu.activities.models import Event
    from healthedu.org.models import User
    from residents.models import Resident

    user = User.objects.get(username=username)
    community = user.communities.order_by("pk").first()
    start = timezone.now() - dt.timedelta(minutes=30)
    event = Event.objects.create(
        community=community,
        kind="bp_screening",
        title=f"bench desk {uuid.uuid4().hex[:6]}",
        venue=f"bench {uuid.uuid4().hex[:6]}",  # one venue is not booked twice at once
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        status="held",
        created_by=user,
    )
    residents = list(
        Resident.objects.filter(community=community, status="active")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return user, event, residents


def save_round_trip(base: str, token: str, event, residents: list[int]) -> dict:
    needed = CLIENTS * SAVES_PER_CLIENT
    if len(residents) * 2 < needed:
        raise SystemExit(f"{len(residents)} residents: too few for {needed} saves")
    start = event.starts_at + dt.timedelta(minutes=1)

    def item(n: int) -> dict:
        # Resident n // 2, reading n % 2 of their visit, a minute apart.
        return {
            "items": [
                {
                    "id": str(uuid.uuid4()),
                    "op": "reading",
                    "event": event.pk,
                    "resident": residents[n // 2],
                    "systolic": 128 + n % 7,
                    "diastolic": 80 + n % 5,
                    "pulse": 72,
                    "measured_at": (start + dt.timedelta(minutes=n % 2)).isoformat(),
                }
            ]
        }

    sync, health = base + "/api/sync/", base + "/api/health/"
    # Warm every worker on both paths (imports, connections).
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda _: _request(health, token), range(40)))

    def client(c: int) -> dict:
        mine = {"save": [], "health": []}
        for i in range(SAVES_PER_CLIENT):
            n = c * SAVES_PER_CLIENT + i
            order = ("save", "health") if (c + i) % 2 else ("health", "save")
            for kind in order:
                if kind == "save":
                    mine["save"].append(_request(sync, token, item(n)))
                else:
                    mine["health"].append(_request(health, token))
        return mine

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    saves = [t for r in results for t in r["save"]]
    healths = [t for r in results for t in r["health"]]
    return {
        "clients": CLIENTS,
        "saves": len(saves),
        "save_p95_ms": round(_p95(saves), 1),
        "save_median_ms": round(statistics.median(saves) * 1000, 1),
        "health_p95_ms": round(_p95(healths), 1),
        "ratio": round(_p95(saves) / _p95(healths), 2),
    }


def first_load(base: str, user, event) -> dict:
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    url = f"{base}/activities/{event.pk}/desk/"
    ready = "() => document.getElementById('desk-queue').dataset.waiting !== undefined"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.send("Network.emulateNetworkConditions", THREE_G)
        transferred = []
        cdp.on("Network.loadingFinished", lambda e: transferred.append(e["encodedDataLength"]))
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(ready, timeout=120_000)
        cold = time.perf_counter() - started
        cold_bytes = sum(transferred)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
        transferred.clear()
        started = time.perf_counter()
        page.reload()
        page.wait_for_function(ready, timeout=120_000)
        warm = time.perf_counter() - started
        browser.close()
    return {
        "profile": "3G (562.5 ms, 1.6 Mbit/s down, 750 kbit/s up)",
        "cold_s": round(cold, 2),
        "cold_kb": round(cold_bytes / 1024, 1),
        "warm_s": round(warm, 2),
        "warm_kb": round(sum(transferred) / 1024, 1),
    }


def run(username: str = "edu_th", port: int = 8798) -> dict:
    from rest_framework.authtoken.models import Token

    user, event, residents = _fixture(username)
    token, _ = Token.objects.get_or_create(user=user)
    with (
        tempfile.TemporaryDirectory() as static_root,
        gunicorn(port, static_root=static_root) as base,
    ):
        figures = {"roster": len(residents)}
        figures["save"] = save_round_trip(base, token.key, event, residents)
        figures["first_load"] = first_load(base, user, event)
    return figures


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    print(json.dumps(run(), ensure_ascii=False))
