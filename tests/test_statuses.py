"""A rebuild of a big site has another process walk the live output trees (touchgen/site/statuses.py)
while it reads the content: what that walk finds must count exactly as the build's own looks would.
Here every tree counts as big, so the walk runs on these small sites, in a real second process."""

from __future__ import annotations

import sys

import pytest

from conftest import write
from test_cache import clean_build, contents, many_posts, replace
from touchgen.config import load_settings
from touchgen.errors import TouchgenError
from touchgen.site import statuses
from touchgen.site.build import build


@pytest.fixture
def walked(monkeypatch) -> list[str]:
    """Every tree is walked by another process; returns the files whose status the build process
    itself looked at (none, when the walk answered)."""
    looked: list[str] = []
    monkeypatch.setattr(statuses, "MIN_FILES", 1)
    original = statuses.signature
    monkeypatch.setattr(statuses, "signature", lambda path: (looked.append(path), original(path))[1])
    return looked


def test_the_walk_finds_what_the_build_would(site, tmp_path, walked):
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    walked.clear()
    page = site / "output/site/posts/post-4/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<h1", "<h1 class=\"mine\""), encoding="utf-8")
    extra = write(site / "output/newsletter/post-4/notes.txt", "mine")
    replace(site / "content/posts/2024-01-08-post-1.md", "- two", "- three")
    result = build(load_settings(site), jobs=1)
    assert walked == []  # every status came from the walk
    assert not extra.exists() and result.written.removed == 1
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)  # the edited page is put back
    again = build(load_settings(site), jobs=1)  # and the next walk finds all as the build left it
    assert again.written.written == 0 and contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def test_a_link_the_walk_finds_is_refused_before_any_tree_is_switched(site, tmp_path, walked):
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    before = contents(site / "output")
    (site / "output/newsletter/post-2/elsewhere").symlink_to(tmp_path)
    replace(site / "content/posts/2024-01-08-post-1.md", "- two", "- three")
    with pytest.raises(TouchgenError, match="post-2/elsewhere: is a link; touchgen never writes or deletes "
                                            "through a link"):
        build(load_settings(site), jobs=1)
    assert contents(site / "output") == before  # the site tree, built first, was not switched either


def test_a_walk_that_gives_no_answer_leaves_the_looking_to_the_build(site, tmp_path, walked, monkeypatch):
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the walk's process fails at once
    page = site / "output/site/posts/post-4/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<h1", "<h1 class=\"mine\""), encoding="utf-8")
    walked.clear()
    build(load_settings(site), jobs=1)
    assert walked  # each file was looked at here
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)
