from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healthedu.web.access import communities_in_reach
from healthedu.web.forms.common import DateInput
from residents.groups import ALL_GROUPS, GROUP_LABELS
from residents.models import Condition, ResidentStatus, Sex

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class ResidentFilterForm(forms.Form):
    """The list's filter inputs; the filtering itself is residents.api.ResidentFilter."""

    search = forms.CharField(label=_("Name contains"), required=False)
    community = forms.ChoiceField(label=_("Community"), required=False)
    group = forms.ChoiceField(
        label=_("Group"),
        required=False,
        choices=[("", _("Any"))] + [(g, GROUP_LABELS[g]) for g in ALL_GROUPS],
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("Any")), *Sex.choices])
    is_migrant = forms.ChoiceField(label=_("Floating population"), required=False, choices=YES_NO)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ResidentStatus.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All in reach"))] + [
            (str(c.pk), c.name) for c in communities_in_reach(user)
        ]


class ResidentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Building, unit and room, e.g. 3栋2单元501室"),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput({"inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_("18 characters; optional. It must agree with the sex and date of birth."),
    )
    is_migrant = forms.BooleanField(label=_("Floating population"), required=False)
    conditions = forms.MultipleChoiceField(
        label=_("Known conditions"),
        choices=Condition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Status"), choices=ResidentStatus.choices)

    def __init__(self, *args, user, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_in_reach(user)
        self.resident = resident
        if resident is not None:
            # The full values are never sent to the page: blank keeps what is held.
            keep = _("Now %(masked)s. Leave blank to keep it.")
            if resident.id_number_masked:
                self.fields["id_number"].help_text = keep % {"masked": resident.id_number_masked}
            if resident.phone_masked:
                self.fields["phone"].help_text = keep % {"masked": resident.phone_masked}

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
            for secret in ("id_number", "phone"):
                if not data.get(secret):
                    data.pop(secret)
        return data


class ImportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx or .csv file with a header row, as in the template."),
        widget=forms.ClearableFileInput({"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_in_reach(user)
