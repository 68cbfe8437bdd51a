"""Who is due: each person's contact history in sum (one query over the store), their roles in the
account plans, and their cadence, the shortest that applies (DESIGN "The daily touch")."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..people.model import QUALIFYING, TWO_WAY, EventKind, Person, Stage
from ..people.stages import span_days, stage_of
from ..people.store import Store, chunked, person_from
from .accounts import Account, Health, Role, Tier


@dataclass(frozen=True)
class History:
    """What the daily touch needs to know of one person, from their events."""

    person: Person
    stage: Stage
    last_contact: dt.date | None  # the last reply, booked or held call, or touch
    last_two_way: dt.date | None  # the last reply, booked or held call
    last_touch_or_call: dt.date | None
    last_reply: dt.date | None
    last_reply_post: str | None
    snoozed_until: dt.date | None
    do_not_contact: bool
    left_the_list: bool  # unsubscribed (not someone who was never on the list, such as a tracked call)
    joined: dt.date


@dataclass(frozen=True)
class Placed:
    """A person with their roles in the account plans and their cadence in days (0: none applies)."""

    history: History
    roles: tuple[tuple[Account, Role], ...]
    cadence: int
    cadence_reason: str

    def silence(self, day: dt.date) -> int:
        """Days since the last qualifying contact, or since they joined when there was none."""
        return (day - (self.history.last_contact or self.history.joined)).days


TWO_WAY_KINDS = {kind.value for kind in TWO_WAY}
CONTACT_KINDS = {kind.value for kind in QUALIFYING}
TOUCH_OR_CALL_KINDS = CONTACT_KINDS - {EventKind.REPLIED.value}
KINDS = (*sorted(CONTACT_KINDS), *(kind.value for kind in (
    EventKind.CALL_CANCELLED, EventKind.DO_NOT_CONTACT, EventKind.DO_NOT_CONTACT_UNDONE, EventKind.UNSUBSCRIBED,
    EventKind.SNOOZED)))


@dataclass
class _Sum:
    """One person's relevant events, summed up while they are read."""

    last_contact: str = ""
    last_touch_or_call: str = ""
    last_reply: str = ""
    first_two_way: str = ""
    last_two_way: str = ""
    days: set[str] | None = None
    never: str = ""
    never_undone: str = ""
    unsubscribed: bool = False
    snooze: tuple[str, str] = ("", "")  # (when, until) of the latest snooze


def _sums(store: Store, ids: set[int]) -> dict[int, _Sum]:
    """The relevant events of these people, summed up exactly (cancelled calls left out)."""
    marks = ",".join("?" * len(KINDS))
    rows = []
    for chunk in chunked(ids):
        rows += store.db.execute(f"SELECT person_id, kind, at, external_id, until FROM events WHERE kind IN ({marks}) "
                                 f"AND person_id IN ({','.join('?' * len(chunk))})", (*KINDS, *chunk)).fetchall()
    cancelled = {(person, external) for person, kind, _, external, _ in rows if kind == "call_cancelled" and external}
    sums: dict[int, _Sum] = {}
    for person, kind, at, external, until in rows:
        found = sums.get(person)
        if found is None:
            found = sums[person] = _Sum()
        if kind in CONTACT_KINDS:
            if kind != "replied" and kind != "touch" and (person, external) in cancelled:
                continue  # a call that was cancelled did not happen
            found.last_contact = max(found.last_contact, at)
            if kind in TOUCH_OR_CALL_KINDS:
                found.last_touch_or_call = max(found.last_touch_or_call, at)
            if kind in TWO_WAY_KINDS:
                found.first_two_way = min(found.first_two_way or at, at)
                found.last_two_way = max(found.last_two_way, at)
                found.days = (found.days or set()) | {at[:10]}
            if kind == "replied":
                found.last_reply = max(found.last_reply, at)
        elif kind == "do_not_contact":
            found.never = max(found.never, at)
        elif kind == "do_not_contact_undone":
            found.never_undone = max(found.never_undone, at)
        elif kind == "unsubscribed":
            found.unsubscribed = True
        elif kind == "snoozed" and at >= found.snooze[0]:
            found.snooze = (at, until or "")
    return sums


