"""Calls in calendar files (.ics) as Google Calendar, Outlook and Exchange, Apple, Zimbra and booking
tools write them. icalendar unfolds and reads the file; this module decides which events are calls
and with whom, and names the line of anything it cannot use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..clock import utc_iso
from ..errors import LocatedError, ManyErrors, TouchgenError
from ..text import clean_name, normalize_email, plural, printable, valid_email
from .bookings import EVENT_REASONS, OCCURRENCE, Booking, Reason, Status
from .rows import read_text

PHYSICAL_LINE = re.compile(r"\r?\n")  # where icalendar breaks lines: a lone CR is not a line break
UTM_RE = re.compile(r"utm_campaign=([a-z0-9-]+)")
# Outlook's display names carry the offset: "(UTC-05:00) Eastern Time (US & Canada)", "(GMT+10.00) Sydney".
OFFSET_IN_NAME = re.compile(r"^\s*\(\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?)?\s*\)")
# Google's addresses of meeting rooms and of shared calendars: never a person.
CALENDAR_DOMAINS = {"resource.calendar.google.com": Reason.ROOM, "group.calendar.google.com": Reason.GROUP,
                    "group.v.calendar.google.com": Reason.GROUP, "import.calendar.google.com": Reason.GROUP}
# What RFC 5545 lets an event have once and decides what touchgen records: a second one is a broken
# export. (A second ORGANIZER, as WordPress writes, is read as one more participant.)
ONCE = ("UID", "DTSTART", "SEQUENCE", "STATUS", "RECURRENCE-ID")
NOT_PEOPLE = {"RESOURCE": Reason.ROOM, "ROOM": Reason.ROOM, "GROUP": Reason.GROUP}


@dataclass
class EventLines:
    """Where one VEVENT and each of its own properties (not its alarms') begin in the file."""

    begin: int
    properties: dict[str, list[int]] = field(default_factory=dict)

    def line(self, name: str) -> int:
        """The line of the property `name`; the event's first line when it has none."""
        return self.properties.get(name, [self.begin])[0]


def content_lines(text: str) -> list[tuple[int, str]]:
    """Each content line, unfolded as icalendar unfolds it, with the line of the file it begins on."""
    lines: list[tuple[int, str]] = []
    for number, physical in enumerate(PHYSICAL_LINE.split(text), start=1):
        if not physical:
            continue
        if physical[0] in " \t" and lines:
            begun, so_far = lines[-1]
            lines[-1] = (begun, so_far + physical[1:])
        else:
            lines.append((number, physical))
    return lines


def _name(line: str) -> str:
    return re.split("[;:]", line, maxsplit=1)[0].strip().upper()


def _component(line: str) -> str:
    return line.partition(":")[2].strip().upper()


def event_lines(lines: list[tuple[int, str]]) -> tuple[list[EventLines], int]:
    """Every VEVENT in the order icalendar walks them (the order they begin) with its properties'
    lines, and how many calendars begin at the top level. BEGIN and END pair as icalendar pairs them."""
    events: list[EventLines] = []
    open_: list[EventLines | None] = []
    calendars = 0
    for number, line in lines:
        name = _name(line)
        if name == "BEGIN":
            component = _component(line)
            calendars += not open_ and component == "VCALENDAR"
            if component == "VEVENT":
                events.append(EventLines(number))
            open_.append(events[-1] if component == "VEVENT" else None)
        elif name == "END":
            if open_:
                open_.pop()
        elif open_ and open_[-1] is not None:
            open_[-1].properties.setdefault(name, []).append(number)
    return events, calendars


def _unreadable(path: Path, lines: list[tuple[int, str]]) -> list[LocatedError]:
    """Each content line icalendar cannot split into a name, parameters and a value."""
    from icalendar.parser import Contentline

    bad: list[LocatedError] = []
    for number, line in lines:
        try:
            Contentline(line).parts()  # type: ignore[no-untyped-call]
        except Exception as exc:  # ValueError for a broken line; anything else is as broken
            why = ("a parameter cannot be read: check its quotes" if "parameter" in str(exc)
                   else "each line must read NAME:VALUE")
            bad.append(LocatedError(path, number, f"not a calendar line: {line[:60]!r} ({why}; export the "
                                                  "calendar again)"))
    return bad


def _structure(path: Path, lines: list[tuple[int, str]]) -> LocatedError | None:
    """The first BEGIN and END that do not pair, a line outside every component, or the component
    the file ends inside."""
    open_: list[tuple[str, int]] = []
    for number, line in lines:
        name = _name(line)
        if name not in ("BEGIN", "END"):
            if not open_ and name != "X-COMMENT":  # icalendar allows comments after the calendar
                return LocatedError(path, number, f"{line[:60]!r} is outside BEGIN:VCALENDAR and END:VCALENDAR; "
                                                  "export the calendar again")
            continue
        component = _component(line)
        if name == "BEGIN":
            open_.append((component, number))
        elif not open_:
            return LocatedError(path, number, f"END:{component} without a BEGIN:{component} before it; export the "
                                              "calendar again")
        else:
            expected, begun = open_.pop()
            if expected != component:
                return LocatedError(path, number, f"END:{component} where END:{expected} is missing (for the "
                                                  f"BEGIN:{expected} on line {begun}); export the calendar again")
    if open_:
        component, begun = open_[-1]
        return LocatedError(path, lines[-1][0], f"the file ends inside the {component} begun on line {begun} "
                                                f"(no END:{component}: it may be cut short); export the calendar again")
    return None


def _located(path: Path, lines: list[tuple[int, str]], reason: str) -> TouchgenError:
    """What icalendar could not read, with its line: the broken lines, else the broken structure,
    else the value its message quotes."""
    reason = printable(" ".join(reason.split()))[:200]
    bad = _unreadable(path, lines)
    if len(bad) == 1:
        return bad[0]
    if bad:
        return ManyErrors(bad, f"{plural(len(bad), 'unreadable line')} in {path}; nothing was imported")
    return (_structure(path, lines) or _value(path, lines, reason)
            or LocatedError(path, None, f"cannot be read as a calendar ({reason}); export it again"))


def _value(path: Path, lines: list[tuple[int, str]], reason: str) -> LocatedError | None:
    """The line of the value or name icalendar quotes in `reason` ("Expected time, got: garbage",
    "unknown parameter 'SOMEDAY'"): the first line that has it."""
    from icalendar.parser import Contentline

    quoted = [reason.rpartition(": ")[2].strip().strip("'\"")] if ": " in reason else []
    quoted += re.findall(r"'([^']+)'", reason)
    for text in quoted:
        for number, line in lines:
            try:
                name, _, value = Contentline(line).parts()  # type: ignore[no-untyped-call]
            except Exception:  # an unreadable line is reported as such before
                continue
            if name.upper() not in ("BEGIN", "END") and (text in value or text.upper() == name.upper()):
                return LocatedError(path, number, f"{line[:60]!r} cannot be read ({reason}); export the calendar "
                                                  "again")
    return None


def parse(path: Path, text: str, lines: list[tuple[int, str]], expected: int) -> list[Any]:
    """The calendars in the file, as icalendar reads them; a located error for a line or a structure
    it cannot read. `expected` is how many calendars begin in the file."""
    import icalendar

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # icalendar's guesses (a vendor's TZID prefix) are not the user's concern
            found = icalendar.Calendar.from_ical(text.encode("utf-8"), multiple=True)  # bytes: never a path
    except RecursionError:
        raise
    except Exception as exc:  # icalendar raises ValueError and others for a broken file
        raise _located(path, lines, str(exc)) from None
    calendars = [calendar for calendar in found if calendar.name == "VCALENDAR"]
    broken = [error for calendar in calendars for part in calendar.walk() for name, error in part.errors if not name]
    if broken or len(calendars) < expected:
        raise _located(path, lines, broken[0] if broken else "a calendar is not complete")
    return calendars


def _at(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def as_datetime(value: object, zone: dt.tzinfo) -> dt.datetime:
    """A date or a date and time as a moment; one without a zone is in `zone`."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    raise ValueError(value)


def known_zone(name: str) -> dt.tzinfo | None:
    """The time zone icalendar knows by this TZID: an IANA name, a Windows name (CLDR's mapping, as
    icalendar ships it) or one defined by a VTIMEZONE it has read."""
    from icalendar.timezone import tzp

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zone: dt.tzinfo | None = tzp.timezone(name)
        return zone
    except Exception:  # a TZID no provider can look up
        return None


def _address(participant: Any) -> str | None:
    """The email address of an ATTENDEE or ORGANIZER: its mailto: value, else its EMAIL parameter
    (Apple writes urn:uuid: values with the address there)."""
    value = str(participant).strip()
    params = getattr(participant, "params", {})
    for candidate in (value[7:] if value.lower().startswith("mailto:") else value, str(params.get("EMAIL", ""))):
        address = normalize_email(candidate.strip())
        if valid_email(address):
            return address
    return None


@dataclass
class Participants:
    """Who an event books, who declined, and why the others are not people to book."""

    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower-cased address: (address, name)
    declined: dict[str, str] = field(default_factory=dict)
    skipped: list[Reason] = field(default_factory=list)
    you_declined: bool = False

    def add(self, participant: Any, own: set[str], attendee: bool) -> None:
        params = getattr(participant, "params", {})
        address = _address(participant)
        kind = NOT_PEOPLE.get(str(params.get("CUTYPE", "")).upper())
        kind = kind or (CALENDAR_DOMAINS.get(address.rpartition("@")[2].lower()) if address else None)
        declined = attendee and str(params.get("PARTSTAT", "")).upper() == "DECLINED"
        key = address.lower() if address else ""
        if key in self.people or key in self.declined:
            return  # the organizer is often an attendee too
        if key in own:
            self.you_declined = self.you_declined or declined
        elif kind is not None:
            self.skipped.append(kind)
        elif address is None:
            self.skipped.append(Reason.NO_ADDRESS)
        elif attendee and str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
            self.skipped.append(Reason.NON_PARTICIPANT)
        elif declined:
            self.declined[key] = address
            self.skipped.append(Reason.DECLINED)
        else:
            name = clean_name(str(params.get("CN", "")))
            self.people[key] = (address, "" if name.lower() == key else name)  # Google's CN is often the address


class Reader:
    """Reads the events of calendar files into bookings: the latest version of each occurrence, with
    what is not booked counted by reason and the warnings located."""

    def __init__(self, zone: dt.tzinfo, own: set[str]) -> None:
        self.zone = zone
        self.own = own
        self.latest: dict[str, tuple[int, Booking]] = {}
        self.skipped: Counter[Reason] = Counter()
        self.warnings: list[str] = []
        self.events = 0

    def read(self, path: Path) -> None:
        text = read_text(path, "a calendar file")
        if "BEGIN:VCALENDAR" not in text.upper():
            raise LocatedError(path, 1, "not a calendar file (no BEGIN:VCALENDAR line)")
        if "\r" in text and "\n" not in text:  # the old Mac line ends, which icalendar reads as one line
            text = text.replace("\r", "\r\n")
        lines = content_lines(text)
        places, expected = event_lines(lines)
        calendars = parse(path, text, lines, expected)
        events = [(calendar, event) for calendar in calendars for event in calendar.walk("VEVENT")]
        if len(places) != len(events):  # cannot tell which is which: events are named by number only
            places = []
        unknown: dict[str, tuple[int | None, int, str]] = {}  # TZID: (first line, events, how it is read)
        for number, (calendar, event) in enumerate(events, start=1):
            self._event(path, number, calendar, event, places[number - 1] if places else None, unknown)
        self.warnings += [f"{_at(path, line)}: warning: time zone {tzid!r} is not known ({plural(count, 'event')}); "
                          f"times in it are {how}" for tzid, (line, count, how) in unknown.items()]

    def _event(self, path: Path, number: int, calendar: Any, event: Any, where: EventLines | None,
               unknown: dict[str, tuple[int | None, int, str]]) -> None:
        self.events += 1

        def line(name: str) -> int | None:
            return where.line(name) if where else None

        attendees = _as_list(event.get("ATTENDEE"))
        if not attendees:
            self.skipped[Reason.NO_ATTENDEES] += 1
            return
        for name in ONCE:
            given = where.properties.get(name, []) if where else []
            if len(given) > 1 or isinstance(event.get(name), list):
                raise LocatedError(path, given[1] if len(given) > 1 else line(name), f"event {number}: {name} is given "
                                   f"{max(len(given), 2)} times, and an event has one; export the calendar again")
        named = printable(str(event.get("UID") or "no UID"))[:100]
        sequence = self._sequence(path, number, event, line("SEQUENCE"))
        who = Participants()
        for attendee in attendees:
            who.add(attendee, self.own, attendee=True)
        for organizer in _as_list(event.get("ORGANIZER")):
            who.add(organizer, self.own, attendee=False)
        cancelled = (str(calendar.get("METHOD", "")).upper() == "CANCEL"
                     or str(event.get("STATUS", "")).upper() == "CANCELLED")
        status = Status.CANCELLED if cancelled else Status.DECLINED if who.you_declined else Status.BOOKED
        floating, floating_name = self._floating(calendar)
        start: dt.datetime | None = None
        if event.get("DTSTART") is not None:
            start = self._start(path, number, named, event, line("DTSTART"), floating, floating_name, unknown)
        elif status is Status.BOOKED:
            self.warnings.append(f"{_at(path, where.begin if where else None)}: warning: event {number} ({named}) has "
                                 "no DTSTART: skipped (if it is a call, give it a start and export the calendar again)")
            self.skipped[Reason.NO_START] += 1
            return
        uid = str(event.get("UID") or hashlib.sha256(f"{start}{event.get('SUMMARY')}".encode()).hexdigest()[:24])
        key = f"ics:{uid}"
        if event.get("RECURRENCE-ID") is not None:
            key += OCCURRENCE + self._occurrence(path, number, named, event, line("RECURRENCE-ID"))
        try:
            stamp = event.get("CREATED") or event.get("DTSTAMP")
            booked = as_datetime(stamp.dt, floating) if stamp is not None else start
            utc_iso(booked) if booked is not None else None
        except Exception:  # a broken CREATED or DTSTAMP: the booking counts from its start
            booked = start
        campaign = UTM_RE.search(str(event.get("DESCRIPTION", "")) + " " + str(event.get("URL", "")))
        booking = Booking(key, start, booked, list(who.people.values()),
                          status, campaign.group(1) if campaign else None, tuple(who.declined.values()),
                          tuple(who.skipped))
        previous = self.latest.get(key)
        if previous is None or sequence > previous[0] or (sequence == previous[0] and status is not Status.BOOKED):
            self.latest[key] = (sequence, booking)

    @staticmethod
    def _sequence(path: Path, number: int, event: Any, line: int | None) -> int:
        try:
            return int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            raise LocatedError(path, line, f"event {number}: SEQUENCE {str(event.get('SEQUENCE'))!r} is not a number; "
                                           "export the calendar again") from None

    def _floating(self, calendar: Any) -> tuple[dt.tzinfo, str]:
        """The zone of times without one: the calendar's X-WR-TIMEZONE when it names one, else the site's."""
        named = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        zone = known_zone(named) if named else None
        if zone is not None:
            return zone, f"{named}, the calendar's X-WR-TIMEZONE"
        return self.zone, f"{self.zone}, the site's time zone"

    @staticmethod
    def _start(path: Path, number: int, named: str, event: Any, line: int | None, floating: dt.tzinfo,
               floating_name: str, unknown: dict[str, tuple[int | None, int, str]]) -> dt.datetime:
        tzid = None
        try:
            value = event.decoded("DTSTART")
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                tzid = str(event["DTSTART"].params.get("TZID", "")) or None
            zone, how = _unknown_zone(tzid, floating, floating_name) if tzid else (floating, "")
            start = as_datetime(value, zone)
            utc_iso(start)  # in range
        except Exception:  # icalendar raises many kinds for a broken or empty value
            raise LocatedError(path, line, f"event {number} ({named}): DTSTART cannot be read as a date, or is out "
                                           "of range; export the calendar again") from None
        if tzid:
            first, count, _ = unknown.get(tzid, (line, 0, how))
            unknown[tzid] = (first, count + 1, how)
        return start

    @staticmethod
    def _occurrence(path: Path, number: int, named: str, event: Any, line: int | None) -> str:
        """RECURRENCE-ID as the same text on every import: in UTC when it has a zone."""
        try:
            value = event.decoded("RECURRENCE-ID")
        except Exception:  # as for DTSTART: many kinds
            value = None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                return value.strftime("%Y%m%dT%H%M%S")
            try:
                return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            except (OverflowError, ValueError):
                pass
        elif isinstance(value, dt.date):
            return value.strftime("%Y%m%d")
        raise LocatedError(path, line, f"event {number} ({named}): RECURRENCE-ID cannot be read as a date; export "
                                       "the calendar again")

    def bookings(self) -> list[Booking]:
        """The latest version of each call. A cancelled (or declined) event cancels its occurrences
        too, unless an occurrence was changed after that."""
        ended = {booking.key: (sequence, booking.status) for sequence, booking in self.latest.values()
                 if booking.series and booking.status is not Status.BOOKED}
        result: list[Booking] = []
        for sequence, booking in self.latest.values():
            series, _, _ = booking.key.partition(OCCURRENCE)
            if not booking.series and series in ended and sequence <= ended[series][0]:
                booking = dataclasses.replace(booking, status=ended[series][1])
            result.append(booking)
        return result

    def not_booked(self, bookings: list[Booking]) -> tuple[Counter[Reason], Counter[Reason]]:
        """Events and attendees that are not booked, by reason."""
        events = Counter(self.skipped)
        events[Reason.YOU_DECLINED] += sum(booking.status is Status.DECLINED for booking in bookings)
        attendees = Counter(reason for booking in bookings if booking.status is not Status.DECLINED
                            for reason in booking.skipped)
        return +Counter({reason: events[reason] for reason in EVENT_REASONS}), attendees


def _unknown_zone(tzid: str, floating: dt.tzinfo, floating_name: str) -> tuple[dt.tzinfo, str]:
    """How times in a TZID neither icalendar nor the file defines are read: at the offset an
    Outlook display name gives, else in the zone of times without one."""
    match = OFFSET_IN_NAME.match(tzid)
    if match:
        sign, hours, minutes = match.groups()
        offset = dt.timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        if offset < dt.timedelta(hours=24):
            shown = f"UTC{sign or '+'}{int(hours or 0):02d}:{int(minutes or 0):02d}"
            return (dt.timezone(-offset if sign == "-" else offset),
                    f"read as {shown}, the offset its name gives (without summer time)")
    return floating, f"read in {floating_name}"
