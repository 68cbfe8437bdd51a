"""Rendering a site: content, markdown, pages, feeds and emails, handed file by file to a sink (the
output trees of a build, or a counter for `touchgen check`). Each file comes with a key, a hash of
everything it shows: a file whose key the output already holds is not rendered again."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from .. import __version__
from ..config import Settings
from ..errors import TouchgenError
from ..paths import NEWSLETTER_FOLDER, SITE_FOLDER
from .build import kept
from .cache import Cache, Rendered, digest, digest_after, status_of
from .content import Document, Known, load_content
from .pages import Entry, Page, copied_files, listing_pages, make_entries, post_pages, render_page
from .references import references_in
from .renderers import libraries, markdown_settings
from .theme import COMPILED, Theme
from .workers import MIN_DOCUMENTS, Made, PostJob, Workers, forget_themes, markdown_job, post_job

MIN_POST_JOBS = 24  # posts whose page or email must be rendered before the workers are worth it
POST_WINDOW = 128  # posts given to the workers ahead of the files written: their pages and emails wait in memory
FOREVER = 1e18  # seconds: a time no build reaches


class Sink(Protocol):
    def reuse(self, rels: Sequence[str], key: str) -> bool:
        """Keep the files `rels` as the last build wrote them when each shows what `key` describes;
        whether they were kept (else they are to be rendered and put)."""
    def put(self, rel: str, data: bytes, key: str = "") -> None: ...
    def fresh(self) -> dict[str, tuple[str, str]]:
        """The trees into which a worker may write files itself (Tree.fresh), by name."""
    def written_elsewhere(self, rel: str, key: str, made: tuple[str, int, int, int]) -> None: ...


class Counter:
    """A sink that keeps nothing: `touchgen check` renders everything and writes nothing."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def reuse(self, rels: Sequence[str], key: str) -> bool:
        return False

    def put(self, rel: str, data: bytes, key: str = "") -> None:
        self.paths.add(rel)

    def fresh(self) -> dict[str, tuple[str, str]]:
        return {}

    def written_elsewhere(self, rel: str, key: str, made: tuple[str, int, int, int]) -> None:
        self.paths.add(rel)


class TemplateDigests:
    """A hash of the template files a template uses (itself, what it extends, includes and imports,
    the site's own or the default theme's), so that editing the post template renders the posts
    again but not the emails. A template that names another by a variable counts every file."""

    def __init__(self, theme: Theme, parsed: dict[str, list[str] | None] | None = None) -> None:
        self.theme = theme
        self.found: dict[str | tuple[str, ...], str] = {}  # a template's digest; a list of templates' digest
        self._everything: str | None = None
        self.known = parsed if isinstance(parsed, dict) else {}  # from the build cache: a template's hash -> what it uses
        self.parsed: dict[str, list[str] | None] = {}  # what this build found, for the next

    def __call__(self, *names: str) -> str:
        if names not in self.found:  # asked for once a page: thousands of times a build
            self.found[names] = digest(*(self._digest(name) for name in names))
        return self.found[names]

    def _digest(self, name: str) -> str:
        if name not in self.found:
            uses = self._uses(name, set())
            self.found[name] = self.everything() if uses is None else digest(*(
                part for used in sorted(uses) for part in (used, self._bytes(used))))
        return self.found[name]

    def _bytes(self, name: str) -> bytes:
        filename = self.theme.filename(name)
        if filename is None:
            return b"\0missing"
        with open(filename, "rb") as handle:
            return filename.encode() + b"\0" + handle.read()

    def _uses(self, name: str, seen: set[str]) -> set[str] | None:
        from jinja2 import TemplateError, meta

        if name in seen:
            return seen
        seen.add(name)
        filename = self.theme.filename(name)
        if filename is None:
            return seen
        try:
            with open(filename, "rb") as handle:
                data = handle.read()
            key = digest(filename, data)
            names: list[str] | None
            if key in self.known:
                names = self.known[key]
            else:
                found = list(meta.find_referenced_templates(self.theme.env.parse(data.decode("utf-8"))))
                names = [name for name in found if name is not None] if None not in found else None
        except (OSError, UnicodeDecodeError, TemplateError):
            return None  # rendering will say what is wrong; until then, every file counts
        self.parsed[key] = names
        if names is None:  # a template named by a variable: any may be used
            return None
        for used in names:
            if self._uses(used, seen) is None:
                return None
        return seen

    def everything(self) -> str:
        """A hash of every template and theme file (the site's own and the default theme's)."""
        if self._everything is None:
            hasher = hashlib.sha256()
            for folder in self.theme.folders:
                for dirpath, dirnames, filenames in os.walk(folder):
                    dirnames.sort()
                    for filename in sorted(filenames):
                        path = os.path.join(dirpath, filename)
                        hasher.update(f"{path}\0".encode())
                        with open(path, "rb") as handle:
                            hasher.update(handle.read())
            self._everything = hasher.hexdigest()
        return self._everything


