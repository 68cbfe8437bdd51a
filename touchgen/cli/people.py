"""Commands of the people store: import, readers, track, funnel."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import click

from ..people.model import Channel, Stage
from ..people.tracking import Tracked
from ..text import plural
from .context import Context, pass_context
from .params import DAY, EMAIL, emit, format_option, today_option


@click.group("import")
def import_group() -> None:
    """Bring people, replies and calls into the private store (data/touchgen.db).
    Every import can be run twice: the second run changes nothing.

    \b
    Example:
        touchgen import readers substack-export.csv
        touchgen import replies ~/Mail/inbox.mbox
        touchgen import calls bookings.ics
    """


@import_group.command("readers")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and list the bad ones.")
@pass_context
def import_readers(obj: Context, file: Path, skip_invalid: bool) -> None:
    """Import subscribers from a CSV: plain email,name or an export of Substack,
    Mailchimp, Buttondown, Ghost or listmonk, told apart by the header. People
    who unsubscribed stay unsubscribed. With invalid rows nothing is imported,
    unless --skip-invalid.

    \b
    Example:
        touchgen import readers subscribers.csv
        touchgen import readers mailchimp.csv --skip-invalid
    """
    from ..clock import current_time
    from ..importers.subscribers import import_readers as run_import

    settings = obj.settings()
    with obj.store(settings) as store:
        result = run_import(store, file, current_time(), skip_invalid)
    for problem in result.skipped:
        click.echo(click.style("skipped ", fg="yellow") + str(problem), err=True)
    obj.say(result.summary(file))


@import_group.command("replies")
@click.argument("path", type=click.Path(path_type=Path))
@pass_context
def import_replies(obj: Context, path: Path) -> None:
    """Import mail: an mbox file, a Maildir folder, an .eml file or a folder of
    them. Replies are matched to the newsletter they answer, auto-replies are
    skipped, bounces and unsubscribes recorded; it reports what it could not match.

    \b
    Example:
        touchgen import replies ~/Mail/newsletter.mbox
        touchgen import replies ~/Maildir/.Replies
    """
    from ..clock import current_time
    from ..importers.mailboxes import import_replies as run_import

    settings = obj.settings()
    with obj.store(settings) as store:
        result = run_import(store, settings, path, current_time())
    for line in result.lines(path):
        obj.say(line)


@import_group.command("calls")
@click.argument("path", type=click.Path(path_type=Path))
@today_option
@pass_context
def import_calls(obj: Context, path: Path, today: dt.date | None) -> None:
    """Import booked calls from an .ics calendar file (or a folder of them) or
    Calendly's CSV export. Cancelled events are not calls; a call whose start has
    passed also counts as held. Unknown attendees become people.

    \b
    Example:
        touchgen import calls bookings.ics
        touchgen import calls calendly-export.csv --today 2026-11-23
    """
    from ..clock import moment_of_day
    from ..importers.calendars import import_calls as run_import

    settings = obj.settings()
    with obj.store(settings) as store:
        result = run_import(store, settings, path, moment_of_day(today, settings.zone))
    obj.say(result.summary(path))


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
@format_option
@pass_context
def readers_list(obj: Context, stage: str | None, format_: str) -> None:
    """List everyone with their stage.

    \b
    Example:
        touchgen readers list
        touchgen readers list --stage conversation --format json
    """
    from ..people.stages import people_with_stages

    settings = obj.settings()
    with obj.store(settings) as store:
        found = people_with_stages(store, settings.stages, Stage(stage) if stage else None)
    rows = [{"email": p.email, "name": p.name, "stage": str(s), "subscribed": p.subscribed, "source": p.source,
             "created": p.created} for p, s in found]
    emit(rows, ["email", "name", "stage", "subscribed", "source", "created"], format_)


@readers.command("show")
@click.argument("email")
@pass_context
def readers_show(obj: Context, email: str) -> None:
    """Show one person and the timeline of events that put them in their stage.

    \b
    Example:
        touchgen readers show ada@example.com
    """
    from ..people.stages import history

    settings = obj.settings()
    with obj.store(settings) as store:
        shown = history(store, email, settings.stages)
    person = shown.person
    click.echo(f"{person.name or person.email} <{person.email}>")
    click.echo(f"  stage       {shown.verdict.stage}: {shown.verdict.reason}")
    click.echo(f"  subscribed  {'yes' if person.subscribed else 'no'}")
    click.echo(f"  source      {person.source}" + (f" (introduced by {shown.introducer})" if shown.introducer else ""))
    click.echo(f"  since       {person.created[:10]}")
    click.echo("")
    rows = [{"date": event.at[:16].replace("T", " "), "event": str(event.kind), "post": event.post or "",
             "source": event.source, "note": event.note, "stage": str(stage)} for event, stage in shown.timeline]
    emit(rows, ["date", "event", "post", "source", "note", "stage"], "table")


@readers.command("unsubscribe")
@click.argument("email")
@pass_context
def readers_unsubscribe(obj: Context, email: str) -> None:
    """Take someone off the list. They stay in the store and are never mailed again.

    \b
    Example:
        touchgen readers unsubscribe ada@example.com
    """
    from ..clock import current_time
    from ..people.tracking import unsubscribe

    settings = obj.settings()
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


@click.command()
@click.argument("what", type=click.Choice([what.value for what in Tracked]))
@click.argument("email", type=EMAIL)
@click.option("--date", "date_", type=DAY, help="When it happened [today].")
@click.option("--post", metavar="SLUG", help="The post it was about.")
@click.option("--note", default="", help="A note for the timeline.")
@click.option("--channel", type=click.Choice([channel.value for channel in Channel]), help="How [by kind].")
@pass_context
def track(obj: Context, what: str, email: str, date_: dt.date | None, post: str | None, note: str,
          channel: str | None) -> None:
    """Record by hand what happened outside any mailbox: a reply, a call held,
    or a touch. Someone not yet in the store is added (not subscribed).

    \b
    Example:
        touchgen track reply ada@example.com --post small-promises-kept
        touchgen track call ada@example.com --date 2026-11-20 --note "talked about Q1"
        touchgen track touch ada@example.com --channel message
    """
    from ..clock import moment_of_day
    from ..people.tracking import track as record

    settings = obj.settings()
    with obj.store(settings) as store:
        done = record(store, Tracked(what), email, moment_of_day(date_, settings.zone), post, note,
                      Channel(channel) if channel else None)
    obj.say(f"Recorded {done.phrase} {done.email} on {done.at[:10]}" + (" (new person)" if done.new_person else ""))


@click.command("funnel")
@click.option("--since", type=DAY, help="Only people who joined on or after this day.")
@click.option("--by-post", is_flag=True, help="Add the sends, replies and calls of each post.")
@format_option
@pass_context
def funnel(obj: Context, since: dt.date | None, by_post: bool, format_: str) -> None:
    """How many people ever reached each step: readers, replied, booked a call,
    conversation, relationship; the rate from each step to the next, and the
    median days from subscribing to the first conversation.

    \b
    Example:
        touchgen funnel
        touchgen funnel --since 2026-01-01 --by-post --format json
    """
    from ..people.funnel import STEPS, funnel as count

    settings = obj.settings()
    with obj.store(settings) as store:
        result = count(store, settings.stages, since.isoformat() if since else None, by_post)
    data = result.as_dict(by_post)
    if format_ == "json":
        emit([], [], "json", data)
        return
    rates = result.rates()
    rows = [{"step": step.replace("_", " "), "people": result.count(step),
             "rate": "" if step == "readers" or rates[step] is None else f"{rates[step]:.1%}"} for step in STEPS]
    emit(rows, ["step", "people", "rate"], format_)
    if format_ == "table":
        median = result.median_days_to_conversation
        click.echo(f"median days from subscribing to first conversation: {'-' if median is None else median}")
    if by_post:
        click.echo("")
        emit([dataclasses.asdict(post) for post in result.by_post], ["slug", "sent", "replied", "booked_call"], format_)


COMMANDS: list[click.Command] = [import_group, readers, track, funnel]
