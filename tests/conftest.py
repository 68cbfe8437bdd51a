"""Fixtures: a fresh site in a temporary folder and a CLI runner that keeps stderr apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from touchgen.cli import cli
from touchgen.site.scaffold import init_site

REPO = Path(__file__).resolve().parent.parent
# Monday 23 November 2026, noon UTC: the sample posts up to that day are published.
EPOCH = "1795435200"


UNSUBSCRIBE_SECRET = "test-secret-that-signs-unsubscribe-links"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("TOUCHGEN_UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET)


def token(address: str) -> str:
    """The unsubscribe token of `address` under the tests' secret."""
    from touchgen.mail.personalize import unsubscribe_token

    return unsubscribe_token(UNSUBSCRIBE_SECRET, address)


@pytest.fixture(autouse=True)
def pauses(monkeypatch) -> list[float]:
    """SMTP retries and the rate limit pause by recording how long, never by sleeping."""
    from touchgen.mail import smtp

    slept: list[float] = []

    def clock() -> float:  # time passes only by the recorded pauses: the same figures on a busy machine
        return 1000.0 + sum(slept)

    monkeypatch.setattr(smtp, "RETRY", smtp.Retry(sleep=slept.append, clock=clock))
    return slept


@pytest.fixture
def site(tmp_path) -> Path:
    """A new site made by `touchgen init`, with its one sample post dated 2026-11-23."""
    root = tmp_path / "site"
    init_site(root, dt.date(2026, 11, 23))
    return root


@pytest.fixture
def store(tmp_path):
    """A fresh, empty people store (a real SQLite file) in a temporary site folder."""
    from touchgen.people.store import open_store

    with open_store(tmp_path) as opened:
        yield opened


def copy_sample(root: Path) -> Path:
    """The repository's own sample site copied into `root`."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "touchgen.toml", root)
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", root / "templates")
    return root


@pytest.fixture
def sample_site(tmp_path) -> Path:
    """A copy of the repository's own sample site."""
    return copy_sample(tmp_path / "sample")


def build_at_epoch(root: Path) -> Path:
    """`touchgen build` of the site at `root` on the tests' fixed day; its output folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        touchgen("--site", str(root), "build")
    return root / "output"


# Browser fixtures (helpers in browser.py): one Chromium per test session, one page per check.

@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright; the test is skipped, saying why, when it is not installed."""
    from browser import chromium_browser

    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="session")
def browser_context(chromium):
    """One context for the session, so pages share the HTTP cache (axe-core is compiled once)."""
    context = chromium.new_context()
    yield context
    context.close()


@pytest.fixture
def browser_page(browser_context):
    """A fresh page that records console errors and failed requests (browser.Watched)."""
    from browser import watch

    page = browser_context.new_page()
    yield watch(page)
    page.close()


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory) -> Path:
    """output/ of the repository's sample site, built once for the session."""
    return build_at_epoch(copy_sample(tmp_path_factory.mktemp("built") / "sample"))


@pytest.fixture(scope="session")
def sample_server(sample_output) -> Iterator[str]:
    """The sample's output/site at / and output/newsletter at /newsletter/ on 127.0.0.1: the base URL."""
    from browser import http_server

    with http_server({"/": sample_output / "site", "/newsletter/": sample_output / "newsletter"}) as url:
        yield url


