"""What a build remembers of an output tree's folders: each folder's time and inode, as recorded when
the tree was last the live one. Adding or removing a file changes its folder's time, so a tree whose
folders all look as recorded holds the files the cache says, told without listing them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from .cache import Cache, fine_time, trusted_before
from .filerows import FileRow

RACY_FOLDER = -1  # a folder's recorded time when it was changed too near the recording to be trusted


def folders_of(rels: Iterable[str]) -> set[str]:
    """The folders that hold the files `rels` and every folder above them, the tree itself ('') too."""
    folders = {""}
    for rel in rels:
        folder = rel.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def folder_records(cache: Cache, name: str) -> dict[str, dict[str, list[int]]]:
    """What Tree._record_folders kept of the trees of `name`: tree key -> {folder: [time, inode]}."""
    found = cache.get(f"folders {name}")
    return found if isinstance(found, dict) else {}


def folders_unchanged(cache: Cache, live: Path, key: str, rows: Mapping[str, FileRow], refresh: bool = False,
                      records: dict[str, dict[str, list[int]]] | None = None) -> bool:
    """Whether the live tree `live` (of cache key `key`) holds exactly the files of `rows`, told
    without listing them all: a file or folder added to or removed from a folder changes the folder's
    time (Tree._record_folders keeps them). A folder changed just before it was recorded is listed;
    with `refresh`, those found as recorded are known by their times from then on, once old enough."""
    name = key.partition(":")[0]
    records = folder_records(cache, name) if records is None else records
    recorded = records.get(key)
    if not recorded:
        return False
    prefix = f"{live}/"
    racy: dict[str, os.stat_result] = {}
    for rel, (mtime_ns, ino) in recorded.items():
        try:
            found = os.lstat(prefix + rel if rel else live)
        except OSError:
            return False
        if found.st_ino != ino or not stat.S_ISDIR(found.st_mode):
            return False
        if found.st_mtime_ns != mtime_ns:
            if mtime_ns != RACY_FOLDER:
                return False
            racy[rel] = found
    if not racy:
        return True
    children: dict[str, set[str]] = {}
    for rel in (*rows, *recorded):
        if rel:
            folder, _, child = rel.rpartition("/")
            children.setdefault(folder, set()).add(child)
    try:
        if not all(set(os.listdir(prefix + rel if rel else live)) == children.get(rel, set()) for rel in racy):
            return False
    except OSError:
        return False
    before = (trusted_before(), trusted_before(fine=True))
    settled = {rel: [found.st_mtime_ns, found.st_ino] for rel, found in racy.items()
               if found.st_mtime_ns < before[fine_time(found.st_mtime_ns)]}
    if settled:  # known by their times from now on (by this build, and the next with `refresh`)
        recorded.update(settled)
        if refresh:
            cache.put(f"folders {name}", records)
    return True
