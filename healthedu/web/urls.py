from django.contrib.auth import views as auth_views
from django.urls import include, path

from healthedu.web.views import auth, dashboard, home, jobs, residents

app_name = "web"


def register(router) -> None:
    pass


api_urlpatterns: list = []
web_patterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("jobs/<uuid:pk>/", jobs.job_page, name="job"),
    path("residents/", residents.resident_list, name="residents"),
    path("residents/new/", residents.resident_create_page, name="resident_create"),
    path("residents/<int:pk>/", residents.resident_edit_page, name="resident_edit"),
    path("residents/import/", residents.resident_import_page, name="resident_import"),
]
urlpatterns = [path("", include((web_patterns, "web")))]
