"""'Now' for every command, and the one text form of a moment in the store (UTC ISO 8601)."""

from __future__ import annotations

import datetime as dt
import os

from .errors import TouchgenError, UsageProblem

# The years a day or a post may be in: every time zone keeps these inside the dates Python can hold.
FIRST_YEAR, LAST_YEAR = 1900, 9998


def current_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible runs and tests), else the clock; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError):
            raise TouchgenError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from None
    return dt.datetime.now(dt.timezone.utc)


def today(zone: dt.tzinfo = dt.timezone.utc) -> dt.date:
    """Today's date in `zone`, from the same clock as the build."""
    return current_time().astimezone(zone).date()


def moment_of_day(day: dt.date | None, zone: dt.tzinfo) -> dt.datetime:
    """Noon of `day` in `zone` (so --today means that day everywhere), or now without a day."""
    if day is None:
        return current_time()
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone)


def utc_iso(moment: dt.datetime) -> str:
    """The one text form of a moment in the store: UTC, whole seconds, 'Z'. A naive moment is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    try:
        utc = moment.astimezone(dt.timezone.utc)
        return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"  # %Y gives '1', not '0001', for year 1 on Linux
    except OverflowError:
        raise ValueError(f"{moment} is out of the range of dates touchgen keeps (years 1 to 9999)") from None


def parse_utc(text: str) -> dt.datetime:
    """A moment written by utc_iso (or any ISO 8601 text) as an aware datetime; ValueError otherwise."""
    moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" UTC", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def refuse_future(day: dt.date, today_: dt.date, option: str = "--date") -> None:
    """What happened cannot be after today: a date in the future is a usage error."""
    if day > today_:
        raise UsageProblem(f"{option} {day} is after today ({today_}); record what happened, not what is planned")
