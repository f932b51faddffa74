"""Leaders' summary for a street, district or community and a year: per community the two rates
with intervals, targets and gaps, their trend by month, the before/after comparison of rounds,
and the compliance table of the plan. Plain data (JSON-ready); the PDF and workbook render it.

Rates and comparisons come from healthedu.surveys.rates; compliance from reports.progress.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.org.models import Community
from healthedu.org.reach import Reach
from healthedu.surveys.rates import RateQuery, compare, rates, strata_counts
from reports.funnel import age_band, funnel_point, standardised_rate
from reports.progress import plan_progress
from residents.groups import age_on

BEFORE, AFTER = "baseline", "followup"


def summary_scope(*, user, street=None, district=None, community=None) -> tuple[str, list]:
    """(title, communities) for the summary: the place asked for, cut to the user's reach."""
    queryset = Community.objects.select_related("street__district").order_by("code")
    if community is not None:
        queryset, title = queryset.filter(pk=community.pk), community.name
    elif street is not None:
        queryset, title = queryset.filter(street=street), street.name
    elif district is not None:
        queryset, title = queryset.filter(street__district=district), district.name
    else:
        title = ""
    queryset = queryset.in_reach(user)  # no user (a job whose author is gone): nothing
    communities = list(queryset)
    if not title:
        # Nothing named: call the reach by the place it covers (a street leader's street).
        streets = {c.street for c in communities}
        districts = {c.street.district for c in communities}
        if len(streets) == 1:
            title = next(iter(streets)).name
        elif len(districts) == 1:
            title = next(iter(districts)).name
        else:
            title = _("All communities")
    return title, communities


def funnel_reference(*, user, communities: list) -> list:
    """The communities whose pooled rate a funnel plot compares with (its p0). Several
    communities are compared with each other. One alone (a leader's drill-down, a community's
    summary) is compared with its street: the street's communities in the user's reach; its own
    rate as p0 would put it on the line by definition and say nothing."""
    if len(communities) != 1:
        return communities
    return list(
        Community.objects.filter(street_id=communities[0].street_id)
        .in_reach(user)
        .select_related("street__district")
        .order_by("code")
    )


def leaders_summary(
    *,
    title: str,
    communities: list,
    year: int,
    as_of: dt.date | None = None,
    progress=None,
    compare_with: list | None = None,
) -> dict:
    """compare_with: the communities whose pooled rate is the funnel's p0 (funnel_reference);
    by default the communities summarised."""
    as_of = as_of or timezone.localdate()
    ids = [c.pk for c in communities]
    # The communities come cut to the user's reach (summary_scope): read those, and only those.
    within = Reach.everything().narrow(ids)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    per_community = rates(
        RateQuery(reach=within, date_from=first, date_to=last, by=["community"]), year=year
    )
    compared_with = _compared_with(communities, compare_with, per_community, first, last)
    by_month = rates(
        RateQuery(reach=within, date_from=first, date_to=last, by=["community", "month"])
    )
    overall_trend = rates(RateQuery(reach=within, date_from=first, date_to=last, by=["month"]))
    if progress:
        progress(0.3)
    rates_by_id = {e["community"]: e for e in per_community["breakdown"]}
    trend_by_id: dict[int, list] = {}
    for entry in by_month["breakdown"]:
        trend_by_id.setdefault(entry["community"], []).append(
            {
                "month": entry["month"],
                "knowledge": entry["knowledge"],
                "behavior": entry["behavior"],
            }
        )
    standard = standard_population(ids, last)
    strata = _strata_by_community(RateQuery(reach=within, date_from=first, date_to=last))
    rows = []
    for index, community in enumerate(communities):
        entry = rates_by_id.get(community.pk)
        comparison = compare(
            RateQuery(
                reach=within.narrow([community.pk]),
                community=community.pk,
                date_from=first,
                date_to=last,
            ),
            before=BEFORE,
            after=AFTER,
        )
        compliance = plan_progress(community=community, year=year, as_of=as_of)
        rows.append(
            {
                "community": community.code,
                "community_id": community.pk,
                "name": community.name,
                "street": community.street.name,
                "knowledge": entry["knowledge"]
                if entry
                else _empty_block(community, year, "knowledge"),
                "behavior": entry["behavior"]
                if entry
                else _empty_block(community, year, "behavior"),
                "rounds": entry["rounds"] if entry else [],
                "trend": trend_by_id.get(community.pk, []),
                "comparison": comparison,
                "compliance": compliance["kinds"],
                "warnings": compliance["warnings"],
            }
        )
        for kind, prefix in (("knowledge", "k"), ("behavior", "b")):
            block = rows[-1][kind]
            block["funnel"] = funnel_point(
                compared_with[kind], block["numerator"], block["denominator"]
            )
            block["standardised"] = standardised_rate(
                strata.get(community.pk, {}).get(prefix, {}), standard
            )
        if progress:
            progress(0.3 + 0.7 * (index + 1) / max(1, len(communities)))
    return {
        "title": title,
        "year": year,
        "as_of": as_of.isoformat(),
        # Every community's reasons in one list, for the pages and files that list them.
        "reasons": [
            {"community": row["community"], "name": row["name"], "reason": reason}
            for row in rows
            for kind in row["compliance"]
            for reason in kind["reasons"]
        ],
        "knowledge": per_community["knowledge"],
        "behavior": per_community["behavior"],
        # What the funnel plots compare with: p0 of each rate, and the place it is the rate of.
        "compared_with": compared_with,
        # The rounds the year's figures pool (each person once, by their latest response).
        "rounds": per_community["rounds"],
        "trend": [
            {"month": e["month"], "knowledge": e["knowledge"], "behavior": e["behavior"]}
            for e in overall_trend["breakdown"]
            if e["month"] <= f"{as_of:%Y-%m}"  # months still to come have nothing to show
        ],
        "comparison": compare(
            RateQuery(reach=within, date_from=first, date_to=last), before=BEFORE, after=AFTER
        )
        if ids
        else None,
        "communities": rows,
    }


