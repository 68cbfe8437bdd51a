"""Subscriber CSV imports: plain, or an export of Substack, Mailchimp, Buttondown, Ghost, listmonk,
beehiiv, Kit, MailerLite or Tiny News (told apart in touchgen.importers.services)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..clock import utc_iso
from ..errors import LocatedError, invalid_rows
from ..people.model import Event, EventKind, NewPerson, Person
from ..people.store import Store
from ..text import NAME_LIMIT, clean_name, normalize_email, valid_email
from .rows import csv_records, parse_moment, read_text
from .services import BadValue, Standing, detect, unread_status

EXPORT_COLUMNS = ["email", "name", "subscribed", "created", "source"]
# When the same address is in a file twice, the row that keeps them furthest from the inbox wins.
PRECEDENCE = [Standing.UNSUBSCRIBED, Standing.BOUNCED, Standing.SUBSCRIBED, Standing.UNCONFIRMED]
ON_THE_LIST = (Standing.SUBSCRIBED, Standing.BOUNCED)


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    name: str
    standing: Standing
    created: str | None
    left: str | None  # when they unsubscribed or bounced, where the export says
    source: str | None = None
    name_cleaned: bool = False  # the export's name had line breaks, control characters or was too long
    unreadable: tuple[tuple[str, str], ...] = ()  # (what, the date's text) for dates that could not be read


def _moments(reading_created: str, reading_left: str, standing: Standing
             ) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
    """The join and leave dates in the store's form, and the ones that could not be read."""
    created, left = parse_moment(reading_created), parse_moment(reading_left)
    unreadable = [("joining", reading_created)] if reading_created and created is None else []
    if reading_left and left is None and standing in (Standing.UNSUBSCRIBED, Standing.BOUNCED):
        unreadable.append(("unsubscribing" if standing is Standing.UNSUBSCRIBED else "bouncing", reading_left))
    return created, left, tuple(unreadable)


def parse_readers(path: Path) -> tuple[str, list[Row], list[LocatedError]]:
    """Detect the export by its header and read every row: (dialect, good rows, bad rows)."""
    text = read_text(path)
    first = text.split("\n", 1)[0]
    if not text.strip():
        raise LocatedError(path, None, "the file is empty (expected a header line such as: email,name)")
    header, records = csv_records(text, delimiter=max([",", ";", "\t"], key=first.count), path=path)
    found = detect(header)
    if found is None:
        raise LocatedError(path, 1, f"no email column in the header (found: {', '.join(header)}); "
                                    "the first line must name the columns, such as: email,name")
    if found.name == "plain" and (odd := unread_status(header, records)):
        line, column, value = odd
        raise LocatedError(path, line, f"{column} {value!r} may mean this reader is not subscribed, but the file is "
                                       "not an export touchgen knows, so nothing was imported (write a subscribed "
                                       f"column with true or false instead, or remove {column} to import everyone "
                                       "as subscribed)")
    rows: list[Row] = []
    bad: list[LocatedError] = []
    for start, record in records:
        email = record.get(found.email, "").strip()
        if not email:
            bad.append(LocatedError(path, start, "no email address"))
            continue
        if not valid_email(email):
            bad.append(LocatedError(path, start, f"'{email}' is not an email address"))
            continue
        try:
            reading = found.read({column: "" for column in header} | record)  # a short row has its cells, empty
        except BadValue as exc:
            bad.append(LocatedError(path, start, str(exc)))
            continue
        name = undefuse(reading.name) if found.name == "plain" else reading.name
        cleaned = clean_name(name)
        created, left, unreadable = _moments(reading.created, reading.left, reading.standing)
        rows.append(Row(start, normalize_email(email), cleaned, reading.standing, created, left,
                        undefuse(record.get("source", "").strip()) or None if found.name == "plain" else None,
                        cleaned != name.strip(), unreadable))
    return found.name, rows, bad


@dataclass(frozen=True)
class ReadersImported:
    dialect: str
    added: int
    updated: int
    unchanged: int
    skipped: list[LocatedError]
    warnings: list[str]
    off_list: Counter[Standing]  # of those added or updated: who is now unsubscribed, bounced or unconfirmed

    def summary(self, path: Path) -> str:
        off = ", ".join(f"{count} {standing}" for standing, count in sorted(
            self.off_list.items(), key=lambda item: PRECEDENCE.index(item[0])) if count)
        return (f"Imported {path} ({self.dialect}): {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {len(self.skipped)} skipped" + (f"; of these {off}" if off else ""))


