"""Slugs for titles and tags in any script, made by python-slugify (a maintained transliterating
library): 'Привет, мир' becomes 'privet-mir', 'Café' 'cafe'. The title itself stays as written.

A symbol that ends a word is part of its name: 'C++', 'C#' and 'Disney+' would all lose it and share
a page with 'C' and 'Disney', so they are spelled out first, as GitHub's topics do: 'cpp', 'csharp',
'fsharp', 'disney-plus'. A symbol between words or before one ('a+b', '#1') is a separator, as before."""

from __future__ import annotations

import functools
import re

from slugify import slugify as transliterate

SPELLED_OUT = (
    (re.compile(r"(?<=\w)\+\+"), "pp"),  # C++, g++, C++20
    (re.compile(r"(?<=\w)#"), "sharp"),  # C#, F#, C#10
    (re.compile(r"(?<=\w)\+(?!\w)"), " plus"),  # Disney+, Google+
)


@functools.lru_cache(maxsize=4096)  # a site's few tags come back in every post
def slugify(text: str) -> str:
    """'Start before you need it!' -> 'start-before-you-need-it', 'C++' -> 'cpp', 'C#' -> 'csharp';
    '' when nothing is left."""
    for symbol, words in SPELLED_OUT:
        text = symbol.sub(words, text)
    return str(transliterate(text))
