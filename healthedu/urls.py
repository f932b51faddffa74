from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from healthedu.jobs.api import JobViewSet
from healthedu.org.admin_onboarding import onboarding_view
from healthedu.org.api import CommunityViewSet, HealthView, TokenView
from healthedu.org.onboarding_api import SetupExportView, SetupImportView
from healthedu.org.throttle import AdminLoginForm
from healthedu.org.tree_api import DistrictViewSet, StreetViewSet
from healthedu.org.users_api import UserViewSet
from healthedu.org.views import PasswordChangeRequiredView
from healthedu.program.api import TopicViewSet

admin.site.site_header = _("Community health-education manager")
admin.site.site_title = _("Community health-education manager")
admin.site.login_form = AdminLoginForm  # throttled like the other two doors

# Each app keeps its own routes in <app>/urls.py: register(router), api_urlpatterns, urlpatterns.
APPS = [
    "residents",
    "healthedu.activities",
    "healthedu.screening",
    "healthedu.surveys",
    "healthedu.sync",
    "reports",
    "healthedu.web",
]
app_urls = [import_module(f"{app}.urls") for app in APPS]

router = DefaultRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("topics", TopicViewSet, basename="topic")
router.register("jobs", JobViewSet, basename="job")
router.register("districts", DistrictViewSet, basename="district")
router.register("streets", StreetViewSet, basename="street")
router.register("users", UserViewSet, basename="user")
for module in app_urls:
    module.register(router)

api_patterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("health/", HealthView.as_view(), name="health"),
    path("setup/import/", SetupImportView.as_view(), name="setup_import"),
    path("setup/export/", SetupExportView.as_view(), name="setup_export"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own, and our template
    # moves its page styles into a static file: the docs need no exception to the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/api_docs.html"),
        name="docs",
    ),
]
for module in app_urls:
    api_patterns += module.api_urlpatterns
api_patterns += router.urls

urlpatterns = [
    path("api/", include(api_patterns)),
    path(
        "password/change/",
        PasswordChangeRequiredView.as_view(),
        name="password_change_required",
    ),
    path(
        "admin/onboarding/",
        admin.site.admin_view(onboarding_view),
        name="admin_onboarding",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
for module in app_urls:
    urlpatterns += module.urlpatterns
