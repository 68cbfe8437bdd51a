"""The build cache, output/.cache/cache.db: what earlier builds rendered, so a rebuild does only the
work that changed. Derived like the rest of output/: deleting it gives a cold build, and a cache
that cannot be read (garbage, a truncated file, another version's) is thrown away and rebuilt,
never an error. Everything in it is keyed by a hash of what it was made from."""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from .filerows import FileRow, changed_rows, marshalled, packed, unmarshalled, unpacked

CACHE_FILE = "cache.db"
SCHEMA = 15
SLACK = 64  # a tree's record keeps the changes since its base until they are an eighth of it, and this many more
STAMP = f"touchgen {__version__} cache {SCHEMA}"  # a cache with another stamp is foreign: thrown away
NO_CHANGES = packed({})  # a tree's changes when files were only removed


RACY_NS = 2_000_000_000  # a file changed this close to a build may change again with the same size and times
FINE_RACY_NS = 100_000_000  # the same where times have fractions of a second: such clocks tick every 10 ms at most


def trusted_before(fine: bool = False) -> int:
    """Files last changed before this time (ns) may be known by their status (size, times, inode):
    one changed later may be saved again within the same tick of the file system's clock (up to two
    seconds; with `fine`, for a time that has a fraction of a second (see fine_time), a tenth of one)."""
    return time.time_ns() - (FINE_RACY_NS if fine else RACY_NS)


def fine_time(mtime_ns: int) -> bool:
    """Whether a file's time has a fraction of a second: its file system keeps times finer than
    seconds (ext4, XFS, APFS, NTFS), not whole or even seconds (ext3, FAT, some network shares)."""
    return mtime_ns % 1_000_000_000 != 0


def status_of(found: os.stat_result) -> str:
    """What a file's status says of its content: changed content changes one of these."""
    return f"{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}:{found.st_dev}"


def digest(*parts: str | bytes) -> str:
    """SHA-256 of `parts`, each length-prefixed so that no two lists of parts hash alike."""
    hasher = hashlib.sha256()
    _feed(hasher, parts)
    return hasher.hexdigest()


def digest_after(*parts: str | bytes) -> Callable[..., str]:
    """`digest(*parts, *more)` as a function of `more`: the parts all keys share (a build's settings,
    a template) are hashed once for thousands of keys."""
    start = hashlib.sha256()
    _feed(start, parts)

    def finish(*more: str | bytes) -> str:
        hasher = start.copy()
        _feed(hasher, more)
        return hasher.hexdigest()

    return finish


def _feed(hasher: Any, parts: tuple[str | bytes, ...]) -> None:
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)


def _references(data: bytes | None) -> tuple[tuple[str, str], ...] | None:
    """A rendering's links and images as store_markdown kept them (marshalled: thousands are read at
    once); None, to be found again in the HTML, when there are none kept or they cannot be read."""
    found = unmarshalled(data) if data is not None else None
    return found if isinstance(found, tuple) else None


class Rendered:
    """A post's or page's markdown as the site shows it. One from the cache reads its HTML only when
    something uses it: a rebuild renders a few pages, and a big site's HTML is many megabytes."""

    __slots__ = ("_html", "_load", "summary", "minutes", "references")

    def __init__(self, html: str | None, summary: str, minutes: int,
                 references: tuple[tuple[str, str], ...] | None = None,
                 load: Callable[[], str] | None = None) -> None:
        self._html, self._load = html, load
        self.summary = summary  # the summary as text: the front matter's, rendered, else the first paragraph
        self.minutes = minutes  # reading time
        self.references = references  # ('href' or 'src', value) of every link and image, once found

    @property
    def html(self) -> str:
        if self._html is None:
            assert self._load is not None, "a rendering without HTML must say where to read it"
            self._html = self._load()
        return self._html

    def __reduce__(self) -> tuple[Any, ...]:  # to and from worker processes: with the HTML
        return Rendered, (self.html, self.summary, self.minutes, self.references)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rendered) and (self.html, self.summary, self.minutes, self.references) == \
            (other.html, other.summary, other.minutes, other.references)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rendered({self.html!r}, {self.summary!r}, {self.minutes!r}, {self.references!r})"


