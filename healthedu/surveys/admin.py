from django.contrib import admin

from healthedu.admin_scoping import ScopedAdmin
from healthedu.surveys.models import BankItem, Item, Response, Survey


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["order", "kind", "type", "points", "text", "topic", "options", "correct"]


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
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


@admin.register(Response)
class ResponseAdmin(ScopedAdmin):
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
    # Responses are written through the API or the import, where they are scored.
    readonly_fields = [f.name for f in Response._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(BankItem)
class BankItemAdmin(admin.ModelAdmin):
    list_display = ["text", "topic", "kind", "multiple"]
    list_filter = ["topic", "kind"]
    search_fields = ["text"]
