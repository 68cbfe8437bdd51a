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
from ..files import remove, write_atomic
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
    warnings = content.warnings + tuple(check_references(site, site_files))
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


def _make_parent(path: Path, top: Path) -> None:
    """Create path's parent folders, replacing any file that stands where a folder must be."""
    for parent in reversed(path.relative_to(top).parents):
        folder = top / parent
        if folder.exists() and not folder.is_dir():
            folder.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)


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


def write_output(out: Path, files: dict[str, bytes], clean: bool = False) -> WriteResult:
    """Make the managed folders under `out` hold exactly `files`; rewrite only what changed."""
    check_output(out)
    if clean:
        for name in MANAGED:
            remove(out / name)
    written = unchanged = removed = 0
    for rel, data in sorted(files.items()):
        dest = out / rel
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        elif dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data:
            unchanged += 1
            continue
        _make_parent(dest, out)
        write_atomic(dest, data)
        written += 1
    wanted = {out / rel for rel in files}
    for name in MANAGED:
        top = out / name
        if not top.is_dir():
            continue
        for dirpath, _, filenames in os.walk(top, topdown=False):
            folder = Path(dirpath)
            for filename in filenames:
                path = folder / filename
                if path not in wanted:
                    path.unlink()
                    removed += 1
            if folder != top and not any(folder.iterdir()):
                folder.rmdir()
    return WriteResult(written, unchanged, removed)


def build(settings: Settings, drafts: bool = False, future: bool = False, clean: bool = False) -> BuildResult:
    """Render everything, then write output/; nothing is written when anything is wrong."""
    started = time.perf_counter()
    rendered = render(settings, drafts, future)
    result = write_output(settings.paths.output, rendered.files, clean)
    return BuildResult(rendered, result, time.perf_counter() - started)
