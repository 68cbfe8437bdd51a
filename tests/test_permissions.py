"""Folders and files this user may not read or write, for real: root ignores permission bits, so
touchgen runs here as user nobody (uid 65534) on a copy of the site nobody owns. Each case is a clear
message (what, where, what to do), exit status 1, no traceback, and nothing changed."""

from __future__ import annotations

import functools
import os
import shutil
import site as python_site
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import EPOCH, REPO, post, tree

NOBODY = 65534
AS_ROOT = os.geteuid() == 0


def drop_to_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def environment() -> dict[str, str]:
    """touchgen's source and installed packages on the path: the venv's own interpreter may live in a
    folder nobody cannot enter (such as /root/.pyenv), and another Python of the same version reads them."""
    paths = [str(REPO), *python_site.getsitepackages()]
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1", "SOURCE_DATE_EPOCH": EPOCH, "LANG": "C.UTF-8"}


@functools.cache
def nobody_python() -> tuple[str | None, str]:
    """A Python of this version that user nobody can run and that imports touchgen, or None and why not."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, os.path.realpath(sys.executable), shutil.which(f"python{version}"),
                  f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    failures = []
    for candidate in dict.fromkeys(filter(None, candidates)):
        try:
            done = subprocess.run([candidate, "-c", "import touchgen.cli"], preexec_fn=drop_to_nobody if AS_ROOT else None,
                                  env=environment(), cwd="/", capture_output=True, text=True, timeout=60)
        except OSError as exc:
            failures.append(f"{candidate}: {exc.strerror}")
            continue
        if done.returncode == 0:
            return candidate, ""
        failures.append(f"{candidate}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}")
    return None, "; ".join(failures)


class Nobody:
    """A folder that user nobody can reach, sites copied into it and owned by nobody, and touchgen run as
    nobody. Run by another user than root, the tests run as that user: its permission bits hold too."""

    def __init__(self, place: Path, python: str) -> None:
        self.place = place
        self.python = python

    def own(self, path: Path) -> None:
        if AS_ROOT:
            for folder, _, files in os.walk(path):
                os.chown(folder, NOBODY, NOBODY)
                for name in files:
                    os.chown(Path(folder) / name, NOBODY, NOBODY)

    def copy(self, site: Path) -> Path:
        copy = self.place / "site"
        shutil.copytree(site, copy, symlinks=True)
        self.own(copy)
        return copy

    def folder(self, name: str) -> Path:
        folder = self.place / name
        folder.mkdir()
        self.own(folder)
        return folder

    def run(self, site: Path | None, *args: str, code: int = 0, cwd: Path | None = None) -> subprocess.CompletedProcess:
        command = [self.python, "-m", "touchgen", *(("--site", str(site)) if site else ()), *args]
        done = subprocess.run(command, preexec_fn=drop_to_nobody if AS_ROOT else None, env=environment(),
                              cwd=cwd or self.place, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stdout + done.stderr, done.stderr
        assert done.returncode == code, f"touchgen {' '.join(args)} exited {done.returncode}, not {code}: {done.stderr}"
        return done


@pytest.fixture
def nobody():
    python, why = nobody_python()
    if python is None:
        pytest.skip(f"no Python {sys.version_info.major}.{sys.version_info.minor} that user nobody may run and "
                    f"that imports touchgen ({why}); permission bits are tested as nobody because root ignores them")
    place = Path(tempfile.mkdtemp(prefix="touchgen-nobody-"))
    place.chmod(0o755)  # nobody may enter it; mkdtemp makes it private
    try:
        yield Nobody(place, python)
    finally:
        for folder, dirs, _ in os.walk(place):  # give back what a test took away, so it can be removed
            for name in dirs:
                (Path(folder) / name).chmod(0o755)
        shutil.rmtree(place)


@pytest.fixture
def built(nobody, site, run) -> Path:
    """A copy of the new site, built, with one reader in its store, handed to nobody."""
    run(site, "build")
    run(site, "readers", "add", "ada@example.com")
    return nobody.copy(site)


def everything(site: Path) -> dict[str, tuple[str, int]]:
    """The site's files with their content and times: nothing may change."""
    return tree(site)


NOT_WRITTEN = "Error: 1 problem found; nothing was written\n"


@pytest.mark.parametrize("target, mode, message", [
    ("content/posts", 0o000,
     "error: content/posts: cannot be read (permission denied); make it readable for you\n" + NOT_WRITTEN),
    ("content/posts", 0o311,
     "error: content/posts: cannot be read (permission denied); make it readable for you\n" + NOT_WRITTEN),
    ("content/posts/2026-11-23-welcome.md", 0o000,
     "error: content/posts/2026-11-23-welcome.md: cannot be read (permission denied); make it readable for you\n"
     + NOT_WRITTEN),
    ("content/pages", 0o000,
     "error: content/pages: cannot be read (permission denied); make it readable for you\n" + NOT_WRITTEN),
    ("templates/site", 0o000, "Error: templates/site: cannot be read (permission denied); make it readable for you\n"),
    ("templates/site/post.html", 0o000,
     "Error: templates/site/post.html: cannot be read (permission denied); make it readable for you\n"),
    ("touchgen.toml", 0o000, "Error: touchgen.toml: cannot be read (permission denied); make it readable for you\n"),
], ids=["posts-folder", "posts-folder-not-listable", "post", "pages-folder", "templates-folder", "template",
        "settings"])
def test_what_cannot_be_read_is_an_error_not_an_empty_site(built, nobody, target, mode, message):
    post(built, "2026-11-16-second.md", "title: Second\ndate: 2026-11-16\n")
    nobody.own(built / "content")
    before = everything(built)
    (built / target).chmod(mode)
    result = nobody.run(built, "build", code=1)
    assert result.stderr == message
    (built / target).chmod(0o755 if (built / target).is_dir() else 0o644)
    assert everything(built) == before  # output/ still has the old site: nothing was unpublished


