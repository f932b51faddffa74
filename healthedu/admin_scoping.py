"""The admin site passes through the same reach as the API and pages, and writes the audit log."""

from django.contrib import admin

from healthedu.audit.services import Action, audit_record


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).in_reach(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "in_reach"):
            kwargs["queryset"] = queryset.in_reach(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "in_reach"):
            kwargs["queryset"] = queryset.in_reach(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def log_addition(self, request, obj, message):
        audit_record(user=request.user, action=Action.CREATE, obj=obj, note="admin")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        fields = []
        for entry in message or []:
            fields.extend(entry.get("changed", {}).get("fields", []))
        audit_record(user=request.user, action=Action.UPDATE, obj=obj, fields=fields, note="admin")
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(user=request.user, action=Action.DELETE, obj=obj, note="admin")
        return super().log_deletions(request, queryset)
