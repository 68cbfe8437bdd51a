"""How the daily touch is going: touches this year against the target and the pace, per month,
the streak of working days with a touch, the share passing all three tests, and the capacity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..clock import parse_utc
from ..config import Settings
from ..people.store import Store
from .cadence import Placed
from .planner import out_for_good
from .workdays import MONTHS, Workdays

TESTS = ("invested", "learned", "illustrated")


@dataclass(frozen=True)
class Stats:
    year: int
    touches: int
    target: int
    pace: int  # what the target asks for by today: target × working days so far / working days in the year
    per_month: dict[str, int] = field(default_factory=dict)
    streak: int = 0  # working days in a row, up to today, with a touch (today counts once it has one)
    all_three_tests: int = 0
    capacity: float = 0.0  # touches a year all cadences ask for: the sum of 365 / cadence

    @property
    def share_all_three(self) -> float | None:
        return round(self.all_three_tests / self.touches, 4) if self.touches else None

    @property
    def over_capacity(self) -> bool:
        return self.capacity > self.target

    def as_dict(self) -> dict[str, object]:
        return {"year": self.year, "touches": self.touches, "target": self.target, "pace": self.pace,
                "per_month": self.per_month, "streak": self.streak, "all_three_tests": self.all_three_tests,
                "share_all_three": self.share_all_three, "capacity": round(self.capacity, 1),
                "over_capacity": self.over_capacity}


def touch_days(store: Store, settings: Settings, year: int) -> list[tuple[dt.date, str]]:
    """(local day, tests) of every touch recorded in `year`."""
    zone = settings.zone
    rows = store.db.execute("SELECT at, tests FROM events WHERE kind = 'touch' AND at >= ? AND at < ?",
                            (f"{year - 1}-12-31", f"{year + 1}-01-02"))
    found = [(parse_utc(at).astimezone(zone).date(), tests) for at, tests in rows]
    return [(day, tests) for day, tests in found if day.year == year]


def stats(store: Store, settings: Settings, people: list[Placed], year: int, today: dt.date) -> Stats:
    touches = settings.touches
    workdays = Workdays.from_settings(touches)
    recorded = touch_days(store, settings, year)
    last_day = min(today, dt.date(year, 12, 31))
    in_year = workdays.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    so_far = [day for day in in_year if day <= last_day]
    pace = round(touches.yearly_target * len(so_far) / len(in_year)) if in_year else 0
    per_month = {MONTHS[month - 1]: sum(1 for day, _ in recorded if day.month == month) for month in range(1, 13)}
    touched = {day for day, _ in recorded}
    streak = 0
    for day in reversed(so_far):
        if day in touched:
            streak += 1
        elif day == last_day:
            continue  # today is not over: a streak is not broken before the day ends
        else:
            break
    all_three = sum(1 for _, tests in recorded if set(TESTS) <= set(filter(None, tests.split(","))))
    capacity = sum(365 / placed.cadence for placed in people if placed.cadence and not out_for_good(placed))
    return Stats(year, len(recorded), touches.yearly_target, pace, per_month, streak, all_three, capacity)
