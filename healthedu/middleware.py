import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """A database that is down or restarting answers 503, not 500: the client may retry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) and _looks_like_outage(
            exception
        ):
            logger.warning("database unavailable: %s", type(exception).__name__)
            return JsonResponse(
                {
                    "detail": _(
                        "The database is unavailable at the moment. Please try again shortly."
                    )
                },
                status=503,
                headers={"Retry-After": "5"},
            )
        return None


def _looks_like_outage(exc: Exception) -> bool:
    text = str(exc).lower()
    markers = (
        "connection",
        "server closed",
        "terminating",
        "could not connect",
        "shutting down",
        "starting up",
    )
    return any(m in text for m in markers)
