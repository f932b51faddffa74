from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class WebConfig(AppConfig):
    name = "healthedu.web"
    label = "web"
    verbose_name = pgettext_lazy("web", "Pages")
