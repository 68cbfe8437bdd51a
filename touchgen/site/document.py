"""One post or page: its front matter read as touchgen, Jekyll and Hugo mean it, checked with a
located message, and the warnings many files share given once."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import FIRST_YEAR, LAST_YEAR
from ..config import WEEKDAYS, Settings
from ..errors import FrontMatterError, LocatedError
from ..files import check_readable, read_utf8
from ..text import BIDI_CONTROLS, bidi_control, visible
from . import front_matter
from .foreign import foreign_syntax
from .slugs import slugify

if TYPE_CHECKING:
    from .markdown import Renderer

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Jekyll's: 2013-11-22-slug and 1995-1-1-slug.
DATED_NAME_RE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-(.+)$")
POST_KEYS = ("title", "date", "summary", "tags", "slug", "draft", "aliases")
PAGE_KEYS = ("title", "summary", "slug", "draft", "date", "aliases")
# What other generators call the same thing: read without a warning.
SYNONYMS = ("description", "excerpt", "categories", "published")
# Site paths a page slug would collide with.
RESERVED_SLUGS = {"posts", "tags", "page", "archive", "static", "feed-xml", "atom-xml", "sitemap-xml"}
# Invisible characters that break feeds and mail (C0 and C1 controls but tab and line ends, DEL,
# noncharacters): removed from a post with a warning.
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
# The endings of markdown files, as Jekyll's markdown_ext.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".mdown")
BUNDLE_INDEXES = tuple(f"index{suffix}" for suffix in MARKDOWN_SUFFIXES)
ALIAS_RE = re.compile(r"/?(?:[A-Za-z0-9._~%!$&'()*+,;=@-]+/)*[A-Za-z0-9._~%!$&'()*+,;=@-]*")


class Kind(StrEnum):
    POST = "post"
    PAGE = "page"


@dataclass(frozen=True)
class Document:
    """A post or a page as written: validated front matter plus the markdown body."""

    kind: Kind
    source: str  # path relative to the site, for messages
    title: str
    slug: str
    date: dt.datetime | None
    summary: str | None
    tags: tuple[str, ...]
    draft: bool
    body_text: str | None = field(compare=False, repr=False)  # the body, or None while only `read_body` has it (see body)
    body_line: int  # the line the markdown body starts on
    digest: str  # SHA-256 of the whole file: which source a built email came from (and what decides the body)
    assets: tuple[tuple[str, Path], ...] = ()  # (path under the page, source file): images and files beside it
    aliases: tuple[str, ...] = ()  # old paths (from the site root) that redirect here
    slug_from_name: bool = False  # the slug comes from the file name, not a slug: line
    url_path: str = ""  # where the page is, from the site root, such as posts/slug/
    read_body: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def body(self) -> str:
        """The markdown body. One from the build cache is read when first used: a rebuild lists
        thousands of posts but renders a few, and the bodies are most of a site's text."""
        if self.body_text is not None:
            return self.body_text
        assert self.read_body is not None, "a document without its body must say where to read it"
        return self.read_body()

    def __reduce__(self) -> tuple[Any, ...]:  # to worker processes: with the body, without the reader
        values = [getattr(self, name) for name in _DOCUMENT_FIELDS]
        values[_DOCUMENT_FIELDS.index("body_text")], values[_DOCUMENT_FIELDS.index("read_body")] = self.body, None
        return Document, tuple(values)


_DOCUMENT_FIELDS = [item.name for item in fields(Document)]


class Notes:
    """Warnings that many files may share, each given once with the number of other files."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.files: dict[str, set[str]] = {}

    def add(self, key: str, message: str, source: str) -> None:
        self.first.setdefault(key, message)
        self.files.setdefault(key, set()).add(source)

    def lines(self) -> list[str]:
        result = []
        for key, message in self.first.items():
            others = len(self.files[key]) - 1
            result.append(message + (f"; also in {others:,} other file{'s' if others != 1 else ''}" if others else ""))
        return result


def name_of(path: Path) -> str:
    """The name a slug and date come from: the file's, or for a bundle (x/index.md) the folder's."""
    return path.parent.name if path.name in BUNDLE_INDEXES else path.stem


def dated_name(stem: str) -> tuple[str | None, str]:
    """A post's file name as Jekyll reads it: ('2013-11-22', 'my-post') for 2013-11-22-my-post, or
    (None, the name) when it starts with no date."""
    dated = DATED_NAME_RE.match(stem)
    return (dated.group(1), dated.group(2)) if dated else (None, stem)


def assets_of(path: Path, markdown_suffixes: tuple[str, ...], root: Path) -> tuple[tuple[str, Path], ...]:
    """The files that go beside a post's page: everything but markdown in its bundle folder
    (x/index.md), or in a folder named like the post next to it (x.md and x/), as Hugo's page bundles."""
    bundle = path.name in BUNDLE_INDEXES
    if not bundle and not os.path.isdir(os.path.splitext(path)[0]):  # the common case, quickly: x.md without x/
        return ()
    folder = path.parent if bundle else path.with_suffix("")
    if not folder.is_dir():
        return ()
    check_readable(folder, lambda unread: unread.relative_to(root).as_posix())
    return tuple((source.relative_to(folder).as_posix(), source) for source in sorted(folder.rglob("*"))
                 if source.is_file() and source.suffix.lower() not in markdown_suffixes
                 and not source.name.startswith("."))