# The light view of everyone: the last qualifying contact, and the two-way contact that sets the
# stage, each one aggregate over the (kind, person, at) index.
LIGHT_SQL = """SELECT person_id, MAX(at),
    COUNT(DISTINCT CASE WHEN kind != 'touch' THEN substr(at, 1, 10) END),
    CAST(julianday(MAX(CASE WHEN kind != 'touch' THEN at END)) - julianday(MIN(CASE WHEN kind != 'touch' THEN at END))
         AS INTEGER)
FROM events WHERE kind IN ('replied', 'booked_call', 'call_held', 'touch') GROUP BY person_id"""


def stage_cadence(stage: Stage, settings: Settings) -> int:
    table = settings.touches.cadence
    return {Stage.RELATIONSHIP: table.relationship, Stage.CONVERSATION: table.conversation,
            Stage.READER: table.reader}[stage]


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _ordinal(text: str) -> int:
    return dt.date.fromisoformat(text[:10]).toordinal()


def _stage(summed: _Sum, settings: Settings) -> Stage:
    """As touchgen.people.stages says: whole days from the first to the last two-way contact."""
    if not summed.days:
        return Stage.READER
    span = span_days(summed.first_two_way, summed.last_two_way)
    return stage_of(len(summed.days), span, settings.stages)


def _history(row: Any, summed: _Sum, reply_posts: dict[int, str], settings: Settings) -> History:
    return History(
        person=person_from(row),
        stage=_stage(summed, settings),
        last_contact=_day(summed.last_contact),
        last_two_way=_day(summed.last_two_way),
        last_touch_or_call=_day(summed.last_touch_or_call),
        last_reply=_day(summed.last_reply),
        last_reply_post=reply_posts.get(row["id"]),
        snoozed_until=_day(summed.snooze[1]),
        do_not_contact=bool(summed.never) and summed.never_undone < summed.never,
        left_the_list=not row["subscribed"] and summed.unsubscribed,
        joined=dt.date.fromisoformat(row["created"][:10]),
    )


