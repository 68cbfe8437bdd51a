"""touchgen's own exceptions. Each carries its evidence, says what to do, and knows its exit status."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .text import plural


class TouchgenError(Exception):
    """A problem the user can fix, reported without a traceback (exit status 1)."""

    exit_code = 1


class UsageProblem(TouchgenError):
    """The command was called in a way that cannot work (exit status 2)."""

    exit_code = 2


class LocatedError(TouchgenError):
    """A problem at a file and (when known) a line, row or message: 'path:line: message'."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[LocatedError], tuple[str, int | None, str]]:
        return type(self), (self.path, self.line, self.message)  # raised in a worker, shown by the build


class FrontMatterError(LocatedError):
    """Bad front matter or body in a post or page."""


class ConfigError(LocatedError):
    """touchgen.toml cannot be read or has a wrong value."""


class TemplateError(LocatedError):
    """A template does not parse or fails to render."""


class DuplicateSlugError(TouchgenError):
    """Two posts or pages would be written to the same place."""

    def __init__(self, slug: str, paths: list[str]) -> None:
        self.slug = slug
        self.paths = paths
        super().__init__(
            f"{paths[0]}: slug '{slug}' is also used by {', '.join(paths[1:])} "
            "(give one of them another slug: in its front matter or file name)"
        )


class ManyErrors(TouchgenError):
    """Every problem found in one pass, and one closing line; nothing was written."""

    def __init__(self, errors: Sequence[TouchgenError], summary: str, warnings: Sequence[str] = ()) -> None:
        self.errors = list(errors)
        self.warnings = list(warnings)
        super().__init__(summary)


class BuildErrors(ManyErrors):
    """Every problem of a build or check, with the warnings seen on the way; nothing was written."""

    def __init__(self, errors: Sequence[TouchgenError], warnings: Sequence[str] = ()) -> None:
        super().__init__(errors, f"{plural(len(errors), 'problem')} found; nothing was written", warnings)


def invalid_rows(bad: Sequence[LocatedError], hint: str = "") -> ManyErrors:
    """Every bad row of an import file: nothing of that file is imported."""
    return ManyErrors(bad, f"{plural(len(bad), 'invalid row')}; nothing was imported{hint}")


class SendError(TouchgenError):
    """A post cannot be sent as asked, or the SMTP server stops the run."""


def from_os_error(exc: OSError, where: str | None = None) -> TouchgenError:
    """A file-system fault (full disk, read-only folder, no permission) as what, where (`where`, else the
    file the system names) and what to do."""
    import errno

    if exc.errno == errno.EPIPE and not (where or exc.filename):
        return TouchgenError("the program reading touchgen's output (such as `| head`) closed it before the "
                             "last line; what was done is done: run the command without it to read everything")
    where = where or exc.filename or "a file"
    hints = {
        errno.ENOSPC: "the disk is full: free some space, then run the command again (nothing was half-written)",
        errno.EDQUOT: "the disk quota is used up: free some space, then run the command again",
        errno.EROFS: "the file system is read-only: use a writable folder",
        errno.EACCES: "permission denied: check the permissions of that file or folder",
        errno.EPERM: "not permitted: check the permissions of that file or folder",
        errno.ENOENT: "no such file or folder: check the path",
        errno.ENOTDIR: "a file stands where a folder should be: move it away",
        errno.EISDIR: "a folder stands where a file should be: move it away",
    }
    return LocatedError(where, None, hints.get(exc.errno or 0, f"{exc.strerror or exc} (check the file and the disk)"))
