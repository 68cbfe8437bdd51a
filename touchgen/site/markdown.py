"""Markdown to HTML (Python-Markdown with Pygments), plus the text a page needs about itself."""

from __future__ import annotations

import html
import importlib
import math
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any, TypeVar

import markdown
from markdown.blockprocessors import (BlockProcessor, BlockQuoteProcessor, HashHeaderProcessor, HRProcessor,
                                     ReferenceProcessor, SetextHeaderProcessor)
from markdown.extensions import Extension
from markdown.extensions import toc
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnotePostprocessor
from markdown.extensions.tables import TableProcessor
from markdown.extensions.toc import TocTreeprocessor
from markdown.postprocessors import AndSubstitutePostprocessor, Postprocessor, RawHtmlPostprocessor
from markdown.preprocessors import HtmlBlockPreprocessor, NormalizeWhitespace
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor
from markdown.util import ETX, STX, Registry

from .cache import Rendered
from .inline import make_cheaper, needs_of
from .renderers import EXTENSION_CONFIGS, EXTENSIONS


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


# Of a heading's text, the characters on which toc's reading of its name may act: escaped, put back by a
# postprocessor (every placeholder holds STX), or taken for a tag.
_NOT_PLAIN = re.compile("[&<>\x02\x03]")
# The postprocessors that leave such a text as it is (they act on placeholders, or on tags).
_QUIET = {RawHtmlPostprocessor, AndSubstitutePostprocessor, FootnotePostprocessor, _FocusableScrollers}


class _Toc(TocTreeprocessor):
    """toc's treeprocessor, which gives every heading an id from its name and builds a table of contents
    (Markdown.toc, which touchgen does not use), made cheaper with the same ids and HTML:
    - a heading whose text is plain (no inline markup, nothing escaped or put aside, no '&', '<' or
      '>') has that text, stripped, as its name: toc would serialize it, run every postprocessor on it
      and strip its tags to find the same;
    - the table is built, and the marker ('[TOC]') looked for, only on a page whose text holds the
      marker (the most do not)."""

    marked = False

    def run(self, doc: Any) -> None:
        if self.use_anchors or self.use_permalinks not in (False, None) or not all(
                type(processor) in _QUIET for processor in self.md.postprocessors):
            self.marked = bool(self.marker)
            super().run(doc)
            return
        used_ids: set[str] = set()
        headings = []
        marked = False
        for element in doc.iter():
            if "id" in element.attrib:
                used_ids.add(element.attrib["id"])
            if isinstance(element.tag, str) and self.header_rgx.match(element.tag):
                headings.append(element)
            if self.marker and element.text and self.marker in element.text:
                marked = True
        self.marked = marked
        counters: dict[str, int] = {}
        tokens: list[Any] = []
        for element in headings:
            self.set_level(element)
            text = element.text or ""
            if len(element) == 0 and not _NOT_PLAIN.search(text):
                inner = text.strip()
                name = " ".join(inner.split())
            else:
                inner = toc.render_inner_html(toc.remove_fnrefs(element), self.md)
                name = toc.strip_tags(inner)
            if "id" not in element.attrib:
                element.attrib["id"] = toc.unique(self.slugify(html.unescape(name), self.sep), used_ids, counters)
            label = ""
            if "data-toc-label" in element.attrib:
                label = toc.run_postprocessors(toc.unescape(element.attrib["data-toc-label"]), self.md)
                name = toc.escape_cdata(toc.strip_tags(label))
                del element.attrib["data-toc-label"]
            level = int(element.tag[-1])
            if self.toc_top <= level <= self.toc_bottom:
                tokens.append({"level": level, "id": toc.unescape(element.attrib["id"]), "name": name,
                               "html": inner, "data-toc-label": label})
        nested = toc.nest_toc_tokens(tokens)
        div = self.build_toc_div(nested)
        if self.marker:
            self.replace_marker(doc, div)
        made = self.md.serializer(div)
        for processor in self.md.postprocessors:
            made = processor.run(made)
        self.md.toc_tokens, self.md.toc = nested, made  # type: ignore[attr-defined]

    def build_toc_div(self, toc_list: list[Any]) -> Any:
        return super().build_toc_div(toc_list) if self.marked else etree.Element("div")

    def replace_marker(self, root: Any, elem: Any) -> None:
        if self.marked:
            super().replace_marker(root, elem)


