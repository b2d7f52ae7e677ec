"""Checking the audit trail's hash chain (R-SEC-3): `carrierdesk audit verify`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from carrierdesk.audit import chain
from carrierdesk.audit.models import AuditChainHead, AuditEntry

BATCH = 5000


@dataclass
class Verdict:
    """How far the chain holds: `checked` entries, and the first broken link if any."""

    checked: int = 0
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(progress: Callable[[int], None] = lambda checked: None) -> Verdict:
    """Walk the entries in sequence order, in batches; stop at the first broken link."""
    verdict = Verdict()
    expected, previous = 1, chain.GENESIS
    last = 0
    while True:
        batch = list(AuditEntry.objects.filter(sequence__gt=last).order_by("sequence")[:BATCH])
        for entry in batch:
            if entry.sequence != expected:
                return _broken(verdict, expected, _("entry %(n)d is missing") % {"n": expected})
            if entry.previous_hash != previous:
                return _broken(
                    verdict,
                    expected,
                    _("entry %(n)d does not follow entry %(m)d")
                    % {"n": expected, "m": expected - 1},
                )
            values = {name: getattr(entry, name) for name in chain.CHAINED_FIELDS}
            if chain.entry_hash(settings.AUDIT_CHAIN_KEY, previous, values) != entry.entry_hash:
                return _broken(verdict, expected, _("entry %(n)d was changed") % {"n": expected})
            previous, expected, last = entry.entry_hash, expected + 1, entry.sequence
            verdict.checked += 1
        progress(verdict.checked)
        if len(batch) < BATCH:
            break
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence, head.entry_hash or chain.GENESIS) != (
        last,
        previous,
    ):
        return _broken(
            verdict,
            last + 1,
            _("entries after %(n)d were removed (the chain ends at %(head)d)")
            % {"n": last, "head": head.sequence},
        )
    return verdict


def _broken(verdict: Verdict, sequence: int, reason: str) -> Verdict:
    verdict.broken_at = sequence
    verdict.reason = reason
    return verdict
