"""New sites and new posts."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from pathlib import Path

from ..config import Settings
from ..errors import TouchgenError, from_os_error
from ..files import fresh_staging, remove
from ..paths import POSTS
from ..text import bidi_control
from .slugs import slugify
from .theme import DEFAULT_THEME

SKELETON = Path(__file__).parent / "skeleton"


def publish_day_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def publish_day_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def init_site(target: Path, today: dt.date) -> list[Path]:
    """Create a site in `target` (missing or empty): settings, a sample post and page, the templates."""
    if target.exists() and not target.is_dir():
        raise TouchgenError(f"{target}: is a file, not a folder (choose a folder name for the new site)")
    for parent in target.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise TouchgenError(f"{parent}: is a file, so no site can be made inside it (choose another place)")
    if target.is_dir() and any(target.iterdir()):
        raise TouchgenError(f"{target}: folder is not empty (choose a new or empty folder; nothing was created)")
    monday = publish_day_on_or_before(today, 0)
    final = target.resolve()
    nearest = next(folder for folder in (final, *final.parents) if folder.exists())
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise TouchgenError(f"{nearest}: is read-only for you, so no site can be made in it (make it writable or "
                            "choose another place; nothing was created)")
    # An empty folder (perhaps the current one) gets the site staged inside it: its parent may not be ours.
    staging = fresh_staging(final / "site" if final.is_dir() else final)
    try:
        created = _fill(staging, monday)
    except BaseException:  # a full disk: nothing half-made is left
        with contextlib.suppress(OSError):
            remove(staging)
        raise
    if final.is_dir():
        for entry in staging.iterdir():
            entry.rename(final / entry.name)
        staging.rmdir()
    else:
        staging.rename(final)
    return created


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a folder of touchgen's own files; the first failure (a full disk) is raised as it is."""
    for path in sorted(source.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        copy = target / path.relative_to(source)
        if path.is_dir():
            copy.mkdir(parents=True, exist_ok=True)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)


def _fill(staging: Path, monday: dt.date) -> list[Path]:
    """The files of a new site, written into `staging`; their paths inside it."""
    _copy_tree(SKELETON, staging)
    _copy_tree(DEFAULT_THEME, staging / "templates")
    sample = staging / POSTS / "sample-post.md"
    dated = sample.with_name(f"{monday.isoformat()}-welcome.md")
    sample.rename(dated)
    dated.write_text(dated.read_text(encoding="utf-8").replace("DATE", monday.isoformat()), encoding="utf-8")
    (staging / "gitignore").rename(staging / ".gitignore")
    return sorted(path.relative_to(staging) for path in staging.rglob("*") if path.is_file())


def new_post(settings: Settings, title: str, day: dt.date | None, today: dt.date) -> Path:
    """Write content/posts/<date>-<slug>.md as a draft; refuse to overwrite anything."""
    title = title.strip()
    if not title or "\n" in title or "\r" in title:
        raise TouchgenError("the title must be one line of text, such as: touchgen new \"Start before you need it\"")
    if bidi_control(title):
        raise TouchgenError(f"the title has an invisible bidirectional control {bidi_control(title)}, which can make "
                            "it show in another order than it is written (\"Trojan Source\"); remove it (nothing was "
                            "written)")
    slug = slugify(title)
    if not slug:
        raise TouchgenError(f"the title {title!r} has no letters or digits to make a slug from (use another title)")
    folder = settings.paths.posts
    if folder.exists() and not folder.is_dir():
        raise TouchgenError(f"{folder.relative_to(settings.root)}: is a file, not the folder of posts; move it away "
                            "(nothing was written)")
    posts = sorted(folder.glob("*.md")) if folder.is_dir() else []
    for path in posts + sorted(settings.paths.pages.glob("*.md")):
        if path.stem == slug or path.stem[11:] == slug:
            raise TouchgenError(
                f"{path.relative_to(settings.root)}: already uses the slug '{slug}' "
                "(nothing was written; choose another title)"
            )
    try:  # a slug: in front matter counts too
        from .content import load_content

        content = load_content(settings)
        taken = {doc.slug: doc.source for doc in (*content.posts, *content.pages)}
    except TouchgenError:
        taken = {}
    if slug in taken:
        raise TouchgenError(f"{taken[slug]}: already uses the slug '{slug}' (nothing was written; choose another title)")
    existing = {path.name[:10] for path in posts}
    if day is None:
        day = publish_day_on_or_after(today, settings.publish_weekday_index)
        while day.isoformat() in existing:
            day += dt.timedelta(days=7)
    path = folder / f"{day.isoformat()}-{slug}.md"
    shown = path.relative_to(settings.root)
    if path.exists():
        raise TouchgenError(f"{shown}: already exists (nothing was written; choose another title or --date)")
    text = (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {day.isoformat()}\n"
        "summary: \"\"\n"
        "tags: []\n"
        "draft: true\n"
        "---\n\n"
        "Write your post here. Set draft: false when it is ready.\n"
    )
    created = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            created = True
            handle.write(text)
    except OSError as exc:
        if created:  # a full disk: no half-written post is left
            path.unlink()
        raise from_os_error(exc, folder.relative_to(settings.root).as_posix()) from None
    return shown

