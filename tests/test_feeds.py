"""feed.xml and atom.xml parse cleanly and carry the right entries."""

from __future__ import annotations

import feedparser
import pytest

from conftest import post


@pytest.mark.parametrize("name, version", [("feed.xml", "rss20"), ("atom.xml", "atom10")])
def test_feeds_parse_with_the_sample_posts(sample_site, run, name, version):
    run(sample_site, "build")
    feed = feedparser.parse((sample_site / "output/site" / name).read_bytes())
    assert feed.bozo is False, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "Monday Inspiration"
    assert feed.feed.link == "https://example.com/"
    assert [entry.title for entry in feed.entries][:3] == [
        "Small promises, kept", "Know the whole account, not just your contact", "The moment a reader writes back"]
    assert len(feed.entries) == 9
    first = feed.entries[0]
    assert first.link == "https://example.com/posts/small-promises-kept/"
    assert first.summary.startswith("Trust is not built by big gestures")
    assert "<li>Write every small promise down the moment you make it.</li>" in first.content[0].value
    assert first.published_parsed[:3] == (2026, 11, 22)  # midnight in Amsterdam is 23:00 UTC the day before
    assert [tag.term for tag in first.tags] == ["foundations", "conversations"]


def test_feeds_hold_the_newest_twenty(site, run):
    for week in range(25):
        day = f"2026-{(week // 4) + 5:02d}-{(week % 4) * 7 + 1:02d}"
        post(site, f"{day}-post-{week}.md", f"title: Post {week}\ndate: {day}\n")
    run(site, "build")
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((site / "output/site" / name).read_bytes())
        assert feed.bozo is False
        assert len(feed.entries) == 20
        assert feed.entries[0].title == "Welcome: why I write on Mondays"
        assert feed.entries[1].title == "Post 24"
