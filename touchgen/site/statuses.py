"""Whether the files of the live output tree are still as touchgen wrote them: each file's size, time
and inode compared with the cache's row of it (a file someone changed is rendered and written again).

On a big site that is a status call for each of tens of thousands of files (25,500 at 5,000 posts,
70 ms of a rebuild after one edit), each with its whole path looked up, while the build needs none
of them before it has read the content and made the entries. So another Python process, started
at once with nothing but the standard library (this file run as a script), walks the tree on
another core and sends back the status of every file in it; the build takes the answer when it
first asks about a file. (A forked copy of the build process would cost as much as it saves: each
page of memory the build changes afterwards is copied.) A tree of few files, or a process that
cannot be started, and each file is looked at when asked."""

from __future__ import annotations

import marshal
import os
import stat
import subprocess
import sys
import weakref
from collections.abc import Mapping
from typing import Any

MIN_FILES = 2_000  # below this, starting a process (about 10 ms of the other core) is not worth it

Signature = tuple[int, int, int]  # a regular file's size, time and inode


def signature(path: str) -> Signature | None:
    """A regular file's size, time and inode; None for anything else, or nothing."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


def walk(top: str) -> tuple[dict[str, Signature | None], dict[str, tuple[int, int]]]:
    """Every file under `top` (path under it: its signature; None for a link or anything else that
    is neither a folder nor a regular file), found without following links; and every folder (path
    under it, '' for `top` itself: its time and inode)."""
    files: dict[str, Signature | None] = {}
    found = os.lstat(top)
    folders = {"": (found.st_mtime_ns, found.st_ino)}
    pending = [("", top)]
    while pending:
        prefix, path = pending.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                status = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(status.st_mode):
                    folders[prefix + entry.name] = (status.st_mtime_ns, status.st_ino)
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    files[prefix + entry.name] = ((status.st_size, status.st_mtime_ns, status.st_ino)
                                                  if stat.S_ISREG(status.st_mode) else None)
    return files, folders


class Statuses:
    """The signatures of the files under `prefix` (a folder's path ending in '/'), found by another
    process started at once when `rows` (the files the cache knows there) are many."""

    def __init__(self, prefix: str, rows: Mapping[str, Any]) -> None:
        self.prefix = prefix
        self._found: tuple[dict[str, Signature | None], dict[str, tuple[int, int]]] | None = None
        self._process: Any = None
        if len(rows) < MIN_FILES or not sys.executable:
            return
        try:  # -S -E -s: no site packages, environment or user folder: a bare Python starts in milliseconds
            self._process = subprocess.Popen([sys.executable, "-S", "-E", "-s", __file__, prefix],
                                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL)
        except OSError:
            return
        self._done = weakref.finalize(self, _stop, self._process)  # a build that fails before asking

    @property
    def walking(self) -> bool:
        """Whether another process was started to walk the tree (its answer may yet be missing)."""
        return self._process is not None or self._found is not None

    def signature(self, rel: str) -> Signature | None:
        """The signature of the file `rel` (as `signature` gives it)."""
        found = self._found if self._process is None else self._answer()  # asked of every file: no call
        if found is None:
            return signature(self.prefix + rel)
        return found[0].get(rel)

    def listing(self) -> tuple[list[str], dict[str, tuple[int, int]]] | None:
        """Every file of the tree, and its folders' times and inodes; None when the walk gave no
        answer or found a link (the tree is then listed here, which refuses links)."""
        found = self._answer()
        if found is None or None in found[0].values():
            return None
        return list(found[0]), found[1]

    def _answer(self) -> tuple[dict[str, Signature | None], dict[str, tuple[int, int]]] | None:
        if self._process is None:
            return self._found
        process, self._process = self._process, None
        try:
            data = process.stdout.read()
        except OSError:
            data = b""
        code = process.wait()
        self._done()
        if code != 0:
            return None
        try:
            found = marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            return None
        if isinstance(found, tuple) and len(found) == 2 and all(isinstance(part, dict) for part in found):
            self._found = found
        return self._found


def _stop(process: Any) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()


if __name__ == "__main__":  # the walk, in its own process: python statuses.py FOLDER/
    sys.stdout.buffer.write(marshal.dumps(walk(sys.argv[1])))
