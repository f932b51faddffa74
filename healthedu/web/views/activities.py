"""Activity pages: the month calendar, the form (with repeats), an activity's page with check-in,
walk-ins, the sign-in QR code, the record form and attachments. Every rule is the activities
app's (services, attendance, attachments); these views translate HTTP to its calls."""

import calendar
import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from healthedu.activities.attachments import attachment_add
from healthedu.activities.attendance import (
    attendance_check_in,
    attendance_remove,
    check_in_refusal,
    walk_in_add,
)
from healthedu.activities.feeds import feed_token_ensure, feed_url
from healthedu.activities.models import Attendance, Event, EventKind, EventStatus
from healthedu.activities.selectors import FLAG_LABELS, event_flags
from healthedu.activities.services import (
    event_create,
    event_update,
    event_update_with_following,
    series_cancel,
    series_create,
)
from healthedu.activities.signin import signin_url
from healthedu.ids import digits_int
from healthedu.locking import PeriodLocked, ensure_period_open
from healthedu.months import month_or, shift_month
from healthedu.screening.models import READING_EVENT_KINDS
from healthedu.web.access import get_in_reach, reader_page, writer_page
from healthedu.web.forms.activities import (
    AttachmentForm,
    EditEventForm,
    NewEventForm,
    RecordForm,
    WalkInForm,
)
from healthedu.web.forms.common import run_service
from reports.formatting import user_name
from residents.models import Resident, ResidentStatus
from residents.selectors import resident_search, residents_listed

SEARCH_LIMIT = 20


