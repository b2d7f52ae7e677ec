"""Writes of the organisation: roles, regions, departments and staff."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from carrierdesk.accounts.choices import STAFF_ROLES, DepartmentKind, RegionLevel, Role
from carrierdesk.accounts.models import Department, Region, Skill, StaffProfile
from carrierdesk.audit.actions import record
from carrierdesk.core import identity
from carrierdesk.core.actors import Actor
from carrierdesk.core.errors import InvalidInput


def ensure_role_groups() -> None:
    """Create the group of every role (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def upsert_region(
    actor: Actor, *, code: str, name: str, level: str, parent_code: str | None = None
) -> Region:
    """Create or change a region; its path, and its descendants' when it moves, follow."""
    if level not in RegionLevel.values:
        raise InvalidInput.field("level", "unknown region level")
    parent = Region.objects.get(code=parent_code) if parent_code else None
    path = f"{parent.path if parent else '/'}{code}/"
    if parent is not None and f"/{code}/" in parent.path:  # the parent is inside it
        raise InvalidInput.field("parent_code", "a region cannot sit inside itself")
    current = Region.objects.select_for_update().filter(code=code).first()
    region, created = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "path": path}
    )
    if current is not None and current.path != path:
        descendants = Region.objects.filter(path__startswith=current.path).exclude(pk=region.pk)
        descendants.update(path=Concat(Value(path), Substr("path", len(current.path) + 1)))
        record(
            actor=actor,
            event_type="region.moved",
            object_type="region",
            object_id=code,
            changes={"parent": [current.path, path]},
        )
    if created:
        record(
            actor=actor,
            event_type="region.created",
            object_type="region",
            object_id=code,
            changes={"name": name, "level": level, "parent": parent_code},
        )
    return region


@transaction.atomic
def upsert_department(
    actor: Actor, *, code: str, name: str, kind: str, region: Region | None = None
) -> Department:
    if kind not in DepartmentKind.values:
        raise InvalidInput.field("kind", "unknown department kind")
    department, created = Department.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "region": region}
    )
    if created:
        record(
            actor=actor,
            event_type="department.created",
            object_type="department",
            object_id=code,
            changes={"name": name, "kind": kind},
        )
    return department


@transaction.atomic
def upsert_staff(
    actor: Actor,
    *,
    username: str,
    password: str | None,
    role: str,
    display_name: str,
    employee_number: str,
    department: Department | None = None,
    region: Region | None = None,
    skills: Iterable[str] = (),
    mobile: str = "",
    language: str = "",
) -> User:
    """Create or update a staff user with exactly one role (its group) and a profile.

    `password=None` keeps an existing user's password and gives a new one none (an unusable
    password: that user signs in only after an admin sets one).
    """
    if role not in STAFF_ROLES:
        raise InvalidInput.field("role", "unknown staff role")
    if mobile:
        try:
            mobile = identity.normalise_mobile(mobile)
        except ValidationError as exc:
            raise InvalidInput(fields={"mobile": exc.messages}) from None
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput.field("language", "unknown language")
    if password is not None:
        # R-SEC-4: AUTH_PASSWORD_VALIDATORS (12 characters or more, not common, not all digits,
        # not like the username), checked before anything is written.
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            raise InvalidInput(fields={"password": exc.messages}) from None
    user, created = User.objects.get_or_create(username=username)
    if password is not None:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = role == Role.ADMIN  # Django admin is for the admin role (issue 2 §7).
    user.is_superuser = role == Role.ADMIN
    user.save()
    ensure_role_groups()
    user.groups.set([Group.objects.get(name=role)])
    profile, _ = StaffProfile.objects.update_or_create(
        user=user,
        defaults={
            "employee_number": employee_number,
            "display_name": display_name,
            "role": role,
            "department": department,
            "region": region,
            "mobile": mobile,
            "language": language,
        },
    )
    skill_objects = [
        Skill.objects.get_or_create(code=code, defaults={"name": code})[0] for code in skills
    ]
    profile.skills.set(skill_objects)
    record(
        actor=actor,
        event_type="staff.created" if created else "staff.updated",
        object_type="user",
        object_id=user.pk,
        changes={
            "username": username,
            "role": role,
            "department": department.code if department else None,
        },
    )
    return user


@transaction.atomic
def set_language(actor: Actor, user: User, language: str) -> None:
    """A staff member's language of screens and notifications ("" for the site default)."""
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput.field("language", _("Unknown language."))
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise InvalidInput.field("language", _("This user has no staff profile."))
    if profile.language == language:
        return
    old = profile.language
    profile.language = language
    profile.save(update_fields=["language"])
    record(
        actor=actor,
        event_type="staff.language_changed",
        object_type="user",
        object_id=user.pk,
        changes={"language": [old, language]},
    )
