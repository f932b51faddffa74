"""The leader's menu beyond the dashboard: the communities' ledgers (read-only: the files made,
finalised and draft, to open and download) and each community's plan progress with its reasons.

Read-only pages (reader_page): a POST from a leader answers 403, and nothing here offers to make,
finalise or edit. A community named in the URL outside the caller's reach answers 404
(get_in_reach). The figures are reports.progress's; the files are the ledger jobs' (reports).
"""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone

from healthedu.jobs.models import Job, Status
from healthedu.months import month_or, previous_month
from healthedu.org.models import Community
from healthedu.web.access import communities_in_reach, get_in_reach, reader_page
from healthedu.web.views.dashboard import YEARS_BACK, _year
from reports.models import PeriodLock
from reports.progress import plan_progress


def _month(text: str | None, today: dt.date) -> dt.date:
    """The month asked for; by default last month, whose ledgers are made on the 1st."""
    return month_or(text, previous_month(today))


def ledger_files(*, user, communities: list, months: list[dt.date]) -> dict:
    """{(community id, month): {"lock", "files"}} for the months asked: the month's active lock
    (None while open) and its finished ledger files, newest first, each marked `final` when it
    was made after the month was finalised (rendered from the data kept at finalising), else a
    draft. Two queries, whatever the number of communities and months."""
    ids = [c.pk for c in communities]
    keys = [f"{m:%Y-%m}" for m in months]
    locks = {
        (lock.community_id, f"{lock.month:%Y-%m}"): lock
        for lock in PeriodLock.objects.in_reach(user)
        .filter(community_id__in=ids, month__in=months, active=True)
        .select_related("locked_by")
    }
    out = {
        (c.pk, key): {"lock": locks.get((c.pk, key)), "files": []}
        for c in communities
        for key in keys
    }
    jobs = (
        Job.objects.in_reach(user)
        .filter(kind="ledger", status=Status.DONE, community_id__in=ids, params__month__in=keys)
        .exclude(file="")
        .order_by("-finished_at", "-created_at")
    )
    for job in jobs:
        slot = out.get((job.community_id, job.params.get("month")))
        if slot is None:
            continue
        lock = slot["lock"]
        made = job.started_at or job.created_at
        slot["files"].append(
            {
                "job": job,
                "format": str(job.params.get("format", "")).upper(),
                "final": lock is not None and made >= lock.locked_at,
                "url": f"/api/jobs/{job.pk}/file/",
            }
        )
    return out


@reader_page
def ledgers(request):
    """Every community in reach for one month: finalised or not, and its ledger files."""
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    communities = list(communities_in_reach(request.user))
    files = ledger_files(user=request.user, communities=communities, months=[month])
    rows = [{"community": c, **files[(c.pk, f"{month:%Y-%m}")]} for c in communities]
    return render(
        request,
        "web/dashboard/ledgers.html",
        {"section": "leader_ledgers", "month": month, "rows": rows},
    )


@reader_page
def community_ledgers(request, pk):
    """One community's ledgers month by month for a year; 404 outside the caller's reach."""
    community = get_in_reach(Community.objects.select_related("street"), request.user, pk=pk)
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    last = 12 if year < today.year else today.month if year == today.year else 0
    months = [dt.date(year, m, 1) for m in range(last, 0, -1)]
    files = ledger_files(user=request.user, communities=[community], months=months)
    return render(
        request,
        "web/dashboard/community_ledgers.html",
        {
            "section": "leader_ledgers",
            "community": community,
            "year": year,
            "years": list(range(today.year - YEARS_BACK, today.year + 1)),
            "rows": [{"month": m, **files[(community.pk, f"{m:%Y-%m}")]} for m in months],
        },
    )


def _progress_of(community, year: int, today: dt.date) -> dict:
    """reports.progress's result for the community, with its reasons in one list; a warning
    that only repeats a reason (the same sentence) is shown once."""
    result = plan_progress(community=community, year=year, as_of=today)
    reasons = [
        {"kind": k["label"], "met": k["met"], "text": reason}
        for k in result["kinds"]
        for reason in k["reasons"]
    ]
    said = {r["text"] for r in reasons}
    warnings = [w for w in result["warnings"] if w["message"] not in said]
    return {**result, "community": community, "reasons": reasons, "warnings": warnings}


@reader_page
def progress(request, pk=None):
    """The plan's progress of each community in reach (or of the one in the URL: 404 outside
    reach), per activity kind with the reasons it falls short."""
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    if pk is None:
        communities = list(communities_in_reach(request.user))
    else:
        communities = [
            get_in_reach(Community.objects.select_related("street"), request.user, pk=pk)
        ]
    reports = [_progress_of(c, year, today) for c in communities]
    return render(
        request,
        "web/dashboard/progress.html",
        {
            "section": "leader_progress",
            "year": year,
            "years": list(range(today.year - YEARS_BACK, today.year + 1)),
            "one": pk is not None,
            "reports": reports,
        },
    )
