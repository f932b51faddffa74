from django import forms
from django.utils.translation import pgettext_lazy

from healthedu.web.access import communities_in_reach
from healthedu.web.forms.common import DateInput
from residents.groups import ALL_GROUPS, GROUP_LABELS
from residents.models import Condition, ResidentStatus, Sex
from residents.presenting import birth_date_shown, sees_birth_day

YES_NO = [
    ("", pgettext_lazy("web", "Any")),
    ("true", pgettext_lazy("web", "Yes")),
    ("false", pgettext_lazy("web", "No")),
]


class ResidentFilterForm(forms.Form):
    """The list's filter inputs; the filtering itself is residents.filters.ResidentFilter."""

    search = forms.CharField(
        label=pgettext_lazy("web", "Search"),
        required=False,
        help_text=pgettext_lazy(
            "web", "Name or its pinyin, the last digits of the phone, or a whole ID number"
        ),
    )
    community = forms.ChoiceField(label=pgettext_lazy("web", "Community"), required=False)
    group = forms.ChoiceField(
        label=pgettext_lazy("web", "Group"),
        required=False,
        choices=[("", pgettext_lazy("web", "Any"))] + [(g, GROUP_LABELS[g]) for g in ALL_GROUPS],
    )
    sex = forms.ChoiceField(
        label=pgettext_lazy("web", "Sex"),
        required=False,
        choices=[("", pgettext_lazy("web", "Any")), *Sex.choices],
    )
    is_migrant = forms.ChoiceField(
        label=pgettext_lazy("web", "Floating population"), required=False, choices=YES_NO
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("web", "Status"),
        required=False,
        choices=[("", pgettext_lazy("web", "Any")), *ResidentStatus.choices],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", pgettext_lazy("web", "All in reach"))] + [
            (str(c.pk), c.name) for c in communities_in_reach(user)
        ]


class ResidentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    sex = forms.ChoiceField(
        label=pgettext_lazy("web", "Sex"), choices=Sex.choices, widget=forms.RadioSelect
    )
    birth_date = forms.DateField(label=pgettext_lazy("web", "Date of birth"), widget=DateInput)
    community = forms.ModelChoiceField(
        label=pgettext_lazy("web", "Community"), queryset=None, empty_label=None
    )
    address = forms.CharField(
        label=pgettext_lazy("web", "Address"),
        max_length=200,
        required=False,
        help_text=pgettext_lazy("web", "Building, unit and room, e.g. 3栋2单元501室"),
    )
    phone = forms.CharField(
        label=pgettext_lazy("web", "Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput({"inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=pgettext_lazy("web", "ID number"),
        max_length=30,
        required=False,
        help_text=pgettext_lazy(
            "web", "18 characters; optional. It must agree with the sex and date of birth."
        ),
    )
    is_migrant = forms.BooleanField(
        label=pgettext_lazy("web", "Floating population"), required=False
    )
    conditions = forms.MultipleChoiceField(
        label=pgettext_lazy("web", "Known conditions"),
        choices=Condition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=pgettext_lazy("web", "Status"), choices=ResidentStatus.choices)

    def __init__(self, *args, user, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_in_reach(user)
        self.resident = resident
        if resident is not None:
            # The full values are never sent to the page: blank keeps what is held.
            keep = pgettext_lazy("web", "Now %(masked)s. Leave blank to keep it.")
            if resident.id_number_masked:
                self.fields["id_number"].help_text = keep % {"masked": resident.id_number_masked}
            if resident.phone_masked:
                self.fields["phone"].help_text = keep % {"masked": resident.phone_masked}
            if not sees_birth_day(user):
                # Nor is the day of birth (residents.presenting).
                self.fields["birth_date"].required = False
                self.fields["birth_date"].help_text = keep % {
                    "masked": birth_date_shown(resident.birth_date, user)
                }
                self.initial.pop("birth_date", None)

    @classmethod
    def initial_for(cls, resident) -> dict:
        return {
            "name": resident.name,
            "sex": resident.sex,
            "birth_date": resident.birth_date,
            "community": resident.community_id,
            "address": resident.address,
            "is_migrant": resident.is_migrant,
            "conditions": resident.conditions,
            "status": resident.status,
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.resident is not None:
            for secret in ("id_number", "phone", "birth_date"):
                if not data.get(secret):
                    data.pop(secret)
        return data


class ImportForm(forms.Form):
    community = forms.ModelChoiceField(
        label=pgettext_lazy("web", "Community"), queryset=None, empty_label=None
    )
    file = forms.FileField(
        label=pgettext_lazy("web", "Roster file"),
        help_text=pgettext_lazy(
            "web", "An .xlsx or .csv file with a header row, as in the template."
        ),
        widget=forms.ClearableFileInput({"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_in_reach(user)
