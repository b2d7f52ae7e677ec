"""Role lookup: a user's roles are the groups named after `Role` values; superusers are admins."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from carrierdesk.accounts.choices import Role

ALL_ROLES = frozenset(role.value for role in Role)


def roles_of(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[str]:
    """The role names of `user` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_carrierdesk_roles", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True)) & ALL_ROLES  # type: ignore[union-attr]
    if getattr(user, "is_superuser", False):
        names.add(Role.ADMIN.value)
    result = frozenset(names)
    user._carrierdesk_roles = result  # type: ignore[union-attr]
    return result
