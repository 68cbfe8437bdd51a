"""The daily touch as the commands use it: today's person with a drafted note, the coming week,
and what the author records (a touch done, a snooze, do-not-contact)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import utc_iso
from ..config import Settings
from ..errors import TouchgenError
from ..people.model import Channel, Event, EventKind, Person
from ..people.store import Store
from .accounts import Account, add_missing_people, load_accounts
from .cadence import Placed, Population
from .planner import Proposal, plan_days
from .stats import TESTS
from .workdays import Workdays

WEEK = 5  # working days `touch week` plans


def population(store: Store, settings: Settings, now: dt.datetime, emails: set[str] | None = None
               ) -> tuple[list[Account], Population]:
    """The account plans (their people added to the store when missing) and everyone the daily
    touch may consider."""
    accounts = load_accounts(settings.paths)
    add_missing_people(store, accounts, now)
    # Replies old enough that no day of the coming weeks can find them unanswered need no post.
    since = utc_iso(now - dt.timedelta(days=settings.touches.answer_within_days + 31))
    return accounts, Population(store, settings, accounts, emails, since)


def prepare(store: Store, settings: Settings, now: dt.datetime, emails: set[str] | None = None
            ) -> tuple[list[Account], list[Placed]]:
    """The account plans and everyone placed, all built (for stats, accounts and readers show)."""
    accounts, people = population(store, settings, now, emails)
    return accounts, people.all()


@dataclass(frozen=True)
class Today:
    asked: dt.date
    working: bool  # whether `asked` is a working day; if not, the proposal is for the next one
    proposal: Proposal | None
    note: str


def today(store: Store, settings: Settings, asked: dt.date, now: dt.datetime) -> Today:
    """The one person for `asked` (or for the next working day when it is not one), with a note."""
    from ..site.content import load_content
    from .note import draft

    _, people = population(store, settings, now)
    working = Workdays.from_settings(settings.touches).is_working(asked)
    ((_, proposal),) = plan_days(people, asked, 1, settings)
    note = draft(load_content(settings), store, proposal, settings) if proposal is not None else ""
    return Today(asked, working, proposal, note)


def week(store: Store, settings: Settings, asked: dt.date, now: dt.datetime) -> list[tuple[dt.date, Proposal | None]]:
    """One person for each of the coming WEEK working days, nobody twice."""
    _, people = population(store, settings, now)
    return plan_days(people, asked, WEEK, settings)


def parse_tests(text: str | None) -> list[str]:
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in TESTS]
    if unknown:
        raise TouchgenError(f"--tests has {', '.join(repr(name) for name in unknown)}, which is not a test "
                            f"(use any of: {','.join(TESTS)})")
    return [name for name in TESTS if name in names]


def done(store: Store, email: str, at: dt.datetime, channel: Channel, note: str, tests: list[str]) -> Person:
    """Record a deliberate touch: it restarts the person's clock and counts for the stats."""
    person = store.require(email)
    store.record([(person.email, Event(EventKind.TOUCH, utc_iso(at), channel=channel, source="touch done",
                                       note=note, tests=",".join(tests)))])
    return person


def snooze(store: Store, email: str, until: dt.date, today_: dt.date, now: dt.datetime) -> Person:
    """Not proposed before `until`."""
    if until <= today_:
        raise TouchgenError(f"--until {until} is not after today ({today_}); give a later date")
    person = store.require(email)
    store.record([(person.email, Event(EventKind.SNOOZED, utc_iso(now), source="touch snooze",
                                       until=until.isoformat()))])
    return person


def never(store: Store, email: str, now: dt.datetime, undo: bool) -> Person:
    """Do-not-contact (or, with `undo`, take it back): an event, so it can always be explained."""
    person = store.require(email)
    kind = EventKind.DO_NOT_CONTACT_UNDONE if undo else EventKind.DO_NOT_CONTACT
    store.record([(person.email, Event(kind, utc_iso(now), source="touch never"))])
    return person
