"""The two rates (两率) and the item rates: the one module the API, reports and pages call.

Counting happens in the database: person-level numerators and denominators are one GROUP BY over
Response (its stored aware/formed flags, community, month and group flags); item rates are one
GROUP BY over Answer. pandas only shapes the grouped counts into breakdowns (quarters from months,
one row per key-population group). No response or answer row is pulled into Python to be counted.
Where the counts kept at write time answer a query exactly (healthedu.surveys.counts says when),
they are read instead of the responses; `raw=True` forces the GROUP BY over the raw rows (the
check the tests and bench compare against).

Units: person-level rates count respondents, each person once: a resident who answered several
times within what a figure covers counts by their latest response (answered_on, then id) — in
the headline over the whole window, in a breakdown entry within that entry's community, month,
quarter, round or survey (so `by=round` shows each round). The latest response is picked in SQL
(ROW_NUMBER() over the resident's responses), skipped when the filters already make it unique
(one survey and one round: a resident answers a survey once per round). Anonymous responses
count one person each. Every figure says which rounds it covers (`rounds`). Item and topic rates
count answers. A denominator of 0 gives rate and interval None ("no data").

Groups: a person is counted in every group they belong to as of their counted response (the
group breakdown is the union of per-group aggregates); totals count each person once.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count, F, Q, Window
from django.db.models.functions import ExtractQuarter, ExtractYear, RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy import stats

from healthedu.dbrouter import reads_for_reports
from healthedu.gcpause import gc_paused
from healthedu.months import months_between
from healthedu.org.reach import Reach
from healthedu.surveys import counts
from residents.groups import ALL_GROUPS, ELDERLY, GENERAL, MIGRANT, WOMEN, YOUTH

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
DIGITS = 4

GROUP_FLAG = {
    ELDERLY: "is_elderly",
    WOMEN: "is_women",
    YOUTH: "is_youth",
    MIGRANT: "is_migrant",
    GENERAL: "is_general",
}
# `by` dimensions and the Response column each one groups on in SQL.
SQL_DIMENSION = {
    "community": "community_id",
    "street": "community__street_id",
    "month": "month",
    "quarter": "month",  # months are summed into quarters by pandas
    "round": "round",
    "survey": "survey_id",
}
DIMENSIONS = (*SQL_DIMENSION, "group", "topic")
ROUNDS = ("baseline", "followup", "routine")

# The respondent's sex and age, for the strata of age–sex standardisation (strata_counts only).
STRATUM_DIMENSION = {"sex": "sex", "age": "age"}
UNIT_RESPONDENTS = "respondents"
UNIT_ANSWERS = "answers"
FILL_LIMIT = 50_000  # do not pad breakdowns past this many rows


# ---------------------------------------------------------------- pure rules


def wilson_interval(numerator: int, denominator: int, z: float = Z_95):
    """Wilson score interval (Wilson 1927; Newcombe 1998, method 3). (None, None) when n = 0."""
    if denominator <= 0:
        return None, None
    p = numerator / denominator
    z2 = z * z
    centre = (p + z2 / (2 * denominator)) / (1 + z2 / denominator)
    half = (
        z
        * math.sqrt(p * (1 - p) / denominator + z2 / (4 * denominator * denominator))
        / (1 + z2 / denominator)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_block(numerator: int, denominator: int) -> dict:
    numerator, denominator = int(numerator), int(denominator)
    low, high = wilson_interval(numerator, denominator)
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": round(numerator / denominator, DIGITS) if denominator else None,
        "ci_low": round(low, DIGITS) if low is not None else None,
        "ci_high": round(high, DIGITS) if high is not None else None,
    }


def compare_proportions(before: tuple[int, int], after: tuple[int, int]) -> dict:
    """Change and test of two proportions (numerator, denominator).

    Pearson's chi-square without continuity correction on the 2×2 table, or Fisher's exact test
    (two-sided) when an expected count is under 5. None values with a note when a side is empty.
    """
    (k1, n1), (k2, n2) = before, after
    result = {
        "before": rate_block(k1, n1),
        "after": rate_block(k2, n2),
        "change": None,
        "statistic": None,
        "p_value": None,
        "test": None,
        "note": "",
    }
    if n1 == 0 or n2 == 0:
        if n1 == 0 and n2 == 0:
            result["note"] = _("Neither round has respondents; there is nothing to compare.")
        elif n1 == 0:
            result["note"] = _("The earlier round has no respondents; there is nothing to compare.")
        else:
            result["note"] = _("The later round has no respondents; there is nothing to compare.")
        return result
    result["change"] = round(k2 / n2 - k1 / n1, DIGITS)
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    total = n1 + n2
    columns = (k1 + k2, total - k1 - k2)
    expected = [n * c / total for n in (n1, n2) for c in columns]
    if min(expected) < 5:
        _odds, p_value = stats.fisher_exact(table, alternative="two-sided")
        result.update(test="fisher", p_value=float(p_value))
    else:
        chi2, p_value, _dof, _exp = stats.chi2_contingency(table, correction=False)
        result.update(test="chi2", statistic=float(chi2), p_value=float(p_value))
    return result


def quarter_label(month: dt.date) -> str:
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


# ---------------------------------------------------------------- filters


@dataclass
class RateQuery:
    """What to count. `reach` is the caller's (a healthedu.org.reach.Reach): none, nothing."""

    reach: Reach = field(default_factory=Reach.nothing)
    survey: int | None = None
    community: int | None = None
    street: int | None = None
    group: str | None = None
    round: str | None = None
    rounds: list[str] | None = None
    topic: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    by: list[str] = field(default_factory=list)

    def response_q(self, prefix: str = "") -> Q:
        p = prefix
        q = Q()
        q &= self.reach.q(f"{p}community")
        if self.survey is not None:
            q &= Q(**{f"{p}survey_id": self.survey})
        if self.community is not None:
            q &= Q(**{f"{p}community_id": self.community})
        if self.street is not None:
            q &= Q(**{f"{p}community__street_id": self.street})
        if self.group:
            q &= Q(**{f"{p}{GROUP_FLAG[self.group]}": True})
        if self.round:
            q &= Q(**{f"{p}round": self.round})
        if self.rounds:
            q &= Q(**{f"{p}round__in": self.rounds})
        if self.date_from:
            q &= Q(**{f"{p}answered_on__gte": self.date_from})
        if self.date_to:
            q &= Q(**{f"{p}answered_on__lte": self.date_to})
        return q

    def year(self) -> int | None:
        if self.date_from and self.date_to and self.date_from.year == self.date_to.year:
            return self.date_from.year
        return None