def test_an_unreadable_static_folder_is_an_error(built, nobody):
    (built / "static/img").mkdir(parents=True)
    (built / "static/img/logo.png").write_bytes(b"\x89PNG\r\n")
    nobody.own(built / "static")
    before = everything(built)
    (built / "static/img").chmod(0o000)
    assert nobody.run(built, "build", code=1).stderr == (
        "Error: static/img: cannot be read (permission denied); make it readable for you\n")
    (built / "static/img").chmod(0o755)
    assert everything(built) == before


READ_ONLY_OUTPUT = ("is read-only or unreadable for you, and a build replaces what is in it: make output/ writable "
                    "(chmod -R u+rwX output) or remove it (a build makes it again); nothing was written\n")


def test_a_read_only_output_folder_changes_nothing(built, nobody):
    post(built, "2026-11-16-second.md", "title: Second\ndate: 2026-11-16\n")
    nobody.own(built / "content")
    before = tree(built / "output")
    # A folder deeper inside is never written to: the next tree is made in the spare under output/.cache.
    for folder, flags in [("output", ()), ("output/site", ("--clean",)), ("output/newsletter", ())]:
        (built / folder).chmod(0o555)
        assert nobody.run(built, "build", *flags, code=1).stderr == f"Error: {folder}: {READ_ONLY_OUTPUT}"
        assert tree(built / "output") == before
        assert sorted(path.name for path in (built / "output").iterdir()) == [".cache", "newsletter", "site"]
        (built / folder).chmod(0o755)
    assert "Built 2 posts" in nobody.run(built, "build").stdout


def test_a_read_only_site_folder_cannot_get_an_output_folder(nobody, site):
    copy = nobody.copy(site)
    copy.chmod(0o555)
    assert nobody.run(copy, "build", code=1).stderr == (
        f"Error: {copy}: the site folder is read-only for you, so a build cannot create output/ in it: make it "
        "writable, then build again (nothing was written)\n")
    assert not (copy / "output").exists()


def test_init_in_a_read_only_folder(nobody):
    locked = nobody.folder("locked")
    locked.chmod(0o555)
    message = (f"Error: {locked}: is read-only for you, so no site can be made in it (make it writable or choose "
               "another place; nothing was created)\n")
    assert nobody.run(None, "init", "new-site", cwd=locked, code=1).stderr == message
    assert nobody.run(None, "init", str(locked), code=1).stderr == message
    assert list(locked.iterdir()) == []


def test_init_in_an_empty_folder_whose_parent_is_not_ours(nobody):
    parent = nobody.place / "shared"
    parent.mkdir()  # owned by root: nobody may not write here, but may in its own folder inside
    mine = nobody.folder("shared/mine")
    assert nobody.run(None, "init", str(mine)).stdout.startswith(f"Created a site in {mine}")
    assert sorted(path.name for path in parent.iterdir()) == ["mine"]


def test_new_in_a_read_only_posts_folder(built, nobody):
    before = everything(built)
    (built / "content/posts").chmod(0o555)
    assert nobody.run(built, "new", "Next week", code=1).stderr == (
        "Error: content/posts: permission denied: check the permissions of that file or folder\n")
    (built / "content/posts").chmod(0o755)
    assert everything(built) == before


def dump(site: Path) -> list[str]:
    db = sqlite3.connect(site / "data/touchgen.db")
    try:
        return list(db.iterdump())
    finally:
        db.close()


@pytest.mark.parametrize("target, mode, message", [
    ("data/touchgen.db", 0o444, "data/touchgen.db: is read-only, and touchgen writes every change to the store: make "
                                "it writable for you (nothing was changed)"),
    ("data", 0o555, "data/touchgen.db: its folder data/ is read-only, and the store writes its journal beside it: "
                    "make data/ writable for you (nothing was changed)"),
    ("data/touchgen.db", 0o000, "data/touchgen.db: cannot be read: make it readable and writable for you (nothing "
                                "was changed)"),
], ids=["store", "data-folder", "unreadable-store"])
def test_a_read_only_store_says_so(built, nobody, target, mode, message):
    before = dump(built)
    (built / target).chmod(mode)
    commands = [("readers", "add", "grace@example.com")]
    if target == "data":  # reading is refused too: SQLite would leave a read-only -shm file behind
        commands += [("readers", "list"), ("track", "reply", "ada@example.com", "--date", "2026-11-20")]
    for command in commands:
        assert nobody.run(built, *command, code=1).stderr == f"Error: {message}\n"
    (built / target).chmod(0o755 if target == "data" else 0o644)
    assert dump(built) == before
    assert sorted(path.name for path in (built / "data").iterdir()) == ["touchgen.db"]  # no -shm left read-only
    assert nobody.run(built, "readers", "add", "grace@example.com").stdout == "Added grace@example.com\n"


def test_a_read_only_outbox_and_export_folder(built, nobody):
    nobody.run(built, "send", "welcome", "--dry-run")
    before = tree(built / "data/outbox")
    (built / "data/outbox").chmod(0o555)
    assert nobody.run(built, "send", "welcome", "--dry-run", code=1).stderr == (
        "Error: data/outbox: permission denied: check the permissions of that file or folder\n")
    assert tree(built / "data/outbox") == before
    exports = nobody.folder("exports")
    exports.chmod(0o555)
    assert nobody.run(built, "readers", "export", "--out", str(exports / "readers.csv"), code=1).stderr == (
        f"Error: {exports}: permission denied: check the permissions of that file or folder\n")
    assert list(exports.iterdir()) == []