def merge_repeats(rows: list[Row]) -> list[Row]:
    """One row per address, at the line it first appears: a later row refines the name, and the
    standing furthest from the inbox wins (with its date)."""
    merged: dict[str, Row] = {}
    for row in rows:
        key = row.email.lower()
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = row
            continue
        keeps = PRECEDENCE.index(earlier.standing) <= PRECEDENCE.index(row.standing)
        merged[key] = replace(earlier, name=row.name or earlier.name,
                              standing=earlier.standing if keeps else row.standing,
                              left=earlier.left if keeps else row.left,
                              unreadable=earlier.unreadable + row.unreadable)
    return list(merged.values())


def import_readers(store: Store, path: Path, now: dt.datetime, skip_invalid: bool = False) -> ReadersImported:
    """Add and update people from a subscriber CSV in one transaction.

    Idempotent: the same file twice changes nothing. Nobody who unsubscribed is subscribed again.
    """
    dialect, rows, bad = parse_readers(path)
    warnings = [f"{path}:{row.line}: warning: the date {text!r} cannot be read (write it as ISO 8601, such as "
                f"2026-05-01T14:03:22Z); {row.email} is recorded as {what} at the import"
                for row in rows for what, text in row.unreadable]
    warnings += [f"{path}:{row.line}: warning: the name of {row.email} had line breaks, control characters or "
                f"more than {NAME_LIMIT} characters; imported as {row.name[:60]!r}" for row in rows if row.name_cleaned]
    if bad and not skip_invalid:
        raise invalid_rows(bad, " (fix them, or pass --skip-invalid to import the rest)")
    with store.transaction():  # who is known, and who is subscribed, is read where it is written
        return _import_rows(store, path, dialect, merge_repeats(rows), bad, warnings, now)


def _events(row: Row, at: str, source: str, external: str, joins: bool, leaves: bool, bounces: bool) -> list[Event]:
    """A known person's new events: joining now, and leaving or bouncing when the export says."""
    kinds = [(EventKind.SUBSCRIBED, at, joins), (EventKind.UNSUBSCRIBED, row.left or at, leaves),
             (EventKind.BOUNCED, row.left or at, bounces)]
    return [Event(kind, when, source=source, external_id=external) for kind, when, happens in kinds if happens]


def _import_rows(store: Store, path: Path, dialect: str, rows: list[Row], bad: list[LocatedError],
                 warnings: list[str], now: dt.datetime) -> ReadersImported:
    at = utc_iso(now)
    source = f"{dialect} import"
    known = store.people_by_email()
    unsubscribed = store.ids_with(EventKind.UNSUBSCRIBED)
    bounced = store.ids_with(EventKind.BOUNCED)  # a bounce taken back by hand stays taken back
    new: list[tuple[NewPerson, list[Event]]] = []
    updates: list[tuple[Person, list[Event]]] = []
    off_list: Counter[Standing] = Counter()
    unchanged = 0
    for row in rows:
        external = f"readers:{row.email.lower()}"
        current = known.get(row.email.lower())
        if current is None and store.erased(row.email):
            bad.append(LocatedError(path, row.line, f"{row.email} was erased at their request; not imported"))
            continue
        if current is None:
            created = row.created or at
            events = ([Event(EventKind.SUBSCRIBED, created, source=source, external_id=external)]
                      if row.standing is not Standing.UNCONFIRMED else [])  # never confirmed: never joined
            events += _events(row, at, source, external, False, row.standing is Standing.UNSUBSCRIBED,
                              row.standing is Standing.BOUNCED)
            new.append((NewPerson(row.email, row.name, row.standing in ON_THE_LIST, row.source or source, created),
                        events))
            off_list[row.standing] += row.standing is not Standing.SUBSCRIBED
            continue
        name = row.name if row.name and row.name != current.name else current.name
        leaves = current.subscribed and row.standing is Standing.UNSUBSCRIBED
        # Someone known without being on the list (a tracked call, a forward) who never left it joins.
        joins = not current.subscribed and row.standing in ON_THE_LIST and current.id not in unsubscribed
        bounces = row.standing is Standing.BOUNCED and current.id not in bounced
        if name == current.name and not leaves and not joins and not bounces:
            unchanged += 1
            continue
        off_list[Standing.UNSUBSCRIBED] += leaves
        off_list[Standing.BOUNCED] += bounces
        updates.append((replace(current, name=name, subscribed=(current.subscribed and not leaves) or joins),
                        _events(row, at, source, external, joins, leaves, bounces)))
    store.import_people(new, updates)
    return ReadersImported(dialect, len(new), len(updates), unchanged, bad, warnings, off_list)


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
