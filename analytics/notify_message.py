"""The words of an area notice: templates, plain-text escaping, the stop line.

A notice is the same text for every recipient: nothing about one owner (name,
address, cameras) is put into it, so no owner's data can reach another owner.
Staff fill in the incident details; each is made safe for plain text (control
and bidi-override characters removed, whitespace collapsed, length capped) and
substituted once with :class:`string.Template` (``$name``), so text typed into a
field is never read as a placeholder.

City settings (``[notify]`` in the city file; defaults here)::

    [notify]
    rate_per_minute = 60                  # messages per minute, e-mail and SMS together
    max_owners_without_investigator = 250 # larger notices: investigators only
    sender_name = "the Little Rock Police Department"
    reply = "call 311 or reply to this message"
    [notify.templates.check_camera]
    subject = "..."; body = "..."; sms = "..."
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from string import Template
from typing import Any

from analytics.config import CityConfig, ConfigError

STOP_KEYWORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")
FIELD_LIMIT = 200
MESSAGE_LIMIT = 2_000
SMS_LIMIT = 480  # three concatenated segments
TIME_FORMAT = "%d %b %Y %H:%M"

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "check_camera": {
        "subject": "$program: please check your camera (case $case_number)",
        "body": (
            "A message from $sender_name to the owners of cameras registered "
            "with $program near a recent incident.\n\n"
            "What happened: $incident_type\n"
            "When: $window\n"
            "Case number: $case_number\n\n"
            "Please check whether your camera recorded anything during that time. "
            "If it did, or if you saw something, please $reply and mention the "
            "case number. Do not go to the scene or approach anyone.\n\n"
            "Thank you for taking part in $program."
        ),
        "sms": (
            "$program: $incident_type near your registered camera, $window. "
            "Please check your footage; if you have anything, $reply "
            "(case $case_number)."
        ),
    },
    "general": {
        "subject": "$program: message from $sender_name (case $case_number)",
        "body": "$message",
        "sms": "$program: $message",
    },
}


@dataclass(frozen=True)
class NotifySettings:
    """The city's notice settings (``[notify]`` in its city file)."""

    rate_per_minute: int = 60
    max_owners_without_investigator: int = 250
    sender_name: str = "the police department"
    reply: str = "reply to this message"
    templates: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: dict(DEFAULT_TEMPLATES)
    )


@dataclass(frozen=True)
class Message:
    """One notice's text: the same for every recipient."""

    template: str
    subject: str
    body: str  # e-mail text, stop line included
    sms: str  # text message, stop line included


def notify_settings(city: CityConfig) -> NotifySettings:
    """The city's ``[notify]`` settings (validated by ``analytics.city_schema``).

    City templates are added to the built-in ones (a city template of the same
    name replaces the built-in one); a template without ``sms`` uses its body.
    """
    raw = city.notify or {}
    templates = {k: dict(v) for k, v in DEFAULT_TEMPLATES.items()}
    for name, spec in (raw.get("templates") or {}).items():
        templates[str(name)] = {
            "subject": str(spec["subject"]),
            "body": str(spec["body"]),
            "sms": str(spec.get("sms", spec["body"])),
        }
    defaults = NotifySettings()
    sender = plain_field(raw.get("sender_name") or "", "notify.sender_name")
    return NotifySettings(
        rate_per_minute=int(raw.get("rate_per_minute") or defaults.rate_per_minute),
        max_owners_without_investigator=int(
            raw.get("max_owners_without_investigator")
            or defaults.max_owners_without_investigator
        ),
        sender_name=sender or f"the {city.program} team",
        reply=plain_field(raw.get("reply") or defaults.reply, "notify.reply"),
        templates=templates,
    )


def plain_field(value: Any, name: str, limit: int = FIELD_LIMIT) -> str:
    """One line of plain text from typed input: no control characters, capped.

    >>> plain_field("burglary\\r\\nBcc: x@y.z\\u202e", "incident_type")
    'burglary Bcc: x@y.z'
    """
    text = "" if value is None else str(value)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"  # bidi overrides, zero-width
    )
    text = " ".join(text.split())
    if len(text) > limit:
        raise ValueError(
            f"`{name}` is {len(text)} characters but at most {limit} fit a notice"
        )
    return text


