"""The send command: a built post to every subscriber who has not had it yet."""

from __future__ import annotations

import sys

import click

from ..text import plural
from .context import Context, pass_context
from .params import EMAIL


@click.command()
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Write the messages to data/outbox/SLUG/ as .eml files; send nothing.")
@click.option("--to", "to", type=EMAIL, help="Send one test message to EMAIL; not recorded as a send.")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages in this run.")
@click.option("--retry-uncertain", is_flag=True,
              help="Send again the messages a crash left unconfirmed (they may have arrived).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
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
    from ..clock import current_time
    from ..errors import SendError
    from ..mail.compose import load_letter
    from ..mail.send import plan, send_newsletter, send_test, write_outbox
    from ..mail.smtp import Connection

    settings = obj.settings()
    with obj.store(settings) as store:
        letter = load_letter(settings, slug, current_time())
        if to is not None:
            known = store.person(to)
            connection = Connection(settings)
            try:
                message_id = send_test(settings, letter, connection, to, known.name if known else "", current_time())
            finally:
                connection.close()
            obj.say(f"Sent a test of '{letter.title}' to {to} ({message_id}); not recorded as a send")
            return
        planned = plan(store, slug, retry_uncertain, limit)
        count = len(planned.todo)
        bar = (click.progressbar(length=count, label="Writing" if dry_run else "Sending", file=sys.stderr)
               if sys.stderr.isatty() and obj.verbosity >= 0 and count > 1 else None)

        def progress(email: str) -> None:
            if bar is not None:
                bar.update(1)

        if dry_run:
            folder, report = write_outbox(settings, letter, planned, current_time(), progress=progress)
            if bar is not None:
                bar.render_finish()
            obj.say(f"Wrote {plural(report.sent, 'message')} of '{letter.title}' to {settings.paths.shown(folder)}/ "
                    f"(dry run: nothing sent or recorded); {report.already_sent} already sent, "
                    f"{len(report.uncertain)} uncertain")
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
    obj.say(report.summary(letter.title))
    for email in report.bounced:
        click.echo(f"bounced: {email}", err=True)
    problems = report.problems(slug)
    if problems:
        raise SendError("; ".join(problems))


COMMANDS: list[click.Command] = [send]
