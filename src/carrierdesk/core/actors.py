"""The type of the one who acts: a user, or None for the system itself."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

Actor = AbstractBaseUser | AnonymousUser | None


def acting_user(actor: Actor) -> User | None:
    """The user to record as actor, or None for the system or an anonymous caller."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None
