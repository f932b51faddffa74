"""Writes to activities: create, update (with optimistic concurrency), delete, repeat series.

Every write checks the period lock of the month it touches and the venue clash rule; the
database backs both the end-after-start rule and (on PostgreSQL) the venue rule.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from healthedu.activities.models import (
    Event,
    EventKind,
    EventMaterial,
    EventStatus,
    MaterialMedium,
    Series,
)
from healthedu.activities.recurrence import MAX_OCCURRENCES, occurrence_dates, occurrence_times
from healthedu.audit.services import Action, audit_record
from healthedu.errors import VersionConflict
from healthedu.locking import ensure_period_open

PLAIN_FIELDS = (
    "community",
    "kind",
    "title",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "target_groups",
    "speaker",
    "organiser",
    "status",
    "walk_ins",
    "form",
    "content",
    "summary",
    "recorder",
    "responsible",
    "recorded_on",
)
# What a repeat gives each occurrence when it is made, and what a change to the repeat carries
# to those to come: the plan, not the record of one day (times, status, attendance, summary and
# materials stay each occurrence's own).
SERIES_FIELDS = (
    "kind",
    "title",
    "venue",
    "capacity",
    "target_groups",
    "speaker",
    "organiser",
    "form",
    "content",
    "recorder",
    "responsible",
)
SERIES_COPIED_FIELDS = ("community_id", *SERIES_FIELDS)
# Changing one of these on an occurrence takes it out of its repeat's later changes. Community
# too: a repeat's changes never reach an activity that has moved to another community.
DETACHING_FIELDS = {"starts_at", "ends_at", "venue", "status", "community"}


def _local(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def default_medium(kind: str) -> str:
    return MaterialMedium.AV if kind == EventKind.AV_SHOWING else MaterialMedium.PRINT


def find_clash(*, community_id, venue: str, starts_at, ends_at, exclude_ids=()) -> Event | None:
    """The first non-cancelled activity at the same venue in the community overlapping the time."""
    venue = (venue or "").strip()
    if not venue or community_id is None:
        return None
    return (
        Event.objects.active()
        .filter(
            community_id=community_id,
            venue=venue,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk__in=[pk for pk in exclude_ids if pk])
        .order_by("starts_at", "pk")
        .first()
    )


def clash_message(clash: Event) -> str:
    return _(
        "The venue “%(venue)s” is already booked from %(start)s to %(end)s by “%(title)s”."
    ) % {
        "venue": clash.venue,
        "start": _local(clash.starts_at),
        "end": _local(clash.ends_at),
        "title": clash.title,
    }


PLAN_YEARS_AHEAD = 5  # a plan reaches a few years ahead at most; 9999 is a typing slip
EARLIEST_YEAR = 2000


def _check_times(starts_at, ends_at) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The end must be after the start.")]})
    latest = timezone.localdate().year + PLAN_YEARS_AHEAD
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value and not EARLIEST_YEAR <= timezone.localtime(value).year <= latest:
            raise ValidationError(
                {
                    name: [
                        _("The year must be between %(first)d and %(last)d.")
                        % {"first": EARLIEST_YEAR, "last": latest}
                    ]
                }
            )


def _check_event(event: Event, *, now=None) -> None:
    """Rules over the whole record, checked before every save."""
    _check_times(event.starts_at, event.ends_at)
    now = now or timezone.now()
    if event.status == EventStatus.HELD and event.starts_at > now:
        raise ValidationError(
            {"status": [_("An activity cannot be marked held before it has started.")]}
        )
    if event.status != EventStatus.CANCELLED:
        clash = find_clash(
            community_id=event.community_id,
            venue=event.venue,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            exclude_ids=[event.pk],
        )
        if clash is not None:
            raise ValidationError({"venue": [clash_message(clash)]})


def _apply(event: Event, data: dict) -> list[str]:
    changed = []
    for name in PLAIN_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "venue":
            value = (value or "").strip()
        if name == "community":
            if event.community_id != value.pk:
                event.community = value
                changed.append(name)
            continue
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed.append(name)
    return changed


def _set_materials(event: Event, materials: list[dict]) -> None:
    event.materials.all().delete()
    EventMaterial.objects.bulk_create(
        EventMaterial(
            event=event,
            kind=item["kind"].strip(),
            count=item.get("count") or 0,
            medium=item.get("medium") or default_medium(event.kind),
        )
        for item in materials
    )


@transaction.atomic
def event_create(*, user, data: dict) -> Event:
    event = Event(created_by=user if getattr(user, "is_authenticated", False) else None)
    _apply(event, data)
    ensure_period_open(event.community_id, event.starts_at)
    _check_event(event)
    event.save()
    if data.get("topics"):
        event.topics.set(data["topics"])
    if data.get("materials"):
        _set_materials(event, data["materials"])
    audit_record(user=user, action=Action.CREATE, obj=event, fields=data.keys())
    return event


@transaction.atomic
def event_update(*, user, event: Event, data: dict, keep_in_series: bool = False) -> Event:
    """Update an activity. With `version` in data, a stale version is refused (409).
    `keep_in_series`: the plan fields changed here go to the rest of the repeat as well, so they
    do not take this occurrence out of it (its times still do)."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    expected = data.get("version")
    if expected is not None and expected != locked.version:
        raise VersionConflict()
    ensure_period_open(locked.community_id, locked.starts_at)
    changed = _apply(locked, data)
    ensure_period_open(locked.community_id, locked.starts_at)
    if "topics" in data and set(locked.topics.all()) != set(data["topics"]):
        locked.topics.set(data["topics"])
        changed.append("topics")
    if "materials" in data:
        _set_materials(locked, data["materials"])
        changed.append("materials")
    if not changed:
        return locked
    _check_event(locked)
    detaching = DETACHING_FIELDS - set(SERIES_FIELDS) if keep_in_series else DETACHING_FIELDS
    if locked.series_id and detaching.intersection(changed):
        locked.detached = True
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    audit_record(user=user, action=Action.UPDATE, obj=locked, fields=changed)
    return locked


