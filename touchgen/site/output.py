"""Putting a build in place: each managed folder of output/ (site, newsletter) is made complete in a
spare tree under output/.cache/ and switched in with one atomic exchange, so a build stopped at any
moment leaves the old complete tree or the new one. The tree switched out becomes the next build's
spare: a rebuild touches only the files that changed (an unchanged file is a hard link to the live
one), never the whole tree."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TouchgenError
from ..files import exchange, remove
from .cache import Cache, fine_time, trusted_before
from .filerows import FileRow
from .folders import RACY_FOLDER, folder_records, folders_of, folders_unchanged
from .statuses import Statuses, signature

CACHE_FOLDER = ".cache"
LEGACY = (".{name}.touchgen-new", ".{name}.touchgen-old")  # where earlier versions staged and retired


def scan(folder: str, links: bool = False) -> list[tuple[str, os.DirEntry[str]]] | None:
    """(path under `folder`, entry) of every file in it and its subfolders; None when it holds a link
    (unless `links`, when links are listed as files)."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    pending = [("", folder)]
    while pending:
        prefix, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_symlink():
                    if not links:
                        return None
                    found.append((prefix + entry.name, entry))
                elif entry.is_dir():
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    found.append((prefix + entry.name, entry))
    return found


def _write(path: str, data: bytes) -> os.stat_result:
    """Write a new file; its status as written (size, time and inode, for the cache)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        return os.fstat(handle)
    except OSError as exc:  # os.write names no file: say which, for the message
        exc.filename = exc.filename or path
        raise
    finally:
        os.close(handle)


def write_new(spare: str, seed: str, rel: str, data: bytes, made: set[str]) -> tuple[str, int, int, int]:
    """Write the file `rel` of a tree being made afresh at `spare` (a prefix ending in '/'), and link it
    into the next build's spare at `seed` ('' for none): its hash, size, time and inode. `made`: the
    folders known to exist (the ones made here are added). The workers of a first build write their
    files with it themselves, so that no page or email goes through the build process."""
    target = spare + rel
    _folder_of(target, made)
    found = _write(target, data)
    if seed:
        _link_seed(target, seed + rel, made)
    return hashlib.sha256(data).hexdigest(), found.st_size, found.st_mtime_ns, found.st_ino


def _folder_of(path: str, made: set[str]) -> None:
    """The folder `path` goes in, made unless `made` (the folders known to exist) says it is."""
    folder = path.rpartition("/")[0]
    if folder not in made:
        try:
            os.mkdir(folder)  # the most often: its parent is there (a stat fewer than makedirs)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        except FileExistsError:
            if not os.path.isdir(folder):  # a file in the way: as makedirs would say
                raise
        made.add(folder)


def _link_seed(target: str, seed: str, made: set[str]) -> None:
    """The file just written at `target` linked at `seed`, in the next build's spare."""
    _folder_of(seed, made)
    os.link(target, seed)