# ---------------------------------------------------------------- database aggregates


def _filtered_responses(query: RateQuery):
    from healthedu.surveys.models import Response

    responses = Response.objects.filter(query.response_q())
    if query.topic:
        # Person-level rates for a topic: respondents of surveys that ask about it.
        from healthedu.surveys.models import Item

        asking = Item.objects.filter(topic__code=query.topic).values("survey_id")
        responses = responses.filter(survey_id__in=asking)
    return responses


def _partition(query: RateQuery, by: list[str]) -> list | None:
    """What a person is counted once within, beside the resident; None when the filters and
    the breakdown already allow one response per resident (one survey, one round)."""
    one_survey = query.survey is not None or "survey" in by
    one_round = bool(query.round) or len(query.rounds or []) == 1 or "round" in by
    if one_survey and one_round:
        return None
    parts = [F(SQL_DIMENSION[d]) for d in ("community", "round", "survey") if d in by]
    if "month" in by:
        parts.append(F("month"))
    elif "quarter" in by:
        parts += [ExtractYear("month"), ExtractQuarter("month")]
    return parts


def counted_responses(query: RateQuery, by: list[str] | None = None):
    """The responses that count as people: anonymous ones, and each resident's latest response
    within every combination of the `by` dimensions (one window query; see the module doc)."""
    responses = _filtered_responses(query)
    by = query.by if by is None else by
    parts = _partition(query, by)
    if parts is None:
        return responses
    latest = (
        responses.filter(resident__isnull=False)
        .annotate(
            person_rank=Window(
                RowNumber(),
                partition_by=[F("resident_id"), *parts],
                order_by=[F("answered_on").desc(), F("pk").desc()],
            )
        )
        .filter(person_rank=1)
        .values("pk")
    )
    return responses.filter(Q(resident__isnull=True) | Q(pk__in=latest))


def _round_measures(suffix: str = "", condition: Q | None = None) -> dict:
    measures = {}
    for name in ROUNDS:
        q = Q(round=name) if condition is None else Q(round=name) & condition
        measures[f"n_{name}{suffix}"] = Count("pk", filter=q)
    return measures


