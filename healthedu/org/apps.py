from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "healthedu.org"
    label = "org"
    verbose_name = _("Organisation and users")

    def ready(self):
        from healthedu.org import jobs  # noqa: F401  registers the onboarding import job
