"""Fixtures of the staff UI's tests: a Django test client signed in as a role."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from carrierdesk.accounts import otp
from carrierdesk.conftest import sign_in_to_admin


def sign_in(client: Client, user: User) -> Client:
    """Sign `client` in as `user`, with the second factor passed where the role needs one."""
    if otp.otp_required(user):
        sign_in_to_admin(client, user)
    else:
        client.force_login(user)
    return client


@pytest.fixture
def browse(staff: dict[str, User]) -> Callable[..., Client]:
    """browse("agent") is a test client signed in as that role; English pages unless
    `language` is given (zh-hans is the site default)."""

    def make(role: str, language: str = "en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        return sign_in(client, staff[role])

    return make


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield
