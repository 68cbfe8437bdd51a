"""Machine mail about what was sent: delivery reports (RFC 3464 DSNs, the plain-text notices of qmail,
Exim, Exchange, Yahoo, Zoho, GMX and their kin, Amazon SES notifications) and spam complaints (RFC 5965
feedback reports, SES complaints). Each is read into a Report; the caller decides what to record."""

from __future__ import annotations

import email
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses, parseaddr
from enum import StrEnum

from ..text import valid_email

MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")
ADDRESS = r"[^\s<>\"'(),;:\[\]@=]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+"
# A failed-recipient line: the address first on its line, alone or followed by the reason
# (qmail and Yahoo "<a@b>:", Exim "  a@b", Exchange 2003 "a@b on <date>", Zoho "a@b Invalid Address",
# Postfix "<a@b>: host ... said", sendmail "<a@b>... User unknown", GMX "\"a@b\":"), or after the
# reply code of a session transcript (sendmail "554 <a@b>... Host unknown", m-FILTER "550 5.1.1 <a@b>:").
LINE_RE = re.compile(rf"^\s*(?:[245]\d\d[ -](?:[245]\.\d{{1,3}}\.\d{{1,3}}\s+)?)?[<\"']?({ADDRESS})[>\"']?(?=[\s:.,;(]|$)")
# Or named in a sentence: "error delivering your mail to <a@b>", "Your message to a@b couldn't be
# delivered", "The following message to <a@b> was undeliverable", "Unknown user: a@b", "RCPT TO:<a@b>".
PHRASE_RE = re.compile(
    rf"(?:\b(?:deliver(?:ing|ed|y)?|message|mail|rcpt)\s+(?:your\s+\w+\s+)?to\s*:?\s*|"
    rf"\b(?:unknown user|user unknown|no such user|recipient address|invalid recipient|recipient)\s*:\s*)"
    rf"<?({ADDRESS})>?", re.I)
# Where the notice ends and the copy of the returned message begins.
COPY_RE = re.compile(
    r"^[ \t]*[-=*]*[ \t]*(?:below this line is a copy|this is a copy of the message|the header of the original message"
    r"|original message|returned message|undelivered message|message headers follow|below is a copy"
    r"|original message headers|the original message follows|unsent message)", re.I | re.M)
HEADER_LINE_RE = re.compile(r"^(?:Received|Return-Path|Message-ID|DKIM-Signature|X-[\w-]+):", re.I | re.M)
ENHANCED_RE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
BASIC_RE = re.compile(r"(?<![\w.])([245]\d\d)(?=[\s:-])")
TEMPORARY_RE = re.compile(r"temporar|delayed|will (?:be )?retr|still (?:being )?(?:retried|trying)|deferred"
                          r"|not yet been delivered|this is a warning|warning message only|try again later", re.I)
# Said of the recipient's address itself: with a 5.7.x status it still means the address is no good.
ADDRESS_PROBLEM_RE = re.compile(
    r"recipient address rejected|invalid recipient|unknown recipient|recipient unknown|recipient not found"
    r"|no such (?:user|recipient|mailbox|address)|user unknown|unknown user|mailbox (?:unavailable|not found|"
    r"does not exist|disabled)|address (?:rejected|does not exist|not found)|account (?:disabled|does not exist)"
    r"|does not exist", re.I)
DAEMON_LOCAL_RE = re.compile(r"^(?:mailer[-_]?daemon|postmaster|post_master|mail[-_]?daemon)$", re.I)
DAEMON_NAME_RE = re.compile(r"mail(?:er)?[- ]?daemon|mail delivery (?:subsystem|system)|postmaster", re.I)
REPORT_SUBJECT_RE = re.compile(
    r"undeliver|delivery (?:status|failure|failed|notification|has failed|problem)|mail delivery failed"
    r"|failure notice|returned mail|returned to sender|could not be delivered|non[- ]?delivery|nondeliverable"
    r"|delayed mail|mail system error", re.I)
DSN_TYPES = ("message/delivery-status", "message/global-delivery-status", "text/delivery-status")
COPY_TYPES = ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers",
              "message/partial")
COMPLAINT_TYPES = ("abuse", "fraud", "opt-out", "complaint")
NOT_THE_RECIPIENT = ("postmaster", "mailer-daemon", "mailer_daemon", "post_master", "abuse", "root", "hostmaster")


class Outcome(StrEnum):
    """What a delivery report says happened to one recipient."""

    BOUNCED = "bounced"  # failed for good, and the address is why: not mailed again
    DELAYED = "delayed"  # failed for now (4.x.x, Action: delayed): never suppresses an address
    REFUSED = "refused"  # failed for good, but for the sender or the message (5.3.x, 5.6.x, 5.7.x)
    DELIVERED = "delivered"  # a success notice (Action: delivered or relayed, an SES delivery)


