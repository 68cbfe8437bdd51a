"""Worker processes for a build: markdown, post pages and emails rendered on every core.

The pool is forked early, while the build process is still small (a forked child's resident memory
counts what it shares), and does nothing until given work; a small site, or a rebuild with little
to do, never uses it. Work is sent in chunks and comes back in order, so the output does not depend
on how many workers there are."""

from __future__ import annotations

import gc
import itertools
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..config import Settings
from .cache import Rendered

T = TypeVar("T")
R = TypeVar("R")

# Below this much work a pool costs more than it saves (forking, importing the renderers in each worker).
MIN_DOCUMENTS = 48
MIN_POSTS_FOR_POOL = 64  # a site with fewer posts is built in one process


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _started() -> None:
    """A worker's start. Its garbage is short-lived: it collects as usual (see build()). Ctrl-C is the
    build process's to handle: a worker stopped by it while holding the pool's queue would leave the
    pool unable to stop; it is stopped with the pool. The templates are read anew (a process that
    builds again, forked from one that built before, would have the last build's)."""
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forget_themes()


def _load_renderers() -> None:
    """The modules every worker uses, imported here once before the workers are forked: each would
    import them itself (a tenth of a second of CPU each); this process uses most of them too."""
    import mjml  # noqa: F401 (imported by newsletter.render_email when first used)

    from . import content, markdown, newsletter, references  # noqa: F401


def _pool(jobs: int) -> Any:
    """multiprocessing's Pool of `jobs` forked processes (spawned where there is no fork), whose thread
    that watches the workers wakes when one ends, not also each time a result waits to be read: as
    it comes, that thread looped once per result (a tenth of a clean build's CPU in this process)."""
    import multiprocessing  # here: a build without workers does not load it
    from multiprocessing.pool import Pool

    class Quiet(Pool):
        def _get_sentinels(self) -> list[Any]:
            return [self._change_notifier._reader]  # type: ignore[attr-defined]

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return Quiet(jobs, initializer=_started, context=context)


class Workers:
    """A pool of `jobs` processes, or none (everything runs here)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: Any = None
        if jobs > 1:
            _load_renderers()
            try:
                self.pool = _pool(jobs)
            except (OSError, ImportError):  # no processes to be had here (a sandbox): one is enough
                self.jobs = 1

    def map(self, function: Callable[[T], R], items: Sequence[T], chunk: int, minimum: int,
            window: int = 0) -> Iterator[R]:
        """function(item) for each item, in order: in the workers when there are at least `minimum`.
        With a `window`, at most two windows of items are given out ahead of what was taken back, so
        that results the caller is slow to take (files it writes) do not pile up in memory."""
        if not self.spreads(len(items), minimum):
            return (function(item) for item in items)
        size = max(1, min(chunk, len(items) // (self.jobs * 4) or 1))
        if not window:
            return iter(self.pool.imap(function, items, chunksize=size))
        return self._windows(function, items, size, window)

    def spreads(self, count: int, minimum: int) -> bool:
        """Whether `map` gives `count` items to the workers (else it works through them here, as they are taken)."""
        return self.pool is not None and count >= minimum

    def _windows(self, function: Callable[[T], R], items: Sequence[T], size: int, window: int) -> Iterator[R]:
        def give(start: int) -> Iterator[R]:
            return iter(self.pool.imap(function, items[start:start + window], chunksize=size))

        starts = iter(range(0, len(items), window))
        pending = deque(give(start) for start in itertools.islice(starts, 2))
        while pending:
            yield from pending.popleft()
            following = next(starts, None)
            if following is not None:
                pending.append(give(following))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def markdown_job(item: tuple[str, str | None]) -> Rendered | None:
    from .markdown import render_document

    body, summary = item
    return render_document(body, summary)


def read_job(item: tuple[Path, Path, Any, Settings]) -> tuple[bytes, str, Rendered | None] | None:
    """A post or page read from its file, as the build cache keeps it (content.packed: its fields,
    notes and warnings; its body), and its markdown rendered; None when it cannot be read (the build
    process reads it again, for the message)."""
    from ..errors import TouchgenError
    from .content import packed
    from .document import Notes, read_document, to_json
    from .markdown import render_document
    from .references import references_in

    root, path, kind, settings = item
    own: list[str] = []
    mine = Notes()
    try:
        doc = read_document(root, path, kind, settings, own, mine)
    except TouchgenError:
        return None
    fields = to_json(doc, settings.zone)
    if fields is None:
        return None
    rendered = render_document(doc.body, doc.summary)
    if rendered is not None:
        rendered.references = references_in(rendered.html)
    return packed(fields, list(mine.first.items()), own), doc.body, rendered


@dataclass(frozen=True)
class PostJob:
    """What a worker needs to render a post's page, its email, or both."""

    settings: Settings
    nav_pages: Sequence[Any]  # Entry
    page: Any  # Page, or None when the page is known
    post: Any  # Entry, for the email, or None when the email is known
    fresh: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # see post_job


# A file a post job made: its path under output/, and its bytes, or, when the job wrote it, what
# output.write_new returned.
Made = tuple[str, bytes | tuple[str, int, int, int]]


_THEMES: dict[str, Any] = {}


def _theme(settings: Settings) -> Any:
    from .theme import Theme

    key = str(settings.root)
    if key not in _THEMES:
        _THEMES.clear()
        _THEMES[key] = Theme(settings.root)
    return _THEMES[key]


def post_job(job: PostJob) -> list[Made]:
    """The post's page (path under output/site) and email files (paths under output/). A file of a
    tree in `job.fresh` (the tree's name -> the prefixes of its spare and of the next build's spare:
    Tree.fresh) is written here rather than sent back to the build process."""
    from .newsletter import render_email
    from .output import write_new
    from .pages import render_page

    theme = _theme(job.settings)
    files: list[tuple[str, bytes]] = []
    if job.page is not None:
        files.append((f"site/{job.page.path}", render_page(job.settings, job.nav_pages, theme, job.page)))
    if job.post is not None:
        files.extend(render_email(job.post, job.settings, theme).items())
    if not job.fresh:
        return list(files)
    made: list[Made] = []
    folders: set[str] = set()
    for path, data in files:
        name, _, rel = path.partition("/")
        prefixes = job.fresh.get(name)
        try:
            made.append((path, write_new(*prefixes, rel, data, folders) if prefixes else data))
        except (FileExistsError, NotADirectoryError, IsADirectoryError):  # a file or folder in the way
            made.append((path, data))  # the build process puts it, as it would any file
    return made


def forget_themes() -> None:
    """The next job reads the templates anew (a long-lived process, such as serve, after an edit)."""
    _THEMES.clear()
