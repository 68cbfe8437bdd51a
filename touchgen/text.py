"""Small text helpers: counted words, slugs and email addresses."""

from __future__ import annotations

import re
import unicodedata

EMAIL_RE = re.compile(
    r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 post', '2 posts'; `many` for irregular words ('person', 'people')."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def slugify(text: str) -> str:
    """'Start before you need it!' -> 'start-before-you-need-it'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def valid_email(text: str) -> bool:
    """A plain address such as ada@example.com (no display name, no spaces)."""
    return bool(EMAIL_RE.match(text))


NAME_LIMIT = 200


def clean_name(name: str) -> str:
    """A person's name as one line: line breaks and control characters become spaces, runs of
    spaces one, and it is cut to NAME_LIMIT characters (a name must fit in a mail header)."""
    visible = "".join(" " if unicodedata.category(char).startswith("C") else char for char in name)
    return " ".join(visible.split())[:NAME_LIMIT].rstrip()


def safe_filename(address: str) -> str:
    """An address as a file name: anything but letters, digits and @._+- becomes '_'."""
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", address)
