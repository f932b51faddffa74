"""Activities in the admin: every write through healthedu.activities services, which check the
finalised months (healthedu.locking) as they do for the API and the pages."""

from django.contrib import admin
from django.utils.translation import gettext as _

from healthedu.activities.attachments import attachment_delete
from healthedu.activities.attendance import attendance_check_in, attendance_remove
from healthedu.activities.models import Attachment, Attendance, Event, EventMaterial, Series
from healthedu.activities.services import PLAIN_FIELDS, event_create, event_delete, event_update
from healthedu.admin_scoping import AdminRefused, ReadOnlyInline, ReadOnlyMixin, ServiceAdmin

EVENT_FIELDS = (*PLAIN_FIELDS, "topics")


class MaterialInline(ReadOnlyInline):
    """Shown only: the materials are one list of the record form, written as a whole by
    event_update (API and pages)."""

    model = EventMaterial


@admin.register(Event)
class EventAdmin(ServiceAdmin):
    list_display = ["title", "kind", "community", "starts_at", "venue", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "venue", "speaker", "organiser"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["topics"]
    readonly_fields = [
        "version",
        "series",
        "detached",
        "signin_token",
        "created_by",
        "reminder_sent_at",
    ]
    inlines = [MaterialInline]

    def period_of(self, event):
        return event.community_id, event.starts_at

    def service_create(self, request, obj, form):
        data = {name: form.cleaned_data[name] for name in EVENT_FIELDS if name in form.cleaned_data}
        return event_create(user=request.user, data=data)

    def service_update(self, request, obj, form):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_FIELDS}
        return event_update(user=request.user, event=obj, data=data)

    def service_delete(self, request, obj):
        event_delete(user=request.user, event=obj)


@admin.register(Series)
class SeriesAdmin(ReadOnlyMixin, ServiceAdmin):
    """Shown only: a repeat is made, changed and cancelled with its occurrences (API and pages);
    its row alone would disagree with them."""

    list_display = ["id", "community", "rule", "interval", "until", "count", "created_at"]
    list_filter = ["rule"]


@admin.register(Attendance)
class AttendanceAdmin(ServiceAdmin):
    """Checked in and removed through the check-in service (capacity, cancelled activities,
    finalised months); a check-in is not edited, it is removed and made again."""

    list_display = ["event", "resident", "checked_in_at", "method"]
    list_select_related = ["event", "resident"]
    raw_id_fields = ["event", "resident"]
    fields = ["event", "resident", "checked_in_at", "method", "checked_in_by"]
    readonly_fields = ["checked_in_at", "method", "checked_in_by"]

    def period_of(self, attendance):
        return attendance.event.community_id, attendance.event.starts_at

    def service_create(self, request, obj, form):
        outcome = attendance_check_in(
            user=request.user,
            event=form.cleaned_data["event"],
            resident=form.cleaned_data["resident"],
        )
        if not outcome.created:
            raise AdminRefused({"resident": [_("Already checked in.")]})
        return outcome.attendance

    def service_delete(self, request, obj):
        attendance_remove(user=request.user, event=obj.event, resident_id=obj.resident_id)


@admin.register(Attachment)
class AttachmentAdmin(ServiceAdmin):
    """Uploaded on the activity's pages or the API (the type is read from the file); removed
    here through the same service, which checks the finalised months."""

    list_display = ["original_name", "event", "category", "content_type", "size", "uploaded_at"]
    list_filter = ["category"]
    raw_id_fields = ["event"]
    readonly_fields = ["content_type", "size", "uploaded_by", "original_name"]

    def period_of(self, attachment):
        return attachment.event.community_id, attachment.event.starts_at

    def service_delete(self, request, obj):
        attachment_delete(user=request.user, attachment=obj)
