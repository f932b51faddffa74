from django import forms
from django.core.exceptions import ValidationError

from healthedu.locking import PeriodLocked


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
    except PeriodLocked as exc:
        form.add_error(None, str(exc))
    return None