def post_url(permalink: str, slug: str, date: dt.datetime | None) -> str:
    """The path of a post from [site] permalink, such as '/:year/:month/:day/:slug/' -> '2013/11/22/x/'."""
    path = permalink.replace(":slug", slug)
    if date is not None:
        path = path.replace(":year", f"{date.year:04d}").replace(":month", f"{date.month:02d}")
        path = path.replace(":day", f"{date.day:02d}")
    return path.lstrip("/")


def _words(value: Any) -> list[Any]:
    """Tags as written: a list, 'a, b' or Jekyll's space-separated 'Ruby Rails'."""
    if isinstance(value, str):
        return [word for word in re.split(r"," if "," in value else r"\s+", value) if word.strip()]
    return value if isinstance(value, list) else [value]


def title_from_name(name: str) -> str:
    """Jekyll's title for a post without one: 'blogging-like-a-hacker' -> 'Blogging Like A Hacker'."""
    return " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_\s]+", name) if word)


def read_document(root: Path, path: Path, kind: Kind, settings: Settings, warnings: list[str],
                  notes: Notes | None = None) -> Document:
    """Read one post or page; raise FrontMatterError at the first problem in it. Warnings many files
    may share go to `notes` when given (the caller gives them once), else straight to `warnings`."""
    own_notes = notes is None
    notes = Notes() if notes is None else notes
    shown = path.relative_to(root).as_posix()
    try:
        text = read_utf8(path, shown, "save the file as UTF-8")
    except LocatedError as exc:
        raise FrontMatterError(exc.path, exc.line, exc.message) from None
    invisible = INVISIBLE_RE.search(text)
    if invisible:
        line = text.count("\n", 0, invisible.start()) + 1
        warnings.append(f"{shown}:{line}: warning: removed {len(INVISIBLE_RE.findall(text))} invisible control "
                        f"character(s) such as {invisible.group()!r}, which feeds and email cannot carry")
        text = INVISIBLE_RE.sub("", text)
    fence, meta_text, body_line = front_matter.split(text, shown)
    meta = front_matter.load(fence, meta_text, shown)

    known = POST_KEYS if kind is Kind.POST else PAGE_KEYS
    for key in meta:
        if key not in known and key not in SYNONYMS:
            notes.add(f"key {key}", f"{shown}:{front_matter.line_of(meta_text, str(key))}: warning: unknown front "
                                    f"matter key '{key}' (known: {', '.join(known)})", shown)

    def fail(key: str, message: str) -> FrontMatterError:
        return FrontMatterError(shown, front_matter.line_of(meta_text, key), message)

    for key in ("title", "summary", "description", "excerpt", "slug", "tags", "categories"):
        given = meta.get(key)  # one-line text for pages, feeds and the Subject header
        values: list[object] = given if isinstance(given, list) else [given]
        for value in (value for value in values if isinstance(value, str) and bidi_control(value)):
            what = f"tag '{visible(value)}'" if key in ("tags", "categories") else key
            raise fail(key, f"{what} has an invisible bidirectional control {bidi_control(value)}, which can make it "
                            "show in another order than it is written (\"Trojan Source\"); remove it: text in any "
                            "direction shows right without one")

    day, name = dated_name(name_of(path)) if kind is Kind.POST else (None, name_of(path))

    title = meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        title = title_from_name(name)
        if not title or kind is Kind.PAGE:
            raise FrontMatterError(shown, 1, "front matter has no title (add a line such as: title: My post)")
        notes.add("no title", f"{shown}:1: warning: front matter has no title, so it is '{title}', from the "
                              "file name (add a line such as: title: My post)", shown)
    if isinstance(title, bool) or not isinstance(title, (str, int, float)):
        raise fail("title", f"title must be text, not {str(title).lower()!r} (put it in quotes, such as: "
                            f"title: \"{str(title).lower()}\")")
    title = html.unescape(str(title))
    if "\n" in title.strip() or "\r" in title:
        raise fail("title", "title must be one line of text (remove the line break)")
    title = title.strip()

    date = None
    raw_date = meta.get("date")
    if raw_date is not None:
        try:
            date = front_matter.parse_date(raw_date, settings.zone)
        except (ValueError, OverflowError):
            raise fail("date", f"date '{raw_date}' is not a valid date (use YYYY-MM-DD)") from None
        if not FIRST_YEAR <= date.year <= LAST_YEAR:
            raise fail("date", f"date '{raw_date}' is out of the range of dates touchgen keeps (years {FIRST_YEAR} "
                               f"to {LAST_YEAR})")
    elif day:
        try:
            date = front_matter.parse_date(day, settings.zone)
        except ValueError:
            raise FrontMatterError(shown, 1, f"file name starts with '{day}', which is not a valid "
                                             "date (rename the file, or add a line such as: date: 2026-11-23)") from None
        if not FIRST_YEAR <= date.year <= LAST_YEAR:
            raise FrontMatterError(shown, 1, f"file name starts with '{day}', out of the range of dates "
                                             f"touchgen keeps (years {FIRST_YEAR} to {LAST_YEAR})")
    elif kind is Kind.POST:
        raise FrontMatterError(shown, 1, "front matter has no date (add a line such as: date: 2026-11-23, or start "
                                         "the file name with the date: 2026-11-23-my-post.md)")

    summary_key = next((key for key in ("summary", "description", "excerpt") if meta.get(key) is not None), "summary")
    summary = meta.get(summary_key)
    if summary is not None and not isinstance(summary, str):
        raise fail(summary_key, f"{summary_key} must be text")
    summary = " ".join(summary.split()) if summary else None

    tags: list[Any] = []
    for key in ("tags", "categories"):
        words = _words(meta.get(key) or [])
        if not isinstance(words, list) or not all(isinstance(tag, (str, int)) and not isinstance(tag, bool)
                                                  for tag in words):
            bools = [str(tag).lower() for tag in words if isinstance(tag, bool)] if isinstance(words, list) else []
            hint = f" (put {bools[0]} in quotes: YAML reads it as true or false)" if bools else ""
            raise fail(key, f"{key} must be a list of words, such as: {key}: [relationships, habits]{hint}")
        for word in words:
            tag = html.unescape(str(word)).strip()
            if not slugify(tag):
                raise fail(key, f"tag '{tag}' has no letters or digits to make a page name from")
            if tag not in tags:
                tags.append(tag)

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise fail("draft", f"draft must be true or false, not '{draft}'")
    published = meta.get("published", True)
    if not isinstance(published, bool):
        raise fail("published", f"published must be true or false, not '{published}'")
    draft = draft or not published

    if "slug" in meta:
        slug = str(meta["slug"])
        if not SLUG_RE.match(slug):
            raise fail("slug", f"slug '{slug}' may only contain a-z, 0-9 and single hyphens (such as: my-post)")
    else:
        slug = slugify(name)
        if not slug:
            raise FrontMatterError(shown, 1, f"file name '{path.name}' has no letters or digits to make a slug from "
                                             "(rename the file or add a line such as: slug: my-post)")
    if kind is Kind.PAGE and slug in RESERVED_SLUGS:
        raise fail("slug", f"slug '{slug}' is used by the site itself (choose another, such as about-{slug})")

    aliases = _aliases(meta.get("aliases"), fail)

    if kind is Kind.POST and date is not None and date.weekday() != settings.publish_weekday_index:
        notes.add("weekday",
                  f"{shown}:{front_matter.line_of(meta_text, 'date')}: warning: date {date.date()} is a "
                  f"{WEEKDAYS[date.weekday()].capitalize()}, not a "
                  f"{settings.site.publish_weekday.capitalize()} (publish_weekday)", shown)

    body = "".join(text.lstrip("\ufeff").splitlines(keepends=True)[body_line - 1:])
    for line, syntax, what in foreign_syntax(body):
        notes.add(syntax, f"{shown}:{body_line + line - 1}: warning: {syntax} is {what}, which touchgen "
                          "shows as written ('touchgen import posts' converts the common ones; edit or remove "
                          "the rest)", shown)
    in_code = _bidi_in_code(body) if BIDI_CONTROLS.search(body) else None
    if in_code:
        line, control = in_code
        raise FrontMatterError(shown, body_line + line - 1, f"code has an invisible bidirectional control "
                               f"{bidi_control(control)}, which makes code show in another order than it runs "
                               f"(\"Trojan Source\"); remove it, or write it as an escape such as \\u{ord(control):04x}")
    if own_notes:
        warnings.extend(notes.lines())
    digest = _digest(text)
    url = post_url(settings.site.permalink, slug, date) if kind is Kind.POST else f"{slug}/"
    return Document(kind, shown, title, slug, date, summary, tuple(tags), draft, body, body_line, digest,
                    assets_of(path, MARKDOWN_SUFFIXES, root), aliases, "slug" not in meta, url)