class Kind(StrEnum):
    DELIVERY = "delivery report"
    COMPLAINT = "complaint"


@dataclass(frozen=True)
class Failure:
    """One recipient of a delivery report; address '' when the report names nobody we could read."""

    address: str
    outcome: Outcome
    status: str = ""


@dataclass(frozen=True)
class Report:
    """A delivery report (its failures) or a complaint (who complained, and of what kind)."""

    kind: Kind
    failures: tuple[Failure, ...] = ()
    complainants: tuple[str, ...] = ()
    original_ids: tuple[str, ...] = ()
    reason: str = ""


def text_of(message: Message, name: str) -> str:
    """A header as text, '' when absent; raw 8-bit bytes in it come as a Header object: made text."""
    value = message.get(name)
    return "" if value is None else str(value)


def message_ids(value: str | None) -> list[str]:
    """Message-IDs in a header, parsed with a regex: the standard library's parsing of these is unreliable."""
    return MESSAGE_ID_RE.findall(value or "")


def _addresses(*values: str) -> set[str]:
    return {address.lower() for _, address in getaddresses(list(values)) if address}


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know (unicode-1-1-utf-7): the ASCII survives
        return payload.decode("latin-1")


def _parts(message: Message) -> Iterator[Message]:
    """Every leaf part of the report itself: not the parts of a returned message inside it."""
    if message.is_multipart():
        for part in message.get_payload():
            if isinstance(part, Message):
                leaf = part.get_content_type() in COPY_TYPES + DSN_TYPES + ("message/feedback-report",)
                yield from [part] if leaf else _parts(part)
    else:
        yield message


def from_daemon(message: Message) -> bool:
    """Sent by a mail system: MAILER-DAEMON, postmaster, 'Mail Delivery Subsystem' (even 'MAILER-DAEMON <>')."""
    name, address = parseaddr(text_of(message, "From"))
    return bool(DAEMON_LOCAL_RE.match(address.rpartition("@")[0] or address) or DAEMON_NAME_RE.search(name))


def _null_sender(message: Message) -> bool:
    """Sent with the null reverse path of delivery reports (Return-Path: <>), or from no address at all."""
    return text_of(message, "Return-Path").strip() == "<>" or not parseaddr(text_of(message, "From"))[1]


def read_report(message: Message) -> Report | None:
    """The report `message` is, or None when it is ordinary mail (a reply, an auto-reply)."""
    kind = message.get_content_type()
    report_type = (message.get_param("report-type") or "") if kind == "multipart/report" else ""
    parts = list(_parts(message))
    if str(report_type).lower() == "feedback-report" or any(
            p.get_content_type() == "message/feedback-report" for p in parts):
        return _feedback_report(message, parts)
    ses = _ses_notification(message, parts)
    if ses is not None:
        return ses
    if (kind == "multipart/report" or "X-Failed-Recipients" in message or from_daemon(message)
            or _null_sender(message) and REPORT_SUBJECT_RE.search(text_of(message, "Subject"))):
        return _delivery_report(message, parts)
    return None


def _copies(message: Message) -> list[Message]:
    """The returned message (or its headers) attached to a report."""
    found: list[Message] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global") and part.is_multipart():
            found += [inner for inner in part.get_payload() if isinstance(inner, Message)]
        elif kind in ("text/rfc822-headers", "message/rfc822-headers", "message/partial"):
            found.append(email.message_from_string(_decoded(part) or str(part.get_payload())))
    return found


def _notice(parts: Iterable[Message]) -> tuple[str, Message | None]:
    """The human-readable notice of a report, and the returned message quoted inline after it."""
    # A multipart part that is not (its boundary lost to bad folding) is read as the text it is.
    text = "\n".join(_decoded(p) for p in parts if p.get_content_maintype() in ("text", "multipart")
                     and p.get_content_subtype() not in ("html", "rfc822-headers", "delivery-status"))
    marker = COPY_RE.search(text)
    header = HEADER_LINE_RE.search(text)
    if marker and (not header or marker.start() <= header.start()):
        cut, rest = marker.start(), text[marker.end():].partition("\n")[2]
    elif header:
        cut, rest = header.start(), text[header.start():]
    else:
        return text, None
    copy = email.message_from_string(rest.lstrip("\r\n"))
    return text[:cut], copy if copy.keys() else None


def _status(text: str) -> str:
    found = ENHANCED_RE.search(text)
    return ".".join(found.groups()) if found else ""


