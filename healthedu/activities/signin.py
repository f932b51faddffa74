"""QR self sign-in (扫码签到): the window, the lookup of a resident and the guard against guessing.

A resident identifies with name and the month and day of birth on their ID card. Unlike the last
four digits of phone or ID number, these are printed on no roster and shown on no masked display,
so a bystander holding a roster cannot sign others in; every resident has them (a phone is not
universal), and they are two short numbers an elderly resident knows by heart.

Guessing is bounded by keys narrower than "everyone at the address" (a hall shares one Wi-Fi
address): a name tried wrongly too often is locked for the rest of the activity (the birthday has
only 366 values), an address has a generous budget per activity, and the activity a last-resort
budget across addresses. Only failed lookups count. Guests from one address are limited too, the
count taken under the activity's row lock so that simultaneous guests cannot all pass the check.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from healthedu.activities.attendance import attendance_check_in, walk_in_add
from healthedu.activities.models import CheckInMethod, Event, EventStatus, WalkIn
from healthedu.locking import PeriodLocked
from residents.models import Resident, ResidentStatus

OPENS_BEFORE_START = dt.timedelta(minutes=30)
MAX_FAILURES_PER_NAME = 5  # for the whole activity
MAX_FAILURES_PER_ADDRESS = 50  # per window: a hall of people behind one address mistyping
MAX_FAILURES_PER_EVENT = 200  # per window, across addresses
MAX_GUESTS_PER_ADDRESS = 10  # per window
WINDOW_SECONDS = 600


@dataclass
class SignInResult:
    outcome: str  # "checked_in", "already", "not_found", "walk_in", "refused", "blocked"
    message: str


def window_message(event: Event, *, now=None) -> str:
    """Why the sign-in link is not usable now; '' while it is open."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return _("This activity has been cancelled.")
    if now < event.starts_at - OPENS_BEFORE_START:
        return _("Sign-in opens 30 minutes before the activity starts.")
    if now > event.ends_at:
        return _("This activity has ended; sign-in is closed.")
    return ""


def _count(key: str) -> int:
    return cache.get(key) or 0


def _bump(key: str, timeout: int) -> None:
    cache.add(key, 0, timeout)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout)


def _name_key(event: Event, name: str) -> str:
    digest = hashlib.sha256(name.strip().encode()).hexdigest()[:24]
    return f"signin-fail:name:{event.pk}:{digest}"


def _address_key(event: Event, address: str) -> str:
    return f"signin-fail:addr:{event.pk}:{address}"


def _event_key(event: Event) -> str:
    return f"signin-fail:event:{event.pk}"


def _until_closed(event: Event) -> int:
    """Seconds until the sign-in closes (at least a window): how long a name stays locked."""
    return max(WINDOW_SECONDS, int((event.ends_at - timezone.now()).total_seconds()) + 60)


def _blocked(event: Event, address: str, name: str | None = None) -> str:
    """Why sign-ins of this name from this address are refused now; '' when they are not."""
    if name is not None and _count(_name_key(event, name)) >= MAX_FAILURES_PER_NAME:
        return _("Too many wrong attempts for this name. Please ask the staff to sign you in.")
    if (
        _count(_address_key(event, address)) >= MAX_FAILURES_PER_ADDRESS
        or _count(_event_key(event)) >= MAX_FAILURES_PER_EVENT
    ):
        return blocked_message()
    return ""


def _record_failure(event: Event, address: str, name: str) -> None:
    _bump(_name_key(event, name), _until_closed(event))
    _bump(_address_key(event, address), WINDOW_SECONDS)
    _bump(_event_key(event), WINDOW_SECONDS)


def blocked_message() -> str:
    return _("Too many attempts. Please wait ten minutes, or ask the staff to sign you in.")


def guest_source(address: str) -> str:
    """What a walk-in keeps of the address it came from: a keyed hash, not the address."""
    return salted_hmac("healthedu.activities.walk-in-source", address).hexdigest()[:32]


def find_resident(event: Event, *, name: str, birth_month: int, birth_day: int) -> Resident | None:
    """A resident of the activity's community with this name and birthday (month and day)."""
    name = (name or "").strip()
    if not name:
        return None
    return (
        Resident.objects.filter(
            community_id=event.community_id,
            name=name,
            birth_date__month=birth_month,
            birth_date__day=birth_day,
        )
        .exclude(status=ResidentStatus.DECEASED)
        .order_by("pk")
        .first()
    )


def signin_resident(
    *, event: Event, name: str, birth_month: int, birth_day: int, address: str, now=None
) -> SignInResult:
    message = window_message(event, now=now)
    if message:
        return SignInResult("refused", message)
    name = (name or "").strip()
    blocked = _blocked(event, address, name)
    if blocked:
        return SignInResult("blocked", blocked)
    resident = find_resident(event, name=name, birth_month=birth_month, birth_day=birth_day)
    if resident is None:
        _record_failure(event, address, name)
        return SignInResult(
            "not_found",
            _(
                "We could not find you in the register. Check your name and your birthday as on your ID card, or sign in as a guest."
            ),
        )
    try:
        outcome = attendance_check_in(
            user=None, event=event, resident=resident, method=CheckInMethod.QR, now=now
        )
    except ValidationError as exc:
        return SignInResult("refused", " ".join(str(m) for m in exc.messages))
    except PeriodLocked as exc:
        return SignInResult("refused", str(exc))
    if not outcome.created:
        return SignInResult("already", _("You are already signed in. Thank you!"))
    return SignInResult("checked_in", _("You are signed in. Thank you for coming!"))


def signin_guest(*, event: Event, name: str, address: str, now=None) -> SignInResult:
    message = window_message(event, now=now)
    if message:
        return SignInResult("refused", message)
    blocked = _blocked(event, address)
    if blocked:
        return SignInResult("blocked", blocked)
    source = guest_source(address)
    since = timezone.now() - dt.timedelta(seconds=WINDOW_SECONDS)
    try:
        with transaction.atomic():
            # The row lock makes the count and the insert one step: of simultaneous guests from
            # one address, no more than the allowance get in (walk_in_add takes the same lock).
            locked = Event.objects.select_for_update().get(pk=event.pk)
            recent = WalkIn.objects.filter(event=locked, source=source, signed_in_at__gte=since)
            if recent.count() >= MAX_GUESTS_PER_ADDRESS:
                return SignInResult("blocked", blocked_message())
            walk_in = walk_in_add(event=locked, name=name)
            WalkIn.objects.filter(pk=walk_in.pk).update(source=source)
    except ValidationError as exc:
        return SignInResult("refused", " ".join(str(m) for m in exc.messages))
    except PeriodLocked as exc:
        return SignInResult("refused", str(exc))
    return SignInResult("walk_in", _("You are signed in as a guest. Thank you for coming!"))


def signin_url(request, event: Event) -> str:
    """The address residents scan to sign in (absolute when a request tells the host)."""
    path = reverse("activities:signin", args=[event.signin_token])
    return request.build_absolute_uri(path) if request is not None else path
