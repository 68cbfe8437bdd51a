"""Mail import: replies, auto-replies, bounces and unsubscribes from mbox, Maildir or .eml files."""

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
from pathlib import Path

from ..clock import utc_iso
from ..config import Settings
from ..errors import LocatedError, ManyErrors
from ..people.model import Channel, Event, EventKind, NewPerson, Person
from ..people.store import Store
from ..text import clean_name, normalize_email, plural, valid_email

MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")
AUTO_SUBJECT_RE = re.compile(r"^\s*(automatic reply|auto-?reply|out of (the )?office|autosvar|abwesenheit)", re.I)
DAEMON_RE = re.compile(r"^(mailer-daemon|postmaster)@", re.I)
MAIL_HEADERS = ("from", "to", "subject", "date", "message-id")
SOURCE = "mail import"
SUBSCRIBED_BY_EMAIL = "subscribed by email"


def message_ids(value: str | None) -> list[str]:
    """Message-IDs in a header, parsed with a regex: the standard library's parsing of these is unreliable."""
    return MESSAGE_ID_RE.findall(value or "")


def text_of(message: Message, name: str) -> str:
    """A header as text, '' when absent; raw 8-bit bytes in it come as a Header object: made text."""
    value = message.get(name)
    return "" if value is None else str(value)


