"""Stages derived from events: reader, conversation, relationship, and why."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import parse_utc
from ..config import StagesSettings
from ..text import plural
from .model import CALLS, TWO_WAY, Event, EventKind, Person, Stage
from .store import Store


def span_days(first: str, last: str) -> int:
    """Whole days between two stored moments."""
    return (parse_utc(last) - parse_utc(first)).days


def stage_of(days: int, span: int, rules: StagesSettings) -> Stage:
    """The stage of someone with two-way contact on `days` distinct days, `span` whole days apart."""
    if days == 0:
        return Stage.READER
    if days >= rules.relationship_min_days and span >= rules.relationship_min_span_days:
        return Stage.RELATIONSHIP
    return Stage.CONVERSATION


@dataclass(frozen=True)
class Explained:
    stage: Stage
    reason: str


def explain(events: list[Event], rules: StagesSettings) -> Explained:
    """The stage `events` lead to, and why, in words."""
    cancelled = {e.external_id for e in events if e.kind is EventKind.CALL_CANCELLED and e.external_id}
    contact = [e for e in events if e.kind in TWO_WAY and not (e.kind in CALLS and e.external_id in cancelled)]
    days = sorted({e.at[:10] for e in contact})
    if not days:
        return Explained(Stage.READER, "no reply, booked call or held call yet")
    span = span_days(min(e.at for e in contact), max(e.at for e in contact))
    stage = stage_of(len(days), span, rules)
    done = f"two-way contact on {plural(len(days), 'day')} over {span} days"
    needed = f"{rules.relationship_min_days} days over {rules.relationship_min_span_days}"
    if stage is Stage.RELATIONSHIP:
        return Explained(stage, f"{done} (at least {needed})")
    return Explained(stage, f"{done}; relationship needs {needed}")


def timeline(events: list[Event], rules: StagesSettings) -> list[tuple[Event, Stage]]:
    """Each event with the stage the person was in right after it."""
    return [(event, explain(events[:index + 1], rules).stage) for index, event in enumerate(events)]


def all_stages(store: Store, rules: StagesSettings) -> dict[int, Stage]:
    """The stage of everyone with two-way contact, by person id; everyone else is a reader."""
    return {contact.person_id: stage_of(contact.days, contact.span, rules) for contact in store.contacts()}


@dataclass(frozen=True)
class History:
    """A person, who introduced them, their stage and why, and every event with the stage after it."""

    person: Person
    introducer: str | None
    verdict: Explained
    timeline: list[tuple[Event, Stage]]


def history(store: Store, email: str, rules: StagesSettings) -> History:
    """What `readers show` prints; UnknownPerson when nobody has that address."""
    person = store.require(email)
    events = store.events_of(person.id)
    introducer = store.person_by_id(person.introduced_by).email if person.introduced_by else None
    return History(person, introducer, explain(events, rules), timeline(events, rules))


def people_with_stages(store: Store, rules: StagesSettings, only: Stage | None = None,
                       bounced: bool = False) -> list[tuple[Person, Stage]]:
    """Everyone by address with their stage (only those in `only`, when given; only those whose
    address bounced, with `bounced`)."""
    stages = all_stages(store, rules)
    chosen = store.bounced_ids() if bounced else None
    found = [(person, stages.get(person.id, Stage.READER)) for person in store.people()
             if chosen is None or person.id in chosen]
    return [(person, stage) for person, stage in found if only is None or stage is only]
