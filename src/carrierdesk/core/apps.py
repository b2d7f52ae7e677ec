from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carrierdesk.core"
    label = "core"
    verbose_name = "carrierdesk core"
