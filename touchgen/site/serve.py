"""touchgen serve: a live preview. The site is built (drafts and scheduled posts included) into
output/.preview, with its own cache, never into output/site; watchfiles sees a save in content/,
templates/, static/ or touchgen.toml, the site is built again, and every open page reloads itself through a small
script the server adds to each HTML page it sends (Server-Sent Events; no browser extension).
A build that fails shows its errors in the page and in the terminal; the next good save recovers."""

from __future__ import annotations

import html
import logging
import mimetypes
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..config import load_settings
from ..errors import ManyErrors, TouchgenError
from ..paths import CONFIG_FILE, SITE_FOLDER, STATIC, TEMPLATES, SitePaths
from ..text import plural
from .build import build

PREVIEW = ".preview"  # under output/: never deployed, never mailed
EVENTS = "/_touchgen/events"
RELOAD_SCRIPT = (
    "<script>/* touchgen serve: reload when the site is built again */"
    f"new EventSource('{EVENTS}').addEventListener('reload', function () {{ location.reload(); }});</script>"
)
WATCHED = ("content", TEMPLATES.as_posix(), STATIC.as_posix())


@dataclass
class Preview:
    """The state the server and the watcher share: which build the pages show, and its problems."""

    root: Path
    drafts: bool = True
    generation: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: tuple[str, ...] = ()
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def folder(self) -> Path:
        return SitePaths(self.root).output / PREVIEW

    def rebuild(self) -> str:
        """Build into the preview folder; the line to print."""
        try:
            settings = load_settings(self.root)
            # One process: forking workers beside the server's and the watcher's threads is not safe,
            # and after the first build the cache leaves little to render.
            rendered = build(settings, drafts=self.drafts, future=self.drafts, jobs=1, out=self.folder).rendered
            self.errors, self.warnings = [], rendered.warnings
            line = (f"Built {plural(rendered.posts, 'post')} and {plural(rendered.pages, 'page')}"
                    f"{' (drafts and scheduled posts included)' if self.drafts else ''}")
        except ManyErrors as exc:
            self.errors, self.warnings = [str(error) for error in exc.errors], tuple(exc.warnings)
            line = "Build failed:\n" + "\n".join(f"error: {error}" for error in self.errors)
        except TouchgenError as exc:
            self.errors, self.warnings = [str(exc)], ()
            line = f"Build failed:\nerror: {exc}"
        with self.changed:
            self.generation += 1
            self.changed.notify_all()
        return line

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen, timeout)
            return self.generation


def error_page(errors: list[str]) -> bytes:
    items = "".join(f"<li><code>{html.escape(error)}</code></li>" for error in errors)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width, initial-scale=1\"><title>Build failed · touchgen</title><style>"
            "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
            "h1{color:#a4161a}code{white-space:pre-wrap;overflow-wrap:anywhere}"
            "@media (prefers-color-scheme: dark){body{background:#161616;color:#eee}h1{color:#ff8a8a}}"
            "</style></head><body><main><h1>The site did not build</h1><ul>"
            f"{items}</ul><p>Fix the file and save: this page reloads by itself.</p></main>"
            f"{RELOAD_SCRIPT}</body></html>").encode("utf-8")


def handler_for(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "touchgen-serve"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the terminal shows builds, not every request

        def do_GET(self) -> None:  # noqa: N802
            path = unquote(urlsplit(self.path).path)
            if path == EVENTS:
                self.events()
                return
            if preview.errors:
                self.send(HTTPStatus.INTERNAL_SERVER_ERROR, error_page(preview.errors), "text/html; charset=utf-8")
                return
            site = (preview.folder / SITE_FOLDER).resolve()
            target = (site / path.lstrip("/")).resolve()
            if not target.is_relative_to(site):
                self.send(HTTPStatus.FORBIDDEN, b"outside the site\n", "text/plain; charset=utf-8")
                return
            if target.is_dir():
                if not path.endswith("/"):
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", path + "/")
                    self.end_headers()
                    return
                target = target / "index.html"
            status = HTTPStatus.OK
            if not target.is_file():
                status, target = HTTPStatus.NOT_FOUND, site / "404.html"
            body = target.read_bytes() if target.is_file() else b"Not found\n"
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind == "text/html":
                body = body.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
                kind += "; charset=utf-8"
            self.send(status, body, kind)

        def send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def events(self) -> None:
            """Server-Sent Events: 'reload' after each build, a comment now and then to keep the line."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = preview.generation
            try:
                self.wfile.write(b": touchgen\n\n")
                self.wfile.flush()
                while not getattr(self.server, "stopping", False):
                    now = preview.wait(seen, timeout=1.0)
                    message = b"event: reload\ndata: {}\n\n" if now != seen else b": waiting\n\n"
                    seen = now
                    self.wfile.write(message)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def watched_changes(root: Path, stop: threading.Event) -> Iterator[set[str]]:
    """Sets of changed paths in content/, templates/, static/ and touchgen.toml, from watchfiles."""
    from watchfiles import watch

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # it says "KeyboardInterrupt caught" on Ctrl-C

    def wanted(_change: object, path: str) -> bool:
        try:
            relative = Path(path).relative_to(root)
        except ValueError:
            return False
        parts = relative.parts
        return bool(parts) and (relative.as_posix() == CONFIG_FILE or parts[0] in WATCHED) and not any(
            part.startswith(".") or part.endswith("~") for part in parts)

    # yield_on_timeout: an empty set every 200 ms, the first of which says the watcher is running.
    for changes in watch(root, watch_filter=wanted, debounce=150, step=50, stop_event=stop, rust_timeout=200,
                         yield_on_timeout=True, raise_interrupt=False):
        yield {path for _, path in changes}


def serve(root: Path, host: str, port: int, drafts: bool, say: Callable[[str], None]) -> None:
    """Build, serve and rebuild on each save until Ctrl-C (or SIGTERM)."""
    preview = Preview(root.resolve(), drafts)
    try:
        server = ThreadingHTTPServer((host, port), handler_for(preview))
    except OSError as exc:
        raise TouchgenError(f"cannot listen on {host}:{port} ({exc.strerror}); pass another --port, such as "
                            f"--port {port + 1 if port else 8001}") from None
    server.daemon_threads = True
    say(preview.rebuild())
    shown_host = f"[{host}]" if ":" in host else host
    stop = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    watching = False
    try:
        for changed in watched_changes(preview.root, stop):
            if not watching:  # said once the watcher runs: a save from now on is seen
                watching = True
                say(f"Serving http://{shown_host}:{server.server_address[1]}/ (the preview: output/site is not "
                    "touched). Press Ctrl-C to stop.")
            if not changed:
                continue
            names = sorted(Path(path).relative_to(preview.root).as_posix() for path in changed)
            say(f"Changed {', '.join(names[:3])}{' ...' if len(names) > 3 else ''}")
            say(preview.rebuild())
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stopping = True  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
    say("Stopped.")
