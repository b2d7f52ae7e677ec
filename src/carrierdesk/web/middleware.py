"""Per-user language of the staff UI (issue 5): zh-Hans by default, English per user."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

#: Session key of the signed-in staff member's language, copied from `StaffProfile.language`
#: at sign-in and when they change it (so no page pays a query for it).
SESSION_LANGUAGE = "carrierdesk_language"


class StaffLanguageMiddleware:
    """Activate the signed-in staff member's own language, if they chose one.

    Runs after LocaleMiddleware (browser and cookie) and the session: a person's own choice
    wins over what the browser asks for. The API keeps its Accept-Language negotiation.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = session.get(SESSION_LANGUAGE) if session is not None else None
        if language and not request.path.startswith("/api/"):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
