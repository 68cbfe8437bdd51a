"""What the build cache records of an output tree: each file's key, hash and status (FileRow), and
a tree's files as one marshalled value, a list for each field (tens of thousands of them are read
back many times faster than rows of a table); and the reading of any value the cache keeps
marshalled (unmarshalled)."""

from __future__ import annotations

import functools
import marshal
from typing import Any, NamedTuple


class FileRow(NamedTuple):
    """One file of a built tree: the key of what it shows, its content's hash, and how it looked on
    disk when written (a file whose size, time or inode differs has been changed by someone else)."""

    key: str
    sha256: str
    size: int
    mtime_ns: int
    ino: int


def unmarshalled(data: Any) -> Any:
    """What marshal.dumps made of a value the build cache keeps; None for anything else (a damaged
    or foreign cache: what the caller then finds is not the shape it checks for)."""
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError, MemoryError):  # MemoryError: a damaged length
        return None


def marshalled(value: Any) -> bytes | None:
    """marshal.dumps(value) for the build cache; None for None, and for a value marshal cannot hold
    (a str subclass, such as Markup): the cache then does not keep it."""
    try:
        return None if value is None else marshal.dumps(value)
    except ValueError:
        return None


def packed(files: dict[str, FileRow]) -> bytes:
    """A tree's files as one marshalled value: a list of paths, and a list for each field."""
    fields: list[list[Any]] = [list(column) for column in zip(*files.values())] if files else [[] for _ in FileRow._fields]
    return marshal.dumps((list(files), *fields))


def changed_rows(base: dict[str, FileRow], new: dict[str, FileRow]) -> dict[str, FileRow]:
    """The rows of `new` that `base` has not (in a third of the time of a difference of their items,
    which hashes every row)."""
    found = base.get
    return {rel: row for rel, row in new.items() if found(rel) != row}


def unpacked(data: bytes) -> dict[str, FileRow]:
    """What packed made; nothing, for anything else."""
    found = unmarshalled(data)
    if not (isinstance(found, tuple) and len(found) == 1 + len(FileRow._fields)
            and all(isinstance(column, list) and len(column) == len(found[0]) for column in found)):
        return {}
    paths, keys, hashes, sizes, times, inodes = found
    if not ({*map(type, paths), *map(type, keys), *map(type, hashes)} <= {str}
            and {*map(type, sizes), *map(type, times), *map(type, inodes)} <= {int}):
        return {}
    return dict(zip(paths, map(functools.partial(tuple.__new__, FileRow), zip(keys, hashes, sizes, times, inodes))))
