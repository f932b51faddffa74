"""The day-before reminder: email the organiser of each activity starting tomorrow."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from healthedu.activities.models import Event
from healthedu.activities.selectors import events_due_reminder
from healthedu.org.models import Role, User
from healthedu.org.reach import Reach


def reminder_recipients(event: Event) -> list[str]:
    """The user who planned the activity; failing that, the community's educators."""
    creator = event.created_by
    if creator is not None and creator.is_active and creator.email:
        return [creator.email]
    return sorted(
        User.objects.filter(role=Role.EDUCATOR, is_active=True, communities=event.community_id)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _reminder_text(event: Event) -> tuple[str, str]:
    start = timezone.localtime(event.starts_at)
    subject = _("Reminder: “%(title)s” tomorrow at %(time)s") % {
        "title": event.title,
        "time": formats.date_format(start, "H:i"),
    }
    lines = [
        _("Activity: %(title)s (%(kind)s)")
        % {"title": event.title, "kind": event.get_kind_display()},
        _("Community: %(community)s") % {"community": event.community.name},
        _("Time: %(start)s – %(end)s")
        % {
            "start": formats.date_format(start, "Y-m-d H:i"),
            "end": formats.date_format(timezone.localtime(event.ends_at), "H:i"),
        },
        _("Venue: %(venue)s") % {"venue": event.venue or "-"},
        _("Organiser: %(organiser)s") % {"organiser": event.organiser or "-"},
        "",
        _("Please prepare the sign-in sheet, the materials and the camera for photos."),
    ]
    return subject, "\n".join(lines)


def event_reminders_send(*, today: dt.date | None = None) -> int:
    """Send tomorrow's reminders once each (marked on the activity); returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for event in events_due_reminder(reach=Reach.everything(), today=today):
            recipients = reminder_recipients(event)
            if recipients:
                subject, body = _reminder_text(event)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
                sent += 1
            # Marked also when nobody could be told, so that the job does not retry forever.
            Event.objects.filter(pk=event.pk).update(reminder_sent_at=timezone.now())
    return sent
