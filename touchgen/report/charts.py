"""The figures laid out for the report's templates: each bar with its length, its visible number
and the words a screen reader says; the calendar's cells in rows and columns. No drawing here:
templates/report/ turns these into inline SVG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import DAY_NAMES, Settings
from ..people.funnel import STEPS
from ..text import plural
from ..touch.workdays import MONTHS, WEEKDAY_NAMES
from .figures import Figures

BAR_ROOM = 75.0  # percent of a chart's width the longest bar takes: the rest is room for a number beside it
INSIDE = 45.0  # a bar at least this long shows its number inside
STEP_NAMES = {"readers": "Readers", "replied": "Replied", "booked_call": "Booked a call",
              "conversation": "In a conversation", "relationship": "In a relationship"}
CELL, GAP, HEAD = 20, 3, 16  # the calendar's cell, the space between cells, the row of weekday letters


@dataclass(frozen=True)
class Bar:
    value: int
    length: float  # percent of the chart's width
    text: str  # the number as it shows beside the bar
    label: str  # what a screen reader says, and the tooltip

    @property
    def inside(self) -> bool:
        """A long bar shows its number inside its end: beside it, the number could run off the chart."""
        return self.length >= INSIDE


def length(value: float, largest: float) -> float:
    """A bar's length in percent of the chart, the largest taking BAR_ROOM (a value above 0 is
    never drawn thinner than a hair, so it can be seen)."""
    if largest <= 0 or value <= 0:
        return 0.0
    return round(max(0.6, BAR_ROOM * value / largest), 2)


def rate_text(rate: float | None) -> str:
    """As `touchgen funnel` prints a rate."""
    return "" if rate is None else f"{rate:.1%}"


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    rate: str  # "2.9% of readers", or "" for the first step
    bar: Bar


def funnel_steps(figures: Figures) -> list[Step]:
    counted = figures.funnel
    rates = counted.rates()
    steps = []
    for number, key in enumerate(STEPS):
        count = counted.count(key)
        previous = STEP_NAMES[STEPS[number - 1]].lower() if number else ""
        rate = f"{rate_text(rates[key])} of {previous}" if number and rates[key] is not None else ""
        label = f"{STEP_NAMES[key]}: {plural(count, 'person', 'people')}" + (f", {rate}" if rate else "")
        steps.append(Step(key, STEP_NAMES[key], rate, Bar(count, length(count, counted.readers), f"{count:,}", label)))
    return steps


@dataclass(frozen=True)
class PostRow:
    slug: str
    title: str
    date: dt.date
    url: str
    sent: int
    replies: Bar
    calls: Bar


def post_rows(figures: Figures) -> list[PostRow]:
    """The posts, newest first; replies and calls on one scale, so their bars compare."""
    largest = max([max(post.replied, post.booked_call) for post in figures.posts], default=0)
    rows = []
    for post in figures.posts:
        replies = plural(post.replied, "reply", "replies")
        calls = plural(post.booked_call, "call")
        rows.append(PostRow(post.slug, post.title, post.date, post.url, post.sent,
                            Bar(post.replied, length(post.replied, largest), f"{post.replied:,}",
                                f"{post.title}: {replies}"),
                            Bar(post.booked_call, length(post.booked_call, largest), f"{post.booked_call:,}",
                                f"{post.title}: {calls} booked")))
    return rows


@dataclass(frozen=True)
class Cell:
    day: dt.date
    x: int
    y: int
    touches: int | None  # None: a day still to come, or a holiday
    level: str  # miss | one | many | future | holiday
    today: bool
    label: str

    size = CELL

    @property
    def text(self) -> str:
        """What the cell shows: its touches, a dash for a holiday, nothing for a day to come."""
        return "–" if self.level == "holiday" else "" if self.touches is None else str(self.touches)


@dataclass(frozen=True)
class Month:
    name: str
    touches: int  # as touch stats counts them: every touch of the month, on any day
    working: int  # working days in the month
    weekdays: tuple[tuple[float, str], ...]  # the column heads: (centre, letter) of each working weekday
    cells: tuple[Cell, ...]
    width: int
    height: int

    @property
    def label(self) -> str:
        return (f"{self.name}: {plural(self.touches, 'touch', 'touches')} "
                f"on {plural(self.working, 'working day')}")


def _level(touches: int) -> str:
    return "miss" if touches == 0 else "one" if touches == 1 else "many"


def months(figures: Figures, settings: Settings) -> list[Month]:
    """The year's calendar: a small grid for each month, one column per working weekday, one row
    per week; each working day coloured by its touches and showing their number."""
    columns = sorted(DAY_NAMES.index(day) for day in set(settings.touches.working_days))
    by_day = dict(figures.calendar)
    year = figures.touches.year
    found = []
    for number, name in enumerate(MONTHS, start=1):
        first = dt.date(year, number, 1)
        cells = []
        day = first
        while day.month == number:
            if day.weekday() in columns:
                x = columns.index(day.weekday()) * (CELL + GAP)
                y = HEAD + ((day.day - 1 + first.weekday()) // 7) * (CELL + GAP)
                cells.append(_cell(day, x, y, by_day, figures.today))
            day += dt.timedelta(days=1)
        letters = tuple((index * (CELL + GAP) + CELL / 2, WEEKDAY_NAMES[column][0])
                        for index, column in enumerate(columns))
        working = sum(1 for cell in cells if cell.level != "holiday")
        found.append(Month(name, figures.touches.per_month.get(name, 0), working, letters, tuple(cells),
                           len(columns) * (CELL + GAP) - GAP, HEAD + 6 * (CELL + GAP) - GAP))
    return found


def _cell(day: dt.date, x: int, y: int, by_day: dict[dt.date, int], today: dt.date) -> Cell:
    shown = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    if day not in by_day:
        return Cell(day, x, y, None, "holiday", False, f"{shown}: not a working day")
    touches = by_day[day]
    if day > today and not touches:
        return Cell(day, x, y, None, "future", False, f"{shown}: to come")
    return Cell(day, x, y, touches, _level(touches), day == today,
                f"{shown}: {plural(touches, 'touch', 'touches')}" + (" (today)" if day == today else ""))


@dataclass(frozen=True)
class Progress:
    """Touches this year against the target, with the pace marked."""

    done: float  # percent of the target, at most 100
    pace: float
    label: str


def progress(figures: Figures) -> Progress:
    stats = figures.touches
    target = stats.target or 1
    return Progress(round(min(100.0, 100 * stats.touches / target), 2), round(min(100.0, 100 * stats.pace / target), 2),
                    f"{stats.touches} of {stats.target} touches in {stats.year}; the pace for the working days "
                    f"so far is {stats.pace} ({figures.pace_phrase()})")


@dataclass(frozen=True)
class StageRow:
    month: str  # "Nov 2026"
    reader: Bar
    conversation: Bar
    relationship: Bar


STAGE_WORDS = {"reader": "readers", "conversation": "in a conversation", "relationship": "in a relationship"}


def stage_rows(figures: Figures) -> list[StageRow]:
    """People per stage month by month; each stage on its own scale (readers outnumber the rest)."""
    largest = {stage: max([getattr(month, stage) for month in figures.stages], default=0) for stage in STAGE_WORDS}
    rows = []
    for month in figures.stages:
        year, number = (int(part) for part in month.month.split("-"))
        shown = f"{MONTHS[number - 1][:3]} {year}"
        bars = {stage: Bar(getattr(month, stage), length(getattr(month, stage), largest[stage]),
                           f"{getattr(month, stage):,}", f"{shown}: {getattr(month, stage):,} {words}")
                for stage, words in STAGE_WORDS.items()}
        rows.append(StageRow(shown, bars["reader"], bars["conversation"], bars["relationship"]))
    return rows


def waiting_bars(figures: Figures) -> list[Bar]:
    """For each unanswered reply, the days it has waited against answer_within_days."""
    within = figures.answer_within_days
    return [Bar(reply.days, length(min(reply.days, within), within), plural(reply.days, "day"),
                f"{reply.name or reply.email}: waiting {plural(reply.days, 'day')} of {within}")
            for reply in figures.unanswered]
