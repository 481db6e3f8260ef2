"""What comes back after a notice: STOP replies and bounce reports.

Relays usually accept a message and report a bad address later, in a delivery
status notification (RFC 3464) sent to the sender. Both kinds of mail are read
here from their raw bytes (saved from the reply mailbox), never shown:

>>> sender, text = read_reply(raw)               # doctest: +SKIP
>>> bounces = read_bounce_report(raw)            # [(address, reason), ...]
>>> process_maildir(store, "/var/mail/camera-tips", user="inbox")  # doctest: +SKIP
"""

from __future__ import annotations

import mailbox
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class InboxResult:
    """What processing the reply mailbox did (counts only)."""

    messages: int
    opt_outs: int
    bounces: int
    other: int

    def as_dict(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "opt_outs": self.opt_outs,
            "bounces": self.bounces,
            "other": self.other,
        }


def process_message(store: Any, raw: bytes, *, user: str) -> tuple[int, int]:
    """One mail from the reply mailbox: (opt-outs recorded, bounces recorded).

    A delivery status notification marks its failed recipients as bounced; any
    other mail whose first unquoted word is STOP opts its sender out.
    """
    from analytics.notify import opt_out_reply
    from analytics.notify_store import mark_bounced, notify_engine

    report = read_bounce_report(raw)
    if report:
        engine = notify_engine(store)
        return 0, sum(mark_bounced(engine, a, r) for a, r in report)
    try:
        sender, text = read_reply(raw)
    except ValueError:
        return 0, 0
    done = opt_out_reply(store, sender=sender, text=text, channel="email", user=user)
    return int(done), 0


def process_maildir(store: Any, path: str | Path, *, user: str) -> InboxResult:
    """Process the new mail of a Maildir (the reply address's mailbox).

    Each message in ``new/`` is read once, then moved to ``cur/`` marked seen,
    so running this every few minutes (cron, a systemd timer) handles each reply
    and bounce exactly once.
    """
    folder = Path(path)
    if not (folder / "new").is_dir():
        raise ValueError(
            f"`path` was {str(path)!r} but is not a Maildir (no new/ folder)"
        )
    box = mailbox.Maildir(folder, factory=None, create=False)
    counts = [0, 0, 0, 0]
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        if message.get_subdir() != "new":
            continue
        opt, bounced = process_message(store, box.get_bytes(key), user=user)
        counts[0] += 1
        counts[1] += opt
        counts[2] += bounced
        counts[3] += int(not (opt or bounced))
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
    return InboxResult(*counts)
