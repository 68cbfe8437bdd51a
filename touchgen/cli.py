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


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


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
@click.option("--clean", is_flag=True, help="Remove output/site first and write every file anew.")
@pass_context
@reports_errors
def build(obj: Context, drafts: bool, future: bool, clean: bool) -> None:
    """Build the website and feeds into output/site. Everything is checked
    and rendered first: a build that fails changes nothing, and unchanged
    files are not rewritten. SOURCE_DATE_EPOCH makes builds reproducible.

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
        f"{plural(rendered.feeds, 'feed')} in {result.seconds:.2f} s: {written.written} written, "
        f"{written.unchanged} unchanged, {written.removed} removed (output/site)"
    )


def main() -> None:
    cli(prog_name="touchgen")


if __name__ == "__main__":
    main()
