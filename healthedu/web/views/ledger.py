"""The monthly ledger page: consistency checks, making the PDF and Excel (background jobs with a
progress bar), the files made so far, and finalising the month. The builder, the checks and
the lock are the reports app's; this page only asks for them."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from healthedu.jobs.models import Job
from healthedu.months import month_or
from healthedu.web.access import communities_in_reach, reader_page, writer_page
from healthedu.web.views.home import chosen_community
from reports.jobs import ledger_start
from reports.ledger import ledger_checks
from reports.models import PeriodLock
from reports.services import period_finalise, period_unlock

FORMATS = ("pdf", "xlsx")


def _month(text: str | None) -> dt.date:
    return month_or(text, timezone.localdate())


def _place(request, data):
    communities = list(communities_in_reach(request.user))
    picked = data.get("community", "")
    community = next((c for c in communities if str(c.pk) == picked), None)
    if community is None and not picked:
        community = chosen_community(request, communities)
    return communities, community, _month(data.get("month"))


@reader_page
def ledger_page(request):
    communities, community, month = _place(request, request.GET)
    context = {
        "section": "ledger",
        "communities": communities,
        "community": community,
        "month": month,
    }
    if community is not None:
        context.update(
            checks=ledger_checks(community_id=community.pk, month=month),
            lock=PeriodLock.objects.filter(community=community, month=month, active=True)
            .select_related("locked_by")
            .first(),
            jobs=Job.objects.in_reach(request.user)
            .filter(kind="ledger", community=community, params__month=f"{month:%Y-%m}")
            .order_by("-created_at")[:10],
            can_finalise=month <= timezone.localdate().replace(day=1),
        )
    return render(request, "web/ledger/index.html", context)


@require_POST
@writer_page
def ledger_make(request):
    _communities, community, month = _place(request, request.POST)
    fmt = request.POST.get("format")
    if community is None or fmt not in FORMATS:
        messages.error(request, pgettext("web", "Choose a community and a format."))
        return redirect("web:ledger")
    job = ledger_start(user=request.user, community=community, month=month, fmt=fmt)
    return redirect("web:job", pk=job.pk)


@require_POST
@writer_page
def ledger_finalise(request):
    _communities, community, month = _place(request, request.POST)
    if community is None:
        messages.error(request, pgettext("web", "Choose a community."))
        return redirect("web:ledger")
    try:
        _lock, job = period_finalise(user=request.user, community=community, month=month)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            pgettext("web", "%(month)s of %(community)s is finalised; its records are locked.")
            % {"month": f"{month:%Y-%m}", "community": community.name},
        )
        if job is not None:  # the month's final ledger, started by the service: watch it
            return redirect("web:job", pk=job.pk)
    target = redirect("web:ledger")
    target["Location"] += f"?community={community.pk}&month={month:%Y-%m}"
    return target


@require_POST
@writer_page
def ledger_unlock(request):
    """An administrator reopens a finalised month, with a reason (audited by the service)."""
    if not request.user.is_admin:
        raise PermissionDenied("administrators only")
    _communities, community, month = _place(request, request.POST)
    if community is None:
        messages.error(request, pgettext("web", "Choose a community."))
        return redirect("web:ledger")
    try:
        period_unlock(
            user=request.user,
            community=community,
            month=month,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, pgettext("web", "The month was unlocked."))
    target = redirect("web:ledger")
    target["Location"] += f"?community={community.pk}&month={month:%Y-%m}"
    return target