def plain_message(value: Any, limit: int = MESSAGE_LIMIT) -> str:
    """Free text with its line breaks kept; otherwise as :func:`plain_field`."""
    lines = str(value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [plain_field(line, "message", limit) for line in lines]
    text = "\n".join(kept).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if len(text) > limit:
        raise ValueError(
            f"`message` is {len(text)} characters but at most {limit} fit a notice"
        )
    return text


def time_window(start: datetime | None, end: datetime | None) -> str:
    """``between 31 Oct 2026 22:00 and 31 Oct 2026 23:30`` (or one end alone)."""
    if start and end:
        if end < start:
            raise ValueError(
                f"the window ends ({end:{TIME_FORMAT}}) before it starts "
                f"({start:{TIME_FORMAT}})"
            )
        return f"between {start:{TIME_FORMAT}} and {end:{TIME_FORMAT}}"
    if start:
        return f"from {start:{TIME_FORMAT}}"
    if end:
        return f"until {end:{TIME_FORMAT}}"
    return "recently"


def stop_line(settings: NotifySettings, *, sms: bool) -> str:
    if sms:
        return "Reply STOP to receive no more notices."
    return (
        "You receive this because you registered a camera with the program. To "
        "receive no more notices, reply with the word STOP, or ask "
        f"{settings.sender_name} to remove you."
    )


def compose(
    settings: NotifySettings,
    city: CityConfig,
    *,
    case_number: str,
    template: str | None = None,
    message: str | None = None,
    incident_type: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Message:
    """The notice's subject, e-mail text and text message.

    Give a ``template`` name (with the incident details) or a free ``message``
    (sent with the ``general`` template). Every text ends with how to stop.
    """
    case_number = plain_field(case_number, "case_number", 60)
    if not case_number:
        raise ValueError("`case_number` was empty but every notice names its case")
    if message is not None and str(message).strip():
        name = template or "general"
        text = plain_message(message)
    else:
        name = template or "check_camera"
        text = ""
    if name not in settings.templates:
        raise ValueError(
            f"`template` was {name!r} but is expected to be one of "
            f"{sorted(settings.templates)}"
        )
    spec = settings.templates[name]
    kind = plain_field(incident_type, "incident_type") or "an incident"
    if "$message" in spec["body"] and not text:
        raise ValueError(f"template {name!r} needs a message text")
    values = {
        "program": plain_field(city.program, "program"),
        "city": plain_field(city.name, "city"),
        "sender_name": settings.sender_name,
        "reply": settings.reply,
        "case_number": case_number,
        "incident_type": kind,
        "window": time_window(start, end),
        "message": text,
    }
    try:
        subject = Template(spec["subject"]).substitute(values)
        body = Template(spec["body"]).substitute(values)
        sms = Template(spec.get("sms", spec["body"])).substitute(values)
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"template {name!r} uses an unknown placeholder {exc}; known: "
            f"{', '.join('$' + k for k in values)}"
        ) from exc
    subject = plain_field(subject, "subject", 250)
    body = f"{body.strip()}\n\n-- \n{stop_line(settings, sms=False)}\n"
    sms = f"{plain_message(sms, SMS_LIMIT)} {stop_line(settings, sms=True)}"
    if len(sms) > SMS_LIMIT:
        raise ValueError(
            f"the text message is {len(sms)} characters but at most {SMS_LIMIT} "
            "fit; shorten the incident details or the message"
        )
    return Message(template=name, subject=subject, body=body, sms=sms)


def is_stop_reply(text: str) -> bool:
    """True when a reply's first word is a stop keyword (``stop``, ``Stop.``...)."""
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line or line.startswith(">"):
            continue
        word = line.split()[0].strip(".!,;:").upper()
        return word in STOP_KEYWORDS
    return False
