"""A build: check and render everything in memory, then put only changed files in place."""

from __future__ import annotations

import datetime as dt
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


def check_output(out: Path) -> None:
    """touchgen writes and deletes only inside the site: refuse output/ or a managed folder that is a
    file or a link, and any link inside them (never write or delete through a link)."""
    for folder in (out, *(out / name for name in MANAGED)):
        if folder.is_symlink():
            raise TouchgenError(f"{folder}: is a link (to {os.readlink(folder)}); touchgen writes only inside the "
                                "site: replace the link with a folder")
        if folder.exists() and not folder.is_dir():
            raise TouchgenError(f"{folder}: is a file, not a folder; move it away (nothing was written)")
    for name in MANAGED:
        for dirpath, dirnames, filenames in os.walk(out / name):
            for entry in (*dirnames, *filenames):
                if (Path(dirpath) / entry).is_symlink():
                    raise TouchgenError(f"{Path(dirpath) / entry}: is a link; touchgen never writes or deletes "
                                        "through a link: remove it (nothing was written)")


STAGING = ".{name}.touchgen-new"  # the next tree of output/<name>, built beside it
RETIRED = ".{name}.touchgen-old"  # the previous tree, on systems that switch with two renames


def _stage(folder: Path, staging: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Build the complete next tree of `folder` in `staging`: an unchanged file is hard-linked (not
    rewritten: it keeps its inode and time), a changed one written. Returns (written, unchanged)."""
    written = unchanged = 0
    for rel, data in sorted(files.items()):
        old, new = folder / rel, staging / rel
        new.parent.mkdir(parents=True, exist_ok=True)
        if old.is_file() and not old.is_symlink() and old.stat().st_size == len(data) and old.read_bytes() == data:
            try:
                os.link(old, new)
            except OSError:
                shutil.copy2(old, new)
            unchanged += 1
        else:
            new.write_bytes(data)
            written += 1
    return written, unchanged


def write_output(out: Path, files: dict[str, bytes], clean: bool = False) -> WriteResult:
    """Make each managed folder under `out` hold exactly its part of `files`, switched in whole: a
    build stopped at any moment leaves either the old complete tree or the new one."""
    check_output(out)
    out.mkdir(parents=True, exist_ok=True)
    written = unchanged = removed = 0
    for name in MANAGED:
        folder = out / name
        staging, retired = out / STAGING.format(name=name), out / RETIRED.format(name=name)
        remove(staging)  # left by a build that was stopped
        if not folder.exists() and retired.is_dir():
            retired.rename(folder)  # stopped between two renames: the old tree comes back
        remove(retired)
        part = {rel[len(name) + 1:]: data for rel, data in files.items() if rel.startswith(f"{name}/")}
        staging.mkdir()
        new_written, new_unchanged = _stage(folder if not clean else staging, staging, part)
        written, unchanged = written + new_written, unchanged + new_unchanged
        if folder.is_dir():
            removed += sum(1 for path in folder.rglob("*") if path.is_file()
                           and path.relative_to(folder).as_posix() not in part)
            if exchange(staging, folder):
                remove(staging)  # now the old tree
                continue
            folder.rename(retired)
        staging.rename(folder)
        remove(retired)
    return WriteResult(written, unchanged, removed)


def build(settings: Settings, drafts: bool = False, future: bool = False, clean: bool = False) -> BuildResult:
    """Render everything, then write output/; nothing is written when anything is wrong."""
    started = time.perf_counter()
    rendered = render(settings, drafts, future)
    result = write_output(settings.paths.output, rendered.files, clean)
    return BuildResult(rendered, result, time.perf_counter() - started)
