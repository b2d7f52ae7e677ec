from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "carrierdesk.calendars"
    label = "calendars"
    verbose_name = _("Calendars")

    def ready(self) -> None:
        from carrierdesk.calendars import checks  # noqa: F401 - registers the system check