def _compared_with(communities, reference, per_community, first, last) -> dict:
    """{"scope": "reach" | "street", "place", "communities", "knowledge", "behavior"}: the funnel's
    p0 of each rate, pooled over the reference communities (each person once, by the same rule
    as every rate), and which place that is the rate of."""
    ids = {c.pk for c in communities}
    reference = communities if reference is None else reference
    if {c.pk for c in reference} == ids:
        return {
            "scope": "reach",
            "place": "",
            "communities": len(ids),
            "knowledge": per_community["knowledge"]["rate"],
            "behavior": per_community["behavior"]["rate"],
        }
    pooled = rates(
        RateQuery(
            reach=Reach.everything().narrow([c.pk for c in reference]),
            date_from=first,
            date_to=last,
        )
    )
    streets = {c.street.name for c in reference}
    return {
        "scope": "street",
        "place": next(iter(streets)) if len(streets) == 1 else "",
        "communities": len(reference),
        "knowledge": pooled["knowledge"]["rate"],
        "behavior": pooled["behavior"]["rate"],
    }


def standard_population(community_ids: list[int], on: dt.date) -> dict:
    """{(sex, band): persons}: the active registered residents of the communities, in ten-year
    age bands by sex, age as of `on` (the period's end). Born after `on`: not counted."""
    from django.db.models import Count

    from residents.models import Resident, ResidentStatus

    counts: dict = {}
    rows = (
        Resident.objects.filter(
            community_id__in=community_ids, status=ResidentStatus.ACTIVE, birth_date__lte=on
        )
        .order_by()
        .values("sex", "birth_date")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        key = (row["sex"], age_band(age_on(row["birth_date"], on)))
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _strata_by_community(query: RateQuery) -> dict:
    """{community: {"k"|"b": {(sex, band): (numerator, denominator)}}} of the respondents."""
    out: dict = {}
    for row in strata_counts(query):
        key = (row["sex"], age_band(row["age"]))
        for prefix in ("k", "b"):
            cells = out.setdefault(row["community"], {}).setdefault(prefix, {})
            num, den = cells.get(key, (0, 0))
            cells[key] = (num + row[f"{prefix}_num"], den + row[f"{prefix}_den"])
    return out


def _empty_block(community, year: int, kind: str) -> dict:
    """No respondents this year: no data, with the target still shown."""
    from healthedu.program.selectors import targets_for

    target = targets_for(reach=Reach.everything().narrow([community.pk]), year=year)[community.pk]
    value = target[0] if kind == "knowledge" else target[1]
    return {
        "numerator": 0,
        "denominator": 0,
        "rate": None,
        "ci_low": None,
        "ci_high": None,
        "target": value,
        "gap": None,
    }


def summary_file(*, params: dict, user, progress=None) -> tuple[str, bytes, dict]:
    """The summary job's work: resolve the place within the user's reach, build, render."""
    from healthedu.jobs.services import JobError
    from healthedu.org.models import District, Street
    from reports import labels
    from reports.pdf_summary import render_summary_pdf
    from reports.xlsx import render_summary_xlsx

    place = {
        "street": Street.objects.filter(pk=params.get("street")).first()
        if params.get("street")
        else None,
        "district": District.objects.filter(pk=params.get("district")).first()
        if params.get("district")
        else None,
        "community": Community.objects.filter(pk=params.get("community")).first()
        if params.get("community")
        else None,
    }
    title, communities = summary_scope(user=user, **place)
    if not communities:
        raise JobError(_("No community of this place is in your reach."))
    year = int(params["year"])
    summary = leaders_summary(
        title=title,
        communities=communities,
        year=year,
        compare_with=funnel_reference(user=user, communities=communities),
        progress=(lambda f: progress(0.7 * f)) if progress else None,
    )
    fmt = params.get("format", "pdf")
    render = render_summary_pdf if fmt == "pdf" else render_summary_xlsx
    content = render(summary)
    if progress:
        progress(1.0)
    code = "-".join(
        filter(None, [str(params.get(k) or "") for k in ("district", "street", "community")])
    )
    name = f"summary-{year}-{code or 'all'}.{fmt}"
    return (
        name,
        content,
        {
            "title": title,
            "year": year,
            "communities": len(communities),
            "format": fmt,
            "filename": labels.summary_filename(title, year, fmt),
            "filename_ascii": name,
        },
    )
