"""Real servers on loopback for the notice tests: SMTP (aiosmtpd) and an SMS API.

Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.conftest import CENTRE, make_cameras, offset


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd handler keeping every message it accepted.

    ``drop_at_mail=k``: on the k-th MAIL FROM (1-based) the server closes the
    connection before the message is handed over. ``drop_in_data=k``: the k-th
    message is received, then the connection is cut before the server answers.
    ``refuse``: addresses answered ``550`` at RCPT TO.
    """

    def __init__(self, drop_at_mail=None, drop_in_data=None, refuse=()):
        self.messages = []  # (rcpt_tos, parsed message)
        self.drop_at_mail = drop_at_mail
        self.drop_in_data = drop_in_data
        self.refuse = set(refuse)
        self.mails = 0
        self.datas = 0

    async def handle_MAIL(self, server, _session, envelope, address, mail_options):
        self.mails += 1
        if self.drop_at_mail == self.mails:
            server.transport.abort()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address in self.refuse:
            # as Postfix words it: the refused address is quoted back
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, _session, envelope):
        self.datas += 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        if self.drop_in_data == self.datas:
            server.transport.abort()
            return "421 closing"
        return "250 OK queued"

    def recipients(self) -> list[str]:
        return [r for rcpts, _ in self.messages for r in rcpts]


class SmtpServer:
    def __init__(self, handler: Mailbox):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class SmsServer:
    """An HTTP server recording POSTs like an SMS provider's API."""

    def __init__(self, status: int = 201, refuse=()):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                size = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(size).decode())
                record = {
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    **{k: v[0] for k, v in form.items()},
                }
                outer.requests.append(record)
                if record.get("To") in refuse:
                    message = f"The 'To' number {record['To']} is not a valid number."
                    code, body = 400, {"code": 21211, "message": message}
                else:
                    code, body = status, {"sid": f"SM{len(outer.requests):04d}"}
                payload = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/Messages.json"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def scenario_cameras():
    """Owners around CENTRE; a 200 m circle holds all but FAR.

    Expected for a notice to the circle (hand-counted):
    * owner a: A1 (integrated, business) + A2 (same e-mail, other case) -> 1 e-mail
    * owner b: B1 phone only -> 1 text message
    * owner c: C1 e-mail + phone, C2 the same phone only -> 1 e-mail
    * W1 withdrawn (own e-mail) -> skipped withdrawn; W2 withdrawn site of a -> a
    * O1 -> skipped opted_out once o@example.org opts out
    * N1 no contact -> skipped no_contact; FAR outside the area
    """
    lat, lon = CENTRE

    def at(east, north):
        la, lo = offset(lat, lon, east, north)
        return {"latitude": la, "longitude": lo}

    rows = [
        {"camera_id": "A1", "tier": "integrated", "owner_type": "business",
         "owner_name": "Ann's Bakery", "contact_email": "a@example.org",
         "address": "1 Bakery Row", **at(20, 0)},
        {"camera_id": "A2", "owner_type": "business", "owner_name": "Ann's Bakery",
         "contact_email": "A@Example.org ", "address": "3 Bakery Row", **at(0, 40)},
        {"camera_id": "B1", "owner_type": "residential", "owner_name": "Bob Brown",
         "contact_phone": "(501) 555-0101", "address": "12 Elm St", **at(-30, 0)},
        {"camera_id": "C1", "owner_type": "residential", "owner_name": "Cy Chen",
         "contact_email": "c@example.org", "contact_phone": "501-555-0102",
         "address": "7 Oak St", **at(0, -50)},
        {"camera_id": "C2", "owner_type": "residential", "owner_name": "Cy Chen",
         "contact_phone": "5015550102", "address": "9 Oak St", **at(0, -60)},
        {"camera_id": "W1", "owner_type": "residential", "status": "withdrawn",
         "withdrawn_at": "2026-01-02", "contact_email": "w@example.org",
         **at(25, 25)},
        {"camera_id": "W2", "owner_type": "business", "status": "withdrawn",
         "withdrawn_at": "2026-01-02", "contact_email": "a@example.org",
         **at(-25, 25)},
        {"camera_id": "O1", "owner_type": "residential", "owner_name": "Olga",
         "contact_email": "o@example.org", **at(35, -10)},
        {"camera_id": "N1", "owner_type": "business", "owner_name": "No Contact Inc",
         **at(45, 0)},
        {"camera_id": "FAR", "owner_type": "business",
         "contact_email": "far@example.org", **at(500, 0)},
    ]  # fmt: skip
    return make_cameras(rows)
