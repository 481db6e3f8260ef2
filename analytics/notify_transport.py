"""How notices leave the building: the city's SMTP relay and an SMS provider.

Both senders have the same small interface (:class:`Sender`): ``open()``,
``send(address, subject, text) -> Outcome``, ``close()``. An :class:`Outcome`
says whether the message is certainly not delivered (``retry``: it stays
queued for a resume), accepted (``sent``), or refused or possibly delivered
(``failed``, with the server's reason: never sent again, so nobody gets a
notice twice).

Settings come from Streamlit secrets (``[smtp]`` and ``[sms]`` tables) or the
environment, which wins key by key; never from the city file in the repository:

======================  =================  =========================================
environment             secrets            meaning
======================  =================  =========================================
CAMREG_SMTP_HOST        smtp.host          relay host name (required for e-mail)
CAMREG_SMTP_PORT        smtp.port          port (default 587; 465 with ``ssl``)
CAMREG_SMTP_USER        smtp.user          login (optional)
CAMREG_SMTP_PASSWORD    smtp.password      password (optional)
CAMREG_SMTP_FROM        smtp.from          sender address (required)
CAMREG_SMTP_TLS         smtp.tls           ``starttls`` (default), ``ssl`` or ``none``
CAMREG_SMTP_REPLY_TO    smtp.reply_to      where replies (and STOP) go (optional)
CAMREG_SMTP_CAFILE      smtp.ca_file       CA bundle of a relay with an internal CA
CAMREG_SMS_URL          sms.url            provider's send-message endpoint
CAMREG_SMS_TOKEN        sms.token          API token (Bearer; password with a user)
CAMREG_SMS_USER         sms.user           account id for HTTP basic auth (Twilio)
CAMREG_SMS_FROM         sms.from           sending number
======================  =================  =========================================
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_S = 30.0
SMTP_ENV = {
    "host": "CAMREG_SMTP_HOST",
    "port": "CAMREG_SMTP_PORT",
    "user": "CAMREG_SMTP_USER",
    "password": "CAMREG_SMTP_PASSWORD",
    "from": "CAMREG_SMTP_FROM",
    "tls": "CAMREG_SMTP_TLS",
    "reply_to": "CAMREG_SMTP_REPLY_TO",
    "ca_file": "CAMREG_SMTP_CAFILE",
}
SMS_ENV = {
    "url": "CAMREG_SMS_URL",
    "token": "CAMREG_SMS_TOKEN",
    "user": "CAMREG_SMS_USER",
    "from": "CAMREG_SMS_FROM",
}


class SettingsError(ValueError):
    """Relay or provider settings are incomplete or invalid; says which."""


@dataclass(frozen=True)
class Outcome:
    """What became of one message.

    ``status`` is ``sent``, ``failed`` or ``retry`` (certainly not delivered:
    keep it queued). ``bounced`` marks an address or number the server refused
    (a re-verification task). ``fatal`` means the connection is gone: stop this
    run, resume later.
    """

    status: str
    reason: str = ""
    bounced: bool = False
    fatal: bool = False
    provider_id: str | None = None


class Sender(Protocol):
    """One delivery channel (``name`` is ``"email"`` or ``"sms"``)."""

    name: str

    def open(self) -> None: ...

    def send(self, address: str, subject: str, text: str) -> Outcome: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    tls: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    reply_to: str = ""
    ca_file: str = ""


@dataclass(frozen=True)
class SmsSettings:
    url: str
    sender: str
    token: str = field(default="", repr=False)
    user: str = ""


def _merged(
    table: str,
    env_names: Mapping[str, str],
    secrets: Mapping[str, Any] | None,
    environ: Mapping[str, str],
) -> dict[str, str]:
    section = (secrets or {}).get(table) or {}
    if not isinstance(section, Mapping):
        raise SettingsError(f"secrets `[{table}]` is expected to be a table")
    out = {k: str(v).strip() for k, v in section.items() if v is not None}
    for key, var in env_names.items():
        value = str(environ.get(var, "") or "").strip()
        if value:
            out[key] = value
    return out


def smtp_settings(
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> SmtpSettings | None:
    """The relay settings, or None when no host is configured (e-mail off)."""
    environ = os.environ if environ is None else environ
    raw = _merged("smtp", SMTP_ENV, secrets, environ)
    if not raw.get("host"):
        return None
    tls = _tls_mode(raw.get("tls", "starttls"))
    port_text = raw.get("port") or str(DEFAULT_PORTS[tls])
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise SettingsError(
            f"SMTP port was {port_text!r} but is expected to be a number 1-65535 "
            "(CAMREG_SMTP_PORT or smtp.port)"
        )
    sender = raw.get("from", "")
    if "@" not in sender:
        raise SettingsError(
            f"SMTP sender was {sender!r} but is expected to be an e-mail address "
            "(CAMREG_SMTP_FROM or smtp.from)"
        )
    if bool(raw.get("user")) != bool(raw.get("password")):
        raise SettingsError(
            "SMTP user and password go together: set both CAMREG_SMTP_USER and "
            "CAMREG_SMTP_PASSWORD (or smtp.user and smtp.password) or neither"
        )
    ca_file = raw.get("ca_file", "")
    if ca_file and not os.path.isfile(ca_file):
        raise SettingsError(
            f"SMTP CA file was {ca_file!r} but no such file exists "
            "(CAMREG_SMTP_CAFILE or smtp.ca_file)"
        )
    return SmtpSettings(
        ca_file=ca_file,
        host=raw["host"],
        port=port,
        sender=sender,
        tls=tls,
        user=raw.get("user", ""),
        password=raw.get("password", ""),
        reply_to=raw.get("reply_to", ""),
    )


def sms_settings(
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> SmsSettings | None:
    """The SMS provider settings, or None when no URL is configured (SMS off)."""
    environ = os.environ if environ is None else environ
    raw = _merged("sms", SMS_ENV, secrets, environ)
    if not raw.get("url"):
        return None
    url = raw["url"]
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise SettingsError(
            f"SMS URL was {url!r} but is expected to be an http(s) URL "
            "(CAMREG_SMS_URL or sms.url)"
        )
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost"):
        raise SettingsError(
            f"SMS URL was {url!r}: plain http would send the token and phone "
            "numbers unencrypted; use https"
        )
    sender = raw.get("from", "")
    if not sender:
        raise SettingsError("SMS sender number missing (CAMREG_SMS_FROM or sms.from)")
    return SmsSettings(
        url=url, sender=sender, token=raw.get("token", ""), user=raw.get("user", "")
    )


def configured_senders(
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Sender]:
    """``{"email": SmtpSender, "sms": HttpSmsSender}`` for what is configured."""
    out: dict[str, Sender] = {}
    smtp = smtp_settings(secrets, environ)
    if smtp is not None:
        out["email"] = SmtpSender(smtp)
    sms = sms_settings(secrets, environ)
    if sms is not None:
        out["sms"] = HttpSmsSender(sms)
    return out


def _tls_mode(value: str) -> str:
    text = str(value).strip().lower()
    aliases = {
        "1": "starttls",
        "true": "starttls",
        "yes": "starttls",
        "tls": "starttls",
        "implicit": "ssl",
        "smtps": "ssl",
        "0": "none",
        "false": "none",
        "no": "none",
        "off": "none",
    }
    mode = aliases.get(text, text)
    if mode not in TLS_MODES:
        raise SettingsError(
            f"SMTP TLS was {value!r} but is expected to be one of {TLS_MODES} "
            "(CAMREG_SMTP_TLS or smtp.tls)"
        )
    return mode


# --- e-mail -------------------------------------------------------------------------
_LEADING_DOT = re.compile(rb"(?m)^\.")


class SmtpSender:
    """Plain-text e-mail through the city's relay, one connection per run.

    Each message goes to one recipient (never a list in To/Cc/Bcc). The
    envelope is handed over step by step so that a failure before the message
    body was sent (``retry``) is told apart from one while it was being handed
    over (``failed``: the relay may have it; never resent).
    """

    name = "email"

    def __init__(self, settings: SmtpSettings, *, timeout: float = TIMEOUT_S):
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        s = self.settings
        # certificates and host names are always verified; an internal CA is
        # trusted by naming its bundle, never by turning verification off
        context = ssl.create_default_context(cafile=s.ca_file or None)
        if s.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if s.tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        self._smtp = smtp

    def message(self, address: str, subject: str, text: str) -> EmailMessage:
        s = self.settings
        msg = EmailMessage()
        msg["From"] = s.sender
        msg["To"] = address
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain=s.sender.rsplit("@", 1)[-1])
        msg["Auto-Submitted"] = "auto-generated"
        if s.reply_to:
            msg["Reply-To"] = s.reply_to
        msg.set_content(text, subtype="plain", charset="utf-8")
        return msg

    def send(self, address: str, subject: str, text: str) -> Outcome:
        if self._smtp is None:
            try:
                self.open()
            except (OSError, smtplib.SMTPException) as exc:
                return Outcome(
                    "retry", f"cannot reach the relay: {_why(exc)}", fatal=True
                )
        smtp = self._smtp
        assert smtp is not None
        data = self.message(address, subject, text).as_bytes(policy=SMTP_POLICY)
        # 1. envelope: a failure here means the relay does not have the message
        try:
            code, reply = smtp.mail(self.settings.sender)
            if code != 250:
                return self._refused("MAIL FROM", code, reply, rcpt=False)
            code, reply = smtp.rcpt(address)
            if code not in (250, 251):
                return self._refused("RCPT TO", code, reply, rcpt=True)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                return self._refused("DATA", code, reply, rcpt=False)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return Outcome("retry", f"connection lost: {_why(exc)}", fatal=True)
        # 2. the message itself: after this point the relay may have it
        try:
            body = _LEADING_DOT.sub(b"..", data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body + b".\r\n")
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return Outcome(
                "failed",
                f"connection lost while the message was handed over ({_why(exc)}); "
                "not resent, the relay may have delivered it",
                fatal=True,
            )
        if code == 250:
            return Outcome("sent", _text(reply))
        return self._refused("end of data", code, reply, rcpt=False)

    def _refused(self, step: str, code: int, reply: bytes, *, rcpt: bool) -> Outcome:
        reason = f"{step}: {code} {_text(reply)}".strip()
        if code == 421 or code < 0:  # the server is closing the connection
            self._drop()
            return Outcome("retry", reason, fatal=True)
        try:
            self._smtp.rset()  # type: ignore[union-attr]
        except (OSError, smtplib.SMTPException):
            self._drop()
        if 400 <= code < 500:
            return Outcome("retry", reason)
        return Outcome("failed", reason, bounced=rcpt)

    def _drop(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
        self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()


def _text(reply: Any) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(str(reply).split())


def _why(exc: BaseException) -> str:
    text = _text(str(exc)) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


# --- text messages ------------------------------------------------------------------
class HttpSmsSender:
    """Text messages through a provider's HTTP API (Twilio's shape by default).

    ``POST url`` with form fields ``To``, ``From`` and ``Body``; HTTP basic auth
    (``user``:``token``) when a user is set, else ``Authorization: Bearer
    token``. A 2xx answer is ``sent`` (its JSON ``sid`` or ``id`` kept); 429
    and 5xx mean the provider did not take it (``retry``); other 4xx are
    ``failed`` with the provider's message, a refused number ``bounced``.
    """

    name = "sms"

    def __init__(self, settings: SmsSettings, *, timeout: float = TIMEOUT_S):
        self.settings = settings
        self.timeout = timeout

    def open(self) -> None:  # stateless HTTP
        return None

    def close(self) -> None:
        return None

    def send(self, address: str, subject: str, text: str) -> Outcome:  # noqa: ARG002
        s = self.settings
        form = urllib.parse.urlencode(
            {"To": e164(address), "From": s.sender, "Body": text}
        ).encode()
        request = urllib.request.Request(s.url, data=form, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", "application/json")
        if s.user:
            pair = base64.b64encode(f"{s.user}:{s.token}".encode()).decode()
            request.add_header("Authorization", f"Basic {pair}")
        elif s.token:
            request.add_header("Authorization", f"Bearer {s.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = _json(response.read())
                return Outcome(
                    "sent",
                    f"HTTP {response.status}",
                    provider_id=str(payload.get("sid") or payload.get("id") or "")
                    or None,
                )
        except urllib.error.HTTPError as exc:
            payload = _json(exc.read())
            message = payload.get("message") or payload.get("error") or exc.reason
            reason = f"HTTP {exc.code}: {_text(message)}"
            if exc.code == 429 or exc.code >= 500:
                return Outcome("retry", reason, fatal=True)
            return Outcome("failed", reason, bounced=exc.code in (400, 404, 422))
        except urllib.error.URLError as exc:
            refused = isinstance(exc.reason, ConnectionRefusedError | socket.gaierror)
            if refused:
                return Outcome(
                    "retry", f"cannot reach the provider: {exc.reason}", fatal=True
                )
            return Outcome(
                "failed",
                f"connection lost ({exc.reason}); not resent, the provider may "
                "have sent it",
                fatal=True,
            )
        except (TimeoutError, OSError) as exc:
            return Outcome(
                "failed",
                f"no answer from the provider ({_why(exc)}); not resent",
                fatal=True,
            )


def e164(phone: str, country_code: str = "1") -> str:
    """``(501) 555-0100`` -> ``+15015550100``; a number starting with + is kept."""
    text = str(phone).strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return f"+{digits}"
    if len(digits) == 10:
        return f"+{country_code}{digits}"
    if len(digits) == 11 and digits.startswith(country_code):
        return f"+{digits}"
    return f"+{digits}"


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {"message": raw.decode("utf-8", "replace")[:200]}
    return value if isinstance(value, dict) else {}
