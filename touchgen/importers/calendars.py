"""Booked, held and cancelled calls from calendar files (.ics) and Calendly's CSV export."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import utc_iso
from ..config import Settings
from ..errors import LocatedError, invalid_rows
from ..people.model import Channel, Event, EventKind, NewPerson
from ..people.store import Store
from ..text import clean_name, normalize_email, plural, valid_email
from .rows import csv_records, read_text, truthy

CONTENT_LINE_RE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")
UTM_RE = re.compile(r"utm_campaign=([a-z0-9-]+)")
SOURCE = "calls import"
CALENDLY_FORMATS = ("%Y-%m-%d %I:%M %p", "%Y-%m-%d %I:%M%p", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                    "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M")


@dataclass(frozen=True)
class Booking:
    """One call as the booking tool last described it."""

    key: str  # external id: ics:<UID> or calendly:<Invitee UUID>
    start: dt.datetime
    booked: dt.datetime
    attendees: list[tuple[str, str]]  # (email, name)
    cancelled: bool
    campaign: str | None


@dataclass
class CallsImported:
    bookings: int = 0
    booked: int = 0
    held: int = 0
    cancelled: int = 0
    already: int = 0
    new_people: list[str] = field(default_factory=list)

    def summary(self, path: Path) -> str:
        new = f" ({', '.join(self.new_people)})" if self.new_people else ""
        return (f"Imported {path}: {plural(self.bookings, 'booking')}: {self.booked} booked, {self.held} held, "
                f"{self.cancelled} cancelled, {self.already} already recorded, "
                f"{plural(len(self.new_people), 'new person', 'new people')}{new}")


def _check_lines(path: Path, text: str) -> None:
    """Every unfolded content line must read NAME[;PARAMS]:VALUE; name the first that does not."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line[0] in " \t":
            continue
        if not CONTENT_LINE_RE.match(line):
            raise LocatedError(path, number, f"not a calendar line: {line[:60]!r} "
                                             "(each line must read NAME:VALUE; export the calendar again)")


# What RFC 5545 lets an event have once, of what touchgen reads: a second one is a broken export.
ONCE = ("UID", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "ORGANIZER", "CREATED", "DTSTAMP", "DESCRIPTION", "URL")


