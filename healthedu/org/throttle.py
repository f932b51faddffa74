"""Sign-in throttling for every door (the token endpoint, the page login, the admin login).

django-axes counts the failures in the database; this module holds our rule:

- the caller's address, from REMOTE_ADDR, or behind HEALTHEDU_TRUSTED_PROXY_HOPS proxies the
  address that the outermost trusted proxy saw (X-Forwarded-For is ignored without proxies, so
  forging it changes nothing);
- three limits, each on its own key: a username from one address (5), a username from anywhere
  (20: a guesser with many addresses), an address for any usernames (100: one guessing many
  accounts). One educator's wrong passwords lock only that educator at that address, never the
  colleagues behind the same office router;
- a lock-out lasts HEALTHEDU_LOGIN_LOCKOUT_MINUTES, during which even the right password is
  refused, and guessing on does not extend it;
- a successful sign-in forgives that user's failures from that address only.
"""

import datetime as dt
import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import JsonResponse
from django.utils.translation import gettext as _

UNKNOWN_ADDRESS = "0.0.0.0"
USERNAME_MAX_LENGTH = 150


def _address_or_none(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The caller's address. With n trusted proxy hops, the n-th X-Forwarded-For entry from the
    right (each proxy appends the address it saw; what the caller wrote stands further left)."""
    remote = _address_or_none(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than hops: the request skipped an outer proxy; the leftmost was still
    # written by one of ours.
    entry = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return _address_or_none(entry) or remote


def attempted_username(request, credentials=None) -> str | None:
    """The username tried, as stored by axes: text only, no NUL, at most a username's length."""
    if credentials:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username") if hasattr(data, "get") else None
    if not isinstance(username, str):
        return None
    return username.replace("\x00", "")[:USERNAME_MAX_LENGTH]


def lockout_duration(request=None) -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_message() -> str:
    return _(
        "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again, "
        "or ask an administrator to lift the lock."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


def is_locked_out(request) -> bool:
    """Whether axes refused (or just locked) the sign-in attempt of this request."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_api_response(request) -> JsonResponse:
    response = JsonResponse({"detail": lockout_message()}, status=429)
    response["Retry-After"] = str(int(lockout_duration().total_seconds()))
    return response


def lockout_response(request, original_response=None, credentials=None):
    """What axes' middleware answers on a lock-out. The doors show the lock-out themselves (the
    login forms as their error, the token endpoint as JSON); this only sets the status."""
    if original_response is None:
        return lockout_api_response(request)
    if original_response.status_code == 200:
        original_response.status_code = 429
    return original_response


class TieredAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter (LOGIN_FAILURE_LIMITS, in the
    order of AXES_LOCKOUT_PARAMETERS) instead of one limit for all."""

    def get_failures(self, request, credentials=None) -> int:
        # Failures on the scale of AXES_FAILURE_LIMIT, counted against the key nearest its own
        # limit: the lock falls as soon as any key reaches its limit.
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        headroom = min(
            limit - count
            for limit, count in zip(settings.LOGIN_FAILURE_LIMITS, counts, strict=True)
        )
        return settings.AXES_FAILURE_LIMIT - headroom

    def reset_user_attempts(self, request, credentials=None) -> int:
        """Forgive the signed-in user's failures from this address, and nobody else's."""
        username = attempted_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def forgive(request, username: str) -> None:
    """After a successful sign-in that is not a session login (the token endpoint)."""
    AccessAttempt.objects.filter(
        username=attempted_username(request, {"username": username}),
        ip_address=client_address(request),
    ).delete()


class LockoutAwareFormMixin:
    """A login form whose error says so when axes refused the attempt."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if is_locked_out(self.request):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise


class LoginForm(LockoutAwareFormMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutAwareFormMixin, AdminAuthenticationForm):
    pass