def _person_aggregates(
    query: RateQuery, by: list[str] | None = None, *, raw: bool = False
) -> pd.DataFrame:
    """The counts per combination of `by`: from the kept counts where they answer exactly,
    otherwise (or with raw=True, the check) one GROUP BY over the counted responses."""
    by = query.by if by is None else by
    measures = _measures(by)
    dimension = {**SQL_DIMENSION, **STRATUM_DIMENSION}
    columns = sorted({dimension[d] for d in by if d in dimension})
    scope = None if raw else counts.scope_for(query, by, _partition(query, by) is None)
    if scope is not None:
        # The counts kept at write time answer this exactly (surveys.counts): no scan.
        rows = counts.person_rows(query, scope, columns, measures)
        frame = pd.DataFrame(rows, columns=[*columns, *measures])
    elif columns:
        responses = counted_responses(query, by)
        rows = list(responses.order_by().values(*columns).annotate(**measures))
        frame = pd.DataFrame(rows, columns=[*columns, *measures])
    else:
        responses = counted_responses(query, by)
        frame = pd.DataFrame([responses.aggregate(**measures)], columns=list(measures))
    return frame.rename(columns={"community__street_id": "street_id"})


def _person_totals(query: RateQuery, *, raw: bool = False) -> dict:
    """The headline's counts, each person once over the whole window: {measure: count}."""
    measures = _measures([])
    scope = None if raw else counts.scope_for(query, [], _partition(query, []) is None)
    if scope is not None:
        (row,) = counts.person_rows(query, scope, [], measures)
        return dict(zip(measures, row, strict=True))
    return counted_responses(query, []).aggregate(**measures)


def _headline_counts(query: RateQuery, year: int | None, *, raw: bool = False):
    """The headline's counts, its items and, with one community and a year, that community's
    targets (None otherwise): from the kept counts in one round trip where they answer (a
    community-month is asked for on every page and by scripts; each round trip costs as much as
    the statements' work), else as _person_totals and _item_aggregates count them."""
    from healthedu.program.selectors import targets_read

    measures = _measures([])
    scope = None if raw else counts.scope_for(query, [], _partition(query, []) is None)
    items_read = None if raw else counts.item_read(query)
    if scope is None or items_read is None:
        return _person_totals(query, raw=raw), _item_aggregates(query, raw=raw), None
    reads = [counts.person_read(query, scope, [], measures), items_read]
    if year is not None and query.community is not None:
        reads.append(targets_read(reach=query.reach.narrow([query.community]), year=year))
    ((row,), item_rows, *targets) = counts.read(*reads)
    if item_rows is None:  # a survey too long for the masks
        item_rows = _item_rows_counted(query)
    totals = dict(zip(measures, row, strict=True))
    return totals, _item_entries(item_rows), (targets[0] if targets else None)


def _measures(by: list[str]) -> dict:
    """The counts of a breakdown by `by`: the two rates and the rounds, and the same per group
    when `by` holds "group" (k_num__elderly, ...)."""
    measures = {
        "k_num": Count("pk", filter=Q(knowledge_aware=True)),
        "k_den": Count("knowledge_aware"),
        "b_num": Count("pk", filter=Q(behavior_formed=True)),
        "b_den": Count("behavior_formed"),
        **_round_measures(),
    }
    if "group" in by:
        for group, flag in GROUP_FLAG.items():
            measures[f"k_num__{group}"] = Count(
                "pk", filter=Q(knowledge_aware=True, **{flag: True})
            )
            measures[f"k_den__{group}"] = Count("knowledge_aware", filter=Q(**{flag: True}))
            measures[f"b_num__{group}"] = Count(
                "pk", filter=Q(behavior_formed=True, **{flag: True})
            )
            measures[f"b_den__{group}"] = Count("behavior_formed", filter=Q(**{flag: True}))
            measures.update(_round_measures(f"__{group}", Q(**{flag: True})))
    return measures


def rounds_of(row, suffix: str = "") -> list[str]:
    """The rounds a figure covers: those with at least one counted response."""
    return [name for name in ROUNDS if row[f"n_{name}{suffix}"]]


def latest_round(query: RateQuery) -> str | None:
    """The round of the latest response within the filters (the pages' default headline)."""
    return (
        _filtered_responses(query)
        .order_by("-answered_on", "-pk")
        .values_list("round", flat=True)
        .first()
    )


