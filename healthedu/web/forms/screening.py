from django import forms
from django.utils.translation import pgettext, pgettext_lazy

from healthedu.ids import digits_int
from healthedu.web.forms.common import DateInput

FIELDS = ("systolic", "diastolic", "pulse")


def _number(text: str):
    text = (text or "").strip()
    if not text:
        return None
    number = digits_int(text)
    return text if number is None else number


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


# A follow-up item: yes, no, or not known (empty).
TRI_STATE = [
    ("", pgettext_lazy("web", "Not known")),
    ("true", pgettext_lazy("web", "Yes")),
    ("false", pgettext_lazy("web", "No")),
]
DOCTOR_ITEMS = ("seen_by_doctor", "diagnosis_confirmed", "treatment_started")


def _tri_state(label):
    return forms.TypedChoiceField(
        label=label,
        choices=TRI_STATE,
        required=False,
        coerce=lambda value: value == "true",
        empty_value=None,
        widget=forms.RadioSelect,
    )


class FollowUpForm(forms.Form):
    """The national hypertension service's follow-up items, and the outcome in words. The
    consistency of the items is the screening service's (clean_follow_up), shown by field."""

    followed_up_on = forms.DateField(label=pgettext_lazy("web", "Followed up on"), widget=DateInput)
    reached = forms.TypedChoiceField(
        label=pgettext_lazy("web", "Reached the resident"),
        choices=[("true", pgettext_lazy("web", "Yes")), ("false", pgettext_lazy("web", "No"))],
        coerce=lambda value: value == "true",
        # Ticked "yes" to begin with; left out (a form of before these items), the follow-up
        # reached the resident, as the API's default.
        required=False,
        empty_value=True,
        widget=forms.RadioSelect,
        help_text=pgettext_lazy(
            "web", "Not reached: the referral stays open; say when you will try again."
        ),
    )
    seen_by_doctor = _tri_state(pgettext_lazy("web", "Seen by a doctor"))
    diagnosis_confirmed = _tri_state(pgettext_lazy("web", "Diagnosis confirmed"))
    treatment_started = _tri_state(pgettext_lazy("web", "Treatment started"))
    next_follow_up_on = forms.DateField(
        label=pgettext_lazy("web", "Next follow-up on"), widget=DateInput, required=False
    )
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

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class RevealPhoneForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("web", "Why you need the number"),
        max_length=500,
        initial="",
        help_text=pgettext_lazy(
            "web", "Written to the audit log. The number is shown once; there is a daily limit."
        ),
    )


class ReferralFilterForm(forms.Form):
    """The queue's filter inputs; the filtering is the API's ReferralFilter."""

    urgency = forms.ChoiceField(
        label=pgettext_lazy("web", "Urgency"),
        required=False,
        choices=[
            ("", pgettext_lazy("web", "Any")),
            ("urgent", pgettext_lazy("web", "Urgent referral")),
            ("referral", pgettext_lazy("web", "Referral advised")),
        ],
    )
    reached = forms.ChoiceField(label=pgettext_lazy("web", "Reached the resident"), required=False)
    seen_by_doctor = forms.ChoiceField(
        label=pgettext_lazy("web", "Seen by a doctor"), required=False
    )
    diagnosis_confirmed = forms.ChoiceField(
        label=pgettext_lazy("web", "Diagnosis confirmed"), required=False
    )
    treatment_started = forms.ChoiceField(
        label=pgettext_lazy("web", "Treatment started"), required=False
    )
    next_follow_up_on_before = forms.DateField(
        label=pgettext_lazy("web", "Next follow-up by"), required=False, widget=DateInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            ("", pgettext_lazy("web", "Any")),
            ("true", pgettext_lazy("web", "Yes")),
            ("false", pgettext_lazy("web", "No")),
            ("unknown", pgettext_lazy("web", "Not known")),
        ]
        for name in ("reached", *DOCTOR_ITEMS):
            self.fields[name].choices = choices
