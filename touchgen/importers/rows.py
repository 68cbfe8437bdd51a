"""What every importer shares: reading a file as text with located errors, and CSV rows with
the line each starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ..clock import parse_utc, utc_iso
from ..errors import LocatedError
from ..files import read_utf8

TRUE_WORDS = {"true", "1", "yes", "y", "t"}


def read_text(path: Path, what: str = "a CSV file") -> str:
    """The file as text (a UTF-8 BOM is dropped); clear errors when missing, a folder, or not UTF-8."""
    if not path.exists():
        raise LocatedError(path, None, "no such file (check the path)")
    if path.is_dir():
        raise LocatedError(path, None, f"is a folder, not {what}")
    return read_utf8(path, path, "export or save the file as UTF-8", bom=True)


def csv_records(text: str, delimiter: str = ",") -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The lower-cased header, and each non-empty row as (the line it starts on, {column: value})."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader, [])]

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if any(value.strip() for value in values):
                yield start, dict(zip(header, values))

    return header, records()


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE_WORDS


def parse_moment(value: str | None) -> str | None:
    """A CSV date or datetime as the store's UTC text, or None when it cannot be read."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return utc_iso(parse_utc(text))
    except ValueError:
        return None
