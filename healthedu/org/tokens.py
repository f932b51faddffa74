"""API tokens (`Authorization: Token <key>`): issued by POST /api/auth/token/, valid for
HEALTHEDU_TOKEN_TTL_HOURS, void once the user's password changes or the account is deactivated,
and revoked by their holder with DELETE /api/auth/token/.

The token is DRF's (one per user); what makes one valid is this module's rule, checked on every
request, so that a revocation holds however the password or the account was changed.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.TOKEN_TTL_HOURS)


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + token_ttl()


def token_refusal(token: Token, *, now=None) -> str:
    """Why this token no longer signs its holder in; '' while it does."""
    now = now or timezone.now()
    user = token.user
    if not user.is_active:
        return _("This account has been deactivated.")
    changed = user.credentials_changed_at
    if changed is not None and token.created < changed:
        return _(
            "This token was revoked when the password changed or the account was deactivated. "
            "Get a new one from POST /api/auth/token/."
        )
    if now >= token_expires_at(token):
        return _("This token has expired. Get a new one from POST /api/auth/token/.")
    return ""


def token_issue(*, user, now=None) -> Token:
    """The user's valid token, or a new one in place of a missing, expired or revoked one."""
    token = Token.objects.select_related("user").filter(user=user).first()
    if token is not None and token_refusal(token, now=now):
        token.delete()
        token = None
    if token is None:
        # get_or_create: of two simultaneous sign-ins, the second takes the first one's token.
        token, _created = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user) -> bool:
    """Delete the user's token; False when there was none."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication with our rule: an expired or revoked token answers 401 with
    the reason."""

    def authenticate_credentials(self, key):
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        reason = token_refusal(token)
        if reason:
            raise exceptions.AuthenticationFailed(reason)
        return (token.user, token)
