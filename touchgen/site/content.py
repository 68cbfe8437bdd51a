"""Posts and pages: find them, read each (document.py), collect every problem at once."""

from __future__ import annotations

import datetime as dt
import functools
import marshal
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import Settings
from ..errors import BuildErrors, DuplicateSlugError, LocatedError, TouchgenError
from ..files import unreadable
from .cache import Cache, digest, status_of, trusted_before
from .document import (BUNDLE_INDEXES, DIGEST_FIELD, FIELDS, MARKDOWN_SUFFIXES, Document, Kind, Notes, assets_of,
                       from_json, post_url, read_document, text_digest, to_json)
from .filerows import unmarshalled
from .front_matter import parse_date

if TYPE_CHECKING:
    from .cache import Rendered
    from .workers import Workers

__all__ = ["Content", "Document", "Kind", "load_content", "parse_date", "read_document"]
HUGO_SECTION = "_index"  # _index.md: a Hugo section's list page, not a post
RACY = "racy"  # the status of a document changed too close to the build that read it to be known by status


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


def _is_markdown(name: str) -> bool:
    return any(name.endswith(suffix) for suffix in MARKDOWN_SUFFIXES)


def _bundle_index(folder: Path) -> Path | None:
    return next((folder / name for name in BUNDLE_INDEXES if (folder / name).exists()), None)


def _markdown_files(root: Path, folder: Path, errors: list[TouchgenError], warnings: list[str],
                    nested: bool, alone: set[str] | None = None) -> list[Path]:
    """The posts or pages of a folder: x.md (or .markdown) files, x/index.md bundles and, for posts,
    the same in subfolders (_posts/2014/...). What looks like one but cannot be read as one (a link to
    nothing or outside the site, a folder named x.md, x.MD) is an error: never skipped without a word.
    `alone` gets the x.md files with nothing named x beside them (so no folder of files: assets_of)."""
    if not folder.exists() and not folder.is_symlink():
        return []
    shown = folder.relative_to(root).as_posix()
    if not folder.is_dir():
        errors.append(LocatedError(shown, None, "is a file, not a folder of posts; move it away"))
        return []
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        errors.append(unreadable(shown, exc))
        return []
    found = []
    inside = root.resolve()
    names = {entry.name for entry in entries}
    for entry in entries:
        if entry.name.endswith(".md") and entry.is_file(follow_symlinks=False) and not entry.name.startswith((".", "_")):
            found.append(folder / entry.name)  # the common case, x.md, without the checks below
            if alone is not None and entry.name[:-3] not in names:
                alone.add(str(found[-1]))
            continue
        path = folder / entry.name
        name = path.relative_to(root).as_posix()
        if path.name.startswith("."):
            continue
        lower = path.name.lower()
        bundle = _bundle_index(path) if path.is_dir() and not _is_markdown(lower) else None
        candidate = bundle or path
        if path.is_symlink() or candidate.is_symlink():
            target = candidate.resolve()
            if not target.exists():
                errors.append(LocatedError(name, None, "is a link to nothing; fix or remove it"))
                continue
            if not target.is_relative_to(inside):
                errors.append(LocatedError(name, None, "links outside the site; touchgen reads only what is in the "
                                                       "site (copy the file in)"))
                continue
        if bundle is None and path.is_dir() and not _is_markdown(lower):
            is_assets = any(f"{path.name}{suffix}" in names for suffix in MARKDOWN_SUFFIXES)
            if nested and not is_assets:
                found += _markdown_files(root, path, errors, warnings, nested, alone)
            continue
        if not _is_markdown(candidate.name.lower()):
            continue
        if candidate.stem == HUGO_SECTION:
            warnings.append(f"{name}: warning: is a Hugo section page ({path.name}), not a post; skipped")
        elif candidate is path and path.is_dir():
            errors.append(LocatedError(name, None, "is a folder; a post is a .md file, or a folder with index.md"))
        elif not _is_markdown(candidate.name) and candidate.exists():
            errors.append(LocatedError(name, None, f"has the extension {candidate.suffix}; rename it to "
                                                   f"{candidate.suffix.lower()}"))
        elif candidate.is_file():
            found.append(candidate)
    return found


def _share_slugs(posts: list[Document], settings: Settings) -> tuple[list[Document], list[str]]:
    """Posts whose slugs come from their file names and clash (a weekly 'links' post, one per year):
    the oldest keeps the slug, each later one gets its date added, so adding a post never changes
    an older one's slug (nor its sends)."""
    by_slug: dict[str, list[Document]] = {}
    for post in posts:
        by_slug.setdefault(post.slug, []).append(post)
    result, renamed = [], []
    for group in by_slug.values():
        if len(group) == 1 or not all(post.slug_from_name for post in group):
            result += group  # a slug: line that clashes is an error: the writer chose it
            continue
        for index, post in enumerate(sorted(group, key=lambda post: (post.date, post.source))):
            if index == 0 or post.date is None:
                result.append(post)
                continue
            slug = f"{post.slug}-{post.date:%Y-%m-%d}"
            result.append(replace(post, slug=slug, url_path=post_url(settings.site.permalink, slug, post.date)))
            renamed.append(f"{post.source} → {slug}")
    warnings = []
    if renamed:
        more = f" and {len(renamed) - 1:,} more" if len(renamed) > 1 else ""
        warnings.append(f"warning: {len(renamed):,} post{'s share' if len(renamed) > 1 else ' shares'} a file name with an "
                        f"older post and get{'' if len(renamed) > 1 else 's'} the date added to the slug ({renamed[0]}{more}); add a slug: line "
                        "to choose another")
    return result, warnings


