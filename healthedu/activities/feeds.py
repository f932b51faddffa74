"""The iCalendar feed: a secret link per user, so an educator can subscribe in a phone calendar.

The link carries the user's feed token instead of a login; it shows only activities in that
user's reach, and rotating the token (POST with rotate) kills the old link.
"""

import secrets

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from healthedu.activities.models import EventStatus
from healthedu.activities.selectors import calendar_events
from healthedu.audit.services import Action, audit_record
from healthedu.org.models import Community, User

ICS_STATUS = {
    EventStatus.PLANNED: "CONFIRMED",
    EventStatus.HELD: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def feed_token_ensure(*, user, rotate: bool = False) -> str:
    if rotate or not user.feed_token:
        user.feed_token = secrets.token_urlsafe(32)
        user.save(update_fields=["feed_token"])
        audit_record(user=user, action=Action.UPDATE, obj=user, fields=["feed_token"])
    return user.feed_token


def feed_user(token: str) -> User | None:
    if not token or len(token) < 20:
        return None
    return User.objects.filter(feed_token=token, is_active=True).first()


def calendar_ics(*, user, community=None, now=None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//healthedu//community health education//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Health-education activities"))
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    stamp = now or timezone.now()
    for event in calendar_events(user=user, community=community, now=now):
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.pk}@healthedu")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("summary", event.title)
        location = " ".join(part for part in (event.community.name, event.venue) if part)
        entry.add("location", location)
        description = [event.get_kind_display()]
        if event.speaker:
            description.append(_("Speaker: %(name)s") % {"name": event.speaker})
        if event.organiser:
            description.append(_("Organiser: %(organiser)s") % {"organiser": event.organiser})
        entry.add("description", "\n".join(description))
        entry.add("status", ICS_STATUS.get(event.status, "CONFIRMED"))
        entry.add("sequence", event.version)
        calendar.add_component(entry)
    return calendar.to_ical()


def feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("activities:calendar", args=[token]))


def calendar_feed(request, token: str):
    """The public .ics (no login: the secret link is the key)."""
    user = feed_user(token)
    if user is None:
        raise Http404
    community = None
    code = request.GET.get("community", "").strip()
    if code:
        community = Community.objects.in_reach(user).filter(code=code).first()
        if community is None:
            raise Http404
    response = HttpResponse(
        calendar_ics(user=user, community=community), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    response["Cache-Control"] = "private, max-age=600"
    return response
