"""touchgen.people.stages: stage_of at its boundaries, explain() with cancelled calls and touches, timeline()."""

from __future__ import annotations

import pytest

from touchgen.config import StagesSettings
from touchgen.people.model import Event, EventKind, Stage
from touchgen.people.stages import explain, span_days, stage_of, timeline

RULES = StagesSettings(relationship_min_days=3, relationship_min_span_days=60)
NO_CONTACT = "no reply, booked call or held call yet"


def event(kind: EventKind, at: str, external_id: str | None = None) -> Event:
    return Event(kind=kind, at=at, external_id=external_id)


@pytest.mark.parametrize("days, span, stage", [
    (0, 0, Stage.READER),
    (0, 400, Stage.READER),
    (1, 0, Stage.CONVERSATION),
    (2, 100, Stage.CONVERSATION),
    (3, 59, Stage.CONVERSATION),
    (3, 60, Stage.RELATIONSHIP),
    (20, 365, Stage.RELATIONSHIP),
], ids=["nothing", "span-without-days", "one-day", "two-days-long-span", "three-days-59", "three-days-60",
        "many"])
def test_stage_of_at_the_boundaries(days, span, stage):
    assert stage_of(days, span, RULES) is stage


@pytest.mark.parametrize("days, span, stage", [
    (1, 30, Stage.CONVERSATION),
    (2, 29, Stage.CONVERSATION),
    (2, 30, Stage.RELATIONSHIP),
], ids=["one-day", "span-short", "both-met"])
def test_stage_of_follows_other_rules(days, span, stage):
    assert stage_of(days, span, StagesSettings(relationship_min_days=2, relationship_min_span_days=30)) is stage


@pytest.mark.parametrize("first, last, days", [
    ("2026-01-01T10:00:00Z", "2026-01-01T23:59:59Z", 0),
    ("2026-01-01T10:00:00Z", "2026-03-02T09:59:59Z", 59),
    ("2026-01-01T10:00:00Z", "2026-03-02T10:00:00Z", 60),
], ids=["same-day", "one-second-short", "exact"])
def test_span_days_counts_whole_days(first, last, days):
    assert span_days(first, last) == days


def test_no_events_is_a_reader():
    verdict = explain([], RULES)
    assert (verdict.stage, verdict.reason) == (Stage.READER, NO_CONTACT)


