"""Commands of the people store: import, track, funnel (readers are in touchgen.cli.readers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..people.kinds import Channel, Tracked
from ..errors import UsageProblem
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
        touchgen import posts ~/old-blog/_posts
    """


@import_group.command("posts")
@click.argument("folder", type=click.Path(path_type=Path))
@pass_context
def import_posts(obj: Context, folder: Path) -> None:
    """Copy the posts of a Jekyll or Hugo site (its _posts or content/posts
    folder, subfolders, bundles and images included) into content/posts.
    Liquid tags and Hugo shortcodes with a markdown equivalent ({% highlight %},
    {% post_url %}, {{< figure >}}, ...) are converted; the rest are listed with
    their file and line. Every post is checked first: with a bad one, nothing is
    written. Files already imported are left as they are.

    \b
    Example:
        touchgen import posts ~/old-blog
        touchgen import posts ~/hugo-site/content/posts
    """
    from ..importers.posts import import_posts as run_import

    result = run_import(obj.settings(), folder)
    for line in result.changes:
        obj.say(line)
    obj.warn(result.warnings)
    obj.say(result.summary())


@import_group.command("readers")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and list the bad ones.")
@pass_context
def import_readers(obj: Context, file: Path, skip_invalid: bool) -> None:
    """Import subscribers from a CSV: plain email,name or an export of Substack,
    Mailchimp, Buttondown, Ghost, listmonk, beehiiv, Kit, MailerLite or Tiny
    News, told apart by the header. Each export's status and unsubscribe
    columns are read: people who unsubscribed stay unsubscribed, bounced
    addresses are recorded as bounced. A status column in a file of no known
    export stops the import. With invalid rows nothing is imported, unless
    --skip-invalid.

    \b
    Example:
        touchgen import readers subscribers.csv
        touchgen import readers mailchimp.csv --skip-invalid
        touchgen import readers beehiiv-subscribers.csv
    """
    from ..clock import current_time
    from ..importers.subscribers import import_readers as run_import

    settings = obj.settings()
    with obj.store(settings) as store:
        result = run_import(store, file, current_time(), skip_invalid)
    obj.warn(result.warnings)
    for problem in result.skipped:
        click.echo(click.style("skipped ", fg="yellow") + str(problem), err=True)
    obj.say(result.summary(file))


@import_group.command("replies")
@click.argument("path", type=click.Path(path_type=Path))
@pass_context
def import_replies(obj: Context, path: Path) -> None:
    """Import mail: an mbox file, a Maildir folder, an .eml file or a folder of
    them. Replies are matched to the newsletter they answer, auto-replies are
    skipped, permanent bounces and unsubscribes recorded, spam complaints
    unsubscribe; the summary counts every message read, and what it could not
    match or understand.

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
    Calendly's CSV export. The attendees and organizer of each event are booked,
    except your own addresses, rooms, groups and whoever declined; events without
    attendees are not calls, nor are cancelled or declined ones. A call whose
    start has passed also counts as held. Unknown attendees become people.

    \b
    Example:
        touchgen import calls invite.ics
        touchgen import calls ~/Downloads/calendar-export/
        touchgen import calls calendly-export.csv --today 2026-11-23
    """
    from ..clock import moment_of_day
    from ..importers.calendars import import_calls as run_import

    settings = obj.settings()
    with obj.store(settings) as store:
        result = run_import(store, settings, path, moment_of_day(today, settings.zone))
    obj.warn(result.warnings)
    obj.say(result.summary(path))


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
    from ..clock import moment_of_day, refuse_future, today
    from ..people.tracking import track as record
    from ..site.content import load_content

    settings = obj.settings()
    if date_ is not None:
        refuse_future(date_, today(settings.zone))
    if post is not None:
        slugs = [p.slug for p in load_content(settings).posts]
        if post not in slugs:
            raise UsageProblem(f"--post {post!r} is not the slug of a post (newest: {', '.join(slugs[:5])})")
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
        emit([vars(post) for post in result.by_post], ["slug", "sent", "replied", "booked_call"], format_)


COMMANDS: list[click.Command] = [import_group, track, funnel]