# A rendering's HTML is kept apart: every build reads the summary, reading time and links of every post,
# the HTML of those it renders only; in one row, SQLite read the pages the HTML filled to reach the
# columns after it (12 MB a build at 1,000 posts), and a page of the table held a few rows, not hundreds.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS markdown (key TEXT PRIMARY KEY, summary TEXT NOT NULL, minutes INTEGER NOT NULL,
                                     refs BLOB);
CREATE TABLE IF NOT EXISTS markdown_html (key TEXT PRIMARY KEY, html TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trees (tree TEXT PRIMARY KEY, files BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tree_changes (tree TEXT PRIMARY KEY, changes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS templates (key TEXT PRIMARY KEY, checksum TEXT NOT NULL, code BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, status TEXT NOT NULL, sha256 TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (path TEXT PRIMARY KEY, status TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


class Cache:
    """The cache of one site's output/. Every read that fails finds nothing; every failure resets it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder.absolute() / CACHE_FILE  # absolute: other threads open it by a file: URI
        self.db: sqlite3.Connection | None = None
        self.reset_reason = ""
        self.resets = 0  # how often it was thrown away: what was read from it before may be gone
        self._owner = threading.get_ident()  # the connection's thread; others read through their own
        self._readers = threading.local()
        self._reader_dbs: list[sqlite3.Connection] = []  # what other threads opened, to close with the cache
        self._bases: dict[str, dict[str, FileRow]] = {}  # a tree's files as its record's base holds them (see tree)
        self._read_bases: list[tuple[bytes, dict[str, FileRow]]] = []  # see _unpacked_base
        try:
            self._open()
        except (sqlite3.DatabaseError, ValueError, OSError) as exc:
            self.reset(str(exc))

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")  # a cache: a torn write is found and thrown away
        found = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if not found:
            self.db.executescript(SCHEMA_SQL)
            self.db.execute("INSERT INTO meta VALUES ('stamp', ?)", (STAMP,))
            return
        stamp = self.db.execute("SELECT value FROM meta WHERE name = 'stamp'").fetchone()
        if stamp is None or stamp[0] != STAMP:
            raise ValueError(f"a cache of {stamp[0] if stamp else 'something else'}")

    def reset(self, reason: str) -> None:
        """Throw the cache away and start an empty one (a build then does all the work)."""
        self.reset_reason = reason
        self.resets += 1
        self._bases.clear()
        self._read_bases = []
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                self.path.with_name(CACHE_FILE + suffix).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                return
        try:
            self._open()
        except (sqlite3.DatabaseError, ValueError, OSError):
            self.db = None  # no cache at all: every lookup misses

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection | None]:
        """The connection, or None; a damaged file found on the way resets the cache."""
        try:
            yield self.db
        except sqlite3.ProgrammingError:  # touchgen's mistake, not a damaged file: said, not hidden
            raise
        except sqlite3.DatabaseError as exc:
            self.reset(str(exc))

    # --- markdown -----------------------------------------------------------------------------

    def markdown(self, keys: Iterable[str], otherwise: Callable[[str], str]) -> dict[str, Rendered]:
        """The renderings of `keys` the cache has, each reading its HTML when first used (or, should
        the cache have lost it by then, getting it from `otherwise(key)`)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Rendered] = {}
        with self._guard() as db:
            if db is None:
                return found
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = db.execute(f"SELECT key, summary, minutes, refs FROM markdown WHERE key IN "
                                  f"({','.join('?' * len(chunk))})", chunk)
                for key, summary, minutes, refs in rows:
                    found[key] = Rendered(None, summary, minutes, _references(refs),
                                          functools.partial(self._html, key, otherwise))
        return found

    def _html(self, key: str, otherwise: Callable[[str], str]) -> str:
        """The HTML of `key` (else otherwise(key))."""
        found = self._one("SELECT html FROM markdown_html WHERE key = ?", key)
        return found if found is not None else otherwise(key)

    def _one(self, query: str, key: str) -> str | None:
        """The one value `query` finds for `key`, asked for on any thread (a worker pool's sends entries
        from its own); None when there is none."""
        row = None  # also when the cache is found damaged on the way (and reset)
        if threading.get_ident() == self._owner:
            with self._guard() as db:
                row = db.execute(query, (key,)).fetchone() if db else None
        else:
            try:
                if getattr(self._readers, "db", None) is None:
                    self._readers.db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                                       check_same_thread=False)  # closed by close()
                    self._reader_dbs.append(self._readers.db)
                row = self._readers.db.execute(query, (key,)).fetchone()
            except sqlite3.Error:
                row = None
        return str(row[0]) if row is not None else None

    def store_markdown(self, rendered: dict[str, Rendered], keep: Iterable[str]) -> None:
        """Add `rendered`; forget every entry not in `keep` (what the site no longer has)."""
        keep = set(keep)
        with self._guard() as db:
            if db is None:
                return
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO markdown VALUES (?, ?, ?, ?)",
                               [(key, r.summary, r.minutes,
                                 None if r.references is None else marshal.dumps(r.references))
                                for key, r in rendered.items()])
                db.executemany("INSERT OR REPLACE INTO markdown_html VALUES (?, ?)",
                               [(key, r.html) for key, r in rendered.items()])
                stale = [(key,) for (key,) in db.execute("SELECT key FROM markdown") if key not in keep]
                db.executemany("DELETE FROM markdown WHERE key = ?", stale)
                db.executemany("DELETE FROM markdown_html WHERE key = ?", stale)

    # --- posts and pages as read -------------------------------------------------------------

    def documents(self) -> dict[str, tuple[str, bytes]]:
        """source -> (the file's status when it was read, the document as content.Known marshalled it)."""
        return self._pairs("documents")

    def store_documents(self, read: dict[str, tuple[str, bytes]], keep: Iterable[str]) -> None:
        """Add what was read; forget every source not in `keep` (what the site no longer has)."""
        self._store_by_status("documents", read, keep)

    def body(self, digest: str) -> str | None:
        """The markdown body of the document whose file hashes to `digest` (see store_bodies)."""
        return self._one("SELECT body FROM bodies WHERE digest = ?", digest)

    def store_bodies(self, bodies: dict[str, str], keep: Iterable[str]) -> None:
        """Add the bodies of documents read (by their digest); forget those of every other document."""
        self._replace_rows("bodies", "digest", list(bodies.items()), keep)

    def inputs(self) -> dict[str, tuple[str, str]]:
        """path -> (the file's status when it was read, the SHA-256 of its content)."""
        return self._pairs("inputs")

    def store_inputs(self, read: dict[str, tuple[str, str]], keep: Iterable[str]) -> None:
        self._store_by_status("inputs", read, keep)

    def _pairs(self, table: str) -> dict[str, Any]:
        """A table of three columns as first -> (second, third)."""
        with self._guard() as db:
            if db is None:
                return {}
            return {first: (second, third) for first, second, third in db.execute(f"SELECT * FROM {table}")}
        return {}

    def _store_by_status(self, table: str, read: Mapping[str, tuple[str, str | bytes]], keep: Iterable[str]) -> None:
        self._replace_rows(table, "path", [(path, status, data) for path, (status, data) in read.items()], keep)

    def _replace_rows(self, table: str, column: str, rows: list[tuple[Any, ...]], keep: Iterable[str]) -> None:
        """Add or replace `rows` of `table` (its first column is `column`, the key); delete every row
        whose key is not in `keep`. One transaction, none when there is nothing to do."""
        keep = set(keep)
        with self._guard() as db:
            if db is None:
                return
            stale = [(key,) for (key,) in db.execute(f"SELECT {column} FROM {table}") if key not in keep]
            if not rows and not stale:
                return
            with db:
                db.execute("BEGIN")
                if rows:
                    db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", stale)

    # --- compiled templates ------------------------------------------------------------------

    def templates(self) -> dict[str, tuple[str, bytes]]:
        """Jinja's compiled templates: key -> (the source's checksum, marshalled code)."""
        return self._pairs("templates")

    def store_templates(self, compiled: dict[str, tuple[str, bytes]]) -> None:
        """Keep exactly `compiled` (a few dozen templates at most)."""
        if compiled == self.templates():
            return
        with self._guard() as db:
            if db is None:
                return
            with db:
                db.execute("BEGIN")
                db.execute("DELETE FROM templates")
                db.executemany("INSERT INTO templates VALUES (?, ?, ?)",
                               [(key, checksum, code) for key, (checksum, code) in compiled.items()])

    # --- built trees --------------------------------------------------------------------------

    def tree(self, tree: str) -> dict[str, FileRow]:
        """The files recorded of `tree` (nothing, when its record cannot be read). A record is a base
        (every file, as _packed) and the changes since (the files that differ, and those gone): a
        rebuild that changes a few files of tens of thousands writes only those (update_tree)."""
        with self._guard() as db:
            if db is None:
                return {}
            row = db.execute("SELECT files, (SELECT changes FROM tree_changes WHERE tree_changes.tree = trees.tree) "
                             "FROM trees WHERE tree = ?", (tree,)).fetchone()
            if row is None:
                return {}
            base = self._unpacked_base(row[0])
            if row[1] is None:
                self._bases[tree] = base
                return dict(base)
            found = unmarshalled(row[1])
            if not (isinstance(found, tuple) and len(found) == 2):
                return {}
            changed, gone = found
            changes = unpacked(changed) if isinstance(changed, bytes) else {}
            if not base or not isinstance(gone, list) or not ({*map(type, gone)} <= {str}) or (
                    changed and not changes and changed != NO_CHANGES):  # only files gone: no changes, yet readable
                return {}
            self._bases[tree] = base
            files = {**base, **changes}
            for path in gone:
                files.pop(path, None)
            return files
        return {}

    def _unpacked_base(self, data: bytes) -> dict[str, FileRow]:
        """unpacked(data), read once for the trees whose records share a base (a live tree and its
        spare mostly do: both are recorded from the build that wrote every file). Never changed."""
        for known, files in self._read_bases:
            if known == data:
                return files
        files = unpacked(data)
        self._read_bases = [(data, files), *self._read_bases[:1]]
        return files

    def forget_tree(self, tree: str) -> None:
        self._bases.pop(tree, None)
        with self._guard() as db:
            if db is not None:
                db.execute("DELETE FROM trees WHERE tree = ?", (tree,))
                db.execute("DELETE FROM tree_changes WHERE tree = ?", (tree,))

    def dirty(self, tree: str) -> bool:
        """Whether `tree` was being changed by a build that did not finish (its rows are not to be trusted)."""
        return bool(self.get(f"dirty {tree}"))

    def set_dirty(self, tree: str, dirty: bool) -> None:
        self.put(f"dirty {tree}", dirty or None)

    def update_tree(self, tree: str, old: dict[str, FileRow], new: dict[str, FileRow], keep: Iterable[str]) -> None:
        """Record `tree` as `new` (unless that is `old`, what is recorded now); forget every other tree
        of the same folder but those in `keep`."""
        kept = {tree, *keep}
        name = tree.split(":")[0]
        with self._guard() as db:
            if db is None:
                return
            with db:
                db.execute("BEGIN")
                base = self._bases.get(tree)
                if new == old:
                    pass
                elif base is not None and len(changes := changed_rows(base, new)) < len(new) // 8 + SLACK:
                    gone = list(base.keys() - new.keys())  # (the changes apart: a row is rewritten whole)
                    db.execute("INSERT OR REPLACE INTO tree_changes VALUES (?, ?)",
                               (tree, marshal.dumps((packed(changes), gone))))
                else:
                    db.execute("INSERT OR REPLACE INTO trees VALUES (?, ?)", (tree, packed(new)))
                    db.execute("DELETE FROM tree_changes WHERE tree = ?", (tree,))
                    self._bases[tree] = new
                for (other,) in db.execute("SELECT tree FROM trees WHERE tree > ? AND tree < ?",
                                           (f"{name}:", f"{name};")).fetchall():
                    if other not in kept:
                        db.execute("DELETE FROM trees WHERE tree = ?", (other,))
                        db.execute("DELETE FROM tree_changes WHERE tree = ?", (other,))
                        self._bases.pop(other, None)

    # --- the last build -----------------------------------------------------------------------

    def get(self, name: str) -> Any:
        """The value put as `name`; None when there is none (or it cannot be read)."""
        with self._guard() as db:
            if db is None:
                return None
            row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
            return unmarshalled(row[0]) if row else None
        return None

    def put(self, name: str, value: Any) -> None:
        """Set `name` to `value` (of dicts, lists, plain strings and numbers), or remove it. Marshalled, not
        JSON: the records of a tree's 10,000 folders are read and written each build in a third of the time."""
        data = marshalled(value)
        with self._guard() as db:
            if db is not None and data is None:
                db.execute("DELETE FROM meta WHERE name = ?", (name,))
            elif db is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, data))

    def close(self) -> None:
        for reader in self._reader_dbs:  # else SQLite leaves cache.db-wal and -shm behind
            try:
                reader.close()
            except sqlite3.Error:
                pass
        self._reader_dbs.clear()
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None
