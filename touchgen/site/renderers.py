"""What shapes the output besides the site's files: Python-Markdown's extensions with their settings,
and the libraries installed, each told by its first file (path, size, time, inode) rather than by its
version (a version would take importing the library, or importlib.metadata, which reads every
installed package's metadata; installing another version writes new files). A build that renders no
markdown in its own process does not import Python-Markdown or Pygments for its keys."""

from __future__ import annotations

import functools
import importlib
import os
from importlib.util import find_spec
from typing import Any


EXTENSIONS = ["tables", "footnotes", "fenced_code", "codehilite", "toc", "smarty", "sane_lists"]
LIBRARIES = ("jinja2", "mjml", "markupsafe")  # what renders pages and emails (markdown_settings: markdown's)
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
}


def installed(*names: str) -> str:
    """The installed packages `names`, each by the path, size, time and inode of its first file. Not
    its ctime: that changes when another environment hard-links the same file (uv installs so), and
    would render everything again. A package found but not as a file (in a zip) by its version."""
    found = []
    for name in names:
        spec = find_spec(name)  # a top-level package is found without being imported
        try:
            if spec is None or not spec.origin:
                raise OSError(name)
            status = os.stat(spec.origin)
            found.append(f"{name} {spec.origin}:{status.st_size}:{status.st_mtime_ns}:{status.st_ino}")
        except OSError:
            found.append(f"{name} {_version(name)}")
    return ", ".join(found)


def _version(name: str) -> str:
    try:
        return str(getattr(importlib.import_module(name), "__version__", "?"))
    except Exception:  # noqa: BLE001 (not importable: the build says so when it needs it)
        return "?"


@functools.cache
def libraries() -> str:
    """The libraries that render pages and emails as installed: part of every page's and email's key,
    and of what the nothing-changed check reads (worked out once for both)."""
    return installed(*LIBRARIES)


@functools.cache
def markdown_settings() -> str:
    """Everything besides the text that shapes markdown's HTML: part of the key of every cached rendering."""
    return repr((installed("markdown", "pygments"), EXTENSIONS, EXTENSION_CONFIGS))
