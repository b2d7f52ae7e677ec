"""Two-factor sign-in with one-time codes (R-SEC-4), on django-otp.

Who needs it: users holding a role of `OTP_REQUIRED_ROLES` (supervisor, auditor, admin by
default), and anyone else who has a confirmed authenticator.

The second factor is an authenticator app (TOTP, RFC 6238: a 6-digit code every 30 seconds)
or, when the phone is lost, one of ten single-use backup codes. An admin enrols a user with
`carrierdesk otp enrol USER` (`enrol_totp`), which prints the secret as an otpauth URL and a QR
code; the device stays unconfirmed until its first correct code, at sign-in or with
`carrierdesk otp confirm`. A user does not enrol themself: someone holding only the password
could then bind their own authenticator.

`verify_second_factor` is the one check, used by the token endpoint (`otp` field) and the admin
sign-in form. django-otp refuses a code already used (a TOTP device remembers the time step
of its last code) and slows down guessing per device; a wrong code also counts as a failed
sign-in for the lockout (django-axes). Refusals are audited (`otp.refused`).
"""

import base64
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import (  # type: ignore[import-untyped]  # no hints
    StaticDevice,
    StaticToken,
)
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.roles import roles_of
from carrierdesk.audit.actions import record
from carrierdesk.core.actors import Actor
from carrierdesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

#: The device tables in use (authenticator apps, backup codes).
DEVICE_MODELS = (TOTPDevice, StaticDevice)

AUTHENTICATOR_NAME = "authenticator"
BACKUP_CODES_NAME = "backup codes"
BACKUP_CODE_COUNT = 10

#: The error codes of a refused second factor (the token endpoint's 403 answers).
OTP_REQUIRED = "otp_required"
OTP_INVALID = "otp_invalid"
OTP_NOT_ENROLLED = "otp_not_enrolled"

MESSAGES: dict[str, Promise] = {
    OTP_REQUIRED: _(
        "Your role signs in with a second factor: give the 6-digit code of your authenticator "
        "app (or one of your backup codes)."
    ),
    OTP_INVALID: _(
        "The authentication code is wrong or was already used: wait for the next code of your "
        "authenticator app and try again."
    ),
    OTP_NOT_ENROLLED: _(
        "Your role signs in with a second factor, but no authenticator is set up for you: ask "
        "an admin to enrol you."
    ),
}
THROTTLED = _(
    "Too many wrong authentication codes in a row: wait a little, then give the next code."
)


# --- Who needs it ----------------------------------------------------------------------------


