from django.contrib import admin

from healthedu.admin_scoping import ScopedAdmin
from healthedu.jobs.models import Job


@admin.register(Job)
class JobAdmin(ScopedAdmin):
    list_display = ["created_at", "kind", "status", "progress", "community", "created_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["community", "created_by"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