def describe(value: Any) -> str:
    """What a template is given, as text that changes whenever the value does (an entry by its
    fingerprint); TypeError for a value it cannot describe."""
    kind = type(value)
    if kind is str:  # the commonest, first: thousands of pages' contexts are described each build
        return repr(value)
    if kind is Entry or isinstance(value, Entry):
        return _entry(value)
    if value is None or isinstance(value, (str, int, float, bool, dt.datetime, dt.date)):
        return repr(value)
    if isinstance(value, dict):  # its strings and entries are described here, without a call for each
        parts = []
        for key, item in value.items():
            kind = type(item)
            text = repr(item) if kind is str else _entry(item) if kind is Entry else describe(item)
            parts.append(f"{repr(key) if type(key) is str else describe(key)}:{text}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join([_entry(item) if type(item) is Entry else repr(item) if type(item) is str
                               else describe(item) for item in value]) + "]"
    raise TypeError(f"cannot describe {type(value).__name__}")


def _entry(entry: Entry) -> str:
    return f"E{entry.fingerprint}"


class CachedMarkdown:
    """The markdown of a build's posts and pages: from the cache, else rendered (in the workers when many)."""

    def __init__(self, settings: Settings, store: Cache | None, workers: Workers | None) -> None:
        self.settings = settings
        self.store = store
        self.workers = workers or Workers(1)
        self.rendered_markdown: dict[str, Rendered] = {}
        self.markdown_keys: list[str] = []
        self.ready: dict[str, Rendered] = {}  # a document's digest -> its markdown, rendered as it was read

    def markdown(self, docs: Sequence[Document]) -> list[Rendered | None]:
        """Each document's markdown: from the cache, else rendered (in the workers when many)."""
        key_of = digest_after(__version__, markdown_settings())
        keys = [key_of(doc.digest) for doc in docs]  # the body and summary are its file's
        self.markdown_keys = keys
        by_key = dict(zip(keys, docs))

        def again(key: str) -> str:  # the cache lost what it had a moment ago: rendered here
            result = markdown_job((by_key[key].body, by_key[key].summary))
            return result.html if result is not None else ""

        found = self.store.markdown(keys, again) if self.store is not None else {}
        for key, doc in zip(keys, docs):
            if key not in found and doc.digest in self.ready:
                found[key] = self.rendered_markdown[key] = self.ready[doc.digest]
        missing = [index for index, key in enumerate(keys) if key not in found]
        items = [(docs[index].body, docs[index].summary) for index in missing]
        for index, result in zip(missing, self.workers.map(markdown_job, items, 8, MIN_DOCUMENTS)):
            if result is not None:
                result.references = references_in(result.html)
                found[keys[index]] = result
                self.rendered_markdown[keys[index]] = result
        return [found.get(key) for key in keys]

    def save(self) -> None:
        if self.store is not None:
            self.store.store_markdown(self.rendered_markdown, self.markdown_keys)


