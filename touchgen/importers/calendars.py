"""Booked, held and cancelled calls from calendar files (.ics) and Calendly's CSV export."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import utc_iso
from ..config import Settings
from ..errors import LocatedError, invalid_rows
from ..people.model import Channel, Event, EventKind, NewPerson, Person
from ..people.store import Store
from ..text import clean_name, plural, valid_email
from .bookings import EVENT_REASONS, OCCURRENCE, Booking, Reason, Status, counted
from .ics import Reader, as_datetime
from .rows import csv_records, read_text, truthy

SOURCE = "calls import"
CALENDLY_FORMATS = ("%Y-%m-%d %I:%M %p", "%Y-%m-%d %I:%M%p", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                    "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M")


@dataclass
class Read:
    """The calls in the files, what they list that is not booked (by reason), and the warnings."""

    bookings: list[Booking]
    events: Counter[Reason] = field(default_factory=Counter)
    attendees: Counter[Reason] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    calendar_events: int | None = None  # VEVENTs read, for calendars


@dataclass
class CallsImported:
    bookings: int = 0
    booked: int = 0
    held: int = 0
    cancelled: int = 0
    already: int = 0
    new_people: list[str] = field(default_factory=list)
    not_booked: Counter[Reason] = field(default_factory=Counter)
    not_people: Counter[Reason] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    no_events: bool = False

    def summary(self, path: Path) -> str:
        """One line of counts; a second for every event and attendee not booked, and why."""
        new = f" ({', '.join(self.new_people)})" if self.new_people else ""
        line = (f"Imported {path}: {plural(self.bookings, 'booking')}: {self.booked} booked, {self.held} held, "
                f"{self.cancelled} cancelled, {self.already} already recorded, "
                f"{plural(len(self.new_people), 'new person', 'new people')}{new}")
        if self.no_events:
            return line + "\n  not booked: the calendar has no events"
        parts = [", ".join(counted(reason, self.not_booked[reason]) for reason in EVENT_REASONS
                           if self.not_booked[reason])]
        if self.not_people:
            parts.append(f"{plural(sum(self.not_people.values()), 'attendee')}: " + ", ".join(
                counted(reason, count) for reason, count in sorted(self.not_people.items(), key=_by_count)))
        shown = "; ".join(part for part in parts if part)
        return f"{line}\n  not booked: {shown}" if shown else line


def _by_count(item: tuple[Reason, int]) -> tuple[int, str]:
    return -item[1], item[0].value


def _calendly_time(value: str, zone: dt.tzinfo) -> dt.datetime | None:
    text = value.strip()
    try:
        return as_datetime(dt.datetime.fromisoformat(text.replace("Z", "+00:00")), zone)
    except ValueError:
        pass
    for pattern in CALENDLY_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def read_calendly(path: Path, text: str, zone: dt.tzinfo) -> list[Booking]:
    """Calendly's CSV export: Invitee Email, Start Date & Time, Canceled, UTM Campaign, Invitee UUID."""
    _, records = csv_records(text, path=path)
    bookings: list[Booking] = []
    bad: list[LocatedError] = []
    for start_line, row in records:
        address = row.get("invitee email", "").strip()
        start = _calendly_time(row.get("start date & time", ""), zone)
        if not valid_email(address):
            bad.append(LocatedError(path, start_line, f"'{address}' is not an email address"
                                      if address else "no Invitee Email"))
            continue
        try:
            utc_iso(start) if start is not None else None
        except ValueError:
            start = None
        if start is None:
            bad.append(LocatedError(path, start_line, f"Start Date & Time '{row.get('start date & time', '')}' "
                                                        "is not a date and time (such as 2026-11-20 10:00 am)"))
            continue
        created = _calendly_time(row.get("event created date & time", ""), zone) or start
        key = row.get("invitee uuid", "").strip() or hashlib.sha256(f"{address}{start}".encode()).hexdigest()[:24]
        bookings.append(Booking(f"calendly:{key}", start, created, [(address, row.get("invitee name", "").strip())],
                                Status.CANCELLED if truthy(row.get("canceled")) else Status.BOOKED,
                                row.get("utm campaign", "").strip() or None))
    if bad:
        raise invalid_rows(bad)
    return bookings


