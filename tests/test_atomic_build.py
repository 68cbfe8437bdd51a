"""The whole tree or nothing: a build killed at any moment leaves each of output/site and
output/newsletter either its old complete tree or its new one, and the next build cleans up after it."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import EPOCH, post


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, wait: float | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "touchgen", "--site", str(site), "build"],
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def version(site: Path, label: str) -> None:
    for week in range(30):
        day = f"2026-{(week // 4) % 10 + 1:02d}-{(week % 4) * 7 + 1:02d}"
        post(site, f"{day}-post-{week}.md", f"title: Post {week} {label}\ndate: {day}\n",
             f"Body of post {week}, version {label}.\n\n" + "A sentence to render. " * 60 + "\n")


def test_a_build_killed_at_random_moments_never_leaves_a_mixed_tree(site, tmp_path):
    rng = random.Random(11)
    trees = {}
    for label in ("a", "b"):  # the two complete trees, built undisturbed in a twin site
        twin = tmp_path / f"twin-{label}"
        shutil.copytree(site, twin)
        version(twin, label)
        assert build(twin).wait(60) == 0
        trees[label] = {name: snapshot(twin / "output" / name) for name in ("site", "newsletter")}
    version(site, "a")
    started = time.monotonic()
    assert build(site).wait(60) == 0
    duration = time.monotonic() - started
    current = "a"
    for attempt in range(4):
        target = "b" if current == "a" else "a"
        version(site, target)
        process = build(site)
        time.sleep(rng.uniform(0.3, 1.05) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        found = {name: snapshot(site / "output" / name) for name in ("site", "newsletter")}
        for name in ("site", "newsletter"):  # each managed folder is switched whole, one after the other
            assert found[name] in (trees["a"][name], trees["b"][name]), f"kill {attempt}: a mixed output/{name}"
        current = "b" if found["site"] == trees["b"]["site"] else "a"
    assert build(site).wait(60) == 0  # the next build finishes the work and leaves nothing behind
    assert {name: snapshot(site / "output" / name) for name in ("site", "newsletter")} == trees[target]
    assert sorted(p.name for p in (site / "output").iterdir()) == [".cache", "newsletter", "site"]


def test_trees_are_swapped_in_one_step_without_looking_for_the_c_library(tmp_path, monkeypatch):
    """The two folders trade places in one call to the C library the process already has (on Linux):
    ctypes' find_library, which runs ldconfig in another process, is not needed for it."""
    import ctypes.util

    from touchgen import files

    if not sys.platform.startswith("linux"):
        return
    files._renameat2.cache_clear()

    def refuse(name: str) -> None:
        raise AssertionError("find_library was called")

    monkeypatch.setattr(ctypes.util, "find_library", refuse)
    old, new = tmp_path / "site", tmp_path / "next"
    for folder, text in ((old, "old"), (new, "new")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    try:
        assert files.exchange(new, old) is True
    finally:
        files._renameat2.cache_clear()
    assert ((old / "index.html").read_text(), (new / "index.html").read_text()) == ("new", "old")
