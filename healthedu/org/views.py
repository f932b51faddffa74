from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from healthedu.org.services import user_password_changed


class PasswordChangeRequiredView(auth_views.PasswordChangeView):
    """The page a user is sent to when their password was set by an admin."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("web:home")
    extra_context = {"title": _("Choose your own password")}

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(user=form.user)
        return response
