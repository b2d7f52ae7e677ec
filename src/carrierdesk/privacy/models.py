"""Who saw which personal data in clear, when and why (R-SEC-2, R-SEC-3)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carrierdesk.audit.models import AppendOnlyModel


class PersonalDataAccess(AppendOnlyModel):
    """One unmasking (查看明文): the fields shown in clear, the reason given, and where from.
    Holds no personal value itself, only the names of the fields shown."""

    created_at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    object_type = models.CharField(_("object type"), max_length=32)
    object_id = models.CharField(_("object id"), max_length=64)
    fields = models.JSONField(_("fields shown"), default=list)
    reason = models.TextField(_("reason"))
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_address = models.CharField(_("client address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["object_type", "object_id", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_id} {self.object_type}:{self.object_id} {self.created_at:%Y-%m-%d %H:%M}"
        )
