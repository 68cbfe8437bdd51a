"""The send ledger: one row per (post, person), claimed before SMTP sees the message and then marked
sent, failed or bounced, so that no run ever sends anyone the same post twice."""

from __future__ import annotations

from dataclasses import dataclass

from ..people.model import Channel, Event, EventKind, Person, SendStatus
from ..people.store import Store, person_from


@dataclass(frozen=True)
class Recipient:
    """A subscriber who never bounced, with their send of the post (if any)."""

    person: Person
    status: SendStatus | None
    message_id: str | None


class Ledger:
    """The sends table of a store; each method that writes is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def recipients(self, post: str) -> list[Recipient]:
        """Everyone subscribed who never bounced, with the status and Message-ID of their send of `post`."""
        rows = self.store.db.execute(
            """SELECT p.*, s.status, s.message_id FROM people p
               LEFT JOIN sends s ON s.person_id = p.id AND s.post = ?
               WHERE p.subscribed = 1
                 AND NOT EXISTS (SELECT 1 FROM events b WHERE b.kind = 'bounced' AND b.person_id = p.id)
               ORDER BY p.id""", (post,))
        return [Recipient(person_from(row), SendStatus(row["status"]) if row["status"] else None, row["message_id"])
                for row in rows]

    def count_bounced_subscribers(self) -> int:
        """Subscribers never mailed again because their address bounced."""
        return int(self.store.db.execute(
            """SELECT COUNT(*) FROM people p WHERE p.subscribed = 1 AND EXISTS
               (SELECT 1 FROM events b WHERE b.kind = 'bounced' AND b.person_id = p.id)""").fetchone()[0])

    def claim(self, post: str, person_id: int, message_id: str, at: str) -> bool:
        """Claim (post, person) before handing it to SMTP. False when it was claimed before or the
        person is no longer subscribed. A failed send is claimed again, under the new Message-ID."""
        with self.store.transaction() as db:
            if db.execute("SELECT subscribed FROM people WHERE id = ?", (person_id,)).fetchone()[0] != 1:
                return False
            cursor = db.execute(
                "INSERT OR IGNORE INTO sends (post, person_id, message_id, status, claimed_at, attempts) "
                "VALUES (?, ?, ?, ?, ?, 1)", (post, person_id, message_id, SendStatus.CLAIMED.value, at))
            if cursor.rowcount == 1:
                return True
            # A failed send never reached the server, so it goes out again under the new Message-ID.
            cursor = db.execute(
                "UPDATE sends SET status = ?, message_id = ?, claimed_at = ?, attempts = attempts + 1 "
                "WHERE post = ? AND person_id = ? AND status = ?",
                (SendStatus.CLAIMED.value, message_id, at, post, person_id, SendStatus.FAILED.value))
            return cursor.rowcount == 1

    def reclaim_uncertain(self, post: str, person_id: int, at: str) -> None:
        """Count another attempt at a send a crash left unconfirmed."""
        with self.store.transaction() as db:
            db.execute("UPDATE sends SET claimed_at = ?, attempts = attempts + 1 "
                       "WHERE post = ? AND person_id = ? AND status = ?",
                       (at, post, person_id, SendStatus.CLAIMED.value))

    def mark_sent(self, post: str, person_id: int, at: str) -> None:
        """The server accepted the message: the send is done and a 'sent' event recorded."""
        self._finish(post, person_id, SendStatus.SENT, at, "")

    def mark_bounced(self, post: str, person_id: int, at: str, reply: str) -> None:
        """The server refused the message for good (5xx): a 'bounced' event."""
        self._finish(post, person_id, SendStatus.BOUNCED, at, reply)

    def mark_failed(self, post: str, person_id: int, reply: str) -> None:
        """Not delivered, for now (4xx after every retry): a later run tries again."""
        with self.store.transaction() as db:
            db.execute("UPDATE sends SET status = ?, error = ? WHERE post = ? AND person_id = ?",
                       (SendStatus.FAILED.value, reply, post, person_id))

    def _finish(self, post: str, person_id: int, status: SendStatus, at: str, reply: str) -> None:
        with self.store.transaction() as db:
            row = db.execute("SELECT message_id FROM sends WHERE post = ? AND person_id = ?",
                             (post, person_id)).fetchone()
            # sent_at stays empty for a refusal, so only delivered sends count as sent.
            db.execute("UPDATE sends SET status = ?, sent_at = ?, error = ? WHERE post = ? AND person_id = ?",
                       (status.value, at if status is SendStatus.SENT else None, reply, post, person_id))
            kind = EventKind.SENT if status is SendStatus.SENT else EventKind.BOUNCED
            self.store.insert_events(db, person_id, [Event(kind, at, post=post, channel=Channel.EMAIL, source="send",
                                                           external_id=row["message_id"], note=reply[:200])])