def _item_counts_from_masks(query: RateQuery, max_order: int) -> dict[tuple[int, int], dict]:
    """One GROUP BY survey over responses, summing the answered/correct bits of each item order."""
    from django.db.models import F, Sum

    from healthedu.surveys.models import Response

    sums = {}
    for k in range(max_order):
        sums[f"a{k}"] = Sum(F("answered_items").bitrightshift(k).bitand(1))
        sums[f"c{k}"] = Sum(F("correct_items").bitrightshift(k).bitand(1))
    rows = Response.objects.filter(query.response_q()).order_by().values("survey_id")
    counts = {}
    for row in rows.annotate(**sums):
        for k in range(max_order):
            if row[f"a{k}"]:
                counts[(row["survey_id"], k + 1)] = {"num": row[f"c{k}"], "den": row[f"a{k}"]}
    return counts


def _item_counts_from_answers(query: RateQuery) -> dict[tuple[int, int], dict]:
    """One GROUP BY item over answers (for surveys with more items than the masks hold)."""
    from healthedu.surveys.models import Answer

    answers = Answer.objects.filter(query.response_q("response__"))
    return {
        (row["item__survey_id"], row["item__order"]): row
        for row in answers.order_by()
        .values("item__survey_id", "item__order")
        .annotate(num=Count("pk", filter=Q(correct=True)), den=Count("pk"))
    }


def _item_aggregates(query: RateQuery, *, raw: bool = False) -> list[dict]:
    """Correct (or healthy) answers and answers per item, counted in the database."""
    rows = None if raw else counts.item_rows(query)
    if rows is None:
        rows = _item_rows_counted(query)
    return _item_entries(rows)


def _item_entries(rows: list[tuple]) -> list[dict]:
    return [
        {
            "item": pk,
            "survey": survey,
            "order": order,
            "kind": kind,
            "topic": topic,
            "text": text,
            **rate_block(num, den),
        }
        for pk, survey, order, kind, topic, text, num, den in rows
    ]


def _item_rows_counted(query: RateQuery) -> list[tuple]:
    """counts.item_rows' rows counted from the responses' item masks, or from the answer
    rows when a survey has more items than the masks hold."""
    from django.db.models import Max

    from healthedu.surveys.models import MASK_ITEMS, Item

    max_order = Item.objects.aggregate(top=Max("order"))["top"] or 0
    if max_order <= MASK_ITEMS:
        counts_by_item = _item_counts_from_masks(query, max_order)
    else:
        counts_by_item = _item_counts_from_answers(query)
    items = Item.objects.order_by("survey_id", "order")
    if query.survey is not None:
        items = items.filter(survey_id=query.survey)
    else:
        items = items.filter(survey_id__in={survey for survey, _order in counts_by_item})
    if query.topic:
        items = items.filter(topic__code=query.topic)
    fields = ("pk", "survey_id", "order", "kind", "topic__code", "text")
    rows = []
    for pk, survey, order, kind, topic, text in items.values_list(*fields):
        row = counts_by_item.get((survey, order), {"num": 0, "den": 0})
        rows.append((pk, survey, order, kind, topic, text, row["num"], row["den"]))
    return rows


# ---------------------------------------------------------------- shaping


MEASURES = ("k_num", "k_den", "b_num", "b_den", *(f"n_{name}" for name in ROUNDS))


def _blocks(row, suffix: str = "") -> dict:
    return {
        "knowledge": rate_block(row[f"k_num{suffix}"], row[f"k_den{suffix}"]),
        "behavior": rate_block(row[f"b_num{suffix}"], row[f"b_den{suffix}"]),
    }


def _breakdown(frame: pd.DataFrame, query: RateQuery) -> list[dict]:
    """Shape grouped counts into one entry per combination of the `by` dimensions."""
    keys = []
    if "quarter" in query.by:
        frame = frame.assign(quarter=frame["month"].map(quarter_label))
        if "month" not in query.by:
            frame = frame.drop(columns=["month"])
    column = {"community": "community_id", "street": "street_id", "survey": "survey_id"}
    for name in query.by:  # in the order asked, which is the order of sorting
        if name in SQL_DIMENSION and column.get(name, name) not in keys:
            keys.append(column.get(name, name))
    measures = [c for c in frame.columns if c.split("__")[0] in MEASURES]
    if keys:
        frame = frame.groupby(keys, as_index=False, sort=True)[measures].sum()
    if "group" in query.by:
        parts = []
        for group in ALL_GROUPS:
            part = frame[keys].copy()
            part["group"] = group
            for m in MEASURES:
                part[m] = frame[f"{m}__{group}"].to_numpy()
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
        keys = [*keys, "group"]
    if not keys:
        return []
    frame = _fill_empty(frame, keys, query)
    if "group" in keys:  # groups in their usual order, not alphabetical
        frame["group"] = pd.Categorical(frame["group"], categories=ALL_GROUPS, ordered=True)
    frame = frame.sort_values(keys, kind="stable")
    return _entries(frame, keys)