@transaction.atomic
def event_delete(*, user, event: Event) -> None:
    ensure_period_open(event.community_id, event.starts_at)
    audit_record(user=user, action=Action.DELETE, obj=event)
    event.delete()


# Repeats -------------------------------------------------------------------------------


def _series_dates(*, first: dt.date, rule: str, interval: int, until, count) -> list[dt.date]:
    if until is None and count is None:
        raise ValidationError({"until": [_("Give an end date or a number of occurrences.")]})
    if until is not None and until < first:
        raise ValidationError(
            {"until": [_("The end date of the repeat is before the first occurrence.")]}
        )
    dates = occurrence_dates(first, rule=rule, interval=interval, until=until, count=count)
    if len(dates) > MAX_OCCURRENCES:
        raise ValidationError(
            {
                "until": [
                    _("A repeat may make at most %(max)d occurrences.") % {"max": MAX_OCCURRENCES}
                ]
            }
        )
    return dates


@transaction.atomic
def series_create(
    *, user, data: dict, rule: str, interval: int = 1, until=None, count=None
) -> Series:
    """Create a repeat and all its occurrences, or none: every clash is reported at once."""
    _check_times(data["starts_at"], data["ends_at"])
    first = timezone.localtime(data["starts_at"]).date()
    dates = _series_dates(first=first, rule=rule, interval=interval, until=until, count=count)
    times = occurrence_times(data["starts_at"], data["ends_at"], dates)
    community = data["community"]

    problems = []
    previous_end = None
    for starts_at, ends_at in times:
        if previous_end is not None and starts_at < previous_end:
            raise ValidationError(
                {"ends_at": [_("The occurrences of this repeat would overlap each other.")]}
            )
        previous_end = ends_at
        ensure_period_open(community.pk, starts_at)
        clash = find_clash(
            community_id=community.pk,
            venue=data.get("venue", ""),
            starts_at=starts_at,
            ends_at=ends_at,
        )
        if clash is not None:
            problems.append(
                _("Occurrence on %(date)s: %(reason)s")
                % {"date": _local(starts_at)[:10], "reason": clash_message(clash)}
            )
    if problems:
        raise ValidationError({"venue": problems})

    creator = user if getattr(user, "is_authenticated", False) else None
    series = Series.objects.create(
        community=community,
        rule=rule,
        interval=interval,
        until=until,
        count=count,
        created_by=creator,
    )
    template = Event(series=series, created_by=creator)
    _apply(template, data)
    events = []
    for starts_at, ends_at in times:
        event = Event(**{name: getattr(template, name) for name in SERIES_COPIED_FIELDS})
        event.series = series
        event.created_by = creator
        event.starts_at, event.ends_at = starts_at, ends_at
        events.append(event)
    Event.objects.bulk_create(events)
    topics = list(data.get("topics") or [])
    if topics:
        through = Event.topics.through
        through.objects.bulk_create(
            through(event_id=event.pk, topic_id=topic.pk) for event in events for topic in topics
        )
    materials = data.get("materials") or []
    if materials:
        EventMaterial.objects.bulk_create(
            EventMaterial(
                event_id=event.pk,
                kind=item["kind"].strip(),
                count=item.get("count") or 0,
                medium=item.get("medium") or default_medium(template.kind),
            )
            for event in events
            for item in materials
        )
    audit_record(
        user=user,
        action=Action.CREATE,
        obj=series,
        fields=["rule", "interval", "until", "count"],
        note=f"{len(events)} occurrences",
    )
    return series


