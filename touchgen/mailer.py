"""Sending a post as a newsletter: one message per reader, a claim before SMTP, never twice."""

from __future__ import annotations

import binascii
import datetime as dt
import os
import re
import secrets
import shutil
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from .config import Settings
from .errors import TouchgenError
from .links import reply_address
from .newsletter import NEWSLETTER_DIR, personalize, reader_values, unsubscribe_links
from .store import Person, Store, utc_iso
from .words import plural

OUTBOX_DIR = Path("data/outbox")
CRLF = "\r\n"
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # after a 4xx reply or a dropped connection, before giving up for this run


class SendError(TouchgenError):
    """The post cannot be sent as asked."""


class NotDelivered(Exception):
    """The connection failed before the message body was handed over: safe to try again."""


class Unreachable(NotDelivered):
    """No connection to the SMTP server could be made."""


class Uncertain(Exception):
    """The connection failed after the body was handed over: the server may have accepted it."""


@dataclass(frozen=True)
class Letter:
    """A built newsletter: the post's title and the email with placeholders."""

    slug: str
    title: str
    html: str
    text: str


def load_letter(settings: Settings, slug: str, now: dt.datetime) -> Letter:
    """The built email of a published post; refuse drafts, scheduled posts and posts not built."""
    from .content import ContentErrors, load_content
    from .errors import BuildErrors

    try:
        content = load_content(settings)
    except ContentErrors as exc:
        raise BuildErrors(exc.errors) from None
    post = next((p for p in content.posts if p.slug == slug), None)
    if post is None:
        known = ", ".join(p.slug for p in content.posts[:5])
        raise SendError(f"no post with the slug '{slug}' (newest: {known})")
    if post.draft:
        raise SendError(f"{post.source}: '{slug}' is a draft; set draft: false and run touchgen build first")
    if post.date is not None and post.date > now:
        raise SendError(f"{post.source}: '{slug}' is scheduled for {post.date.date()}; send it on or after that day")
    folder = settings.root / "output" / NEWSLETTER_DIR / slug
    try:
        html = (folder / "email.html").read_text(encoding="utf-8")
        text = (folder / "email.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SendError(f"output/{NEWSLETTER_DIR}/{slug}/email.html is missing; run touchgen build first") from None
    return Letter(slug, post.title, html, text)


def sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.newsletter.from_)[1]
    return address.rpartition("@")[2] or urlsplit(settings.site.url).hostname or "localhost"


def new_message_id(settings: Settings, slug: str) -> str:
    return f"{slug}.{secrets.token_hex(8)}@{sender_domain(settings)}"


