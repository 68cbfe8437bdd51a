"""Who is proposed for a touch on a day, and why: an unanswered reply first (the longest waiting),
then the highest silence against cadence, never someone excluded (DESIGN "The daily touch")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import Settings
from .accounts import Account, Activity, Health
from .cadence import History, Placed, Population
from .workdays import Workdays


@dataclass(frozen=True)
class Proposal:
    """One person for one day, with every reason the answer gives."""

    day: dt.date
    placed: Placed
    silence: int
    ratio: float  # silence / cadence (0 without a cadence)
    unanswered: dt.date | None  # the day of a reply still waiting for an answer
    activity: tuple[Account, Activity] | None  # a planned activity within lead_days

    @property
    def email(self) -> str:
        return self.placed.history.person.email

    def reasons(self) -> list[str]:
        placed, history = self.placed, self.placed.history
        found = []
        if self.unanswered:
            post = f" to '{history.last_reply_post}'" if history.last_reply_post else ""
            found.append(f"replied on {self.unanswered}{post} and has had no answer "
                         f"({(self.day - self.unanswered).days} days)")
        if self.activity:
            account, activity = self.activity
            found.append(f"{activity.what} with {account.name} on {activity.date} "
                         f"(in {(activity.date - self.day).days} days): tend it before you need it")
        if placed.cadence:
            since = "since the last contact" if history.last_contact else "since they joined"
            found.append(f"{self.silence} days of silence {since}, against a cadence of {placed.cadence} "
                         f"({placed.cadence_reason}): {self.ratio:.2f}")
        roles = ", ".join(f"{role.value} contact of {account.name}" for account, role in placed.roles)
        found.append(f"stage {history.stage}" + (f"; {roles}" if roles else ""))
        return found


def out_for_good(placed: Placed) -> bool:
    """Out of the daily touch whatever the day: do-not-contact, left the list with no role in an
    account, or in an account walked away from."""
    history = placed.history
    return (history.do_not_contact or (history.left_the_list and not placed.roles)
            or any(account.health is Health.WALK_AWAY for account, _ in placed.roles))


def excluded(placed: Placed, day: dt.date, settings: Settings) -> bool:
    """Never proposed on `day`: out for good, snoozed past `day`, or touched or called in the last
    quiet_days."""
    history = placed.history
    if out_for_good(placed) or (history.snoozed_until is not None and history.snoozed_until > day):
        return True
    last = history.last_touch_or_call
    return last is not None and (day - last).days < settings.touches.quiet_days


def unanswered_reply(history: History, day: dt.date, within_days: int) -> dt.date | None:
    """The day of the person's last reply when it still waits for an answer on `day`: at most
    `within_days` old (an older one was surely answered outside touchgen), no touch or call since."""
    reply = history.last_reply
    if reply is not None and 0 <= (day - reply).days <= within_days and (
            history.last_touch_or_call is None or history.last_touch_or_call < reply):
        return reply
    return None


def propose(placed: Placed, day: dt.date, settings: Settings) -> Proposal | None:
    """`placed` as a proposal for `day`, or None when excluded or with nothing to propose them for."""
    if excluded(placed, day, settings):
        return None
    touches = settings.touches
    unanswered = unanswered_reply(placed.history, day, touches.answer_within_days)
    activity = next(((account, activity) for account, _ in placed.roles for activity in account.activities
                     if 0 <= (activity.date - day).days <= touches.lead_days), None)
    silence = placed.silence(day)
    ratio = silence / placed.cadence if placed.cadence else 0.0
    if activity is not None and placed.cadence:
        ratio = max(ratio, 1.0)  # due now: start before you need it
    if unanswered is None and not placed.cadence:
        return None
    return Proposal(day, placed, silence, ratio, unanswered, activity)


def order(proposal: Proposal) -> tuple[int, float, int, str]:
    """Unanswered replies first, longest waiting first; then by silence / cadence, longest silence
    and the address breaking ties."""
    if proposal.unanswered is not None:
        return (0, proposal.unanswered.toordinal(), 0, proposal.email.lower())
    return (1, -proposal.ratio, -proposal.silence, proposal.email.lower())


SHORTLIST = 200


def ranked(people: Population, day: dt.date, settings: Settings, limit: int) -> list[Proposal]:
    """At least the best `limit` proposals for `day`, best first.

    The rules run on a shortlist: the best by silence / cadence in the light view (which orders
    everyone without a fresh reply or an account role exactly as `order` does), ties included, plus
    everyone with such a reply or role. When fewer than `limit` of that best survive the
    exclusions, the shortlist grows until they do or everyone is in it."""
    size = SHORTLIST + limit
    while True:
        best = people.best(day, size)
        survivors = [found for found in (propose(placed, day, settings) for placed in best) if found is not None]
        if len(survivors) >= limit or len(best) >= len(people.light):
            break
        size *= 4
    extra = [found for found in (propose(placed, day, settings) for placed in people.extras(day)) if found is not None]
    unique = {proposal.email.lower(): proposal for proposal in [*survivors, *extra]}
    return sorted(unique.values(), key=order)


def plan_days(people: Population, first: dt.date, days: int, settings: Settings) -> list[tuple[dt.date, Proposal | None]]:
    """One person for each of the `days` working days from `first` on, nobody twice."""
    chosen: set[str] = set()
    plan: list[tuple[dt.date, Proposal | None]] = []
    for day in Workdays.from_settings(settings.touches).coming(first, days):
        best = next((p for p in ranked(people, day, settings, len(chosen) + 1) if p.email.lower() not in chosen), None)
        if best is not None:
            chosen.add(best.email.lower())
        plan.append((day, best))
    return plan
