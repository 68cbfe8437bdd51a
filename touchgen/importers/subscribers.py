"""Subscriber CSV imports: plain, Substack, Mailchimp, Buttondown, Ghost and listmonk exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..clock import utc_iso
from ..errors import LocatedError, invalid_rows
from ..people.model import Event, EventKind, NewPerson, Person
from ..people.store import Store
from ..text import NAME_LIMIT, clean_name, normalize_email, valid_email
from .rows import FALSE_WORDS, TRUE_WORDS, csv_records, parse_moment, read_text, truthy

EXPORT_COLUMNS = ["email", "name", "subscribed", "created", "source"]


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    name: str
    subscribed: bool
    created: str | None
    unsubscribed: str | None
    source: str | None = None
    name_cleaned: bool = False  # the export's name had line breaks, control characters or was too long
    unreadable_created: str = ""  # a join date that could not be read (the import time is used)


def _name(row: dict[str, str], first: str, last: str = "") -> str:
    given = row.get(first, "").strip()
    family = row.get(last, "").strip() if last else ""
    return f"{given} {family}" if given and family else given or family


def _plain(row: dict[str, str]) -> tuple[str, bool, str | None, str | None]:
    name = undefuse(row.get("name", "").strip()) or _name(row, "first_name", "last_name")
    subscribed = truthy(row["subscribed"]) if row.get("subscribed", "").strip() else True
    return name, subscribed, row.get("created") or row.get("created_at"), None


def _substack(row: dict[str, str]) -> tuple[str, bool, str | None, str | None]:
    return _name(row, "name"), not truthy(row.get("email_disabled")), row.get("created_at"), None


def _mailchimp(row: dict[str, str]) -> tuple[str, bool, str | None, str | None]:
    gone = row.get("unsub_time", "").strip() or row.get("clean_time", "").strip()
    return (_name(row, "first name", "last name"), not gone,
            row.get("optin_time") or row.get("confirm_time"), gone or None)


def _buttondown(row: dict[str, str]) -> tuple[str, bool, str | None, str | None]:
    kind = row.get("subscriber_type", "").strip().lower()
    left = row.get("unsubscription_date", "").strip()
    subscribed = kind not in {"unsubscribed", "removed", "unactivated", "spammy"} and not left
    return "", subscribed, row.get("subscription_date") or row.get("creation_date"), left or None


def _ghost(row: dict[str, str]) -> tuple[str, bool, str | None, str | None]:
    return row.get("name", "").strip(), truthy(row.get("subscribed_to_emails")), row.get("created_at"), None


def _listmonk(row: dict[str, str]) -> tuple[str, bool, str | None, str | None]:
    subscribed = row.get("status", "").strip().lower() != "blocklisted"
    return row.get("name", "").strip(), subscribed, row.get("created_at"), row.get("updated_at") if not subscribed else None


Dialect = Callable[[dict[str, str]], tuple[str, bool, str | None, str | None]]
# (name, columns that identify it, email column, reader), most specific first.
DIALECTS: list[tuple[str, set[str], str, Dialect]] = [
    ("listmonk", {"uuid", "email", "status"}, "email", _listmonk),
    ("ghost", {"email", "subscribed_to_emails"}, "email", _ghost),
    ("buttondown", {"email", "subscriber_type"}, "email", _buttondown),
    ("substack", {"email", "email_disabled"}, "email", _substack),
    ("substack", {"email", "active_subscription"}, "email", _substack),
    ("mailchimp", {"email address"}, "email address", _mailchimp),
    ("plain", {"email"}, "email", _plain),
]


def parse_readers(path: Path) -> tuple[str, list[Row], list[LocatedError]]:
    """Detect the export by its header and read every row: (dialect, good rows, bad rows)."""
    text = read_text(path)
    first = text.split("\n", 1)[0]
    if not text.strip():
        raise LocatedError(path, None, "the file is empty (expected a header line such as: email,name)")
    header, records = csv_records(text, delimiter=max([",", ";", "\t"], key=first.count), path=path)
    for name, needed, email_column, read in DIALECTS:
        if needed <= set(header):
            break
    else:
        raise LocatedError(path, 1, f"no email column in the header (found: {', '.join(header)}); "
                                    "the first line must name the columns, such as: email,name")
    rows: list[Row] = []
    bad: list[LocatedError] = []
    for start, record in records:
        email = record.get(email_column, "").strip()
        if not email:
            bad.append(LocatedError(path, start, "no email address"))
            continue
        if not valid_email(email):
            bad.append(LocatedError(path, start, f"'{email}' is not an email address"))
            continue
        email = normalize_email(email)
        flag = record.get("subscribed", "").strip().lower() if name == "plain" else ""
        if flag and flag not in TRUE_WORDS | FALSE_WORDS:
            bad.append(LocatedError(path, start, f"subscribed {record['subscribed'].strip()!r} is neither true nor "
                                                 "false (use true or false)"))
            continue
        person_name, subscribed, created, left = read(record)
        unreadable = created.strip() if created and created.strip() and parse_moment(created) is None else ""
        cleaned = clean_name(person_name)
        rows.append(Row(start, email, cleaned, subscribed, parse_moment(created), parse_moment(left),
                        undefuse(record.get("source", "").strip()) or None if name == "plain" else None,
                        cleaned != person_name.strip(), unreadable))
    return name, rows, bad


@dataclass(frozen=True)
class ReadersImported:
    dialect: str
    added: int
    updated: int
    unchanged: int
    skipped: list[LocatedError]
    warnings: list[str]

    def summary(self, path: Path) -> str:
        return (f"Imported {path} ({self.dialect}): {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {len(self.skipped)} skipped")


def import_readers(store: Store, path: Path, now: dt.datetime, skip_invalid: bool = False) -> ReadersImported:
    """Add and update people from a subscriber CSV in one transaction.

    Idempotent: the same file twice changes nothing. Nobody who unsubscribed is subscribed again.
    """
    dialect, rows, bad = parse_readers(path)
    warnings = [f"{path}:{row.line}: warning: the date {row.unreadable_created!r} cannot be read; {row.email} is "
                "recorded as joining at the import" for row in rows if row.unreadable_created]
    warnings += [f"{path}:{row.line}: warning: the name of {row.email} had line breaks, control characters or "
                f"more than {NAME_LIMIT} characters; imported as {row.name[:60]!r}" for row in rows if row.name_cleaned]
    if bad and not skip_invalid:
        raise invalid_rows(bad, " (fix them, or pass --skip-invalid to import the rest)")
    with store.transaction():  # who is known, and who is subscribed, is read where it is written
        return _import_rows(store, path, dialect, rows, bad, warnings, now)


def _import_rows(store: Store, path: Path, dialect: str, rows: list[Row], bad: list[LocatedError],
                 warnings: list[str], now: dt.datetime) -> ReadersImported:
    at = utc_iso(now)
    source = f"{dialect} import"
    known = store.people_by_email()
    unsubscribed = store.ids_with(EventKind.UNSUBSCRIBED)
    new: dict[str, tuple[NewPerson, list[Event]]] = {}
    updates: dict[str, tuple[Person, list[Event]]] = {}
    unchanged = 0
    for row in rows:
        key = row.email.lower()
        external = f"readers:{key}"
        left = Event(EventKind.UNSUBSCRIBED, row.unsubscribed or at, source=source, external_id=external)
        if key in new:  # the same address twice in one file: the later row refines the earlier
            added, events = new[key]
            added = replace(added, name=row.name or added.name, subscribed=added.subscribed and row.subscribed)
            if not added.subscribed and not any(e.kind is EventKind.UNSUBSCRIBED for e in events):
                events.append(left)
            new[key] = (added, events)
            continue
        current = updates[key][0] if key in updates else known.get(key)
        if current is None and store.erased(row.email):
            bad.append(LocatedError(path, row.line, f"{row.email} was erased at their request; not imported"))
            continue
        if current is None:
            created = row.created or at
            events = [Event(EventKind.SUBSCRIBED, created, source=source, external_id=external)]
            if not row.subscribed:
                events.append(left)
            new[key] = (NewPerson(row.email, row.name, row.subscribed, row.source or source, created), events)
            continue
        name = row.name if row.name and row.name != current.name else current.name
        leaves = current.subscribed and not row.subscribed
        # Someone known without being on the list (a tracked call, a forward) who never left it joins.
        joins = not current.subscribed and row.subscribed and current.id not in unsubscribed
        if name == current.name and not leaves and not joins:
            unchanged += 1
            continue
        events = updates[key][1] if key in updates else []
        if leaves:
            events.append(left)
        if joins:
            events.append(Event(EventKind.SUBSCRIBED, at, source=source, external_id=external))
        updates[key] = (replace(current, name=name, subscribed=(current.subscribed and not leaves) or joins), events)
    store.import_people(list(new.values()), list(updates.values()))
    return ReadersImported(dialect, len(new), len(updates), unchanged, bad, warnings)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """A cell a spreadsheet would run as a formula ('=1+1') is written with a leading apostrophe,
    as spreadsheets do; the import takes that apostrophe off again."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def undefuse(cell: str) -> str:
    """The cell as it was before defuse: readers export reads back unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def export_readers(store: Store) -> str:
    """Everyone as CSV that import_readers reads back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for person in store.people():
        writer.writerow([person.email, defuse(person.name), "true" if person.subscribed else "false", person.created,
                         defuse(person.source)])
    return out.getvalue()
