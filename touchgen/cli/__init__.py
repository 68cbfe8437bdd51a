"""The command line, the only part of touchgen that imports click: parse, call the core, print.
One module per command group; heavy imports happen inside the commands that need them."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import click

from .. import __version__
from ..errors import ManyErrors, TouchgenError, from_os_error
from .context import Context


class Problem(click.ClickException):
    """A touchgen error as click shows it: the exit status the error carries; for a list of
    problems, the warnings seen on the way, each problem, then one closing line."""

    def __init__(self, error: TouchgenError, quiet: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.quiet = quiet

    def show(self, file: IO[Any] | None = None) -> None:
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
    """touchgen's top-level group: maps touchgen's exceptions for every command, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
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


def _register() -> None:
    from . import accounts, people, readers, report, send, site, touch

    for module in (site, people, readers, send, touch, accounts, report):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="touchgen")
