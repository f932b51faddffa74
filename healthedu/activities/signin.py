"""QR self sign-in (扫码签到): the window, the lookup of a resident and the guard against guessing.

A resident identifies with name and the last four digits of the phone or ID number. Only failed
lookups count against the limits, so that a hall full of people behind one Wi-Fi address can
all sign in, while someone trying names and digits is stopped quickly.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.activities.attendance import attendance_check_in, walk_in_add
from healthedu.activities.models import CheckInMethod, Event, EventStatus
from healthedu.locking import PeriodLocked
from residents.models import Resident, ResidentStatus

OPENS_BEFORE_START = dt.timedelta(minutes=30)
MAX_FAILURES_PER_ADDRESS = 10
MAX_FAILURES_PER_EVENT = 30
MAX_GUESTS_PER_ADDRESS = 10
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


def _keys(event: Event, address: str, kind: str) -> list[str]:
    return [f"signin-{kind}:addr:{event.pk}:{address}", f"signin-{kind}:event:{event.pk}"]


def _count(key: str) -> int:
    return cache.get(key) or 0


def _bump(key: str) -> None:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)


def signin_blocked(event: Event, address: str) -> bool:
    by_address, by_event = _keys(event, address, "fail")
    return (
        _count(by_address) >= MAX_FAILURES_PER_ADDRESS or _count(by_event) >= MAX_FAILURES_PER_EVENT
    )


def _record_failure(event: Event, address: str) -> None:
    for key in _keys(event, address, "fail"):
        _bump(key)


def blocked_message() -> str:
    return _("Too many attempts. Please wait ten minutes, or ask the staff to sign you in.")


def find_resident(event: Event, *, name: str, last4: str) -> Resident | None:
    """A resident of the activity's community with this name and phone or ID number ending."""
    name = (name or "").strip()
    last4 = (last4 or "").strip().upper()
    if not name or len(last4) != 4:
        return None
    return (
        Resident.objects.filter(community_id=event.community_id, name=name)
        .exclude(status=ResidentStatus.DECEASED)
        .filter(Q(phone_last4=last4) | Q(id_last4=last4))
        .order_by("pk")
        .first()
    )


def signin_resident(*, event: Event, name: str, last4: str, address: str, now=None) -> SignInResult:
    message = window_message(event, now=now)
    if message:
        return SignInResult("refused", message)
    if signin_blocked(event, address):
        return SignInResult("blocked", blocked_message())
    resident = find_resident(event, name=name, last4=last4)
    if resident is None:
        _record_failure(event, address)
        return SignInResult(
            "not_found",
            _(
                "We could not find you in the register. Check your name and the four digits, or sign in as a guest."
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
    guest_key = _keys(event, address, "guest")[0]
    if signin_blocked(event, address) or _count(guest_key) >= MAX_GUESTS_PER_ADDRESS:
        return SignInResult("blocked", blocked_message())
    try:
        walk_in_add(event=event, name=name)
    except ValidationError as exc:
        return SignInResult("refused", " ".join(str(m) for m in exc.messages))
    except PeriodLocked as exc:
        return SignInResult("refused", str(exc))
    _bump(guest_key)  # only guests counted in use up the address's allowance
    return SignInResult("walk_in", _("You are signed in as a guest. Thank you for coming!"))