def _permanent(status: str, text: str) -> Outcome:
    """A 5.x.x failure: the address is why (BOUNCED), unless the status is about the sender, the
    message or the session (5.3.x, 5.6.x, 5.7.x) and the text does not blame the address."""
    if status.split(".")[1] in ("3", "6", "7") and not ADDRESS_PROBLEM_RE.search(text):
        return Outcome.REFUSED
    return Outcome.BOUNCED


def _outcome(action: str, status: str, diagnostic: str) -> Outcome:
    """One recipient of a DSN: only a permanent (5.x.x) failure bounces; 4.x.x never does, whatever the Action."""
    action = action.strip().lower()
    if action in ("delivered", "relayed", "expanded"):
        return Outcome.DELIVERED
    code = _status(status) or _status(diagnostic)
    if not code:
        basic = BASIC_RE.search(diagnostic)
        code = f"{basic.group(1)[0]}.0.0" if basic else ""
    if action == "delayed" or code.startswith("4"):
        return Outcome.DELAYED
    if code.startswith("5"):
        return _permanent(code, diagnostic)
    return Outcome.BOUNCED


def _blocks(part: Message) -> list[dict[str, str]]:
    """The fields of a machine-readable part (delivery-status, feedback-report) in their blank-line
    separated blocks, unfolded, names in lower case."""
    if part.is_multipart():
        text = "\n\n".join(str(block) for block in part.get_payload())
    else:
        text = _decoded(part) or str(part.get_payload())
    blocks = []
    for chunk in re.split(r"\r?\n\s*\r?\n", re.sub(r"\r?\n[ \t]+", " ", text)):
        fields: dict[str, str] = {}
        for line in chunk.splitlines():
            name, colon, value = line.partition(":")
            if colon:
                fields.setdefault(name.strip().lower(), value.strip())
        blocks.append(fields)
    return blocks


def _recipient(field: str) -> str:
    """'rfc822; a@b', 'RFC822; <a@b>', 'a@b' -> 'a@b'."""
    value = field.split(";", 1)[-1].strip().strip("<>").strip()
    return value if valid_email(value) else ""


def _delivery_report(message: Message, parts: list[Message]) -> Report:
    copies = _copies(message)
    notice, inline = _notice(parts)
    if inline is not None:
        copies.append(inline)
    originals = tuple(i for copy in copies for i in message_ids(text_of(copy, "Message-ID")))
    failures: dict[str, Failure] = {}
    for part in parts:
        if part.get_content_type() in DSN_TYPES:
            for fields in _blocks(part):
                address = _recipient(fields.get("final-recipient", "")) or _recipient(fields.get("original-recipient", ""))
                if address and address.lower() not in failures:
                    failures[address.lower()] = Failure(address, _outcome(
                        fields.get("action", ""), fields.get("status", ""), fields.get("diagnostic-code", "")),
                        _status(fields.get("status", "")) or _status(fields.get("diagnostic-code", "")))
    if not failures:
        outcome, status = _text_outcome(notice)
        named = [a.strip() for a in text_of(message, "X-Failed-Recipients").split(",") if valid_email(a.strip())]
        for address in named + _named_in(notice, message, copies):
            failures.setdefault(address.lower(), Failure(address, outcome, status))
        if not failures:
            failures[""] = Failure("", outcome, status)
    return Report(Kind.DELIVERY, tuple(failures.values()), original_ids=originals)


def _named_in(notice: str, message: Message, copies: list[Message]) -> list[str]:
    """The failed recipients a plain-text notice names by its shape, less whoever it is sent to or from."""
    not_them = _addresses(text_of(message, "To"), text_of(message, "Cc"), text_of(message, "From"))
    for copy in copies:
        not_them |= _addresses(text_of(copy, "From"), text_of(copy, "Sender"), text_of(copy, "Return-Path"))
    found: list[str] = []
    for line in notice.splitlines():
        for match in [LINE_RE.match(line), *PHRASE_RE.finditer(line)]:
            address = match.group(1).rstrip(".") if match else ""
            if (address and valid_email(address) and address.lower() not in not_them
                    and address.lower().partition("@")[0] not in NOT_THE_RECIPIENT
                    and address.lower() not in (a.lower() for a in found)):
                found.append(address)
    return found


