"""The plan's progress for a community-year: per kind count, minimum, met and the reasons a person
can act on; and warnings before a period closes. The one home of the cadence rules: the API, the
ledger's figures, the leaders' summary (page, PDF, workbook) and the home page all call
`kind_progress` (through `plan_progress` or directly). The as-of date is a parameter (the API
defaults it to today), never buried inside.

Counts are the activities app's (held activities, distinct material kinds); the yearly minimums
are settings.HEALTHEDU["YEARLY_MINIMUMS"] (国家基本公共卫生服务规范 第三版).

The rules, judged on one day D (as_of, or 31 December for a past year; nothing for a year not
begun):

- A period (a month, a quarter) is *closed* once D is its last day or later, *open* while D lies
  within it, and months after D are not judged at all. A closed period that broke its rule makes
  `met` false for good; an open one never does yet, but what it still lacks is in `reasons` (for
  lectures the open month is also in `months_missing`: "no lecture yet this month" is something
  to act on before the month ends).
- Lectures: at least one held lecture in every month, and the yearly count (setting) reached by
  the year's end (pro rata while it runs).
- Meetings: the yearly count n (setting, 4) read as one meeting in each 12/n months (4: each
  quarter) when n divides 12; otherwise only the count.
- Publicity boards: a board is the venue of its updates (surrounding spaces and case ignored;
  updates recorded without a venue are one board, "(no venue)"). The boards are those updated in
  the year or the year before, up to D. Each must be updated at most BOARD_UPDATE_MAX_DAYS (60)
  days after the one before: an update exactly 60 days later is in time, 61 days later is late,
  and a board is overdue from the 61st day on. A board's clock in a year starts at its last
  update before 1 January, or on 1 January if it has none. At least MIN_BOARDS boards must be
  updated in the year; that fails once BOARD_UPDATE_MAX_DAYS days of the year have passed.
- Every kind with a minimum: the count reaches the minimum pro rata to D while the year runs
  (`expected_by_now`, `on_schedule`), and the minimum itself at the year's end. Consultations,
  printed and audio-visual kinds have only this rule.

`final` says the year is judged whole (D is 31 December): `met` can no longer change.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from healthedu.activities.models import Event, EventKind, EventStatus, MaterialMedium
from healthedu.activities.selectors import held_counts_by_kind, material_kinds_by_year
from healthedu.months import month_end, next_month
from healthedu.org.reach import Reach

# Warn this many days before the board rule (BOARD_UPDATE_MAX_DAYS) is broken.
BOARD_WARNING_LEAD_DAYS = 10
# A month's lecture is due; from the 20th on, a month without one is warned about.
LECTURE_WARNING_DAY = 20
KIND_MEDIUM = {
    EventKind.PRINT_MATERIAL.value: MaterialMedium.PRINT.value,
    EventKind.AV_SHOWING.value: MaterialMedium.AV.value,
}
CADENCE_KINDS = (EventKind.LECTURE, EventKind.MEETING, EventKind.BOARD_UPDATE)


def minimums() -> dict[str, int]:
    return dict(settings.HEALTHEDU["YEARLY_MINIMUMS"])


def kind_label(kind: str) -> str:
    return str(EventKind(kind).label)


def months_completed(as_of: dt.date) -> int:
    """Whole months of the year behind `as_of` (its own month counts once it is the last day)."""
    return as_of.month - 1 + (1 if as_of == month_end(as_of) else 0)


def expected_by(minimum: int | None, as_of: dt.date | None) -> int | None:
    """The yearly minimum pro rata to `as_of`, rounded down: 12 lectures → 10 by 31 October.
    None as_of (a year not begun): nothing due yet."""
    if minimum is None:
        return None
    if as_of is None:
        return 0
    return minimum * months_completed(as_of) // 12


def judged_on(year: int, as_of: dt.date) -> dt.date | None:
    """The day the year is judged on: as_of within the year, its last day for a past year, None
    for a year not begun."""
    if as_of.year < year:
        return None
    return min(as_of, dt.date(year, 12, 31))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def kind_counts(
    *, community_id: int, year: int, before: dt.datetime | None = None
) -> dict[str, int]:
    """Held activities per kind; for printed and audio-visual material, distinct kinds handed out.
    `before` stops the count (a ledger counts the year up to its month's end)."""
    # The caller has reached the community (a page) or is the system (a ledger job).
    one = Reach.everything().narrow([community_id])
    held = held_counts_by_kind(reach=one, year=year, before=before).get(community_id, {})
    kinds = material_kinds_by_year(reach=one, year=year, before=before).get(community_id, {})
    counts = {kind.value: held.get(kind.value, 0) for kind in EventKind}
    for kind, medium in KIND_MEDIUM.items():
        counts[kind] = kinds.get(medium, 0)
    return counts


def _held_dates(community_id: int, year: int, day: dt.date) -> dict[str, list[tuple]]:
    """{kind: [(local date, venue)]} of held lectures, meetings and board updates from 1 January
    of the year before up to `day` (one query)."""
    rows = (
        Event.objects.filter(
            community_id=community_id,
            status=EventStatus.HELD,
            kind__in=[k.value for k in CADENCE_KINDS],
            starts_at__gte=_day_start(dt.date(year - 1, 1, 1)),
            starts_at__lt=_day_start(day + dt.timedelta(days=1)),
        )
        .order_by("starts_at", "pk")
        .values_list("kind", "starts_at", "venue")
    )
    result: dict[str, list[tuple]] = defaultdict(list)
    for kind, starts_at, venue in rows:
        result[kind].append((timezone.localtime(starts_at).date(), venue))
    return result


def _periods(year: int, months: int) -> list[tuple[dt.date, dt.date]]:
    """The year cut into periods of `months` months: [(first day, last day)]."""
    result, first = [], dt.date(year, 1, 1)
    while first.year == year:
        last = first
        for _index in range(months):
            last = next_month(last)
        result.append((first, last - dt.timedelta(days=1)))
        first = last
    return result


def _period_label(first: dt.date, months: int) -> str:
    if months == 1:
        return f"{first:%Y-%m}"
    if months == 3:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    last = month_end(dt.date(first.year, first.month + months - 1, 1))
    return f"{first:%Y-%m}/{last:%Y-%m}"


def _missing_periods(dates, year: int, day: dt.date, months: int) -> tuple[list, list]:
    """(closed periods without any date, the open period if it has none yet) as
    [(first, last, label)], over periods begun by `day`."""
    closed, open_ = [], []
    for first, last in _periods(year, months):
        if first > day:
            break
        if any(first <= d <= last for d in dates):
            continue
        entry = (first, last, _period_label(first, months))
        (closed if last <= day else open_).append(entry)
    return closed, open_


def _lecture_rule(dates, year: int, day: dt.date) -> tuple[bool, list[str], dict]:
    closed, open_ = _missing_periods(dates, year, day, 1)
    reasons = []
    if closed:
        reasons.append(
            _(
                "No health-knowledge lecture was held in %(months)s; at least one is due every month."
            )
            % {"months": pgettext("list", ", ").join(label for _f, _l, label in closed)}
        )
    for _first, last, label in open_:
        reasons.append(
            _("No health-knowledge lecture has been held in %(month)s yet; hold one by %(day)s.")
            % {"month": label, "day": last.isoformat()}
        )
    missing = [label for _f, _l, label in closed + open_]
    return not closed, reasons, {"months_missing": missing}


def meeting_period_months(minimum: int) -> int | None:
    """Months per period for `minimum` meetings a year (4 → 3: each quarter); None when the
    minimum does not divide the year into whole months (then only the count is judged)."""
    if minimum <= 0 or 12 % minimum:
        return None
    return 12 // minimum


def _meeting_rule(dates, year: int, day: dt.date, minimum: int) -> tuple[bool, list[str], dict]:
    months = meeting_period_months(minimum)
    if months is None:
        return True, [], {"periods_missing": []}
    closed, open_ = _missing_periods(dates, year, day, months)
    reasons = [
        _(
            "No leading-group meeting was held in %(period)s (%(first)s to %(last)s); one is due in each."
        )
        % {"period": label, "first": first.isoformat(), "last": last.isoformat()}
        for first, last, label in closed
    ]
    return not closed, reasons, {"periods_missing": [label for _f, _l, label in closed]}


def _board_key(venue: str) -> str:
    return (venue or "").strip().casefold()


def _board_rule(updates, year: int, day: dt.date) -> tuple[bool, list[str], dict]:
    """Each board (venue) updated at most BOARD_UPDATE_MAX_DAYS days after the one before, and
    at least MIN_BOARDS boards updated in the year (see the module's docstring)."""
    max_days = settings.HEALTHEDU["BOARD_UPDATE_MAX_DAYS"]
    min_boards = settings.HEALTHEDU["MIN_BOARDS"]
    year_start = dt.date(year, 1, 1)
    names: dict[str, str] = {}
    dates: dict[str, list[dt.date]] = defaultdict(list)
    for when, venue in updates:
        key = _board_key(venue)
        names.setdefault(key, (venue or "").strip() or _("(no venue)"))
        dates[key].append(when)
    ok, reasons, boards = True, [], []
    for key in sorted(dates, key=lambda k: names[k]):
        name, seen = names[key], sorted(dates[key])
        earlier = [d for d in seen if d < year_start]
        this_year = [d for d in seen if d >= year_start]
        previous = earlier[-1] if earlier else year_start
        for update in this_year:
            gap = (update - previous).days
            if gap > max_days:
                ok = False
                reasons.append(
                    _(
                        "The publicity board “%(board)s” went %(days)s days without an update "
                        "(overdue from %(since)s until %(until)s); at most %(max)s are allowed."
                    )
                    % {
                        "board": name,
                        "days": gap,
                        "since": (previous + dt.timedelta(days=max_days + 1)).isoformat(),
                        "until": update.isoformat(),
                        "max": max_days,
                    }
                )
            previous = update
        due_by = previous + dt.timedelta(days=max_days)
        overdue_since = None
        if day > due_by:
            ok = False
            overdue_since = due_by + dt.timedelta(days=1)
            reasons.append(
                _(
                    "The publicity board “%(board)s” is overdue since %(since)s (last updated "
                    "%(last)s); update it: each board is due at least every %(max)s days."
                )
                % {
                    "board": name,
                    "since": overdue_since.isoformat(),
                    "last": seen[-1].isoformat(),
                    "max": max_days,
                }
            )
        boards.append(
            {
                "board": name,
                "last_update": seen[-1].isoformat(),
                "updates_this_year": len(this_year),
                "due_by": due_by.isoformat(),
                "overdue_since": overdue_since.isoformat() if overdue_since else None,
            }
        )
    updated = sum(1 for b in boards if b["updates_this_year"])
    if updated < min_boards:
        late = (day - year_start).days > max_days
        ok = ok and not late
        text = (
            _(
                "Only %(count)s publicity board(s) updated in %(year)s; at least %(minimum)s are kept."
            )
            if day == dt.date(year, 12, 31)
            else _(
                "Only %(count)s publicity board(s) updated in %(year)s so far; at least %(minimum)s are kept."
            )
        )
        reasons.append(text % {"count": updated, "year": year, "minimum": min_boards})
    return ok, reasons, {"boards": boards}


def _count_reason(kind: str, count: int, need: int, minimum: int, final: bool) -> str:
    label = kind_label(kind)
    if final:
        return _("%(kind)s: %(count)s in the year, short of the yearly minimum of %(minimum)s.") % {
            "kind": label,
            "count": count,
            "minimum": minimum,
        }
    return _(
        "%(kind)s: %(count)s so far, %(due)s due by now for the yearly minimum of %(minimum)s."
    ) % {"kind": label, "count": count, "due": need, "minimum": minimum}


def kind_progress(*, community_id: int, year: int, as_of: dt.date) -> list[dict]:
    """Per activity kind: count, minimum, met, final, reasons (and the rule's details), judged
    on `as_of` (see the module's docstring). The one function every report calls."""
    day = judged_on(year, as_of)
    # Counted up to the end of the judging day; a year not begun counts nothing.
    until = _day_start(day + dt.timedelta(days=1) if day else dt.date(year, 1, 1))
    counts = kind_counts(community_id=community_id, year=year, before=until)
    dated = _held_dates(community_id, year, day) if day else {}
    this_year = {kind: [d for d, _venue in rows if d.year == year] for kind, rows in dated.items()}
    final = day == dt.date(year, 12, 31)
    mins = minimums()
    rows = []
    for kind in EventKind:
        minimum = mins.get(kind.value)
        count = counts[kind.value]
        due = expected_by(minimum, day)
        row = {
            "kind": kind.value,
            "label": str(kind.label),
            "unit": "kinds" if kind.value in KIND_MEDIUM else "activities",
            "count": count,
            "minimum": minimum,
            "met": None,
            "final": final,
            "expected_by_now": due,
            "on_schedule": None if due is None else count >= due,
            "reasons": [],
        }
        if kind == EventKind.LECTURE:
            row["months_missing"] = []
        if minimum is None:
            rows.append(row)
            continue
        cadence_ok, reasons, details = True, [], {}
        if day is not None and minimum > 0:
            if kind == EventKind.LECTURE:
                cadence_ok, reasons, details = _lecture_rule(
                    this_year.get(kind.value, []), year, day
                )
            elif kind == EventKind.MEETING:
                cadence_ok, reasons, details = _meeting_rule(
                    this_year.get(kind.value, []), year, day, minimum
                )
            elif kind == EventKind.BOARD_UPDATE:
                cadence_ok, reasons, details = _board_rule(dated.get(kind.value, []), year, day)
        need = minimum if final else due
        count_ok = count >= need
        if not count_ok:
            reasons.append(_count_reason(kind.value, count, need, minimum, final))
        row.update(details)
        row["met"] = cadence_ok and count_ok
        row["reasons"] = reasons
        rows.append(row)
    return rows


def plan_progress(*, community, year: int, as_of: dt.date) -> dict:
    rows = kind_progress(community_id=community.pk, year=year, as_of=as_of)
    day = judged_on(year, as_of)
    return {
        "community": community.code,
        "community_name": community.name,
        "year": year,
        "as_of": as_of.isoformat(),
        "judged_on": day.isoformat() if day else None,
        "final": day == dt.date(year, 12, 31),
        "met": all(r["met"] is not False for r in rows),
        "kinds": rows,
        "warnings": progress_warnings(year=year, as_of=as_of, rows=rows),
        "coming_due": coming_due(year=year, as_of=as_of, rows=rows),
    }


def coming_due(*, year: int, as_of: dt.date, rows: list[dict]) -> list[str]:
    """What falls due within BOARD_WARNING_LEAD_DAYS days and is not late yet (the reasons say
    what is late): boards whose next update is due soon. For the home page."""
    if as_of.year != year:
        return []
    board = next(r for r in rows if r["kind"] == EventKind.BOARD_UPDATE.value)
    notes = []
    for entry in board.get("boards", []):
        due_by = dt.date.fromisoformat(entry["due_by"])
        if as_of <= due_by <= as_of + dt.timedelta(days=BOARD_WARNING_LEAD_DAYS):
            notes.append(
                _("The publicity board “%(board)s” is due for its update by %(day)s.")
                % {"board": entry["board"], "day": entry["due_by"]}
            )
    return notes


def progress_warnings(*, year: int, as_of: dt.date, rows: list[dict]) -> list[dict]:
    """Warnings while a period is still open, so that it can be put right in time. Read off the
    rows of kind_progress: the same rules, said before they are broken."""
    if as_of.year != year:
        return []
    by_kind = {row["kind"]: row for row in rows}
    warnings = []
    lecture = by_kind[EventKind.LECTURE.value]
    if as_of.day >= LECTURE_WARNING_DAY and f"{as_of:%Y-%m}" in lecture.get("months_missing", []):
        warnings.append(
            {
                "code": "no_lecture",
                "kind": EventKind.LECTURE.value,
                "message": _(
                    "No health-knowledge lecture has been held in %(month)s yet; one is due every month."
                )
                % {"month": f"{as_of:%Y-%m}"},
            }
        )
    warnings += _board_warnings(by_kind[EventKind.BOARD_UPDATE.value], year, as_of)
    for row in rows:
        if row["on_schedule"] is False:
            warnings.append(
                {
                    "code": "behind_schedule",
                    "kind": row["kind"],
                    "message": _count_reason(
                        row["kind"], row["count"], row["expected_by_now"], row["minimum"], False
                    ),
                }
            )
    return warnings


def _board_warnings(row: dict, year: int, as_of: dt.date) -> list[dict]:
    """Boards due within BOARD_WARNING_LEAD_DAYS days (or overdue), and too few boards."""
    if "boards" not in row:  # no board rule (no minimum set)
        return []
    limit = settings.HEALTHEDU["BOARD_UPDATE_MAX_DAYS"] - BOARD_WARNING_LEAD_DAYS
    warnings = []
    for board in row.get("boards", []):
        last = dt.date.fromisoformat(board["last_update"])
        days = (as_of - last).days
        if days >= limit:
            warnings.append(
                {
                    "code": "board_stale",
                    "kind": EventKind.BOARD_UPDATE.value,
                    "board": board["board"],
                    "days": days,
                    "message": _(
                        "The publicity board “%(board)s” was last updated %(days)s days ago (on %(day)s); "
                        "each board is due every two months."
                    )
                    % {"board": board["board"], "days": days, "day": board["last_update"]},
                }
            )
    minimum_boards = settings.HEALTHEDU["MIN_BOARDS"]
    if len(row.get("boards", [])) < minimum_boards:
        warnings.append(
            {
                "code": "too_few_boards",
                "kind": EventKind.BOARD_UPDATE.value,
                "message": _(
                    "Only %(count)s publicity board(s) updated in the last year; at least %(minimum)s are kept."
                )
                % {"count": len(row.get("boards", [])), "minimum": minimum_boards},
            }
        )
    return warnings