class Population:
    """Everyone the daily touch may consider. Full records (Placed) are built on demand: for a
    large store only the people a day's ranking can reach are built (see planner.ranked)."""

    def __init__(self, store: Store, settings: Settings, accounts: list[Account], emails: set[str] | None = None,
                 replies_since: str = "") -> None:
        self.store = store
        self.settings = settings
        self.roles = roles_by_email(accounts)
        self.everyone = settings.touches.cadence.reader > 0
        self.reply_posts = {person: post for person, post in store.db.execute(
            "SELECT person_id, post FROM events WHERE kind = 'replied' AND at >= ? ORDER BY at", (replies_since,))}
        self.sums: dict[int, _Sum] = {}
        self._built: dict[int, Placed] = {}
        # Always built: people with a role in an account, and people asked for.
        wanted = set(self.roles) | {email.lower() for email in emails or set()}
        self.extra_ids = {row["id"] for row in self._rows_by_email(wanted)}
        # The light view of everyone else: (id, the day their silence counts from, cadence by stage).
        rules = settings.stages
        last_contact: dict[int, str] = {}
        stages: dict[int, Stage] = {}
        for person, last, days, span in store.db.execute(LIGHT_SQL):
            last_contact[person] = last
            stages[person] = stage_of(days, span or 0, rules)
        # Someone with a cancelled call is summed up exactly: that call did not happen.
        cancelled = {row[0] for row in store.db.execute("SELECT DISTINCT person_id FROM events WHERE kind = 'call_cancelled'")}
        for person, summed in _sums(store, cancelled).items():
            last_contact[person] = summed.last_contact
            stages[person] = _stage(summed, settings)
        joined: dict[int, str] = {}
        if self.everyone:
            joined = {row[0]: row[1] for row in store.db.execute("SELECT id, created FROM people")}
        self.light: list[tuple[int, int, int]] = []
        by_stage = {stage: stage_cadence(stage, settings) for stage in Stage}
        for person in (joined if self.everyone else last_contact):
            if person in self.extra_ids:
                continue
            cadence = by_stage[stages.get(person, Stage.READER)]
            since = last_contact.get(person) or joined.get(person)
            if cadence and since:
                self.light.append((person, _ordinal(since), cadence))

    def _rows_by_email(self, emails: set[str]) -> list[Any]:
        rows = self.store.people_rows(emails)
        self._build(rows)
        return rows

    def _build(self, rows: list[Any]) -> None:
        new = [row for row in rows if row["id"] not in self._built]
        self.sums.update(_sums(self.store, {row["id"] for row in new}))
        empty = _Sum()
        for row in new:
            history = _history(row, self.sums.get(row["id"], empty), self.reply_posts, self.settings)
            self._built[row["id"]] = place(history, self.roles.get(history.person.email.lower(), []), self.settings)

    def placed(self, ids: set[int]) -> list[Placed]:
        """The full records of these people."""
        self._build(self.store.people_by_ids({person for person in ids if person not in self._built}))
        return [self._built[person] for person in ids if person in self._built]

    def all(self) -> list[Placed]:
        """Everyone, built: for the stats, the accounts and readers show."""
        return self.placed({person for person, _, _ in self.light} | self.extra_ids)

    def extras(self, day: dt.date) -> list[Placed]:
        """Who the light view does not rank: people in accounts, people asked for, and everyone
        with a reply recent enough to be unanswered on `day`."""
        since = (day - dt.timedelta(days=self.settings.touches.answer_within_days)).isoformat()
        recent = {row[0] for row in self.store.db.execute(
            "SELECT DISTINCT person_id FROM events WHERE kind = 'replied' AND at >= ? AND at < ?",
            (since, (day + dt.timedelta(days=1)).isoformat()))}
        return self.placed(self.extra_ids | recent)

    def best(self, day: dt.date, count: int) -> list[Placed]:
        """The `count` people with the highest silence / cadence on `day` in the light view, and
        everyone tied with the last of them (so the rules' tie-breaks can be applied exactly)."""
        today = day.toordinal()
        keyed = [((since - today) / cadence, since - today, person) for person, since, cadence in self.light]
        top = heapq.nsmallest(count + 1, keyed)
        if len(top) > count and top[count][:2] == top[count - 1][:2]:  # a tie runs past the edge: take it whole
            last = top[count - 1][:2]
            top = [entry for entry in keyed if entry[:2] <= last]
        else:
            top = top[:count]
        return self.placed({person for _, _, person in top})


def roles_by_email(accounts: list[Account]) -> dict[str, list[tuple[Account, Role]]]:
    found: dict[str, list[tuple[Account, Role]]] = {}
    for account in accounts:
        for member in account.people:
            found.setdefault(member.email.lower(), []).append((account, member.role))
    return found


def place(history: History, roles: list[tuple[Account, Role]], settings: Settings) -> Placed:
    """The person's cadence: the shortest of what applies (role in an account, stage), halved
    when one of their accounts is to be fixed."""
    table = settings.touches.cadence
    options: list[tuple[int, str]] = []
    for account, role in roles:
        if role is Role.KEY:
            days = table.key_top if account.tier is Tier.TOP else table.key
            options.append((days, f"key contact of {account.name}" + (" (top account)" if account.tier is Tier.TOP else "")))
        else:
            options.append((table.delivery if role is Role.DELIVERY else table.support,
                             f"{role.value} contact of {account.name}"))
    options.append((stage_cadence(history.stage, settings), f"stage {history.stage}"))
    days, reason = min(((d, r) for d, r in options if d > 0), default=(0, "no cadence applies"))
    if days and any(account.health is Health.FIX for account, _ in roles):
        days, reason = max(1, days // 2), reason + ", halved: the account is to be fixed"
    return Placed(history, tuple(roles), days, reason)
