"""touchgen's own exceptions. Each carries its evidence and says what to do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class TouchgenError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""


class LocatedError(TouchgenError):
    """A problem at a file and (when known) a line: 'path:line: message'."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


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


class UsageProblem(TouchgenError):
    """The command was called in a way that cannot work (exit status 2)."""


class ManyErrors(TouchgenError):
    """Every problem found in one pass, and one closing line; nothing was written."""

    def __init__(self, errors: Sequence[TouchgenError], summary: str) -> None:
        self.errors = list(errors)
        super().__init__(summary)


class BuildErrors(ManyErrors):
    """Every problem of a build or check; nothing was written."""

    def __init__(self, errors: list[TouchgenError]) -> None:
        count = len(errors)
        super().__init__(errors, f"{count} problem{'s' if count != 1 else ''} found; nothing was written")


class ImportRowError(LocatedError):
    """A row of an import file that cannot be imported."""
