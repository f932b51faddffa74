"""Reads over activities: flags, yearly counts for the minimums, the calendar, reminders due."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthedu.activities.models import (
    Attachment,
    Event,
    EventMaterial,
    EventStatus,
    MaterialMedium,
)
from healthedu.activities.rules import material_kind_key, summary_missing, summary_missing_q
from healthedu.months import year_bounds
from healthedu.org.reach import NOWHERE, Reach

FLAG_NO_PARTICIPANTS = "no_participants"
FLAG_NO_SUMMARY = "no_summary"
FLAG_LABELS = {
    FLAG_NO_PARTICIPANTS: _("Marked held, but nobody took part"),
    FLAG_NO_SUMMARY: _("Marked held, but the summary and evaluation is missing"),
}


def event_flags(*, status: str, participant_count: int, summary: str) -> list[str]:
    """What is wrong with a record an educator should finish (pure). The one home of the rule:
    the API, the pages and the ledger all ask it."""
    if status != EventStatus.HELD:
        return []
    flags = []
    if not participant_count:
        flags.append(FLAG_NO_PARTICIPANTS)
    if summary_missing(summary):
        flags.append(FLAG_NO_SUMMARY)
    return flags


def attach_event_rows(events) -> list:
    """Topics, materials and archive categories of each event as plain values (`topic_codes`,
    `material_rows`, `archive_categories`), in three queries for any number of events.

    What the API shows of an event's relations. A prefetch would build a model instance per
    row, which was most of an event list page's time; this builds none.
    """
    events = list(events)
    ids = [event.pk for event in events]
    topics, materials, archive = defaultdict(list), defaultdict(list), defaultdict(set)
    for event_id, code in (
        Event.topics.through.objects.filter(event_id__in=ids)
        .order_by("topic__ordering", "topic__code")
        .values_list("event_id", "topic__code")
    ):
        topics[event_id].append(code)
    for event_id, kind, count, medium in (
        EventMaterial.objects.filter(event_id__in=ids)
        .order_by("id")
        .values_list("event_id", "kind", "count", "medium")
    ):
        materials[event_id].append({"kind": kind, "count": count, "medium": medium})
    for event_id, category in Attachment.objects.filter(event_id__in=ids).values_list(
        "event_id", "category"
    ):
        archive[event_id].add(category)
    for event in events:
        event.topic_codes = topics[event.pk]
        event.material_rows = materials[event.pk]
        event.archive_categories = archive[event.pk]
    return events


def flagged_events(*, user):
    """Held activities with no participants or without a summary, in the user's reach."""
    return (
        Event.objects.in_reach(user)
        .with_counts()
        .filter(status=EventStatus.HELD)
        .filter(Q(participant_count=0) | summary_missing_q("summary"))
        .order_by("-starts_at", "-id")
    )


def material_kinds_by_year(
    *, reach: Reach = NOWHERE, year: int, before: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """Distinct printed and audio-visual material kinds handed out at held activities in a year.

    {community_id: {"print": n, "av": n}} — the yearly "kinds" minimums (印刷资料 ≥ 12 种,
    音像资料 ≥ 6 种). Kinds are keyed by material_kind_key().
    `before` cuts the year short (a ledger's month end).
    """
    start, end = year_bounds(year)
    end = min(end, before) if before else end
    materials = EventMaterial.objects.filter(
        event__status=EventStatus.HELD,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
        medium__in=[MaterialMedium.PRINT, MaterialMedium.AV],
    )
    materials = Reach.of(reach).filter(materials)
    # A year holds a few dozen distinct spellings: they are keyed here, by the one rule.
    keys: dict[tuple[int, str], set[str]] = defaultdict(set)
    for community_id, medium, kind in (
        materials.order_by().values_list("event__community_id", "medium", "kind").distinct()
    ):
        keys[community_id, medium].add(material_kind_key(kind))
    result: dict[int, dict[str, int]] = defaultdict(
        lambda: {MaterialMedium.PRINT.value: 0, MaterialMedium.AV.value: 0}
    )
    for (community_id, medium), kinds in keys.items():
        result[community_id][medium] = len(kinds)
    return dict(result)


def held_counts_by_kind(
    *, reach: Reach = NOWHERE, year: int, before: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """{community_id: {kind: number of held activities}} in a year (up to `before`, if given)."""
    start, end = year_bounds(year)
    end = min(end, before) if before else end
    events = Event.objects.filter(status=EventStatus.HELD, starts_at__gte=start, starts_at__lt=end)
    events = Reach.of(reach).filter(events)
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in events.values("community_id", "kind").annotate(n=Count("pk")):
        result[row["community_id"]][row["kind"]] = row["n"]
    return dict(result)


CALENDAR_PAST_DAYS = 120


def calendar_events(*, user, community=None, now=None):
    """Activities for a user's calendar feed: from a few months back on, in reach."""
    now = now or timezone.now()
    events = (
        Event.objects.in_reach(user)
        .filter(starts_at__gte=now - dt.timedelta(days=CALENDAR_PAST_DAYS))
        .select_related("community")
        .order_by("starts_at", "pk")
    )
    if community is not None:
        events = events.filter(community=community)
    return events


def events_due_reminder(*, reach: Reach = NOWHERE, today: dt.date):
    """Planned activities starting tomorrow (local date) whose organiser was not reminded yet
    (the reminder job asks with Reach.everything())."""
    tz = timezone.get_current_timezone()
    tomorrow = today + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min), tz)
    end = start + dt.timedelta(days=1)
    return (
        Event.objects.in_reach(reach)
        .filter(
            status=EventStatus.PLANNED,
            starts_at__gte=start,
            starts_at__lt=end,
            reminder_sent_at__isnull=True,
        )
        .select_related("community", "created_by")
        .order_by("starts_at", "pk")
    )
