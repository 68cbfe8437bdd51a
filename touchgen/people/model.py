"""The words and records of the people store: frozen dataclasses and StrEnums, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """What happened between the author and a person (the events table's `kind`)."""

    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    SENT = "sent"
    REPLIED = "replied"
    BOOKED_CALL = "booked_call"
    CALL_HELD = "call_held"
    CALL_CANCELLED = "call_cancelled"
    TOUCH = "touch"
    BOUNCED = "bounced"
    UNBOUNCED = "unbounced"  # the author took a wrong bounce back
    SNOOZED = "snoozed"  # not proposed for a touch until a date
    DO_NOT_CONTACT = "do_not_contact"
    DO_NOT_CONTACT_UNDONE = "do_not_contact_undone"


# What restarts the daily-touch clock: two-way contact and a deliberate touch.
QUALIFYING = (EventKind.REPLIED, EventKind.BOOKED_CALL, EventKind.CALL_HELD, EventKind.TOUCH)

# Contact that goes both ways. A touch the author records is deliberate but one-way: it restarts
# the daily-touch clock, it does not move a stage.
TWO_WAY = (EventKind.REPLIED, EventKind.BOOKED_CALL, EventKind.CALL_HELD)
CALLS = (EventKind.BOOKED_CALL, EventKind.CALL_HELD)


class Tracked(StrEnum):
    """What `touchgen track` records."""

    REPLY = "reply"
    CALL = "call"
    TOUCH = "touch"


class Channel(StrEnum):
    """How a contact happened."""

    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    MESSAGE = "message"


class Stage(StrEnum):
    """Where a person is, derived from their events (see touchgen.people.stages)."""

    READER = "reader"
    CONVERSATION = "conversation"
    RELATIONSHIP = "relationship"


class SendStatus(StrEnum):
    """The state of one (post, person) send in the ledger."""

    CLAIMED = "claimed"  # handed, or about to be handed, to SMTP: uncertain when a run died
    SENT = "sent"
    FAILED = "failed"  # not delivered for now (4xx): a later run sends it again
    BOUNCED = "bounced"  # refused for good (5xx), or reported by a delivery report


@dataclass(frozen=True)
class Person:
    """Someone in the store."""

    id: int
    email: str
    name: str
    subscribed: bool
    source: str
    created: str  # UTC ISO 8601
    introduced_by: int | None = None


@dataclass(frozen=True)
class NewPerson:
    """Someone to add to the store (the store gives the id)."""

    email: str
    name: str
    subscribed: bool
    source: str
    created: str
    introduced_by: int | None = None


@dataclass(frozen=True)
class Event:
    """One thing that happened; whose it is, is said where it is recorded or read."""

    kind: EventKind
    at: str  # UTC ISO 8601
    post: str | None = None
    channel: str = ""
    source: str = ""
    external_id: str | None = None  # a Message-ID, an ICS UID, a CSV row key: recorded once
    note: str = ""
    until: str | None = None  # a snooze's last day (YYYY-MM-DD)
    tests: str = ""  # a touch's tests passed, comma-separated: invested,learned,illustrated


@dataclass(frozen=True)
class Send:
    """One (post, person) in the send ledger."""

    post: str
    edition: str  # the post's date (UTC) when sent; '' for a send recorded before editions
    person_id: int
    message_id: str
    status: SendStatus
    claimed_at: str
    sent_at: str | None


@dataclass(frozen=True)
class Contact:
    """A person's two-way contact in sum: distinct days, whole days from first to last, and the
    days from subscribing (else joining) to the first."""

    person_id: int
    days: int
    span: int
    wait: float
