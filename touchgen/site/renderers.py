"""What shapes the output besides the site's files: Python-Markdown's extensions with their settings,
and the libraries installed, each told by the status of its first file rather than by its version
(a version would take importing the library, or importlib.metadata, which reads every installed
package's metadata; installing another version writes new files). A build that renders no
markdown in its own process does not import Python-Markdown or Pygments for its keys."""

from __future__ import annotations

import functools
import os
from importlib.util import find_spec
from typing import Any

from .cache import status_of

EXTENSIONS = ["tables", "footnotes", "fenced_code", "codehilite", "toc", "smarty", "sane_lists"]
LIBRARIES = ("jinja2", "mjml", "markupsafe")  # what renders pages and emails (markdown_settings: markdown's)
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
}


def installed(*names: str) -> str:
    """The installed packages `names`, each by the status of its first file ('?' when not found)."""
    found = []
    for name in names:
        spec = find_spec(name)  # a top-level package is found without being imported
        try:
            status = status_of(os.stat(spec.origin)) if spec is not None and spec.origin else "?"
        except OSError:
            status = "?"
        found.append(f"{name} {status}")
    return ", ".join(found)


@functools.cache
def markdown_settings() -> str:
    """Everything besides the text that shapes markdown's HTML: part of the key of every cached rendering."""
    return repr((installed("markdown", "pygments"), EXTENSIONS, EXTENSION_CONFIGS))