def _as_datetime(value: object, zone: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    raise ValueError(value)


def _address(value: object) -> str:
    return normalize_email(re.sub(r"^mailto:", "", str(value), flags=re.I))


def read_ics(path: Path, zone: dt.tzinfo) -> list[Booking]:
    """The events of a calendar file, the highest SEQUENCE of each UID winning."""
    import icalendar

    text = read_text(path, "a calendar file")
    if "BEGIN:VCALENDAR" not in text:
        raise LocatedError(path, 1, "not a calendar file (no BEGIN:VCALENDAR line)")
    _check_lines(path, text)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise LocatedError(path, None, f"cannot be read as a calendar ({exc}); export it again") from None
    cancel_all = str(calendar.get("METHOD", "")).upper() == "CANCEL"
    latest: dict[str, tuple[int, Booking]] = {}
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        for name in ONCE:
            given = event.get(name)
            if isinstance(given, list):
                raise LocatedError(path, _content_line(text, name, number, 2), f"event {number}: {name} is given "
                                   f"{len(given)} times, and an event has one; export the calendar again")
        if event.get("DTSTART") is None:
            raise LocatedError(path, None, f"event {number} ({event.get('UID', 'no UID')}) has no DTSTART "
                                           "(export the calendar again)")
        try:
            start = _as_datetime(event.decoded("DTSTART"), zone)
            utc_iso(start)  # in range
        except Exception:  # icalendar raises many kinds for a broken or empty value
            raise LocatedError(path, _content_line(text, "DTSTART", number), f"event {number} "
                               f"({event.get('UID', 'no UID')}): DTSTART cannot be read as a date, or is out of "
                               "range; export the calendar again") from None
        try:
            stamp = event.get("CREATED") or event.get("DTSTAMP")
            booked = _as_datetime(stamp.dt, zone) if stamp is not None else start
            utc_iso(booked)
        except Exception:  # a broken CREATED or DTSTAMP: the booking counts from its start
            booked = start
        uid = str(event.get("UID") or hashlib.sha256(f"{start}{event.get('SUMMARY')}".encode()).hexdigest()[:24])
        attendees = event.get("ATTENDEE") or []
        if not isinstance(attendees, list):
            attendees = [attendees]
        people = [(_address(a), str(a.params.get("CN", ""))) for a in attendees]
        organizer = event.get("ORGANIZER")
        if organizer is not None:
            people.append((_address(organizer), str(organizer.params.get("CN", ""))))
        try:
            sequence = int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            raise LocatedError(path, _content_line(text, "SEQUENCE", number), f"event {number}: SEQUENCE "
                               f"{str(event.get('SEQUENCE'))!r} is not a number; export the calendar again") from None
        cancelled = cancel_all or str(event.get("STATUS", "")).upper() == "CANCELLED"
        campaign = UTM_RE.search(str(event.get("DESCRIPTION", "")) + " " + str(event.get("URL", "")))
        booking = Booking(f"ics:{uid}", start, booked, people, cancelled, campaign.group(1) if campaign else None)
        previous = latest.get(uid)
        if previous is None or sequence > previous[0] or (sequence == previous[0] and cancelled):
            latest[uid] = (sequence, booking)
    return [booking for _, booking in latest.values()]


def _content_line(text: str, name: str, event: int, occurrence: int = 1) -> int | None:
    """The line of property `name` (its `occurrence`th) in the `event`th VEVENT of a calendar's text."""
    seen = found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("BEGIN:VEVENT"):
            seen += 1
        elif seen == event and (line.startswith(f"{name}:") or line.startswith(f"{name};")):
            found += 1
            if found == occurrence:
                return number
    return None


def _calendly_time(value: str, zone: dt.tzinfo) -> dt.datetime | None:
    text = value.strip()
    try:
        return _as_datetime(dt.datetime.fromisoformat(text.replace("Z", "+00:00")), zone)
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
                                truthy(row.get("canceled")), row.get("utm campaign", "").strip() or None))
    if bad:
        raise invalid_rows(bad)
    return bookings


def read_bookings(path: Path, zone: dt.tzinfo) -> list[Booking]:
    if not path.exists():
        raise LocatedError(path, None, "no such file or folder (check the path)")
    if path.is_dir():
        files = sorted(path.glob("*.ics"))
        if not files:
            raise LocatedError(path, None, "no .ics files in this folder")
        return [booking for file in files for booking in read_ics(file, zone)]
    if path.suffix.lower() == ".ics":
        return read_ics(path, zone)
    text = read_text(path, "a calendar or a CSV file")
    header = text.split("\n", 1)[0].lower()
    if "invitee email" in header:
        return read_calendly(path, text, zone)
    if "BEGIN:VCALENDAR" in text[:200]:
        return read_ics(path, zone)
    raise LocatedError(path, 1, "neither a calendar (.ics) nor a Calendly export "
                                "(expected an 'Invitee Email' column)")


def import_calls(store: Store, settings: Settings, path: Path, now: dt.datetime) -> CallsImported:
    """Record booked, held and cancelled calls in one transaction; unknown attendees become people."""
    bookings = read_bookings(path, settings.zone)
    with store.transaction():  # read who is known and what was booked where the events are written
        return _record(store, settings, bookings, now)


def _record(store: Store, settings: Settings, bookings: list[Booking], now: dt.datetime) -> CallsImported:
    own = settings.own_addresses
    known = store.people_by_email()
    result = CallsImported(bookings=len(bookings))
    events: list[tuple[str, Event]] = []
    new_people: dict[str, NewPerson] = {}
    at_now = utc_iso(now)
    for booking in bookings:
        booked_at, start_at = utc_iso(booking.booked), utc_iso(booking.start)
        for address, name in booking.attendees:
            key = address.lower()
            if key in own or not valid_email(address):
                continue
            person = known.get(key)
            if booking.cancelled:
                if person is not None and store.has_event(person.id, EventKind.BOOKED_CALL, booking.key):
                    events.append((address, Event(EventKind.CALL_CANCELLED, at_now, source=SOURCE,
                                                  external_id=booking.key)))
                else:
                    result.cancelled += 1
                continue
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
