"""The leaders' dashboard: read-only, across the communities in reach. The two rates by month and
by group with intervals and target lines, the before/after comparison, the compliance table, and
a drill-down street → community → activity. Figures come from reports.summary and
healthedu.surveys.rates; this view only picks the place and shapes the charts' data."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from healthedu.activities.models import Event
from healthedu.org.models import Street
from healthedu.org.reach import Reach
from healthedu.program.selectors import targets_for
from healthedu.surveys.models import Round
from healthedu.surveys.rates import RateQuery, headline_rates, rates
from healthedu.web.access import communities_in_reach, reader_page
from reports.jobs import summary_start
from reports.summary import leaders_summary, summary_scope
from residents.groups import ALL_GROUPS, GROUP_LABELS

YEARS_BACK = 4
ACTIVITIES_PER_PAGE = 25


def _year(text: str | None, today: dt.date) -> int:
    try:
        year = int(text or today.year)
    except ValueError:
        return today.year
    return year if today.year - YEARS_BACK <= year <= today.year + 1 else today.year


def _place(request, data):
    """(street, community) picked from the request, each only if in reach; else None."""
    communities = list(communities_in_reach(request.user))
    street_ids = {c.street_id for c in communities}
    community = next((c for c in communities if str(c.pk) == data.get("community", "")), None)
    street = None
    if community is not None:
        street = community.street
    elif data.get("street", "").isdigit() and int(data["street"]) in street_ids:
        street = Street.objects.get(pk=int(data["street"]))
    return communities, street, community


def _mean_target(community_ids, year: int) -> dict:
    targets = list(targets_for(reach=Reach.everything().narrow(community_ids), year=year).values())
    if not targets:
        return {"knowledge": None, "behavior": None}
    return {
        "knowledge": sum(t[0] for t in targets) / len(targets),
        "behavior": sum(t[1] for t in targets) / len(targets),
    }


def chart_data(summary: dict, by_group: dict, target: dict) -> dict:
    """What the charts draw: plain numbers (rates as fractions, null where no data)."""

    def series(entries, kind):
        return [
            {
                "rate": e[kind]["rate"],
                "low": e[kind]["ci_low"],
                "high": e[kind]["ci_high"],
                "n": e[kind]["denominator"],
            }
            for e in entries
        ]

    groups = [e for e in by_group["breakdown"] if e.get("group") in ALL_GROUPS]
    return {
        "target": target,
        "text": {
            "knowledge": pgettext("web", "Knowledge-awareness rate"),
            "behavior": pgettext("web", "Healthy-behaviour formation rate"),
            "knowledgeTarget": pgettext("web", "Knowledge target"),
            "behaviorTarget": pgettext("web", "Behaviour target"),
            "interval": pgettext("web", "95 per cent interval"),
        },
        "months": {
            "labels": [e["month"] for e in summary["trend"]],
            "knowledge": series(summary["trend"], "knowledge"),
            "behavior": series(summary["trend"], "behavior"),
        },
        "groups": {
            "labels": [str(GROUP_LABELS[e["group"]]) for e in groups],
            "knowledge": series(groups, "knowledge"),
            "behavior": series(groups, "behavior"),
        },
    }


@reader_page
def dashboard(request):
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    communities, street, community = _place(request, request.GET)
    title, scope = summary_scope(user=request.user, street=street, community=community)
    ids = [c.pk for c in scope]
    summary = leaders_summary(title=title, communities=scope, year=year, as_of=today)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    by_group = rates(
        RateQuery(
            reach=Reach.of(request.user).narrow(ids), date_from=first, date_to=last, by=["group"]
        )
    )
    headline, shown_round = headline_rates(
        RateQuery(reach=Reach.of(request.user).narrow(ids), date_from=first, date_to=last),
        request.GET.get("round"),
    )
    target = _mean_target(ids, year)
    place = {"year": year, **({"community": community.pk} if community else {})}
    if street is not None and community is None:
        place["street"] = street.pk
    streets = {}
    for c in communities:
        streets.setdefault(c.street_id, {"street": c.street, "count": 0})["count"] += 1
    activities = []
    page = None
    if community is not None:
        zone = timezone.get_current_timezone()
        activities = (
            Event.objects.in_reach(request.user)
            .filter(
                community=community,
                starts_at__gte=dt.datetime(year, 1, 1, tzinfo=zone),
                starts_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=zone),
            )
            .for_list()
            .order_by("-starts_at", "-id")
        )
        page = Paginator(activities, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
        activities = page.object_list
    kinds = [
        row
        for row in (summary["communities"][0]["compliance"] if summary["communities"] else [])
        if row["minimum"] is not None
    ]
    return render(
        request,
        "web/dashboard/index.html",
        {
            "section": "dashboard",
            "year": year,
            "years": list(range(today.year - YEARS_BACK, today.year + 1)),
            "street": street,
            "community": community,
            "streets": list(streets.values()),
            "street_of": {c.pk: c.street_id for c in communities},
            "summary": summary,
            "headline": headline,
            "shown_round": shown_round,
            "round_labels": dict(Round.choices),
            "round_query": urlencode(place) + "&",
            "kinds": [
                ("knowledge", pgettext("web", "Knowledge-awareness rate")),
                ("behavior", pgettext("web", "Healthy-behaviour formation rate")),
            ],
            "target": target,
            "charts": chart_data(summary, by_group, target),
            "by_group": [e for e in by_group["breakdown"] if e.get("group") in ALL_GROUPS],
            "group_labels": GROUP_LABELS,
            "compliance_kinds": kinds,
            "activities": activities,
            "page": page,
            "query": f"year={year}&community={community.pk}" if community else "",
        },
    )


@require_POST
@login_required
def summary_download(request):
    """Ask for the summary as a PDF or workbook: a background job. Reading, not editing, so a
    leader may ask; the place is cut to the caller's reach by the job (reports.summary)."""
    today = timezone.localdate()
    _communities, street, community = _place(request, request.POST)
    fmt = request.POST.get("format") if request.POST.get("format") in ("pdf", "xlsx") else "pdf"
    job = summary_start(
        user=request.user,
        year=_year(request.POST.get("year"), today),
        fmt=fmt,
        community=community,
        street=street if community is None else None,
    )
    return redirect("web:job", pk=job.pk)
