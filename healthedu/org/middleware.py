from django.shortcuts import redirect
from django.urls import reverse


class MustChangePasswordMiddleware:
    """A user whose password an admin chose sees only the change-password page until they have
    chosen their own. API calls are not redirected (scripts sign in by token: see the README)."""

    ALLOWED_PREFIXES = ("/api/", "/static/", "/i18n/", "/logout/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            target = reverse("password_change_required")
            if request.path != target:
                return redirect(target)
        return self.get_response(request)
