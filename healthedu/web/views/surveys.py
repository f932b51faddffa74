"""Survey pages: the list, building a survey from the item bank, entering paper questionnaires
one by one, importing them, and the two rates. Scoring, validation and the rates are the surveys
app's (services, importing, rates); these views only translate HTTP to its calls."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext

from healthedu.ids import digits_int
from healthedu.org.reach import Reach
from healthedu.surveys.importing import check_upload
from healthedu.surveys.jobs import survey_response_import_start
from healthedu.surveys.models import Response, Round, Survey
from healthedu.surveys.rates import RateQuery, compare, headline_rates, rates
from healthedu.surveys.services import response_create, survey_from_bank
from healthedu.tabular import TableError
from healthedu.web.access import get_in_reach, reader_page, writer_page
from healthedu.web.forms.common import run_service
from healthedu.web.forms.surveys import ResponseForm, ResponseImportForm, SurveyBuildForm
from healthedu.web.views.activities import search_residents
from healthedu.web.views.dashboard import _mean_target, chart_data
from residents.groups import ALL_GROUPS, GROUP_LABELS
from residents.models import Resident


@reader_page
def survey_list(request):
    responses = Response.objects.in_reach(request.user)
    counts = dict(responses.values("survey").annotate(n=Count("id")).values_list("survey", "n"))
    surveys = list(
        Survey.objects.in_reach(request.user)
        .select_related("community")
        .annotate(item_count=Count("items"))
        .order_by("-id")
    )
    for survey in surveys:
        survey.response_count = counts.get(survey.pk, 0)
    return render(request, "web/surveys/list.html", {"section": "surveys", "surveys": surveys})


@writer_page
def survey_build(request):
    form = SurveyBuildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        survey = run_service(form, survey_from_bank, user=request.user, **form.service_args())
        if survey is not None:
            messages.success(request, pgettext("web", "The survey was made."))
            return redirect("web:survey", pk=survey.pk)
    bank = {}
    ticked = set()  # topics with items ticked stay open when the form comes back with errors
    for choice in form["bank_items"]:
        item = choice.data["value"].instance
        bank.setdefault(item.topic.name, []).append((choice, item))
        if choice.data["selected"]:
            ticked.add(item.topic.name)
    return render(
        request,
        "web/surveys/build.html",
        {"section": "surveys", "form": form, "bank": bank, "open_topics": ticked},
    )


def _survey(request, pk):
    return get_in_reach(Survey.objects.select_related("community"), request.user, pk=pk)


def _items(survey):
    return list(survey.items.select_related("topic").order_by("order"))


@reader_page
def survey_detail(request, pk):
    survey = _survey(request, pk)
    responses = survey.responses.in_reach(request.user)
    counts = dict(responses.values("round").annotate(n=Count("id")).values_list("round", "n"))
    by_round = [(label, counts[code]) for code, label in Round.choices if code in counts]
    return render(
        request,
        "web/surveys/detail.html",
        {"section": "surveys", "survey": survey, "items": _items(survey), "by_round": by_round},
    )


@writer_page
def survey_respond(request, pk):
    """A form per paper questionnaire; after saving, an empty one for the next."""
    survey = _survey(request, pk)
    items = _items(survey)
    resident = None
    resident_id = digits_int(request.POST.get("resident") or request.GET.get("resident") or "")
    if resident_id is not None:
        resident = get_in_reach(
            Resident.objects.select_related("community"), request.user, pk=resident_id
        )
    initial = {
        "answered_on": request.GET.get("answered_on") or timezone.localdate(),
        "round": request.GET.get("round") or "routine",
    }
    form = ResponseForm(
        request.POST or None,
        user=request.user,
        survey=survey,
        items=items,
        resident=resident,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form, response_create, user=request.user, survey=survey, **form.service_args()
        )
        if saved is not None:
            messages.success(
                request, pgettext("web", "The questionnaire was saved. Enter the next one.")
            )
            target = redirect("web:survey_respond", pk=survey.pk)
            target["Location"] += f"?round={saved.round}&answered_on={saved.answered_on:%Y-%m-%d}"
            return target
    query = request.GET.get("q", "")
    # The round and date chosen stay while the next respondent is looked up and picked.
    keep = {"round": form["round"].value() or "", "answered_on": form["answered_on"].value() or ""}
    keep["answered_on"] = (
        f"{keep['answered_on']:%Y-%m-%d}"
        if hasattr(keep["answered_on"], "strftime")
        else str(keep["answered_on"])
    )
    return render(
        request,
        "web/surveys/respond.html",
        {
            "section": "surveys",
            "survey": survey,
            "form": form,
            "resident": resident,
            "query": query,
            "keep": keep,
            "keep_query": urlencode(keep),
            "matches": search_residents(request.user, query) if query else [],
        },
    )


@writer_page
def survey_import(request, pk):
    survey = _survey(request, pk)
    form = ResponseImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload, survey)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            community = form.communities[form.cleaned_data["community"]]
            job = survey_response_import_start(
                user=request.user, community=community, survey=survey, upload=upload
            )
            return redirect("web:job", pk=job.pk)
    return render(
        request, "web/surveys/import.html", {"section": "surveys", "survey": survey, "form": form}
    )


def comparison_kinds() -> list[tuple[str, str]]:
    return [
        ("knowledge", pgettext("web", "Knowledge-awareness rate")),
        ("behavior", pgettext("web", "Healthy-behaviour formation rate")),
    ]


@reader_page
def survey_rates(request, pk):
    survey = _survey(request, pk)

    def query(**extra):
        return RateQuery(reach=Reach.of(request.user), survey=survey.pk, **extra)

    overall = rates(query(by=["month"]))
    headline, shown_round = headline_rates(query(), request.GET.get("round"))
    by_group = rates(query(by=["group"]))
    by_round = rates(query(by=["round"]))
    comparison = compare(query(), before="baseline", after="followup")
    items = {item.pk: item for item in _items(survey)}
    item_rows = [
        {**row, "item_obj": items.get(row["item"])}
        for row in overall["items"]
        if row["item"] in items
    ]
    target_ids = Reach.of(request.user).ids()  # an admin's: the survey's own community
    if target_ids is None:
        target_ids = [survey.community_id] if survey.community_id else []
    target = _mean_target(target_ids, timezone.localdate().year)
    summary_like = {"trend": overall["breakdown"]}
    return render(
        request,
        "web/surveys/rates.html",
        {
            "section": "surveys",
            "survey": survey,
            "overall": overall,
            "headline": headline,
            "shown_round": shown_round,
            "round_labels": dict(Round.choices),
            "round_query": "",
            "by_group": [e for e in by_group["breakdown"] if e.get("group") in ALL_GROUPS],
            "by_round": by_round["breakdown"],
            "comparison": comparison,
            "kinds": comparison_kinds(),
            "items": item_rows,
            "group_labels": GROUP_LABELS,
            "target": target,
            "charts": chart_data(summary_like, by_group, target),
        },
    )
