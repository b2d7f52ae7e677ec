from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelimitsConfig(AppConfig):
    name = "carrierdesk.sla"
    label = "sla"
    verbose_name = _("Time limits")