def _date_json(date: dt.datetime | None, zone: dt.tzinfo) -> list[Any] | None:
    """A date as JSON that gives back the same value, time zone included; ValueError for a time zone
    that it could not give back exactly."""
    if date is None:
        return None
    if date.tzinfo is zone:
        offset = None
    elif type(date.tzinfo) is dt.timezone and repr(date.tzinfo) == repr(dt.timezone(date.utcoffset() or dt.timedelta())):
        offset = int((date.utcoffset() or dt.timedelta()).total_seconds())
    else:
        raise ValueError(date.tzinfo)
    return [date.replace(tzinfo=None).isoformat(), date.fold, offset]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_digest(path: Path) -> str | None:
    """The digest read_document gives the file now (its text without invisible controls), or None
    when it cannot be read as text."""
    try:
        return _digest(INVISIBLE_RE.sub("", read_utf8(path, path.name, "")))
    except LocatedError:
        return None


DIGEST_FIELD = 10  # where to_json puts the digest
FIELDS = 14  # how many values to_json gives


def to_json(doc: Document, zone: dt.tzinfo) -> list[Any] | None:
    """`doc` as JSON values for the build cache, but its assets (other files) and its body (which the
    cache keeps apart); None when it cannot be written so that from_json gives back the same document."""
    try:
        date = _date_json(doc.date, zone)
    except ValueError:
        return None
    return [doc.kind.value, doc.source, doc.title, doc.slug, date, doc.summary, doc.tags, doc.draft,
            None, doc.body_line, doc.digest, doc.aliases, doc.slug_from_name, doc.url_path]


