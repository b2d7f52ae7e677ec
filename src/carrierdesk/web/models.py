"""What the staff UI keeps per user: saved queue views."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named set of queue filters a staff member keeps (issue 5 §3). `query` is the queue's
    canonical query string (only known filters, in a fixed order), never personal data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["user", "name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name
