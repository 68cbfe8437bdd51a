"""The readers commands: add, list, show, edit, unsubscribe, resubscribe, unbounce, erase, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..people.kinds import Stage
from ..text import plural, printable
from .context import Context, pass_context
from .params import EMAIL, emit, format_option, today_option


@click.group()
def readers() -> None:
    """Manage the people in the private store.

    \b
    Example:
        touchgen readers list --stage conversation
        touchgen readers show ada@example.com
    """


@readers.command("add")
@click.argument("email", type=EMAIL)
@click.option("--name", default="", help="Their name.")
@click.option("--source", default="added by hand", show_default=True, help="Where they came from.")
@pass_context
def readers_add(obj: Context, email: str, name: str, source: str) -> None:
    """Add a subscriber by hand.

    \b
    Example:
        touchgen readers add ada@example.com --name "Ada Lovelace"
    """
    from ..clock import current_time
    from ..people.tracking import add_reader

    settings = obj.settings()
    with obj.store(settings) as store:
        person = add_reader(store, email, name, source, current_time())
    obj.say(f"Added {person.email}")


@readers.command("list")
@click.option("--stage", type=click.Choice([stage.value for stage in Stage]), help="Only this stage.")
@click.option("--bounced", is_flag=True, help="Only people whose address bounced (see readers unbounce).")
@format_option
@pass_context
def readers_list(obj: Context, stage: str | None, bounced: bool, format_: str) -> None:
    """List everyone with their stage.

    \b
    Example:
        touchgen readers list
        touchgen readers list --stage conversation --format json
        touchgen readers list --bounced
    """
    from ..people.stages import people_with_stages

    settings = obj.settings()
    with obj.store(settings) as store:
        found = people_with_stages(store, settings.stages, Stage(stage) if stage else None, bounced)
    rows = [{"email": p.email, "name": p.name, "stage": str(s), "subscribed": p.subscribed, "source": p.source,
             "created": p.created} for p, s in found]
    emit(rows, ["email", "name", "stage", "subscribed", "source", "created"], format_)


@readers.command("show")
@click.argument("email")
@today_option
@pass_context
def readers_show(obj: Context, email: str, today: dt.date | None) -> None:
    """Show one person and the timeline of events that put them in their stage.

    \b
    Example:
        touchgen readers show ada@example.com
    """
    from ..clock import moment_of_day
    from ..people.stages import history
    from ..touch.daily import prepare

    settings = obj.settings()
    with obj.store(settings) as store:
        day = obj.day(settings, today)
        _, people = prepare(store, settings, moment_of_day(today, settings.zone), {email})  # plan people first
        shown = history(store, email, settings.stages)
    placed = next(p for p in people if p.history.person.id == shown.person.id)
    person = shown.person
    click.echo(printable(f"{person.name or person.email} <{person.email}>"))
    click.echo(f"  stage       {shown.verdict.stage}: {shown.verdict.reason}")
    click.echo(f"  subscribed  {'yes' if person.subscribed else 'no'}")
    click.echo(printable(f"  source      {person.source}"
                         + (f" (introduced by {shown.introducer})" if shown.introducer else "")))
    click.echo(f"  since       {person.created[:10]}")
    cadence = f"{placed.cadence} days ({placed.cadence_reason})" if placed.cadence else "none: never proposed"
    click.echo(f"  cadence     {cadence}")
    since = "since the last reply, call or touch" if placed.history.last_contact else "since they joined"
    click.echo(f"  silence     {placed.silence(day)} days {since}")
    roles = ", ".join(f"{role.value} at {account.name}" for account, role in placed.roles)
    click.echo(f"  roles       {roles or 'none'}")
    history_ = placed.history
    if history_.do_not_contact:
        click.echo("  touch       never proposed (do-not-contact; touchgen touch never EMAIL --undo takes it back)")
    elif history_.snoozed_until is not None and history_.snoozed_until > day:
        click.echo(f"  touch       snoozed until {history_.snoozed_until}")
    click.echo("")
    rows = [{"date": event.at[:16].replace("T", " "), "event": str(event.kind), "post": event.post or "",
             "source": event.source, "note": event.note or (f"until {event.until}" if event.until else ""),
             "stage": str(stage)} for event, stage in shown.timeline]
    emit(rows, ["date", "event", "post", "source", "note", "stage"], "table")


@readers.command("unsubscribe")
@click.argument("email")
@click.option("--token", help="The token of the reader's unsubscribe link: unsubscribe only if it is theirs.")
@pass_context
def readers_unsubscribe(obj: Context, email: str, token: str | None) -> None:
    """Take someone off the list. They stay in the store and are never mailed again.
    With --token (from the https unsubscribe link a reader followed), only when the
    token was made for that address.

    \b
    Example:
        touchgen readers unsubscribe ada@example.com
        touchgen readers unsubscribe ada@example.com --token 5f1c0e...
    """
    from ..clock import current_time
    from ..mail.personalize import verify_unsubscribe_token
    from ..people.tracking import unsubscribe

    settings = obj.settings()
    if token is not None:
        verify_unsubscribe_token(settings, email, token)
    with obj.store(settings) as store:
        person, changed = unsubscribe(store, email, current_time())
    obj.say(f"Unsubscribed {person.email}" if changed else f"{person.email} was already unsubscribed")


@readers.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file [standard output].")
@pass_context
def readers_export(obj: Context, out: Path | None) -> None:
    """Export everyone as CSV (email, name, subscribed, created, source), which
    `touchgen import readers` reads back unchanged.

    \b
    Example:
        touchgen readers export --out readers.csv
    """
    from ..files import write_atomic
    from ..importers.subscribers import export_readers

    settings = obj.settings()
    with obj.store(settings) as store:
        text = export_readers(store)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomic(out, text.encode("utf-8"))
    obj.say(f"Exported {plural(text.count(chr(10)) - 1, 'person', 'people')} to {out}")


@readers.command("edit")
@click.argument("email")
@click.option("--name", required=True, help="Their name as it should appear in greetings and headers.")
@pass_context
def readers_edit(obj: Context, email: str, name: str) -> None:
    """Correct someone's name.

    \b
    Example:
        touchgen readers edit ada@example.com --name "Ada Lovelace"
    """
    from ..people.tracking import edit

    settings = obj.settings()
    with obj.store(settings) as store:
        person = edit(store, email, name)
    obj.say(f"{person.email} is now named {person.name!r}")


@readers.command("resubscribe")
@click.argument("email")
@pass_context
def readers_resubscribe(obj: Context, email: str) -> None:
    """Put someone who asked to come back on the list again (recorded as an event).
    Imports never do this on their own.

    \b
    Example:
        touchgen readers resubscribe ada@example.com
    """
    from ..clock import current_time
    from ..people.tracking import resubscribe

    settings = obj.settings()
    with obj.store(settings) as store:
        person, changed = resubscribe(store, email, current_time())
    obj.say(f"Resubscribed {person.email}" if changed else f"{person.email} was already subscribed")


@readers.command("unbounce")
@click.argument("email")
@pass_context
def readers_unbounce(obj: Context, email: str) -> None:
    """Take back a bounce that was wrong: the address is mailed again, and a
    post the server refused for it goes out with the next send of that post.

    \b
    Example:
        touchgen readers unbounce ada@example.com
    """
    from ..clock import current_time
    from ..people.tracking import unbounce

    settings = obj.settings()
    with obj.store(settings) as store:
        person = unbounce(store, email, current_time())
    obj.say(f"{person.email} will be mailed again (the bounce is taken back)")


@readers.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def readers_erase(obj: Context, email: str, yes: bool) -> None:
    """Forget someone entirely, as a privacy request asks: the person, their
    events, sends and name are removed in one transaction. Only a one-way hash
    of the address is kept, so an import of an old export cannot bring them back.

    \b
    Example:
        touchgen readers erase ada@example.com --yes
    """
    from ..clock import current_time
    from ..people.tracking import erase

    settings = obj.settings()
    with obj.store(settings) as store:
        if not yes:
            click.confirm(f"Erase {email} and everything touchgen knows about them?", abort=True)
        person = erase(store, email, current_time(), settings.paths.outbox)
    obj.say(f"Erased {person.email}: only a one-way hash of the address is kept")


COMMANDS: list[click.Command] = [readers]