def packed(fields: list[Any], notes: list[tuple[str, str]], warnings: list[str]) -> bytes:
    """A document as read (to_json's fields, its notes and its warnings), as the cache keeps it:
    marshalled, which thousands of rows are read back from several times faster than JSON."""
    return marshal.dumps((fields, notes, warnings))


def _unpacked(data: Any) -> tuple[list[Any], list[Any], list[str]] | None:
    """What packed made; None for anything else (the file is then read again)."""
    found = unmarshalled(data)
    if not (isinstance(found, tuple) and len(found) == 3 and all(isinstance(part, list) for part in found)
            and len(found[0]) == FIELDS):
        return None
    return found


class Known:
    """Posts and pages as earlier builds read them (the build cache): a file whose size, times, inode
    and device are as they were then is not read again, and its warnings are told again."""

    def __init__(self, store: Cache, settings: Settings, workers: Workers | None = None,
                 statuses: dict[str, os.stat_result] | None = None) -> None:
        self.store = store
        self.context = digest(__version__, settings.fingerprint())  # what reading depends on besides the file
        self.zone = settings.zone
        self.rows = store.documents()
        self.read: dict[str, tuple[str, bytes]] = {}
        self.sources: list[str] = []
        self.trusted_before = trusted_before()
        self.workers = workers
        self.statuses = statuses or {}  # files' statuses as the build found them a moment ago (inputs.py)
        self.ahead: dict[str, tuple[os.stat_result, str, bytes, str, Rendered | None]] = {}  # see read_ahead
        self.rendered: dict[str, Rendered] = {}  # a document's digest -> its markdown, rendered where it was read
        self.bodies: dict[str, str] = {}  # a document's digest -> its body, of the documents read (not known)
        self.digests: list[str] = []  # of every document of this build: their bodies are kept
        self.alone: set[str] = set()  # posts and pages without a folder of files beside them (_markdown_files)

    @staticmethod
    def _shown(root: Path, path: Path) -> str:
        text, prefix = str(path), f"{root}/"
        if text.startswith(prefix):
            return text[len(prefix):]
        if prefix == "./" and not text.startswith("/"):  # the site is the current folder: its paths start there
            return text if os.sep == "/" else path.as_posix()
        return path.relative_to(root).as_posix()

    def _status(self, path: Path, kind: Kind) -> tuple[os.stat_result | None, str, str]:
        """The file's status now, as a row's status reads, and what every row's status that holds starts with."""
        kept = f"{self.context}:{kind.value}:"
        try:
            found = self.statuses.get(str(path)) or os.stat(path)
            return found, kept + status_of(found), kept
        except OSError:
            return None, "", kept

    def read_ahead(self, root: Path, paths: list[Path], kind: Kind, settings: Settings) -> None:
        """Read the files the cache does not know in the worker processes, many at once, each with its
        markdown rendered there as well: a cold build's reading is spread over every core, and a
        post's text goes to a worker once. A file that fails there is read here again, for its message."""
        from .workers import MIN_DOCUMENTS, read_job

        if self.workers is None or self.workers.pool is None:
            return
        misses = []
        for path in paths:
            shown = self._shown(root, path)
            found, status, kept = self._status(path, kind)
            row = self.rows.get(shown)
            if found is not None and (row is None or row[0] not in (status, kept + RACY)):
                misses.append((shown, path, found, status))
        if len(misses) < MIN_DOCUMENTS:
            return
        items = [(root, path, kind, settings) for _, path, _, _ in misses]
        for (shown, _, found, status), result in zip(misses, self.workers.map(read_job, items, 8, MIN_DOCUMENTS)):
            if result is not None:
                self.ahead[shown] = (found, status, *result)

    def document(self, root: Path, path: Path, kind: Kind, settings: Settings, warnings: list[str],
                 notes: Notes) -> Document:
        """read_document, or what it gave for the file as it is now."""
        shown = self._shown(root, path)
        self.sources.append(shown)
        ahead = self.ahead.pop(shown, None)
        if ahead is not None:  # read in a worker a moment ago (the status is from before it was read)
            before, status, data, body, rendered = ahead
            doc = self._known(root, path, kind, settings, shown, data, warnings, notes, body=body)
            trusted = before.st_mtime_ns < self.trusted_before
            self.read[shown] = (status if trusted else f"{self.context}:{kind.value}:{RACY}", data)
            self.bodies[doc.digest] = body
            if rendered is not None:
                self.rendered[doc.digest] = rendered
            return doc
        found, status, kept = self._status(path, kind)
        row = self.rows.get(shown)
        known = _unpacked(row[1]) if row is not None and status and row[0].startswith(kept) else None
        if row is not None and known is not None:
            fields, own_notes, own_warnings = known
            # A file changed just before the build that read it is known by its text's hash instead (as
            # git does for an entry written in the same tick as its index).
            if row[0] == status or (row[0] == kept + RACY and text_digest(path) == fields[DIGEST_FIELD]):
                if row[0] != status and found is not None and found.st_mtime_ns < self.trusted_before:
                    self.read[shown] = (status, row[1])  # known by its status from now on
                return self._known(root, path, kind, settings, shown, row[1], warnings, notes,
                                   (fields, own_notes, own_warnings))
        own: list[str] = []
        mine = Notes()
        try:
            doc = read_document(root, path, kind, settings, own, mine)
        finally:  # the warnings found before an error are told with it
            warnings += own
            for key, message in mine.first.items():
                notes.add(key, message, shown)
        written = to_json(doc, self.zone)
        self.digests.append(doc.digest)
        if found is not None and written is not None:
            trusted = found.st_mtime_ns < self.trusted_before
            self.read[shown] = (status if trusted else kept + RACY, packed(written, list(mine.first.items()), own))
            self.bodies[doc.digest] = doc.body
        return doc

    def _known(self, root: Path, path: Path, kind: Kind, settings: Settings, shown: str, data: bytes,
               warnings: list[str], notes: Notes, parsed: Any = None, body: str | None = None) -> Document:
        """The document a row's data holds (or a worker's: its reading is packed the same way), its
        warnings told again; its body is read from the cache when first used, unless given."""
        fields, own_notes, own_warnings = parsed if parsed is not None else marshal.loads(data)
        warnings += own_warnings
        for key, message in own_notes:
            notes.add(key, message, shown)
        self.digests.append(fields[DIGEST_FIELD])
        read_body = functools.partial(str, body) if body is not None else functools.partial(
            self._body, fields[DIGEST_FIELD], root, path, kind, settings)
        assets = () if str(path) in self.alone else assets_of(path, MARKDOWN_SUFFIXES, root)
        return from_json(fields, self.zone, assets, read_body)

    def _body(self, digest: str, root: Path, path: Path, kind: Kind, settings: Settings) -> str:
        """A known document's body, from the cache (or, should it have lost it, from the file)."""
        found = self.store.body(digest)
        return found if found is not None else read_document(root, path, kind, settings, [], Notes()).body

    def save(self) -> None:
        """Keep what was read (facts about files, true whether or not the build goes on); let go of
        the rows, so that a big site's text is not held twice while it builds."""
        self.store.store_documents(self.read, self.sources)
        self.store.store_bodies(self.bodies, self.digests)
        self.read, self.rows, self.bodies = {}, {}, {}


