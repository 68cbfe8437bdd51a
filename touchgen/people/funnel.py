"""The funnel: how many people ever reached each step, the rates between them, and per post the
newsletters delivered and the replies and calls they brought. The funnel's SQL lives here."""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass, field

from ..config import StagesSettings
from .model import EventKind, SendStatus, Stage
from .stages import stage_of
from .store import NOT_CANCELLED, Store

STEPS = ("readers", "replied", "booked_call", "conversation", "relationship")


@dataclass(frozen=True)
class PostCounts:
    slug: str
    sent: int
    replied: int
    booked_call: int


@dataclass(frozen=True)
class Funnel:
    readers: int
    replied: int
    booked_call: int
    conversation: int
    relationship: int
    median_days_to_conversation: float | None
    by_post: list[PostCounts] = field(default_factory=list)

    def count(self, step: str) -> int:
        counts: dict[str, int] = {"readers": self.readers, "replied": self.replied, "booked_call": self.booked_call,
                                  "conversation": self.conversation, "relationship": self.relationship}
        return counts[step]

    def rates(self) -> dict[str, float | None]:
        """Each step as a share of the step before it (None when that step is 0)."""
        counts = [self.count(step) for step in STEPS]
        return {step: (round(counts[i] / counts[i - 1], 4) if counts[i - 1] else None)
                for i, step in enumerate(STEPS) if i > 0}

    def as_dict(self, by_post: bool) -> dict[str, object]:
        """The JSON shape the README documents."""
        data: dict[str, object] = {step: self.count(step) for step in STEPS}
        data["rates"] = self.rates()
        data["median_days_to_conversation"] = self.median_days_to_conversation
        if by_post:
            data["by_post"] = [dataclasses.asdict(post) for post in self.by_post]
        return data


def count_people(store: Store, since: str | None = None) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM people WHERE created >= ?", (since or "",)).fetchone()[0])


def count_people_with(store: Store, kind: EventKind, since: str | None = None) -> int:
    """People (joined on or after `since`) with an event of `kind`; for calls, one not cancelled."""
    return int(store.db.execute(
        f"""SELECT COUNT(*) FROM people p WHERE p.created >= ? AND p.id IN
            (SELECT e.person_id FROM events e WHERE e.kind = ? AND {NOT_CANCELLED})""",
        (since or "", kind.value)).fetchone()[0])


def events_per_post(store: Store, kind: EventKind, since: str | None = None) -> dict[str, int]:
    rows = store.db.execute(
        "SELECT post, COUNT(*) FROM events WHERE kind = ? AND post IS NOT NULL AND at >= ? GROUP BY post",
        (kind.value, since or ""))
    return {row[0]: row[1] for row in rows}


def sends_per_post(store: Store, since: str | None = None) -> tuple[dict[str, int], dict[str, str]]:
    """Per post: newsletters delivered (sent, or sent and later bounced) since `since`, and the
    moment of its first claim (to order posts newest first)."""
    first = {row[0]: row[1] for row in store.db.execute("SELECT post, MIN(claimed_at) FROM sends GROUP BY post")}
    delivered = {row[0]: row[1] for row in store.db.execute(
        "SELECT post, COUNT(*) FROM sends WHERE status IN (?, ?) AND sent_at >= ? GROUP BY post",
        (SendStatus.SENT.value, SendStatus.BOUNCED.value, since or ""))}
    return delivered, first


def funnel(store: Store, rules: StagesSettings, since: str | None = None, by_post: bool = False) -> Funnel:
    """How many people ever reached each step; with `since`, only people who joined from then on."""
    contacts = store.contacts(since)
    stages = [stage_of(contact.days, contact.span, rules) for contact in contacts]
    waits = [max(0.0, contact.wait) for contact in contacts]
    posts: list[PostCounts] = []
    if by_post:
        delivered, first_claim = sends_per_post(store, since)
        replied = events_per_post(store, EventKind.REPLIED, since)
        booked = events_per_post(store, EventKind.BOOKED_CALL, since)
        slugs = sorted(set(first_claim) | set(replied) | set(booked),
                       key=lambda slug: (first_claim.get(slug, ""), slug), reverse=True)
        posts = [PostCounts(slug, delivered.get(slug, 0), replied.get(slug, 0), booked.get(slug, 0)) for slug in slugs]
    return Funnel(
        readers=count_people(store, since),
        replied=count_people_with(store, EventKind.REPLIED, since),
        booked_call=count_people_with(store, EventKind.BOOKED_CALL, since),
        conversation=len(stages),
        relationship=stages.count(Stage.RELATIONSHIP),
        median_days_to_conversation=round(statistics.median(waits), 1) if waits else None,
        by_post=posts,
    )
