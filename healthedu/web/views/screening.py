"""Blood-pressure pages: the activities where it is measured, fast keyboard entry of an
activity's readings, and the referral queue. The category, the plausibility, the visit rule
(mean of two, or three) and the referral rule are the screening app's: the live category comes
from its classify endpoint, saving goes through readings_bulk_create, and the sheet asks for
the next reading where the visit's `needs_another` says so."""

import datetime as dt

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext

from healthedu.activities.models import Attendance, Event, EventStatus
from healthedu.org.reach import Reach
from healthedu.screening.bp import category_label
from healthedu.screening.models import (
    READING_EVENT_KINDS,
    BPReading,
    Referral,
    ReferralStatus,
    Visit,
)
from healthedu.screening.selectors import referral_queue, visit_summary
from healthedu.screening.services import readings_bulk_create, referral_follow_up
from healthedu.web.access import get_in_reach, reader_page, writer_page
from healthedu.web.forms.common import run_service
from healthedu.web.forms.screening import FollowUpForm, parse_reading_rows

LIST_LENGTH = 30


@reader_page
def screening_list(request):
    events = (
        Event.objects.in_reach(request.user)
        .filter(kind__in=READING_EVENT_KINDS)
        .exclude(status=EventStatus.CANCELLED)
        .filter(starts_at__lt=timezone.now() + dt.timedelta(days=1))
        .for_list()
        .order_by("-starts_at", "-id")[:LIST_LENGTH]
    )
    return render(request, "web/screening/list.html", {"section": "bp", "events": events})


def _visits(event) -> dict[int, Visit]:
    """The activity's visits by resident, with their readings in the order measured (2 queries)."""
    visits = (
        Visit.objects.filter(event=event)
        .select_related("resident")
        .prefetch_related(
            Prefetch("readings", queryset=BPReading.objects.order_by("measured_at", "id"))
        )
        .order_by("started_at", "id")
    )
    return {v.resident_id: v for v in visits}


def _entry_rows(event, visits, posted=None, report=None):
    """One row per attendee still to be measured: no reading yet, or a visit the guideline
    wants another reading for (those first, with the mean so far and what to do)."""
    attendees = (
        Attendance.objects.filter(event=event)
        .select_related("resident")
        .order_by("checked_in_at", "id")
    )
    rows = []
    errors_by_resident = {}
    if report:
        errors_by_resident = {entry["resident"]: entry["errors"] for entry in report}
    for attendance in attendees:
        resident = attendance.resident
        visit = visits.get(resident.pk)
        if visit is not None and not visit.needs_another:
            continue
        rows.append(
            {
                "resident": resident,
                "values": (posted or {}).get(resident.pk, {}),
                "errors": errors_by_resident.get(resident.pk, {}),
                "visit": _shown(visit) if visit is not None else None,
            }
        )
    rows.sort(key=lambda row: row["visit"] is None)
    return rows


def _shown(visit: Visit) -> dict:
    return {
        **visit_summary(visit),
        "values": [f"{r.systolic}/{r.diastolic}" for r in visit.readings.all()],
        "resident": visit.resident,
        "category_label": category_label(visit.category),
        "referral_display": visit.get_referral_display(),
    }


@writer_page
def screening_entry(request, pk):
    event = get_in_reach(
        Event.objects.select_related("community").filter(kind__in=READING_EVENT_KINDS),
        request.user,
        pk=pk,
    )
    posted, report, problem = None, None, ""
    if request.method == "POST":
        residents = {
            a.resident_id: a.resident
            for a in Attendance.objects.filter(event=event).select_related("resident")
        }
        posted, rows = parse_reading_rows(request.POST, residents)
        if not rows:
            problem = pgettext("web", "Type at least one reading (systolic and diastolic).")
        else:
            report, stored = readings_bulk_create(
                user=request.user, event=event, rows=[r for _, r in rows]
            )
            for (resident_id, _row), entry in zip(rows, report, strict=True):
                entry["resident"] = resident_id
            if stored:
                _saved_messages(request, stored)
                return redirect("web:bp_entry", pk=event.pk)
            problem = pgettext(
                "web", "Some readings have errors; none was saved. Correct them and save again."
            )
    visits = _visits(event)
    return render(
        request,
        "web/screening/entry.html",
        {
            "section": "bp",
            "event": event,
            "rows": _entry_rows(event, visits, posted, report),
            "visits": [_shown(v) for v in visits.values()],
            "problem": problem,
        },
    )


def _saved_messages(request, stored) -> None:
    """What was saved, and for each visit its mean and grade, and the next reading it needs."""
    messages.success(request, pgettext("web", "%(n)d readings were saved.") % {"n": len(stored)})
    for reading in stored:
        visit = reading.visit
        text = pgettext(
            "web", "%(name)s: %(systolic)d/%(diastolic)d mmHg (mean of %(n)d), %(category)s."
        ) % {
            "name": reading.resident.name,
            "systolic": visit.systolic,
            "diastolic": visit.diastolic,
            "n": visit.reading_count,
            "category": category_label(visit.category),
        }
        summary = visit_summary(visit)
        if summary["prompt"]:
            messages.warning(request, f"{text} {summary['prompt']}")
        else:
            messages.info(request, text)


@reader_page
def referral_list(request):
    today = timezone.localdate()
    reach = Reach.of(request.user)
    show = request.GET.get("show", "open")
    if show == "overdue":
        queryset = referral_queue(reach=reach, overdue_on=today)
    elif show == "done":
        queryset = referral_queue(reach=reach, status=ReferralStatus.FOLLOWED_UP).order_by(
            "-followed_up_on", "-id"
        )
    else:
        show = "open"
        queryset = referral_queue(reach=reach, status=ReferralStatus.OPEN)
    return render(
        request,
        "web/screening/referrals.html",
        {"section": "bp", "referrals": queryset[:200], "show": show, "today": today},
    )


@writer_page
def referral_follow_up_page(request, pk):
    referral = get_in_reach(Referral.objects.for_list(), request.user, pk=pk)
    form = FollowUpForm(
        request.POST or None,
        initial={
            "followed_up_on": referral.followed_up_on or timezone.localdate(),
            "outcome": referral.outcome,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            referral_follow_up,
            user=request.user,
            referral=referral,
            followed_up_on=form.cleaned_data["followed_up_on"],
            outcome=form.cleaned_data["outcome"],
        )
        if done is not None:
            messages.success(
                request,
                pgettext("web", "The follow-up of %(name)s was recorded.")
                % {"name": referral.resident.name},
            )
            return redirect("web:referrals")
    return render(
        request,
        "web/screening/follow_up.html",
        {"section": "bp", "referral": referral, "form": form, "today": timezone.localdate()},
    )
