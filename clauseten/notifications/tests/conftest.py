"""Real servers for follow-up tests: an SMTP server (aiosmtpd) and an HTTP receiver, both on 127.0.0.1."""

import email
import json
import socket
import threading
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """Collects every message the SMTP server accepts; `new()` returns those not yet looked at."""

    def __init__(self):
        self.messages: list[Message] = []
        self.seen = 0
        self.port = free_port()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def new(self) -> list[Message]:
        fresh, self.seen = self.messages[self.seen:], len(self.messages)
        return fresh

    @staticmethod
    def summary(messages) -> set[tuple[str, str]]:
        """{(recipient address, notification kind)} of the given messages."""
        return {(m["To"], m["X-ClauseTen-Notification"].split("/")[0]) for m in messages}


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    mailbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 5
    yield mailbox
    mailbox.stop()


class Receiver:
    """An HTTP receiver that answers each POST with the next status in `answers` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.answers.pop(0) if receiver.answers else 200
                # Headers kept as a case-insensitive message, as HTTP treats them.
                receiver.requests.append({"headers": self.headers, "body": body, "status": status,
                                          "json": json.loads(body)})
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def admin_user(db):
    from clauseten.accounts.roles import Role
    from clauseten.accounts.services import user_create

    return user_create(username="adam", password="pw-adam", email="adam@example.test", roles=[Role.ADMIN])
