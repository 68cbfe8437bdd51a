"""Internal links and images checked at build time, as Hugo's ref does: a post or page that points at
a page, an image or a file the site does not have gets a warning naming its file and line."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Container
from urllib.parse import unquote, urlsplit

from ..config import Settings
from .pages import Entry, Site

REFERENCE_RE = re.compile(r'\s(href|src)="([^"]*)"')


def references_in(body_html: str) -> tuple[tuple[str, str], ...]:
    """('href' or 'src', the value as written) of every link and image in `body_html`."""
    return tuple(REFERENCE_RE.findall(body_html))


def target_of(settings: Settings, entry: Entry, url: str) -> str | None:
    """The file under output/site that `url` (in `entry`'s body) points at, or None when it points
    outside the site (another host, mailto:, a fragment of the same page)."""
    parts = urlsplit(url)
    path = parts.path
    if parts.scheme or parts.netloc:
        own = urlsplit(settings.site.url)
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            return None
    if not path:
        return None
    if path.startswith("/"):
        base = settings.base_path
        if not path.startswith(base):
            return None
        resolved = path[len(base):]
    else:
        resolved = posixpath.normpath(posixpath.join(entry.url, unquote(path)))
        if resolved.startswith(".."):
            return None
        resolved += "/" if path.endswith("/") else ""
    return unquote(resolved).lstrip("/")


def _exists(target: str, files: Container[str]) -> bool:
    if target in ("", "."):
        return "index.html" in files
    bare = target.rstrip("/")
    return bare in files or f"{bare}/index.html" in files


def _from_anywhere(url: str) -> bool:
    """Whether `url` points at the same target from whichever page it is in (see target_of)."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"))


def _line(entry: Entry, url: str) -> int:
    for number, line in enumerate(entry.doc.body.splitlines(), start=entry.doc.body_line):
        if url in line:
            return number
    return entry.doc.body_line


def check_references(site: Site, files: Container[str]) -> list[str]:
    """A warning for each link or image in a post or page that points at nothing in the site."""
    warnings = []
    # Whether a reference that names its target the same from any page (another host, a path from the
    # site's root, a fragment) goes somewhere: most are such, and repeated on every post.
    anywhere: dict[str, bool] = {}
    for entry in [*site.posts, *site.pages]:
        found = entry.rendered.references
        if found is None:
            found = references_in(entry.rendered.html)
        for attribute, raw in found:
            if anywhere.get(raw):
                continue
            url = html.unescape(raw)
            target = target_of(site.settings, entry, url)
            fine = target is None or _exists(target, files)
            if _from_anywhere(url):
                anywhere[raw] = fine
            if fine:
                continue
            where = f"{entry.doc.source}:{_line(entry, url)}"
            if attribute == "src":
                folder = entry.doc.source.removesuffix("/index.md").removesuffix(".md")
                warnings.append(f"{where}: warning: the image '{url}' is not in the site "
                                f"(put it in {folder}/ or static/)")
            else:
                warnings.append(f"{where}: warning: the link '{url}' goes to no page of the site "
                                "(check the address, or that the page is published)")
    return warnings
