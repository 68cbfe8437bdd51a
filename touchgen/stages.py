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


def stage_of(days: int, span: int, rules: StagesSettings) -> str:
    """The stage of someone with two-way contact on `days` distinct days, `span` whole days apart."""
    if days == 0:
        return "reader"
    if days >= rules.relationship_min_days and span >= rules.relationship_min_span_days:
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
    span = span_days(min(e.at for e in contact), max(e.at for e in contact))
    stage = stage_of(len(days), span, rules)
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
    return {row["person_id"]: stage_of(row["days"], row["span"], rules) for row in store.contact_summary(TWO_WAY)}


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
    contacts = store.contact_summary(TWO_WAY, since)
    stages = [stage_of(row["days"], row["span"], rules) for row in contacts]
    waits = [max(0.0, row["wait"]) for row in contacts]
    result = Funnel(
        readers=store.count_people(since),
        replied=store.count_people_with("replied", since),
        booked_call=store.count_people_with("booked_call", since),
        conversation=len(stages),
        relationship=stages.count("relationship"),
        median_days_to_conversation=round(statistics.median(waits), 1) if waits else None,
    )
    if by_post:
        sent = store.sends_per_post(since)
        replied = store.events_per_post("replied", since)
        booked = store.events_per_post("booked_call", since)
        posts = sorted(set(sent) | set(replied) | set(booked),
                       key=lambda post: (sent[post][1] if post in sent else "", post), reverse=True)
        result.by_post = [{"slug": p, "sent": sent[p][0] if p in sent else 0, "replied": replied.get(p, 0),
                           "booked_call": booked.get(p, 0)} for p in posts]
    return result
