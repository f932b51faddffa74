"""Readings and referrals in the admin: scoped to reach, masked.

Readings are entered and corrected through the API and the pages (bulk entry, classification,
referrals); the admin shows them and removes one only through screening.services.reading_delete,
which checks the finalised months. Referrals are shown only: they follow their reading, and
their follow-up is recorded through the API.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from healthedu.admin_scoping import ReadOnlyMixin, ServiceAdmin
from healthedu.screening.models import BPReading, Referral
from healthedu.screening.services import reading_delete


@admin.register(BPReading)
class BPReadingAdmin(ServiceAdmin):
    list_display = [
        "measured_at",
        "resident_name",
        "resident_phone",
        "community",
        "systolic",
        "diastolic",
        "pulse",
        "category",
        "isolated_systolic",
        "referral",
    ]
    list_filter = ["category", "referral", "isolated_systolic", "community"]
    list_select_related = ["resident", "community"]
    search_fields = ["resident__name"]
    date_hierarchy = "measured_at"
    fields = [
        "resident_name",
        "resident_phone",
        "community",
        "event",
        "systolic",
        "diastolic",
        "pulse",
        "measured_at",
        "category",
        "isolated_systolic",
        "referral",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields

    def period_of(self, reading):
        return reading.community_id, reading.measured_at

    def service_delete(self, request, obj):
        reading_delete(user=request.user, reading=obj)

    def get_deleted_objects(self, objs, request):
        # A reading's referral goes with it, as through the API, although referrals are not
        # deleted on their own here.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        referral = str(Referral._meta.verbose_name)
        perms_needed = {name for name in perms_needed if str(name) != referral}
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("resident"), ordering="resident__name")
    def resident_name(self, obj):
        return obj.resident.name

    @admin.display(description=_("phone"))
    def resident_phone(self, obj):
        return obj.resident.phone_masked


@admin.register(Referral)
class ReferralAdmin(ReadOnlyMixin, ServiceAdmin):
    list_display = [
        "due_on",
        "resident_name",
        "resident_phone",
        "community",
        "urgency",
        "status",
        "followed_up_on",
    ]
    list_filter = ["status", "urgency", "community"]
    list_select_related = ["resident", "community"]
    search_fields = ["resident__name"]
    fields = [
        "resident_name",
        "resident_phone",
        "community",
        "visit",
        "urgency",
        "status",
        "due_on",
        "followed_up_on",
        "outcome",
        "followed_up_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("resident"), ordering="resident__name")
    def resident_name(self, obj):
        return obj.resident.name

    @admin.display(description=_("phone"))
    def resident_phone(self, obj):
        return obj.resident.phone_masked
