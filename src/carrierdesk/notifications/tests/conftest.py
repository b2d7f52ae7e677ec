"""Fixtures of the notification tests: a real local HTTP server that records what it gets."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import User

from carrierdesk.conftest import at

#: The instant most tests are frozen at (a weekday afternoon in Shanghai).
T0: datetime = at("2025-10-09 14:00")


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RecordingServer:
    """What the server received, and what it answers (status and body, changeable)."""

    url: str = ""
    status: int = 200
    answer: bytes = b'{"ok": true}'
    requests: list[ReceivedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def http_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingServer]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread, recording every POST."""
    recorder = RecordingServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with recorder.lock:
                recorder.requests.append(
                    ReceivedRequest(
                        path=self.path,
                        headers={name.lower(): value for name, value in self.headers.items()},
                        body=body,
                    )
                )
                status, answer = recorder.status, recorder.answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    # A proxy configured in the environment must not intercept the local server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def agent(staff: dict[str, User]) -> User:
    """The agent, with an email address and a mobile number."""
    user = staff["agent"]
    user.email = "agent@example.com"
    user.save(update_fields=["email"])
    user.staff_profile.mobile = "13812345678"
    user.staff_profile.save(update_fields=["mobile"])
    return user


def sla_context(**overrides: Any) -> dict[str, Any]:
    """A context fit for the sla_breach template."""
    values: dict[str, Any] = {
        "ticket": "TS20251009000001",
        "clock": "resolution",
        "clock_label": "Complaint",
        "deadline": "2025-10-09T06:00:00+00:00",
        "overdue_minutes": 130,
    }
    values.update(overrides)
    return values
