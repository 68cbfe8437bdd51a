"""Posts and pages: read, validate front matter, collect every problem at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from ..config import WEEKDAYS, Settings
from ..errors import BuildErrors, DuplicateSlugError, FrontMatterError, LocatedError, TouchgenError
from ..files import read_utf8
from .slugs import slugify

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATED_NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
POST_KEYS = ("title", "date", "summary", "tags", "slug", "draft")
PAGE_KEYS = ("title", "summary", "slug", "draft", "date")
# Site paths a page slug would collide with.
RESERVED_SLUGS = {"posts", "tags", "page", "archive", "static", "feed-xml", "atom-xml", "sitemap-xml"}


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
    body: str
    body_line: int  # the line the markdown body starts on
    digest: str  # SHA-256 of the whole file: which source a built email came from
    assets: tuple[tuple[str, Path], ...] = ()  # (path under the page, source file): images and files beside it

    @property
    def url_path(self) -> str:
        return f"posts/{self.slug}/" if self.kind is Kind.POST else f"{self.slug}/"


@dataclass(frozen=True)
class Content:
    posts: tuple[Document, ...]  # every post, newest first, drafts and scheduled included
    pages: tuple[Document, ...]
    warnings: tuple[str, ...]

    def published_posts(self, now: dt.datetime, drafts: bool = False, future: bool = False) -> list[Document]:
        """The posts to publish at `now`, newest first."""
        return [
            post for post in self.posts
            if (drafts or not post.draft) and (future or post.date is None or post.date <= now)
        ]

    def published_pages(self, drafts: bool = False) -> list[Document]:
        return [page for page in self.pages if drafts or not page.draft]


FRONT_MATTER_LIMIT = 64 * 1024  # bytes: front matter is a few lines; more is a mistake or an attack
# Invisible characters that break feeds and mail (C0 and C1 controls but tab and line ends, DEL,
# noncharacters): removed from a post with a warning.
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings (touchgen checks them with a located message),
    refuses aliases (no alias bombs) and refuses a key given twice."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "found an alias (*name), which front matter may not use",
                                              self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        return _construct_mapping(self, node, deep)


def _construct_mapping(loader: Any, node: Any, deep: bool) -> Any:
    """A mapping, refusing a key given twice."""
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"the key '{key}' is given twice",
                                                    key_node.start_mark)
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where PyYAML has it (several times faster), with _Loader's rules for keys and
    dates. Used only for front matter with no anchor or alias and little nesting; anything it refuses
    is read again by _Loader, for the same located message."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        return _construct_mapping(self, node, deep)


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _load_yaml(text: str) -> Any:
    if "*" not in text and "&" not in text and text.count("[") + text.count("{") < 64:
        try:
            return yaml.load(text, Loader=_FastLoader)
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_Loader)


def parse_date(value: str, zone: dt.tzinfo) -> dt.datetime:
    """YYYY-MM-DD (midnight in `zone`) or an ISO 8601 datetime; raise ValueError otherwise."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        raise ValueError(value)
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _decode(path: Path, shown: str) -> str:
    try:
        return read_utf8(path, shown, "save the file as UTF-8")
    except LocatedError as exc:
        raise FrontMatterError(exc.path, exc.line, exc.message) from None


