"""Key accounts: yearly relationship plans kept as TOML files under data/accounts/, the one source of
truth (no account tables in the store). Each is read whole and checked, with located errors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..clock import utc_iso
from ..errors import LocatedError, ManyErrors, TouchgenError
from ..files import parse_toml, read_utf8, write_atomic
from ..paths import SitePaths
from ..people.model import NewPerson
from ..people.store import Store
from ..site.slugs import slugify
from ..text import normalize_email, plural, valid_email


class Tier(StrEnum):
    TOP = "top"
    OTHER = "other"


class Health(StrEnum):
    HEALTHY = "healthy"
    FIX = "fix"  # halves the cadence of its people
    WALK_AWAY = "walk-away"  # its people leave the daily touch


class Role(StrEnum):
    KEY = "key"  # decides: the key contact
    DELIVERY = "delivery"  # does the work with you
    SUPPORT = "support"  # payments, meetings, logistics


@dataclass(frozen=True)
class Member:
    email: str
    role: Role


@dataclass(frozen=True)
class Activity:
    date: dt.date
    what: str


@dataclass(frozen=True)
class Account:
    slug: str
    name: str
    tier: Tier
    health: Health
    goals: tuple[str, ...]
    people: tuple[Member, ...]
    activities: tuple[Activity, ...]
    source: str  # data/accounts/<slug>.toml, for messages


def _line(text: str, pattern: str, nth: int = 0) -> int | None:
    """The line of the nth match of `pattern` (a regex for one line), for located errors."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if re.search(pattern, line)]
    return found[nth] if len(found) > nth else None


def _key_after(text: str, key: str, start: int | None) -> int | None:
    """The line of `key = ...` at or after line `start` (the block it belongs to), else `start`."""
    lines = text.splitlines()
    for number in range(start or 1, len(lines) + 1):
        if re.match(rf"\s*{key}\s*=", lines[number - 1]):
            return number
    return start


def _people_line(text: str, number: int, email: str) -> int | None:
    """The line of a person's address in the plan, else of their [[people]] block."""
    return _line(text, re.escape(email)) or _line(text, r"^\s*\[\[people\]\]", number)


def _choice(enum: Any, value: object, what: str, shown: str, line: int | None) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = " | ".join(item.value for item in enum)
        raise LocatedError(shown, line, f"{what} {value!r} is not one of {allowed}") from None


def read_plan(path: Path, shown: str) -> Account:
    """One plan file, checked: tier, health, roles, each person once, every activity dated."""
    text = read_utf8(path, shown, "save the plan as UTF-8")
    data = parse_toml(text, shown)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LocatedError(shown, _line(text, r"^\s*name\s*=") or 1, "the plan has no name (add: name = \"Acme Corp\")")
    tier = _choice(Tier, data.get("tier", "other"), "tier", shown, _line(text, r"^\s*tier\s*="))
    health = _choice(Health, data.get("health", "healthy"), "health", shown, _line(text, r"^\s*health\s*="))
    goals = data.get("goals", [])
    if not isinstance(goals, list) or not all(isinstance(goal, str) for goal in goals):
        raise LocatedError(shown, _line(text, r"^\s*goals\s*="), "goals must be a list of strings")
    members: list[Member] = []
    seen: dict[str, int] = {}
    people = data.get("people", [])
    if not isinstance(people, list):
        raise LocatedError(shown, _line(text, r"^\s*people\s*="), "people must be [[people]] blocks, each with "
                                                                  "email = ... and role = ...")
    for number, entry in enumerate(people):
        email = str(entry.get("email", "")).strip() if isinstance(entry, dict) else ""
        if not valid_email(email):
            found = f"{email!r} is not an email address" if email else "has no email"
            raise LocatedError(shown, _line(text, r"^\s*\[\[people\]\]", number),
                               f"person {number + 1} {found} (such as: email = \"ceo@acme.example\")")
        email = normalize_email(email)
        if email.lower() in seen:
            raise LocatedError(shown, _people_line(text, number, email),
                               f"{email} is listed twice in this plan (keep one, with one role)")
        seen[email.lower()] = number
        role = entry.get("role", "")
        if role not in {item.value for item in Role}:
            _choice(Role, role, f"the role of {email}", shown, _key_after(text, "role", _people_line(text, number, email)))
        members.append(Member(email, Role(role)))
    activities: list[Activity] = []
    for number, entry in enumerate(data.get("activities", [])):
        day = entry.get("date") if isinstance(entry, dict) else None
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            quoted = f" (it is {day!r}: write the date without quotes)" if isinstance(day, str) else ""
            raise LocatedError(shown, _line(text, r"^\s*\[\[activities\]\]", number),
                               f"activity {number + 1} has no date{quoted} (add: date = 2027-01-15)")
        activities.append(Activity(day, str(entry.get("what", "")).strip() or "an activity"))
    return Account(path.stem, name.strip(), tier, health, tuple(goals), tuple(members),
                   tuple(sorted(activities, key=lambda activity: activity.date)), shown)


def load_accounts(paths: SitePaths) -> list[Account]:
    """Every plan under data/accounts/; every bad one is reported together (ManyErrors)."""
    folder = paths.accounts
    accounts: list[Account] = []
    errors: list[TouchgenError] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            accounts.append(read_plan(path, paths.shown(path)))
        except TouchgenError as exc:
            errors.append(exc)
    if errors:
        raise ManyErrors(errors, f"{plural(len(errors), 'account plan')} cannot be read; fix "
                                 f"{'it' if len(errors) == 1 else 'them'} first")
    return accounts


STARTING_PLAN = '''# The relationship plan for {name}: touchgen reads this file; edit it freely.
name = "{name}"
tier = "{tier}"                  # top | other
health = "healthy"            # healthy | fix (halves its people's cadences) | walk-away (out of the daily touch)
goals = []                    # such as ["Renew the support contract in Q2"]

# One [[people]] block per person: the key contact, the people who do the work with you (delivery)
# and those who handle payments, meetings and logistics (support).
# [[people]]
# email = "ceo@example.com"
# role = "key"                # key | delivery | support

# Planned activities: their people are due for a touch {lead} days before.
# [[activities]]
# date = {example}
# what = "Quarterly review"
'''


def add_account(paths: SitePaths, name: str, tier: Tier, today: dt.date, lead_days: int) -> Path:
    """Write a commented starting plan, data/accounts/<slug>.toml; never overwrite one."""
    slug = slugify(name)
    if not slug or "\n" in name or '"' in name:
        raise TouchgenError(f"the account name {name!r} cannot make a plan file (use letters and digits)")
    path = paths.accounts / f"{slug}.toml"
    if path.exists():
        raise TouchgenError(f"{paths.shown(path)}: already exists (edit it, or choose another name)")
    path.parent.mkdir(parents=True, exist_ok=True)
    example = (today + dt.timedelta(days=90)).isoformat()
    write_atomic(path, STARTING_PLAN.format(name=name.strip(), tier=tier.value, lead=lead_days,
                                            example=example).encode("utf-8"))
    return path


def add_missing_people(store: Store, accounts: list[Account], now: dt.datetime) -> list[str]:
    """Everyone in a plan becomes a person in the store (not subscribed) if they are not one yet."""
    addresses = {member.email for account in accounts for member in account.people}
    known = {row["email"].lower() for row in store.people_rows(addresses)}
    new = {member.email.lower(): NewPerson(member.email, "", False, f"account plan {account.slug}", utc_iso(now))
           for account in accounts for member in account.people if member.email.lower() not in known}
    if new:
        store.record([], new.values())
    return [person.email for person in new.values()]
