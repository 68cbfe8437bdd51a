"""The private dashboard: touchgen report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..errors import UsageProblem
from .context import Context, pass_context
from .params import today_option


@click.command("report")
@click.option("--out", type=click.Path(path_type=Path),
              help="Write the page to this file (or into this folder) [data/report/index.html]; never under "
                   "output/, static/, content/ or templates/.")
@today_option
@click.option("--format", "format_", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="Write the HTML page, or print the same figures as JSON.")
@pass_context
def report(obj: Context, out: Path | None, today: dt.date | None, format_: str) -> None:
    """Write the private dashboard, one self-contained HTML page that needs no
    network: the funnel from reader to relationship, replies and calls per
    post, the year's daily touches against the target and the pace, people
    per stage month by month, key accounts, and the replies waiting for an
    answer. --format json prints the same figures instead.

    \b
    Example:
        touchgen report
        touchgen report --today 2026-11-23 --out ~/private/report.html
        touchgen report --format json
    """
    from ..clock import moment_of_day
    from ..report.figures import gather
    from ..report.page import render, target, write

    if format_ == "json" and out is not None:
        raise UsageProblem("--out writes the HTML page; --format json prints to standard output "
                           "(redirect it: touchgen report --format json > report.json)")
    settings = obj.settings()
    day = obj.day(settings, today)
    path = target(settings, out) if format_ == "html" else None
    with obj.store(settings) as store:
        figures = gather(store, settings, day, moment_of_day(today, settings.zone))
    if path is None:
        click.echo(json.dumps(figures.as_dict(), indent=2, ensure_ascii=False))
        return
    write(path, render(settings, figures))
    obj.say(f"Wrote {settings.paths.shown(path)}: {figures.summary()}")


COMMANDS: list[click.Command] = [report]
