"""The domain's refusals: what services raise when a request cannot be carried out.

Services raise these (or Django's ValidationError for bad input), never an HTTP framework's
exceptions, and their messages name no URL: how a refusal is answered is the caller's business.
Each is mapped to an answer once for the API (healthedu.api.errors) and once for the pages
(healthedu.web.forms.common.run_service).
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal with a message for the user (translated)."""

    default_message = _("This request cannot be carried out.")

    def __init__(self, message=None):
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class Conflict(DomainError):
    """The record is not in the state the request assumed (the API answers 409)."""


class NotPermitted(DomainError):
    """The user may not do this (the API answers 403)."""


class PeriodLocked(Conflict):
    """The month's ledger is finalised: its records no longer change."""


class VersionConflict(Conflict):
    """Someone else saved the record since the user read it."""

    default_message = _(
        "This activity was changed by someone else since you opened it. Reload it and make your change again."
    )
