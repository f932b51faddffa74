"""What `manage.py doctor` and `/api/health/?full=1` check: each part the product needs to run,
with what is wrong and how to fix it, in words a district IT person can act on.

Each check returns a Check; none raises. "error" means a part of the product does not work;
"warning" means it works now but something will go wrong (no beat: no ledgers on the 1st).
"""

import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation
from django.utils.translation import gettext as _

OK, WARNING, ERROR = "ok", "warning", "error"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def check_database() -> Check:
    name = _("Database")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any driver error is the answer here
        return Check(
            name,
            ERROR,
            _("Cannot reach the database: %(error)s") % {"error": exc},
            _(
                "Check DATABASE_URL and that the database server is running and accepts connections."
            ),
        )
    if pending:
        return Check(
            name,
            ERROR,
            _("%(count)d migrations are not applied.") % {"count": len(pending)},
            _("Run: python manage.py migrate"),
        )
    return Check(
        name,
        OK,
        _("Connected (%(vendor)s); every migration applied.") % {"vendor": connection.vendor},
    )


def _celery_app():
    from healthedu.celery import app

    return app


def check_broker() -> Check:
    name = _("Broker")
    app = _celery_app()
    scheme = str(app.conf.broker_url).split(":", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        return Check(
            name,
            ERROR,
            _("Cannot reach the broker (%(scheme)s): %(error)s") % {"scheme": scheme, "error": exc},
            _(
                "Check CELERY_BROKER_URL and that Redis is running; imports and ledgers wait "
                "until it is back (they are saved, not lost)."
            ),
        )
    return Check(name, OK, _("Connected (%(scheme)s).") % {"scheme": scheme})


def check_worker(timeout: float = 10.0) -> Check:
    """A worker that answers: a control ping where the transport broadcasts, else a real task."""
    name = _("Worker")
    app = _celery_app()
    no_worker = _(
        "Start one: celery -A healthedu worker -l info (make run starts one beside the server)."
    )
    replies = []
    try:
        replies = app.control.ping(timeout=min(timeout, 2.0)) or []
    except Exception:  # the filesystem transport has no broadcast; the task below still works
        replies = []
    if replies:
        names = ", ".join(sorted(name for reply in replies for name in reply))
        return Check(name, OK, _("Answering: %(names)s.") % {"names": names})
    from healthedu.ops.tasks import ping

    try:
        # expires: a ping nobody took is dropped, not run hours later by the next worker.
        result = ping.apply_async(expires=timeout + 30)
        answer = result.get(timeout=timeout)
    except Exception:
        return Check(
            name,
            ERROR,
            _("No worker answered within %(seconds)d seconds.") % {"seconds": timeout},
            no_worker,
        )
    if answer != "pong":
        return Check(name, ERROR, _("A worker gave an unexpected answer."), no_worker)
    return Check(name, OK, _("A worker ran a task and answered."))


def check_media() -> Check:
    name = _("Media store")
    probe = f"doctor/probe-{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(probe, ContentFile(b"ok"))
        with default_storage.open(saved) as fh:
            readable = fh.read() == b"ok"
        default_storage.delete(saved)
    except Exception as exc:
        return Check(
            name,
            ERROR,
            _("Cannot write to the media store %(root)s: %(error)s")
            % {"root": settings.MEDIA_ROOT, "error": exc},
            _(
                "Make MEDIA_ROOT a directory the server and the worker can both write "
                "(shared storage when there is more than one server)."
            ),
        )
    if not readable:
        return Check(name, ERROR, _("A file written to the media store read back differently."))
    return Check(name, OK, _("Writable: %(root)s") % {"root": settings.MEDIA_ROOT})


def check_fonts() -> Check:
    name = _("Fonts")
    try:
        from reportlab.pdfbase import pdfmetrics

        from reports.fonts import register_fonts

        font = register_fonts()
        face = pdfmetrics.getFont(font).face
        missing = [ch for ch in "健康教育台账" if ord(ch) not in face.charToGlyph]
    except Exception as exc:
        return Check(
            name,
            ERROR,
            _("The Chinese font of the PDFs cannot be loaded: %(error)s") % {"error": exc},
            _(
                "Install the Debian package fonts-noto-cjk and run `healthedu pdf_fonts` "
                "(`make fonts` in a checkout), which converts it for the PDFs."
            ),
        )
    if missing:
        return Check(
            name,
            ERROR,
            _("The PDF font lacks Chinese characters: %(chars)s") % {"chars": "".join(missing)},
            _("Run `healthedu pdf_fonts --force` to convert the fonts again."),
        )
    return Check(name, OK, _("The Chinese PDF font is installed."))


def _catalogue_dirs():
    """The zh_Hans LC_MESSAGES folders of the project's own apps and of LOCALE_PATHS."""
    from pathlib import Path

    from django.apps import apps

    ours = ("healthedu", "residents", "reports")
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    roots += [Path(a.path) / "locale" for a in apps.get_app_configs() if a.name.startswith(ours)]
    return [r / "zh_Hans" / "LC_MESSAGES" for r in roots if (r / "zh_Hans").is_dir()]


def check_translations() -> Check:
    name = _("Translations")
    fix = _("Run: python manage.py compilemessages (needs gettext: apt-get install gettext).")
    stale = []
    for folder in _catalogue_dirs():
        if not (folder / "django.mo").is_file():
            stale.append(str(folder.parent.parent))
    if stale:
        return Check(
            name,
            ERROR,
            _("Translations not compiled in: %(dirs)s") % {"dirs": ", ".join(stale)},
            fix,
        )
    # A msgid of the project catalogue (the language menu): found translated, the .mo files load.
    probe = "Simplified Chinese"
    with translation.override("zh-hans"):
        translated = translation.gettext(probe)
    if translated == probe:
        return Check(name, ERROR, _("Pages and messages show English, not Chinese."), fix)
    return Check(name, OK, _("Chinese translations are compiled."))


def check_beat(stale_after: timedelta = timedelta(minutes=10)) -> Check:
    """Every scheduled task is one the worker knows, and beat has run within a few minutes."""
    name = _("Schedule (beat)")
    from healthedu.schedule import BEAT_SCHEDULE

    app = _celery_app()
    app.loader.import_default_modules()
    unknown = sorted(e["task"] for e in BEAT_SCHEDULE.values() if e["task"] not in app.tasks)
    if unknown:
        return Check(
            name,
            ERROR,
            _("The schedule names tasks no worker knows: %(tasks)s")
            % {"tasks": ", ".join(unknown)},
            _("A deployment is out of step with healthedu/schedule.py: reinstall and restart."),
        )
    from django_celery_beat.models import PeriodicTask

    # jobs-requeue runs every minute, so its last run says whether beat is alive (beat writes
    # its runs to the database every few minutes, hence the margin).
    last = (
        PeriodicTask.objects.filter(name="jobs-requeue")
        .values_list("last_run_at", flat=True)
        .first()
    )
    start_beat = _(
        "Start it: celery -A healthedu beat -l info (make run starts it inside its worker). "
        "Without it last month's ledgers are not made on the 1st."
    )
    if last is None:
        return Check(
            name,
            WARNING,
            _("Beat has not run yet (a beat started a few minutes ago shows here soon)."),
            start_beat,
        )
    if timezone.now() - last > stale_after:
        return Check(
            name,
            WARNING,
            _("Beat last ran at %(when)s.")
            % {"when": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")},
            start_beat,
        )
    return Check(
        name, OK, _("%(count)d scheduled tasks; beat is running.") % {"count": len(BEAT_SCHEDULE)}
    )


def run_checks(worker_timeout: float = 10.0) -> list[Check]:
    checks = [check_database(), check_broker()]
    broker_ok = checks[-1].status == OK
    if broker_ok:
        checks.append(check_worker(worker_timeout))
    else:
        checks.append(
            Check(
                _("Worker"), ERROR, _("Not checked: the broker cannot be reached."), checks[-1].fix
            )
        )
    checks += [check_media(), check_fonts(), check_translations()]
    checks.append(check_beat())
    return checks


def overall(checks: list[Check]) -> str:
    statuses = {c.status for c in checks}
    return ERROR if ERROR in statuses else WARNING if WARNING in statuses else OK
