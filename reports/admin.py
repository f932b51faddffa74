from django.contrib import admin

from healthedu.admin_scoping import ScopedAdmin
from reports.models import PeriodLock


@admin.register(PeriodLock)
class PeriodLockAdmin(ScopedAdmin):
    """Read-only here: finalising and unlocking go through the API, which audits the reason."""

    list_display = ["community", "month", "active", "locked_at", "locked_by", "unlocked_at"]
    list_filter = ["active", "month"]
    list_select_related = ["community", "locked_by", "unlocked_by"]
    readonly_fields = [f.name for f in PeriodLock._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
