from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "healthedu.sync"
    label = "sync"
    verbose_name = _("Offline sync")
