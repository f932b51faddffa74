from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from healthedu.org.throttle import LoginForm
from healthedu.web.views.language import language_at_sign_in


class LoginView(auth_views.LoginView):
    """The page login; throttled by axes like the token endpoint and the admin login."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return language_at_sign_in(self.request, form.get_user(), response)


@login_required
def home(request):
    return render(request, "web/home.html", {})


class LogoutView(auth_views.LogoutView):
    """Sign-out also clears what the desk kept on the device (its roster, queue and cached
    pages): the browser empties this site's storage and caches on Clear-Site-Data."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
