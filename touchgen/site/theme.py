"""Templates: the default theme inside the package, overridden file by file by a site's templates/."""

from __future__ import annotations

import marshal
import os
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2

from ..errors import LocatedError, TemplateError
from ..files import check_readable

from ..paths import TEMPLATES, default_theme
from .filerows import unmarshalled

DEFAULT_THEME = default_theme()


def _autoescape(name: str | None) -> bool:
    return bool(name) and not str(name).endswith(".txt")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, keyed by file (tracebacks name it) and
    checked against the source: a rebuild (serve, or many builds in one process) compiles only a
    template that changed. The build cache keeps them between builds (see used_now and add). The oldest
    go first past LIMIT, so many sites in one process stay small."""

    LIMIT = 256

    def __init__(self) -> None:
        self.compiled: dict[str, tuple[str, bytes]] = {}  # key -> (the source's checksum, marshalled code)
        self.used: set[str] = set()  # since add(): what one build used

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.used.add(bucket.key)
        found = self.compiled.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            code = unmarshalled(found[1])
            if isinstance(code, types.CodeType):
                bucket.code = code
            else:  # from a damaged cache: compiled again
                del self.compiled[bucket.key]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled.pop(bucket.key, None)
        self.compiled[bucket.key] = (bucket.checksum, marshal.dumps(bucket.code))
        while len(self.compiled) > self.LIMIT:
            del self.compiled[next(iter(self.compiled))]

    def used_now(self) -> dict[str, tuple[str, bytes]]:
        """The compiled templates used since add()."""
        return {key: self.compiled[key] for key in self.used if key in self.compiled}

    def add(self, compiled: dict[str, tuple[str, bytes]]) -> None:
        """Templates compiled by an earlier process (from the build cache)."""
        self.used = set()
        for key, value in compiled.items():
            self.compiled.setdefault(key, value)


COMPILED = _CompiledTemplates()


class Theme:
    """Finds templates and static files, site's own first, and renders with located errors."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folders = [root / TEMPLATES, DEFAULT_THEME]
        own = root / TEMPLATES
        try:  # a template that cannot be read would quietly give way to the default theme's
            check_readable(own, lambda path: path.relative_to(root).as_posix())
        except LocatedError as exc:
            raise TemplateError(exc.path, None, exc.message) from None
        inside = root.resolve()
        for path in sorted(own.rglob("*")) if own.is_dir() else []:
            if path.is_symlink() and not path.resolve().is_relative_to(inside):
                raise TemplateError(path.relative_to(root).as_posix(), None,
                                    "links outside the site; touchgen reads only what is in the site (copy it in)")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(folder) for folder in self.folders]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=COMPILED,
        )

    def shown(self, filename: str | None, name: str | None = None) -> str:
        """A template's path for messages: relative to the site, or marked as the default theme."""
        if not filename and name and Path(name).is_absolute():
            filename = name  # some syntax errors give the file's path as the name
        if not filename:
            return f"templates/{name}"
        path = Path(filename).resolve()
        try:
            return path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return f"{path.relative_to(DEFAULT_THEME.resolve()).as_posix()} (default theme)"

    def filename(self, name: str) -> str | None:
        """The file a template name resolves to (the site's own first)."""
        for folder in self.folders:
            if (folder / name).is_file():
                return str(folder / name)
        return None

    def render(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                self.shown(exc.filename, exc.name), exc.lineno,
                f"template syntax error: {exc.message} (fix the template)",
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"templates/{exc.name}", None, "template not found (restore it or remove what includes it)") from None
        except UnicodeDecodeError:
            raise TemplateError(self.shown(self.filename(name), name), None,
                                "is not valid UTF-8; save the template as UTF-8") from None
        except RecursionError:
            raise TemplateError(self.shown(self.filename(name), name), None,
                                "calls itself without end (a macro or an extends that comes back to itself); "
                                "fix the template") from None
        except (jinja2.UndefinedError, jinja2.TemplateRuntimeError, TypeError, ValueError, ArithmeticError,
                LookupError) as exc:
            filename, line = self._template_frame(exc)
            raise TemplateError(
                self.shown(filename, name), line,
                f"{exc} (fix the variable name in the template; see the README for the variables each template gets)",
            ) from None

    def _template_frame(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The innermost traceback frame that is a template file: where the error is."""
        found: tuple[str | None, int | None] = (None, None)
        folders = tuple(str(folder.resolve()) for folder in self.folders)
        tb = exc.__traceback__
        while tb is not None:
            filename = os.path.abspath(tb.tb_frame.f_code.co_filename)
            if filename.startswith(folders):
                found = (filename, tb.tb_lineno)
            tb = tb.tb_next
        return found

    def static_files(self, kind: str = "static") -> Iterator[tuple[str, Path]]:
        """(relative path, source file) of every file under templates/<kind>/ (static: the theme's styles;
        root: its favicons), site's own winning over the theme's."""
        seen: set[str] = set()
        for folder in self.folders:
            static = folder / kind
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                rel = path.relative_to(static).as_posix()
                if path.is_file() and rel not in seen:
                    seen.add(rel)
                    yield rel, path
