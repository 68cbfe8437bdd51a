"""Commands of the site: init, new, check, build."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..text import plural
from .context import Context, end_at_once, pass_context
from .params import DAY, today_option

F = TypeVar("F", bound=Callable[..., Any])


@click.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@today_option
@pass_context
def init(obj: Context, directory: Path, today: dt.date | None) -> None:
    """Create a new site in DIRECTORY (new or empty): touchgen.toml, a sample
    post and page, and a copy of the default templates to change.

    \b
    Example:
        touchgen init mysite
    """
    from ..clock import today as clock_today
    from ..site.scaffold import init_site

    created = init_site(directory, today or clock_today())
    for path in created:
        obj.detail(f"  {directory / path}")
    obj.say(f"Created a site in {directory} ({plural(len(created), 'file')}). Next: cd {directory} && touchgen build")


@click.command()
@click.argument("title")
@click.option("--date", "date_", type=DAY, help="Publish date [the next free publish weekday].")
@today_option
@pass_context
def new(obj: Context, title: str, date_: dt.date | None, today: dt.date | None) -> None:
    """Create a draft post titled TITLE, dated on the next publish weekday
    that has no post yet. Never overwrites a file.

    \b
    Example:
        touchgen new "Start before you need it"
        touchgen new "One touch a day" --date 2026-11-30
    """
    from ..site.scaffold import new_post

    settings = obj.settings()
    path = new_post(settings, title, date_, obj.day(settings, today))
    obj.say(f"Created {path} (a draft: set draft: false to publish it)")


def render_options(command: F) -> F:
    command = click.option("--future", is_flag=True, help="Include posts dated after now.")(command)
    return click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")(command)


@click.command()
@render_options
@pass_context
def check(obj: Context, drafts: bool, future: bool) -> None:
    """Check settings, posts, pages and templates; print every problem and
    write nothing. Exit status 1 when anything is wrong.

    \b
    Example:
        touchgen check
    """
    from ..site.build import check as run_check

    rendered = run_check(obj.settings(), drafts, future)
    obj.warn(rendered.warnings)
    obj.say(f"No problems: {plural(rendered.posts, 'post')}, {plural(rendered.pages, 'page')}, "
            f"{plural(len(rendered.warnings), 'warning')}")


@click.command()
@render_options
@click.option("--clean", is_flag=True, help="Remove output/site and output/newsletter first; write every file anew.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for markdown, pages and emails [the number of cores].")
@pass_context
def build(obj: Context, drafts: bool, future: bool, clean: bool, jobs: int | None) -> None:
    """Build the website and feeds into output/site and the newsletter emails
    into output/newsletter. Everything is checked and rendered first: a build
    that fails changes nothing, and unchanged files are not rewritten. A
    rebuild renders only what changed since the last build (the cache is
    output/.cache/). SOURCE_DATE_EPOCH makes builds reproducible.

    \b
    Example:
        touchgen build
        touchgen build --drafts --future
        touchgen build --jobs 1
    """
    from ..site.build import build as run_build, keep_until_exit

    settings = obj.settings()
    keep_until_exit()  # the process ends at once after the build: nothing it made is freed one by one
    result = run_build(settings, drafts, future, clean, jobs)
    obj.warn(result.rendered.warnings)
    obj.say(result.summary())
    end_at_once()  # the trees are switched and the cache is closed


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0 shows the preview to your network).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="The port (0: any free one).")
@click.option("--no-drafts", is_flag=True, help="Leave out drafts and scheduled posts, as the real build does.")
@pass_context
def serve(obj: Context, host: str, port: int, no_drafts: bool) -> None:
    """Preview the site while you write: build it (drafts and scheduled posts
    included) into output/.preview, serve it, and build again on every save in
    content/, templates/, static/ or touchgen.toml; open pages reload by
    themselves, and a build error shows in the page. output/site, the site you
    deploy, is never touched. Ctrl-C stops.

    \b
    Example:
        touchgen serve
        touchgen serve --port 8080 --no-drafts
    """
    from ..site.serve import serve as run_serve

    obj.settings()  # a site that cannot be read is an error before anything listens
    run_serve(obj.root, host, port, not no_drafts, click.echo)


COMMANDS = [init, new, check, build, serve]
