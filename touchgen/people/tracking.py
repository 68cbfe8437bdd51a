"""What the author records by hand: a new reader, an unsubscribe, a reply, a call or a touch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..clock import utc_iso
from ..text import clean_name, safe_filename
from .model import Channel, Event, EventKind, NewPerson, Person, Tracked
from .store import Store, StoreError

BY_HAND = "by hand"


# What each becomes: the event, its channel unless one is given, and how a message says it.
TRACKED: dict[Tracked, tuple[EventKind, Channel, str]] = {
    Tracked.REPLY: (EventKind.REPLIED, Channel.EMAIL, "a reply from"),
    Tracked.CALL: (EventKind.CALL_HELD, Channel.CALL, "a call with"),
    Tracked.TOUCH: (EventKind.TOUCH, Channel.EMAIL, "a touch with"),
}


def add_reader(store: Store, email: str, name: str, source: str, now: dt.datetime) -> Person:
    """Subscribe someone new; PersonExists when the address is already in the store. Adding an
    erased address by hand is the author's choice: imports may bring it in again afterwards."""
    with store.transaction():
        store.forget_erasure(email)
        return store.add_person(NewPerson(email.strip(), clean_name(name), True, source, utc_iso(now)))


def edit(store: Store, email: str, name: str) -> Person:
    """Correct someone's name (cleaned to one line)."""
    return store.rename(store.require(email), clean_name(name))


def resubscribe(store: Store, email: str, now: dt.datetime) -> tuple[Person, bool]:
    """Put someone who asked to come back on the list: (the person, False when they were on it)."""
    person = store.require(email)
    return person, store.resubscribe(person, utc_iso(now), "resubscribed by hand")


def unbounce(store: Store, email: str, now: dt.datetime) -> Person:
    """Take a wrong bounce back; StoreError when the person has no bounce to take back."""
    person = store.require(email)
    if not store.unbounce(person, utc_iso(now), BY_HAND):
        raise StoreError(f"{person.email} has no bounce to take back")
    return person


def erase(store: Store, email: str, now: dt.datetime, outbox: Path | None = None) -> Person:
    """Forget someone entirely (see Store.erase), and their messages in the dry-run `outbox`."""
    person = store.require(email)
    store.erase(person, utc_iso(now))
    if outbox is not None:
        for message in outbox.glob(f"*/{safe_filename(person.email)}.eml"):
            message.unlink()
    return person


def unsubscribe(store: Store, email: str, now: dt.datetime) -> tuple[Person, bool]:
    """Take someone off the list: (the person, False when they were already off it)."""
    person = store.require(email)
    return person, store.unsubscribe(person, utc_iso(now), BY_HAND)


@dataclass(frozen=True)
class TrackResult:
    email: str
    phrase: str  # "a reply from"
    at: str
    new_person: bool


def track(store: Store, what: Tracked, email: str, at: dt.datetime, post: str | None = None, note: str = "",
          channel: Channel | None = None) -> TrackResult:
    """Record `what` happened with `email` at `at`; someone not yet in the store is added (not subscribed)."""
    kind, default_channel, phrase = TRACKED[what]
    moment = utc_iso(at)
    known = store.person(email)
    new = [] if known else [NewPerson(email, "", False, "tracked by hand", moment)]
    event = Event(kind, moment, post=post, channel=channel or default_channel, source=BY_HAND, note=note)
    store.record([(email, event)], new)
    return TrackResult(email, phrase, moment, known is None)
