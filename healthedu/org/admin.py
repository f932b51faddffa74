from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from healthedu.admin_scoping import ScopedAdmin
from healthedu.org.models import Community, District, Street, User


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "district"]
    list_select_related = ["district"]
    search_fields = ["name"]


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ["code", "name", "street"]
    list_select_related = ["street"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and reach"), {"fields": ("role", "communities", "streets", "districts")}),
    )
    filter_horizontal = ["communities", "streets", "districts", "groups", "user_permissions"]

    # Users, roles and reach are an administrator's alone, whatever permissions a staff
    # account has been given: a staff educator could otherwise widen their own reach.
    def has_module_permission(self, request):
        return getattr(request.user, "is_admin", False)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.has_module_permission(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)
