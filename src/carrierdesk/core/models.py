"""Shared infrastructure tables (no domain models): named counters."""

from django.db import IntegrityError, models, transaction
from django.db.models import F


class Sequence(models.Model):
    """A named counter that hands out numbers without races (ticket and customer numbers)."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "sequence"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def next_value(name: str) -> int:
    """Atomically increment the counter `name` and return its new value.

    The UPDATE takes the row lock, so concurrent callers get distinct values; the first caller
    creates the row (a unique primary key, not check-then-insert, settles a creation race).
    """
    # No savepoint of its own: inside a caller's transaction the counter rides on it; only the
    # creation below needs one, to survive losing the creation race.
    with transaction.atomic(savepoint=False):
        updated = Sequence.objects.filter(name=name).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, value=1)
                    return 1
            except IntegrityError:  # another caller created it first.
                Sequence.objects.filter(name=name).update(value=F("value") + 1)
        return Sequence.objects.values_list("value", flat=True).get(name=name)
