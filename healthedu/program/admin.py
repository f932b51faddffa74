from django.contrib import admin
from django.db import transaction

from healthedu.admin_scoping import ServiceAdmin
from healthedu.program.models import Target, Topic
from healthedu.surveys.services import target_set

TARGET_FIELDS = ("community", "year", "knowledge", "behavior")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "ordering"]
    search_fields = ["code", "name"]


@admin.register(Target)
class TargetAdmin(ServiceAdmin):
    """Set through the same service as POST /api/targets/ (a target is a fraction, one per
    community and year); not deleted, as through the API: the default then applies."""

    list_display = ["community", "year", "knowledge", "behavior"]
    list_filter = ["year"]
    list_select_related = ["community"]

    def service_create(self, request, obj, form):
        values = {name: getattr(obj, name) for name in TARGET_FIELDS}  # the form's, on obj
        with transaction.atomic():  # the target and its audit entry together
            return target_set(user=request.user, **values)

    service_update = service_create

    def get_readonly_fields(self, request, obj=None):
        # A target is the one of its community and year: another year is another target.
        return ["community", "year"] if obj is not None else []
