"""The send command: a built post to every subscriber who has not had it yet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from ..text import plural
from .context import Context, pass_context
from .params import EMAIL


@contextmanager
def progress_bar(obj: Context, count: int, label: str) -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal (not with -q), else nothing; yields the function to call per reader."""
    if not (sys.stderr.isatty() and obj.verbosity >= 0 and count > 1):
        yield lambda email: None
        return
    with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
        yield lambda email: bar.update(1)


@click.command()
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Write the messages to data/outbox/SLUG/ as .eml files; send nothing.")
@click.option("--to", "to", type=EMAIL, help="Send one test message to EMAIL; not recorded as a send.")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages in this run.")
@click.option("--retry-uncertain", is_flag=True,
              help="Send again the messages a crashed run left unconfirmed (they may have arrived).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def send(obj: Context, slug: str, dry_run: bool, to: str | None, limit: int | None, retry_uncertain: bool,
         yes: bool) -> None:
    """Send the post SLUG as a newsletter to every subscriber who has not had it.
    Each message is claimed in the store before it goes to the SMTP server, so a
    second run, or a run after a crash, never sends anyone the same post twice;
    one send of a post runs at a time. Run `touchgen build` first.

    \b
    Example:
        touchgen send small-promises-kept --dry-run
        touchgen send small-promises-kept --to me@example.com
        touchgen send small-promises-kept
    """
    from ..clock import current_time, utc_iso
    from ..errors import SendError
    from ..mail.compose import load_letter
    from ..mail.ledger import SendLock
    from ..mail.personalize import check_unsubscribe
    from ..mail.send import plan, send_newsletter, send_test, write_outbox, write_test_outbox
    from ..mail.smtp import Connection, check_login

    settings = obj.settings()
    with obj.store(settings) as store:
        letter = load_letter(settings, slug, current_time())
        check_unsubscribe(settings)
        if dry_run and to is not None:  # --dry-run always wins: nothing is sent
            known = store.person(to)
            folder = write_test_outbox(settings, letter, to, known.name if known else "", current_time())
            obj.say(f"Wrote a test of '{letter.title}' for {to} to {settings.paths.shown(folder)}/ "
                    "(dry run: nothing sent or recorded)")
            return
        if dry_run:
            planned = plan(store, slug, retry_uncertain, limit, letter.edition)
            with progress_bar(obj, len(planned.todo), "Writing") as progress:
                folder, report = write_outbox(settings, letter, planned, current_time(), progress=progress)
            obj.say(f"Wrote {plural(report.sent, 'message')} of '{letter.title}' to {settings.paths.shown(folder)}/ "
                    f"(dry run: nothing sent or recorded); {report.already_sent} already sent, "
                    f"{len(report.uncertain)} uncertain")
            return
        check_login(settings)
        connection = Connection(settings)
        if to is not None:
            known = store.person(to)
            try:
                message_id = send_test(settings, letter, connection, to, known.name if known else "", current_time())
            finally:
                connection.close()
            obj.say(f"Sent a test of '{letter.title}' to {to} ({message_id}); not recorded as a send")
            return
        with SendLock(store, slug, utc_iso(current_time())):
            planned = plan(store, slug, retry_uncertain, limit, letter.edition)
            count = len(planned.todo)
            if count == 0:
                obj.say(f"Nobody left to send '{letter.title}' to")
            elif not yes:
                click.confirm(f"Send '{letter.title}' ({slug}) to {plural(count, 'reader')} now?", abort=True)
            try:
                if count:
                    connection.open()
                with progress_bar(obj, count, "Sending") as progress:
                    report = send_newsletter(store, settings, letter, planned, connection, current_time,
                                             progress=progress)
            finally:
                connection.close()
    obj.say(report.summary(letter.title))
    for email in report.bounced:
        click.echo(f"bounced: {email}", err=True)
    problems = report.problems(slug)
    if problems:
        raise SendError("; ".join(problems))


COMMANDS: list[click.Command] = [send]
