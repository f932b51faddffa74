"""Writes of the reports app: making ledger and summary files, finalising and unlocking months."""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.audit.services import Action, audit_record
from healthedu.jobs.models import Job, Status
from healthedu.jobs.services import job_attach_file
from healthedu.org.models import Community
from reports.models import PeriodLock

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}


def _steps(progress, start: float, end: float):
    """A progress callback for one stretch (start..end) of the whole job."""
    if progress is None:
        return None
    return lambda fraction: progress(start + (end - start) * fraction)


def ledger_make(
    *,
    community: Community,
    month: dt.date,
    fmt: str,
    made_by: str = "",
    progress: Callable[[float], None] | None = None,
) -> tuple[str, bytes, dict]:
    """Build and render one ledger. Returns (file name, content, a short result for the job).

    A finalised month's ledger is rendered from the data kept when it was finalised
    (ledger_data), so that it shows what it showed then."""
    from reports import labels
    from reports.pdf import render_ledger_pdf
    from reports.xlsx import render_ledger_xlsx

    ledger = ledger_data(
        community=community, month=month, made_by=made_by, progress=_steps(progress, 0, 0.4)
    )
    render = render_ledger_pdf if fmt == "pdf" else render_ledger_xlsx
    content = render(ledger, progress=_steps(progress, 0.4, 1.0))
    name = f"ledger-{community.code}-{month:%Y-%m}.{fmt}"
    result = {
        "community": community.code,
        "month": f"{month:%Y-%m}",
        "format": fmt,
        "filename": labels.ledger_filename(community.name, month, fmt),
        "filename_ascii": name,
        "activities": len(ledger.activities),
        "roster_rows": ledger.roster_rows,
        "readings": ledger.blood_pressure.total,
        "checks": [
            {
                "code": c.code,
                "activity": c.activity_id,
                "title": c.activity_title,
                "message": c.message,
            }
            for c in ledger.checks
        ],
        "unlocks": len(ledger.unlocks),
    }
    return name, content, result


def ledger_data(
    *,
    community: Community,
    month: dt.date,
    made_by: str = "",
    progress: Callable[[float], None] | None = None,
):
    """The ledger's data: as kept when the month was finalised, while it stays locked; built
    from the records otherwise."""
    from reports.ledger import build_ledger
    from reports.snapshot import ledger_from_snapshot

    lock = PeriodLock.objects.filter(community=community, month=month, active=True).first()
    if lock is not None and lock.ledger is not None:
        ledger = ledger_from_snapshot(lock.ledger)
        if progress:
            progress(1.0)
        return ledger
    return build_ledger(community=community, month=month, made_by=made_by, progress=progress)


def _keep_ledger(lock: PeriodLock, *, user) -> None:
    """Keep the month's ledger data on its lock, as it stands at finalising."""
    from reports.ledger import build_ledger, display_name
    from reports.snapshot import ledger_to_snapshot

    community = Community.objects.select_related("street__district").get(pk=lock.community_id)
    ledger = build_ledger(
        community=community, month=lock.month, made_by=display_name(user) if user else ""
    )
    lock.ledger = ledger_to_snapshot(ledger)
    lock.save(update_fields=["ledger"])


def ledgers_start(*, month: dt.date, communities=None, fmt: str = "pdf", user=None) -> list[Job]:
    """One ledger job per community (all communities by default), e.g. on the 1st of the month."""
    from reports.jobs import ledger_start  # the job module imports this one

    communities = Community.objects.order_by("code") if communities is None else communities
    return [
        ledger_start(user=user, community=community, month=month, fmt=fmt)
        for community in communities
    ]


def ledger_run_now(
    *, community: Community, month: dt.date, fmt: str, progress=None, user=None
) -> Job:
    """Make a ledger in this process (the make_ledgers command) and keep it as a finished job,
    so that the file is downloadable like a scheduled one."""
    from reports.ledger import display_name

    job = Job.objects.create(
        kind="ledger",
        params={"community": community.pk, "month": f"{month:%Y-%m}", "format": fmt},
        community=community,
        created_by=user,
        status=Status.RUNNING,
        started_at=timezone.now(),
        attempts=1,
    )
    try:
        name, content, result = ledger_make(
            community=community,
            month=month,
            fmt=fmt,
            made_by=display_name(user) if user else "",
            progress=progress,
        )
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(
            status=Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        raise
    job_attach_file(job, name=name, content=content, content_type=CONTENT_TYPES[fmt])
    Job.objects.filter(pk=job.pk).update(
        status=Status.DONE, progress=100, result=result, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


@transaction.atomic
def period_finalise(*, user, community: Community, month: dt.date) -> tuple[PeriodLock, Job | None]:
    """Lock a community-month: its records stay as printed (healthedu.locking). Idempotent.

    The month's ledger, as it now stands for good, is started at once; the job is returned
    (None when the month was already finalised)."""
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": [_("A month that has not begun cannot be finalised.")]})
    lock, created = PeriodLock.objects.select_for_update().get_or_create(
        community=community, month=month, defaults={"locked_by": user}
    )
    if not created:
        if lock.active:
            return lock, None
        lock.active = True
        lock.locked_by = user
        lock.locked_at = timezone.now()
        lock.save(update_fields=["active", "locked_by", "locked_at"])
    # Kept now, locked: from here on the month's ledger shows this, whatever changes later.
    _keep_ledger(lock, user=user)
    audit_record(user=user, action=Action.LOCK, obj=lock, fields=["active"])
    from reports.jobs import ledger_start  # the job module imports this one

    job = ledger_start(user=user, community=community, month=month)
    return lock, job


@transaction.atomic
def period_unlock(*, user, community: Community, month: dt.date, reason: str) -> PeriodLock:
    """An administrator reopens a finalised month, with a reason for the audit log; the month's
    next ledger notes it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the month is unlocked.")]})
    lock = (
        PeriodLock.objects.select_for_update()
        .filter(community=community, month=month, active=True)
        .first()
    )
    if lock is None:
        raise ValidationError({"month": [_("This month is not finalised.")]})
    lock.active = False
    lock.unlocked_at = timezone.now()
    lock.unlocked_by = user
    lock.unlock_reason = reason
    lock.save(update_fields=["active", "unlocked_at", "unlocked_by", "unlock_reason"])
    audit_record(user=user, action=Action.UNLOCK, obj=lock, fields=["active"], note=reason)
    return lock