def touchgen(*args: str, code: int = 0, input: str | None = None):
    """Run `touchgen ARGS` in-process; fail the test unless it exits with `code`."""
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, (
        f"touchgen {' '.join(args)} exited with {result.exit_code}, not {code}\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


@pytest.fixture
def run():
    """run(site, 'build', ..., code=0) -> click Result with stdout and stderr kept apart; the test
    fails when the command exits with another status than `code`."""

    def invoke(root: Path, *args: str, code: int = 0, input: str | None = None):
        return touchgen("--site", str(root), *args, code=code, input=input)

    return invoke


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def post(root: Path, name: str, front: str, body: str = "Hello.\n") -> Path:
    return write(root / "content" / "posts" / name, f"---\n{front}---\n\n{body}")


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under folder: its content hash and modification time, to prove nothing changed.
    The build's cache (output/.cache/, wherever it is below `folder`) is left out: it is not part of what a
    build makes."""
    return {
        path.relative_to(folder).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_file()
        and "/.cache/" not in "/" + path.relative_to(folder).as_posix()
    }


DATA = Path(__file__).parent / "fixtures"


@pytest.fixture
def readers_site(site, run) -> Path:
    """A site whose store has the sample exports imported and the sample newsletter sends recorded."""
    from touchgen.mail.ledger import Ledger
    from touchgen.people.store import open_store

    for name in ("substack.csv", "mailchimp.csv", "mailchimp-unsubscribed.csv", "plain.csv", "ghost.csv",
                 "buttondown.csv", "listmonk.csv"):
        assert run(site, "import", "readers", str(DATA / name)).exit_code == 0
    with open_store(site) as store:
        for email, post, token, at in [
            ("ada@example.com", "small-promises-kept", "t1", "2026-11-23T07:00:00Z"),
            ("grace@example.org", "know-the-whole-account", "g1", "2026-11-16T07:00:00Z"),
            ("grace@example.org", "small-promises-kept", "t2", "2026-11-23T07:00:00Z"),
            ("katherine@example.com", "small-promises-kept", "t3", "2026-11-23T07:00:00Z"),
            ("margaret@example.com", "small-promises-kept", "t4", "2026-11-23T07:00:00Z"),
            ("tim@example.com", "small-promises-kept", "t5", "2026-11-23T07:00:00Z"),
        ]:
            person = store.require(email)
            ledger = Ledger(store)
            assert ledger.claim(post, person.id, f"{post}.{token}@example.com", at)
            ledger.mark_sent(post, person.id, at)
    return site


def stages(run, site) -> dict[str, str]:
    import json

    result = run(site, "readers", "list", "--format", "json")
    return {row["email"].lower(): row["stage"] for row in json.loads(result.stdout)}


def counts(site) -> dict[str, int]:
    """Rows in every table of the store: an import run twice must not change them."""
    import sqlite3

    db = sqlite3.connect(site / "data/touchgen.db")
    try:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("people", "events", "sends")}
    finally:
        db.close()


@pytest.fixture
def smtp():
    from smtp_server import SmtpServer

    with SmtpServer() as server:
        yield server


READERS_CSV = """email,name,subscribed
ada@example.com,Ada Lovelace,true
grace@example.org,Grace Hopper,true
noname@example.com,,true
zoe@example.com,Zoë Ünïcode,true
gone@example.com,Gone Away,false
linus@example.net,Linus,true
"""


@pytest.fixture
def mail_site(site, run, smtp) -> Path:
    """A built site with six readers (one unsubscribed) whose [smtp] points at the test server."""
    config = site / "touchgen.toml"
    text = config.read_text().replace('port = 587', f'port = {smtp.port}').replace('security = "starttls"',
                                                                                   'security = "none"')
    config.write_text(text, encoding="utf-8")
    (site / "readers.csv").write_text(READERS_CSV, encoding="utf-8")
    assert run(site, "import", "readers", str(site / "readers.csv")).exit_code == 0
    assert run(site, "build").exit_code == 0
    return site


@pytest.fixture
def tiny_disk():
    """tiny_disk(folder, size) mounts a tmpfs of `size` (such as '256k') on `folder` for the test, so
    that writing more fills the disk for real (ENOSPC). Mounting needs root, as CI has; elsewhere the
    test is skipped, saying how to run it in a user namespace instead."""
    import subprocess

    mounted: list[Path] = []

    def mount(folder: Path, size: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                                  capture_output=True, text=True)
            failure = done.stderr.strip() if done.returncode else ""
        except OSError as exc:
            failure = str(exc)
        if failure:
            pytest.skip(f"cannot mount a small tmpfs to fill ({failure}): a full disk is tested as root, or run "
                        "the tests under: unshare --user --map-root-user --mount")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
