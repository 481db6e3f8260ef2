"""What comes back after a notice: STOP replies and bounce reports.

Relays usually accept a message and report a bad address later, in a delivery
status notification (RFC 3464) sent to the sender. Both kinds of mail are read
here from their raw bytes (saved from the reply mailbox), never shown:

>>> sender, text = read_reply(raw)               # doctest: +SKIP
>>> bounces = read_bounce_report(raw)            # [(address, reason), ...]
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr

_TAG = re.compile(r"<[^>]+>")


def read_reply(raw: bytes) -> tuple[str, str]:
    """(sender address, plain text) of an e-mailed reply.

    The text is the ``text/plain`` part, else the ``text/html`` part with its
    tags removed. Raises ValueError when the message has no sender address.
    """
    msg = message_from_bytes(raw, policy=policy.default)
    sender = parseaddr(str(msg.get("From", "")))[1]
    if "@" not in sender:
        raise ValueError("the reply has no sender address (From)")
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return sender, ""
    text = str(body.get_content())
    if body.get_content_type() == "text/html":
        text = _TAG.sub(" ", text)
    return sender, text


def read_bounce_report(raw: bytes) -> list[tuple[str, str]]:
    """The failed recipients of a delivery status notification.

    Returns ``[(address, reason)]`` for each recipient block whose ``Action`` is
    ``failed`` (reason: ``Status`` and ``Diagnostic-Code``); ``[]`` when the mail
    is not such a report.
    """
    msg = message_from_bytes(raw, policy=policy.default)
    out: list[tuple[str, str]] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _blocks(part):
            if str(block.get("Action", "")).strip().lower() != "failed":
                continue
            recipient = str(
                block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            )
            address = recipient.split(";", 1)[-1].strip().strip("<>")
            if "@" not in address:
                continue
            status = str(block.get("Status", "")).strip()
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            diagnostic = diagnostic.split(";", 1)[-1].strip()
            reason = " ".join(x for x in (status, diagnostic) if x) or "failed"
            out.append((address, f"bounced after delivery: {reason}"))
    return out


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parses the blocks
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks: list[Message] = []
    for chunk in re.split(r"\r?\n\r?\n", text):
        if chunk.strip():
            blocks.append(message_from_bytes(chunk.encode(), policy=policy.default))
    return blocks
