"""`make run`'s two processes: the web server and the Celery worker (with its beat), stopped cleanly.

Started as `exec`ed by make, this is make's only child: a TERM to make (which GNU make passes to
its children), a TERM to the whole process group (what a service manager or a closing terminal
sends) and Ctrl-C all end here. The children run in their own process groups, so each gets the
signal once, from here: the worker finishes the task in hand (Celery's warm shutdown), the server
stops, and this exits when both have. If either stops on its own, the other is stopped too.

    python scripts/run.py [--host 127.0.0.1] [--port 8000]
"""

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In a child, before exec: receive TERM if this runner dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: signals still reach them
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setpgrp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    python = sys.executable
    var_dir = Path(os.environ.get("HEALTHEDU_VAR_DIR", ROOT / "var"))
    celery = [python, "-m", "celery", "-A", "healthedu", "worker", "-B", "-l", "warning"]
    celery += ["--concurrency", "2", "-s", str(var_dir / "celerybeat-schedule")]
    server = [python, str(ROOT / "manage.py"), "runserver", f"{args.host}:{args.port}"]

    stopping = {"signal": None}

    def on_signal(signum, _frame):
        if stopping["signal"] is None:
            stopping["signal"] = signum
            print("\nStopping: the worker finishes the task in hand…", file=sys.stderr, flush=True)

    # Handlers first, then the children: a signal that arrives while they start is not lost.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    children = {
        "worker": subprocess.Popen(celery, cwd=ROOT, preexec_fn=_die_with_parent),
        "server": subprocess.Popen(server, cwd=ROOT, preexec_fn=_die_with_parent),
    }
    forwarded = False
    code = 0
    while any(child.poll() is None for child in children.values()):
        ended = [name for name, child in children.items() if child.returncode is not None]
        if not forwarded and (stopping["signal"] is not None or ended):
            forwarded = True
            for name, child in children.items():
                if ended and name in ended:
                    code = code or child.returncode
                if child.poll() is None:
                    _stop(name, child, stopping["signal"] or signal.SIGTERM)
        time.sleep(0.1)
    return code


def _stop(name: str, child: subprocess.Popen, signum: int) -> None:
    """Once per child. The worker's main process only (its pool finishes the task in hand);
    the server's whole group (runserver's reloader and the server it runs)."""
    if signum == signal.SIGHUP:
        signum = signal.SIGTERM
    with contextlib.suppress(ProcessLookupError):
        if name == "server":
            os.killpg(child.pid, signum)
        else:
            child.send_signal(signum)


if __name__ == "__main__":
    sys.exit(main())
