"""touchgen serve: a real server process on 127.0.0.1, real file saves seen by watchfiles, pages that
reload themselves in real Chromium, and output/site never touched."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import post, write

DRAFT = "title: Unfinished\ndate: 2026-11-16\ndraft: true\n"


class Server:
    """`touchgen serve --port 0` in its own process; its terminal lines arrive on a queue."""

    def __init__(self, site: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "touchgen", "--site", str(site), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        serving = self.expect(r"^Serving (http://\S+/)")
        self.url = serving.group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, within: float = 30.0) -> re.Match[str]:
        """The next terminal line that matches, waiting at most `within` seconds."""
        deadline = time.monotonic() + within
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; saw {seen}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


@pytest.fixture
def server(site) -> Iterator[Server]:
    post(site, "2026-11-16-unfinished.md", DRAFT, "Still thinking.\n")
    running = Server(site)
    yield running
    running.stop()


def test_serve_shows_drafts_in_the_preview_and_never_in_output_site(server, site):
    status, page = server.get("/posts/unfinished/")
    assert status == 200
    assert '<p class="draft-mark" role="note"><strong>Draft</strong>' in page
    assert "new EventSource('/_touchgen/events')" in page
    assert (site / "output/.preview/site/posts/unfinished/index.html").is_file()
    assert not (site / "output/site").exists()
    assert server.url.startswith("http://127.0.0.1:")
    status, _ = server.get("/no/such/page/")
    assert status == 404
    assert server.stop() == 0
    assert server.expect("^Stopped\\.$")


def test_a_save_rebuilds_and_an_error_shows_in_the_page_until_fixed(server, site):
    path = site / "content/posts/2026-11-16-unfinished.md"
    write(path, f"---\n{DRAFT}---\n\nNow with a second thought.\n")
    server.expect(r"^Changed content/posts/2026-11-16-unfinished\.md$")
    server.expect(r"^Built 2 posts and 1 page \(drafts and scheduled posts included\)$")
    assert "Now with a second thought." in server.get("/posts/unfinished/")[1]

    write(path, "---\ntitle: Unfinished\ndate: [\n---\n\nText.\n")
    server.expect("^Build failed:$")
    server.expect(r"^error: content/posts/2026-11-16-unfinished\.md:4: front matter is not valid YAML")
    status, page = server.get("/")
    assert status == 500
    assert ("content/posts/2026-11-16-unfinished.md:4: front matter is not valid YAML: expected the node content, "
            "but found &#x27;&lt;stream end&gt;&#x27; (check the quoting and indentation)") in page

    write(path, f"---\n{DRAFT}---\n\nFixed.\n")
    server.expect(r"^Built 2 posts")
    status, page = server.get("/posts/unfinished/")
    assert (status, "Fixed." in page) == (200, True)


def test_the_event_stream_says_reload_after_a_build(server, site):
    events: queue.Queue[str] = queue.Queue()

    def listen() -> None:
        with urllib.request.urlopen(server.url + "_touchgen/events", timeout=30) as stream:
            for raw in stream:
                events.put(raw.decode().strip())

    threading.Thread(target=listen, daemon=True).start()
    assert events.get(timeout=5) == ": touchgen"
    write(site / "templates/site/404.html", "{% extends 'site/base.html' %}{% block main %}Gone{% endblock %}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if events.get(timeout=deadline - time.monotonic()) == "event: reload":
            break
    else:
        pytest.fail("no reload event")
    assert "Gone" in server.get("/missing/")[1]


def test_a_port_in_use_is_a_clear_error(site, run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(site, "serve", "--port", str(port), code=1)
    assert result.stderr == (f"Error: cannot listen on 127.0.0.1:{port} (Address already in use); pass another --port, "
                             f"such as --port {port + 1}\n")


def test_an_open_page_reloads_itself_in_chromium_after_a_save(server, site, browser_page):
    page = browser_page.page
    page.goto(server.url + "posts/unfinished/")
    assert page.locator("h1").inner_text() == "Unfinished"
    write(site / "content/posts/2026-11-16-unfinished.md",
          "---\n" + DRAFT.replace("title: Unfinished", "title: Half done") + "---\n\nBetter.\n")
    page.wait_for_function("document.querySelector('h1').textContent === 'Half done'", timeout=30_000)
    write(site / "content/posts/2026-11-16-unfinished.md", "---\ntitle: [\n---\n")
    page.wait_for_function("document.title.startsWith('Build failed')", timeout=30_000)
    assert "content/posts/2026-11-16-unfinished.md:" in page.locator("main").inner_text()
    write(site / "content/posts/2026-11-16-unfinished.md", "---\n" + DRAFT + "---\n\nBack.\n")
    page.wait_for_function("document.title.startsWith('Build failed') === false", timeout=30_000)
    assert "Back." in page.locator("article").inner_text()
