from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from healthedu.admin_scoping import ScopedAdmin
from residents.models import Resident
from residents.services import apply_resident_fields
from residents.validation import clean_resident


class ResidentAdminForm(forms.ModelForm):
    """The admin writes through the same rules as the API. ID and phone are entered, never shown."""

    id_number = forms.CharField(label=_("ID number (leave blank to keep)"), required=False)
    phone = forms.CharField(label=_("phone (leave blank to keep)"), required=False)

    class Meta:
        model = Resident
        fields = [
            "name",
            "sex",
            "birth_date",
            "community",
            "address",
            "is_migrant",
            "has_hypertension",
            "has_diabetes",
            "status",
        ]

    def clean(self):
        data = super().clean()
        payload = {k: data.get(k) for k in ("name", "sex", "birth_date")}
        if data.get("id_number"):
            payload["id_number"] = data["id_number"]
        if data.get("phone"):
            payload["phone"] = data["phone"]
        try:
            cleaned = clean_resident(payload)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return data
        self._pii = {k: cleaned[k] for k in ("id_number", "phone") if k in payload}
        return data

    def save(self, commit=True):
        resident = super().save(commit=False)
        apply_resident_fields(resident, getattr(self, "_pii", {}))
        if commit:
            resident.save()
        return resident


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    form = ResidentAdminForm
    list_display = [
        "name",
        "sex",
        "birth_date",
        "community",
        "id_number_masked",
        "phone_masked",
        "is_migrant",
        "status",
    ]
    list_filter = ["status", "is_migrant", "sex", "community"]
    list_select_related = ["community"]
    search_fields = ["name"]
    readonly_fields = ["id_number_masked", "phone_masked"]