@dataclass
class Tree:
    """One managed folder: the live tree, its spare, and what the cache knows of both."""

    out: Path
    name: str
    cache: Cache | None
    clean: bool = False
    live_rows: dict[str, FileRow] = field(default_factory=dict)
    spare_rows: dict[str, FileRow] = field(default_factory=dict)
    wanted: dict[str, FileRow] = field(default_factory=dict)
    written: int = 0
    unchanged: int = 0
    reused: int = 0

    def __post_init__(self) -> None:
        self.live = self.out / self.name
        self.spare = self.out / CACHE_FOLDER / self.name
        self._live_prefix = f"{self.live}/"
        self._spare_prefix = f"{self.spare}/"
        self._verified: dict[str, FileRow | None] = {}
        self._made_dirs: set[str] = set()
        self._emptied: set[str] = set()
        self._touched: set[str] = set()  # files of the spare written, linked or removed (see _record_folders)
        self._recover_legacy()
        self._records = folder_records(self.cache, self.name) if self.cache is not None else {}
        if self.live.is_dir() and not self.clean and self.cache is not None:
            self.live_rows = self.cache.tree(self._key(self.live))
        self._statuses = Statuses(self._live_prefix, self.live_rows)  # walked from now on, elsewhere
        self._listed: list[str] | None = None if self._statuses.walking else self._list_live()
        spare_known = False  # whether the spare is as the cache recorded it when it was the live tree
        if self.spare.is_dir() and not self.spare.is_symlink() and self.cache is not None:
            key = self._key(self.spare)
            if not self.cache.dirty(key):
                self.spare_rows = self.cache.tree(key)
            else:
                self.cache.forget_tree(key)
            if not self.spare_rows and any(self.spare.iterdir()):
                remove(self.spare)  # what it holds is unknown: it is made anew
            else:
                spare_known = bool(self.spare_rows) and not self.clean
                self.cache.set_dirty(key, True)  # changed from here on: trusted again once recorded
            if not spare_known:
                self._records.pop(key, None)
        elif self.spare.exists() or self.spare.is_symlink():
            remove(self.spare)
        if self.clean and self.spare.is_dir():  # --clean: every file written anew
            remove(self.spare)
        self._spare_was_empty = not self.spare.is_dir()  # made just now: nothing to unlink in it
        if self._spare_was_empty:
            self.spare.mkdir(parents=True)
            self.spare_rows = {}
            if self.cache is not None:
                self.cache.forget_tree(self._key(self.spare))  # a folder of that number that is long gone
                self.cache.set_dirty(self._key(self.spare), True)
        self.recorded_spare = dict(self.spare_rows)  # what the cache holds of the spare
        self._resets = self.cache.resets if self.cache is not None else 0
        # A first build also makes the spare of the next one (hard links to the files it writes, while
        # the workers render), so that the next build changes only what changed.
        self.seed = self.out / CACHE_FOLDER / f"{self.name}.next"
        remove(self.seed)
        self._seed_prefix = ""
        if not self.live.exists() and self.cache is not None:
            self.seed.mkdir(parents=True)
            self._seed_prefix = f"{self.seed}/"

    @property
    def _live_files(self) -> list[str]:
        """Every file of the live tree (the cache's rows of it, when its folders are as recorded)."""
        if self._listed is None:
            self._listed = self._list_live()
        return self._listed

    def check_live(self) -> None:
        """Refuse a live tree that holds a link (TouchgenError), found by the walk or by listing it
        here: called for every tree before any is switched."""
        self._live_files  # noqa: B018 (listed now if not yet)

    def _list_live(self) -> list[str]:
        walked = self._statuses.listing()
        if walked is not None:
            files, folders = walked
            recorded = self._records.get(self._key(self.live), {})
            if any(folders.get(rel) != (mtime, ino) for rel, (mtime, ino) in recorded.items() if mtime != RACY_FOLDER):
                self._records.pop(self._key(self.live), None)  # changed since it was recorded
            return files
        if self._folders_unchanged():
            return list(self.live_rows)
        listed = [rel for rel, _ in self._scan_live()]
        if self.live.is_dir():
            self._records.pop(self._key(self.live), None)  # changed since it was recorded
        return listed

    def _scan_live(self) -> list[tuple[str, os.DirEntry[str]]]:
        """Every file of the live tree; a TouchgenError for a link in it (never written or deleted through)."""
        if not self.live.is_dir() or self.live.is_symlink():
            return []
        found = scan(str(self.live), links=True) or []
        for rel, entry in found:
            if entry.is_symlink():
                raise TouchgenError(f"{self.live / rel}: is a link; touchgen never writes or deletes through a link: "
                                    "remove it (nothing was written)")
        return found

    def _folders_unchanged(self) -> bool:
        return self.cache is not None and bool(self.live_rows) and folders_unchanged(
            self.cache, self.live, self._key(self.live), self.live_rows, records=self._records)

    def _record_folders(self, switched: bool) -> None:
        """The folders of the live tree as they are now, for the next build's _folders_unchanged. One
        changed in the last moments may change again within the same tick of the file system's clock:
        it is marked, and the next build lists it. A folder this build did not change keeps what was
        recorded of it when its tree was last the live one (a time that no longer holds makes the
        next build list the tree, never miss a change); the others are looked at again."""
        if self.cache is None or not self.live.is_dir():
            return
        live_key, spare_key = self._key(self.live), self._key(self.spare)
        changed = folders_of(self._touched if switched else ())  # with the tree itself: switching may change its time
        folders = folders_of(self.wanted)
        base = self._records.get(live_key, {})
        before = (trusted_before(), trusted_before(fine=True))
        signatures = {}
        for rel in folders:
            kept = base.get(rel)
            if kept is not None and kept[0] != RACY_FOLDER and rel not in changed:
                signatures[rel] = kept
                continue
            found = os.lstat(self._live_prefix + rel if rel else self.live)
            settled = found.st_mtime_ns < before[fine_time(found.st_mtime_ns)]
            signatures[rel] = [found.st_mtime_ns if settled else RACY_FOLDER, found.st_ino]
        records = {live_key: signatures}
        if spare_key in self._records and spare_key != live_key and (switched or not self._touched):
            records[spare_key] = self._records[spare_key]  # the tree switched out, as recorded (and checked)
        self.cache.put(f"folders {self.name}", records)

    def _recover_legacy(self) -> None:
        staging, retired = (self.out / pattern.format(name=self.name) for pattern in LEGACY)
        remove(staging)
        if not self.live.exists() and retired.is_dir():
            retired.rename(self.live)  # stopped between two renames: the old tree comes back
        remove(retired)

    def _key(self, folder: Path) -> str:
        found = os.stat(folder)
        return f"{self.name}:{found.st_dev}:{found.st_ino}"

    def reuse(self, rels: Sequence[str], key: str) -> bool:
        """When each live file of `rels` shows what `key` describes and is as touchgen wrote it, they
        go into the next tree as they are, unrendered: True. Else nothing is kept (they are put)."""
        if not key:
            return False
        rows = []
        live = self._live
        for rel in rels:
            row = live(rel)
            if row is None or row.key != key:
                return False
            rows.append(row)
        for rel, row in zip(rels, rows):
            self._link(rel, row)
        self.unchanged += len(rows)
        self.reused += len(rows)
        return True

    def _live(self, rel: str) -> FileRow | None:
        """The cache's row of the live file `rel`, when the file on disk still matches it."""
        verified = self._verified
        if rel in verified:
            return verified[rel]
        row = self.live_rows.get(rel)
        if row is not None and self._statuses.signature(rel) != (row.size, row.mtime_ns, row.ino):
            row = None
        verified[rel] = row
        return row

    def fresh(self) -> tuple[str, str] | None:
        """When every file put is written anew into an empty spare (a first build, or --clean): the
        prefixes of the spare and of the next build's spare, for `write_new` in another process."""
        if self._spare_was_empty and (self.clean or not (self.live_rows or self._live_files)):
            return self._spare_prefix, self._seed_prefix
        return None

    def written_elsewhere(self, rel: str, key: str, made: tuple[str, int, int, int]) -> None:
        """`rel` was written by `write_new` (in a worker): `made` is what it returned."""
        self._touched.add(rel)
        self.wanted[rel] = FileRow(key, *made)
        self.written += 1
        self._made_dirs.add((self._spare_prefix + rel).rpartition("/")[0])  # see put: a folder made here

    def put(self, rel: str, data: bytes, key: str = "") -> None:
        """`data` is the next content of `rel`: linked from the live tree when it is the same there,
        else written into the spare."""
        if self.fresh() is not None and (self._spare_prefix + rel) not in self._made_dirs:
            self._mkdir((self._spare_prefix + rel).rpartition("/")[0])  # a file in the way goes
            self.written_elsewhere(rel, key, write_new(self._spare_prefix, self._seed_prefix, rel, data,
                                                       self._made_dirs))
            return
        sha = hashlib.sha256(data).hexdigest()
        if self.live_rows or self._live_files:  # a first build has no live tree to compare with
            row = self._live(rel)
            if row is None and rel not in self.live_rows and not self.clean:
                row = self._same_on_disk(rel, data, sha)
            if row is not None and row.sha256 == sha:
                self._link(rel, FileRow(key, sha, row.size, row.mtime_ns, row.ino))
                self.unchanged += 1
                return
        target = self._spare_prefix + rel
        if not self._spare_was_empty or target in self._made_dirs:  # a folder made here may stand in the way
            self._unlink_spare(rel)
        self._mkdir(os.path.dirname(target))
        found = _write(target, data)
        self._touched.add(rel)
        self.wanted[rel] = FileRow(key, sha, found.st_size, found.st_mtime_ns, found.st_ino)
        self.written += 1
        if self._seed_prefix:
            _link_seed(target, self._seed_prefix + rel, self._made_dirs)

    def _same_on_disk(self, rel: str, data: bytes, sha: str) -> FileRow | None:
        """A live file the cache does not know (a cold cache): compared byte for byte."""
        found = signature(self._live_prefix + rel)
        if found is None or found[0] != len(data):
            return None
        with open(self._live_prefix + rel, "rb") as handle:
            if handle.read() != data:
                return None
        return FileRow("", sha, *found)

    def _link(self, rel: str, row: FileRow) -> None:
        self.wanted[rel] = row
        spare = self.spare_rows.get(rel)
        if spare is not None and spare.ino == row.ino:
            return  # the spare already holds this very file (the spare is touchgen's own: see __post_init__)
        target = self._spare_prefix + rel
        self._unlink_spare(rel)
        self._mkdir(os.path.dirname(target))
        self._touched.add(rel)
        try:
            os.link(self._live_prefix + rel, target)
        except OSError:
            shutil.copy2(self._live_prefix + rel, target)
            found = os.stat(target)
            self.wanted[rel] = FileRow(row.key, row.sha256, found.st_size, found.st_mtime_ns, found.st_ino)

    def _unlink_spare(self, rel: str) -> None:
        target = self._spare_prefix + rel
        self._touched.add(rel)
        if self.spare_rows.pop(rel, None) is not None or os.path.lexists(target):
            if os.path.isdir(target) and not os.path.islink(target):
                self._drop_folder(rel)
            else:
                try:
                    os.unlink(target)
                except FileNotFoundError:
                    pass
            self._emptied.add(os.path.dirname(self._spare_prefix + rel))

    def _mkdir(self, folder: str) -> None:
        if folder in self._made_dirs:
            return
        try:
            os.makedirs(folder, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # a file of the last tree stands where a folder goes
            parts = folder[len(self._spare_prefix):].split("/")
            for depth in range(1, len(parts) + 1):
                rel = "/".join(parts[:depth])
                if os.path.lexists(self._spare_prefix + rel) and not os.path.isdir(self._spare_prefix + rel):
                    self._unlink_spare(rel)
            os.makedirs(folder, exist_ok=True)
        self._made_dirs.add(folder)

    def _drop_folder(self, rel: str) -> None:
        """A folder of the last tree stands where a file goes: it goes, with what the cache knew of it."""
        shutil.rmtree(self._spare_prefix + rel)
        for known in [known for known in self.spare_rows if known.startswith(rel + "/")]:
            del self.spare_rows[known]
        self._made_dirs = {made for made in self._made_dirs if not made.startswith(self._spare_prefix + rel)}

    def _extras(self) -> list[str]:
        """Live files that the next tree no longer has."""
        return [rel for rel in self._live_files if rel not in self.wanted]

    def finish(self) -> int:
        """Make the spare hold exactly the wanted files, record it, and switch it in when it differs
        from the live tree. Returns how many live files are gone."""
        if self.cache is not None:
            self.cache.put(f"folders {self.name}", None)  # true again only once recorded below
        live_before = self._key(self.live) if self.live.is_dir() else None
        gone = self._switch()
        self._record_folders(switched=live_before != self._key(self.live))
        return gone

    def _switch(self) -> int:
        for rel in [rel for rel in self.spare_rows if rel not in self.wanted]:
            self._unlink_spare(rel)
        self._remove_emptied()
        gone = self._extras()
        live_key = self._key(self.live) if self.live.is_dir() else None
        spare_key = self._key(self.spare)
        same = (not self.clean and not gone and self.written == 0 and live_key is not None
                and all(self._live(rel) is not None for rel in self.wanted))
        recorded_live = self.live_rows  # what the cache holds of the live tree
        if self.cache is not None and self.cache.resets != self._resets:  # thrown away since: it holds nothing
            self.recorded_spare, recorded_live = {}, {}
        if self.cache is not None:
            keep = [live_key] if live_key else []
            self.cache.update_tree(spare_key, self.recorded_spare, self.wanted, keep)
            self.cache.set_dirty(spare_key, False)
        if same:
            if self.cache is not None and live_key is not None:
                self.cache.update_tree(live_key, recorded_live, self.wanted, [spare_key])
            return 0
        if live_key is not None and self.cache is not None:
            # The tree switched out is the next build's spare: what it holds, files unknown to the
            # cache included (all of them after --clean, or with a cache that had no record of it),
            # and those found changed or gone since it was recorded (someone else's doing), with no
            # inode, so that they are replaced or removed: a file written since may have been given
            # the very inode of one deleted, and would pass for it.
            unknown = {rel: FileRow("", "", -1, -1, -1) for rel in self._live_files if rel not in self.live_rows}
            changed = {rel: FileRow("", "", -1, -1, -1) for rel, row in self._verified.items()
                       if row is None and rel in self.live_rows}
            self.cache.update_tree(live_key, recorded_live, {**self.live_rows, **unknown, **changed}, [spare_key])
        if live_key is None:
            self.spare.rename(self.live)
            if self._seed_prefix and self.cache is not None:
                self.seed.rename(self.spare)
                self.cache.update_tree(self._key(self.spare), {}, self.wanted, [spare_key])
        elif not exchange(self.spare, self.live):
            retired = self.out / LEGACY[1].format(name=self.name)
            self.live.rename(retired)
            self.spare.rename(self.live)
            retired.rename(self.spare)
        return len(gone)

    def _remove_emptied(self) -> None:
        """Remove the spare's folders that removing files left empty (deepest first)."""
        for folder in sorted(self._emptied, key=len, reverse=True):
            while folder.startswith(self._spare_prefix):
                try:
                    os.rmdir(folder)
                except OSError:
                    break
                folder = os.path.dirname(folder)
