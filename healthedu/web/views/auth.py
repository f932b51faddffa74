from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from healthedu.org.throttle import LoginForm


class LoginView(auth_views.LoginView):
    """The page login; throttled by axes like the token endpoint and the admin login."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "web/home.html", {})