def role_requires_otp(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether one of `user`'s roles is in OTP_REQUIRED_ROLES."""
    return bool(roles_of(user) & frozenset(settings.OTP_REQUIRED_ROLES))


def otp_required(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """R-SEC-4: whether `user` must give a one-time code to sign in."""
    if user is None or not user.is_authenticated:
        return False
    return (
        role_requires_otp(user)
        or TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    )


def is_verified(user: Any) -> bool:
    """Whether the session's user passed the second factor (set by django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def session_passes(user: Any) -> bool:
    """Whether a signed-in session may be used: no code needed, or the code was given."""
    return not otp_required(user) or is_verified(user)


# --- Enrolment (every write audited) ----------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    device: Any  # TOTPDevice
    secret: str  # base32, as authenticator apps take it typed in
    url: str  # otpauth://totp/…, as they take it from a QR code


def enrolment_of(device: Any) -> Enrolment:
    return Enrolment(
        device=device,
        secret=base64.b32encode(device.bin_key).decode("ascii"),
        url=device.config_url,
    )


def _lock(user: User) -> None:
    """Serialise the enrolment writes of one user (django-otp's tables have no unique key)."""
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def enrol_totp(actor: Actor, user: User, *, key: str | None = None) -> Enrolment:
    """Give `user` a new authenticator, unconfirmed until its first correct code.

    A pending (unconfirmed) one is replaced; a confirmed one is refused: reset it first.
    `key` (hex) is for demo data, which derive theirs from the seed; otherwise it is random.
    """
    _lock(user)
    devices = TOTPDevice.objects.filter(user=user)
    if devices.filter(confirmed=True).exists():
        raise Conflict(
            _("This user already has a confirmed authenticator: reset it first."),
            code="otp_already_enrolled",
        )
    replaced, _count = devices.delete()
    device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    if key is not None:
        device.key = key
    device.save()
    record(
        actor=actor,
        event_type="otp.enrolled",
        object_type="user",
        object_id=user.pk,
        changes={"device": "totp", "replaced_pending": bool(replaced)},
    )
    return enrolment_of(device)


def authenticator_of(user: User) -> Enrolment | None:
    """`user`'s authenticator (confirmed or not) with its secret, if they have one."""
    device = TOTPDevice.objects.filter(user=user).first()
    return enrolment_of(device) if device is not None else None


@transaction.atomic
def confirm_totp(actor: Actor, user: User, code: str) -> None:
    """Confirm `user`'s pending authenticator with a correct code from it."""
    _lock(user)
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise NotFound(_("This user has no authenticator: enrol one first."), code=OTP_NOT_ENROLLED)
    if device.confirmed:
        raise Conflict(
            _("This user's authenticator is already confirmed."), code="otp_already_confirmed"
        )
    if not device.verify_token(_normalise(code)):
        # Raising rolls back django-otp's failure count too: this is an operator's command.
        raise InvalidInput.field("code", MESSAGES[OTP_INVALID])
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(
        actor=actor,
        event_type="otp.confirmed",
        object_type="user",
        object_id=user.pk,
        changes={"device": "totp"},
    )


def _backup_code() -> str:
    """8 base32 characters with at least one letter, so it never looks like an app's code."""
    while True:
        code: str = StaticToken.random_token()
        if not code.isdigit():
            return code


@transaction.atomic
def issue_backup_codes(actor: Actor, user: User, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace `user`'s backup codes with `count` new single-use ones, returned once."""
    _lock(user)
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME)
    device.token_set.all().delete()
    codes = [_backup_code() for _index in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    record(
        actor=actor,
        event_type="otp.backup_codes_issued",
        object_type="user",
        object_id=user.pk,
        changes={"count": count},
    )
    return codes


@transaction.atomic
def reset_second_factor(actor: Actor, user: User) -> bool:
    """Remove `user`'s authenticator and backup codes (a lost phone); True if there were any.

    A user of a privileged role then cannot sign in until enrolled again; sessions verified
    with a removed device are no longer verified.
    """
    _lock(user)
    authenticators = TOTPDevice.objects.filter(user=user).count()
    backup_codes = StaticToken.objects.filter(device__user=user).count()
    removed = bool(authenticators or StaticDevice.objects.filter(user=user).exists())
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if removed:
        record(
            actor=actor,
            event_type="otp.reset",
            object_type="user",
            object_id=user.pk,
            changes={"authenticators": authenticators, "backup_codes": backup_codes},
        )
    return removed


# --- Status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    username: str
    roles: list[str]
    required: bool
    authenticator: str  # "none", "unconfirmed", "confirmed"
    backup_codes: int
    last_used_at: Any  # datetime | None

    @property
    def can_sign_in(self) -> bool:
        return not self.required or self.authenticator != "none" or self.backup_codes > 0


def status_of(user: User) -> Status:
    device = TOTPDevice.objects.filter(user=user).first()
    uses = [d.last_used_at for d in StaticDevice.objects.filter(user=user) if d.last_used_at]
    if device is not None and device.last_used_at:
        uses.append(device.last_used_at)
    return Status(
        username=user.get_username(),
        roles=sorted(roles_of(user)),
        required=otp_required(user),
        authenticator="none"
        if device is None
        else ("confirmed" if device.confirmed else "unconfirmed"),
        backup_codes=StaticToken.objects.filter(device__user=user).count(),
        last_used_at=max(uses) if uses else None,
    )


def statuses_of(users: list[User]) -> dict[int, Status]:
    """`status_of` for many users in two queries (lists of staff: no query per user).

    The users' groups should be prefetched (`prefetch_related("groups")`): roles are read
    from them as `roles_of` does.
    """
    ids = [user.pk for user in users]
    authenticators = {device.user_id: device for device in TOTPDevice.objects.filter(user__in=ids)}
    backups: dict[int, list[Any]] = {}
    for device in StaticDevice.objects.filter(user__in=ids).annotate(tokens=Count("token_set")):
        backups.setdefault(device.user_id, []).append(device)
    required_roles = frozenset(settings.OTP_REQUIRED_ROLES)
    statuses = {}
    for user in users:
        roles = {group.name for group in user.groups.all()} & {role.value for role in Role}
        if user.is_superuser:
            roles.add(Role.ADMIN.value)
        device = authenticators.get(user.pk)
        statics = backups.get(user.pk, [])
        uses = [d.last_used_at for d in [*statics, device] if d is not None and d.last_used_at]
        statuses[user.pk] = Status(
            username=user.get_username(),
            roles=sorted(roles),
            required=bool(roles & required_roles) or bool(device is not None and device.confirmed),
            authenticator="none"
            if device is None
            else ("confirmed" if device.confirmed else "unconfirmed"),
            backup_codes=sum(d.tokens for d in statics),
            last_used_at=max(uses) if uses else None,
        )
    return statuses


def users_to_report() -> list[User]:
    """Active users of a role that needs a second factor, and users who have one."""
    required = frozenset(settings.OTP_REQUIRED_ROLES)
    wanted = (
        Q(groups__name__in=required)
        | Q(pk__in=TOTPDevice.objects.values("user_id"))
        | Q(pk__in=StaticDevice.objects.values("user_id"))
    )
    if Role.ADMIN in required:
        wanted |= Q(is_superuser=True)  # roles_of counts superusers as admins
    return list(User.objects.filter(wanted, is_active=True).distinct().order_by("username"))


# --- Verification ----------------------------------------------------------------------------


def _normalise(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


@dataclass(frozen=True)
class _Refusal:
    code: str
    message: Promise


def _attempt(user: User, code: str) -> Any:
    """The device accepting `code`, or a _Refusal. One transaction of its own, so django-otp's
    replay and throttling state is kept even though the sign-in is then refused."""
    with transaction.atomic():
        authenticators = list(TOTPDevice.objects.select_for_update().filter(user=user))
        backups = [
            device
            for device in StaticDevice.objects.select_for_update().filter(user=user)
            if device.token_set.exists()
        ]
        if not authenticators and not backups:
            return _Refusal(OTP_NOT_ENROLLED, MESSAGES[OTP_NOT_ENROLLED])
        if not code:
            return _Refusal(OTP_REQUIRED, MESSAGES[OTP_REQUIRED])
        # Digits are an authenticator's code, anything else a backup code (which always holds
        # a letter): trying both would count a failure against the device not meant.
        candidates = authenticators if code.isdigit() else backups
        throttled = False
        for device in candidates:
            allowed, _extra = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                if not device.confirmed:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    record(
                        actor=user,
                        event_type="otp.confirmed",
                        object_type="user",
                        object_id=user.pk,
                        changes={"device": "totp"},
                    )
                return device
        return _Refusal(OTP_INVALID, THROTTLED if throttled else MESSAGES[OTP_INVALID])


def verify_second_factor(user: User, code: str | None, *, request: Any = None) -> Any:
    """R-SEC-4: check `user`'s one-time code after their password was accepted.

    Returns the device that accepted it (for django-otp's session login), or None when the
    user needs no second factor. Otherwise raises PermissionDenied with the code
    `otp_required` (none given), `otp_invalid` (wrong, already used, or too many wrong ones
    in a row) or `otp_not_enrolled` (nothing set up), after auditing the refusal; a wrong code
    also counts as a failed sign-in for the lockout when `request` (the one the password was
    checked with) is given.
    """
    if not otp_required(user):
        return None
    outcome = _attempt(user, _normalise(code))
    if not isinstance(outcome, _Refusal):
        return outcome
    with transaction.atomic():
        record(
            actor=user,
            event_type="otp.refused",
            object_type="user",
            object_id=user.pk,
            changes={"reason": outcome.code},
        )
    if outcome.code == OTP_INVALID and request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    raise PermissionDenied(outcome.message, code=outcome.code)
