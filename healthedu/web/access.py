"""Who may open which page: one helper that every page view uses.

Reach is decided by the same querysets as the API (`Model.objects.in_reach(user)`): an object
out of reach answers 404, as if it did not exist. Leaders read; any write (a POST) or a page
whose only purpose is writing answers 403 for them.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from healthedu.org.models import Community


def reader_page(view):
    """Any signed-in user may open it; a POST still needs the right to write."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not request.user.can_write:
            raise PermissionDenied("leaders read only")
        return view(request, *args, **kwargs)

    return wrapped


def writer_page(view):
    """A page for changing records (forms, entry screens): educators and admins only."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.can_write:
            raise PermissionDenied("leaders read only")
        return view(request, *args, **kwargs)

    return wrapped


def get_in_reach(queryset, user, **lookup):
    """The object if the user reaches it, else 404 — never a 403 that confirms it exists."""
    return get_object_or_404(queryset.in_reach(user), **lookup)


def communities_in_reach(user):
    return Community.objects.in_reach(user).select_related("street").order_by("code")
