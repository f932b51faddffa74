"""Stopping `make run` (scripts/run.py under `make serve`): a TERM to the process group, as a
service manager or a closing terminal sends, and a TERM to make alone, each stop the server and
the worker cleanly: every process gone within the deadline, the worker's warm shutdown said once,
no RecursionError. Real processes, on a free port and a temporary HEALTHEDU_VAR_DIR; both cases
run side by side to keep the test short."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 90  # the server's system checks, on a busy 2-core CI machine
STOP_SECONDS = 30

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the server is up
    except OSError:
        return False
    return True


def descendants(pid: int) -> set[int]:
    """Every live process started (directly or not) by pid, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def start(tmp_path, name):
    port = free_port()
    var_dir = tmp_path / name
    var_dir.mkdir()
    log = (tmp_path / f"{name}.log").open("w+")
    env = {**os.environ, "HEALTHEDU_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the product's settings, not the test settings
    make = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal or service would give it
    )
    return make, port, log


def test_a_term_to_the_group_or_to_make_alone_stops_everything_cleanly(tmp_path):
    runs = {name: start(tmp_path, name) for name in ("group", "parent")}
    try:
        deadline = time.monotonic() + START_SECONDS
        while not all(answers(port) for _make, port, _log in runs.values()):
            assert time.monotonic() < deadline, "the server did not answer"
            assert all(make.poll() is None for make, _port, _log in runs.values())
            time.sleep(0.5)
        time.sleep(2)  # the worker's pool is up too
        processes = {
            name: descendants(make.pid) | {make.pid} for name, (make, _, _) in runs.items()
        }
        assert all(len(p) >= 5 for p in processes.values()), processes  # make, runner, worker…

        os.killpg(runs["group"][0].pid, signal.SIGTERM)
        runs["parent"][0].send_signal(signal.SIGTERM)

        deadline = time.monotonic() + STOP_SECONDS
        for name, pids in processes.items():
            while alive := [pid for pid in pids if _alive(pid)]:
                assert time.monotonic() < deadline, f"{name}: still running {alive}"
                time.sleep(0.2)
        for make, port, log in runs.values():
            make.wait(timeout=5)
            log.seek(0)
            output = log.read()
            assert "RecursionError" not in output, output[-2000:]
            assert output.count("Warm shutdown") == 1, output[-2000:]
            assert not answers(port)
    finally:
        for make, _port, log in runs.values():
            for pid in descendants(make.pid) | {make.pid}:
                _kill(pid)
            log.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
