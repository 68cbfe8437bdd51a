"""What every importer shares: reading a file as text with located errors, and CSV rows with
the line each starts on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from ..clock import FIRST_YEAR, LAST_YEAR, utc_iso
from ..errors import LocatedError
from ..files import read_utf8

TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "unsubscribed", "inactive"}


def read_text(path: Path, what: str = "a CSV file") -> str:
    """The file as text (a UTF-8 BOM is dropped); clear errors when missing, a folder, or not UTF-8."""
    if not path.exists():
        raise LocatedError(path, None, "no such file (check the path)")
    if path.is_dir():
        raise LocatedError(path, None, f"is a folder, not {what}")
    if not path.is_file():
        raise LocatedError(path, None, f"is not a regular file (a pipe or a device), not {what}")
    return read_utf8(path, path, "export or save the file as UTF-8", bom=True)


FIELD_LIMIT = 1024 * 1024  # characters in one CSV field: past that, a runaway quote is the likely cause


def csv_records(text: str, delimiter: str = ",", path: Path | str = "the file"
                ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The lower-cased header, and each non-empty row as (the line it starts on, {column: value}).
    A column named twice, a field past FIELD_LIMIT, or a quote left open to the end are located errors."""
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 0
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        twice = sorted({column for column in header if column and header.count(column) > 1})
        if twice:
            raise LocatedError(path, 1, f"the column {twice[0]!r} is named twice in the header; keep one")
        line = reader.line_num
        records = []
        for values in reader:
            start, line = line + 1, reader.line_num
            if any(value.strip() for value in values):
                records.append((start, dict(zip(header, values))))
    except csv.Error as exc:
        raise LocatedError(path, line + 1, f"cannot be read as CSV ({exc}): a quote opened in this row is not "
                                           "closed where it should be; close it or remove it") from None
    return header, records


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE_WORDS


# A moment written with a space before its offset: Go's time.String() as listmonk exports it
# ('2023-05-01 14:03:22.123456 +0000 UTC', with a zone name, or '+0000 +0000' without one, and a
# monotonic 'm=+0.01' when it has one) and Ruby's Time#to_s ('2023-05-01 14:03:22 +0200').
SPACED_OFFSET = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) ([+-]\d{2}):?(\d{2})"
                           r"(?: [A-Za-z][\w/+-]*| [+-]\d{2,4})?(?: m=[+-]\d+(?:\.\d+)?)?")
# A zone named at the end: '2023-05-01 14:03:22 UTC' (beehiiv, Kit and other Rails apps), 'Z', 'GMT'.
UTC_NAMED = re.compile(r"(?:\s*(?:UTC|GMT)|Z)$", re.IGNORECASE)


def parse_moment(value: str | None) -> str | None:
    """A date or moment as subscriber exports write it, as the store's UTC text; None when the
    cell is empty or cannot be read. ISO 8601 with Z or an offset, a naive time (taken as UTC,
    as Mailchimp, MailerLite and Tiny News write theirs), '... UTC', and Go's and Ruby's forms."""
    text = (value or "").strip()
    if not text:
        return None
    spaced = SPACED_OFFSET.fullmatch(text)
    if spaced:
        day, time, hours, minutes = spaced.groups()
        text = f"{day}T{time}{hours}:{minutes}"
    else:
        text = UTC_NAMED.sub("+00:00", text)
    try:
        moment = dt.datetime.fromisoformat(text)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
        return utc_iso(moment) if FIRST_YEAR <= moment.year <= LAST_YEAR else None
    except ValueError:
        return None
