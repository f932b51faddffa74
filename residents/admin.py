from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from healthedu.admin_scoping import ScopedAdmin
from residents.models import Resident
from residents.services import apply_resident_fields, resident_reveal
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


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("reason (for the audit log)"), min_length=2, max_length=500, widget=forms.Textarea
    )


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
    readonly_fields = ["id_number_masked", "phone_masked", "reveal"]

    @admin.display(description=_("full ID number and phone"))
    def reveal(self, resident):
        if resident.pk is None:
            return "—"
        url = reverse("admin:residents_resident_reveal", args=[resident.pk])
        return format_html('<a href="{}">{}</a>', url, _("Reveal, with a reason (audited)"))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_admin else [f for f in fields if f != "reveal"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.reveal_view)  # signed-in staff, never cached
        return [
            path("<int:object_id>/reveal/", view, name="residents_resident_reveal"),
            *super().get_urls(),
        ]

    def reveal_view(self, request, object_id):
        """Show one resident's full ID number and phone to an administrator who gives a reason;
        the reveal is written to the audit log by the service, like the API's."""
        if not request.user.is_admin:
            raise PermissionDenied
        resident = self.get_object(request, str(object_id))
        if resident is None:
            raise Http404
        form = RevealForm(request.POST or None)
        revealed = None
        if request.method == "POST" and form.is_valid():
            revealed = resident_reveal(
                user=request.user, resident=resident, reason=form.cleaned_data["reason"]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": resident,
            "title": _("Reveal personal data"),
            "form": form,
            "revealed": revealed,
        }
        return TemplateResponse(request, "admin/residents/resident/reveal.html", context)