@reader_page
def activity_calendar(request):
    today = timezone.localdate()
    month = month_or(request.GET.get("month"), today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(weeks[0][0], dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    events = (
        Event.objects.in_reach(request.user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .for_list()
        .order_by("starts_at", "id")
    )
    by_day = defaultdict(list)
    for event in events:
        by_day[timezone.localtime(event.starts_at).date()].append(event)
    return render(
        request,
        "web/activities/calendar.html",
        {
            "section": "activities",
            "month": month,
            "previous": shift_month(month, -1),
            "next": shift_month(month, 1),
            "today": today,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "weekdays": weeks[0],
            "statuses": EventStatus.choices,
            **_calendar_feed_context(request),
        },
    )


LIST_PAGE_SIZE = 25


class ActivityFilterForm(forms.Form):
    """The list view's filters: kind, status, and which activities (coming or past)."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("web", "Kind"),
        required=False,
        choices=[("", pgettext_lazy("web", "Any"))] + list(EventKind.choices),
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("web", "Status"),
        required=False,
        choices=[("", pgettext_lazy("web", "Any"))] + list(EventStatus.choices),
    )
    when = forms.ChoiceField(
        label=pgettext_lazy("web", "When"),
        required=False,
        choices=[
            ("", pgettext_lazy("web", "Coming")),
            ("past", pgettext_lazy("web", "Past")),
            ("all", pgettext_lazy("web", "All")),
        ],
    )


def _calendar_feed_context(request) -> dict:
    token = request.user.feed_token
    url = feed_url(request, token) if token else ""
    return {
        "feed_url": url,
        "feed_webcal": url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
    }


@reader_page
def activity_list(request):
    """The activities as a list, filtered by kind and status: coming ones soonest first, past
    ones latest first."""
    filters = ActivityFilterForm(request.GET or None)
    events = Event.objects.in_reach(request.user).select_related("community")
    when = ""
    if filters.is_valid():
        data = filters.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["status"]:
            events = events.filter(status=data["status"])
        when = data["when"]
    now = timezone.now()
    if when == "past":
        events = events.filter(starts_at__lt=now).order_by("-starts_at", "-id")
    elif when == "all":
        events = events.order_by("-starts_at", "-id")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "id")
    page = Paginator(events, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/activities/list.html",
        {
            "section": "activities",
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "statuses": EventStatus.choices,
            **_calendar_feed_context(request),
        },
    )


@require_POST
@writer_page
def activity_calendar_link(request):
    """Make the educator's calendar-feed link, or a new one (the old link stops working)."""
    feed_token_ensure(user=request.user, rotate=request.POST.get("rotate") == "1")
    messages.success(
        request,
        pgettext(
            "web",
            "Your calendar link is ready: see “The activities in your phone's calendar” below.",
        ),
    )
    target = request.POST.get("next", "")
    if target not in ("web:activities", "web:activity_list"):
        target = "web:activity_list"
    # No #fragment: the page opens at its top, where the message is.
    return redirect(target)


@writer_page
def activity_create(request):
    initial = {}
    if request.GET.get("date"):
        initial["starts_at"] = f"{request.GET['date']}T09:00"
        initial["ends_at"] = f"{request.GET['date']}T10:00"
    form = NewEventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        repeat = form.repeat_args()
        if repeat:
            series = run_service(
                form, series_create, user=request.user, data=form.service_data(), **repeat
            )
            if series is not None:
                first = series.events.order_by("starts_at").first()
                count = series.events.count()
                messages.success(
                    request, pgettext("web", "%(n)d occurrences were planned.") % {"n": count}
                )
                return redirect("web:activity", pk=first.pk)
        else:
            event = run_service(form, event_create, user=request.user, data=form.service_data())
            if event is not None:
                messages.success(request, pgettext("web", "The activity was planned."))
                return redirect("web:activity", pk=event.pk)
    return render(
        request, "web/activities/form.html", {"section": "activities", "form": form, "event": None}
    )


@writer_page
def activity_edit(request, pk):
    event = get_in_reach(Event.objects.all(), request.user, pk=pk)
    initial = {
        "community": event.community_id,
        "kind": event.kind,
        "title": event.title,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "venue": event.venue,
        "topics": list(event.topics.all()),
        "target_groups": event.target_groups,
        "capacity": event.capacity,
        "speaker": event.speaker,
        "organiser": event.organiser,
        "form": event.form,
        "content": event.content,
    }
    form = EditEventForm(
        request.POST or None,
        user=request.user,
        initial=initial,
        in_series=event.series_id is not None and not event.detached,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _update(
            request,
            form,
            event,
            form.service_data(),
            following=form.cleaned_data.get("apply_to_following", False),
        )
    ):
        messages.success(request, pgettext("web", "The activity was saved."))
        return redirect("web:activity", pk=event.pk)
    return render(
        request,
        "web/activities/form.html",
        {
            "section": "activities",
            "form": form,
            "event": event,
            "locked": period_locked_message(event),
        },
    )


def _update(request, form, event, data, *, following=False) -> bool:
    service = event_update_with_following if following else event_update
    return run_service(form, service, user=request.user, event=event, data=data) is not None


def search_residents(user, query: str):
    """Residents in reach (not deceased) that the check-in search finds: residents.selectors'
    one search (a name, the phone's last digits, a whole ID number; never a fragment of one)."""
    query = query.strip()
    if not query:
        return Resident.objects.none()
    found = Resident.objects.in_reach(user).exclude(status=ResidentStatus.DECEASED)
    return residents_listed(resident_search(found, query, user=user).select_related("community"))[
        :SEARCH_LIMIT
    ]


def _activity_context(request, event, **forms):
    attendances = (
        Attendance.objects.filter(event=event).select_related("resident").order_by("checked_in_at")
    )
    query = request.GET.get("q", "")
    matches = list(search_residents(request.user, query)) if query else []
    checked = set(attendances.values_list("resident_id", flat=True))
    for resident in matches:
        resident.checked_in = resident.pk in checked
    attendee_count = len(attendances)
    return {
        **_activity_figures(request, event, attendances, attendee_count, query, matches, forms),
        "locked": period_locked_message(event),
    }


def period_locked_message(event) -> str:
    """Why the activity can no longer be changed (its month is finalised), else ''."""
    try:
        ensure_period_open(event.community_id, event.starts_at)
    except PeriodLocked as exc:
        return str(exc)
    return ""


def _activity_figures(request, event, attendances, attendee_count, query, matches, forms):
    record = forms.get("record") or RecordForm(
        initial={
            "status": event.status,
            "walk_ins": event.walk_ins,
            "materials": RecordForm.materials_text(event.materials.all()),
            "summary": event.summary,
            # 填表人 pre-filled with the educator's name (never a login) when none is written yet.
            "recorder": event.recorder or user_name(request.user),
            "responsible": event.responsible,
            "recorded_on": event.recorded_on or timezone.localdate(),
            "version": event.version,
        }
    )
    return {
        "section": "activities",
        "event": event,
        "attendances": attendances,
        "attendee_count": attendee_count,
        "participant_count": attendee_count + event.walk_ins,
        "query": query,
        "matches": matches,
        "refusal": check_in_refusal(event),
        "flags": [
            FLAG_LABELS[f]
            for f in event_flags(
                status=event.status,
                participant_count=attendee_count + event.walk_ins,
                summary=event.summary,
            )
        ],
        "signin_url": signin_url(request, event),
        "takes_readings": event.kind in READING_EVENT_KINDS,
        "record_form": record,
        "walk_in_form": forms.get("walk_in") or WalkInForm(),
        "attachment_form": forms.get("attachment") or AttachmentForm(),
        "attachments": event.attachments.all(),
        "walk_in_names": event.walk_in_entries.exclude(name="").values_list("name", flat=True),
    }


def _event(request, pk):
    return get_in_reach(
        Event.objects.select_related("community").prefetch_related("topics", "materials"),
        request.user,
        pk=pk,
    )


@reader_page
def activity_detail(request, pk):
    event = _event(request, pk)
    record = None
    if request.method == "POST":
        record = RecordForm(request.POST)
        if record.is_valid() and _update(request, record, event, record.service_data()):
            messages.success(request, pgettext("web", "The record was saved."))
            return redirect("web:activity", pk=event.pk)
    return render(
        request, "web/activities/detail.html", _activity_context(request, event, record=record)
    )


@require_POST
@writer_page
def activity_check_in(request, pk):
    event = _event(request, pk)
    resident_id = digits_int(request.POST.get("resident", ""))
    if resident_id is None:
        raise Http404("no such resident")
    resident = get_in_reach(Resident.objects.all(), request.user, pk=resident_id)
    try:
        outcome = attendance_check_in(
            user=request.user,
            event=event,
            resident=resident,
            override_capacity=bool(request.POST.get("override_capacity")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PeriodLocked as exc:
        messages.error(request, str(exc))
    else:
        if outcome.created:
            messages.success(
                request, pgettext("web", "%(name)s is checked in.") % {"name": resident.name}
            )
        else:
            messages.info(
                request,
                pgettext("web", "%(name)s was already checked in.") % {"name": resident.name},
            )
    target = redirect("web:activity", pk=event.pk)
    if request.POST.get("q"):
        target["Location"] += "?" + urlencode({"q": request.POST["q"]}) + "#check-in"
    return target


@require_POST
@writer_page
def activity_check_out(request, pk, resident_id):
    event = _event(request, pk)
    try:
        attendance_remove(user=request.user, event=event, resident_id=resident_id)
    except PeriodLocked as exc:
        messages.error(request, str(exc))
    return redirect("web:activity", pk=event.pk)


@require_POST
@writer_page
def activity_walk_in(request, pk):
    event = _event(request, pk)
    form = WalkInForm(request.POST)
    # An educator counting someone who came is the override a guest at the door does not have.
    if form.is_valid() and run_service(
        form, walk_in_add, event=event, name=form.cleaned_data["name"], override_capacity=True
    ):
        messages.success(request, pgettext("web", "A walk-in was counted."))
        return redirect("web:activity", pk=event.pk)
    return render(
        request, "web/activities/detail.html", _activity_context(request, event, walk_in=form)
    )


@require_POST
@writer_page
def activity_attach(request, pk):
    event = _event(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid() and run_service(
        form,
        attachment_add,
        user=request.user,
        event=event,
        upload=form.cleaned_data["file"],
        category=form.cleaned_data["category"],
    ):
        messages.success(request, pgettext("web", "The file was attached."))
        return redirect("web:activity", pk=event.pk)
    return render(
        request, "web/activities/detail.html", _activity_context(request, event, attachment=form)
    )


@reader_page
def activity_qr(request, pk):
    event = _event(request, pk)
    return render(
        request,
        "web/activities/qr.html",
        {"section": "activities", "event": event, "signin_url": signin_url(request, event)},
    )


@require_POST
@writer_page
def activity_series_cancel(request, pk):
    """Cancel the planned occurrences still to come of the repeat this activity belongs to."""
    event = _event(request, pk)
    if event.series_id is None:
        return redirect("web:activity", pk=event.pk)
    try:
        count = series_cancel(user=request.user, series=event.series)
    except PeriodLocked as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, pgettext("web", "%(n)d coming occurrences were cancelled.") % {"n": count}
        )
    return redirect("web:activity", pk=event.pk)
