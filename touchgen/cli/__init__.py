"""The command line, the only part of touchgen that imports click: parse, call the core, print.
One module per command group, imported only when one of its commands runs or shows its help:
`touchgen --help` lists every command from the table below. Heavy imports happen inside the
commands that need them."""

from __future__ import annotations

import importlib
from typing import IO, TYPE_CHECKING, Any

import click

from .. import __version__
from .context import Context

if TYPE_CHECKING:
    from ..errors import TouchgenError

# Each command: the module of touchgen.cli that defines it (in its COMMANDS), and its help line as
# `touchgen --help` lists it (the first sentence of its docstring; tests/test_cli.py checks they agree).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "accounts": ("accounts", "Key accounts and their yearly relationship plans (data/accounts/*.toml)."),
    "build": ("site", "Build the website and feeds into output/site and the newsletter emails into "
                      "output/newsletter."),
    "check": ("site", "Check settings, posts, pages and templates; print every problem and write nothing."),
    "funnel": ("people", "How many people ever reached each step: readers, replied, booked a call, conversation, "
                         "relationship; the rate from each step to the next, and the median days from subscribing "
                         "to the first conversation."),
    "import": ("people", "Bring people, replies and calls into the private store (data/touchgen.db)."),
    "init": ("site", "Create a new site in DIRECTORY (new or empty): touchgen.toml, a sample post and page, and a "
                     "copy of the default templates to change."),
    "new": ("site", "Create a draft post titled TITLE, dated on the next publish weekday that has no post yet."),
    "readers": ("readers", "Manage the people in the private store."),
    "report": ("report", "Write the private dashboard, one self-contained HTML page that needs no network: the "
                         "funnel from reader to relationship, replies and calls per post, the year's daily touches "
                         "against the target and the pace, people per stage month by month, key accounts, and the "
                         "replies waiting for an answer."),
    "send": ("send", "Send the post SLUG as a newsletter to every subscriber who has not had it."),
    "serve": ("site", "Preview the site while you write: build it (drafts and scheduled posts included) into "
                      "output/.preview, serve it, and build again on every save in content/, templates/, static/ "
                      "or touchgen.toml; open pages reload by themselves, and a build error shows in the page. "
                      "output/site, the site you deploy, is never touched."),
    "touch": ("touch", "One deliberate relationship touch each working day."),
    "track": ("people", "Record by hand what happened outside any mailbox: a reply, a call held, or a touch."),
}


class Problem(click.ClickException):
    """A touchgen error as click shows it: the exit status the error carries; for a list of
    problems, the warnings seen on the way, each problem, then one closing line."""

    def __init__(self, error: TouchgenError, quiet: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.quiet = quiet

    def show(self, file: IO[Any] | None = None) -> None:
        from ..errors import ManyErrors

        if isinstance(self.error, ManyErrors):
            if not self.quiet:
                for warning in self.error.warnings:
                    click.echo(click.style(warning, fg="yellow"), err=True)
            for error in self.error.errors:
                click.echo(click.style("error: ", fg="red") + str(error), err=True)
        click.echo(f"Error: {self.message}", err=True)


class UsageProblemShown(Problem):
    exit_code = 2


def as_click(error: TouchgenError, quiet: bool) -> Problem:
    """The click exception that shows `error` and exits with the status the error carries."""
    shown = {1: Problem, 2: UsageProblemShown}[error.exit_code]
    return shown(error, quiet)


class Commands(click.Group):
    """touchgen's top-level group: loads a command's module only when that command is asked for
    (click's lazy loading of subcommands), and maps touchgen's exceptions for every command, in one place."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        module = importlib.import_module(f"{__name__}.{SUBCOMMANDS[cmd_name][0]}")
        commands: list[click.Command] = module.COMMANDS
        return next(command for command in commands if command.name == cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands, as click writes it, from the table: no command's module is imported."""
        listed = click.Group(commands=[click.Command(name, help=line) for name, (_, line) in SUBCOMMANDS.items()])
        listed.format_commands(ctx, formatter)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.NoSuchCommand as exc:  # click suggests from self.commands, which stays empty here
            raise click.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import TouchgenError, from_os_error

        try:
            return super().invoke(ctx)
        except TouchgenError as exc:
            error = exc
        except OSError as exc:  # a full disk, a read-only folder: what, where, what to do
            error = from_os_error(exc)
        except RecursionError:
            error = TouchgenError("an input is nested too deeply to read (a list, a quote or a template inside "
                                  "itself hundreds of times): simplify it")
        quiet = isinstance(ctx.obj, Context) and ctx.obj.verbosity < 0  # known once the group has run
        raise as_click(error, quiet) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--site", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The site folder (holds touchgen.toml).")
@click.option("-v", "--verbose", count=True, help="Say more (each file written).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.version_option(__version__, prog_name="touchgen")
@click.pass_context
def cli(ctx: click.Context, site: str, verbose: int, quiet: bool) -> None:
    """touchgen: Monday posts to a website, feeds and newsletter emails,
    and a private record of the readers who write back.

    \b
    Example:
        touchgen init mysite && cd mysite
        touchgen new "Start before you need it"
        touchgen build
    """
    from pathlib import Path  # here, not at the top: `touchgen --help` has no use for it

    ctx.obj = Context(Path(site), -1 if quiet else verbose)


def main() -> None:
    """The touchgen command (the console script and python -m touchgen)."""
    from .context import ends_at_once

    try:
        cli(prog_name="touchgen")
    except SystemExit as exc:
        if exc.code in (0, None) and ends_at_once() and _may_end_at_once():
            import os

            os._exit(0)
        raise


def _may_end_at_once() -> bool:
    """Whether what was printed has gone out (not when the reader of a pipe has left; a stream closed
    from the start is None) and nothing waits for a normal exit to write its results (a profiler or
    a coverage tracer)."""
    import sys

    if sys.getprofile() is not None or sys.gettrace() is not None:
        return False
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True
