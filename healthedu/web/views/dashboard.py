"""The leaders' dashboard: read-only, across the communities in reach. The two rates by month and
by group with intervals and target lines, the before/after comparison, the fair comparison of
communities (funnel plot, ranked bars with intervals, standardised beside crude rates, a trend
per community), the compliance table, and a drill-down street → community → activity.

Figures come from reports.summary, reports.funnel and healthedu.surveys.rates; this view only
picks the place and shapes the charts' data. Every number a chart draws (the funnel's limit
curves included) is computed here on the server; charts.js only draws."""

import datetime as dt
import math
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from healthedu.activities.models import Event
from healthedu.ids import digits_int
from healthedu.org.models import Street
from healthedu.org.reach import Reach
from healthedu.program.selectors import targets_for
from healthedu.surveys.models import Round
from healthedu.surveys.rates import RateQuery, headline_rates, rates
from healthedu.web.access import communities_in_reach, reader_page
from reports.funnel import compared_with_text, funnel_limits, reading_note, signal_text
from reports.jobs import summary_start
from reports.summary import funnel_reference, leaders_summary, summary_scope
from residents.groups import ALL_GROUPS, GROUP_LABELS

YEARS_BACK = 4
ACTIVITIES_PER_PAGE = 25
KINDS = ("knowledge", "behavior")
# Points along each funnel curve besides the communities' own sizes: enough for a smooth line.
CURVE_STEPS = 40


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
    elif (street_id := digits_int(data.get("street", ""))) in street_ids:
        street = Street.objects.get(pk=street_id)
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


def _kind_labels() -> dict:
    return {
        "knowledge": pgettext("web", "Knowledge-awareness rate"),
        "behavior": pgettext("web", "Healthy-behaviour formation rate"),
    }


def funnel_curves(p0: float, sizes: list[int]) -> list[dict]:
    """The control limits along n, from reports.funnel: geometric steps from 1 to a little past
    the largest community, and each community's own n (so a point sits exactly on its limits)."""
    top = max(sizes)
    end = max(2, math.ceil(top * 1.1))
    steps = {round(end ** (i / CURVE_STEPS)) for i in range(CURVE_STEPS + 1)}
    return [{"n": n, **funnel_limits(p0, n)} for n in sorted(steps | set(sizes) | {1})]


def _rank_key(row: dict):
    """Ranked by the standardised rate, the one to compare with; the crude rate where a
    community has no standardised one (no stratum in common with the standard)."""
    value = row["standardised"]["rate"]
    return (-(value if value is not None else row["rate"]), row["name"])


def fair_comparison(summary: dict) -> dict:
    """Per rate: every community's crude and standardised rate with intervals, its funnel
    limits and signal in words; the reach's rate and the limit curves; the communities ranked.
    Communities without respondents are listed as having no data."""
    out = {}
    for kind in KINDS:
        overall = summary[kind]
        rows = []
        for entry in summary["communities"]:
            block = entry[kind]
            rows.append(
                {
                    "id": entry["community_id"],
                    "name": entry["name"],
                    "n": block["denominator"],
                    "numerator": block["numerator"],
                    "rate": block["rate"],
                    "low": block["ci_low"],
                    "high": block["ci_high"],
                    "funnel": block.get("funnel"),
                    "standardised": block.get("standardised")
                    or {"rate": None, "ci_low": None, "ci_high": None, "partial": False},
                    "signal_text": signal_text(block.get("funnel")),
                }
            )
        with_data = [r for r in rows if r["n"]]
        # The funnel's centre: the communities' own pooled rate, or their street's on a
        # drill-down (reports.summary.funnel_reference).
        p0 = summary["compared_with"][kind]
        out[kind] = {
            "kind": kind,
            "overall": overall,
            "expected": p0,
            "compared_with": compared_with_text(summary["compared_with"], kind),
            "rows": rows,
            "ranked": sorted(with_data, key=_rank_key),
            "no_data": [r for r in rows if not r["n"]],
            "above": [r for r in with_data if r["funnel"] and r["funnel"]["signal"] == "above"],
            "below": [r for r in with_data if r["funnel"] and r["funnel"]["signal"] == "below"],
            "curves": funnel_curves(p0, [r["n"] for r in with_data])
            if with_data and p0 is not None
            else [],
        }
    return out


