"""The report as one self-contained HTML page (styles inline, charts as inline SVG, nothing fetched),
rendered from templates/report/ and written by one rename, never under output/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import __version__
from ..config import Settings
from ..errors import TouchgenError
from ..files import write_atomic
from ..site.theme import Theme
from ..touch.workdays import MONTHS, long_date
from . import charts
from .figures import Figures

TEMPLATE = "report/index.html"
PAGE = "index.html"  # in data/report/


def default_path(settings: Settings) -> Path:
    return settings.paths.report / PAGE


def target(settings: Settings, out: Path | None) -> Path:
    """Where the page goes: `out` (a folder gets index.html in it), else data/report/index.html.
    Never where the website is published from: the report names readers."""
    path = default_path(settings) if out is None else out / PAGE if out.is_dir() else out
    paths = settings.paths
    published = [(paths.output, "which is published with the site"),
                 (paths.static, "whose files are copied into the published site"),
                 (paths.posts.parent, "whose files beside a post are published with it"),
                 (paths.templates, "whose static/ files are copied into the published site")]
    for folder, why in published:
        if path.resolve().is_relative_to(folder.resolve()):
            shown = out if out is not None else paths.shown(path)
            raise TouchgenError(f"{shown}: is inside {paths.shown(folder)}/, {why}; the report is private: write "
                                "it under data/ (the default is data/report/index.html)")
    return path


def render(settings: Settings, figures: Figures) -> str:
    """The page, from the site's templates/report/ or the default theme's."""
    return Theme(settings.root).render(
        TEMPLATE, report=figures, site=settings.site, stages_rules=settings.stages, version=__version__,
        funnel=charts.funnel_steps(figures), posts=charts.post_rows(figures), waiting=charts.waiting_bars(figures),
        progress=charts.progress(figures), months=charts.months(figures, settings), stages=charts.stage_rows(figures),
        long_date=long_date, short_date=short_date)


def short_date(day: dt.date) -> str:
    """'23 Nov 2026'."""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def write(path: Path, html: str) -> None:
    """The page at `path` by one rename (its folder made when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, html.encode("utf-8"))
