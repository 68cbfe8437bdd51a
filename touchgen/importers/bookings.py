"""A call as a calendar or a booking tool describes it, and why some of what they list is not a call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..text import plural


class Status(StrEnum):
    """What the last word on a call says about it."""

    BOOKED = "booked"
    CANCELLED = "cancelled"  # STATUS:CANCELLED, METHOD:CANCEL, or Calendly's Canceled
    DECLINED = "declined"  # you declined the invitation: no call, like a cancellation


class Reason(StrEnum):
    """Why an event of a calendar, or one of its attendees, is not booked."""

    NO_ATTENDEES = "no attendees"
    NO_START = "no start"
    YOU_DECLINED = "you declined"
    DECLINED = "declined"
    ROOM = "room"
    GROUP = "group"
    NON_PARTICIPANT = "non-participant"
    NO_ADDRESS = "no address"


# How the key of one occurrence of a recurring event goes on from the event's own key.
OCCURRENCE = ";RECURRENCE-ID="
EVENT_REASONS = (Reason.NO_ATTENDEES, Reason.NO_START, Reason.YOU_DECLINED)
# How the summary names a count of each reason: (one, many).
WORDS = {
    Reason.NO_ATTENDEES: ("event without attendees (not a meeting)", "events without attendees (not meetings)"),
    Reason.NO_START: ("event without DTSTART", "events without DTSTART"),
    Reason.YOU_DECLINED: ("event you declined", "events you declined"),
    Reason.DECLINED: ("declined", "declined"),
    Reason.ROOM: ("room or resource", "rooms or resources"),
    Reason.GROUP: ("group or shared calendar", "groups or shared calendars"),
    Reason.NON_PARTICIPANT: ("copied for information only", "copied for information only"),
    Reason.NO_ADDRESS: ("without an email address", "without an email address"),
}


def counted(reason: Reason, count: int) -> str:
    """'2 rooms or resources'."""
    return plural(count, *WORDS[reason])


@dataclass(frozen=True)
class Booking:
    """One call (one occurrence, for a recurring event) as the booking tool or calendar last described it."""

    key: str  # external id: ics:<UID>, ics:<UID>;RECURRENCE-ID=<when>, or calendly:<Invitee UUID>
    start: dt.datetime | None  # None only for a cancellation that gives no start
    booked: dt.datetime | None  # when it was booked; None only for a cancellation that gives no date
    attendees: list[tuple[str, str]]  # (email, name) of the people to book
    status: Status
    campaign: str | None
    declined: tuple[str, ...] = ()  # attendees who declined: a booking they had is taken back
    skipped: tuple[Reason, ...] = ()  # one reason for each attendee who is not a person to book

    @property
    def series(self) -> bool:
        """A whole event, not one occurrence of a recurring one: cancelling it cancels its occurrences."""
        return self.key.startswith("ics:") and OCCURRENCE not in self.key