def _text_outcome(notice: str) -> tuple[Outcome, str]:
    """What a notice without DSN fields says: a 5.x.x status bounces (or refuses, see _permanent); a
    4.x.x one or the words of a delay without a 5xx reply delay; a plain failure notice bounces."""
    enhanced = [".".join(found) for found in ENHANCED_RE.findall(notice)]
    permanent = [code for code in enhanced if code.startswith("5")]
    if permanent:
        outcomes = {_permanent(code, notice) for code in permanent}
        chosen = Outcome.BOUNCED if Outcome.BOUNCED in outcomes else Outcome.REFUSED
        return chosen, next(c for c in permanent if _permanent(c, notice) is chosen)
    basic = BASIC_RE.findall(notice)
    temporary = [code for code in enhanced if code.startswith("4")]
    if (temporary or TEMPORARY_RE.search(notice)) and not any(code.startswith("5") for code in basic):
        return Outcome.DELAYED, temporary[0] if temporary else ""
    return Outcome.BOUNCED, ""


def _feedback_report(message: Message, parts: list[Message]) -> Report:
    """An RFC 5965 feedback report: a spam complaint unless its Feedback-Type says otherwise."""
    fields: dict[str, str] = {}
    for part in parts:
        if part.get_content_type() == "message/feedback-report":
            for block in _blocks(part):
                for name, value in block.items():
                    fields.setdefault(name, value)
    feedback = fields.get("feedback-type", "abuse").lower()
    copies = _copies(message)
    originals = tuple(i for copy in copies for i in message_ids(text_of(copy, "Message-ID")))
    named = [_recipient(fields.get(key, "")) for key in ("original-rcpt-to", "removal-recipient")]
    named += [a for copy in copies for _, a in getaddresses([text_of(copy, "To")]) if valid_email(a)]
    complainants = tuple(dict.fromkeys(a for a in named if a))
    if feedback not in COMPLAINT_TYPES:
        return Report(Kind.COMPLAINT, reason=feedback)
    return Report(Kind.COMPLAINT, complainants=complainants, original_ids=originals,
                  reason=f"spam complaint (feedback report: {feedback})")


SES_TYPE_RE = re.compile(r'"notificationType"\s*:\s*"(\w+)"')
SES_ADDRESS_RE = re.compile(r'"emailAddress"\s*:\s*"([^"]+)"')
SES_FIELD_RE = r'"{}"\s*:\s*"([^"]*)"'


def _ses_notification(message: Message, parts: list[Message]) -> Report | None:
    """An Amazon SES notification (by email through SNS): a JSON body with "notificationType"."""
    sender = parseaddr(text_of(message, "From"))[1].lower()
    if "x-amz-sns-message-id" not in message and not sender.endswith(("amazonaws.com", "amazonses.com")):
        return None
    body = "\n".join(_decoded(p) for p in parts if p.get_content_maintype() == "text")
    if '"notificationType' not in body.replace('\\"', '"'):
        return None
    start, end = body.find("{"), body.rfind("}")
    raw = re.sub(r"!\r?\n ", "", body[start:end + 1])  # SNS breaks long lines with "!\n "
    data: dict[str, object] = {}
    try:
        loaded = json.loads(raw)
        if isinstance(loaded, dict) and isinstance(loaded.get("Message"), str):
            loaded = json.loads(loaded["Message"])
        data = loaded if isinstance(loaded, dict) else {}
    except ValueError:
        data = {}
    flat = raw.replace('\\"', '"')
    kind = str(data.get("notificationType") or (m.group(1) if (m := SES_TYPE_RE.search(flat)) else ""))
    addresses = [a for a in SES_ADDRESS_RE.findall(flat) if valid_email(a)]

    def field(name: str) -> str:
        found = re.search(SES_FIELD_RE.format(name), flat)
        return found.group(1) if found else ""

    originals = tuple(message_ids(" ".join(re.findall(r'"(?:messageId|value)"\s*:\s*"(<[^"]+>)"', flat))))
    if kind == "Complaint":
        feedback = field("complaintFeedbackType") or "abuse"
        if feedback == "not-spam":
            return Report(Kind.COMPLAINT, reason=feedback)
        return Report(Kind.COMPLAINT, complainants=tuple(addresses), original_ids=originals,
                      reason=f"spam complaint (Amazon SES: {feedback})")
    if kind == "Bounce":
        bounce_type, subtype = field("bounceType"), field("bounceSubType")
        if bounce_type == "Permanent":
            outcome = Outcome.REFUSED if subtype in ("ContentRejected", "AttachmentRejected", "MessageTooLarge") \
                else Outcome.BOUNCED
        else:
            outcome = Outcome.DELAYED  # Transient or Undetermined: not a reason to stop mailing
        status = field("status")
        return Report(Kind.DELIVERY, tuple(Failure(a, outcome, status) for a in dict.fromkeys(addresses))
                      or (Failure("", outcome, status),), original_ids=originals)
    if kind == "Delivery":
        return Report(Kind.DELIVERY, tuple(Failure(a, Outcome.DELIVERED) for a in addresses))
    return None
