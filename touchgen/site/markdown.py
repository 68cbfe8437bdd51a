"""Markdown to HTML (Python-Markdown with Pygments), plus the text a page needs about itself."""

from __future__ import annotations

import html
import math
import re

from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor


class _HeaderCellsWithText(Treeprocessor):
    """An empty header cell (the corner of `| | A | B |`) becomes a plain cell: a header that names nothing
    is announced as an empty column name by screen readers."""

    def run(self, root: Any) -> None:
        for cell in root.iter("th"):
            if not (cell.text or "").strip() and len(cell) == 0:
                cell.tag = "td"


_SCROLLER_WITHOUT_TABINDEX = re.compile(r"<(pre|table)(?=[\s>])(?![^>]*\btabindex\s*=)")


class _FocusableScrollers(Postprocessor):
    """Every <pre> and <table> takes keyboard focus: wider than the screen, they scroll sideways by
    themselves, and a scrolling box that cannot be focused cannot be scrolled without a mouse. Runs after
    highlighted code and raw HTML are put back, so it reaches every one."""

    def run(self, text: str) -> str:
        return _SCROLLER_WITHOUT_TABINDEX.sub(r'<\1 tabindex="0"', text)


class _Accessible(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_HeaderCellsWithText(md), "header_cells_with_text", 0)
        md.postprocessors.register(_FocusableScrollers(md), "focusable_scrollers", 15)


EXTENSIONS = ["tables", "footnotes", "fenced_code", "codehilite", "toc", "smarty", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
}
WORDS_PER_MINUTE = 200


class Renderer:
    """One Markdown instance reused for every document (reset between them)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=[*EXTENSIONS, _Accessible()], extension_configs=EXTENSION_CONFIGS,
                                     output_format="html")

    def render(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)

    def text(self, markdown_text: str) -> str:
        """Markdown such as a summary ('**Small** promises, [kept](x)') as the plain text it reads as."""
        return plain_text(self.render(markdown_text))


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", fragment)
    return " ".join(html.unescape(without_tags).split())


SUMMARY_LENGTH = 160


def shorten(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """`text` cut at the last word boundary before `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-–—") + "…"


def first_paragraph(body_html: str) -> str:
    """The first paragraph as text, cut near SUMMARY_LENGTH characters: the summary a post without one gets."""
    match = re.search(r"<p>(.*?)</p>", body_html, re.DOTALL)
    return shorten(plain_text(match.group(1))) if match else ""


def reading_minutes(body_html: str) -> int:
    words = len(plain_text(body_html).split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
