"""data/touchgen.db: the one connection (pragmas, transactions, migrations) and the SQL of people and
their events. The send ledger's SQL is in touchgen.mail.ledger, the funnel's in touchgen.people.funnel."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..errors import TouchgenError
from ..paths import STORE
from ..text import normalize_email
from .faults import not_writable, sqlite_fault
from .model import Contact, Event, EventKind, NewPerson, Person, Send, SendStatus, TWO_WAY

MIGRATIONS = Path(__file__).parent / "migrations"

# A condition on events `e`: not a call that a later 'call_cancelled' event (same person, same
# external id) took back. The row-value NOT IN is evaluated once, not once per row.
NOT_CANCELLED = """(e.external_id IS NULL OR e.kind NOT IN ('booked_call', 'call_held')
    OR (e.person_id, e.external_id) NOT IN (SELECT person_id, external_id FROM events WHERE kind = 'call_cancelled'))"""
# Someone whose last bounce is later than their last unbounce: never mailed again.
BOUNCED = """EXISTS (SELECT 1 FROM events b WHERE b.kind = 'bounced' AND b.person_id = p.id
    AND b.at > COALESCE((SELECT MAX(u.at) FROM events u WHERE u.kind = 'unbounced' AND u.person_id = p.id), ''))"""
INSERT_EVENT = ("INSERT OR IGNORE INTO events (person_id, kind, at, post, channel, source, external_id, note, "
                "until, tests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class StoreError(TouchgenError):
    """The store cannot be opened or used as asked."""


class UnknownPerson(StoreError):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"no person with the address {email} (add them with: touchgen readers add {email})")


def address_hash(email: str) -> str:
    """The one-way hash an erased person leaves behind, so no import brings them back."""
    return hashlib.sha256(normalize_email(email).lower().encode("utf-8")).hexdigest()


class PersonExists(StoreError):
    def __init__(self, person: Person) -> None:
        self.person = person
        state = "subscribed" if person.subscribed else "unsubscribed"
        super().__init__(f"{person.email} is already in the store ({state}); nothing was changed")


def migrations() -> list[tuple[int, list[str]]]:
    """(version, its statements) of every migrations/NNNN_*.sql, in order. Statements are told
    apart by SQLite itself (sqlite3.complete_statement), so a ';' inside a string is safe."""
    found = []
    for path in sorted(MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        statements: list[str] = []
        pending = ""
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if not pending and (not line.strip() or line.lstrip().startswith("--")):
                continue
            pending += line
            if sqlite3.complete_statement(pending):
                statements.append(pending.strip())
                pending = ""
        found.append((int(path.name[:4]), statements))
    return found


MIGRATION_STEPS = migrations()
SCHEMA_VERSION = MIGRATION_STEPS[-1][0]


def chunked(values: set[str] | set[int], size: int = 900) -> Iterator[list[Any]]:
    """`values` in sorted lists small enough for one `IN (...)` of SQLite."""
    wanted: list[Any] = sorted(values)
    for start in range(0, len(wanted), size):
        yield wanted[start:start + size]


def person_from(row: sqlite3.Row) -> Person:
    return Person(row["id"], row["email"], row["name"], bool(row["subscribed"]), row["source"],
                  row["created"], row["introduced_by"])


def _event(row: sqlite3.Row) -> Event:
    return Event(EventKind(row["kind"]), row["at"], row["post"], row["channel"], row["source"],
                 row["external_id"], row["note"], row["until"], row["tests"])


def event_values(person_id: int, event: Event) -> tuple[object, ...]:
    return (person_id, event.kind.value, event.at, event.post, str(event.channel), event.source, event.external_id,
            event.note, event.until, event.tests)


class Store:
    """One SQLite file in WAL mode; each public method that writes is one transaction."""

    def __init__(self, path: Path, shown: str | None = None) -> None:
        self.path = path
        self.shown = shown or str(path)
        blocked = not_writable(path, self.shown)
        if blocked:  # refused before SQLite opens it read-only and leaves a read-only -shm file behind
            raise StoreError(blocked)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")  # an erased person's rows are overwritten, not left in free pages
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self.db.close()
                raise StoreError(
                    f"{self.shown}: was written by a newer touchgen (schema version {version}; this touchgen "
                    f"knows up to {SCHEMA_VERSION}). Upgrade touchgen: nothing was changed")
            tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and not {"people", "events", "sends"} <= tables:
                self.db.close()
                raise StoreError(f"{self.shown}: is an SQLite database of another program (schema version {version}, "
                                 "no people table); move it away, or pass --site for the right site")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(version)
        except sqlite3.DatabaseError as exc:
            with suppress(AttributeError, sqlite3.Error):
                self.db.close()
            raise self.fault(exc) or StoreError(f"{self.shown}: cannot be opened as a touchgen store ({exc}); "
                                                "restore it from a backup or move it away") from None
        except OSError as exc:
            raise StoreError(f"{self.shown}: cannot be created ({exc.strerror}); check the folder's permissions") from None

    def fault(self, exc: sqlite3.Error) -> StoreError | None:
        """What SQLite's error means for the store and what to do; None for a fault in touchgen itself."""
        said = sqlite_fault(self.path, self.shown, exc)
        return StoreError(said) if said else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, trace: object) -> None:
        """Close the store; an SQLite fault inside the block is raised as what it means for the user."""
        self.close()
        fault = self.fault(exc) if isinstance(exc, sqlite3.Error) else None
        if fault:
            raise fault from None

    def _migrate(self, version: int) -> None:
        for target, statements in MIGRATION_STEPS:
            if target <= version:
                continue
            with self.transaction() as db:
                if db.execute("PRAGMA user_version").fetchone()[0] >= target:  # another process migrated
                    continue
                for statement in statements:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: writers queue on the lock instead of failing midway. Inside an
        open transaction it joins that one, so a caller can read and write in one transaction."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:  # SQLite rolls back by itself after some faults, such as a full disk
                with suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            raise

    # People

    def person(self, email: str) -> Person | None:
        row = self.db.execute("SELECT * FROM people WHERE email = ?", (normalize_email(email),)).fetchone()
        return person_from(row) if row else None

    def person_by_id(self, person_id: int) -> Person:
        return person_from(self.db.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone())

    def require(self, email: str) -> Person:
        found = self.person(email)
        if found is None:
            raise UnknownPerson(email)
        return found

    def people(self) -> list[Person]:
        return [person_from(row) for row in self.db.execute("SELECT * FROM people ORDER BY email")]

    def _people_where_in(self, column: str, values: set[str] | set[int]) -> list[sqlite3.Row]:
        """People rows whose `column` is one of `values`."""
        found: list[sqlite3.Row] = []
        for chunk in chunked(values):
            found += self.db.execute(f"SELECT * FROM people WHERE {column} IN ({','.join('?' * len(chunk))})", chunk)
        return found

    def people_rows(self, emails: set[str]) -> list[sqlite3.Row]:
        """The people rows of these addresses (compared case-insensitively)."""
        return self._people_where_in("email", {normalize_email(email) for email in emails})

    def people_by_ids(self, ids: set[int]) -> list[sqlite3.Row]:
        return self._people_where_in("id", ids)

    def people_by_email(self) -> dict[str, Person]:
        """Everyone, keyed by lower-cased address."""
        return {p.email.lower(): p for p in (person_from(r) for r in self.db.execute("SELECT * FROM people"))}

    @staticmethod
    def insert_person(db: sqlite3.Connection, person: NewPerson) -> int:
        cursor = db.execute(
            "INSERT INTO people (email, name, subscribed, source, created, introduced_by) VALUES (?, ?, ?, ?, ?, ?)",
            (normalize_email(person.email), person.name, int(person.subscribed), person.source, person.created, person.introduced_by))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @staticmethod
    def insert_events(db: sqlite3.Connection, person_id: int, events: Iterable[Event]) -> int:
        """Append events; one whose external id is already recorded for that person is skipped."""
        before = db.total_changes
        db.executemany(INSERT_EVENT, (event_values(person_id, e) for e in events))
        return db.total_changes - before

    def add_person(self, person: NewPerson) -> Person:
        """Insert a new person (with a 'subscribed' event when on the list); PersonExists when the
        address is known, checked inside the same transaction."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM people WHERE email = ?", (normalize_email(person.email),)).fetchone()
            if row is not None:
                raise PersonExists(person_from(row))
            person_id = self.insert_person(db, person)
            if person.subscribed:
                self.insert_events(db, person_id, [Event(EventKind.SUBSCRIBED, person.created, source=person.source)])
        return self.person_by_id(person_id)

    def unsubscribe(self, person: Person, at: str, source: str) -> bool:
        """Take a person off the list; False when they were already off it."""
        with self.transaction() as db:
            changed = db.execute("UPDATE people SET subscribed = 0 WHERE id = ? AND subscribed = 1",
                                 (person.id,)).rowcount
            if changed:
                self.insert_events(db, person.id, [Event(EventKind.UNSUBSCRIBED, at, source=source)])
        return bool(changed)

    def rename(self, person: Person, name: str) -> Person:
        with self.transaction() as db:
            db.execute("UPDATE people SET name = ? WHERE id = ?", (name, person.id))
        return self.person_by_id(person.id)

    def resubscribe(self, person: Person, at: str, source: str) -> bool:
        """Put someone who asked to come back on the list again; False when they were on it."""
        with self.transaction() as db:
            changed = db.execute("UPDATE people SET subscribed = 1 WHERE id = ? AND subscribed = 0",
                                 (person.id,)).rowcount
            if changed:
                self.insert_events(db, person.id, [Event(EventKind.SUBSCRIBED, at, source=source)])
        return bool(changed)

    def ids_with(self, kind: EventKind) -> set[int]:
        """Everyone with an event of `kind`."""
        return {row[0] for row in self.db.execute("SELECT DISTINCT person_id FROM events WHERE kind = ?",
                                                  (kind.value,))}

    def bounced_ids(self) -> set[int]:
        """Everyone whose address is bounced (and not taken back)."""
        return {row[0] for row in self.db.execute(f"SELECT p.id FROM people p WHERE {BOUNCED}")}

    def unbounce(self, person: Person, at: str, source: str) -> bool:
        """Take a wrong bounce back: the person is mailed again, and a send the server refused
        (never delivered) is released so the next run of that post sends it. False when not bounced."""
        with self.transaction() as db:
            if db.execute(f"SELECT 1 FROM people p WHERE p.id = ? AND {BOUNCED}", (person.id,)).fetchone() is None:
                return False
            self.insert_events(db, person.id, [Event(EventKind.UNBOUNCED, at, source=source)])
            db.execute("UPDATE sends SET status = ? WHERE person_id = ? AND status = ? AND sent_at IS NULL",
                       (SendStatus.FAILED.value, person.id, SendStatus.BOUNCED.value))
        return True

    def erase(self, person: Person, at: str) -> None:
        """Forget a person (a privacy request): their events, sends and name go in one transaction;
        only a one-way hash of the address stays, so an old export cannot bring them back."""
        with self.transaction() as db:
            db.execute("UPDATE people SET introduced_by = NULL WHERE introduced_by = ?", (person.id,))
            db.execute("DELETE FROM events WHERE person_id = ?", (person.id,))
            db.execute("DELETE FROM sends WHERE person_id = ?", (person.id,))
            db.execute("DELETE FROM people WHERE id = ?", (person.id,))
            db.execute("INSERT OR REPLACE INTO erased (address_hash, at) VALUES (?, ?)", (address_hash(person.email), at))
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and not left in the write-ahead log either

    def erased(self, email: str) -> bool:
        return self.db.execute("SELECT 1 FROM erased WHERE address_hash = ?",
                               (address_hash(email),)).fetchone() is not None

    def forget_erasure(self, email: str) -> None:
        """The author adds an erased address again on purpose: it may be imported from now on."""
        with self.transaction() as db:
            db.execute("DELETE FROM erased WHERE address_hash = ?", (address_hash(email),))

    def import_people(self, new: list[tuple[NewPerson, list[Event]]], updates: list[tuple[Person, list[Event]]]) -> None:
        """One transaction: insert `new` people with their events, rewrite `updates` and append theirs."""
        with self.transaction() as db:
            # Inside BEGIN IMMEDIATE nobody else writes, so the new ids can be given out here.
            first_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM people").fetchone()[0]
            db.executemany(
                "INSERT INTO people (id, email, name, subscribed, source, created) VALUES (?, ?, ?, ?, ?, ?)",
                ((first_id + n, normalize_email(p.email), p.name, int(p.subscribed), p.source, p.created)
                 for n, (p, _) in enumerate(new)))
            # An import puts on the list only someone who never left it, whatever it read before.
            db.executemany(
                """UPDATE people SET name = ?, subscribed = CASE WHEN ? = 0 THEN 0 WHEN subscribed = 1 THEN 1
                       WHEN EXISTS (SELECT 1 FROM events e WHERE e.person_id = people.id AND e.kind = 'unsubscribed')
                       THEN 0 ELSE 1 END
                   WHERE id = ?""", ((p.name, int(p.subscribed), p.id) for p, _ in updates))
            rows = [event_values(first_id + n, e) for n, (_, events) in enumerate(new) for e in events]
            rows += [event_values(p.id, e) for p, events in updates for e in events]
            db.executemany(INSERT_EVENT, rows)

    def record(self, events: Iterable[tuple[str, Event]], new_people: Iterable[NewPerson] = (),
               bounced_message_ids: Iterable[str] = ()) -> Counter[EventKind]:
        """One transaction: add the people in `new_people` not known yet, append each event to the
        person whose address it is paired with, take anyone with a new 'unsubscribed' event off the
        list, and mark the given sends bounced. Returns the number of new events of each kind."""
        added: Counter[EventKind] = Counter()
        with self.transaction() as db:
            erased: set[str] = set()
            for person in new_people:
                if db.execute("SELECT 1 FROM people WHERE email = ?",
                              (normalize_email(person.email),)).fetchone() is not None:
                    continue
                if self.erased(person.email):  # erased at their request: not brought back by an import
                    erased.add(normalize_email(person.email).lower())
                    continue
                self.insert_person(db, person)
            ids: dict[str, int] = {}
            for email, event in events:
                email = normalize_email(email)
                key = email.lower()
                if key in erased:
                    continue
                if key not in ids:
                    row = db.execute("SELECT id FROM people WHERE email = ?", (email,)).fetchone()
                    if row is None:
                        raise UnknownPerson(email)
                    ids[key] = row["id"]
                if self.insert_events(db, ids[key], [event]):
                    added[event.kind] += 1
                    if event.kind is EventKind.UNSUBSCRIBED:
                        db.execute("UPDATE people SET subscribed = 0 WHERE id = ?", (ids[key],))
                    elif event.kind is EventKind.SUBSCRIBED:  # someone asked, from their own address
                        db.execute("UPDATE people SET subscribed = 1 WHERE id = ?", (ids[key],))
            db.executemany("UPDATE sends SET status = ? WHERE message_id = ?",
                           ((SendStatus.BOUNCED.value, message_id) for message_id in bounced_message_ids))
        return added

    # Events

    def events_of(self, person_id: int) -> list[Event]:
        rows = self.db.execute("SELECT * FROM events WHERE person_id = ? ORDER BY at, id", (person_id,))
        return [_event(row) for row in rows]

    def contacts(self, since: str | None = None) -> list[Contact]:
        """Everyone (joined on or after `since`) with two-way contact, in sum (see Contact).
        Calls that were later cancelled are left out."""
        marks = ",".join("?" * len(TWO_WAY))
        rows = self.db.execute(
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
                WHERE p.created >= ?""", (*(kind.value for kind in TWO_WAY), since or ""))
        return [Contact(row["person_id"], row["days"], row["span"], row["wait"]) for row in rows]

    def last_sent_before(self, person_id: int, at: str) -> str | None:
        """The post last sent to the person at or before `at`: what a reply or a booking answers."""
        row = self.db.execute(
            "SELECT post FROM events WHERE person_id = ? AND kind = 'sent' AND at <= ? ORDER BY at DESC LIMIT 1",
            (person_id, at)).fetchone()
        return row[0] if row else None

    def has_event(self, person_id: int, kind: EventKind, external_id: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM events WHERE person_id = ? AND kind = ? AND external_id = ?",
            (person_id, kind.value, external_id)).fetchone() is not None

    def send_by_message_ids(self, message_ids: Iterable[str]) -> Send | None:
        """The first of `message_ids` (in the order given) that is a newsletter we sent."""
        for message_id in message_ids:
            row = self.db.execute("SELECT * FROM sends WHERE message_id = ?", (message_id,)).fetchone()
            if row:
                return Send(row["post"], row["edition"], row["person_id"], row["message_id"],
                            SendStatus(row["status"]), row["claimed_at"], row["sent_at"])
        return None


def open_store(root: Path) -> Store:
    """The store of the site at `root`; messages name it as data/touchgen.db."""
    return Store(root / STORE, STORE.as_posix())
