"""data/touchgen.db: the private record of people. Every SQL statement of touchgen lives here."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import TouchgenError

DB_PATH = Path("data/touchgen.db")
SCHEMA_VERSION = 1
EVENT_KINDS = ("subscribed", "unsubscribed", "sent", "replied", "booked_call", "call_held",
               "call_cancelled", "touch", "bounced")
SEND_STATUSES = ("claimed", "sent", "failed", "bounced")
ROLES = ("key", "delivery", "support")

MIGRATIONS: dict[int, str] = {
    1: f"""
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        subscribed INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0, 1)),
        source TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        introduced_by INTEGER REFERENCES people(id)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id),
        kind TEXT NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in EVENT_KINDS)})),
        at TEXT NOT NULL,
        post TEXT,
        channel TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        external_id TEXT,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX events_once ON events (person_id, kind, external_id) WHERE external_id IS NOT NULL;
    CREATE INDEX events_by_kind ON events (kind, person_id, at, external_id);
    CREATE INDEX events_by_person ON events (person_id, at);
    CREATE INDEX events_by_post ON events (kind, post, at);
    CREATE TABLE sends (
        id INTEGER PRIMARY KEY,
        post TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES people(id),
        message_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in SEND_STATUSES)})),
        claimed_at TEXT NOT NULL,
        sent_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT '',
        UNIQUE (post, person_id)
    );
    CREATE INDEX sends_by_post ON sends (post, status, sent_at, claimed_at);
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        tier TEXT NOT NULL DEFAULT '',
        health TEXT NOT NULL DEFAULT 'healthy' CHECK (health IN ('healthy', 'fix', 'walk-away')),
        created TEXT NOT NULL
    );
    CREATE TABLE account_people (
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        role TEXT NOT NULL CHECK (role IN ({", ".join(f"'{r}'" for r in ROLES)})),
        PRIMARY KEY (account_id, person_id)
    );
    """,
}


# A condition on events `e`: not a call that a later 'call_cancelled' event (same person, same
# external id) took back. The row-value NOT IN is evaluated once, not once per row.
NOT_CANCELLED = """(e.external_id IS NULL OR e.kind NOT IN ('booked_call', 'call_held')
    OR (e.person_id, e.external_id) NOT IN (SELECT person_id, external_id FROM events WHERE kind = 'call_cancelled'))"""


class StoreError(TouchgenError):
    """The store cannot be opened or used as asked."""


class UnknownPerson(StoreError):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"no person with the address {email} (add them with: touchgen readers add {email})")


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    subscribed: bool
    source: str
    created: str
    introduced_by: int | None = None


@dataclass(frozen=True)
class Event:
    person_id: int
    kind: str
    at: str
    post: str | None = None
    channel: str = ""
    source: str = ""
    external_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Send:
    post: str
    person_id: int
    message_id: str
    status: str
    claimed_at: str
    sent_at: str | None


def utc_iso(moment: dt.datetime) -> str:
    """The one text form of a moment in the store: UTC, seconds, 'Z'."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _person(row: sqlite3.Row) -> Person:
    return Person(row["id"], row["email"], row["name"], bool(row["subscribed"]), row["source"],
                  row["created"], row["introduced_by"])


def _event(row: sqlite3.Row) -> Event:
    return Event(row["person_id"], row["kind"], row["at"], row["post"], row["channel"], row["source"],
                 row["external_id"], row["note"])


