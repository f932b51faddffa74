from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from healthedu.admin_scoping import AdminRefused, ServiceAdmin
from residents.models import Condition, Resident
from residents.services import (
    resident_create,
    resident_delete,
    resident_reveal,
    resident_update,
)

# What the form carries to the service (community is a field of the service too).
PLAIN_FIELDS = ("name", "sex", "birth_date", "community", "address", "is_migrant", "status")
CONDITION_FIELDS = ("has_hypertension", "has_diabetes")


def resident_records(resident: Resident) -> list[str]:
    """The kinds of record that refer to the resident (attendance, readings, responses, ...)."""
    found = []
    for relation in Resident._meta.related_objects:
        if relation.many_to_many:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: resident})
        if rows.exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


class ResidentAdminForm(forms.ModelForm):
    """ID and phone are entered, never shown. What is entered is checked and saved by the
    resident service (residents.services), as the API's is."""

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

    def service_data(self, *, change: bool) -> dict:
        """The fields for resident_create / resident_update: on a change, only those changed."""
        data = self.cleaned_data
        names = self.changed_data if change else self.Meta.fields
        payload = {name: data[name] for name in names if name in PLAIN_FIELDS}
        if any(name in names for name in CONDITION_FIELDS):
            payload["conditions"] = [
                condition
                for condition, field in zip(Condition.values, CONDITION_FIELDS, strict=True)
                if data.get(field)
            ]
        for name in ("id_number", "phone"):
            if data.get(name):
                payload[name] = data[name]
        return payload


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("reason (for the audit log)"), min_length=2, max_length=500, widget=forms.Textarea
    )


@admin.register(Resident)
class ResidentAdmin(ServiceAdmin):
    """Saved through the resident service (ID number checks, sex and date of birth agreeing with
    it, one registration per ID number). A resident with records is never deleted here: they
    leave the register by status, and the months their records belong to stay as they were."""

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

    def service_create(self, request, obj, form):
        return resident_create(user=request.user, data=form.service_data(change=False))

    def service_update(self, request, obj, form):
        fresh = Resident.objects.get(pk=obj.pk)  # obj already holds the posted values
        return resident_update(
            user=request.user, resident=fresh, data=form.service_data(change=True)
        )

    def service_delete(self, request, obj):
        reason = self.delete_refusal(request, obj)
        if reason:
            raise AdminRefused({None: [reason]})
        resident_delete(user=request.user, resident=obj)

    def delete_refusal(self, request, obj) -> str:
        records = resident_records(obj)
        if not records:
            return ""
        return gettext(
            "%(name)s has records (%(records)s), so they are not deleted: the months those "
            "belong to must stay as they were. Set their status to “moved out” or “deceased” "
            "instead."
        ) % {"name": obj.name, "records": ", ".join(records)}

    def refusal_field(self, form, field):
        # "The ID number gives another sex / date of birth" when the number was not entered
        # again: the field to correct is the one that was changed.
        if field == "id_number" and not form.data.get("id_number"):
            changed = [name for name in ("sex", "birth_date") if name in form.changed_data]
            return changed[0] if changed else None
        return field

    @admin.display(description=_("full ID number and phone"))
    def reveal(self, resident):
        if resident.pk is None:
            return "—"
        url = reverse("admin:residents_resident_reveal", args=[resident.pk])
        return format_html('<a href="{}">{}</a>', url, _("Reveal, with a reason (audited)"))

    # The day of birth, with the masked number, would narrow an ID number down (issue of the
    # rebuilt numbers): others than administrators see the year and month of a resident held.
    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_admin:
            return fields
        return [f for f in fields if f != "reveal"] + ["birth_month"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_admin or obj is None:
            return [f for f in fields if f != "birth_month"]
        return ["birth_month" if f == "birth_date" else f for f in fields if f != "birth_month"]

    def get_list_display(self, request):
        if request.user.is_admin:
            return self.list_display
        return ["birth_month" if f == "birth_date" else f for f in self.list_display]

    @admin.display(description=_("date of birth"), ordering="birth_date")
    def birth_month(self, resident):
        return f"{resident.birth_date:%Y-%m}"

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