def from_json(values: list[Any], zone: dt.tzinfo, assets: tuple[tuple[str, Path], ...],
              read_body: Callable[[], str]) -> Document:
    """The document to_json wrote, with its assets as they are now and its body read by `read_body`
    when first used (to_json leaves the body out: it is kept apart, by the document's digest)."""
    kind, source, title, slug, date, summary, tags, draft, _, body_line, digest, aliases, from_name, url = values
    when = None
    if date is not None:
        naive, fold, offset = date
        tzinfo = zone if offset is None else dt.timezone(dt.timedelta(seconds=offset))
        when = dt.datetime.fromisoformat(naive).replace(tzinfo=tzinfo, fold=fold)
    return Document(Kind(kind), source, title, slug, when, summary, tuple(tags), draft, None, body_line, digest,
                    assets, tuple(aliases), from_name, url, read_body)


@functools.cache
def _code_renderer() -> Renderer:
    """One renderer for every body that has a bidirectional control (making one takes a while)."""
    from .markdown import Renderer

    return Renderer()


def _bidi_in_code(body: str) -> tuple[int, str] | None:
    """The line (of `body`, from 1) and the character of the first bidirectional control that the
    markdown puts inside code, a block or an inline span; None when every one is in prose, where
    right-to-left writing may need them and each paragraph of the page ends their effect."""
    try:
        rendered = _code_renderer().render(body)
    except RecursionError:
        return None  # said when the page is rendered
    lines = body.splitlines()
    for code in re.findall(r"<code[^>]*>(.*?)</code>", rendered, re.DOTALL):
        for piece in html.unescape(re.sub(r"<[^>]+>", "", code)).splitlines():
            found = BIDI_CONTROLS.search(piece)
            if found:
                number = next((n for n, line in enumerate(lines, 1) if piece.strip() in line), None)
                return number or next(n for n, line in enumerate(lines, 1) if found.group() in line), found.group()
    return None


def _aliases(value: Any, fail: Any) -> tuple[str, ...]:
    """Old paths that redirect to the page, as Hugo's aliases: '/2013/11/22/x.html' or 'old/x/'."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise fail("aliases", "aliases must be a list of old paths, such as: aliases: [/2013/11/22/my-post.html]")
    result = []
    for item in items:
        path = item.strip()
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        if not path.strip("/") or not ALIAS_RE.fullmatch(path) or ".." in path.split("/") or "//" in path:
            raise fail("aliases", f"alias '{item}' is not a path on this site (write it as /old/path/ or "
                                  "/2013/11/22/my-post.html)")
        result.append(path.lstrip("/"))
    return tuple(result)
