"""Role lookup: a user's roles are the groups named after `Role` values; superusers are admins."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group

from carrierdesk.accounts.choices import STAFF_ROLES, Role

ALL_ROLES = frozenset(role.value for role in Role)


def is_staff_member(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether `user` holds one of the carrier's staff roles (not only the customer role)."""
    return bool(roles_of(user) & STAFF_ROLES)


def roles_of(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[str]:
    """The role names of `user` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_carrierdesk_roles", None)
    if cached is not None:
        return cached
    groups = Group.objects.filter(user__pk=user.pk, name__in=ALL_ROLES)
    names = set(groups.values_list("name", flat=True))
    if getattr(user, "is_superuser", False):
        names.add(Role.ADMIN.value)
    result = frozenset(names)
    setattr(user, "_carrierdesk_roles", result)  # noqa: B010 - a per-request cache on the user.
    return result
