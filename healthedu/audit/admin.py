from django.contrib import admin

from healthedu.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "model", "object_id", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_id", "object_repr", "user__username"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return getattr(request.user, "is_admin", False)

    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_admin", False)
