"""The Chinese UI has no untranslated strings on the main pages (issue 5, "done when").

Every main page is rendered in zh-Hans for the role that uses it, with a ticket in the data;
its visible text and the text of its labels (placeholder, title, aria-label) must hold no
English word beyond the allowed names and codes.
"""

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carrierdesk.conftest import VALID_MOBILE
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.sla.tests.conftest import policy  # noqa: F401 - the fixture
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.web.tests.conftest import sign_in

pytestmark = pytest.mark.django_db

#: Names and codes that stay as they are in a Chinese UI.
ALLOWED = frozenset(
    {
        "carrierdesk",
        "English",
        "API",
        "CSV",
        "JSON",
        "SMS",
        "TOTP",
        "Django",
        "Enter",
        "UTF",
        "JavaScript",
    }
)
_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
LABEL_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


#: Elements whose text is not UI prose: scripts, and commands, keys and codes to type as shown.
VERBATIM = frozenset({"script", "style", "code", "kbd", "samp"})
VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"})


class _Text(HTMLParser):
    """The text a person reads or hears: text and label attributes, leaving out verbatim
    elements and content marked as another language (`lang="en"`: a policy's source citation
    is quoted as written)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: whether its content is skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        language = values.get("lang") or ""
        skip = tag in VERBATIM or (bool(language) and not language.lower().startswith("zh"))
        if not (self._stack and self._stack[-1]):
            self.parts.extend(value or "" for name, value in attrs if name in LABEL_ATTRIBUTES)
        if tag not in VOID:
            self._stack.append(skip or bool(self._stack and self._stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    @property
    def _skip(self) -> bool:
        return bool(self._stack and self._stack[-1])

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text) if word not in ALLOWED}


@pytest.fixture
def ticket(
    policy: PolicyVersion,  # noqa: F811 - the fixture imported above
    make_ticket: Callable[..., Ticket],
    staff: dict[str, User],
) -> Ticket:
    ticket = make_ticket(kind="fault", subtype="network", category="network_quality")
    actions.accept(staff["agent"], ticket.number)
    return ticket


PAGES = [
    ("agent", "/"),
    ("agent", "/intake/"),
    ("agent", f"/intake/?q={VALID_MOBILE}"),
    ("agent", "/tickets/"),
    ("agent", "/tickets/{ticket}/"),
    ("dispatcher", "/"),
    ("dispatcher", "/dispatch/"),
    ("dispatcher", "/tickets/{ticket}/"),
    ("technician", "/"),
    ("supervisor", "/"),
    ("supervisor", "/board/"),
    ("quality_inspector", "/"),
    ("auditor", "/"),
    ("admin", "/"),
    ("admin", "/calendars/"),
    ("admin", "/calendars/cn/2025/"),
    ("admin", "/policies/"),
    ("admin", "/visits/rules/"),
    ("admin", "/users/"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_main_pages_are_all_chinese(
    role: str, url: str, ticket: Ticket, staff: dict[str, User]
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), staff[role])
    response = client.get(url.format(ticket=ticket.number), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    # The role names of the fixture users are their display names ("Agent", …): data.
    names = {
        str(user.staff_profile.display_name)
        for user in staff.values()
        if hasattr(user, "staff_profile")
    }
    text = readable_text(html)
    words = english_words(text) - {word for name in names for word in _WORD.findall(name)}
    words -= set(staff)  # usernames
    contexts = [text[max(0, text.find(word) - 40) : text.find(word) + 40] for word in words]
    assert not words, f"untranslated on {url} for {role}: {contexts}"
