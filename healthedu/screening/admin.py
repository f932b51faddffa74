"""Readings and referrals in the admin: scoped to reach, masked, and read-only.

Readings are written through the API (bulk entry, classification, referrals, finalised months);
the admin shows them without a second path that could skip those rules.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from healthedu.admin_scoping import ScopedAdmin
from healthedu.screening.models import BPReading, Referral


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BPReading)
class BPReadingAdmin(ReadOnlyScopedAdmin):
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

    @admin.display(description=_("resident"), ordering="resident__name")
    def resident_name(self, obj):
        return obj.resident.name

    @admin.display(description=_("phone"))
    def resident_phone(self, obj):
        return obj.resident.phone_masked


@admin.register(Referral)
class ReferralAdmin(ReadOnlyScopedAdmin):
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
