from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "carrierdesk.demo"
    label = "demo"
    verbose_name = "Demo data"
