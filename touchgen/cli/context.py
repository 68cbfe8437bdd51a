"""What every command gets: the site folder, how much to say, and the settings and store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from ..config import Settings
    from ..people.store import Store

_ENDING = {"at once": False}


def end_at_once() -> None:
    """The command has written, closed and printed everything: the process may end without Python's
    tidying up (freeing a build's hundreds of thousands of objects one by one: a tenth of a rebuild
    that found nothing to do). See touchgen.cli.main."""
    _ENDING["at once"] = True


def ends_at_once() -> bool:
    return _ENDING["at once"]


class Context:
    def __init__(self, site: Path, verbosity: int) -> None:
        self.root = site
        self.verbosity = verbosity

    def settings(self) -> Settings:
        from ..config import load_settings

        return load_settings(self.root)

    def day(self, settings: Settings, asked: dt.date | None) -> dt.date:
        """The day a command acts on: --today when given, else today in the site's time zone."""
        from ..clock import today

        return asked or today(settings.zone)

    def store(self, settings: Settings) -> Store:
        from ..people.store import open_store

        return open_store(settings.root)

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