def _block_needs(processor: BlockProcessor) -> tuple[str, ...] | None:
    """Strings of which a block must hold one for `processor` to take it (its test true, or its run
    not False): read from its expression (see inline.needed_strings); a table needs a '|' in its header
    row. None: no such strings are known."""
    if isinstance(processor, TableProcessor):
        return ("|",)
    expression = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
    return needs_of(expression) if isinstance(expression, re.Pattern) else None


class _Tested(BlockProcessor):
    """A block processor whose test is false at once for a block without any of its needs."""

    needs: tuple[str, ...]

    def test(self, parent: Any, block: str) -> bool:
        for string in self.needs:
            if string in block:
                return bool(super().test(parent, block))
        return False


class _Run(BlockProcessor):
    """A block processor whose test is always true and whose run looks for its expression, putting the
    block back and returning False when it finds none: False at once for a block without any of its needs."""

    needs: tuple[str, ...]

    def run(self, parent: Any, blocks: list[str]) -> bool | None:
        for string in self.needs:
            if string in blocks[0]:
                return super().run(parent, blocks)
        return False


# The processors made cheaper this way: those whose test searches the block for an expression (block
# quotes, headings, rules) or reads its rows (tables), or whose run searches it (footnotes and link
# definitions, tried on every paragraph). A list's test matches at the block's start: cheap already.
_TESTED = (BlockQuoteProcessor, HashHeaderProcessor, SetextHeaderProcessor, HRProcessor, TableProcessor)
_RUN = (FootnoteBlockProcessor, ReferenceProcessor)
_CHEAPER: dict[tuple[type, tuple[str, ...]], type] = {}


def _cheaper_block(processor: BlockProcessor) -> None:
    kind = type(processor)
    wrapper = _Tested if kind in _TESTED else _Run if kind in _RUN else None
    needs = _block_needs(processor) if wrapper is not None else None
    if wrapper is None or needs is None:
        return
    key = (kind, needs)
    if key not in _CHEAPER:
        _CHEAPER[key] = type(f"_Cheaper{kind.__name__}", (wrapper, kind), {"needs": needs})
    processor.__class__ = _CHEAPER[key]