def read_bookings(path: Path, zone: dt.tzinfo, own: set[str]) -> Read:
    """The calls in an .ics file, a folder of them, or a Calendly export; `own` are the author's addresses."""
    if not path.exists():
        raise LocatedError(path, None, "no such file or folder (check the path)")
    if path.is_dir():
        files = [file for file in sorted(path.iterdir()) if file.suffix.lower() == ".ics" and file.is_file()]
        if not files:
            raise LocatedError(path, None, "no .ics files in this folder")
        return _read_calendars(files, zone, own)
    if path.suffix.lower() == ".ics":
        return _read_calendars([path], zone, own)
    text = read_text(path, "a calendar or a CSV file")
    header = text.split("\n", 1)[0].lower()
    if "invitee email" in header:
        return Read(read_calendly(path, text, zone))
    if "BEGIN:VCALENDAR" in text[:200]:
        return _read_calendars([path], zone, own)
    raise LocatedError(path, 1, "neither a calendar (.ics) nor a Calendly export "
                                "(expected an 'Invitee Email' column)")


def _read_calendars(files: list[Path], zone: dt.tzinfo, own: set[str]) -> Read:
    """All files read before any is recorded: a later file's cancellation or new SEQUENCE wins."""
    reader = Reader(zone, own)
    for file in files:
        reader.read(file)
    bookings = reader.bookings()
    events, attendees = reader.not_booked(bookings)
    return Read(bookings, events, attendees, reader.warnings, reader.events)


def import_calls(store: Store, settings: Settings, path: Path, now: dt.datetime) -> CallsImported:
    """Record booked, held and cancelled calls in one transaction; unknown attendees become people."""
    read = read_bookings(path, settings.zone, settings.own_addresses)
    with store.transaction():  # read who is known and what was booked where the events are written
        return _record(store, settings, read, now)


def _taken_back(store: Store, person: Person, booking: Booking, at: str) -> list[Event]:
    """A cancellation of each booking of `person` that `booking` takes back: its own and, when it is a
    whole recurring event, those of its occurrences."""
    if booking.series:
        keys = sorted({event.external_id for event in store.events_of(person.id)
                       if event.kind is EventKind.BOOKED_CALL and event.external_id
                       and event.external_id.partition(OCCURRENCE)[0] == booking.key})
    else:
        keys = [booking.key] if store.has_event(person.id, EventKind.BOOKED_CALL, booking.key) else []
    return [Event(EventKind.CALL_CANCELLED, at, source=SOURCE, external_id=key) for key in keys]


def _record(store: Store, settings: Settings, read: Read, now: dt.datetime) -> CallsImported:
    own = settings.own_addresses
    known = store.people_by_email()
    result = CallsImported(bookings=sum(booking.status is not Status.DECLINED for booking in read.bookings),
                           not_booked=read.events, not_people=read.attendees, warnings=read.warnings,
                           no_events=read.calendar_events == 0)
    events: list[tuple[str, Event]] = []
    new_people: dict[str, NewPerson] = {}
    at_now = utc_iso(now)
    for booking in read.bookings:
        for address in booking.declined:  # whoever declined keeps no booking of it
            person = known.get(address.lower())
            events += [(address, event) for event in (_taken_back(store, person, booking, at_now) if person else [])]
        for address, name in booking.attendees:
            key = address.lower()
            if key in own or not valid_email(address):
                continue
            person = known.get(key)
            if booking.status is not Status.BOOKED or booking.start is None:
                taken = _taken_back(store, person, booking, at_now) if person else []
                events += [(address, event) for event in taken]
                result.cancelled += not taken and booking.status is Status.CANCELLED
                continue
            booked_at, start_at = utc_iso(booking.booked or booking.start), utc_iso(booking.start)
            if person is None and key not in new_people:
                new_people[key] = NewPerson(address, clean_name(name), False, SOURCE, booked_at)
                result.new_people.append(address)
            post = booking.campaign
            if post is None and person is not None:
                post = store.last_sent_before(person.id, booked_at)
            events.append((address, Event(EventKind.BOOKED_CALL, booked_at, post=post, channel=Channel.CALL,
                                          source=SOURCE, external_id=booking.key)))
            if booking.start <= now:
                events.append((address, Event(EventKind.CALL_HELD, start_at, post=post, channel=Channel.CALL,
                                              source=SOURCE, external_id=booking.key)))
    added = store.record(events, new_people.values())
    result.booked = added[EventKind.BOOKED_CALL]
    result.held = added[EventKind.CALL_HELD]
    result.cancelled += added[EventKind.CALL_CANCELLED]
    result.already = len(events) - sum(added.values())
    return result
