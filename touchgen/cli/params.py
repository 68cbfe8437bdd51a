"""Parameter types and options the commands share, and how listings print."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..clock import FIRST_YEAR, LAST_YEAR
from ..text import normalize_email, printable, valid_email

F = TypeVar("F", bound=Callable[..., Any])


class EmailType(click.ParamType[str, Any]):
    """A plain address such as ada@example.com."""

    name = "email"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not valid_email(text):
            self.fail(f"'{text}' is not an email address", param, ctx)
        return normalize_email(text)


class DayType(click.ParamType[dt.date, Any]):
    """A day written YYYY-MM-DD."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a date (use YYYY-MM-DD)", param, ctx)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.fail(f"'{value}' is out of the range of dates touchgen keeps (years {FIRST_YEAR} to {LAST_YEAR})",
                      param, ctx)
        return day


EMAIL = EmailType()
DAY = DayType()
FORMATS = click.Choice(["table", "json", "csv"])


def today_option(command: F) -> F:
    return click.option("--today", type=DAY, help="Act as if today were this date.")(command)


def format_option(command: F) -> F:
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
    if format_ == "json":
        click.echo(json.dumps(rows if data is None else data, indent=2, ensure_ascii=False))
    elif format_ == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        cells = [list(columns)] + [[printable(_cell(row[column])) for column in columns] for row in rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
        for number, line in enumerate(cells):
            text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            click.echo(click.style(text, bold=True) if number == 0 else text)
