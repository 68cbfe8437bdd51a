"""Every colour of the default theme's code highlighting reads at 4.5:1 (WCAG AA) on the code block's
background and on a highlighted line, in light and in dark mode: all token classes, not only those a
sample post happens to use (the browser tests check the pages as rendered)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLE = Path(__file__).resolve().parent.parent / "templates/static/css/style.css"
DARK = "@media (prefers-color-scheme: dark) {"


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    darker, lighter = sorted([luminance(one), luminance(other)])
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_follows_wcag():
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast("#f0875f", "#b4461f"), 1) == 2.2  # the email button's text once had this in dark mode


def schemes() -> dict[str, str]:
    """The style sheet's rules as the light and the dark scheme each see them (dark adds its blocks)."""
    css = STYLE.read_text(encoding="utf-8")
    dark_blocks = re.findall(re.escape(DARK) + r"(.*?)\n\}", css, re.DOTALL)
    assert len(dark_blocks) == 2, "expected the colour variables and the code colours in dark blocks"
    light = re.sub(re.escape(DARK) + r".*?\n\}", "", css, flags=re.DOTALL)
    return {"light": light, "dark": light + "".join(dark_blocks)}


def last(pattern: str, css: str) -> str:
    found = re.findall(pattern, css)
    assert found, pattern
    return found[-1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_token_colour_reads_on_the_code_background(scheme):
    css = schemes()[scheme]
    backgrounds = {"code": last(r"--code-bg: (#[0-9a-fA-F]{3,6})", css),
                   "highlighted line": last(r"\.highlight \.hll \{ background-color: (#[0-9a-fA-F]{3,6})", css)}
    rules: dict[str, tuple[str, str]] = {}  # token: its colour and its own background, if it has one
    for token, colour, own in re.findall(r"^\s*\.highlight \.([\w-]+) \{ color: (#[0-9a-fA-F]{3,6})"
                                         r"(?:; background-color: (#[0-9a-fA-F]{3,6}))?", css, re.MULTILINE):
        rules[token] = (colour, own)  # a later (dark) rule replaces the light one
    rules["plain text"] = (last(r"--text: (#[0-9a-fA-F]{3,6})", css), "")
    assert len(rules) > 40
    low = {}
    for token, (colour, own) in rules.items():
        for name, background in ({"its own": own} if own else backgrounds).items():
            if contrast(colour, background) < 4.5:
                low[f"{token} {colour} on {name} {background}"] = round(contrast(colour, background), 2)
    assert low == {}
