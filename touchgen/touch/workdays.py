"""Working days: the days of [touches] working_days that are not holidays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import DAY_NAMES, TouchesSettings
from ..errors import TouchgenError

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def long_date(day: dt.date) -> str:
    """'Monday 23 November 2026'."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Workdays:
    weekdays: frozenset[int]
    holidays: frozenset[dt.date]

    @classmethod
    def from_settings(cls, touches: TouchesSettings) -> Workdays:
        return cls(frozenset(DAY_NAMES.index(day) for day in touches.working_days),
                   frozenset(dt.date.fromisoformat(day) for day in touches.holidays))

    def is_working(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def next_working(self, day: dt.date) -> dt.date:
        """`day` when it is a working day, else the first working day after it."""
        for offset in range(370):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working(candidate):
                return candidate
        raise TouchgenError("touchgen.toml: [touches] working_days and holidays leave no working day in a year")

    def coming(self, day: dt.date, count: int) -> list[dt.date]:
        """The next `count` working days from `day` on (`day` itself when it is one)."""
        days = [self.next_working(day)]
        while len(days) < count:
            days.append(self.next_working(days[-1] + dt.timedelta(days=1)))
        return days

    def between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Every working day from `first` to `last`, both included."""
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)
                if self.is_working(first + dt.timedelta(days=n))]
