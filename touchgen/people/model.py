"""The records of the people store: frozen dataclasses, no SQL (the enums are in kinds.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import CALLS, QUALIFYING, TWO_WAY, Channel, EventKind, SendStatus, Stage, Tracked

__all__ = ["CALLS", "QUALIFYING", "TWO_WAY", "Channel", "Contact", "Event", "EventKind", "NewPerson", "Person",
           "Send", "SendStatus", "Stage", "Tracked"]


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