def _entries(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    """The breakdown's entries, built from whole columns: a province has hundreds of thousands,
    and pandas' per-row access, a Wilson interval and a month label per entry cost seconds.
    Denominators repeat (a community-month holds a few dozen people), so each distinct
    (numerator, denominator) is worked out once; every entry still gets its own dicts (a
    caller may add to them: targets and gaps)."""
    names = [key.removesuffix("_id") for key in keys]
    columns = []
    for key in keys:
        values = frame[key].tolist()  # Python ints and strings, not numpy scalars
        if key == "month":
            labels = {month: month.strftime("%Y-%m") for month in set(values)}
            values = [labels[month] for month in values]
        columns.append(values)
    keyed = list(zip(*columns, strict=True))
    k_num, k_den, b_num, b_den, *by_round = (frame[m].tolist() for m in MEASURES)
    pairs = {*zip(k_num, k_den, strict=True), *zip(b_num, b_den, strict=True)}
    blocks = {pair: rate_block(*pair) for pair in pairs}
    baseline, followup, routine = by_round  # the order of ROUNDS
    covered = {}
    for present in {(b > 0, f > 0, r > 0) for b, f, r in zip(*by_round, strict=True)}:
        covered[present] = [name for name, n in zip(ROUNDS, present, strict=True) if n]
    out = []
    for key_values, kn, kd, bn, bd, b, f, r in zip(
        keyed, k_num, k_den, b_num, b_den, baseline, followup, routine, strict=True
    ):
        entry = dict(zip(names, key_values, strict=True))
        entry["knowledge"] = blocks[kn, kd].copy()
        entry["behavior"] = blocks[bn, bd].copy()
        entry["rounds"] = covered[b > 0, f > 0, r > 0].copy()
        out.append(entry)
    return out


def _fill_empty(frame: pd.DataFrame, keys: list[str], query: RateQuery) -> pd.DataFrame:
    """Rows with denominator 0 for groups and months without respondents (shown as no data)."""
    levels = []
    for key in keys:
        values = sorted(frame[key].dropna().unique().tolist()) if len(frame) else []
        if key == "group":
            values = list(ALL_GROUPS)
        elif key == "month":
            bounds = [*values, *(d.replace(day=1) for d in (query.date_from, query.date_to) if d)]
            values = months_between(min(bounds), max(bounds)) if bounds else []
        if not values:
            return frame
        levels.append(values)
    size = math.prod(len(v) for v in levels)
    if size > FILL_LIMIT or size == len(frame):
        return frame
    if len(keys) == 1:
        full = pd.Index(levels[0], name=keys[0])
    else:
        full = pd.MultiIndex.from_product(levels, names=keys)
    return frame.set_index(keys).reindex(full, fill_value=0).reset_index()


def _names(breakdown: list[dict]) -> None:
    """Add community and street names to breakdown entries (one query each, only when present)."""
    from healthedu.org.models import Community, Street

    community_ids = {e["community"] for e in breakdown if "community" in e}
    street_ids = {e["street"] for e in breakdown if "street" in e}
    communities = (
        dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "name"))
        if community_ids
        else {}
    )
    streets = (
        dict(Street.objects.filter(pk__in=street_ids).values_list("pk", "name"))
        if street_ids
        else {}
    )
    for entry in breakdown:
        if "community" in entry:
            entry["community_name"] = communities.get(entry["community"], "")
        if "street" in entry:
            entry["street_name"] = streets.get(entry["street"], "")


def _add_gap(blocks: dict, target: tuple[float, float]) -> None:
    for kind, value in zip(("knowledge", "behavior"), target, strict=True):
        block = blocks[kind]
        block["target"] = value
        block["gap"] = round(block["rate"] - value, DIGITS) if block["rate"] is not None else None


