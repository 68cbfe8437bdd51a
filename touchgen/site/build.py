"""A build: check and render everything in memory, then put only changed files in place."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..clock import current_time
from ..config import Settings
from ..errors import BuildErrors, ConfigError, TouchgenError
from ..files import exchange, remove
from ..paths import CONFIG_FILE, NEWSLETTER_FOLDER, SITE_FOLDER
from ..text import plural

MANAGED = (SITE_FOLDER, NEWSLETTER_FOLDER)  # the folders under output/ a build owns


@dataclass(frozen=True)
class Rendered:
    """Everything a build would write, under output/, with what was counted on the way."""

    files: dict[str, bytes]
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


@dataclass(frozen=True)
class BuildResult:
    rendered: Rendered
    written: WriteResult
    seconds: float

    def summary(self) -> str:
        """The one line a build ends with."""
        rendered, written = self.rendered, self.written
        return (f"Built {plural(rendered.posts, 'post')}, {plural(rendered.pages, 'page')}, "
                f"{plural(rendered.feeds, 'feed')}, {plural(rendered.emails, 'email')} in {self.seconds:.2f} s: "
                f"{written.written} written, {written.unchanged} unchanged, {written.removed} removed (output/)")


def render(settings: Settings, drafts: bool = False, future: bool = False,
           now: dt.datetime | None = None) -> Rendered:
    """Validate all content and render every output file; raise BuildErrors listing every problem."""
    from .content import load_content
    from .feeds import render_feeds
    from .newsletter import render_newsletters
    from .pages import make_entries, render_site
    from .references import check_references
    from .theme import Theme

    now = now or current_time()
    content = load_content(settings)
    site = make_entries(settings, content, now, drafts, future)
    theme = Theme(settings.root)
    site_files = render_site(site, theme)
    site_files.update(render_feeds(site, now))
    files = {f"{SITE_FOLDER}/{path}": data for path, data in site_files.items()}
    files.update(render_newsletters(site, theme))
    warnings = content.warnings + tuple(site.warnings) + tuple(check_references(site, site_files))
    return Rendered(files, len(site.posts), len(site.pages), 2, len(site.posts), warnings)


def check(settings: Settings, drafts: bool = False, future: bool = False) -> Rendered:
    """What `touchgen check` promises: everything renders, and a newsletter built from this site
    could be sent (it offers a way to leave). Raises BuildErrors listing every problem."""
    rendered = render(settings, drafts, future)
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
    or a managed folder that is a file or a link, any link inside them (never write or delete through
    a link), and a folder there that this user cannot read or change (found before anything is written)."""
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
        _check_writable(out, folder)
    for name in MANAGED:
        for dirpath, dirnames, filenames in os.walk(out / name):
            _check_writable(out, Path(dirpath))
            for entry in (*dirnames, *filenames):
                if (Path(dirpath) / entry).is_symlink():
                    raise TouchgenError(f"{_shown(out, Path(dirpath) / entry)}: is a link; touchgen never writes or "
                                        "deletes through a link: remove it (nothing was written)")


def _check_writable(out: Path, folder: Path) -> None:
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        raise TouchgenError(f"{_shown(out, folder)}: is read-only or unreadable for you, and a build replaces what "
                            "is in it: make output/ writable (chmod -R u+rwX output) or remove it (a build makes it "
                            "again); nothing was written")


STAGING = ".{name}.touchgen-new"  # the next tree of output/<name>, built beside it
RETIRED = ".{name}.touchgen-old"  # the previous tree, on systems that switch with two renames
FAULTS = {  # what a failed write means, and what to do before building again
    errno.ENOSPC: ("the disk is full", "free some space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space"),
    errno.EROFS: ("the file system is read-only", "build on a writable disk"),
    errno.EACCES: ("permission denied", "make output/ writable for you (or remove it: a build makes it again)"),
    errno.EPERM: ("not permitted", "make output/ writable for you (or remove it: a build makes it again)"),
}


