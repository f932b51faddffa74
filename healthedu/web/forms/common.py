from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import pgettext

from healthedu.errors import DomainError, VersionConflict


def page_message(exc: DomainError) -> str:
    """What a page says for a service's refusal: the domain's message, worded for the page where
    a page has its own way to say it (the one home of that mapping for the pages)."""
    if isinstance(exc, VersionConflict):
        return pgettext(
            "web", "Someone else changed this activity meanwhile. Reload the page and try again."
        )
    return exc.message


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (the rest above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def run_service(form: forms.Form, service, **kwargs):
    """Call a service; its refusals land on the form (next to the fields). None when refused."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
    except DomainError as exc:
        form.add_error(None, page_message(exc))
    return None