class _HtmlBlocks(HtmlBlockPreprocessor):
    """Python-Markdown's HTML block preprocessor, which feeds the whole text to an HTML parser: a text
    without '<' or '&' is all data to it, and comes back as it went in."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if "<" not in source and "&" not in source:
            return source.split("\n")
        return super().run(lines)


class _Whitespace(NormalizeWhitespace):
    """Python-Markdown's whitespace normalizer, which empties every line of only spaces with an
    expression tried at every character (a fortieth of a document's rendering): tried only when the
    text holds a space before a line break, as each of its matches does."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(STX, "").replace(ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


class _Unescape(UnescapeTreeprocessor):
    """Python-Markdown's last treeprocessor, which puts back backslash-escaped characters (kept as
    STX, a number, ETX) in every text, tail and attribute: only in those that hold an STX."""

    def run(self, root: Any) -> None:
        for element in root.iter():
            text = element.text
            if text and STX in text and element.tag != "code":
                element.text = self.unescape(text)
            tail = element.tail
            if tail and STX in tail:
                element.tail = self.unescape(tail)
            for key, value in element.items():
                if value is not None and STX in value:
                    element.set(key, self.unescape(value))


class _Kept(Registry):  # type: ignore[type-arg]
    """A registry of processors that keeps its order between walks through it until it changes (the
    block parser walks its processors for every block, sorting and listing them each time)."""

    _kept: tuple[Any, ...] | None = None

    def __iter__(self) -> Any:
        if self._kept is None:
            self._kept = tuple(super().__iter__())
        return iter(self._kept)

    def register(self, item: Any, name: str, priority: float) -> None:
        self._kept = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._kept = None
        super().deregister(name, strict)


_SWAPPED = {HtmlBlockPreprocessor: _HtmlBlocks, NormalizeWhitespace: _Whitespace, TocTreeprocessor: _Toc,
            UnescapeTreeprocessor: _Unescape}


class _Accessible(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_HeaderCellsWithText(md), "header_cells_with_text", 0)
        md.postprocessors.register(_FocusableScrollers(md), "focusable_scrollers", 15)


WORDS_PER_MINUTE = 200
T = TypeVar("T")


def _made_once(function: Callable[..., T]) -> Callable[..., T]:
    """`function(name, **options)` made once for each name and options, then reused."""
    made: dict[Any, T] = {}

    def lookup(name: str, **options: Any) -> T:
        key = (name, tuple(sorted(options.items())))
        try:
            return made[key]
        except KeyError:
            made[key] = function(name, **options)
            return made[key]
        except TypeError:  # an option that cannot be a key
            return function(name, **options)

    return lookup


def _reuse_pygments() -> None:
    """codehilite asks Pygments for a new lexer and formatter for every code block: a search through
    every installed plugin and a style sheet built each time, a fifth of a build. Both are reusable
    (they keep no state between blocks), so each is made once per language and options. The lexers
    try only the rules that may match where they are (lexing.py)."""
    from markdown.extensions import codehilite

    from .lexing import make_faster

    make_faster()
    if not getattr(codehilite, "touchgen_reuses", False):
        for name in ("get_lexer_by_name", "get_formatter_by_name"):
            setattr(codehilite, name, _made_once(getattr(codehilite, name)))
        setattr(codehilite, "touchgen_reuses", True)


def _extensions() -> list[Extension]:
    """EXTENSIONS made from their modules, as Python-Markdown makes an extension named by its module
    (named by its short name, each would be looked for among every installed package's entry points)."""
    return [importlib.import_module(f"markdown.extensions.{name}").makeExtension(**EXTENSION_CONFIGS.get(name, {}))
            for name in EXTENSIONS]


class Renderer:
    """One Markdown instance reused for every document (reset between them), with some of its parts
    swapped for cheaper ones that give the same HTML: the inline processors (inline.py), the block
    processors that search a block, the whitespace, HTML block, toc and unescaping passes, and the
    registries' order (above)."""

    def __init__(self) -> None:
        _reuse_pygments()
        self._md = markdown.Markdown(extensions=[*_extensions(), _Accessible()], output_format="html")
        for processor in self._md.treeprocessors:
            make_cheaper(processor)  # the inline patterns, and smarty's
        for block_processor in self._md.parser.blockprocessors:
            _cheaper_block(block_processor)
        for processor in [*self._md.preprocessors, *self._md.treeprocessors]:
            processor.__class__ = _SWAPPED.get(type(processor), type(processor))
        for registry in (self._md.preprocessors, self._md.parser.blockprocessors, self._md.treeprocessors,
                         self._md.postprocessors):
            if type(registry) is Registry:
                registry.__class__ = _Kept

    def render(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)

    def text(self, markdown_text: str) -> str:
        """Markdown such as a summary ('**Small** promises, [kept](x)') as the plain text it reads as."""
        return plain_text(self.render(markdown_text))


_TAG = re.compile(r"<[^>]+>")


def _words(fragment: str) -> list[str]:
    """The words of an HTML fragment's visible text."""
    return html.unescape(_TAG.sub(" ", fragment)).split()


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(_words(fragment))


SUMMARY_LENGTH = 160


def shorten(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """`text` cut at the last word boundary before `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-–—") + "…"


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def first_paragraph(body_html: str) -> str:
    """The first paragraph as text, cut near SUMMARY_LENGTH characters: the summary a post without one gets."""
    match = _FIRST_PARAGRAPH.search(body_html)
    return shorten(plain_text(match.group(1))) if match else ""


def reading_minutes(body_html: str) -> int:
    words = len(_words(body_html))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


_RENDERER: list[Renderer] = []  # one per process, made on first use
# One document at a time: the build process may render one on two threads at once (should the cache
# lose a rendering while the pool's thread sends entries and the build renders the listing pages).
_RENDERING = threading.Lock()


def render_document(body: str, summary: str | None) -> Rendered | None:
    """The HTML, summary text and reading time of a post or page; None when its markdown is nested
    too deeply to render."""
    with _RENDERING:
        if not _RENDERER:
            _RENDERER.append(Renderer())
        renderer = _RENDERER[0]
        try:
            body_html = renderer.render(body)
        except RecursionError:
            return None
        text = renderer.text(summary) if summary else first_paragraph(body_html)
    return Rendered(body_html, text, reading_minutes(body_html))