class Store:
    """One SQLite file in WAL mode; each public method that writes is one transaction."""

    def __init__(self, path: Path, shown: str | None = None) -> None:
        self.path = path
        self.shown = shown or str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self.db.close()
                raise StoreError(
                    f"{self.shown}: was written by a newer touchgen (schema version {version}; this touchgen "
                    f"knows up to {SCHEMA_VERSION}). Upgrade touchgen: nothing was changed")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(version)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.shown}: cannot be opened as a touchgen store ({exc}); "
                             "restore it from a backup or move it away") from None
        except OSError as exc:
            raise StoreError(f"{self.shown}: cannot be created ({exc.strerror}); check the folder's permissions") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, version: int) -> None:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                current = self.db.execute("PRAGMA user_version").fetchone()[0]
                if current >= target:  # another process migrated meanwhile
                    continue
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: writers queue on the lock instead of failing midway."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # People

    def person(self, email: str) -> Person | None:
        row = self.db.execute("SELECT * FROM people WHERE email = ?", (email.strip(),)).fetchone()
        return _person(row) if row else None

    def person_by_id(self, person_id: int) -> Person:
        return _person(self.db.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone())

    def require(self, email: str) -> Person:
        found = self.person(email)
        if found is None:
            raise UnknownPerson(email)
        return found

    def people(self) -> list[Person]:
        return [_person(row) for row in self.db.execute("SELECT * FROM people ORDER BY email")]

    def people_by_email(self) -> dict[str, Person]:
        """Everyone, keyed by lower-cased address."""
        return {p.email.lower(): p for p in (_person(r) for r in self.db.execute("SELECT * FROM people"))}

    def _insert_person(self, db: sqlite3.Connection, email: str, name: str, subscribed: bool, source: str,
                       created: str, introduced_by: int | None = None) -> int:
        cursor = db.execute(
            "INSERT INTO people (email, name, subscribed, source, created, introduced_by) VALUES (?, ?, ?, ?, ?, ?)",
            (email, name, int(subscribed), source, created, introduced_by))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _insert_events(self, db: sqlite3.Connection, events: Iterable[Event]) -> int:
        """Append events; one whose external id is already recorded for that person is skipped."""
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO events (person_id, kind, at, post, channel, source, external_id, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((e.person_id, e.kind, e.at, e.post, e.channel, e.source, e.external_id, e.note) for e in events))
        return db.total_changes - before

    def add_person(self, email: str, name: str, subscribed: bool, source: str, at: str,
                   introduced_by: int | None = None) -> Person:
        """Insert a new person (with a 'subscribed' event when on the list)."""
        with self.transaction() as db:
            person_id = self._insert_person(db, email, name, subscribed, source, at, introduced_by)
            if subscribed:
                self._insert_events(db, [Event(person_id, "subscribed", at, source=source)])
        return self.person_by_id(person_id)

    def unsubscribe(self, person: Person, at: str, source: str) -> bool:
        """Take a person off the list; False when they were already off it."""
        with self.transaction() as db:
            changed = db.execute("UPDATE people SET subscribed = 0 WHERE id = ? AND subscribed = 1",
                                 (person.id,)).rowcount
            if changed:
                self._insert_events(db, [Event(person.id, "unsubscribed", at, source=source)])
        return bool(changed)

    def import_people(self, new: list[tuple[Person, list[Event]]], updates: list[tuple[Person, list[Event]]]) -> None:
        """One transaction: insert `new` people with their events, rewrite `updates` and append theirs."""
        with self.transaction() as db:
            # Inside BEGIN IMMEDIATE nobody else writes, so the new ids can be given out here.
            first_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM people").fetchone()[0]
            db.executemany(
                "INSERT INTO people (id, email, name, subscribed, source, created) VALUES (?, ?, ?, ?, ?, ?)",
                ((first_id + n, p.email, p.name, int(p.subscribed), p.source, p.created)
                 for n, (p, _) in enumerate(new)))
            db.executemany("UPDATE people SET name = ?, subscribed = ? WHERE id = ?",
                           ((p.name, int(p.subscribed), p.id) for p, _ in updates))
            rows = [(first_id + n, e.kind, e.at, e.post, e.channel, e.source, e.external_id, e.note)
                    for n, (_, events) in enumerate(new) for e in events]
            rows += [(e.person_id, e.kind, e.at, e.post, e.channel, e.source, e.external_id, e.note)
                     for _, events in updates for e in events]
            db.executemany(
                "INSERT OR IGNORE INTO events (person_id, kind, at, post, channel, source, external_id, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def record(self, events: Iterable[tuple[str, Event]], new_people: Iterable[Person] = (),
               bounced_message_ids: Iterable[str] = ()) -> Counter[str]:
        """One transaction: add the people in `new_people` not known yet, append each event to the
        person whose address it is paired with, take anyone with a new 'unsubscribed' event off the
        list, and mark the given sends bounced. Returns the number of new events of each kind."""
        added: Counter[str] = Counter()
        with self.transaction() as db:
            for person in new_people:
                if db.execute("SELECT 1 FROM people WHERE email = ?", (person.email,)).fetchone() is None:
                    self._insert_person(db, person.email, person.name, person.subscribed, person.source,
                                        person.created, person.introduced_by)
            ids: dict[str, int] = {}
            for email, event in events:
                key = email.lower()
                if key not in ids:
                    row = db.execute("SELECT id FROM people WHERE email = ?", (email,)).fetchone()
                    if row is None:
                        raise UnknownPerson(email)
                    ids[key] = row["id"]
                if self._insert_events(db, [replace(event, person_id=ids[key])]):
                    added[event.kind] += 1
                    if event.kind == "unsubscribed":
                        db.execute("UPDATE people SET subscribed = 0 WHERE id = ?", (ids[key],))
            db.executemany("UPDATE sends SET status = 'bounced' WHERE message_id = ?",
                           ((message_id,) for message_id in bounced_message_ids))
        return added

    # Events

    def events_of(self, person_id: int) -> list[Event]:
        rows = self.db.execute("SELECT * FROM events WHERE person_id = ? ORDER BY at, id", (person_id,))
        return [_event(row) for row in rows]

    def contact_summary(self, kinds: tuple[str, ...], since: str | None = None) -> list[sqlite3.Row]:
        """Per person (joined on or after `since`) with two-way contact: distinct days, whole days from
        first to last contact, and days from subscribing (else joining) to the first contact.
        Calls that were later cancelled are left out."""
        marks = ",".join("?" * len(kinds))
        return self.db.execute(
            f"""SELECT c.person_id, c.days, c.span,
                       julianday(c.first) - julianday(COALESCE(
                           (SELECT MIN(s.at) FROM events s WHERE s.kind = 'subscribed' AND s.person_id = c.person_id),
                           p.created)) AS wait
                FROM (SELECT person_id, COUNT(DISTINCT substr(at, 1, 10)) AS days,
                             CAST(julianday(MAX(at)) - julianday(MIN(at)) AS INTEGER) AS span,
                             MIN(at) AS first
                      FROM events e
                      WHERE kind IN ({marks}) AND {NOT_CANCELLED}
                      GROUP BY person_id) AS c
                JOIN people p ON p.id = c.person_id
                WHERE p.created >= ?""", (*kinds, since or "")).fetchall()

    def count_people(self, since: str | None = None) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM people WHERE created >= ?", (since or "",)).fetchone()[0])

    def count_people_with(self, kind: str, since: str | None = None) -> int:
        """People (joined on or after `since`) with an event of `kind`; for calls, one not cancelled."""
        return int(self.db.execute(
            f"""SELECT COUNT(*) FROM people p WHERE p.created >= ? AND p.id IN
                (SELECT e.person_id FROM events e WHERE e.kind = ? AND {NOT_CANCELLED})""",
            (since or "", kind)).fetchone()[0])

    def events_per_post(self, kind: str, since: str | None = None) -> dict[str, int]:
        rows = self.db.execute(
            """SELECT post, COUNT(*) FROM events WHERE kind = ? AND post IS NOT NULL AND at >= ?
               GROUP BY post""", (kind, since or ""))
        return {row[0]: row[1] for row in rows}

    def last_sent_before(self, person_id: int, at: str) -> str | None:
        row = self.db.execute(
            "SELECT post FROM events WHERE person_id = ? AND kind = 'sent' AND at <= ? ORDER BY at DESC LIMIT 1",
            (person_id, at)).fetchone()
        return row[0] if row else None

    def has_event(self, person_id: int, kind: str, external_id: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM events WHERE person_id = ? AND kind = ? AND external_id = ?",
            (person_id, kind, external_id)).fetchone() is not None

    # Sends

    def send_by_message_ids(self, message_ids: Iterable[str]) -> Send | None:
        """The first of `message_ids` (in the order given) that is a newsletter we sent."""
        for message_id in message_ids:
            row = self.db.execute("SELECT * FROM sends WHERE message_id = ?", (message_id,)).fetchone()
            if row:
                return Send(row["post"], row["person_id"], row["message_id"], row["status"], row["claimed_at"],
                            row["sent_at"])
        return None

    def sends_per_post(self, since: str | None = None) -> dict[str, tuple[int, str]]:
        """Per post: newsletters delivered (sent, or sent and later bounced) since `since`, and the
        moment of its first claim (for ordering posts newest first)."""
        first = dict(self.db.execute("SELECT post, MIN(claimed_at) FROM sends GROUP BY post").fetchall())
        delivered = dict(self.db.execute(
            "SELECT post, COUNT(*) FROM sends WHERE status IN ('sent', 'bounced') AND sent_at >= ? GROUP BY post",
            (since or "",)).fetchall())
        return {post: (delivered.get(post, 0), claimed) for post, claimed in first.items()}

    def recipients(self, post: str) -> list[tuple[Person, str | None, str | None]]:
        """Everyone subscribed who never bounced, with the status and Message-ID of their send of `post`."""
        rows = self.db.execute(
            """SELECT p.*, s.status, s.message_id FROM people p
               LEFT JOIN sends s ON s.person_id = p.id AND s.post = ?
               WHERE p.subscribed = 1
                 AND NOT EXISTS (SELECT 1 FROM events b WHERE b.kind = 'bounced' AND b.person_id = p.id)
               ORDER BY p.id""", (post,))
        return [(_person(row), row["status"], row["message_id"]) for row in rows]

    def count_bounced_subscribers(self) -> int:
        return int(self.db.execute(
            """SELECT COUNT(*) FROM people p WHERE p.subscribed = 1 AND EXISTS
               (SELECT 1 FROM events b WHERE b.kind = 'bounced' AND b.person_id = p.id)""").fetchone()[0])

    def claim_send(self, post: str, person_id: int, message_id: str, at: str) -> bool:
        """Claim (post, person) before handing it to SMTP, in its own transaction. False when it was
        claimed before or the person is no longer subscribed. A failed send is claimed again."""
        with self.transaction() as db:
            if db.execute("SELECT subscribed FROM people WHERE id = ?", (person_id,)).fetchone()[0] != 1:
                return False
            cursor = db.execute(
                "INSERT OR IGNORE INTO sends (post, person_id, message_id, status, claimed_at, attempts) "
                "VALUES (?, ?, ?, 'claimed', ?, 1)", (post, person_id, message_id, at))
            if cursor.rowcount == 1:
                return True
            # A failed send never reached the server, so it goes out again under the new Message-ID.
            cursor = db.execute(
                "UPDATE sends SET status = 'claimed', message_id = ?, claimed_at = ?, attempts = attempts + 1 "
                "WHERE post = ? AND person_id = ? AND status = 'failed'", (message_id, at, post, person_id))
            return cursor.rowcount == 1

    def reclaim_uncertain(self, post: str, person_id: int, at: str) -> None:
        """Count another attempt at a send a crash left unconfirmed."""
        with self.transaction() as db:
            db.execute("UPDATE sends SET claimed_at = ?, attempts = attempts + 1 "
                       "WHERE post = ? AND person_id = ? AND status = 'claimed'", (at, post, person_id))

    def mark_sent(self, post: str, person_id: int, at: str) -> None:
        """The server accepted the message: the send is done and a 'sent' event recorded."""
        self._finish_send(post, person_id, "sent", at, "")

    def mark_send_bounced(self, post: str, person_id: int, at: str, reply: str) -> None:
        """The server refused the message for good (5xx): a 'bounced' event."""
        self._finish_send(post, person_id, "bounced", at, reply)

    def mark_send_failed(self, post: str, person_id: int, reply: str) -> None:
        """Not delivered, for now (4xx after every retry): a later run tries again."""
        with self.transaction() as db:
            db.execute("UPDATE sends SET status = 'failed', error = ? WHERE post = ? AND person_id = ?",
                       (reply, post, person_id))

    def _finish_send(self, post: str, person_id: int, status: str, at: str, reply: str) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT message_id FROM sends WHERE post = ? AND person_id = ?",
                             (post, person_id)).fetchone()
            # sent_at stays empty for a refusal, so only delivered sends count as sent.
            db.execute("UPDATE sends SET status = ?, sent_at = ?, error = ? WHERE post = ? AND person_id = ?",
                       (status, at if status == "sent" else None, reply, post, person_id))
            kind = "sent" if status == "sent" else "bounced"
            self._insert_events(db, [Event(person_id, kind, at, post=post, channel="email", source="send",
                                           external_id=row["message_id"], note=reply[:200])])


def open_store(root: Path) -> Store:
    """The store of the site at `root`; messages name it as data/touchgen.db."""
    return Store(root / DB_PATH, DB_PATH.as_posix())
