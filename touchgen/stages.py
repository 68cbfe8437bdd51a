"""Stages derived from events (reader, conversation, relationship) and the funnel over them."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from .config import StagesSettings
from .store import Event, Store

STAGES = ("reader", "conversation", "relationship")
# Contact that goes both ways. A touch the author records is deliberate but one-way: it restarts
# the daily-touch clock, it does not move a stage.
TWO_WAY = ("replied", "booked_call", "call_held")
CALL_KINDS = ("booked_call", "call_held")


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def span_days(first: str, last: str) -> int:
    return (_moment(last) - _moment(first)).days


def stage_for(days: int, first: str | None, last: str | None, rules: StagesSettings) -> str:
    """The stage of a person with two-way contact on `days` distinct days from `first` to `last`."""
    if days == 0 or first is None or last is None:
        return "reader"
    if days >= rules.relationship_min_days and span_days(first, last) >= rules.relationship_min_span_days:
        return "relationship"
    return "conversation"


@dataclass(frozen=True)
class Explained:
    stage: str
    reason: str


def explain(events: list[Event], rules: StagesSettings) -> Explained:
    """The stage `events` lead to, and why, in words."""
    cancelled = {e.external_id for e in events if e.kind == "call_cancelled" and e.external_id}
    contact = [e for e in events
               if e.kind in TWO_WAY and not (e.kind in CALL_KINDS and e.external_id in cancelled)]
    days = sorted({e.at[:10] for e in contact})
    if not days:
        return Explained("reader", "no reply, booked call or held call yet")
    first, last = min(e.at for e in contact), max(e.at for e in contact)
    stage = stage_for(len(days), first, last, rules)
    span = span_days(first, last)
    day_word = "day" if len(days) == 1 else "days"
    if stage == "relationship":
        reason = (f"two-way contact on {len(days)} {day_word} over {span} days "
                  f"(at least {rules.relationship_min_days} days over {rules.relationship_min_span_days})")
    else:
        reason = (f"two-way contact on {len(days)} {day_word} over {span} days; relationship needs "
                  f"{rules.relationship_min_days} days over {rules.relationship_min_span_days}")
    return Explained(stage, reason)


def timeline(events: list[Event], rules: StagesSettings) -> list[tuple[Event, str]]:
    """Each event with the stage the person was in right after it."""
    return [(event, explain(events[:index + 1], rules).stage) for index, event in enumerate(events)]


def all_stages(store: Store, rules: StagesSettings) -> dict[int, str]:
    """The stage of everyone with two-way contact; everyone else is a reader."""
    return {row["person_id"]: stage_for(row["days"], row["first"], row["last"], rules)
            for row in store.two_way_summary(TWO_WAY)}


@dataclass
class Funnel:
    readers: int
    replied: int
    booked_call: int
    conversation: int
    relationship: int
    median_days_to_conversation: float | None
    by_post: list[dict[str, object]] = field(default_factory=list)

    STEPS = ("readers", "replied", "booked_call", "conversation", "relationship")

    def rates(self) -> dict[str, float | None]:
        """Each step as a share of the step before it."""
        counts = [getattr(self, step) for step in self.STEPS]
        return {step: (round(counts[i] / counts[i - 1], 4) if counts[i - 1] else None)
                for i, step in enumerate(self.STEPS) if i > 0}

    def as_dict(self, by_post: bool) -> dict[str, object]:
        data: dict[str, object] = {step: getattr(self, step) for step in self.STEPS}
        data["rates"] = self.rates()
        data["median_days_to_conversation"] = self.median_days_to_conversation
        if by_post:
            data["by_post"] = self.by_post
        return data


def funnel(store: Store, rules: StagesSettings, since: str | None = None, by_post: bool = False) -> Funnel:
    """How many people ever reached each step; with `since`, only people who joined from then on."""
    population = store.people_created(since)
    summaries = {row["person_id"]: row for row in store.two_way_summary(TWO_WAY) if row["person_id"] in population}
    stages = {pid: stage_for(row["days"], row["first"], row["last"], rules) for pid, row in summaries.items()}
    subscribed = store.first_events("subscribed")
    waits = []
    for pid, row in summaries.items():
        joined = subscribed.get(pid) or population[pid]
        waits.append(max(0.0, (_moment(row["first"]) - _moment(joined)).total_seconds() / 86400))
    result = Funnel(
        readers=len(population),
        replied=len(store.people_with("replied") & population.keys()),
        booked_call=len(store.people_with("booked_call") & population.keys()),
        conversation=sum(1 for s in stages.values() if s in ("conversation", "relationship")),
        relationship=sum(1 for s in stages.values() if s == "relationship"),
        median_days_to_conversation=round(statistics.median(waits), 1) if waits else None,
    )
    if by_post:
        sent = store.sends_per_post(since)
        replied = store.events_per_post("replied", since)
        booked = store.events_per_post("booked_call", since)
        first_sent = store.first_sent_per_post()
        posts = sorted(set(sent) | set(replied) | set(booked), key=lambda p: (first_sent.get(p, ""), p), reverse=True)
        result.by_post = [{"slug": p, "sent": sent.get(p, 0), "replied": replied.get(p, 0),
                           "booked_call": booked.get(p, 0)} for p in posts]
    return result
