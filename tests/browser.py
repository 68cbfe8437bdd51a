"""What the browser tests share: Debian's Chromium driven by Playwright (never a downloaded browser), a
real HTTP server on 127.0.0.1 for built output, a page that records every console error and failed
request, and axe-core (its axe.min.js, MPL-2.0, shipped by the axe-playwright-python package) to check
accessibility.

The fixtures that use these live in conftest.py: one browser per test session (per xdist worker), one
page per check. Set TOUCHGEN_SCREENSHOTS=FOLDER to keep a full-page PNG of every page a test checks.
"""

from __future__ import annotations

import functools
import importlib.resources
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "Chromium is not installed (Debian: apt-get install chromium; tests/install-chromium.sh)"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(str(importlib.resources.files("axe_playwright_python") / "axe.min.js"))
AXE_URL = "/__tests__/axe.min.js"  # served beside the site so Chromium caches its compiled code
BLOCKING = ("serious", "critical")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files of `roots` by URL prefix; a missing page gets the site's 404.html with status 404, as
    static hosts (GitHub Pages, Netlify) answer."""

    roots: dict[str, Path] = {}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def end_headers(self) -> None:
        if self.path == AXE_URL:
            self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        if path.split("?")[0] == AXE_URL:
            return str(AXE)
        for prefix, folder in sorted(self.roots.items(), key=lambda item: -len(item[0])):
            if path.startswith(prefix):
                self.directory = str(folder)
                return super().translate_path("/" + path[len(prefix):])
        return str(Path(self.directory) / "no-such-file")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.roots.get("/", Path("/nonexistent"))) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def http_server(roots: dict[str, Path]) -> Iterator[str]:
    """Serve each folder at its URL prefix ('/' the site, '/newsletter/' the emails) on 127.0.0.1;
    yields the base URL, such as http://127.0.0.1:41234."""
    handler = type("Handler", (_Handler,), {"roots": roots})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(roots["/"])))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium_browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A Playwright page and what went wrong while it loaded: console errors, uncaught exceptions,
    requests that failed or were answered with 400 or more."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def open(self, url: str, scheme: str = "light", viewport: dict[str, int] = PHONE) -> Watched:
        self.page.set_viewport_size(viewport)
        self.page.emulate_media(color_scheme=scheme)
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: {response.status if response else 'no response'}"
        return self

    def overflow(self) -> tuple[int, int]:
        """(scroll width, viewport width): the page scrolls sideways when the first is larger."""
        width, viewport = self.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        return width, viewport

    def icons(self) -> list[tuple[str, int]]:
        """Each icon the page links and the status it is fetched with. (Chromium asks for an icon once per
        run and after the load event, so its own request cannot be relied on to show a missing one.)"""
        icons = self.page.evaluate("""Promise.all([...document.querySelectorAll('link[rel~=icon]')].map(
            link => fetch(link.href).then(response => [link.getAttribute('href'), response.status])))""")
        return [(href, status) for href, status in icons]

    def axe(self, base_url: str) -> list[str]:
        """Serious and critical axe-core violations, one line each: rule, impact, help and the elements."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(url=base_url + AXE_URL)
        violations = self.page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
        return [f"{v['id']} ({v['impact']}): {v['help']}: "
                + "; ".join(f"{' '.join(node['target'])}: {(node.get('failureSummary') or '').splitlines()[-1].strip()}"
                            for node in v["nodes"][:5])
                for v in violations if v["impact"] in BLOCKING]

    def screenshot(self, name: str) -> None:
        folder = os.environ.get("TOUCHGEN_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{re.sub(r'[^a-z0-9.-]+', '-', name.lower())}.png"),
                                 full_page=True)


def watch(page: Any) -> Watched:
    watched = Watched(page)
    page.on("console", lambda message: message.type == "error"
            and watched.problems.append(f"console error: {message.text}"))
    page.on("pageerror", lambda error: watched.problems.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: watched.problems.append(
        f"request failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and watched.problems.append(
        f"HTTP {response.status}: {response.url}"))
    return watched
