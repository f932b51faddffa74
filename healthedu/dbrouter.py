"""Report reads from a PostgreSQL streaming replica, when DATABASE_REPLICA_URL names one.

What goes to the replica: the reads made inside reads_for_reports() — the rates module's public
functions, which the rates API, the summaries, the funnel plot and the ledgers call. Everything
else, every write, and any read inside a transaction stays on the primary ("default").

Read-after-write, exactly rather than by a guessed delay:
- within a request (or task) that wrote, report reads stay on the primary for the rest of it;
- after a request that wrote, the primary's WAL position (pg_current_wal_lsn()) is remembered
  for that user (in the cache, REPLICA_PIN_SECONDS); their later report reads go to the replica
  only once it has replayed that far (pg_last_wal_replay_lsn() ≥ it, asked once per request),
  and to the primary until then. Other users read the replica at once: they have not seen the
  write, so a replica a moment behind shows them nothing they could miss.
"""

import functools
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router

DEFAULT = "default"
REPLICA = "replica"
PIN_SECONDS = 300

_reporting: ContextVar[bool] = ContextVar("reporting", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)
_request: ContextVar[object | None] = ContextVar("request", default=None)
_decision: ContextVar[str | None] = ContextVar("decision", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_for_reports(fn):
    """Decorate a report reader: its reads may go to the replica (see the module doc)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = _reporting.set(True)
        try:
            return fn(*args, **kwargs)
        finally:
            _reporting.reset(token)

    return wrapper


def read_cursor(model):
    """A cursor for hand-written SQL reading `model`'s table where the router sends its reads
    (the replica inside reads_for_reports, else the primary): raw SQL bypasses the router."""
    return connections[router.db_for_read(model) or DEFAULT_DB_ALIAS].cursor()


def _pin_key(user_id) -> str:
    return f"dbrouter:lsn:{user_id}"


def _user_id():
    request = _request.get()
    user = getattr(request, "user", None)
    return user.pk if getattr(user, "is_authenticated", False) else None


def _replica_caught_up() -> bool:
    """Has the replica replayed the last write of this request's user? Asked once per request."""
    decision = _decision.get()
    if decision is None:
        user_id = _user_id()
        needed = cache.get(_pin_key(user_id)) if user_id is not None else None
        decision = REPLICA
        if needed:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(
                    "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [needed]
                )
                decision = REPLICA if cursor.fetchone()[0] else DEFAULT
        if _request.get() is not None:
            _decision.set(decision)
    return decision == REPLICA


class ReportRouter:
    """Report reads to the replica; all else to the primary (see the module doc)."""

    def db_for_read(self, model, **hints):
        if not (replica_configured() and _reporting.get()) or _wrote.get():
            return None
        if connections[DEFAULT].in_atomic_block:
            return None  # a transaction reads its own writes
        return REPLICA if _replica_caught_up() else None

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two servers

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # the replica follows the primary's schema


class PinMiddleware:
    """Scope the router's state to a request, and remember a writing user's WAL position."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tokens = (_request.set(request), _wrote.set(False), _decision.set(None))
        try:
            response = self.get_response(request)
            if _wrote.get() and replica_configured():
                user_id = _user_id()
                if user_id is not None:
                    with connections[DEFAULT].cursor() as cursor:
                        cursor.execute("SELECT pg_current_wal_lsn()::text")
                        cache.set(_pin_key(user_id), cursor.fetchone()[0], PIN_SECONDS)
            return response
        finally:
            for var, token in zip((_request, _wrote, _decision), tokens, strict=True):
                var.reset(token)
