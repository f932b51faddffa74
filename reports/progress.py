"""The plan's progress for a community-year: per kind count, minimum, met; and warnings before a
period closes. The as-of date is a parameter (the API defaults it to today), never buried inside.

Counts are the activities app's (held activities, distinct material kinds); the yearly minimums
are settings.HEALTHEDU["YEARLY_MINIMUMS"] (国家基本公共卫生服务规范 第三版).
"""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from healthedu.activities.models import Event, EventKind, EventStatus, MaterialMedium
from healthedu.activities.selectors import (
    board_updates_by_year,
    held_counts_by_kind,
    material_kinds_by_year,
)
from reports.months import month_bounds, month_end

# Warn ten days before the two-month board rule (BOARD_UPDATE_MAX_DAYS) is broken.
BOARD_WARNING_DAYS = 50
# A month's lecture is due; from the 20th on, a month without one is warned about.
LECTURE_WARNING_DAY = 20
KIND_MEDIUM = {
    EventKind.PRINT_MATERIAL.value: MaterialMedium.PRINT.value,
    EventKind.AV_SHOWING.value: MaterialMedium.AV.value,
}


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


def kind_counts(
    *, community_id: int, year: int, before: dt.datetime | None = None
) -> dict[str, int]:
    """Held activities per kind; for printed and audio-visual material, distinct kinds handed out.
    `before` stops the count (a ledger counts the year up to its month's end)."""
    held = held_counts_by_kind(community_ids=[community_id], year=year, before=before).get(
        community_id, {}
    )
    kinds = material_kinds_by_year(community_ids=[community_id], year=year, before=before).get(
        community_id, {}
    )
    counts = {kind.value: held.get(kind.value, 0) for kind in EventKind}
    for kind, medium in KIND_MEDIUM.items():
        counts[kind] = kinds.get(medium, 0)
    return counts


def plan_progress(*, community, year: int, as_of: dt.date) -> dict:
    counts = kind_counts(community_id=community.pk, year=year)
    mins = minimums()
    schedule_day = _schedule_day(year, as_of)
    rows = []
    for kind in EventKind:
        minimum = mins.get(kind.value)
        count = counts[kind.value]
        due = expected_by(minimum, schedule_day)
        rows.append(
            {
                "kind": kind.value,
                "label": str(kind.label),
                "unit": "kinds" if kind.value in KIND_MEDIUM else "activities",
                "count": count,
                "minimum": minimum,
                "met": None if minimum is None else count >= minimum,
                "expected_by_now": due,
                "on_schedule": None if due is None else count >= due,
            }
        )
    warnings = progress_warnings(community=community, year=year, as_of=as_of, rows=rows)
    return {
        "community": community.code,
        "community_name": community.name,
        "year": year,
        "as_of": as_of.isoformat(),
        "kinds": rows,
        "warnings": warnings,
    }


def _schedule_day(year: int, as_of: dt.date) -> dt.date | None:
    """The day the schedule is judged on: as_of within the year, its last day for a past year."""
    if as_of.year > year:
        return dt.date(year, 12, 31)
    if as_of.year < year:
        return None
    return as_of


def progress_warnings(*, community, year: int, as_of: dt.date, rows: list[dict]) -> list[dict]:
    """Warnings while a period is still open, so that it can be put right in time."""
    if as_of.year != year:
        return []
    warnings = []
    warnings += _lecture_warning(community.pk, as_of)
    warnings += _board_warnings(community.pk, as_of)
    for row in rows:
        if row["on_schedule"] is False:
            warnings.append(
                {
                    "code": "behind_schedule",
                    "kind": row["kind"],
                    "message": _(
                        "%(kind)s: %(count)s so far, %(due)s due by now for the yearly minimum of %(minimum)s."
                    )
                    % {
                        "kind": row["label"],
                        "count": row["count"],
                        "due": row["expected_by_now"],
                        "minimum": row["minimum"],
                    },
                }
            )
    return warnings


def _lecture_warning(community_id: int, as_of: dt.date) -> list[dict]:
    if as_of.day < LECTURE_WARNING_DAY:
        return []
    start, _end = month_bounds(as_of)
    day_end = start + dt.timedelta(days=as_of.day)
    held = Event.objects.filter(
        community_id=community_id,
        kind=EventKind.LECTURE,
        status=EventStatus.HELD,
        starts_at__gte=start,
        starts_at__lt=day_end,
    ).exists()
    if held:
        return []
    return [
        {
            "code": "no_lecture",
            "kind": EventKind.LECTURE.value,
            "message": _(
                "No health-knowledge lecture has been held in %(month)s yet; one is due every month."
            )
            % {"month": f"{as_of:%Y-%m}"},
        }
    ]


def _board_warnings(community_id: int, as_of: dt.date) -> list[dict]:
    """Boards (an update's venue) not updated for BOARD_WARNING_DAYS, and too few boards."""
    last: dict[str, dt.date] = {}
    for year in (as_of.year - 1, as_of.year):
        boards = board_updates_by_year(community_ids=[community_id], year=year).get(
            community_id, {}
        )
        for board, dates in boards.items():
            seen = [d for d in dates if d <= as_of]
            if seen:
                last[board] = max(seen + ([last[board]] if board in last else []))
    warnings = []
    for board, day in sorted(last.items()):
        days = (as_of - day).days
        if days >= BOARD_WARNING_DAYS:
            warnings.append(
                {
                    "code": "board_stale",
                    "kind": EventKind.BOARD_UPDATE.value,
                    "board": board,
                    "days": days,
                    "message": _(
                        "The publicity board “%(board)s” was last updated %(days)s days ago (on %(day)s); "
                        "each board is due every two months."
                    )
                    % {"board": board or _("(no venue)"), "days": days, "day": day.isoformat()},
                }
            )
    minimum_boards = settings.HEALTHEDU["MIN_BOARDS"]
    if len(last) < minimum_boards:
        warnings.append(
            {
                "code": "too_few_boards",
                "kind": EventKind.BOARD_UPDATE.value,
                "message": _(
                    "Only %(count)s publicity board(s) updated in the last year; at least %(minimum)s are kept."
                )
                % {"count": len(last), "minimum": minimum_boards},
            }
        )
    return warnings
