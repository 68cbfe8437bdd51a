"""The send ledger: one row per (post edition, person), claimed before SMTP sees the message and
then marked sent, failed or bounced, so that no run ever sends anyone the same post twice; and the
lock that lets one send of a post run at a time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import SendError
from ..people.model import Channel, Event, EventKind, Person, SendStatus
from ..people.store import BOUNCED, Store, person_from


@dataclass(frozen=True)
class Recipient:
    """A subscriber who never bounced, with their send of the post (if any)."""

    person: Person
    status: SendStatus | None
    message_id: str | None


class Ledger:
    """The sends of one edition of each post (`edition`: the post's date in UTC; '' for the sends
    recorded before editions). Each method that writes is one transaction."""

    def __init__(self, store: Store, edition: str = "") -> None:
        self.store = store
        self.edition = edition

    def adopt_legacy(self, post: str) -> int:
        """Sends of `post` recorded before editions and claimed on or after this edition's date are
        this edition's; older ones were of an earlier post with the same slug. Returns how many."""
        if not self.edition:
            return 0
        with self.store.transaction() as db:
            return db.execute(
                "UPDATE OR IGNORE sends SET edition = ? WHERE post = ? AND edition = '' AND claimed_at >= ?",
                (self.edition, post, self.edition)).rowcount

    def recipients(self, post: str) -> list[Recipient]:
        """Everyone subscribed whose address is not bounced, with the status and Message-ID of
        their send of this edition of `post`."""
        rows = self.store.db.execute(
            f"""SELECT p.*, s.status, s.message_id FROM people p
               LEFT JOIN sends s ON s.person_id = p.id AND s.post = ? AND s.edition = ?
               WHERE p.subscribed = 1 AND NOT {BOUNCED}
               ORDER BY p.id""", (post, self.edition))
        return [Recipient(person_from(row), SendStatus(row["status"]) if row["status"] else None, row["message_id"])
                for row in rows]

    def count_bounced_subscribers(self) -> int:
        """Subscribers never mailed again because their address bounced."""
        return int(self.store.db.execute(
            f"SELECT COUNT(*) FROM people p WHERE p.subscribed = 1 AND {BOUNCED}").fetchone()[0])

    def claim(self, post: str, person_id: int, message_id: str, at: str) -> bool:
        """Claim (post, person) before handing it to SMTP. False when it was claimed before or the
        person is no longer subscribed. A failed send is claimed again, under the new Message-ID."""
        with self.store.transaction() as db:
            if db.execute("SELECT subscribed FROM people WHERE id = ?", (person_id,)).fetchone()[0] != 1:
                return False
            cursor = db.execute(
                "INSERT OR IGNORE INTO sends (post, edition, person_id, message_id, status, claimed_at, attempts) "
                "VALUES (?, ?, ?, ?, ?, ?, 1)",
                (post, self.edition, person_id, message_id, SendStatus.CLAIMED.value, at))
            if cursor.rowcount == 1:
                return True
            # A failed send never reached the server, so it goes out again under the new Message-ID.
            cursor = db.execute(
                "UPDATE sends SET status = ?, message_id = ?, claimed_at = ?, attempts = attempts + 1 "
                "WHERE post = ? AND edition = ? AND person_id = ? AND status = ?",
                (SendStatus.CLAIMED.value, message_id, at, post, self.edition, person_id, SendStatus.FAILED.value))
            return cursor.rowcount == 1

    def reclaim_uncertain(self, post: str, person_id: int, at: str) -> None:
        """Count another attempt at a send a crash left unconfirmed."""
        with self.store.transaction() as db:
            db.execute("UPDATE sends SET claimed_at = ?, attempts = attempts + 1 "
                       "WHERE post = ? AND edition = ? AND person_id = ? AND status = ?",
                       (at, post, self.edition, person_id, SendStatus.CLAIMED.value))

    def mark_sent(self, post: str, person_id: int, at: str) -> None:
        """The server accepted the message: the send is done and a 'sent' event recorded."""
        self._finish(post, person_id, SendStatus.SENT, at, "")

    def mark_bounced(self, post: str, person_id: int, at: str, reply: str) -> None:
        """The server refused the message for good (5xx): a 'bounced' event."""
        self._finish(post, person_id, SendStatus.BOUNCED, at, reply)

    def mark_failed(self, post: str, person_id: int, reply: str) -> None:
        """Not delivered, for now (4xx after every retry, a refusal of the run, a message that could
        not be composed): the claim is released and a later run tries again."""
        with self.store.transaction() as db:
            db.execute("UPDATE sends SET status = ?, error = ? WHERE post = ? AND edition = ? AND person_id = ?",
                       (SendStatus.FAILED.value, reply, post, self.edition, person_id))

    def _finish(self, post: str, person_id: int, status: SendStatus, at: str, reply: str) -> None:
        with self.store.transaction() as db:
            row = db.execute("SELECT message_id FROM sends WHERE post = ? AND edition = ? AND person_id = ?",
                             (post, self.edition, person_id)).fetchone()
            # sent_at stays empty for a refusal, so only delivered sends count as sent.
            db.execute("UPDATE sends SET status = ?, sent_at = ?, error = ? "
                       "WHERE post = ? AND edition = ? AND person_id = ?",
                       (status.value, at if status is SendStatus.SENT else None, reply, post, self.edition, person_id))
            kind = EventKind.SENT if status is SendStatus.SENT else EventKind.BOUNCED
            self.store.insert_events(db, person_id, [Event(kind, at, post=post, channel=Channel.EMAIL, source="send",
                                                           external_id=row["message_id"], note=reply[:200])])


def _process_start(pid: int) -> str:
    """When process `pid` started (Linux: clock ticks since boot), so a reused pid is not taken
    for the owner of a lock; '' where the system does not say."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _alive(pid: int, process_start: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not process_start or _process_start(pid) in ("", process_start)


class SendLock:
    """One send of a post at a time: a row in send_locks with the owner's process id and start,
    taken over only when that process is gone. Use as a context manager."""

    def __init__(self, store: Store, post: str, at: str) -> None:
        self.store = store
        self.post = post
        self.at = at
        self.pid = os.getpid()

    def __enter__(self) -> SendLock:
        with self.store.transaction() as db:
            row = db.execute("SELECT pid, process_start, started FROM send_locks WHERE post = ?",
                             (self.post,)).fetchone()
            if row is not None and row["pid"] != self.pid and _alive(row["pid"], row["process_start"]):
                raise SendError(f"another touchgen send of '{self.post}' is running (process {row['pid']}, "
                                f"started {row['started']}); wait for it to finish, then run this again")
            db.execute("INSERT OR REPLACE INTO send_locks (post, pid, process_start, started) VALUES (?, ?, ?, ?)",
                       (self.post, self.pid, _process_start(self.pid), self.at))
        return self

    def __exit__(self, *exc: object) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM send_locks WHERE post = ? AND pid = ?", (self.post, self.pid))
