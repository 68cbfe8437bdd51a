"""A build: check and render what changed since the last one, then switch output/ to the result."""

from __future__ import annotations

import errno
import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..clock import current_time
from ..config import Settings
from ..errors import BuildErrors, ConfigError, TouchgenError
from ..files import remove
from ..paths import CONFIG_FILE, NEWSLETTER_FOLDER, SITE_FOLDER
from ..text import plural

MANAGED = (SITE_FOLDER, NEWSLETTER_FOLDER)  # the folders under output/ a build owns


class _Keeping:
    """What the build that `touchgen build` runs keeps until the process ends (keep_until_exit)."""

    def __init__(self) -> None:
        self.next = False  # the next build keeps what it makes
        self.now = False  # the build under way does
        self.objects: list[Any] = []
        self.frozen = False  # they are out of the cycle collector's way (gc.freeze)

    def let_go(self) -> None:
        """What an earlier build kept goes back to the collector, and is freed."""
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
        self.objects = []


_KEEPING = _Keeping()


def keep_until_exit() -> None:
    """The next build keeps what it makes rather than freeing it as it returns, and once it has
    succeeded, out of the way of the cycle collector: the process ends at once after it (touchgen
    build; see cli.end_at_once). Freeing the documents, entries, keys and cache rows of 5,000 posts
    object by object took 20 ms of a rebuild after one edit, and the collector's first pass once it
    is back on (see _build) 60 ms. Any build after it (touchgen serve's, again and again; the next
    command in a process that runs several, as the tests do) lets them go, and keeps nothing unless
    asked again; a build that fails keeps nothing (its process ends the usual way)."""
    _KEEPING.next = True


def kept(*objects: Any) -> None:
    """Keep `objects` until the process ends, in a build that keep_until_exit asked to; else nothing."""
    if _KEEPING.now:
        _KEEPING.objects.append(objects)


@dataclass(frozen=True)
class Rendered:
    """What a build made, with what was counted on the way."""

    posts: int
    pages: int
    feeds: int
    emails: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class WriteResult:
    written: int
    unchanged: int
    removed: int
    reused: int = 0  # of the unchanged: not even rendered, because nothing they show had changed


@dataclass(frozen=True)
class BuildResult:
    rendered: Rendered
    written: WriteResult
    seconds: float

    def summary(self) -> str:
        """The one line a build ends with."""
        rendered, written = self.rendered, self.written
        reused = f" ({written.reused:,} from cache)" if written.reused else ""
        return (f"Built {_count(rendered.posts, 'post')}, {_count(rendered.pages, 'page')}, "
                f"{_count(rendered.feeds, 'feed')}, {_count(rendered.emails, 'email')} in {self.seconds:.2f} s: "
                f"{written.written:,} written, {written.unchanged:,} unchanged{reused}, {written.removed:,} removed "
                "(output/)")


def _count(number: int, word: str) -> str:
    """'1 post', '5,000 posts'."""
    return f"{number:,} {plural(number, word).split(' ', 1)[1]}"


def check(settings: Settings, drafts: bool = False, future: bool = False) -> Rendered:
    """What `touchgen check` promises: everything renders, and a newsletter built from this site
    could be sent (it offers a way to leave). Raises BuildErrors listing every problem."""
    from .render import render

    rendered: Rendered = render(settings, drafts, future, current_time())
    newsletter = settings.newsletter
    if not newsletter.unsubscribe_email and not newsletter.unsubscribe_url:
        raise BuildErrors([ConfigError(CONFIG_FILE, None, "[newsletter] has neither unsubscribe_email nor "
                                       "unsubscribe_url; every newsletter must offer a way to leave (set "
                                       "unsubscribe_email = \"unsubscribe@...\")")], rendered.warnings)
    return rendered


def _shown(out: Path, path: Path | str) -> str:
    """A path under the site as messages print it: 'output/site/x', relative to the site folder."""
    try:
        return Path(path).relative_to(out.parent).as_posix()
    except ValueError:
        return str(path)


def check_output(out: Path) -> None:
    """touchgen writes and deletes only inside the site, and only where it can finish: refuse output/
    or a managed folder that is a file or a link (a link inside them is refused when the tree is read:
    output.Tree), and one this user cannot read or change (found before anything is written)."""
    for folder in (out, *(out / name for name in MANAGED)):
        if folder.is_symlink():
            raise TouchgenError(f"{_shown(out, folder)}: is a link (to {os.readlink(folder)}); touchgen writes only "
                                "inside the site: replace the link with a folder")
        if folder.exists() and not folder.is_dir():
            raise TouchgenError(f"{_shown(out, folder)}: is a file, not a folder; move it away (nothing was written)")
    if not out.exists():
        parent = next(folder for folder in out.parents if folder.exists())  # output/ for output/.preview
        if not os.access(parent, os.W_OK | os.X_OK):
            raise TouchgenError(f"{parent}: the site folder is read-only for you, so a build cannot create "
                                "output/ in it: make it writable, then build again (nothing was written)")
        return
    for folder in (out, *(out / name for name in MANAGED if (out / name).is_dir())):
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            raise TouchgenError(f"{_shown(out, folder)}: is read-only or unreadable for you, and a build replaces "
                                "what is in it: make output/ writable (chmod -R u+rwX output) or remove it (a build "
                                "makes it again); nothing was written")


