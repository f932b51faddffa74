"""One exception handler: every error is 4xx JSON in the user's language, never a 500 for bad input."""

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from healthedu.errors import Conflict, DomainError, NotPermitted
from healthedu.jobs.services import QueueUnavailable

# The domain's refusals (healthedu.errors) as HTTP statuses; anything else it refuses is a 400.
DOMAIN_STATUS = [
    (Conflict, status.HTTP_409_CONFLICT),
    (NotPermitted, status.HTTP_403_FORBIDDEN),
]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, QueueUnavailable):
        return Response(
            {
                "detail": _(
                    "The background queue is unavailable. Your request is saved and will start by itself when the queue is back."
                ),
                "job": exc.job_id,
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "60"},
        )
    elif isinstance(exc, DomainError):
        code = next((s for kind, s in DOMAIN_STATUS if isinstance(exc, kind)), 400)
        return Response({"detail": exc.message}, status=code)
    elif isinstance(exc, IntegrityError):
        # A constraint caught what validation could not (a race); say so instead of failing.
        return Response(
            {
                "detail": _(
                    "This change conflicts with a record saved at the same moment. Please reload and try again."
                )
            },
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, DataError | OverflowError):
        # A number or text beyond what the database stores (e.g. an id of 30 digits).
        return Response(
            {"detail": _("A value in the request is out of range.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, RequestDataTooBig):
        # Django's own answer would be its HTML 400 page: the API answers JSON, with 413.
        return Response(
            {
                "detail": _(
                    "The request body is larger than %(max)d MB. Files go to the import routes as multipart uploads."
                )
                % {"max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response(
            {"detail": _("The request has too many fields or files.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    return drf_exception_handler(exc, context)


def _django_errors(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"detail": [str(m) for m in exc.messages]}
