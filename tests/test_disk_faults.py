"""A full disk, for real: output/ or data/ on a tiny tmpfs. The build and the store say what, where and
what to do, exit 1 without a traceback, and leave output/ and the store exactly as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import post, tree

FULL_BUILD = ("Error: output/{folder}: cannot write the new build: the disk is full; output/ is unchanged (the last "
              "complete build is still there): free some space and build again\n")
FULL_STORE = ("Error: data/touchgen.db: the disk is full; nothing was changed (the store is as it was before this "
              "command): free some space and run the command again\n")


def big_post(site: Path, paragraphs: int) -> None:
    """A post whose page and feeds (three copies of it) and email (three more) fill the tiny disk."""
    paragraph = "A long paragraph that fills the page, the feeds and the email. " * 30
    post(site, "2026-11-16-big.md", "title: Big\ndate: 2026-11-16\n", "\n\n".join([paragraph] * paragraphs))


@pytest.mark.parametrize("paragraphs, folder", [(150, "site"), (15, "newsletter")],
                         ids=["site-does-not-fit", "site-fits-newsletter-does-not"])
def test_a_build_on_a_full_disk_changes_nothing(site, run, tiny_disk, paragraphs, folder):
    tiny_disk(site / "output", "416k")
    run(site, "build")
    before = tree(site / "output")
    big_post(site, paragraphs)
    for flags in ((), ("--clean",)):
        result = run(site, "build", *flags, code=1)
        assert result.stderr == FULL_BUILD.format(folder=folder)
        assert "Traceback" not in result.stdout + result.stderr
        assert tree(site / "output") == before  # the old tree, byte for byte and untouched
        assert sorted(path.name for path in (site / "output").iterdir()) == ["newsletter", "site"]
    (site / "content/posts/2026-11-16-big.md").unlink()
    assert run(site, "build").stdout.endswith("0 written, 18 unchanged, 0 removed (output/)\n")


def test_a_full_disk_met_by_the_worker_processes_changes_nothing(site, run, tiny_disk):
    """With enough posts a first build (and --clean) has its worker processes write the pages and
    emails: a full disk there is told as it is when the build process writes."""
    for number in range(70):
        post(site, f"2025-{number // 28 + 1:02}-{number % 28 + 1:02}-note-{number}.md",
             f"title: Note {number}\ndate: 2025-{number // 28 + 1:02}-{number % 28 + 1:02}\n", "A short note.")
    tiny_disk(site / "output", "3m")
    run(site, "build", "--jobs", "2")
    before = tree(site / "output")
    big_post(site, 400)
    result = run(site, "build", "--clean", "--jobs", "2", code=1)
    assert result.stderr in (FULL_BUILD.format(folder="site"), FULL_BUILD.format(folder="newsletter"))
    assert tree(site / "output") == before
    assert sorted(path.name for path in (site / "output").iterdir()) == ["newsletter", "site"]


def test_a_dry_run_on_a_full_disk_leaves_the_outbox_as_it_was(site, run, tiny_disk, tmp_path):
    run(site, "build")
    tiny_disk(site / "data", "512k")
    run(site, "readers", "add", "ada@example.com")
    run(site, "send", "welcome", "--dry-run")
    before = tree(site / "data/outbox")
    readers = tmp_path / "readers.csv"  # about 15 KB of message each: more than the disk has left
    readers.write_text("email\n" + "".join(f"reader{n}@example.com\n" for n in range(40)), encoding="utf-8")
    run(site, "import", "readers", str(readers))
    result = run(site, "send", "welcome", "--dry-run", code=1)
    assert result.stderr == ("Error: data/outbox/welcome: the disk is full: free some space, then run "
                             "the command again (nothing was half-written)\n")
    assert tree(site / "data/outbox") == before
    assert sorted(path.name for path in (site / "data").iterdir()) == ["outbox", "touchgen.db"]


def store_dump(site: Path) -> list[str]:
    db = sqlite3.connect(site / "data/touchgen.db")
    try:
        return list(db.iterdump())
    finally:
        db.close()


def test_an_import_on_a_full_disk_rolls_back(site, run, tiny_disk, tmp_path):
    tiny_disk(site / "data", "512k")
    run(site, "readers", "add", "ada@example.com", "--name", "Ada")
    before = store_dump(site)
    readers = tmp_path / "readers.csv"
    readers.write_text("email,name\n" + "".join(f"reader{n}@example.com,Reader number {n} of many\n"
                                                for n in range(6000)), encoding="utf-8")
    result = run(site, "import", "readers", str(readers), code=1)
    assert result.stderr == FULL_STORE
    assert "Traceback" not in result.stdout + result.stderr
    assert store_dump(site) == before
    assert sorted(path.name for path in (site / "data").iterdir()) == ["touchgen.db"]  # no journal left behind
    assert run(site, "readers", "add", "grace@example.com").stdout == "Added grace@example.com\n"