FAULTS = {  # what a failed write means, and what to do before building again
    errno.ENOSPC: ("the disk is full", "free some space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space"),
    errno.EROFS: ("the file system is read-only", "build on a writable disk"),
    errno.EACCES: ("permission denied", "make output/ writable for you (or remove it: a build makes it again)"),
    errno.EPERM: ("not permitted", "make output/ writable for you (or remove it: a build makes it again)"),
}


def _write_fault(out: Path, exc: OSError) -> TouchgenError:
    """A write that failed while the next trees were made: what, where and what to do. The live trees
    are switched only once both are complete, so output/ was not touched."""
    from .output import CACHE_FOLDER

    what, todo = FAULTS.get(exc.errno or 0, (exc.strerror or str(exc), "check the disk"))
    where = str(exc.filename or out)
    for name in MANAGED:  # name the tree the file was going to, not the spare it was written in
        spare = str(out / CACHE_FOLDER / name)
        if where.startswith(spare):
            where = str(out / name)
    return TouchgenError(f"{_shown(out, where)}: cannot write the new build: {what}; output/ is unchanged (the last "
                         f"complete build is still there): {todo} and build again")


def build(settings: Settings, drafts: bool = False, future: bool = False, clean: bool = False,
          jobs: int | None = None, cache: bool = True, out: Path | None = None) -> BuildResult:
    """Render everything, then switch output/ to it; nothing is written when anything is wrong. With
    the cache (output/.cache/), only what changed since the last build is rendered and written."""
    started = time.perf_counter()
    keeping, _KEEPING.next = _KEEPING.next, False
    _KEEPING.let_go()
    _KEEPING.now = keeping
    collecting = gc.isenabled()
    gc.disable()  # see _build
    finished = False
    try:
        result = _build(settings, drafts, future, clean, jobs, cache, out, started)
        finished = True
        return result
    finally:
        _KEEPING.now = False
        if not finished:
            _KEEPING.let_go()
        if collecting:
            if finished and keeping:  # kept until the process ends: out of the collector's way
                gc.freeze()
                _KEEPING.frozen = True
            gc.enable()


def _build(settings: Settings, drafts: bool, future: bool, clean: bool, jobs: int | None, cache: bool,
           out: Path | None, started: float) -> BuildResult:
    """build(), with Python's cycle collector paused: what a build makes (documents, entries, the
    cache's rows) lives until it ends, and reference counting frees the rest, so the collector's
    passes over a heap of hundreds of thousands of objects would find next to nothing (they took
    an eighth of a rebuild of 5,000 posts). The worker processes collect as usual."""
    from .cache import Cache
    from .inputs import fresh_result, inputs_digest, remember
    from .output import CACHE_FOLDER
    from .workers import MIN_POSTS_FOR_POOL, Workers, default_jobs

    out = settings.paths.output if out is None else out  # output/.preview for touchgen serve
    check_output(out)
    now = current_time()
    jobs = default_jobs() if jobs is None else jobs
    existed, cache_existed = out.exists(), (out / CACHE_FOLDER).exists()
    store = Cache(out / CACHE_FOLDER) if cache else None
    workers = None
    try:
        inputs = inputs_digest(settings, drafts, future, store) if store is not None else None
        if store is not None and inputs is not None and inputs.digest is not None and not clean:
            found = fresh_result(store, settings, inputs.digest, now, out)
            if found is not None:
                rendered, written = found
                return BuildResult(rendered, written, time.perf_counter() - started)
        # The workers are forked before the content is loaded, while this process is small (it has only
        # the renderers' modules, which they share); they wait for work. A rebuild after a few posts
        # changed does not start them.
        little = inputs is not None and not clean and (out / SITE_FOLDER).is_dir() and inputs.little_changed()
        workers = Workers(jobs if jobs > 1 and not little and _post_count(settings) >= MIN_POSTS_FOR_POOL else 1)
        from .render import write

        if store is not None:
            store.put("last_build", None)  # a build stopped from here on leaves no claim that output/ is fresh
        try:
            statuses = inputs.statuses if inputs is not None else {}
            rendered, written, window = write(settings, drafts, future, now, store, workers, clean, out, statuses)
        except OSError as exc:  # a full disk, a read-only folder: the live trees were not touched
            fault = _write_fault(out, exc)
            workers.close()  # no worker writes into output/ from here on
            if store is not None:
                store.close()
            remove(out / CACHE_FOLDER)  # half-made spare trees: the space back, and the next build starts afresh
            raise fault from None
        if store is not None and inputs is not None and inputs.digest is not None:
            remember(store, settings, inputs.digest, rendered, window)
        kept(inputs)
        return BuildResult(rendered, written, time.perf_counter() - started)
    except BaseException:
        if workers is not None:
            workers.close()  # the workers of a first build write files: stopped before anything is removed
        if store is not None:
            store.close()
        if not existed:  # a failed first build leaves no output/ behind
            remove(out)
        elif not cache_existed:
            remove(out / CACHE_FOLDER)
        raise
    finally:
        if workers is not None:
            workers.close()
        if store is not None:
            store.close()


def _post_count(settings: Settings) -> int:
    """About how many posts the site has (entries of content/posts), to decide whether to fork."""
    try:
        with os.scandir(settings.paths.posts) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0