def test_one_way_events_leave_a_reader():
    events = [event(EventKind.SUBSCRIBED, "2026-01-01T10:00:00Z"),
              event(EventKind.SENT, "2026-01-05T07:00:00Z", "welcome.1@example.com"),
              event(EventKind.TOUCH, "2026-01-06T10:00:00Z"),
              event(EventKind.TOUCH, "2026-03-06T10:00:00Z"),
              event(EventKind.TOUCH, "2026-05-06T10:00:00Z"),
              event(EventKind.BOUNCED, "2026-05-07T10:00:00Z")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (Stage.READER, NO_CONTACT)


def test_touches_do_not_move_a_conversation_to_a_relationship():
    events = [event(EventKind.REPLIED, "2026-01-01T10:00:00Z", "<r1@example.com>"),
              event(EventKind.TOUCH, "2026-02-01T10:00:00Z"),
              event(EventKind.TOUCH, "2026-04-01T10:00:00Z")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (
        Stage.CONVERSATION, "two-way contact on 1 day over 0 days; relationship needs 3 days over 60")


@pytest.mark.parametrize("kind", [EventKind.BOOKED_CALL, EventKind.CALL_HELD], ids=["booked", "held"])
def test_a_call_later_cancelled_does_not_count(kind):
    events = [event(kind, "2026-01-01T10:00:00Z", "uid-1"),
              event(EventKind.CALL_CANCELLED, "2026-01-02T10:00:00Z", "uid-1")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (Stage.READER, NO_CONTACT)


def test_a_cancellation_takes_back_only_the_call_with_its_id():
    events = [event(EventKind.BOOKED_CALL, "2026-01-01T10:00:00Z", "uid-1"),
              event(EventKind.BOOKED_CALL, "2026-01-20T10:00:00Z", "uid-2"),
              event(EventKind.CALL_CANCELLED, "2026-01-21T10:00:00Z", "uid-2"),
              event(EventKind.CALL_CANCELLED, "2026-01-22T10:00:00Z", "uid-unknown")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (
        Stage.CONVERSATION, "two-way contact on 1 day over 0 days; relationship needs 3 days over 60")


def test_a_cancellation_does_not_take_back_a_reply_with_the_same_id():
    events = [event(EventKind.REPLIED, "2026-01-01T10:00:00Z", "same-id"),
              event(EventKind.CALL_CANCELLED, "2026-01-02T10:00:00Z", "same-id")]
    assert explain(events, RULES).stage is Stage.CONVERSATION


def test_a_cancelled_call_shortens_the_span():
    events = [event(EventKind.REPLIED, "2026-01-01T10:00:00Z", "r1"),
              event(EventKind.REPLIED, "2026-01-15T10:00:00Z", "r2"),
              event(EventKind.CALL_HELD, "2026-02-10T10:00:00Z", "call-1"),
              event(EventKind.BOOKED_CALL, "2026-03-10T10:00:00Z", "call-2"),
              event(EventKind.CALL_CANCELLED, "2026-03-09T10:00:00Z", "call-2")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (
        Stage.CONVERSATION, "two-way contact on 3 days over 40 days; relationship needs 3 days over 60")


@pytest.mark.parametrize("last, stage, reason", [
    ("2026-03-02T10:00:00Z", Stage.RELATIONSHIP, "two-way contact on 3 days over 60 days (at least 3 days over 60)"),
    ("2026-03-02T09:59:59Z", Stage.CONVERSATION,
     "two-way contact on 3 days over 59 days; relationship needs 3 days over 60"),
    ("2026-03-01T10:00:00Z", Stage.CONVERSATION,
     "two-way contact on 3 days over 59 days; relationship needs 3 days over 60"),
], ids=["exactly-60-days", "one-second-short", "one-day-short"])
def test_explain_reasons_at_the_span_boundary(last, stage, reason):
    events = [event(EventKind.REPLIED, "2026-01-01T10:00:00Z", "r1"),
              event(EventKind.BOOKED_CALL, "2026-02-01T10:00:00Z", "b1"),
              event(EventKind.CALL_HELD, last, "h1")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (stage, reason)


def test_contact_on_the_same_day_counts_as_one_day():
    events = [event(EventKind.REPLIED, "2026-01-01T08:00:00Z", "r1"),
              event(EventKind.BOOKED_CALL, "2026-01-01T09:00:00Z", "b1"),
              event(EventKind.REPLIED, "2026-03-15T10:00:00Z", "r2")]
    verdict = explain(events, RULES)
    assert (verdict.stage, verdict.reason) == (
        Stage.CONVERSATION, "two-way contact on 2 days over 73 days; relationship needs 3 days over 60")


def test_timeline_gives_the_stage_after_each_event():
    events = [event(EventKind.SUBSCRIBED, "2026-01-01T10:00:00Z"),
              event(EventKind.BOOKED_CALL, "2026-01-05T10:00:00Z", "uid-1"),
              event(EventKind.CALL_CANCELLED, "2026-01-06T10:00:00Z", "uid-1"),
              event(EventKind.REPLIED, "2026-01-10T10:00:00Z", "r1"),
              event(EventKind.TOUCH, "2026-02-10T10:00:00Z"),
              event(EventKind.REPLIED, "2026-02-20T10:00:00Z", "r2"),
              event(EventKind.CALL_HELD, "2026-03-11T10:00:00Z", "h1")]
    steps = timeline(events, RULES)
    assert [e for e, _ in steps] == events
    assert [(e.kind, stage) for e, stage in steps] == [
        (EventKind.SUBSCRIBED, Stage.READER),
        (EventKind.BOOKED_CALL, Stage.CONVERSATION),
        (EventKind.CALL_CANCELLED, Stage.READER),
        (EventKind.REPLIED, Stage.CONVERSATION),
        (EventKind.TOUCH, Stage.CONVERSATION),
        (EventKind.REPLIED, Stage.CONVERSATION),
        (EventKind.CALL_HELD, Stage.RELATIONSHIP),
    ]


def test_timeline_of_no_events_is_empty():
    assert timeline([], RULES) == []
