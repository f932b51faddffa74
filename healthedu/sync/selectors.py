"""What the desk keeps on the device: the activity, its roster and the community's residents,
masked as everywhere, and nothing more (README "The desk and offline use")."""

import datetime as dt

from django.utils import timezone

from healthedu.activities.attendance import check_in_refusal
from healthedu.activities.models import Attendance, Event, EventStatus
from healthedu.org.reach import Reach
from healthedu.screening.bp import ADULT_AGE
from healthedu.screening.models import READING_EVENT_KINDS, BPReading
from residents.groups import age_on
from residents.models import Resident, ResidentStatus
from residents.presenting import birth_date_shown

# How long the device may keep the roster without a signal: a screening morning and its
# afternoon; the next day the desk must be opened with a signal again.
DEVICE_DATA_TTL = dt.timedelta(hours=12)


def desk_refusal(event: Event, *, now=None) -> str:
    """Why the desk cannot open for this activity ('' when it can): a held or ongoing in-person
    activity, check-in open (the attendance rule)."""
    from django.utils.translation import gettext as _

    if event.kind not in READING_EVENT_KINDS:
        return _("The desk is for activities people attend in person.")
    reason = check_in_refusal(event, now=now)
    if reason:
        return reason
    if event.status not in (EventStatus.HELD, EventStatus.PLANNED):
        return _("This activity is not held.")
    return ""


def desk_roster(*, event: Event, user, now=None) -> dict:
    """The device's copy: who lives in the activity's community (active residents), who is
    checked in, and the readings taken at this activity. Phones masked, birth as year-month
    (an administrator's full date is not needed here), no ID number, no address, no conditions:
    the desk finds people by name or a phone's last four digits, and the full grade (with
    "referral advised" for the not yet known hypertensive) comes back from the server."""
    if not Reach.of(user).contains(event.community_id):
        return {}  # fails closed, whatever activity the caller found
    now = now or timezone.now()
    day = timezone.localtime(event.starts_at).date()
    checked = set(Attendance.objects.filter(event=event).values_list("resident_id", flat=True))
    readings: dict[int, list[dict]] = {}
    for reading in BPReading.objects.filter(event=event).order_by("measured_at", "id"):
        readings.setdefault(reading.resident_id, []).append(
            {
                "id": reading.pk,
                "systolic": reading.systolic,
                "diastolic": reading.diastolic,
                "pulse": reading.pulse,
                "measured_at": reading.measured_at.isoformat(),
            }
        )
    residents = (
        Resident.objects.in_reach(user)
        .filter(community_id=event.community_id)
        .exclude(status=ResidentStatus.DECEASED)
        .only("pk", "name", "sex", "birth_date", "phone_masked", "phone_last4", "status")
        .order_by("name", "id")
    )
    rows = []
    for resident in residents:
        if resident.status == ResidentStatus.MOVED_OUT and resident.pk not in checked:
            continue
        rows.append(
            {
                "id": resident.pk,
                "name": resident.name,
                "sex": resident.sex,
                "born": birth_date_shown(resident.birth_date, None)[:7],
                "phone": resident.phone_masked,
                "adult": age_on(resident.birth_date, day) >= ADULT_AGE,
                "checked_in": resident.pk in checked,
                "readings": readings.get(resident.pk, []),
            }
        )
    return {
        "event": event.pk,
        "user": getattr(user, "pk", None),
        "saved_at": now.isoformat(),
        "expires_at": (now + DEVICE_DATA_TTL).isoformat(),
        "residents": rows,
    }
