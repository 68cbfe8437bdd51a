"""'Now' for every command: SOURCE_DATE_EPOCH when set (reproducible runs), else the clock."""

from __future__ import annotations

import datetime as dt
import os

from .errors import TouchgenError


def current_time() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError):
            raise TouchgenError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from None
    return dt.datetime.now(dt.timezone.utc)


def moment_of_day(day: dt.date | None, zone: dt.tzinfo) -> dt.datetime:
    """Noon of `day` in `zone` (so --today means that day everywhere), or now without a day."""
    if day is None:
        return current_time()
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone)
