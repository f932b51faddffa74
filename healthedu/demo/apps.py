from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "healthedu.demo"
    label = "demo"
    verbose_name = "Demo data"