def _split_front_matter(text: str, shown: str) -> tuple[str, int]:
    """Return the YAML text and the line the body starts on."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(shown, 1, "does not start with front matter (begin the file with a '---' line, then title: and date:)")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":  # at the start of the line: an indented --- belongs to a block scalar
            return "".join(lines[1:index]), index + 2
    raise FrontMatterError(shown, 1, "front matter is not closed (add a '---' line after it)")


def _line_of(yaml_text: str, key: str) -> int:
    """The file line of `key:` in the front matter (line 1 is the opening '---')."""
    for number, line in enumerate(yaml_text.splitlines(), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def read_document(root: Path, path: Path, kind: Kind, settings: Settings, warnings: list[str]) -> Document:
    """Read one post or page; raise FrontMatterError at the first problem in it."""
    shown = path.relative_to(root).as_posix()
    text = _decode(path, shown)
    invisible = INVISIBLE_RE.search(text)
    if invisible:
        line = text.count("\n", 0, invisible.start()) + 1
        warnings.append(f"{shown}:{line}: warning: removed {len(INVISIBLE_RE.findall(text))} invisible control "
                        f"character(s) such as {invisible.group()!r}, which feeds and email cannot carry")
        text = INVISIBLE_RE.sub("", text)
    yaml_text, body_line = _split_front_matter(text, shown)
    if len(yaml_text.encode("utf-8")) > FRONT_MATTER_LIMIT:
        raise FrontMatterError(shown, 1, f"front matter is longer than {FRONT_MATTER_LIMIT // 1024} KiB "
                                         "(is its closing '---' line missing?)")
    try:
        meta = _load_yaml(yaml_text) or {}
    except RecursionError:
        raise FrontMatterError(shown, 2, "front matter is nested too deeply (simplify it)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and start.line != getattr(mark, "line", None):
            problem += f" {context} that starts on line {start.line + 2}"
        raise FrontMatterError(shown, line, f"front matter is not valid YAML: {problem} (check the quoting and indentation)") from None
    if not isinstance(meta, dict):
        raise FrontMatterError(shown, 2, "front matter must be 'key: value' lines (such as title: My post)")

    known = POST_KEYS if kind is Kind.POST else PAGE_KEYS
    for key in meta:
        if key not in known:
            warnings.append(f"{shown}:{_line_of(yaml_text, str(key))}: warning: unknown front matter key '{key}' (known: {', '.join(known)})")

    def fail(key: str, message: str) -> FrontMatterError:
        return FrontMatterError(shown, _line_of(yaml_text, key), message)

    title = meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        raise FrontMatterError(shown, 1, "front matter has no title (add a line such as: title: My post)")
    if isinstance(title, bool) or not isinstance(title, (str, int, float)):
        raise fail("title", f"title must be text, not {str(title).lower()!r} (put it in quotes, such as: "
                            f"title: \"{str(title).lower()}\")")
    if not isinstance(title, str):
        title = str(title)
    if "\n" in title.strip() or "\r" in title:
        raise fail("title", "title must be one line of text (remove the line break)")
    title = title.strip()

    date = None
    raw_date = meta.get("date")
    if kind is Kind.POST and raw_date is None:
        raise FrontMatterError(shown, 1, "front matter has no date (add a line such as: date: 2026-11-23)")
    if raw_date is not None:
        try:
            date = parse_date(str(raw_date), settings.zone)
        except ValueError:
            raise fail("date", f"date '{raw_date}' is not a valid date (use YYYY-MM-DD)") from None

    summary = meta.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise fail("summary", "summary must be text")
    summary = " ".join(summary.split()) if summary else None

    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tag for tag in tags.split(",") if tag.strip()]  # tags: foo, bar
    if not isinstance(tags, list) or not all(isinstance(tag, (str, int)) and not isinstance(tag, bool)
                                             for tag in tags):
        bools = [str(tag).lower() for tag in tags if isinstance(tag, bool)] if isinstance(tags, list) else []
        hint = f" (put {bools[0]} in quotes: YAML reads it as true or false)" if bools else ""
        raise fail("tags", f"tags must be a list of words, such as: tags: [relationships, habits]{hint}")
    tags = [str(tag).strip() for tag in tags]
    for tag in tags:
        if not slugify(tag):
            raise fail("tags", f"tag '{tag}' has no letters or digits to make a page name from")

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise fail("draft", f"draft must be true or false, not '{draft}'")

    if "slug" in meta:
        slug = str(meta["slug"])
        if not SLUG_RE.match(slug):
            raise fail("slug", f"slug '{slug}' may only contain a-z, 0-9 and single hyphens (such as: my-post)")
    else:
        stem = name_of(path)
        dated = DATED_NAME_RE.match(stem)
        slug = dated.group(2) if kind is Kind.POST and dated else stem
        if not SLUG_RE.match(slug):
            raise FrontMatterError(
                shown, 1,
                f"file name gives the slug '{slug}', which may only contain a-z, 0-9 and single hyphens "
                "(rename the file or add a line such as: slug: my-post)",
            )
    if kind is Kind.PAGE and slug in RESERVED_SLUGS:
        raise fail("slug", f"slug '{slug}' is used by the site itself (choose another, such as about-{slug})")

    if kind is Kind.POST and date is not None and date.weekday() != settings.publish_weekday_index:
        warnings.append(
            f"{shown}:{_line_of(yaml_text, 'date')}: warning: date {date.date()} is a "
            f"{WEEKDAYS[date.weekday()].capitalize()}, not a {settings.site.publish_weekday.capitalize()} (publish_weekday)"
        )

    body = "".join(text.lstrip("\ufeff").splitlines(keepends=True)[body_line - 1:])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(kind, shown, title, slug, date, summary, tuple(tags), draft, body, body_line, digest,
                    assets_of(path))


BUNDLE_INDEX = "index.md"


def name_of(path: Path) -> str:
    """The name a slug and date come from: the file's, or for a bundle (x/index.md) the folder's."""
    return path.parent.name if path.name == BUNDLE_INDEX else path.stem


def assets_of(path: Path) -> tuple[tuple[str, Path], ...]:
    """The files that go beside a post's page: everything but markdown in its bundle folder
    (x/index.md), or in a folder named like the post next to it (x.md and x/), as Hugo's page bundles."""
    folder = path.parent if path.name == BUNDLE_INDEX else path.with_suffix("")
    if not folder.is_dir():
        return ()
    return tuple((source.relative_to(folder).as_posix(), source) for source in sorted(folder.rglob("*"))
                 if source.is_file() and source.suffix != ".md" and not source.name.startswith("."))


