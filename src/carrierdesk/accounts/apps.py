from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "carrierdesk.accounts"
    label = "accounts"
    verbose_name = _("Staff and organisation")

    def ready(self) -> None:
        from carrierdesk.accounts import checks, schema  # noqa: F401 - registers them.


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose site asks privileged roles for their one-time code (R-SEC-4)."""

    default = False  # not the configuration of the accounts app itself
    default_site = "carrierdesk.accounts.admin_site.AdminSite"