def decoded(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(make_header(decode_header(value)))
    except (UnicodeError, LookupError, email.errors.HeaderParseError, email.errors.CharsetError):
        return str(value)  # an encoded word with a broken or unknown charset stays as it was written


def iter_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) of every message in an mbox file, a Maildir, an .eml file or a folder of them."""
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
            yield str(file), file.read_bytes()
        return
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            for number, key in enumerate(box.keys(), start=1):
                yield f"{path} message {number}", box.get_bytes(key)
        finally:
            box.close()
        return
    yield str(path), path.read_bytes()


def is_auto_reply(message: Message) -> bool:
    auto = (text_of(message, "Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    if text_of(message, "X-Autoreply") or text_of(message, "X-Autorespond") or text_of(message, "X-MS-Exchange-Inbox-Rules-Loop"):
        return True
    if (text_of(message, "Precedence") or "").strip().lower() in ("bulk", "junk", "auto_reply", "list"):
        return True
    suppress = (text_of(message, "X-Auto-Response-Suppress") or "").lower()
    if any(word in suppress for word in ("oof", "autoreply", "all")):
        return True
    return bool(AUTO_SUBJECT_RE.match(decoded(text_of(message, "Subject"))))


@dataclass(frozen=True)
class Bounce:
    recipients: list[str]
    original_ids: list[str]
    permanent: bool


def delivery_report(message: Message) -> Bounce | None:
    """The failed recipients of a delivery report (multipart/report or from MAILER-DAEMON), else None."""
    sender = parseaddr(text_of(message, "From"))[1]
    is_report = message.get_content_type() == "multipart/report"
    if not is_report and not DAEMON_RE.match(sender):
        return None
    recipients: list[str] = []
    originals: list[str] = []
    actions: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks: list[Message] = part.get_payload() if part.is_multipart() else []  # type: ignore[assignment]
            for block in blocks:
                for header in ("Final-Recipient", "Original-Recipient"):
                    value = text_of(block, header)
                    address = value.split(";", 1)[-1].strip()
                    if valid_email(address) and address.lower() not in (r.lower() for r in recipients):
                        recipients.append(address)
                if text_of(block, "Action"):
                    actions.append(text_of(block, "Action").strip().lower())
        elif kind == "message/rfc822" and part.is_multipart():
            inner: Message = part.get_payload(0)  # type: ignore[assignment]
            originals += message_ids(text_of(inner, "Message-ID"))
        elif kind == "text/rfc822-headers":
            raw: bytes = part.get_payload(decode=True)  # type: ignore[assignment]
            originals += message_ids(text_of(email.message_from_bytes(raw or b""), "Message-ID"))
    for address in (text_of(message, "X-Failed-Recipients") or "").split(","):
        if valid_email(address.strip()) and address.strip() not in recipients:
            recipients.append(address.strip())
    permanent = not actions or any(action == "failed" for action in actions)
    return Bounce(recipients, originals, permanent)


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


@dataclass
class RepliesImported:
    messages: int = 0
    replies: int = 0
    already: int = 0
    posts: Counter[str] = field(default_factory=Counter)
    auto_replies: int = 0
    bounces: list[str] = field(default_factory=list)
    unsubscribes: int = 0
    subscribes: int = 0
    from_author: int = 0
    unknown: list[str] = field(default_factory=list)
    no_sender: list[str] = field(default_factory=list)
    introduced: list[tuple[str, str]] = field(default_factory=list)

    def lines(self, path: Path) -> list[str]:
        """The report an import ends with: one line per kind of message."""
        posts = ", ".join(f"{post} {count}" for post, count in self.posts.most_common())

        def listed(items: list[str], separator: str = ", ") -> str:
            return f" ({separator.join(items)})" if items else ""

        return [
            f"Imported {path}: {plural(self.messages, 'message')}",
            f"  replies       {self.replies} new, {self.already} already recorded" + (f" ({posts})" if posts else ""),
            f"  auto-replies  {self.auto_replies} skipped",
            f"  bounces       {len(self.bounces)}" + listed(self.bounces),
            f"  unsubscribes  {self.unsubscribes}",
            f"  subscribes    {self.subscribes}",
            f"  from you      {self.from_author} ignored",
            f"  introduced    {len(self.introduced)}" + listed([f"{new} by {by}" for new, by in self.introduced]),
            f"  unknown       {len(self.unknown)}" + listed(self.unknown),
            f"  no sender     {len(self.no_sender)}" + listed(self.no_sender, "; "),
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
    """Read every message, then record replies, bounces and unsubscribes in one transaction."""
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
        return _record(store, settings, parsed, now)


def _record(store: Store, settings: Settings, parsed: list[tuple[str, Message]], now: dt.datetime) -> RepliesImported:
    """Record what the messages say. Whoever this import adds (a subscriber, someone introduced) counts as
    known for every message of it, before or after the one that adds them: the same mailbox imported
    again, in any order, changes nothing."""
    known = store.people_by_email()
    joining = _walk(store, settings, parsed, now, known, {})[1]
    result, new_people, events, bounced_sends, replied_posts = _walk(store, settings, parsed, now, known, joining)
    added = store.record(events, new_people.values(), bounced_sends)
    result.replies = added[EventKind.REPLIED]
    result.already = len(replied_posts) - added[EventKind.REPLIED]
    result.posts = Counter(post or "(no post)" for post in replied_posts)
    return result


def _walk(store: Store, settings: Settings, parsed: list[tuple[str, Message]], now: dt.datetime,
          known: dict[str, Person], joining: dict[str, NewPerson]
          ) -> tuple[RepliesImported, dict[str, NewPerson], list[tuple[str, Event]], list[str], list[str | None]]:
    """One pass over the messages: the report, the people to add, the events, the sends that bounced and
    the post of each reply. `joining` are the people this import adds, known to every message."""
    own = settings.own_addresses
    result = RepliesImported(messages=len(parsed))
    events: list[tuple[str, Event]] = []
    new_people: dict[str, NewPerson] = {}
    bounced_sends: list[str] = []
    replied_posts: list[str | None] = []
    for where, message in parsed:
        at = _moment(message, now)
        bounce = delivery_report(message)
        if bounce is not None:
            if not bounce.permanent:
                result.auto_replies += 1
                continue
            external = _external_id(message, "bounce", at)
            for address in bounce.recipients:
                result.bounces.append(address)
                if address.lower() in known or address.lower() in joining:
                    events.append((address, Event(EventKind.BOUNCED, at, channel=Channel.EMAIL, source=SOURCE,
                                                  external_id=external, note=decoded(text_of(message, "Subject"))[:200])))
            bounced_sends += bounce.original_ids
            continue
        # The address is parsed first and only the name decoded: an encoded name can neither hide a
        # comma ("Doe, Jane") nor pass for another address.
        raw_name, sender = parseaddr(str(text_of(message, "From")))
        name = decoded(raw_name)
        if not valid_email(sender):
            result.no_sender.append(where)
            continue
        sender = normalize_email(sender)
        if sender.lower() in own:
            result.from_author += 1
            continue
        if is_auto_reply(message):
            result.auto_replies += 1
            continue
        external = _external_id(message, sender, at)
        person = known.get(sender.lower())
        newcomer = joining.get(sender.lower())
        if _is_unsubscribe(message, settings.newsletter.unsubscribe_email):
            if person is None and newcomer is None:
                result.unknown.append(sender)
            else:
                result.unsubscribes += 1
                events.append((person.email if person else sender, Event(EventKind.UNSUBSCRIBED, at, channel=Channel.EMAIL, source=SOURCE,
                                                   external_id=external)))
            continue
        if _is_subscribe(message):
            result.subscribes += 1
            if person is None and sender.lower() not in new_people:
                new_people[sender.lower()] = NewPerson(sender, clean_name(name), True, SUBSCRIBED_BY_EMAIL, at)
            events.append((sender, Event(EventKind.SUBSCRIBED, at, channel=Channel.EMAIL, source=SUBSCRIBED_BY_EMAIL,
                                         external_id=external)))
            continue
        ids = message_ids(text_of(message, "In-Reply-To")) + list(reversed(message_ids(text_of(message, "References"))))
        send = store.send_by_message_ids(ids) if ids else None
        post = send.post if send else None
        if person is None and send is not None:
            reader = store.person_by_id(send.person_id)
            if sender.lower() not in new_people:
                new_people[sender.lower()] = NewPerson(sender, clean_name(name), False, f"introduced by {reader.email}", at,
                                                       reader.id)
                result.introduced.append((sender, reader.email))
        elif person is None and newcomer is None:
            result.unknown.append(sender)
            continue
        elif person is not None and post is None:
            post = store.last_sent_before(person.id, at)
        events.append((sender, Event(EventKind.REPLIED, at, post=post, channel=Channel.EMAIL, source=SOURCE,
                                     external_id=external, note=decoded(text_of(message, "Subject"))[:200])))
        replied_posts.append(post)
    return result, new_people, events, bounced_sends, replied_posts