def _topics(items: list[dict]) -> list[dict]:
    """Answer-level rates per topic and kind, summed from the item counts (a few dozen items:
    plain Python, no DataFrame to build)."""
    sums = {}
    for item in items:
        total = sums.setdefault((item["topic"], item["kind"]), [0, 0])
        total[0] += item["numerator"]
        total[1] += item["denominator"]
    return [
        {"topic": topic, "kind": kind, **rate_block(numerator, denominator)}
        for (topic, kind), (numerator, denominator) in sorted(sums.items())
    ]


# ---------------------------------------------------------------- the public functions


@reads_for_reports
@gc_paused()  # a province's breakdown is a million dicts, none of them in a cycle
def rates(query: RateQuery, *, year: int | None = None, raw: bool = False) -> dict:
    """The two rates with their counts and intervals, breakdowns, item and topic rates.

    With a single community (or community in `by`) and a year (given, or from/to in one year),
    each block carries the target for that community and year and the gap (rate − target).
    """
    from healthedu.program.selectors import targets_for

    year = year or query.year()
    dimensions = any(d in SQL_DIMENSION for d in query.by)
    items, targets = None, None
    if not dimensions and "group" not in query.by:
        # No breakdown (a community-month, a headline): the totals alone, no frame to build.
        totals, items, targets = _headline_counts(query, year, raw=raw)
        breakdown = []
    else:
        frame = _person_aggregates(query, raw=raw)
        if dimensions and _partition(query, []) is not None:
            # A person counted in two months (or rounds, communities) is one person in the total.
            totals = _person_totals(query, raw=raw)
        else:
            totals = frame[list(MEASURES)].sum()
        breakdown = _breakdown(frame, query)
    result = {
        "unit": UNIT_RESPONDENTS,
        **_blocks(totals),
        "rounds": rounds_of(totals),
        "breakdown": breakdown,
    }
    _names(result["breakdown"])
    if items is None:
        items = _item_aggregates(query, raw=raw)
    result["items"] = items
    result["items_unit"] = UNIT_ANSWERS
    result["topics"] = _topics(items)
    if year is not None:
        if query.community is not None:
            if targets is None:
                targets = targets_for(reach=query.reach.narrow([query.community]), year=year)
            _add_gap(result, targets[query.community])
            result["target_year"] = year
        if "community" in query.by and result["breakdown"]:
            ids = sorted({e["community"] for e in result["breakdown"]})
            each = targets_for(reach=query.reach.narrow(ids), year=year)
            for entry in result["breakdown"]:
                _add_gap(entry, each[entry["community"]])
            result["target_year"] = year
    return result


ALL_ROUNDS = "all"


@reads_for_reports
def headline_rates(query: RateQuery, choice: str | None = None, *, year: int | None = None):
    """The pages' headline: the round chosen, or by default the latest round within the filters
    (not a silent pool of all rounds); `all` pools the rounds, each person once. Returns the
    rates (with `rounds`) and the round shown (None when pooled or nothing answered)."""
    query = RateQuery(**{**query.__dict__, "by": []})
    if choice == ALL_ROUNDS:
        return rates(query, year=year), None
    chosen = choice if choice in ROUNDS else latest_round(query)
    if chosen is not None:
        query.round = chosen
    return rates(query, year=year), chosen


TEST_NOTES = {
    "independent": gettext_lazy(
        "Everyone who answered either round (chi-square, or Fisher's exact test): did the rate in the population change? Fits when the rounds surveyed different people, or only some of the same."
    ),
    "paired": gettext_lazy(
        "The residents who answered both rounds (McNemar's test on their pairs; exact binomial under 25 discordant pairs): did the same people change? Fits the before/after question for one cohort, and is the stronger test where it applies."
    ),
}


def mcnemar(a: int, b: int, c: int, d: int) -> dict:
    """McNemar's test on paired yes/no answers: a = yes both times, b = yes then no, c = no then
    yes, d = no both times; only the discordant pairs b and c carry information.

    Under 25 discordant pairs: the exact two-sided binomial test of b among b + c with p = ½
    (scipy.stats.binomtest), `mcnemar_exact`, statistic None. Otherwise `mcnemar`: the
    chi-square (b − c)² / (b + c) with one degree of freedom, *without* continuity correction
    (the correction matters only for small counts, which the exact test already covers, and
    the independent test beside it is Pearson's without correction too).
    """
    discordant = b + c
    if discordant < MCNEMAR_EXACT_BELOW:
        p_value = stats.binomtest(b, discordant, 0.5).pvalue if discordant else 1.0
        return {"test": "mcnemar_exact", "statistic": None, "p_value": float(p_value)}
    statistic = (b - c) ** 2 / discordant
    return {
        "test": "mcnemar",
        "statistic": float(statistic),
        "p_value": float(stats.chi2.sf(statistic, 1)),
    }


