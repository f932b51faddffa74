from django.contrib import admin

from healthedu.admin_scoping import ReadOnlyMixin, ScopedAdmin
from reports.models import PeriodLock


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyMixin, ScopedAdmin):
    """Shown only: finalising and unlocking go through the API, which audits the reason; a lock
    deleted or changed here would unlock a month without one."""

    list_display = ["community", "month", "active", "locked_at", "locked_by", "unlocked_at"]
    list_filter = ["active", "month"]
    list_select_related = ["community", "locked_by", "unlocked_by"]
    readonly_fields = [f.name for f in PeriodLock._meta.fields]
