"""Audit trail (R-SEC-3): one append-only entry per action, written in its transaction."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk UPDATE and DELETE: entries are never changed once written."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    """Base for append-only tables: saving an existing row or deleting one is refused."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} is append-only")


class AuditEntry(AppendOnlyModel):
    """Who did what to which object, when, from where; personal data masked in `changes`.

    Hash-chained (R-SEC-3): `sequence` numbers the entries without gaps, and `entry_hash` is a
    keyed hash (HMAC-SHA256, key outside the database) of the entry's content and the previous
    entry's hash, so an edited, removed or inserted entry breaks the chain
    (`carrierdesk audit verify`).
    """

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_address = models.CharField(_("client address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.event_type} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The last link of the audit chain: one row, locked by every append so that entries are
    chained one after another, whatever the number of writers."""

    sequence = models.PositiveBigIntegerField(_("sequence"), default=0)
    entry_hash = models.CharField(_("hash"), max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.sequence} {self.entry_hash[:12]}"
