from django.contrib.auth import views as auth_views
from django.urls import include, path

from healthedu.web import views

app_name = "web"


def register(router) -> None:
    pass


api_urlpatterns: list = []
web_patterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
urlpatterns = [path("", include((web_patterns, "web")))]
