"""What goes wrong with the store's file on the disk, said as what to do: a read-only file or folder,
a full disk, a damaged file. Only a damaged file is a reason to restore a backup."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# SQLite's primary result codes that a user can do something about.
SQLITE_BUSY, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    5, 8, 10, 11, 13, 14, 26)
NOTHING_CHANGED = "(nothing was changed)"


def not_writable(path: Path, shown: str) -> str | None:
    """Why the store at `path` cannot be written by this user, naming the file or folder to change; None
    when it can. SQLite writes a -wal and a -shm file beside the store, so those and the folder count."""
    folder = f"{Path(shown).parent.as_posix()}/"
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = path.with_name(path.name + suffix)
        if not part.exists():
            continue
        if not os.access(part, os.R_OK):
            return f"{shown}{suffix}: cannot be read: make it readable and writable for you {NOTHING_CHANGED}"
        if not os.access(part, os.W_OK):
            return (f"{shown}{suffix}: is read-only, and touchgen writes every change to the store: make it "
                    f"writable for you {NOTHING_CHANGED}")
    if path.parent.exists() and not os.access(path.parent, os.W_OK | os.X_OK):
        return (f"{shown}: its folder {folder} is read-only, and the store writes its journal beside it: make "
                f"{folder} writable for you {NOTHING_CHANGED}")
    return None


def sqlite_fault(path: Path, shown: str, exc: sqlite3.Error) -> str | None:
    """What an SQLite error means for the store at `path` and what to do; None for an error that is a
    fault in touchgen itself."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    folder = f"{Path(shown).parent.as_posix()}/"
    blocked = not_writable(path, shown)
    if code & 0xFF == SQLITE_READONLY and blocked:
        return blocked
    said = {
        SQLITE_FULL: "the disk is full; nothing was changed (the store is as it was before this command): free some "
                     "space and run the command again",
        SQLITE_READONLY: f"is read-only (or is on a read-only disk), and touchgen writes every change there: make "
                         f"it and {folder} writable for you {NOTHING_CHANGED}",
        SQLITE_CANTOPEN: f"cannot be opened for reading and writing: make it and its folder {folder} readable and "
                         f"writable for you {NOTHING_CHANGED}",
        SQLITE_IOERR: f"the disk reported an error ({exc}); nothing was changed: check the disk, then run the "
                      "command again",
        SQLITE_BUSY: "is busy: another touchgen command has held it for over a minute; run this one again when that "
                     f"one has finished {NOTHING_CHANGED}",
        SQLITE_CORRUPT: f"is damaged ({exc}); restore it from a backup",
        SQLITE_NOTADB: f"cannot be opened as a touchgen store ({exc}); restore it from a backup or move it away",
    }.get(code & 0xFF)
    return f"{shown}: {said}" if said else None