def load_content(settings: Settings, known: Known | None = None) -> Content:
    """Read every post and page (those `known` from an earlier build as they were); raise BuildErrors
    listing every bad one (and the warnings)."""
    root = settings.root
    warnings: list[str] = list(settings.warnings)
    notes = Notes()
    errors: list[TouchgenError] = []
    documents: list[Document] = []
    for folder, kind in ((settings.paths.posts, Kind.POST), (settings.paths.pages, Kind.PAGE)):
        paths = _markdown_files(root, folder, errors, warnings, kind is Kind.POST, known.alone if known else None)
        if known is not None:
            known.read_ahead(root, paths, kind, settings)
        for path in paths:
            try:
                documents.append(known.document(root, path, kind, settings, warnings, notes) if known is not None
                                 else read_document(root, path, kind, settings, warnings, notes))
            except TouchgenError as exc:
                errors.append(exc)
    warnings += notes.lines()
    posts, renamed = _share_slugs([d for d in documents if d.kind is Kind.POST], settings)
    warnings += renamed
    documents = posts + [d for d in documents if d.kind is Kind.PAGE]
    by_slug: dict[str, list[str]] = {}
    by_url: dict[str, list[str]] = {}
    for doc in documents:
        by_slug.setdefault(doc.slug, []).append(doc.source)
        by_url.setdefault(doc.url_path, []).append(doc.source)
    for slug, sources in by_slug.items():
        if len(sources) > 1:
            errors.append(DuplicateSlugError(slug, sources))
    for url, sources in by_url.items():
        if len(sources) > 1 and sources not in by_slug.values():  # a slug clash is said once
            errors.append(LocatedError(sources[0], None, f"would be written to {url}, as {', '.join(sources[1:])} "
                                                         "would (change a slug: or [site] permalink)"))
    if errors:
        raise BuildErrors(errors, warnings)
    posts = sorted((d for d in documents if d.kind is Kind.POST), key=lambda d: (d.date, d.slug), reverse=True)
    pages = sorted((d for d in documents if d.kind is Kind.PAGE), key=lambda d: d.slug)
    return Content(tuple(posts), tuple(pages), tuple(warnings))
