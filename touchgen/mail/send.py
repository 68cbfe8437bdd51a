"""The send run: who gets the post, then one message per reader, each claimed in the ledger before
SMTP sees it, so no run sends anyone the same post twice; or a dry run into data/outbox/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from ..clock import utc_iso
from ..config import Settings
from ..errors import SendError, from_os_error
from ..files import staged
from ..people.model import Person, SendStatus
from ..people.store import Store
from ..text import plural, safe_filename
from . import smtp
from .compose import Composer, Letter, build_message, new_message_id
from .ledger import Ledger
from .smtp import Connection, Outcome, deliver_with_retries, what_to_check

Progress = Callable[[str], None]


def _no_progress(email: str) -> None:
    pass


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
    unwritable: list[tuple[str, str]] = field(default_factory=list)  # (address, why): recorded as failed

    def summary(self, title: str) -> str:
        """The one line a send ends with."""
        return (f"Sent '{title}': {self.sent} sent, {self.already_sent} skipped as already sent, "
                f"{len(self.uncertain)} uncertain, {self.retried} retried, {len(self.bounced)} bounced, "
                f"{len(self.failed) + len(self.unwritable)} failed"
                + (f", {self.bounced_before} not sent (bounced before)" if self.bounced_before else "")
                + (f", {self.not_reached} left for a later run (--limit)" if self.not_reached else ""))

    def problems(self, slug: str) -> list[str]:
        """What the author must know and do after this run (the run then exits with status 1)."""
        found = []
        if self.uncertain:
            found.append(f"{plural(len(self.uncertain), 'message')} uncertain ({', '.join(self.uncertain)}): "
                         "the server never confirmed them (a run was stopped, or the connection dropped); "
                         f"they may have arrived. To send them again: touchgen send {slug} --retry-uncertain")
        if self.failed:
            found.append(f"{plural(len(self.failed), 'message')} not accepted for now ({', '.join(self.failed)}); "
                         f"run touchgen send {slug} again later")
        if self.unwritable:
            reasons = "; ".join(f"{address}: {why}" for address, why in self.unwritable)
            found.append(f"{plural(len(self.unwritable), 'message')} could not be sent ({reasons}); correct the "
                         f"reader (touchgen readers edit EMAIL --name) or the server, then run touchgen send {slug} "
                         "again")
        return found


@dataclass(frozen=True)
class Planned:
    """Who this run sends to (with the Message-ID of an uncertain send to repeat), and a report
    that already counts who it skips."""

    todo: list[tuple[Person, str | None]]
    report: SendReport


def plan(store: Store, slug: str, retry_uncertain: bool = False, limit: int | None = None,
         edition: str = "") -> Planned:
    """The readers this run sends this edition of `slug` to, at most `limit`."""
    ledger = Ledger(store, edition)
    ledger.adopt_legacy(slug)
    report = SendReport(bounced_before=ledger.count_bounced_subscribers())
    todo: list[tuple[Person, str | None]] = []
    for recipient in ledger.recipients(slug):
        report.recipients += 1
        if recipient.status in (SendStatus.SENT, SendStatus.BOUNCED):
            report.already_sent += 1
        elif recipient.status is SendStatus.CLAIMED and not retry_uncertain:
            report.uncertain.append(recipient.person.email)
        else:
            uncertain_id = recipient.message_id if recipient.status is SendStatus.CLAIMED else None
            todo.append((recipient.person, uncertain_id))
    if limit is not None:
        report.not_reached = max(0, len(todo) - limit)
        todo = todo[:limit]
    return Planned(todo, report)


SAME_REFUSAL_STREAK = 5  # the same refusal for this many readers in a row is the server's, not theirs


def _refusal_text(reply: str, address: str) -> str:
    """A server's reply without the address it names, to compare refusals of different readers."""
    return re.sub(re.escape(address), "", reply, flags=re.I).replace("<>", "").strip()