def _trend_months(year: int, as_of: dt.date) -> list[str]:
    """The months of the year that have begun by `as_of`: the x axis every small chart shares."""
    last = 12 if year < as_of.year else (as_of.month if year == as_of.year else 0)
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def community_trends(summary: dict, months: list[str]) -> list[dict]:
    """One small chart per community: its two rates by month (null where nobody answered)."""
    out = []
    for entry in summary["communities"]:
        by_month = {t["month"]: t for t in entry["trend"]}
        series = {}
        for kind in KINDS:
            series[kind] = [
                {
                    "rate": by_month[m][kind]["rate"] if m in by_month else None,
                    "low": by_month[m][kind]["ci_low"] if m in by_month else None,
                    "high": by_month[m][kind]["ci_high"] if m in by_month else None,
                    "n": by_month[m][kind]["denominator"] if m in by_month else 0,
                }
                for m in months
            ]
        out.append(
            {
                "id": entry["community_id"],
                "name": entry["name"],
                "has_data": any(p["n"] for kind in KINDS for p in series[kind]),
                "months": [
                    {"month": m, "knowledge": k, "behavior": b}
                    for m, k, b in zip(months, series["knowledge"], series["behavior"], strict=True)
                ],
                **series,
            }
        )
    return out


def fair_chart_data(fair: dict, trends: list[dict], months: list[str]) -> dict:
    """What the fair-comparison charts draw, as plain numbers."""

    def point(r):
        return {
            "name": r["name"],
            "n": r["n"],
            "rate": r["rate"],
            "low": r["low"],
            "high": r["high"],
            "std": r["standardised"]["rate"],
            "stdLow": r["standardised"]["ci_low"],
            "stdHigh": r["standardised"]["ci_high"],
            "signal": r["funnel"]["signal"] if r["funnel"] else None,
        }

    return {
        "kinds": {
            kind: {
                "expected": block["expected"],
                "points": [point(r) for r in block["rows"] if r["n"]],
                "ranked": [point(r) for r in block["ranked"]],
                "curves": block["curves"],
            }
            for kind, block in fair.items()
        },
        "months": months,
        "trends": [
            {"id": t["id"], "knowledge": t["knowledge"], "behavior": t["behavior"]}
            for t in trends
            if t["has_data"]
        ],
        "text": {
            **_kind_labels(),
            "respondents": pgettext("web", "Number of respondents"),
            "rate": pgettext("web", "Rate (%)"),
            "expected": pgettext("web", "Overall rate of the street")
            if any(block["compared_with"] for block in fair.values())
            else pgettext("web", "Overall rate of the communities in reach"),
            "limit95": pgettext("web", "95% control limits"),
            "limit998": pgettext("web", "99.8% control limits"),
            "communities": pgettext("web", "Communities"),
            "crude": pgettext("web", "Crude rate"),
            "standardised": pgettext("web", "Age- and sex-standardised rate"),
            "interval": pgettext("web", "95 per cent interval"),
        },
    }


@reader_page
def dashboard(request):
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    communities, street, community = _place(request, request.GET)
    title, scope = summary_scope(user=request.user, street=street, community=community)
    ids = [c.pk for c in scope]
    summary = leaders_summary(
        title=title,
        communities=scope,
        year=year,
        as_of=today,
        compare_with=funnel_reference(user=request.user, communities=scope),
    )
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
    fair = fair_comparison(summary)
    months = _trend_months(year, today)
    trends = community_trends(summary, months)
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
            "fair": [fair[kind] | {"label": label} for kind, label in _kind_labels().items()],
            "fair_note": reading_note(),
            "fair_charts": fair_chart_data(fair, trends, months),
            "trends": trends,
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
