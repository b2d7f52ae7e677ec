from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    """Return visits (回访) after resolution, and the customers' satisfaction (R-RV-1..3)."""

    name = "carrierdesk.visits"
    label = "visits"
    verbose_name = _("Return visits")

    def ready(self) -> None:
        from carrierdesk.visits import checks, hooks  # noqa: F401 - registers checks and hooks
