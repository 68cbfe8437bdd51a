"""Where each key account stands: its people per role, the last two-way contact per role, and who
is overdue for a touch (what `accounts list` and the report show)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .accounts import Account, Role
from .cadence import Placed


@dataclass(frozen=True)
class Overdue:
    """Someone of an account whose silence has reached their cadence."""

    email: str
    name: str
    role: Role
    silence: int
    cadence: int


@dataclass(frozen=True)
class Standing:
    account: Account
    people: dict[Role, int]  # people per role
    last_contact: dict[Role, dt.date | None]  # the last two-way contact per role
    overdue: tuple[Overdue, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `accounts list` (the README documents it)."""
        account = self.account
        row: dict[str, Any] = {"slug": account.slug, "name": account.name, "tier": str(account.tier),
                                  "health": str(account.health)}
        for role in Role:
            row[role.value] = self.people[role]
        for role in Role:
            last = self.last_contact[role]
            row[f"last_{role.value}"] = last.isoformat() if last else ""
        row["overdue"] = [person.email for person in self.overdue]
        return row


def standing(account: Account, placed: dict[str, Placed], day: dt.date) -> Standing:
    """`account` on `day`; `placed` holds everyone of its plan by lower-cased address."""
    people: dict[Role, int] = {}
    last: dict[Role, dt.date | None] = {}
    for role in Role:
        members = [placed[m.email.lower()] for m in account.people if m.role is role]
        contacts = [p.history.last_two_way for p in members if p.history.last_two_way]
        people[role] = len(members)
        last[role] = max(contacts) if contacts else None
    overdue = []
    for member in account.people:
        person = placed[member.email.lower()]
        if person.cadence and person.silence(day) >= person.cadence:
            overdue.append(Overdue(member.email, person.history.person.name, member.role, person.silence(day),
                                   person.cadence))
    return Standing(account, people, last, tuple(overdue))
