from django.contrib import admin

from healthedu.activities.models import Attachment, Attendance, Event, EventMaterial, Series
from healthedu.admin_scoping import ScopedAdmin


class MaterialInline(admin.TabularInline):
    model = EventMaterial
    extra = 0


@admin.register(Event)
class EventAdmin(ScopedAdmin):
    list_display = ["title", "kind", "community", "starts_at", "venue", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "venue", "speaker", "organiser"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["topics"]
    readonly_fields = ["version", "series", "signin_token", "created_by", "reminder_sent_at"]
    inlines = [MaterialInline]


@admin.register(Series)
class SeriesAdmin(ScopedAdmin):
    list_display = ["id", "community", "rule", "interval", "until", "count", "created_at"]
    list_filter = ["rule"]


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    list_display = ["event", "resident", "checked_in_at", "method"]
    list_select_related = ["event", "resident"]
    raw_id_fields = ["event", "resident"]
    readonly_fields = ["checked_in_by"]


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdmin):
    list_display = ["original_name", "event", "category", "content_type", "size", "uploaded_at"]
    list_filter = ["category"]
    raw_id_fields = ["event"]
    readonly_fields = ["content_type", "size", "uploaded_by", "original_name"]
