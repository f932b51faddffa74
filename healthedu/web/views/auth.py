from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import pgettext

from healthedu.web.throttle import login_blocked, login_failed, login_succeeded


class ThrottledAuthenticationForm(auth_views.AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if login_blocked(self.request, username):
            raise ValidationError(
                pgettext(
                    "web", "Too many failed attempts. Please wait five minutes and try again."
                ),
                code="throttled",
            )
        try:
            data = super().clean()
        except forms.ValidationError:
            login_failed(self.request, username)
            raise
        login_succeeded(self.request, username)
        return data


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "web/home.html", {})
