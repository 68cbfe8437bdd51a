"""Mail import: replies, auto-replies, bounces, complaints and unsubscribes from mbox, Maildir or .eml files."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import mailbox
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from enum import StrEnum
from pathlib import Path

from ..clock import utc_iso
from ..config import Settings
from ..errors import LocatedError, ManyErrors
from ..people.model import Channel, Event, EventKind, NewPerson, Person
from ..people.store import Store
from ..text import clean_name, normalize_email, plural, valid_email
from .bounces import Kind, Outcome, Report, message_ids, read_report, text_of

# The subjects auto-replies are given, in the languages mail clients write them in (Outlook,
# iCloud "Auto reply:", Exchange 2007 "Out of Office:", Gmail and Thunderbird vacation replies).
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?reply|autoreply|auto[- ]?response|out of (?:the )?office|vacation reply"
    r"|away from (?:the )?office|abwesenheit|automatische antwort|r[ée]ponse automatique|respuesta autom[áa]tica"
    r"|risposta automatica|automatisch antwoord|resposta autom[áa]tica|autosvar|automaattinen vastaus"
    r"|automatyczna odpowied[źz]|自動返信|自动回复)", re.I)
# Headers only auto-replies carry: RFC 3834, Gmail and cPanel (X-Autoreply, X-Autorespond), iCloud
# (X-Apple-Action: VACATION), Exchange inbox rules and out-of-office (X-MS-Exchange-Inbox-Rules-Loop).
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoreply-From", "X-MS-Exchange-Inbox-Rules-Loop")
MAIL_HEADERS = ("from", "to", "subject", "date", "message-id")
SOURCE = "mail import"
SUBSCRIBED_BY_EMAIL = "subscribed by email"


def decoded(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(make_header(decode_header(value)))
    except (UnicodeError, LookupError, email.errors.HeaderParseError, email.errors.CharsetError):
        return str(value)


def iter_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) of every message in an mbox file, a Maildir, an .eml file or a folder of them.
    An empty file or Maildir holds no messages (it is not an error)."""
    if not path.exists():
        raise LocatedError(path, None, "no such file or folder (check the path)")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(maildir.keys()):
                yield f"{path} message {key}", maildir.get_bytes(key)
            return
        files = sorted(p for p in path.rglob("*.eml") if p.is_file())
        if not files:
            raise LocatedError(path, None, "no .eml files and not a Maildir (expected cur/ and new/ folders)")
        for file in files:
            data = file.read_bytes()
            if data.strip():
                yield str(file), data
        return
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip()
    if not start and not path.read_bytes().strip():
        return
    if start.startswith(b"From "):
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            for number, key in enumerate(box.keys(), start=1):
                yield f"{path} message {number}", box.get_bytes(key)
        finally:
            box.close()
        return
    yield str(path), path.read_bytes()


