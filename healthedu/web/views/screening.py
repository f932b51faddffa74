"""Blood-pressure pages: the activities where it is measured, fast keyboard entry of an
activity's readings, and the referral queue. The category, the plausibility, the visit rule
(mean of two, or three) and the referral rule are the screening app's: the live category comes
from its classify endpoint, saving goes through readings_bulk_create, and the sheet asks for
the next reading where the visit's `needs_another` says so."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext

from healthedu.activities.models import Attendance, Event, EventStatus
from healthedu.org.reach import Reach
from healthedu.screening.bp import category_label
from healthedu.screening.filters import ReferralFilter
from healthedu.screening.models import (
    READING_EVENT_KINDS,
    BPReading,
    Referral,
    ReferralStatus,
    Visit,
)
from healthedu.screening.selectors import referral_queue, visit_summary
from healthedu.screening.services import (
    PhoneRevealRefused,
    readings_bulk_create,
    referral_follow_up,
    referral_phone_reveal,
)
from healthedu.web.access import get_in_reach, reader_page, writer_page
from healthedu.web.forms.common import add_service_errors, run_service
from healthedu.web.forms.screening import (
    DOCTOR_ITEMS,
    FollowUpForm,
    ReferralFilterForm,
    RevealPhoneForm,
    parse_reading_rows,
)

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
    """The queue: urgent referrals first in every tab; filtered by the follow-up items with the
    API's ReferralFilter, so that both answer alike."""
    today = timezone.localdate()
    reach = Reach.of(request.user)
    show = request.GET.get("show", "open")
    if show == "overdue":
        queryset = referral_queue(reach=reach, overdue_on=today)
    elif show == "done":
        queryset = referral_queue(reach=reach, status=ReferralStatus.FOLLOWED_UP).order_by(
            "-urgency", "-followed_up_on", "-id"
        )
    else:
        show = "open"
        queryset = referral_queue(reach=reach, status=ReferralStatus.OPEN)
    filters = ReferralFilterForm(request.GET or None)
    wanted = set(filters.fields) | {"next_follow_up_on_after"}
    criteria = {k: v for k, v in request.GET.items() if k in wanted and v}
    found = ReferralFilter(data=criteria, queryset=queryset)
    rows = found.qs if found.is_valid() else queryset.none()
    return render(
        request,
        "web/screening/referrals.html",
        {
            "section": "bp",
            "referrals": rows[:200],
            "show": show,
            "today": today,
            "filters": filters,
            "filtered": bool(criteria),
        },
    )


def _follow_up_page(request, referral, *, form, reveal_form, revealed=None, status=200):
    response = render(
        request,
        "web/screening/follow_up.html",
        {
            "section": "bp",
            "referral": referral,
            "form": form,
            "reveal_form": reveal_form,
            "revealed": revealed,
            "today": timezone.localdate(),
        },
        status=status,
    )
    # A revealed number is shown once: never kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


def _follow_up_initial(referral) -> dict:
    initial = {
        "followed_up_on": referral.followed_up_on or timezone.localdate(),
        "outcome": referral.outcome,
        "reached": "false" if referral.reached is False else "true",
        "next_follow_up_on": referral.next_follow_up_on,
    }
    for name in DOCTOR_ITEMS:
        value = getattr(referral, name)
        initial[name] = "" if value is None else ("true" if value else "false")
    return initial


@writer_page
def referral_follow_up_page(request, pk):
    referral = get_in_reach(Referral.objects.for_list(), request.user, pk=pk)
    form = FollowUpForm(request.POST or None, initial=_follow_up_initial(referral))
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, referral_follow_up, user=request.user, referral=referral, **form.service_data()
        )
        if done is not None:
            if done.status == ReferralStatus.FOLLOWED_UP:
                text = pgettext("web", "The follow-up of %(name)s was recorded.")
            else:
                text = pgettext(
                    "web", "The attempt to reach %(name)s was recorded; the referral stays open."
                )
            messages.success(request, text % {"name": referral.resident.name})
            return redirect("web:referrals")
    return _follow_up_page(request, referral, form=form, reveal_form=RevealPhoneForm())


@writer_page
def referral_reveal_phone_page(request, pk):
    """POST only: the resident's full phone, once, on the follow-up page (the service checks
    the referral is open, the reason and the daily limit, and audits)."""
    referral = get_in_reach(Referral.objects.for_list(), request.user, pk=pk)
    if request.method != "POST":
        return redirect("web:referral_follow_up", pk=referral.pk)
    form = FollowUpForm(initial=_follow_up_initial(referral))
    reveal_form = RevealPhoneForm(request.POST)
    revealed, status = None, 200
    if reveal_form.is_valid():
        try:
            revealed = referral_phone_reveal(
                user=request.user, referral=referral, reason=reveal_form.cleaned_data["reason"]
            )
            reveal_form = RevealPhoneForm()
        except PhoneRevealRefused as exc:
            reveal_form.add_error(None, exc.message)
            status = 429 if exc.code == "daily_limit" else 400
        except ValidationError as exc:
            add_service_errors(reveal_form, exc)
            status = 400
    else:
        status = 400
    return _follow_up_page(
        request, referral, form=form, reveal_form=reveal_form, revealed=revealed, status=status
    )
