from django.contrib import admin

from healthedu.admin_scoping import ScopedAdmin
from healthedu.program.models import Target, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "ordering"]
    search_fields = ["code", "name"]


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["community", "year", "knowledge", "behavior"]
    list_filter = ["year"]
    list_select_related = ["community"]