def is_auto_reply(message: Message) -> bool:
    """An out-of-office or other automatic answer (RFC 3834 and what vendors send instead of it).
    X-Auto-Response-Suppress alone is not one: Outlook and Exchange put it on people's own mail too."""
    auto = text_of(message, "Auto-Submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if any(text_of(message, header) for header in AUTO_HEADERS):
        return True
    if "vacation" in text_of(message, "X-Apple-Action").lower():
        return True
    if text_of(message, "Precedence").strip().lower() in ("bulk", "junk", "auto_reply", "list"):
        return True
    return bool(AUTO_SUBJECT_RE.match(decoded(text_of(message, "Subject"))))


def _is_subscribe(message: Message) -> bool:
    """The message the site's subscribe box starts: subject 'subscribe', from the reader's own address."""
    return bool(re.match(r"subscribe\b", decoded(text_of(message, "Subject")).strip(), re.I))


def _is_unsubscribe(message: Message, unsubscribe_address: str) -> bool:
    if decoded(text_of(message, "Subject")).strip().lower().startswith("unsubscribe"):
        return True
    if not unsubscribe_address:
        return False
    fields = [str(value) for name in ("To", "Cc", "Delivered-To") for value in message.get_all(name, [])]
    return any(address.lower() == unsubscribe_address.lower() for _, address in getaddresses(fields))


class Category(StrEnum):
    """What a message read turned out to be: each message is exactly one."""

    REPLY = "replies"
    AUTO_REPLY = "auto-replies"
    BOUNCE = "bounces"
    NOT_BOUNCE = "not bounces"
    COMPLAINT = "complaints"
    UNSUBSCRIBE = "unsubscribes"
    SUBSCRIBE = "subscribes"
    FROM_AUTHOR = "from you"
    UNKNOWN = "unknown"
    NO_SENDER = "no sender"
    NOT_UNDERSTOOD = "not understood"


@dataclass
class RepliesImported:
    messages: int = 0
    counted: Counter[Category] = field(default_factory=Counter)
    replies: int = 0
    already: int = 0
    posts: Counter[str] = field(default_factory=Counter)
    bounces: list[str] = field(default_factory=list)
    not_bounces: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    no_sender: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    introduced: list[tuple[str, str]] = field(default_factory=list)

    def lines(self, path: Path) -> list[str]:
        """The report an import ends with: one line per kind of message; the counts add up to the
        messages read (introduced people are among the replies)."""
        posts = ", ".join(f"{post} {count}" for post, count in self.posts.most_common())

        def row(category: str, text: str, items: list[str] | None = None, separator: str = ", ") -> str:
            return f"  {category:<15} {text}" + (f" ({separator.join(items)})" if items else "")

        count = self.counted
        return [
            f"Imported {path}: {plural(self.messages, 'message')}",
            row(Category.REPLY, f"{self.replies} new, {self.already} already recorded" + (f" ({posts})" if posts else "")),
            row("introduced", str(len(self.introduced)), [f"{new} by {by}" for new, by in self.introduced]),
            row(Category.AUTO_REPLY, f"{count[Category.AUTO_REPLY]} skipped"),
            row(Category.BOUNCE, str(count[Category.BOUNCE]), list(dict.fromkeys(self.bounces))),
            row(Category.NOT_BOUNCE, str(count[Category.NOT_BOUNCE]), self.not_bounces),
            row(Category.COMPLAINT, f"{count[Category.COMPLAINT]} unsubscribed", self.complaints),
            row(Category.UNSUBSCRIBE, str(count[Category.UNSUBSCRIBE])),
            row(Category.SUBSCRIBE, str(count[Category.SUBSCRIBE])),
            row(Category.FROM_AUTHOR, f"{count[Category.FROM_AUTHOR]} ignored"),
            row(Category.UNKNOWN, str(count[Category.UNKNOWN]), self.unknown),
            row(Category.NO_SENDER, str(count[Category.NO_SENDER]), self.no_sender, "; "),
            row(Category.NOT_UNDERSTOOD, str(count[Category.NOT_UNDERSTOOD]), self.not_understood, "; "),
        ]


def _moment(message: Message, now: dt.datetime) -> str:
    """When the message was written; the import time when its Date: cannot be read or is out of range."""
    try:
        moment = parsedate_to_datetime(text_of(message, "Date"))
        return utc_iso(moment) if moment else utc_iso(now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return utc_iso(now)


def _external_id(message: Message, sender: str, at: str) -> str:
    ids = message_ids(text_of(message, "Message-ID"))
    if ids:
        return ids[0]
    digest = hashlib.sha256(f"{sender}|{at}|{message.get('Subject', '')}".encode()).hexdigest()[:24]
    return f"sha256:{digest}"


def import_replies(store: Store, settings: Settings, path: Path, now: dt.datetime) -> RepliesImported:
    """Read every message, then record replies, bounces, complaints and unsubscribes in one transaction."""
    parsed: list[tuple[str, Message]] = []
    not_mail: list[LocatedError] = []
    for where, raw in iter_messages(path):
        message = email.message_from_bytes(raw)
        if not any(message.get(header) for header in MAIL_HEADERS):
            not_mail.append(LocatedError(where, None, "is not an email message (no From, To, Subject, Date or "
                                                        "Message-ID header); remove it or export the mail again"))
            continue
        parsed.append((where, message))
    if not_mail:
        raise ManyErrors(not_mail, f"{plural(len(not_mail), 'file')} not mail; nothing was imported")

    with store.transaction():  # read who is known and what was sent where the events are written
        # Whoever this import adds (a subscriber, someone introduced) counts as known for every message of
        # it, before or after the one that adds them: the same mailbox imported again changes nothing.
        joining = _Import(store, settings, now).walk(parsed).new_people
        return _Import(store, settings, now, joining).run(parsed)


class _Import:
    """One import: the messages are sorted into categories, the events gathered, then written at once."""

    def __init__(self, store: Store, settings: Settings, now: dt.datetime,
                 joining: dict[str, NewPerson] | None = None) -> None:
        self.joining = joining or {}  # the people this import adds, known to every message of it
        self.store = store
        self.settings = settings
        self.now = now
        self.known = store.people_by_email()
        self.result = RepliesImported()
        self.events: list[tuple[str, Event]] = []
        self.new_people: dict[str, NewPerson] = {}
        self.bounced_sends: list[str] = []
        self.replied_posts: list[str | None] = []

    def walk(self, parsed: list[tuple[str, Message]]) -> _Import:
        """Sort every message and gather its events, writing nothing."""
        self.result.messages = len(parsed)
        for where, message in parsed:
            at = _moment(message, self.now)
            report = read_report(message)
            category = self._report(report, where, message, at) if report else self._mail(where, message, at)
            self.result.counted[category] += 1
        return self

    def run(self, parsed: list[tuple[str, Message]]) -> RepliesImported:
        result = self.walk(parsed).result
        added = self.store.record(self.events, self.new_people.values(), self.bounced_sends)
        result.replies = added[EventKind.REPLIED]
        result.already = len(self.replied_posts) - added[EventKind.REPLIED]
        result.posts = Counter(post or "(no post)" for post in self.replied_posts)
        return result

    def _sent_to(self, original_ids: tuple[str, ...]) -> Person | None:
        """The reader a returned newsletter was sent to, by its Message-ID."""
        send = self.store.send_by_message_ids(original_ids) if original_ids else None
        return self.store.person_by_id(send.person_id) if send else None

    def _report(self, report: Report, where: str, message: Message, at: str) -> Category:
        """A delivery report or a complaint: only a permanent failure of the address records a bounce,
        and a spam complaint unsubscribes the reader who made it."""
        external = _external_id(message, "report", at)
        subject = decoded(text_of(message, "Subject"))
        sent_to = self._sent_to(report.original_ids)
        if report.kind is Kind.COMPLAINT:
            people = [self.known[a.lower()] for a in report.complainants if a.lower() in self.known]
            people = [sent_to] if sent_to else people
            if not people and not report.complainants:
                what = ("a spam complaint that names no reader" if report.reason.startswith("spam complaint")
                        else f"a feedback report of type '{report.reason}', not a complaint")
                self.result.not_understood.append(f"{where}: {what}")
                return Category.NOT_UNDERSTOOD
            for person in people:
                self.events.append((person.email, Event(EventKind.UNSUBSCRIBED, at, channel=Channel.EMAIL, source=SOURCE,
                                                        external_id=external, note=report.reason)))
            self.result.complaints += [p.email for p in people] or [f"{', '.join(report.complainants)}: not a reader"]
            return Category.COMPLAINT
        failures = [f for f in report.failures if f.address or sent_to]
        if not failures:
            self.result.not_understood.append(f"{where}: a delivery report that names no recipient")
            return Category.NOT_UNDERSTOOD
        bounced = False
        for failure in failures:
            address = failure.address or (sent_to.email if sent_to else "")
            if failure.outcome is not Outcome.BOUNCED:
                self.result.not_bounces.append(" ".join(filter(None, (address, failure.status, failure.outcome.value))))
                continue
            bounced = True
            self.result.bounces.append(address)
            if address.lower() in self.known or address.lower() in self.joining:
                note = " ".join(filter(None, (failure.status, subject)))[:200]
                self.events.append((address, Event(EventKind.BOUNCED, at, channel=Channel.EMAIL, source=SOURCE,
                                                   external_id=external, note=note)))
        if bounced:
            self.bounced_sends += report.original_ids
        return Category.BOUNCE if bounced else Category.NOT_BOUNCE

    def _mail(self, where: str, message: Message, at: str) -> Category:
        """Mail a person wrote (or an auto-reply in their name)."""
        result = self.result
        # The address is parsed first and only the name decoded: an encoded name can neither hide a
        # comma ("Doe, Jane") nor pass for another address.
        raw_name, sender = parseaddr(str(text_of(message, "From")))
        name = decoded(raw_name)
        if not valid_email(sender):
            result.no_sender.append(where)
            return Category.NO_SENDER
        sender = normalize_email(sender)
        if sender.lower() in self.settings.own_addresses:
            return Category.FROM_AUTHOR
        if is_auto_reply(message):
            return Category.AUTO_REPLY
        external = _external_id(message, sender, at)
        person = self.known.get(sender.lower())
        newcomer = self.joining.get(sender.lower())
        if _is_unsubscribe(message, self.settings.newsletter.unsubscribe_email):
            if person is None and newcomer is None:
                result.unknown.append(sender)
                return Category.UNKNOWN
            self.events.append((person.email if person else sender, Event(EventKind.UNSUBSCRIBED, at, channel=Channel.EMAIL, source=SOURCE,
                                                    external_id=external)))
            return Category.UNSUBSCRIBE
        if _is_subscribe(message):
            if person is None and sender.lower() not in self.new_people:
                self.new_people[sender.lower()] = NewPerson(sender, clean_name(name), True, SUBSCRIBED_BY_EMAIL, at)
            self.events.append((sender, Event(EventKind.SUBSCRIBED, at, channel=Channel.EMAIL,
                                              source=SUBSCRIBED_BY_EMAIL, external_id=external)))
            return Category.SUBSCRIBE
        ids = message_ids(text_of(message, "In-Reply-To")) + list(reversed(message_ids(text_of(message, "References"))))
        send = self.store.send_by_message_ids(ids) if ids else None
        post = send.post if send else None
        if person is None and send is not None:
            reader = self.store.person_by_id(send.person_id)
            if sender.lower() not in self.new_people:
                self.new_people[sender.lower()] = NewPerson(sender, clean_name(name), False,
                                                            f"introduced by {reader.email}", at, reader.id)
                result.introduced.append((sender, reader.email))
        elif person is None and newcomer is None:
            result.unknown.append(sender)
            return Category.UNKNOWN
        elif person is not None and post is None:
            post = self.store.last_sent_before(person.id, at)
        self.events.append((sender, Event(EventKind.REPLIED, at, post=post, channel=Channel.EMAIL, source=SOURCE,
                                          external_id=external, note=decoded(text_of(message, "Subject"))[:200])))
        self.replied_posts.append(post)
        return Category.REPLY