def produce(settings: Settings, drafts: bool, future: bool, now: dt.datetime, sink: Sink, store: Cache | None,
            workers: Workers | None, statuses: dict[str, os.stat_result] | None = None,
            ) -> tuple[tuple[str, ...], tuple[float, float], dict[str, int]]:
    """Render the site into `sink`. Returns the warnings, the span of time the result holds for (until
    a scheduled post is due) and the counts of posts, pages, feeds and emails."""
    from .feeds import FEED_SIZE, render_feeds
    from .references import check_references

    forget_themes()
    if store is not None:
        COMPILED.add(store.templates())
    renderer = CachedMarkdown(settings, store, workers)
    known = Known(store, settings, workers, statuses) if store is not None else None
    content = load_content(settings, known)
    if known is not None:
        renderer.ready = known.rendered
    try:
        site = make_entries(settings, content, now, drafts, future, renderer.markdown)
        theme = Theme(settings.root.resolve())  # the same template digests however the site was named
        # Entries are keyed by their source.
        base = digest(__version__, settings.fingerprint(), libraries(), markdown_settings())
        templates = TemplateDigests(theme, store.get("template uses") if store is not None else None)
        navigation = describe([*site.pages])  # every page of the site shows the pages in its menu

        key_of: dict[str, Callable[..., str]] = {}  # a page template's name: the hash its pages' keys start from

        def page_key(page: Page) -> str:
            if page.template not in key_of:
                key_of[page.template] = digest_after(base, templates(f"site/{page.template}"), navigation)
            try:
                return key_of[page.template](page.path, page.template, describe(page.meta), describe(page.context))
            except TypeError:
                return ""

        from .newsletter import email_files

        made: set[str] = set()
        listings = listing_pages(site)
        made.update(page.path for page in listings)
        owners: dict[str, str] = {}  # a post page's path: its post's file
        jobs: list[PostJob] = []
        keys: dict[str, str] = {}
        fresh = sink.fresh()
        email_key_of = digest_after(base, templates("email/newsletter.mjml", "email/newsletter.txt"))
        for page, post in zip(post_pages(site), site.posts):
            rel, key = f"{SITE_FOLDER}/{page.path}", page_key(page)
            if page.path in made:
                owner = owners.get(page.path, f"the site's own /{page.path.removesuffix('index.html')}")
                raise TouchgenError(f"{post.doc.source}: its address /{post.url} is taken by {owner} (give it a "
                                    "slug: line of its own, or change [site] permalink)")
            made.add(page.path)
            owners[page.path] = post.doc.source
            email_key = email_key_of(post.fingerprint)
            emails = email_files(post)
            page_known, email_known = sink.reuse((rel,), key), sink.reuse(emails, email_key)
            if not page_known or not email_known:
                jobs.append(PostJob(settings, site.pages, None if page_known else page, None if email_known else post,
                                    fresh))
                keys.update({rel: key, **{email: email_key for email in emails}})
        copies = copied_files(site, theme, made)  # checked before any worker is given a post: nothing is in the way
        # When the workers write every file they make (a first build), what they send back is small: they
        # are given all the posts at once, and start on them while this process does the rest.
        ahead = set(fresh) >= {SITE_FOLDER, NEWSLETTER_FOLDER} and renderer.workers.spreads(len(jobs), MIN_POST_JOBS)
        done = renderer.workers.map(post_job, jobs, 16, MIN_POST_JOBS, window=0 if ahead else POST_WINDOW)
    finally:  # what was read is kept whatever follows; a first build's workers have their posts by now
        if known is not None:
            known.save()

    def take(results: Iterable[list[Made]]) -> None:
        for files in results:
            for rel, data in files:
                if isinstance(data, bytes):
                    sink.put(rel, data, keys[rel])
                else:
                    sink.written_elsewhere(rel, keys[rel], data)

    for page in listings:
        rel, key = f"{SITE_FOLDER}/{page.path}", page_key(page)
        if not sink.reuse((rel,), key):
            sink.put(rel, render_page(settings, site.pages, theme, page), key)
    if not ahead:  # rendered here, or sent back a window at a time: taken now
        take(done)

    newest = site.posts[:FEED_SIZE]
    feeds_key = digest(base, "feeds", describe(newest), "" if newest else now.isoformat())
    feeds = (f"{SITE_FOLDER}/feed.xml", f"{SITE_FOLDER}/atom.xml")
    if not sink.reuse(feeds, feeds_key):
        for name, feed in render_feeds(site, now).items():
            sink.put(f"{SITE_FOLDER}/{name}", feed, feeds_key)
    made.update(("feed.xml", "atom.xml"))

    for rel, source in copies.items():
        found = source.stat()
        key = digest("copy", str(source.resolve()), status_of(found))  # a same-size edit with its time put back too
        made.add(rel)
        if not sink.reuse((f"{SITE_FOLDER}/{rel}",), key):
            sink.put(f"{SITE_FOLDER}/{rel}", source.read_bytes(), key)

    renderer.save()
    if store is not None:
        store.store_templates(COMPILED.used_now())
        if templates.parsed != templates.known:
            store.put("template uses", templates.parsed)
    if ahead:
        take(done)
    warnings = content.warnings + tuple(site.warnings) + tuple(check_references(site, made))
    counts = {"posts": len(site.posts), "pages": len(site.pages), "feeds": 2, "emails": len(site.posts)}
    kept(locals())  # everything read and made, unless the process is to free it
    return warnings, _window(site.posts, content.posts, now, drafts), counts


