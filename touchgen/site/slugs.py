"""Slugs for titles and tags in any script, made by python-slugify (a maintained transliterating
library): 'Привет, мир' becomes 'privet-mir', 'Café' 'cafe'. The title itself stays as written."""

from __future__ import annotations

from slugify import slugify as transliterate


def slugify(text: str) -> str:
    """'Start before you need it!' -> 'start-before-you-need-it'; '' when nothing is left."""
    return str(transliterate(text))