def _stage(folder: Path, staging: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Build the complete next tree of `folder` in `staging`: an unchanged file is hard-linked (not
    rewritten: it keeps its inode and time), a changed one written. Returns (written, unchanged)."""
    written = unchanged = 0
    for rel, data in sorted(files.items()):
        old, new = folder / rel, staging / rel
        new.parent.mkdir(parents=True, exist_ok=True)
        if _same(old, data):
            try:
                os.link(old, new)
            except OSError:
                shutil.copy2(old, new)
            unchanged += 1
        else:
            new.write_bytes(data)
            written += 1
    return written, unchanged


def _same(old: Path, data: bytes) -> bool:
    """`old` is a plain file holding exactly `data` (one that cannot be read is rewritten)."""
    try:
        return old.is_file() and not old.is_symlink() and old.stat().st_size == len(data) and old.read_bytes() == data
    except PermissionError:
        return False


def _recover(out: Path, name: str) -> None:
    """Undo what a stopped build left of output/<name>: its staging goes, a tree moved aside comes back."""
    folder, staging, retired = out / name, out / STAGING.format(name=name), out / RETIRED.format(name=name)
    remove(staging)
    if not folder.exists() and retired.is_dir():
        retired.rename(folder)  # stopped between two renames: the old tree comes back
    remove(retired)


def _write_fault(out: Path, folder: Path, exc: OSError) -> TouchgenError:
    """A write that failed while staging `folder`, as what, where and what to do; output/ was not touched."""
    what, todo = FAULTS.get(exc.errno or 0, (exc.strerror or str(exc), "check the disk"))
    where = str(exc.filename or folder)
    for name in MANAGED:  # name the place the file was going to, not the staging folder that is gone
        where = where.replace(str(out / STAGING.format(name=name)), str(out / name))
    return TouchgenError(f"{_shown(out, where)}: cannot write the new build: {what}; output/ is unchanged (the last "
                         f"complete build is still there): {todo} and build again")


def write_output(out: Path, files: dict[str, bytes], clean: bool = False) -> WriteResult:
    """Make each managed folder under `out` hold exactly its part of `files`. Every folder's next tree
    is staged before any is switched in whole, so a failed write (a full disk) changes nothing and
    leaves nothing behind, and a build stopped at any moment leaves the old or the new tree."""
    check_output(out)
    written = unchanged = removed = 0
    folder = out
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in MANAGED:
            _recover(out, name)
        for name in MANAGED:
            part = {rel[len(name) + 1:]: data for rel, data in files.items() if rel.startswith(f"{name}/")}
            folder, staging = out / name, out / STAGING.format(name=name)
            staging.mkdir()
            new_written, new_unchanged = _stage(folder if not clean else staging, staging, part)
            written, unchanged = written + new_written, unchanged + new_unchanged
            if folder.is_dir():
                removed += sum(1 for path in folder.rglob("*") if path.is_file()
                               and path.relative_to(folder).as_posix() not in part)
    except OSError as exc:
        for name in MANAGED:
            with contextlib.suppress(OSError):
                remove(out / STAGING.format(name=name))
        raise _write_fault(out, folder, exc) from None
    for name in MANAGED:
        _switch(out, name)
    return WriteResult(written, unchanged, removed)


def _switch(out: Path, name: str) -> None:
    """Put the staged tree of output/<name> in place in one step, and remove the old one."""
    folder, staging, retired = out / name, out / STAGING.format(name=name), out / RETIRED.format(name=name)
    if folder.is_dir():
        if exchange(staging, folder):
            remove(staging)  # now the old tree
            return
        folder.rename(retired)
    staging.rename(folder)
    remove(retired)


def build(settings: Settings, drafts: bool = False, future: bool = False, clean: bool = False) -> BuildResult:
    """Render everything, then write output/; nothing is written when anything is wrong."""
    started = time.perf_counter()
    rendered = render(settings, drafts, future)
    result = write_output(settings.paths.output, rendered.files, clean)
    return BuildResult(rendered, result, time.perf_counter() - started)
