from django import forms
from django.utils.translation import pgettext, pgettext_lazy

from healthedu.web.forms.common import DateInput

FIELDS = ("systolic", "diastolic", "pulse")


def _number(text: str):
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def parse_reading_rows(post, residents: dict) -> tuple[dict, list[tuple[int, dict]]]:
    """The entry sheet's inputs (r-<resident>-systolic ...) → (values typed, rows to save).

    A row with nothing typed is skipped; a half-typed or non-numeric row is passed on with its
    errors, so that the service reports it in place and stores nothing.
    """
    posted: dict[int, dict] = {}
    rows: list[tuple[int, dict]] = []
    for resident_id, resident in residents.items():
        values = {name: post.get(f"r-{resident_id}-{name}", "").strip() for name in FIELDS}
        posted[resident_id] = values
        if not (values["systolic"] or values["diastolic"]):
            continue
        numbers = {name: _number(values[name]) for name in FIELDS}
        errors = {}
        for name in ("systolic", "diastolic"):
            if numbers[name] is None:
                errors[name] = [pgettext("web", "This value is missing.")]
        for name in FIELDS:
            if isinstance(numbers[name], str):
                errors[name] = [pgettext("web", "Enter a whole number.")]
        if errors:
            rows.append((resident_id, {"errors": errors}))
        else:
            rows.append((resident_id, {"resident": resident, **numbers}))
    return posted, rows


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label=pgettext_lazy("web", "Followed up on"), widget=DateInput)
    outcome = forms.CharField(
        label=pgettext_lazy("web", "Outcome"),
        widget=forms.Textarea({"rows": 3}),
        help_text=pgettext_lazy(
            "web", "e.g. seen by the family doctor, diagnosed, medication started"
        ),
        # Shown as required (the service refuses a follow-up without an outcome, in its words).
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["aria-required"] = "true"
        self.fields["outcome"].shown_required = True
