from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The staff web UI's shell: sign-in, layout, home pages, shared template tags."""

    name = "carrierdesk.web"
    label = "web"
    verbose_name = _("Staff web UI")
