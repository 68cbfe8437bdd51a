"""Reading and writing files the way every part of touchgen does: located errors, atomic changes."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import LocatedError

TEMPORARY_SUFFIX = ".touchgen-tmp"


def read_utf8(path: Path, shown: Path | str, hint: str, bom: bool = False) -> str:
    """The file as text; a LocatedError naming the line of the first byte that is not UTF-8.
    With `bom`, a UTF-8 byte order mark is dropped (spreadsheet exports write one)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise unreadable(shown, exc) from None
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LocatedError(shown, line, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x}); {hint}") from None


def unreadable(shown: Path | str, exc: OSError | None = None) -> LocatedError:
    """A file or folder this user may not read: never skipped, always said."""
    reason = (exc.strerror or str(exc)).lower() if exc else "permission denied"
    return LocatedError(shown, None, f"cannot be read ({reason}); make it readable for you")


def check_readable(folder: Path, shown: Callable[[Path], str]) -> None:
    """Raise for the first folder or file under `folder` (itself included) this user may not read:
    a listing of files would skip it without a word. Links are not followed."""
    if not folder.is_dir():
        return
    if not os.access(folder, os.R_OK | os.X_OK):
        raise unreadable(shown(folder))
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames):
            if not os.access(Path(dirpath) / name, os.R_OK | os.X_OK) and not (Path(dirpath) / name).is_symlink():
                raise unreadable(shown(Path(dirpath) / name))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not path.is_symlink() and not os.access(path, os.R_OK):
                raise unreadable(shown(path))


def parse_toml(text: str, shown: Path | str) -> dict[str, Any]:
    """TOML text as a dict; a LocatedError naming the line of a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise LocatedError(shown, line, f"invalid TOML: {reason} (check quotes, brackets and '=' on this line)") from None


def temporary_beside(path: Path) -> Path:
    """A hidden name next to `path` for what becomes `path` by one rename."""
    return path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` by one rename: a reader sees the old file or the new one, never half,
    and a failed write (a full disk) leaves the old file and no temporary one."""
    temporary = temporary_beside(path)
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        # name the folder that refused a new file, or the file that could not be written whole
        exc.filename = str(path.parent) if exc.filename == str(temporary) else exc.filename or str(path)
        raise


def remove(path: Path) -> None:
    """Remove a file, a link or a whole folder; nothing when it is not there."""
    if path.is_dir() and not path.is_symlink():
        import shutil  # here: it imports zlib, bz2 and lzma, which a command that only reads settings never needs

        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def replace_folder(staging: Path, target: Path) -> None:
    """Put the complete folder `staging` where `target` is (removing the old one)."""
    remove(target)
    staging.rename(target)


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """A fresh hidden folder beside `target` to build its next version in, put in place whole when the
    block ends; when the block fails (a full disk), the folder is removed and `target` left as it was."""
    staging = temporary_beside(target)
    try:
        remove(staging)
        staging.mkdir(parents=True)
        yield staging
    except BaseException as exc:
        with contextlib.suppress(OSError):
            remove(staging)
        if isinstance(exc, OSError):  # name the folder that refused the staging, else the one being replaced
            named = str(exc.filename or "")
            exc.filename = str(staging.parent) if named == str(staging) else (
                str(target) if not named or named.startswith(str(staging)) else named)
        raise
    replace_folder(staging, target)


def fresh_staging(target: Path) -> Path:
    """An empty hidden folder beside `target` to build its next version in."""
    staging = temporary_beside(target)
    remove(staging)
    staging.mkdir(parents=True)
    return staging


@functools.cache
def _renameat2() -> Any:
    """Linux's renameat2 from the C library the process already has (else libc.so.6), or None where
    there is none. Not through ctypes.util.find_library, which runs ldconfig in another process (a
    few milliseconds of every build) to find the same library."""
    import ctypes

    for name in (None, "libc.so.6"):
        try:
            function = ctypes.CDLL(name, use_errno=True).renameat2
            break
        except (OSError, AttributeError):
            continue
    else:
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


AT_FDCWD = -100
RENAME_EXCHANGE = 2


def exchange(staging: Path, target: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so that `target` is always a
    complete tree; False where the system cannot, and the caller renames twice instead."""
    function = _renameat2()
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(staging), AT_FDCWD, os.fsencode(target), RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not on this file system
        return False
    raise OSError(error, os.strerror(error), str(target))
