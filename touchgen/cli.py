"""The command line: parse options, call the core, print. Heavy imports happen inside commands."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ManyErrors, TouchgenError, UsageProblem
from .words import plural


class ProblemList(click.ClickException):
    """Prints every problem of a failed build or check, then one closing line (exit 1)."""

    def __init__(self, errors: ManyErrors) -> None:
        super().__init__(str(errors))
        self.errors = errors.errors

    def show(self, file: Any = None) -> None:
        for error in self.errors:
            click.echo(click.style("error: ", fg="red") + str(error), err=True)
        click.echo(f"Error: {self.message}", err=True)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn touchgen's own exceptions into clean messages: exit 1, or 2 for usage problems."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ManyErrors as exc:
            raise ProblemList(exc) from None
        except UsageProblem as exc:
            raise click.UsageError(str(exc)) from None
        except TouchgenError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


class Context:
    def __init__(self, site: Path, verbosity: int) -> None:
        self.root = site
        self.verbosity = verbosity

    def settings(self) -> Any:
        from .config import load_settings

        return load_settings(self.root)

    def say(self, message: str) -> None:
        if self.verbosity >= 0:
            click.echo(message)

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            click.echo(message)

    def warn(self, warnings: tuple[str, ...] | list[str]) -> None:
        if self.verbosity >= 0:
            for warning in warnings:
                click.echo(click.style(warning, fg="yellow"), err=True)


pass_context = click.make_pass_decorator(Context)


def parse_day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (use YYYY-MM-DD)", param_hint=option) from None


def today_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--today", metavar="YYYY-MM-DD", help="Act as if today were this date.")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The site folder (holds touchgen.toml).")
@click.option("-v", "--verbose", count=True, help="Say more (each file written).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.version_option(__version__, prog_name="touchgen")
@click.pass_context
def cli(ctx: click.Context, site: Path, verbose: int, quiet: bool) -> None:
    """touchgen: Monday posts to a website, feeds and newsletter emails,
    and a private record of the readers who write back.

    \b
    Example:
        touchgen init mysite && cd mysite
        touchgen new "Start before you need it"
        touchgen build
    """
    ctx.obj = Context(site, -1 if quiet else verbose)


@cli.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@today_option
@pass_context
@reports_errors
def init(obj: Context, directory: Path, today: str | None) -> None:
    """Create a new site in DIRECTORY (new or empty): touchgen.toml, a sample
    post and page, and a copy of the default templates to change.

    \b
    Example:
        touchgen init mysite
    """
    from .scaffold import init_site

    day = parse_day(today, "--today") or dt.date.today()
    created = init_site(directory, day)
    for path in created:
        obj.detail(f"  {directory / path}")
    obj.say(f"Created a site in {directory} ({plural(len(created), 'file')}). Next: cd {directory} && touchgen build")


@cli.command()
@click.argument("title")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="Publish date [the next free publish weekday].")
@today_option
@pass_context
@reports_errors
def new(obj: Context, title: str, date_: str | None, today: str | None) -> None:
    """Create a draft post titled TITLE, dated on the next publish weekday
    that has no post yet. Never overwrites a file.

    \b
    Example:
        touchgen new "Start before you need it"
        touchgen new "One touch a day" --date 2026-11-30
    """
    from .scaffold import new_post

    path = new_post(obj.settings(), title, parse_day(date_, "--date"),
                    parse_day(today, "--today") or dt.date.today())
    obj.say(f"Created {path} (a draft: set draft: false to publish it)")


def _render_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--future", is_flag=True, help="Include posts dated after now.")(command)
    return click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")(command)


@cli.command()
@_render_options
@pass_context
@reports_errors
def check(obj: Context, drafts: bool, future: bool) -> None:
    """Check settings, posts, pages and templates; print every problem and
    write nothing. Exit status 1 when anything is wrong.

    \b
    Example:
        touchgen check
    """
    from .build import render

    rendered = render(obj.settings(), drafts, future)
    obj.warn(rendered.warnings)
    obj.say(f"No problems: {plural(rendered.posts, 'post')}, {plural(rendered.pages, 'page')}, "
            f"{plural(len(rendered.warnings), 'warning')}")


@cli.command()
@_render_options
@click.option("--clean", is_flag=True, help="Remove output/site and output/newsletter first; write every file anew.")
@pass_context
@reports_errors
def build(obj: Context, drafts: bool, future: bool, clean: bool) -> None:
    """Build the website and feeds into output/site and the newsletter emails
    into output/newsletter. Everything is checked and rendered first: a build
    that fails changes nothing, and unchanged files are not rewritten.
    SOURCE_DATE_EPOCH makes builds reproducible.

    \b
    Example:
        touchgen build
        touchgen build --drafts --future
    """
    from .build import build as run_build

    result = run_build(obj.settings(), drafts, future, clean)
    obj.warn(result.rendered.warnings)
    rendered, written = result.rendered, result.written
    obj.say(
        f"Built {plural(rendered.posts, 'post')}, {plural(rendered.pages, 'page')}, "
        f"{plural(rendered.feeds, 'feed')}, {plural(rendered.emails, 'email')} in {result.seconds:.2f} s: "
        f"{written.written} written, {written.unchanged} unchanged, {written.removed} removed (output/)"
    )


# Listings -----------------------------------------------------------------------------------------

FORMATS = click.Choice(["table", "json", "csv"])


def format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "format_", type=FORMATS, default="table", show_default=True,
                        help="Output as an aligned table, JSON or CSV.")(command)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def emit(rows: list[dict[str, Any]], columns: list[str], format_: str, data: Any = None) -> None:
    """Print rows as a table, CSV, or JSON (`data` when the JSON shape is not the plain rows)."""
    import csv
    import io
    import json

    if format_ == "json":
        click.echo(json.dumps(rows if data is None else data, indent=2, ensure_ascii=False))
    elif format_ == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        cells = [list(columns)] + [[_cell(row[column]) for column in columns] for row in rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
        for number, line in enumerate(cells):
            text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            click.echo(click.style(text, bold=True) if number == 0 else text)


def open_people(obj: Context) -> tuple[Any, Any]:
    """(settings, store) for the commands that use the people store."""
    from .store import open_store

    settings = obj.settings()
    return settings, open_store(settings.root)


def now_for(settings: Any, today: str | None) -> Any:
    from .clock import moment_of_day

    return moment_of_day(parse_day(today, "--today"), settings.zone)


# import ------------------------------------------------------------------------------------------

@cli.group("import")
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
@reports_errors
def import_readers_command(obj: Context, file: Path, skip_invalid: bool) -> None:
    """Import subscribers from a CSV: plain email,name or an export of Substack,
    Mailchimp, Buttondown, Ghost or listmonk, told apart by the header. People
    who unsubscribed stay unsubscribed. With invalid rows nothing is imported,
    unless --skip-invalid.

    \b
    Example:
        touchgen import readers subscribers.csv
        touchgen import readers mailchimp.csv --skip-invalid
    """
    from .clock import current_time
    from .imports import import_readers

    settings, store = open_people(obj)
    with store:
        result = import_readers(store, file, current_time(), skip_invalid)
    for problem in result.skipped:
        click.echo(click.style("skipped ", fg="yellow") + str(problem), err=True)
    obj.say(f"Imported {file} ({result.dialect}): {result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.skipped)} skipped")


@import_group.command("replies")
@click.argument("path", type=click.Path(path_type=Path))
@pass_context
@reports_errors
def import_replies_command(obj: Context, path: Path) -> None:
    """Import mail: an mbox file, a Maildir folder, an .eml file or a folder of
    them. Replies are matched to the newsletter they answer, auto-replies are
    skipped, bounces and unsubscribes recorded; it reports what it could not match.

    \b
    Example:
        touchgen import replies ~/Mail/newsletter.mbox
        touchgen import replies ~/Maildir/.Replies
    """
    from .clock import current_time
    from .replies import import_replies

    settings, store = open_people(obj)
    with store:
        result = import_replies(store, settings, path, current_time())
    posts = ", ".join(f"{post} {count}" for post, count in result.posts.most_common())
    lines = [
        f"Imported {path}: {plural(result.messages, 'message')}",
        f"  replies       {result.replies} new, {result.already} already recorded" + (f" ({posts})" if posts else ""),
        f"  auto-replies  {result.auto_replies} skipped",
        f"  bounces       {len(result.bounces)}" + (f" ({', '.join(result.bounces)})" if result.bounces else ""),
        f"  unsubscribes  {result.unsubscribes}",
        f"  from you      {result.from_author} ignored",
        f"  introduced    {len(result.introduced)}"
        + (f" ({', '.join(f'{new} by {by}' for new, by in result.introduced)})" if result.introduced else ""),
        f"  unknown       {len(result.unknown)}" + (f" ({', '.join(result.unknown)})" if result.unknown else ""),
        f"  no sender     {len(result.no_sender)}" + (f" ({'; '.join(result.no_sender)})" if result.no_sender else ""),
    ]
    for line in lines:
        obj.say(line)


@import_group.command("calls")
@click.argument("path", type=click.Path(path_type=Path))
@today_option
@pass_context
@reports_errors
def import_calls_command(obj: Context, path: Path, today: str | None) -> None:
    """Import booked calls from an .ics calendar file (or a folder of them) or
    Calendly's CSV export. Cancelled events are not calls; a call whose start has
    passed also counts as held. Unknown attendees become people.

    \b
    Example:
        touchgen import calls bookings.ics
        touchgen import calls calendly-export.csv --today 2026-11-23
    """
    from .calls import import_calls

    settings, store = open_people(obj)
    with store:
        result = import_calls(store, settings, path, now_for(settings, today))
    new = f" ({', '.join(result.new_people)})" if result.new_people else ""
    obj.say(f"Imported {path}: {plural(result.bookings, 'booking')}: {result.booked} booked, {result.held} held, "
            f"{result.cancelled} cancelled, {result.already} already recorded, "
            f"{plural(len(result.new_people), 'new person', 'new people')}{new}")


# readers -----------------------------------------------------------------------------------------

@cli.group()
def readers() -> None:
    """Manage the people in the private store.

    \b
    Example:
        touchgen readers list --stage conversation
        touchgen readers show ada@example.com
    """


@readers.command("add")
@click.argument("email")
@click.option("--name", default="", help="Their name.")
@click.option("--source", default="added by hand", show_default=True, help="Where they came from.")
@pass_context
@reports_errors
def readers_add(obj: Context, email: str, name: str, source: str) -> None:
    """Add a subscriber by hand.

    \b
    Example:
        touchgen readers add ada@example.com --name "Ada Lovelace"
    """
    from .clock import current_time
    from .imports import valid_email
    from .store import utc_iso

    email = email.strip()
    if not valid_email(email):
        raise UsageProblem(f"'{email}' is not an email address")
    settings, store = open_people(obj)
    with store:
        existing = store.person(email)
        if existing is not None:
            state = "subscribed" if existing.subscribed else "unsubscribed"
            raise TouchgenError(f"{existing.email} is already in the store ({state}); nothing was changed")
        store.add_person(email, name.strip(), True, source, utc_iso(current_time()))
    obj.say(f"Added {email}")


@readers.command("list")
@click.option("--stage", type=click.Choice(["reader", "conversation", "relationship"]), help="Only this stage.")
@format_option
@pass_context
@reports_errors
def readers_list(obj: Context, stage: str | None, format_: str) -> None:
    """List everyone with their stage.

    \b
    Example:
        touchgen readers list
        touchgen readers list --stage conversation --format json
    """
    from .stages import all_stages

    settings, store = open_people(obj)
    with store:
        stages = all_stages(store, settings.stages)
        rows = [{"email": p.email, "name": p.name, "stage": stages.get(p.id, "reader"), "subscribed": p.subscribed,
                 "source": p.source, "created": p.created} for p in store.people()]
    rows = [row for row in rows if stage is None or row["stage"] == stage]
    emit(rows, ["email", "name", "stage", "subscribed", "source", "created"], format_)


@readers.command("show")
@click.argument("email")
@pass_context
@reports_errors
def readers_show(obj: Context, email: str) -> None:
    """Show one person and the timeline of events that put them in their stage.

    \b
    Example:
        touchgen readers show ada@example.com
    """
    from .stages import explain, timeline

    settings, store = open_people(obj)
    with store:
        person = store.require(email)
        events = store.events_of(person.id)
        introducer = store.person_by_id(person.introduced_by).email if person.introduced_by else None
    verdict = explain(events, settings.stages)
    click.echo(f"{person.name or person.email} <{person.email}>")
    click.echo(f"  stage       {verdict.stage}: {verdict.reason}")
    click.echo(f"  subscribed  {'yes' if person.subscribed else 'no'}")
    click.echo(f"  source      {person.source}" + (f" (introduced by {introducer})" if introducer else ""))
    click.echo(f"  since       {person.created[:10]}")
    click.echo("")
    rows = [{"date": event.at[:16].replace("T", " "), "event": event.kind, "post": event.post or "",
             "source": event.source, "note": event.note, "stage": stage}
            for event, stage in timeline(events, settings.stages)]
    emit(rows, ["date", "event", "post", "source", "note", "stage"], "table")


@readers.command("unsubscribe")
@click.argument("email")
@pass_context
@reports_errors
def readers_unsubscribe(obj: Context, email: str) -> None:
    """Take someone off the list. They stay in the store and are never mailed again.

    \b
    Example:
        touchgen readers unsubscribe ada@example.com
    """
    from .clock import current_time
    from .store import utc_iso

    settings, store = open_people(obj)
    with store:
        person = store.require(email)
        changed = store.unsubscribe(person, utc_iso(current_time()), "by hand")
    obj.say(f"Unsubscribed {person.email}" if changed else f"{person.email} was already unsubscribed")


@readers.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file [standard output].")
@pass_context
@reports_errors
def readers_export(obj: Context, out: Path | None) -> None:
    """Export everyone as CSV (email, name, subscribed, created, source), which
    `touchgen import readers` reads back unchanged.

    \b
    Example:
        touchgen readers export --out readers.csv
    """
    from .imports import export_readers

    settings, store = open_people(obj)
    with store:
        text = export_readers(store)
    if out is None:
        click.echo(text, nl=False)
        return
    temporary = out.with_name(f".{out.name}.touchgen-tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)
    obj.say(f"Exported {plural(text.count(chr(10)) - 1, 'person', 'people')} to {out}")


# track -------------------------------------------------------------------------------------------

TRACKED = {"reply": ("replied", "email", "a reply from"), "call": ("call_held", "call", "a call with"),
           "touch": ("touch", "email", "a touch with")}


@cli.command()
@click.argument("what", type=click.Choice(list(TRACKED)))
@click.argument("email")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="When it happened [today].")
@click.option("--post", metavar="SLUG", help="The post it was about.")
@click.option("--note", default="", help="A note for the timeline.")
@click.option("--channel", type=click.Choice(["email", "call", "meeting", "message"]), help="How [by kind].")
@pass_context
@reports_errors
def track(obj: Context, what: str, email: str, date_: str | None, post: str | None, note: str,
          channel: str | None) -> None:
    """Record by hand what happened outside any mailbox: a reply, a call held,
    or a touch. Someone not yet in the store is added (not subscribed).

    \b
    Example:
        touchgen track reply ada@example.com --post small-promises-kept
        touchgen track call ada@example.com --date 2026-11-20 --note "talked about Q1"
        touchgen track touch ada@example.com --channel message
    """
    from .clock import moment_of_day
    from .imports import valid_email
    from .store import Event, Person, utc_iso

    email = email.strip()
    if not valid_email(email):
        raise UsageProblem(f"'{email}' is not an email address")
    settings, store = open_people(obj)
    kind, default_channel, phrase = TRACKED[what]
    at = utc_iso(moment_of_day(parse_day(date_, "--date"), settings.zone))
    with store:
        known = store.person(email)
        new = [] if known else [Person(0, email, "", False, "tracked by hand", at)]
        event = Event(0, kind, at, post=post, channel=channel or default_channel, source="by hand", note=note)
        store.record([(email, event)], new)
    obj.say(f"Recorded {phrase} {email} on {at[:10]}" + ("" if known else " (new person)"))


# funnel ------------------------------------------------------------------------------------------

@cli.command("funnel")
@click.option("--since", metavar="YYYY-MM-DD", help="Only people who joined on or after this day.")
@click.option("--by-post", is_flag=True, help="Add the sends, replies and calls of each post.")
@format_option
@pass_context
@reports_errors
def funnel_command(obj: Context, since: str | None, by_post: bool, format_: str) -> None:
    """How many people ever reached each step: readers, replied, booked a call,
    conversation, relationship; the rate from each step to the next, and the
    median days from subscribing to the first conversation.

    \b
    Example:
        touchgen funnel
        touchgen funnel --since 2026-01-01 --by-post --format json
    """
    from .stages import Funnel, funnel

    day = parse_day(since, "--since")
    settings, store = open_people(obj)
    with store:
        result = funnel(store, settings.stages, day.isoformat() if day else None, by_post)
    data = result.as_dict(by_post)
    if format_ == "json":
        emit([], [], "json", data)
        return
    rates = result.rates()
    rows = [{"step": step.replace("_", " "), "people": getattr(result, step),
             "rate": "" if step == "readers" or rates[step] is None else f"{rates[step]:.1%}"}
            for step in Funnel.STEPS]
    emit(rows, ["step", "people", "rate"], format_)
    if format_ == "table":
        median = result.median_days_to_conversation
        click.echo(f"median days from subscribing to first conversation: {'-' if median is None else median}")
        if by_post:
            click.echo("")
            emit(result.by_post, ["slug", "sent", "replied", "booked_call"], "table")
    elif by_post:
        click.echo("")
        emit(result.by_post, ["slug", "sent", "replied", "booked_call"], "csv")


# send --------------------------------------------------------------------------------------------

@cli.command()
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Write the messages to data/outbox/SLUG/ as .eml files; send nothing.")
@click.option("--to", "to", metavar="EMAIL", help="Send one test message to EMAIL; not recorded as a send.")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages in this run.")
@click.option("--retry-uncertain", is_flag=True,
              help="Send again the messages a crash left unconfirmed (they may have arrived).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
@reports_errors
def send(obj: Context, slug: str, dry_run: bool, to: str | None, limit: int | None, retry_uncertain: bool,
         yes: bool) -> None:
    """Send the post SLUG as a newsletter to every subscriber who has not had it.
    Each message is claimed in the store before it goes to the SMTP server, so a
    second run, or a run after a crash, never sends anyone the same post twice.
    Run `touchgen build` first.

    \b
    Example:
        touchgen send small-promises-kept --dry-run
        touchgen send small-promises-kept --to me@example.com
        touchgen send small-promises-kept
    """
    import sys

    from .clock import current_time
    from .imports import valid_email
    from .mailer import Connection, load_letter, plan, send_newsletter, send_test, write_outbox

    settings, store = open_people(obj)
    with store:
        letter = load_letter(settings, slug, current_time())
        if to is not None:
            if not valid_email(to):
                raise UsageProblem(f"'{to}' is not an email address")
            known = store.person(to)
            connection = Connection(settings)
            try:
                message_id = send_test(settings, letter, connection, to, known.name if known else "", current_time())
            finally:
                connection.close()
            obj.say(f"Sent a test of '{letter.title}' to {to} ({message_id}); not recorded as a send")
            return
        planned = plan(store, slug, retry_uncertain, limit)
        count = len(planned[0])
        bar = (click.progressbar(length=count, label="Sending" if not dry_run else "Writing", file=sys.stderr)
               if sys.stderr.isatty() and obj.verbosity >= 0 and count > 1 else None)
        progress = (lambda email: bar.update(1)) if bar is not None else (lambda email: None)
        if dry_run:
            folder, report = write_outbox(settings, letter, planned, current_time(), progress=progress)
            if bar is not None:
                bar.render_finish()
            shown = folder.relative_to(settings.root)
            obj.say(f"Wrote {plural(report.sent, 'message')} of '{letter.title}' to {shown}/ (dry run: nothing "
                    f"sent or recorded); {report.already_sent} already sent, {len(report.uncertain)} uncertain")
            return
        if count == 0:
            obj.say(f"Nobody left to send '{letter.title}' to")
        elif not yes:
            click.confirm(f"Send '{letter.title}' ({slug}) to {plural(count, 'reader')} now?", abort=True)
        connection = Connection(settings)
        if count:
            connection.open()
        try:
            report = send_newsletter(store, settings, letter, planned, connection, current_time, progress=progress)
        finally:
            connection.close()
            if bar is not None:
                bar.render_finish()
    obj.say(f"Sent '{letter.title}': {report.sent} sent, {report.already_sent} skipped as already sent, "
            f"{len(report.uncertain)} uncertain, {report.retried} retried, {len(report.bounced)} bounced, "
            f"{len(report.failed)} failed"
            + (f", {report.bounced_before} not sent (bounced before)" if report.bounced_before else "")
            + (f", {report.not_reached} left for a later run (--limit)" if report.not_reached else ""))
    for email in report.bounced:
        click.echo(f"bounced: {email}", err=True)
    problems = []
    if report.uncertain:
        problems.append(f"{plural(len(report.uncertain), 'message')} uncertain ({', '.join(report.uncertain)}): "
                        "the server never confirmed them (a run was stopped, or the connection dropped); "
                        "they may have arrived. "
                        f"To send them again: touchgen send {slug} --retry-uncertain")
    if report.failed:
        problems.append(f"{plural(len(report.failed), 'message')} not accepted for now ({', '.join(report.failed)});"
                        f" run touchgen send {slug} again later")
    if problems:
        raise click.ClickException("; ".join(problems))


def main() -> None:
    cli(prog_name="touchgen")


if __name__ == "__main__":
    main()
