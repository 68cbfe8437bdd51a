"""Key accounts: add a plan, list the accounts, show one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from .context import Context, pass_context
from .params import emit, format_option, today_option


def _placed(obj: Context, today: dt.date | None) -> tuple[Any, dt.date, list[Any], dict[str, Any]]:
    """(settings, today, accounts, everyone placed by lower-cased address)."""
    from ..clock import moment_of_day
    from ..touch.daily import prepare

    settings = obj.settings()
    day = obj.day(settings, today)
    with obj.store(settings) as store:
        accounts, people = prepare(store, settings, moment_of_day(today, settings.zone))
    return settings, day, accounts, {p.history.person.email.lower(): p for p in people}


@click.group()
def accounts() -> None:
    """Key accounts and their yearly relationship plans (data/accounts/*.toml).

    \b
    Example:
        touchgen accounts add "Acme Corp" --tier top
        touchgen accounts list
    """


@accounts.command("add")
@click.argument("name")
@click.option("--tier", type=click.Choice(["top", "other"]), default="other", show_default=True,
              help="A top account's key contacts have the shortest cadence.")
@today_option
@pass_context
def accounts_add(obj: Context, name: str, tier: str, today: dt.date | None) -> None:
    """Write a commented starting plan, data/accounts/<slug>.toml, to edit.

    \b
    Example:
        touchgen accounts add "Acme Corp" --tier top
    """
    from ..touch.accounts import Tier, add_account

    settings = obj.settings()
    path = add_account(settings.paths, name, Tier(tier), obj.day(settings, today),
                       settings.touches.lead_days)
    obj.say(f"Created {settings.paths.shown(path)}: add its people and activities there")


@accounts.command("list")
@today_option
@format_option
@pass_context
def accounts_list(obj: Context, today: dt.date | None, format_: str) -> None:
    """Every account: tier, health, people per role, the last two-way contact per
    role, and who is overdue for a touch.

    \b
    Example:
        touchgen accounts list
        touchgen accounts list --format json
    """
    from ..touch.standing import standing

    settings, day, plans, placed = _placed(obj, today)
    rows = [standing(account, placed, day).as_dict() for account in plans]
    shown = [{**row, "overdue": ", ".join(row["overdue"])} for row in rows]
    emit(shown, ["slug", "name", "tier", "health", "key", "delivery", "support", "last_key", "last_delivery",
                 "last_support", "overdue"], format_, rows)


@accounts.command("show")
@click.argument("slug")
@today_option
@format_option
@pass_context
def accounts_show(obj: Context, slug: str, today: dt.date | None, format_: str) -> None:
    """One account: its plan, its people with stage and last contact, and the
    activities coming up.

    \b
    Example:
        touchgen accounts show acme-corp
    """
    from ..errors import TouchgenError

    settings, day, plans, placed = _placed(obj, today)
    account = next((a for a in plans if a.slug == slug), None)
    if account is None:
        known = ", ".join(a.slug for a in plans) or "none yet: touchgen accounts add NAME"
        raise TouchgenError(f"no account plan data/accounts/{slug}.toml (accounts: {known})")
    people = []
    for member in account.people:
        p = placed[member.email.lower()]
        people.append({"email": member.email, "name": p.history.person.name, "role": str(member.role),
                       "stage": str(p.history.stage),
                       "last_contact": p.history.last_contact.isoformat() if p.history.last_contact else "",
                       "cadence": p.cadence, "silence": p.silence(day)})
    coming = [{"date": a.date.isoformat(), "what": a.what} for a in account.activities if a.date >= day]
    if format_ == "json":
        emit([], [], "json", {"slug": account.slug, "name": account.name, "tier": str(account.tier),
                              "health": str(account.health), "goals": list(account.goals), "people": people,
                              "activities": coming})
        return
    if format_ == "csv":
        emit(people, ["email", "name", "role", "stage", "last_contact", "cadence", "silence"], "csv")
        return
    click.echo(f"{account.name} ({account.tier}, {account.health}): {account.source}")
    for goal in account.goals:
        click.echo(f"  goal  {goal}")
    click.echo("")
    emit(people, ["email", "name", "role", "stage", "last_contact", "cadence", "silence"], "table")
    click.echo("")
    if coming:
        emit(coming, ["date", "what"], "table")
    else:
        click.echo("No activities coming up.")


COMMANDS: list[click.Command] = [accounts]
