"""Resident pages: the list, a resident's history, the form, the import. Rules live in
residents.services and residents.importing; the filtering is residents.filters.ResidentFilter and
the order residents.selectors', the API's too, so both answer alike."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from healthedu.activities.models import Attendance
from healthedu.screening.models import Referral, Visit
from healthedu.surveys.models import Response
from healthedu.tabular import TableError
from healthedu.web.access import get_in_reach, reader_page, writer_page
from healthedu.web.forms.common import add_service_errors
from healthedu.web.forms.residents import ImportForm, ResidentFilterForm, ResidentForm
from residents.filters import ResidentFilter
from residents.groups import GROUP_LABELS
from residents.importing import check_upload
from residents.jobs import resident_import_start
from residents.models import Resident, ResidentHasHistory
from residents.presenting import birth_date_shown
from residents.selectors import residents_listed
from residents.services import resident_create, resident_delete, resident_update

PAGE_SIZE = 25


@reader_page
def resident_list(request):
    filters = ResidentFilterForm(request.GET or None, user=request.user)
    queryset = residents_listed(Resident.objects.in_reach(request.user).for_list())
    criteria = {k: v for k, v in request.GET.items() if k != "page" and v}
    found = ResidentFilter(data=criteria, queryset=queryset, request=request)
    rows = found.qs if found.is_valid() else queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for resident in page.object_list:
        resident.group_labels = [GROUP_LABELS[g] for g in resident.groups_on(today)]
        resident.birth_shown = birth_date_shown(resident.birth_date, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/residents/list.html",
        {"section": "residents", "filters": filters, "page": page, "query": query.urlencode()},
    )


HISTORY_LIMIT = 200


@reader_page
def resident_page(request, pk):
    """A resident's history, each record in the viewer's reach and masked as everywhere: the
    activities attended, the blood-pressure visits and their readings, the referrals and their
    follow-up, the questionnaires answered. No age on a date is shown (only the birth month and
    today's groups, as in the list), so that the page adds nothing to rebuild an ID number from."""
    user = request.user
    resident = get_in_reach(Resident.objects.select_related("community"), user, pk=pk)
    attendances = (
        Attendance.objects.in_reach(user)
        .filter(resident=resident)
        .select_related("event")
        .order_by("-event__starts_at", "-id")[:HISTORY_LIMIT]
    )
    visits = list(
        Visit.objects.in_reach(user)
        .filter(resident=resident)
        .select_related("event")
        .prefetch_related("readings")
        .order_by("-started_at", "-id")[:HISTORY_LIMIT]
    )
    referrals = (
        Referral.objects.in_reach(user)
        .filter(resident=resident)
        .select_related("visit", "followed_up_by")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    responses = (
        Response.objects.in_reach(user)
        .filter(resident=resident)
        .select_related("survey")
        .order_by("-answered_on", "-id")[:HISTORY_LIMIT]
    )
    resident.group_labels = [GROUP_LABELS[g] for g in resident.groups_on(timezone.localdate())]
    resident.birth_shown = birth_date_shown(resident.birth_date, user)
    return render(
        request,
        "web/residents/detail.html",
        {
            "section": "residents",
            "resident": resident,
            "attendances": attendances,
            "visits": visits,
            "referrals": referrals,
            "responses": responses,
            "limit": HISTORY_LIMIT,
        },
    )


@writer_page
def resident_create_page(request):
    form = ResidentForm(request.POST or None, user=request.user, initial={"status": "active"})
    if request.method == "POST" and form.is_valid():
        try:
            resident = resident_create(user=request.user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, pgettext("web", "%(name)s was registered.") % {"name": resident.name}
            )
            return redirect("web:resident", pk=resident.pk)
    return render(
        request, "web/residents/form.html", {"section": "residents", "form": form, "resident": None}
    )


@writer_page
def resident_edit_page(request, pk):
    resident = get_in_reach(Resident.objects.select_related("community"), request.user, pk=pk)
    form = ResidentForm(
        request.POST or None,
        user=request.user,
        resident=resident,
        initial=ResidentForm.initial_for(resident),
    )
    if request.method == "POST" and form.is_valid():
        try:
            resident_update(user=request.user, resident=resident, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, pgettext("web", "%(name)s was saved.") % {"name": resident.name}
            )
            return redirect("web:resident", pk=resident.pk)
    return render(
        request,
        "web/residents/form.html",
        {"section": "residents", "form": form, "resident": resident},
    )


@require_POST
@writer_page
def resident_delete_page(request, pk):
    """Delete a resident registered by mistake; one with records is refused with the reason
    (they leave the register by status instead)."""
    resident = get_in_reach(Resident.objects.all(), request.user, pk=pk)
    try:
        resident_delete(user=request.user, resident=resident)
    except ResidentHasHistory as exc:
        messages.error(request, exc.args[0])
        return redirect("web:resident_edit", pk=pk)
    messages.success(request, pgettext("web", "%(name)s was deleted.") % {"name": resident.name})
    return redirect("web:residents")


@writer_page
def resident_import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            community = form.cleaned_data["community"]
            job = resident_import_start(user=request.user, community=community, upload=upload)
            return redirect("web:job", pk=job.pk)
    return render(request, "web/residents/import.html", {"section": "residents", "form": form})
