"""The quickest rebuild: when nothing a build reads has changed since the last one (every file of
content/, templates/, static/, touchgen.toml and the default theme, byte for byte, and the libraries
that render them, as renderers.py tells them), the time has not crossed a scheduled post's date,
and output/ is still exactly as that build left it, there is nothing to do. The last build's
counts and warnings are told again."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import Settings
from ..paths import CONFIG_FILE, NEWSLETTER_FOLDER, SITE_FOLDER, default_theme
from .cache import Cache, status_of, trusted_before
from .folders import folders_unchanged
from .output import scan
from .renderers import libraries, markdown_settings

if TYPE_CHECKING:
    from .build import Rendered, WriteResult

READ = ("content", "templates", "static")  # the folders of a site a build reads
FEW_CHANGED = 8  # posts and pages: fewer changed make a rebuild too small for worker processes


def _files(root: Path) -> list[tuple[str, str]] | None:
    """(path, full path) of every file under `root`, sorted; None when a link is among them (links
    are checked by a full build)."""
    if not os.path.lexists(root):
        return []
    if os.path.islink(root) or not os.path.isdir(root):
        return None
    try:
        found = scan(str(root))
    except OSError:  # unreadable: the build says where
        return None
    return None if found is None else sorted((rel, entry.path) for rel, entry in found)


@dataclass(frozen=True)
class Inputs:
    """What a build reads: a hash of all of it (None when it cannot be told quickly), and how many files
    of each folder (content, templates, ..., touchgen.toml) differ from what the cache knew."""

    digest: str | None
    changed: dict[str, int]
    statuses: dict[str, os.stat_result] = field(default_factory=dict)  # of content/'s files: reading needs them too

    def little_changed(self) -> bool:
        """Only a few posts or pages (or nothing) changed since the build the cache remembers: too
        little work to be worth worker processes."""
        content = self.changed.get("content", 0)
        return self.digest is not None and content < FEW_CHANGED and sum(self.changed.values()) == content


def inputs_digest(settings: Settings, drafts: bool, future: bool, store: Cache | None = None) -> Inputs:
    """A hash of everything a build reads. A file `store` knows by its status is not read again."""
    rendered_by = f"{libraries()}\0{markdown_settings()}"  # another version renders anew
    hasher = hashlib.sha256(f"{__version__}\0{rendered_by}\0{settings.root.resolve()}\0{drafts}\0{future}\0".encode())
    folders: list[tuple[str, Path | None]] = [(name, settings.root / name) for name in READ]
    folders += [("(default theme)", default_theme()), (CONFIG_FILE, None)]
    known = store.inputs() if store is not None else {}
    read: dict[str, tuple[str, str]] = {}
    seen: list[str] = []
    changed: dict[str, int] = {}
    statuses: dict[str, os.stat_result] = {}
    trusted = trusted_before()
    for label, folder in folders:
        files = _files(folder) if folder is not None else [("", str(settings.paths.config))]
        if files is None:
            return Inputs(None, changed)
        for rel, full in files:
            try:
                found = os.stat(full)
                status = status_of(found)
                before = known.get(full)
                sha = before[1] if before is not None and before[0] == status else _sha256(full)
            except OSError:  # unreadable: the build reads it again and says where, with what to do
                return Inputs(None, changed)
            seen.append(full)
            if label == READ[0]:
                statuses[full] = found
            if before is None or before[1] != sha:
                changed[label] = changed.get(label, 0) + 1
            if found.st_mtime_ns < trusted and before != (status, sha):
                read[full] = (status, sha)
            hasher.update(f"{label}/{rel}\0{sha}\0".encode())
    if store is not None:
        store.store_inputs(read, seen)
    return Inputs(hasher.hexdigest(), changed, statuses)


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _tree_key(folder: Path, name: str) -> str | None:
    try:
        found = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode):
        return None
    return f"{name}:{found.st_dev}:{found.st_ino}"


def _intact(store: Cache, folder: Path, name: str) -> int | None:
    """How many files the live tree `folder` has, when it is exactly as the cache recorded it."""
    key = _tree_key(folder, name)
    if key is None:
        return None
    rows = store.tree(key)
    if not rows:
        return None
    if folders_unchanged(store, folder, key, rows, refresh=True):  # the same files as recorded: each checked
        prefix = f"{folder}/"
        for rel, recorded in rows.items():
            try:
                status = os.lstat(prefix + rel)
            except OSError:
                return None
            if (status.st_size, status.st_mtime_ns, status.st_ino) != (recorded.size, recorded.mtime_ns, recorded.ino):
                return None
        return len(rows)
    found = scan(str(folder))
    if found is None or len(found) != len(rows):
        return None
    for rel, entry in found:
        row = rows.get(rel)
        if row is None:
            return None
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            return None
        if (status.st_size, status.st_mtime_ns, status.st_ino) != (row.size, row.mtime_ns, row.ino):
            return None
    return len(found)


def fresh_result(store: Cache, settings: Settings, inputs: str, now: dt.datetime,
                 out: Path) -> tuple[Rendered, WriteResult] | None:
    """The last build's result when it still holds (see the module's docstring), else None."""
    from .build import Rendered, WriteResult

    last = store.get("last_build")
    if not isinstance(last, dict) or last.get("inputs") != inputs:
        return None
    moment = now.timestamp()
    if not last["since"] <= moment < last["until"]:
        return None
    files = 0
    for name in (SITE_FOLDER, NEWSLETTER_FOLDER):
        count = _intact(store, out / name, name)
        if count is None:
            return None
        files += count
    counts = last["counts"]
    rendered = Rendered(counts["posts"], counts["pages"], counts["feeds"], counts["emails"], tuple(last["warnings"]))
    return rendered, WriteResult(0, files, 0, files)


def remember(store: Cache, settings: Settings, inputs: str, rendered: Rendered, window: tuple[float, float]) -> None:
    """Record a finished build for fresh_result: its inputs, the time span it holds for, its result."""
    counts: dict[str, Any] = {"posts": rendered.posts, "pages": rendered.pages, "feeds": rendered.feeds,
                              "emails": rendered.emails}
    store.put("last_build", {"inputs": inputs, "since": window[0], "until": min(window[1], 1e18), "counts": counts,
                             "warnings": list(rendered.warnings)})