def send_newsletter(store: Store, settings: Settings, letter: Letter, planned: Planned, connection: Connection,
                    now: Callable[[], dt.datetime], *, progress: Progress = _no_progress,
                    retry: smtp.Retry | None = None) -> SendReport:
    """Send `letter` to the readers `planned`. Each (post, reader) is claimed in the ledger before
    SMTP sees it and marked sent once the server accepts it, so no run sends anyone twice.

    A refusal of this reader's address is a bounce; a refusal of the sender, the session or the
    message stops the run (SendError) with every claim released and no bounce recorded, and so does
    the same refusal for several readers in a row. A message that cannot be composed for one reader
    is recorded as failed, with its reason, and the run goes on."""
    retry = retry or smtp.RETRY
    ledger = Ledger(store, letter.edition)
    report = planned.report
    sender = parseaddr(settings.newsletter.from_)[1]
    composer = Composer(settings, letter)
    interval = 60 / settings.smtp.rate_per_minute if settings.smtp.rate_per_minute > 0 else 0
    last_start = 0.0
    # Refusals not yet recorded as bounces (their claims released): a streak of the same one is
    # the server refusing the run, and then nobody is marked bounced.
    pending: list[tuple[Person, str]] = []

    def record_pending() -> None:
        for reader, reason in pending:
            ledger.mark_bounced(letter.slug, reader.id, utc_iso(now()), reason)
            report.bounced.append(reader.email)
        pending.clear()

    for person, uncertain_id in planned.todo:
        moment = now()
        at = utc_iso(moment)
        if uncertain_id:
            message_id = uncertain_id
            ledger.reclaim_uncertain(letter.slug, person.id, at)
            report.retried += 1
        else:
            message_id = new_message_id(settings, letter.slug)
            if not ledger.claim(letter.slug, person.id, message_id, at):
                report.already_sent += 1
                progress(person.email)
                continue
        try:
            data = composer.message(person.name, person.email, message_id, moment)
        except SendError as exc:
            ledger.mark_failed(letter.slug, person.id, str(exc))
            report.unwritable.append((person.email, str(exc)))
            progress(person.email)
            continue
        if interval:
            retry.sleep(max(0.0, last_start + interval - retry.clock()))
            last_start = retry.clock()
        outcome, reply = deliver_with_retries(connection, sender, person.email, data, retry)
        if outcome is Outcome.BOUNCED:
            ledger.mark_failed(letter.slug, person.id, reply)
            if pending and _refusal_text(pending[-1][1], pending[-1][0].email) != _refusal_text(reply, person.email):
                record_pending()
            pending.append((person, reply))
            if len(pending) >= SAME_REFUSAL_STREAK:
                readers = ", ".join(reader.email for reader, _ in pending)
                raise SendError(
                    f"the SMTP server gave the same refusal for {len(pending)} readers in a row ({readers}): "
                    f"{reply}; it is likely refusing this run, not their addresses, so nobody was marked bounced; "
                    f"{what_to_check(reply, settings)}, then run touchgen send {letter.slug} again")
            progress(person.email)
            continue
        record_pending()
        if outcome is Outcome.UNSENDABLE:
            ledger.mark_failed(letter.slug, person.id, reply)
            report.unwritable.append((person.email, reply))
            progress(person.email)
            continue
        if outcome is Outcome.SENT:
            ledger.mark_sent(letter.slug, person.id, utc_iso(now()))
            report.sent += 1
        elif outcome is Outcome.UNCERTAIN:
            report.uncertain.append(person.email)
        else:
            ledger.mark_failed(letter.slug, person.id, reply)
            if outcome is Outcome.UNREACHABLE:
                report.failed.append(person.email)
                raise SendError(f"lost the SMTP server ({reply}) after {plural(report.sent, 'message')} of this run; "
                                f"nothing was sent twice: run touchgen send {letter.slug} again to go on")
            if outcome is Outcome.REFUSED:
                raise SendError(f"the SMTP server refused to send: {reply}; nobody was marked bounced; "
                                f"{what_to_check(reply, settings)}, then run touchgen send {letter.slug} again")
            report.failed.append(person.email)
        progress(person.email)
    record_pending()
    return report


def _outbox(settings: Settings, slug: str, messages: Iterable[tuple[str, bytes]]) -> Path:
    """data/outbox/<slug>/ with one .eml file per (address, message), put in place whole."""
    folder = settings.paths.outbox / slug
    try:
        with staged(folder) as staging:
            for address, message in messages:
                (staging / f"{safe_filename(address)}.eml").write_bytes(message)
    except OSError as exc:
        raise from_os_error(exc, settings.paths.shown(Path(exc.filename or folder))) from None
    return folder


def write_outbox(settings: Settings, letter: Letter, planned: Planned, now: dt.datetime, *,
                 progress: Progress = _no_progress) -> tuple[Path, SendReport]:
    """--dry-run: the .eml files the `planned` run would send, in data/outbox/<slug>/; nothing is recorded."""
    report = planned.report
    composer = Composer(settings, letter)

    def messages() -> Iterator[tuple[str, bytes]]:
        for person, uncertain_id in planned.todo:
            message_id = uncertain_id or new_message_id(settings, letter.slug)
            yield person.email, composer.message(person.name, person.email, message_id, now)
            report.sent += 1
            progress(person.email)

    return _outbox(settings, letter.slug, messages()), report


def write_test_outbox(settings: Settings, letter: Letter, address: str, name: str, now: dt.datetime) -> Path:
    """--dry-run with --to: the one test message, in data/outbox/<slug>/, nothing sent or recorded."""
    message = Composer(settings, letter).message(name, address, new_message_id(settings, f"{letter.slug}.test"), now)
    return _outbox(settings, letter.slug, [(address, message)])


def send_test(settings: Settings, letter: Letter, connection: Connection, address: str, name: str,
              now: dt.datetime, retry: smtp.Retry | None = None) -> str:
    """--to: one message to `address`, not recorded as a newsletter send. Returns its Message-ID."""
    message_id = new_message_id(settings, f"{letter.slug}.test")
    data = build_message(settings, letter, name, address, message_id, now)
    outcome, reply = deliver_with_retries(connection, parseaddr(settings.newsletter.from_)[1], address, data,
                                          retry or smtp.RETRY)
    if outcome is not Outcome.SENT:
        raise SendError(f"the test message to {address} was not accepted: {reply or outcome}")
    return message_id
