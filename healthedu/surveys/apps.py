from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "healthedu.surveys"
    label = "surveys"
    verbose_name = _("Surveys and the two rates")

    def ready(self):
        from healthedu.surveys import jobs  # noqa: F401  registers the import job