def _markdown_files(root: Path, folder: Path, errors: list[TouchgenError]) -> list[Path]:
    """The posts or pages of a folder: x.md files, and x/index.md bundles. What looks like one but
    cannot be read as one (a link to nothing or outside the site, a folder named x.md, x.MD) is an
    error: never skipped without a word."""
    if not folder.exists():
        return []
    shown = folder.relative_to(root).as_posix()
    if not folder.is_dir():
        errors.append(LocatedError(shown, None, "is a file, not a folder of posts; move it away"))
        return []
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        errors.append(LocatedError(shown, None, f"cannot be read ({exc.strerror}); check its permissions "
                                                "(nothing was published or unpublished)"))
        return []
    found = []
    inside = root.resolve()
    for path in entries:
        name = path.relative_to(root).as_posix()
        candidate = path / BUNDLE_INDEX if path.is_dir() and not path.name.lower().endswith(".md") else path
        if not candidate.name.lower().endswith(".md"):
            continue
        if candidate.is_symlink() or path.is_symlink():
            target = candidate.resolve()
            if not target.exists():
                errors.append(LocatedError(name, None, "is a link to nothing; fix or remove it"))
                continue
            if not target.is_relative_to(inside):
                errors.append(LocatedError(name, None, "links outside the site; touchgen reads only what is in the "
                                                       "site (copy the file in)"))
                continue
        if candidate is path and path.is_dir():
            errors.append(LocatedError(name, None, "is a folder; a post is a .md file, or a folder with index.md"))
        elif candidate.suffix != ".md" and candidate.exists():
            errors.append(LocatedError(name, None, f"has the extension {candidate.suffix}; rename it to .md"))
        elif candidate.is_file():
            found.append(candidate)
    return found


def load_content(settings: Settings) -> Content:
    """Read every post and page; raise BuildErrors listing every bad one (and the warnings)."""
    root = settings.root
    warnings: list[str] = list(settings.warnings)
    errors: list[TouchgenError] = []
    documents: list[Document] = []
    for folder, kind in ((settings.paths.posts, Kind.POST), (settings.paths.pages, Kind.PAGE)):
        for path in _markdown_files(root, folder, errors):
            try:
                documents.append(read_document(root, path, kind, settings, warnings))
            except TouchgenError as exc:
                errors.append(exc)
    by_slug: dict[str, list[str]] = {}
    for doc in documents:
        by_slug.setdefault(doc.slug, []).append(doc.source)
    for slug, sources in by_slug.items():
        if len(sources) > 1:
            errors.append(DuplicateSlugError(slug, sources))
    if errors:
        raise BuildErrors(errors, warnings)
    posts = sorted((d for d in documents if d.kind is Kind.POST), key=lambda d: (d.date, d.slug), reverse=True)
    pages = sorted((d for d in documents if d.kind is Kind.PAGE), key=lambda d: d.slug)
    return Content(tuple(posts), tuple(pages), tuple(warnings))
