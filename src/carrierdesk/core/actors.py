"""The type of the one who acts: a user, or None for the system itself."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

Actor = AbstractBaseUser | AnonymousUser | None
