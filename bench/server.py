"""The app under gunicorn for the benchmarks that measure over HTTP (bench.api_load, bench.desk)."""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def gunicorn(port: int, *, workers: int = 4, static_root: str | None = None, wait: float = 30):
    """Serve the app on 127.0.0.1:port with `workers` sync workers (DEBUG off, the database of
    DATABASE_URL) and yield its base URL once /api/health/ answers; stop it afterwards.
    static_root: collect the static files there first, for a run that loads pages."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthedu.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    if static_root is not None:
        env["STATIC_ROOT"] = static_root
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "healthedu.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
            # Workers import the whole app on a shared, busy machine, and the first request
            # can take longer than gunicorn's default 30 s: a killed worker would end the run,
            # not measure it.
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health/", timeout=10) as response:
                    response.read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