def _window(published: Sequence[Entry], everything: Sequence[Document], now: dt.datetime,
            drafts: bool) -> tuple[float, float]:
    """From the newest published post's date to the first scheduled post's: the times at which the
    same posts are published. With no post at all, the feeds carry `now`: no span."""
    if not published:
        return now.timestamp(), now.timestamp()
    since = max(post.date.timestamp() for post in published if post.date is not None)
    due = [doc.date.timestamp() for doc in everything
           if doc.date is not None and doc.date > now and (drafts or not doc.draft)]
    return since, min(due, default=FOREVER)


def render(settings: Settings, drafts: bool, future: bool, now: dt.datetime) -> Any:
    """Render everything and keep nothing (`touchgen check`)."""
    from .build import Rendered as Result

    warnings, _, counts = produce(settings, drafts, future, now, Counter(), None, None)
    return Result(counts["posts"], counts["pages"], counts["feeds"], counts["emails"], warnings)


def write(settings: Settings, drafts: bool, future: bool, now: dt.datetime, store: Cache | None,
          workers: Workers, clean: bool, out: Path, statuses: dict[str, os.stat_result] | None = None) -> Any:
    """Render into the output trees and switch them in (`statuses`: of files of content/, as just
    found). Returns (Rendered, WriteResult, window)."""
    from .build import MANAGED, Rendered as Result, WriteResult
    from .output import Tree

    trees = {name: Tree(out, name, store, clean) for name in MANAGED}
    sink = Trees(trees)
    warnings, window, counts = produce(settings, drafts, future, now, sink, store, workers, statuses)
    for tree in trees.values():
        tree.check_live()
    removed = sum(tree.finish() for tree in trees.values())
    written = WriteResult(sum(t.written for t in trees.values()), sum(t.unchanged for t in trees.values()),
                          removed, sum(t.reused for t in trees.values()))
    rendered = Result(counts["posts"], counts["pages"], counts["feeds"], counts["emails"], warnings)
    kept(trees)
    return rendered, written, window


class Trees:
    """A sink over the managed trees: 'site/x' goes to the site tree as 'x'."""

    def __init__(self, trees: dict[str, Any]) -> None:
        self.trees = trees

    def _split(self, rel: str) -> tuple[Any, str]:
        name, _, rest = rel.partition("/")
        return self.trees[name], rest

    def reuse(self, rels: Sequence[str], key: str) -> bool:
        name, _, first = rels[0].partition("/")
        if len(rels) == 1:  # a page: asked thousands of times a build
            return bool(self.trees[name].reuse((first,), key))
        start = len(name) + 1
        assert all(rel[:start] == f"{name}/" for rel in rels), "files reused together are in one tree"
        return bool(self.trees[name].reuse([rel[start:] for rel in rels], key))

    def put(self, rel: str, data: bytes, key: str = "") -> None:
        tree, rest = self._split(rel)
        tree.put(rest, data, key)

    def fresh(self) -> dict[str, tuple[str, str]]:
        return {name: prefixes for name, tree in self.trees.items() if (prefixes := tree.fresh()) is not None}

    def written_elsewhere(self, rel: str, key: str, made: tuple[str, int, int, int]) -> None:
        tree, rest = self._split(rel)
        tree.written_elsewhere(rest, key, made)

