from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReachPermission(BasePermission):
    """Signed in to read; educator or admin to write. Leaders read only (403 on writes).

    Which objects a user may see is decided by the queryset (ScopedViewSetMixin), so that an
    object out of reach answers 404, as if it did not exist.
    """

    message = _("Leaders can read but not change records.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return user.can_write


class AdminOnly(BasePermission):
    message = _("Only an administrator may do this.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_admin)
