"""Who is due: each person's contact history in sum (one query over the store), their roles in the
account plans, and their cadence, the shortest that applies (DESIGN "The daily touch")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import parse_utc
from ..config import Settings
from ..people.model import Person, Stage
from ..people.stages import stage_of
from ..people.store import NOT_CANCELLED, Store, person_from
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

    @property
    def joined(self) -> dt.date:
        return parse_utc(self.person.created).date()


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


HISTORY_SQL = f"""
SELECT p.*,
    MAX(CASE WHEN e.kind IN ('replied', 'booked_call', 'call_held', 'touch') THEN e.at END) AS last_contact,
    MAX(CASE WHEN e.kind IN ('booked_call', 'call_held', 'touch') THEN e.at END) AS last_touch_or_call,
    MAX(CASE WHEN e.kind = 'replied' THEN e.at END) AS last_reply,
    COUNT(DISTINCT CASE WHEN e.kind IN ('replied', 'booked_call', 'call_held') THEN substr(e.at, 1, 10) END) AS days,
    MIN(CASE WHEN e.kind IN ('replied', 'booked_call', 'call_held') THEN e.at END) AS first_two_way,
    MAX(CASE WHEN e.kind IN ('replied', 'booked_call', 'call_held') THEN e.at END) AS last_two_way,
    MAX(CASE WHEN e.kind = 'do_not_contact' THEN e.at END) AS never,
    MAX(CASE WHEN e.kind = 'do_not_contact_undone' THEN e.at END) AS never_undone,
    MAX(CASE WHEN e.kind = 'unsubscribed' THEN 1 ELSE 0 END) AS unsubscribed
FROM events e JOIN people p ON p.id = e.person_id
WHERE e.kind IN ('replied', 'booked_call', 'call_held', 'touch', 'do_not_contact', 'do_not_contact_undone',
                 'unsubscribed')
  AND {NOT_CANCELLED} {{only}}
GROUP BY p.id
"""


def _day(text: str | None) -> dt.date | None:
    return parse_utc(text).date() if text else None


def histories(store: Store, settings: Settings, emails: set[str] | None = None, everyone: bool = False) -> list[History]:
    """The history of everyone with a reply, a call, a touch or a do-not-contact (and of `emails`);
    with `everyone`, of every person in the store."""
    rows = {row["id"]: row for row in store.db.execute(HISTORY_SQL.replace("{only}", ""))}
    wanted = {email.lower() for email in emails or set()}
    extra = store.db.execute("SELECT * FROM people").fetchall() if everyone or wanted else []
    people = [*rows.values(), *(row for row in extra if row["id"] not in rows
                                and (everyone or row["email"].lower() in wanted))]
    snoozes = {row[0]: row[1] for row in store.db.execute(
        """SELECT person_id, until FROM events s WHERE kind = 'snoozed'
           AND at = (SELECT MAX(at) FROM events t WHERE t.kind = 'snoozed' AND t.person_id = s.person_id)""")}
    reply_posts = {row[0]: row[1] for row in store.db.execute(
        """SELECT person_id, post FROM events r WHERE kind = 'replied'
           AND at = (SELECT MAX(at) FROM events q WHERE q.kind = 'replied' AND q.person_id = r.person_id)""")}
    rules = settings.stages
    found = []
    for row in people:
        summed = row["id"] in rows
        days = row["days"] if summed else 0
        span = (parse_utc(row["last_two_way"]) - parse_utc(row["first_two_way"])).days if summed and days else 0
        never, undone = (row["never"], row["never_undone"]) if summed else (None, None)
        found.append(History(
            person=person_from(row),
            stage=stage_of(days, span, rules),
            last_contact=_day(row["last_contact"]) if summed else None,
            last_two_way=_day(row["last_two_way"]) if summed else None,
            last_touch_or_call=_day(row["last_touch_or_call"]) if summed else None,
            last_reply=_day(row["last_reply"]) if summed else None,
            last_reply_post=reply_posts.get(row["id"]),
            snoozed_until=dt.date.fromisoformat(snoozes[row["id"]]) if snoozes.get(row["id"]) else None,
            do_not_contact=bool(never) and (undone is None or undone < never),
            left_the_list=not row["subscribed"] and summed and bool(row["unsubscribed"]),
        ))
    return found


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
    by_stage = {Stage.RELATIONSHIP: table.relationship, Stage.CONVERSATION: table.conversation,
                Stage.READER: table.reader}[history.stage]
    options.append((by_stage, f"stage {history.stage}"))
    days, reason = min(((d, r) for d, r in options if d > 0), default=(0, "no cadence applies"))
    if days and any(account.health is Health.FIX for account, _ in roles):
        days, reason = max(1, days // 2), reason + ", halved: the account is to be fixed"
    return Placed(history, tuple(roles), days, reason)


def placed_people(store: Store, settings: Settings, accounts: list[Account],
                  emails: set[str] | None = None) -> list[Placed]:
    """Everyone the daily touch may consider, with their cadence."""
    roles = roles_by_email(accounts)
    everyone = settings.touches.cadence.reader > 0
    wanted = set(roles) | (emails or set())
    return [place(history, roles.get(history.person.email.lower(), []), settings)
            for history in histories(store, settings, wanted, everyone)]