def _check_line(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise SendError(f"the {name} header would contain a line break: {value!r} (remove it)")


def _header(name: str, value: str) -> bytes:
    """One header line, RFC 2047-encoded when not ASCII and folded; refuses line breaks (no injection)."""
    _check_line(name, value)
    if value.isascii() and len(name) + len(value) < 76:
        return f"{name}: {value}\r\n".encode("ascii")
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: {Header(value, charset, header_name=name).encode(linesep=CRLF)}\r\n".encode("ascii")


def _address_header(name: str, display: str, address: str) -> bytes:
    """An address header whose display name may need RFC 2047 encoding."""
    _check_line(name, display + address)
    return f"{name}: {formataddr((display, address), charset='utf-8')}\r\n".encode("ascii")


def _part(content_type: str, body: str) -> bytes:
    data = binascii.b2a_qp(body.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"), istext=True)
    return (f"Content-Type: {content_type}; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") + data


class Composer:
    """Writes each reader's message as it goes over SMTP: multipart/alternative with the text part
    first, From, Reply-To, To, Subject, Date, Message-ID and the list headers.

    The headers every reader shares are encoded once per post, and messages are composed directly
    rather than through email.message.EmailMessage, whose header parsing costs milliseconds a
    message; the tests parse every message back with the standard library."""

    def __init__(self, settings: Settings, letter: Letter) -> None:
        newsletter = settings.newsletter
        if not newsletter.from_:
            raise SendError("touchgen.toml: [newsletter] from is empty (set it, such as: "
                            "from = \"Jane <jane@example.com>\")")
        self.settings = settings
        self.letter = letter
        self.shared = b"".join([
            _address_header("From", *parseaddr(newsletter.from_)),
            _address_header("Reply-To", "", reply_address(settings)),
            _header("Subject", letter.title),
            _header("List-Id", f"{settings.site.title} <{newsletter.list_id or sender_domain(settings)}>"),
        ])

    def message(self, name: str, address: str, message_id: str, date: dt.datetime) -> bytes:
        values = reader_values(self.settings, self.letter.slug, name, address)
        mailto, https = unsubscribe_links(self.settings, address)
        links = ", ".join(f"<{link}>" for link in (mailto, https) if link)
        boundary = f"=_touchgen_{secrets.token_hex(12)}"
        head = [
            self.shared,
            _address_header("To", name, address),
            _header("Date", format_datetime(date)),
            _header("Message-ID", f"<{message_id}>"),
        ]
        if links:
            head.append(_header("List-Unsubscribe", links))
        if https:
            head.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
        head.append(b"MIME-Version: 1.0\r\n")
        head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii"))
        return b"".join([
            *head, f"--{boundary}\r\n".encode("ascii"),
            _part("text/plain", personalize(self.letter.text, values, html_escape=False)),
            f"\r\n--{boundary}\r\n".encode("ascii"),
            _part("text/html", personalize(self.letter.html, values, html_escape=True)),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ])


def build_message(settings: Settings, letter: Letter, name: str, address: str, message_id: str,
                  date: dt.datetime) -> bytes:
    """One reader's message (see Composer)."""
    return Composer(settings, letter).message(name, address, message_id, date)


class Connection:
    """One SMTP connection, opened on demand and reopened after it drops."""

    def __init__(self, settings: Settings, timeout: float = 30) -> None:
        self.settings = settings.smtp
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None
        self.password = os.environ.get(self.settings.password_env, "") if self.settings.password_env else ""

    def open(self) -> None:
        smtp = self.settings
        try:
            if smtp.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=self.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=self.timeout)
                if smtp.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"the SMTP server {smtp.host}:{smtp.port} refused the login of {smtp.username} "
                            f"({exc.smtp_code}); check the password in ${smtp.password_env}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"cannot connect to the SMTP server {smtp.host}:{smtp.port} ({exc}); "
                            "check [smtp] in touchgen.toml") from None
        self.smtp = client

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def deliver(self, sender: str, recipient: str, data: bytes) -> tuple[int, str, str]:
        """The server's reply to one message and the step it came at (MAIL, RCPT, DATA or BODY).
        Raises NotDelivered or Uncertain when the connection fails, depending on whether the body
        had been handed over."""
        if self.smtp is None:
            try:
                self.open()
            except SendError as exc:
                raise Unreachable(str(exc)) from None
        assert self.smtp is not None
        client = self.smtp
        try:
            client.ehlo_or_helo_if_needed()
            steps = (("MAIL", lambda: client.mail(sender)), ("RCPT", lambda: client.rcpt(recipient)),
                     ("DATA", lambda: client.docmd("DATA")))
            for step, command in steps:
                code, reply = command()
                if code not in (250, 251, 354):
                    client.rset()
                    return code, reply.decode("utf-8", "replace"), step
        except (OSError, smtplib.SMTPException) as exc:
            self.drop()
            raise NotDelivered(str(exc)) from None
        body = re.sub(rb"(?m)^\.", b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        try:
            client.send(body + b".\r\n")
            code, reply = client.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.drop()
            raise Uncertain(str(exc)) from None
        if code == -1:
            self.drop()
            raise Uncertain(reply.decode("utf-8", "replace"))
        return code, reply.decode("utf-8", "replace"), "BODY"


@dataclass
class SendReport:
    recipients: int = 0
    sent: int = 0
    already_sent: int = 0
    uncertain: list[str] = field(default_factory=list)
    retried: int = 0
    bounced: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bounced_before: int = 0
    not_reached: int = 0  # left for a later run by --limit


Plan = tuple[list[tuple[Person, str | None]], SendReport]


def plan(store: Store, slug: str, retry_uncertain: bool = False, limit: int | None = None) -> Plan:
    """Who this run sends to (with the Message-ID of an uncertain send to repeat, at most `limit`),
    and a report that already counts who it skips."""
    report = SendReport(bounced_before=store.count_bounced_subscribers())
    todo: list[tuple[Person, str | None]] = []
    for person, status, message_id in store.recipients(slug):
        report.recipients += 1
        if status in ("sent", "bounced"):
            report.already_sent += 1
        elif status == "claimed" and not retry_uncertain:
            report.uncertain.append(person.email)
        else:
            todo.append((person, message_id if status == "claimed" else None))
    if limit is not None:
        report.not_reached = max(0, len(todo) - limit)
        todo = todo[:limit]
    return todo, report


def send_newsletter(store: Store, settings: Settings, letter: Letter, planned: Plan, connection: Connection,
                    now: Callable[[], dt.datetime], *, progress: Callable[[str], None] = lambda email: None,
                    sleep: Callable[[float], None] = time.sleep,
                    retry_delays: tuple[float, ...] = RETRY_DELAYS) -> SendReport:
    """Send `letter` to the readers `planned` (see plan). Each (post, reader) is claimed in the store
    before SMTP sees it and marked sent once the server accepts it, so no run sends anyone twice."""
    todo, report = planned
    sender = parseaddr(settings.newsletter.from_)[1]
    composer = Composer(settings, letter)
    interval = 60 / settings.smtp.rate_per_minute if settings.smtp.rate_per_minute > 0 else 0
    last_start = 0.0
    for person, uncertain_id in todo:
        moment = now()
        at = utc_iso(moment)
        if uncertain_id:
            message_id = uncertain_id
            store.reclaim_uncertain(letter.slug, person.id, at)
            report.retried += 1
        else:
            message_id = new_message_id(settings, letter.slug)
            if not store.claim_send(letter.slug, person.id, message_id, at):
                report.already_sent += 1
                progress(person.email)
                continue
        data = composer.message(person.name, person.email, message_id, moment)
        if interval:
            sleep(max(0.0, last_start + interval - time.monotonic()))
            last_start = time.monotonic()
        outcome, reply = _deliver_with_retries(connection, sender, person.email, data, sleep, retry_delays)
        if outcome == "sent":
            store.mark_sent(letter.slug, person.id, utc_iso(now()))
            report.sent += 1
        elif outcome == "bounced":
            store.mark_send_bounced(letter.slug, person.id, utc_iso(now()), reply)
            report.bounced.append(person.email)
        elif outcome == "uncertain":
            report.uncertain.append(person.email)
        else:
            store.mark_send_failed(letter.slug, person.id, reply)
            report.failed.append(person.email)
            if outcome == "unreachable":
                raise SendError(f"lost the SMTP server ({reply}) after {plural(report.sent, 'message')} of this run; "
                                f"nothing was sent twice: run touchgen send {letter.slug} again to go on")
            if outcome == "refused":
                raise SendError(f"the SMTP server refused to send: {reply}; check [smtp] and [newsletter] from "
                                f"in touchgen.toml, then run touchgen send {letter.slug} again")
        progress(person.email)
    return report


def _deliver_with_retries(connection: Connection, sender: str, recipient: str, data: bytes,
                          sleep: Callable[[float], None], delays: tuple[float, ...]) -> tuple[str, str]:
    """('sent' | 'bounced' | 'uncertain' | 'failed', the server's last words)."""
    reply = ""
    for delay in (*delays, None):
        try:
            code, reply, step = connection.deliver(sender, recipient, data)
        except Unreachable as exc:
            code, reply, step = -1, str(exc), ""
        except NotDelivered as exc:
            code, reply, step = 0, str(exc), ""
        except Uncertain as exc:
            return "uncertain", str(exc)
        if 200 <= code < 300:
            return "sent", reply
        if code >= 500 and step in ("RCPT", "BODY"):
            return "bounced", f"{code} {reply}"
        if code >= 500:  # the server refuses the sender or the session, not this reader
            return "refused", f"{code} {reply} (at {step})"
        if code > 0:
            reply = f"{code} {reply}"
        if delay is None:
            return "unreachable" if code == -1 else "failed", reply
        sleep(delay)
    return "failed", reply


def safe_filename(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", address)


def write_outbox(settings: Settings, letter: Letter, planned: Plan, now: dt.datetime, *,
                 progress: Callable[[str], None] = lambda email: None) -> tuple[Path, SendReport]:
    """--dry-run: the .eml files the `planned` run would send, in data/outbox/<slug>/; nothing is recorded."""
    todo, report = planned
    folder = settings.root / OUTBOX_DIR / letter.slug
    staging = folder.with_name(f".{letter.slug}.touchgen-tmp")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    composer = Composer(settings, letter)
    for person, uncertain_id in todo:
        message = composer.message(person.name, person.email, uncertain_id or new_message_id(settings, letter.slug),
                                   now)
        (staging / f"{safe_filename(person.email)}.eml").write_bytes(message)
        report.sent += 1
        progress(person.email)
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    return folder, report


def send_test(settings: Settings, letter: Letter, connection: Connection, address: str, name: str,
              now: dt.datetime) -> str:
    """--to: one message to `address`, not recorded as a newsletter send. Returns its Message-ID."""
    message_id = new_message_id(settings, f"{letter.slug}.test")
    data = build_message(settings, letter, name, address, message_id, now)
    outcome, reply = _deliver_with_retries(connection, parseaddr(settings.newsletter.from_)[1], address, data,
                                           time.sleep, RETRY_DELAYS)
    if outcome != "sent":
        raise SendError(f"the test message to {address} was not accepted: {reply or outcome}")
    return message_id

