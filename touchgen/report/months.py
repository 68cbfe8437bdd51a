"""People per stage at the end of each month: the moment each person joined, began a conversation
and entered a relationship, from their events, counted month by month."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from ..clock import utc_iso
from ..config import StagesSettings
from ..people.model import TWO_WAY
from ..people.stages import span_days
from ..people.store import NOT_CANCELLED, Store


@dataclass(frozen=True)
class MonthStages:
    month: str  # YYYY-MM
    reader: int
    conversation: int
    relationship: int

    @property
    def people(self) -> int:
        return self.reader + self.conversation + self.relationship

    def as_dict(self) -> dict[str, object]:
        return {"month": self.month, "reader": self.reader, "conversation": self.conversation,
                "relationship": self.relationship}


def month_ends(today: dt.date, zone: dt.tzinfo, count: int) -> list[tuple[str, str]]:
    """The `count` months up to today's, oldest first: (YYYY-MM, the UTC moment the month ends,
    or for today's month the moment today ends)."""
    ends = []
    year, month = today.year, today.month
    for number in range(count):
        if number == 0:
            last = today
        else:
            last = dt.date(year, month, 1) + dt.timedelta(days=31)
            last = last.replace(day=1) - dt.timedelta(days=1)
        after = last + dt.timedelta(days=1)
        ends.append((f"{year:04d}-{month:02d}", utc_iso(dt.datetime(after.year, after.month, after.day, tzinfo=zone))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends[::-1]


def milestones(store: Store, rules: StagesSettings) -> tuple[list[str], list[str], list[str]]:
    """Sorted moments: when each person joined (added to the store, or their first two-way contact
    when that came earlier), began a conversation, and entered a relationship."""
    joined = {person: created for person, created in store.db.execute("SELECT id, created FROM people")}
    marks = ",".join("?" * len(TWO_WAY))
    rows = store.db.execute(f"SELECT e.person_id, e.at FROM events e WHERE e.kind IN ({marks}) AND {NOT_CANCELLED} "
                            "ORDER BY e.person_id, e.at", tuple(kind.value for kind in TWO_WAY))
    conversation: dict[int, str] = {}
    relationship: dict[int, str] = {}
    days: dict[int, set[str]] = {}
    for person, at in rows:
        first = conversation.setdefault(person, at)
        seen = days.setdefault(person, set())
        seen.add(at[:10])
        if (person not in relationship and len(seen) >= rules.relationship_min_days
                and span_days(first, at) >= rules.relationship_min_span_days):
            relationship[person] = at
    for person, first in conversation.items():
        if person in joined:
            joined[person] = min(joined[person], first)
    return sorted(joined.values()), sorted(conversation.values()), sorted(relationship.values())


def stages_by_month(store: Store, rules: StagesSettings, today: dt.date, zone: dt.tzinfo,
                    count: int) -> list[MonthStages]:
    """How many people were in each stage at the end of each of the `count` months up to today."""
    joined, conversation, relationship = milestones(store, rules)
    found = []
    for month, end in month_ends(today, zone, count):
        people = bisect.bisect_left(joined, end)
        talking = bisect.bisect_left(conversation, end)
        related = bisect.bisect_left(relationship, end)
        found.append(MonthStages(month, people - talking, talking - related, related))
    return found