MCNEMAR_EXACT_BELOW = 25


def _paired_tables(query: RateQuery, *, before: str, after: str) -> dict[str, tuple]:
    """The 2×2 table (a, b, c, d) of each kind over residents with a counted response in both
    rounds: one query, each before-response joined to the same resident's after-response."""
    from django.db.models import OuterRef, Subquery

    def one_round(name):
        return RateQuery(**{**query.__dict__, "rounds": None, "round": name, "by": []})

    # The latest after-response of the same resident (the one that counts for them).
    later = (
        _filtered_responses(one_round(after))
        .filter(resident_id=OuterRef("resident_id"))
        .order_by("-answered_on", "-pk")
    )
    earlier = counted_responses(one_round(before), by=[]).filter(resident__isnull=False)
    pairs = earlier.annotate(
        after_k=Subquery(later.values("knowledge_aware")[:1]),
        after_b=Subquery(later.values("behavior_formed")[:1]),
    )
    counts = {}
    for kind, mine, theirs in (
        ("knowledge", "knowledge_aware", "after_k"),
        ("behavior", "behavior_formed", "after_b"),
    ):
        counts[f"{kind}_a"] = Count("pk", filter=Q(**{mine: True, theirs: True}))
        counts[f"{kind}_b"] = Count("pk", filter=Q(**{mine: True, theirs: False}))
        counts[f"{kind}_c"] = Count("pk", filter=Q(**{mine: False, theirs: True}))
        counts[f"{kind}_d"] = Count("pk", filter=Q(**{mine: False, theirs: False}))
    row = pairs.aggregate(**counts)
    return {
        kind: tuple(row[f"{kind}_{cell}"] for cell in "abcd") for kind in ("knowledge", "behavior")
    }


def paired_comparison(a: int, b: int, c: int, d: int) -> dict | None:
    """The paired block of a comparison (API.md), or None when no resident answered both."""
    pairs = a + b + c + d
    if pairs == 0:
        return None
    return {
        "pairs": pairs,
        "before": rate_block(a + b, pairs),
        "after": rate_block(a + c, pairs),
        "change": round((c - b) / pairs, DIGITS),
        "discordant": {"before_only": b, "after_only": c},
        **mcnemar(a, b, c, d),
    }


@reads_for_reports
def compare(query: RateQuery, *, before: str, after: str) -> dict:
    """Before/after comparison of two rounds: everyone in each round (independent samples, each
    person once per round), and the residents who answered both (paired, McNemar)."""
    query.rounds = [before, after]
    query.round = None
    query.by = ["round"]
    frame = _person_aggregates(query).set_index("round")

    def counts(round_name, kind):
        if round_name not in frame.index:
            return 0, 0
        row = frame.loc[round_name]
        return int(row[f"{kind}_num"]), int(row[f"{kind}_den"])

    tables = _paired_tables(query, before=before, after=after)
    result = {
        "unit": UNIT_RESPONDENTS,
        "before_round": before,
        "after_round": after,
        "tests": {name: str(note) for name, note in TEST_NOTES.items()},
    }
    for kind, short in (("knowledge", "k"), ("behavior", "b")):
        block = compare_proportions(counts(before, short), counts(after, short))
        block["paired"] = paired_comparison(*tables[kind])
        result[kind] = block
    return result


@reads_for_reports
def strata_counts(query: RateQuery) -> list[dict]:
    """Respondents per community, sex and age (years, as answered): the strata counts of direct
    standardisation (reports.funnel), counted by the same rule as every other total here.
    → [{"community", "sex", "age", "k_num", "k_den", "b_num", "b_den"}]."""
    strata_query = RateQuery(**{**query.__dict__, "by": ["community", "sex", "age"]})
    frame = _person_aggregates(strata_query)
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.rename(columns={"community_id": "community"}).to_dict("records")
    ]