def _coming_occurrences(series: Series, from_time):
    """The occurrences a change to the repeat reaches: planned, still to come, not edited alone,
    in the repeat's own community."""
    return series.events.filter(
        status=EventStatus.PLANNED,
        detached=False,
        community_id=series.community_id,
        starts_at__gte=max(from_time, timezone.now()) if from_time else timezone.now(),
    )


@transaction.atomic
def series_update_upcoming(
    *, user, series: Series, data: dict, from_time=None, exclude_pk=None
) -> int:
    """Change the planned occurrences still to come that were not edited alone, all or none:
    a venue taken on any of them is reported with its date. Returns how many changed."""
    unknown = set(data) - {*SERIES_FIELDS, "topics"}
    if unknown:
        raise ValueError(f"not series fields: {sorted(unknown)}")
    upcoming = list(
        _coming_occurrences(series, from_time)
        .exclude(pk=exclude_pk)
        .select_for_update()
        .order_by("starts_at", "pk")
    )
    problems, changes = [], []
    for event in upcoming:
        ensure_period_open(event.community_id, event.starts_at)
        changed = _apply(event, data)
        if "topics" in data and set(event.topics.all()) != set(data["topics"]):
            changed.append("topics")
        if not changed:
            continue
        try:
            _check_event(event)
        except ValidationError as exc:
            problems.extend(
                _("Occurrence on %(date)s: %(reason)s")
                % {"date": _local(event.starts_at)[:10], "reason": message}
                for message in exc.messages
            )
            continue
        changes.append((event, changed))
    if problems:
        raise ValidationError({"venue": problems})
    for event, changed in changes:
        if "topics" in changed:
            event.topics.set(data["topics"])
        event.version = F("version") + 1
        event.save()
        audit_record(user=user, action=Action.UPDATE, obj=event, fields=changed, note="series")
    return len(changes)


@transaction.atomic
def event_update_with_following(*, user, event: Event, data: dict) -> Event:
    """Update an occurrence and carry its plan (SERIES_FIELDS, topics) to the coming
    occurrences of its repeat after it; its own times change for it alone."""
    in_series = event.series_id is not None and not event.detached
    after = event.starts_at
    updated = event_update(user=user, event=event, data=data, keep_in_series=in_series)
    plan = {name: value for name, value in data.items() if name in {*SERIES_FIELDS, "topics"}}
    if in_series and plan:
        series_update_upcoming(
            user=user, series=event.series, data=plan, from_time=after, exclude_pk=event.pk
        )
    return updated


@transaction.atomic
def series_cancel(*, user, series: Series, from_time=None) -> int:
    """Cancel the planned occurrences still to come (those edited alone are left as they are)."""
    upcoming = _coming_occurrences(series, from_time)
    for event in upcoming:
        ensure_period_open(event.community_id, event.starts_at)
    cancelled = upcoming.update(status=EventStatus.CANCELLED, version=F("version") + 1)
    audit_record(
        user=user,
        action=Action.UPDATE,
        obj=series,
        fields=["status"],
        note=f"{cancelled} cancelled",
    )
    return cancelled
