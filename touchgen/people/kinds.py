"""The kinds a person's record is made of: events, channels, stages, send states. Only enums, so
that the command line can offer them as choices without loading the rest of the people store."""

from __future__ import annotations

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
