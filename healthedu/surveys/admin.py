"""Surveys and responses in the admin: every write through healthedu.surveys.services, the
functions the API and the paper import call (item checks, shared surveys, finalised months)."""

from django.contrib import admin

from healthedu.admin_scoping import ServiceAdmin, refusals
from healthedu.surveys.models import BankItem, Item, Response, Survey
from healthedu.surveys.services import response_delete, survey_create, survey_delete, survey_update

SURVEY_FIELDS = ("title", "community", "knowledge_threshold", "behavior_threshold")
ITEM_FIELDS = ("order", "kind", "type", "points", "text", "topic", "options", "correct")


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = list(ITEM_FIELDS)


def _items(formset) -> list[dict] | None:
    """The items the inline holds after the post, in order; None when it changed nothing."""
    kept = []
    changed = False
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            changed = changed or bool(data and data.get("id"))
            continue
        changed = changed or form.has_changed()
        kept.append({name: data.get(name) for name in ITEM_FIELDS})
    return sorted(kept, key=lambda item: item["order"] or 0) if changed else None


@admin.register(Survey)
class SurveyAdmin(ServiceAdmin):
    list_display = ["title", "community", "knowledge_threshold", "behavior_threshold"]
    list_filter = ["community"]
    search_fields = ["title"]
    inlines = [ItemInline]

    def get_readonly_fields(self, request, obj=None):
        # Items and thresholds of a survey with responses are fixed (services.survey_update).
        if obj is not None and obj.responses.exists():
            return ["community", "knowledge_threshold", "behavior_threshold"]
        return []

    def get_inlines(self, request, obj):
        if obj is not None and obj.responses.exists():
            return []
        return self.inlines

    # A survey is written with its items, which the inline holds: in save_related.
    def service_create(self, request, obj, form):
        raise NotImplementedError  # not called: see save_related

    def service_update(self, request, obj, form):
        raise NotImplementedError  # not called: see save_related

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        items = _items(formsets[0]) if formsets else None
        with refusals():
            if change:
                data = {name: form.cleaned_data[name] for name in form.changed_data}
                data = {name: value for name, value in data.items() if name in SURVEY_FIELDS}
                if items is not None:
                    data["items"] = items
                survey_update(user=request.user, survey=form.instance, data=data)
            else:
                saved = survey_create(
                    user=request.user,
                    items=items or [],
                    **{name: form.cleaned_data.get(name) for name in SURVEY_FIELDS},
                )
                form.instance.pk = saved.pk
                form.instance._state.adding = False
                form.instance.refresh_from_db()
        super().save_related(request, form, formsets, change)

    def service_delete(self, request, obj):
        survey_delete(user=request.user, survey=obj)


@admin.register(Response)
class ResponseAdmin(ServiceAdmin):
    """Responses are written through the API or the import, where they are scored; the admin
    shows them and removes one through the service, which checks the finalised months."""

    list_display = [
        "id",
        "survey",
        "community",
        "answered_on",
        "round",
        "knowledge_aware",
        "behavior_formed",
    ]
    list_filter = ["round", "community", "survey"]
    list_select_related = ["survey", "community"]
    date_hierarchy = "answered_on"
    readonly_fields = [f.name for f in Response._meta.fields]

    def period_of(self, response):
        return response.community_id, response.answered_on

    def service_delete(self, request, obj):
        response_delete(user=request.user, response=obj)


@admin.register(BankItem)
class BankItemAdmin(admin.ModelAdmin):
    """The shared item bank: not dated, no service rules; surveys copy its items."""

    list_display = ["text", "topic", "kind", "multiple"]
    list_filter = ["topic", "kind"]
    search_fields = ["text"]
