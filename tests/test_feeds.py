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


def feedgen_feeds(site, now):
    """The feeds as touchgen made them with feedgen (until 0.1 kept them by hand): the reference."""
    from feedgen.feed import FeedGenerator

    from touchgen import __version__
    from touchgen.site.feeds import FEED_SIZE
    from touchgen.site.links import absolute_links

    settings = site.settings
    posts = site.posts[:FEED_SIZE]
    updated = posts[0].date if posts and posts[0].date else now
    fg = FeedGenerator()
    fg.id(settings.absolute(""))
    fg.title(settings.site.title)
    fg.subtitle(settings.site.description or settings.site.title)
    fg.language(settings.site.language)
    if settings.site.author:
        fg.author({"name": settings.site.author})
    fg.generator("touchgen", __version__)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for post in reversed(posts):
        fe = fg.add_entry()
        fe.id(post.canonical)
        fe.guid(post.canonical, permalink=True)
        fe.title(post.title)
        fe.link(href=post.canonical, rel="alternate")
        fe.published(post.date)
        fe.updated(post.date)
        fe.content(absolute_links(str(post.body), post.canonical), type="html")
        fe.summary(post.summary)
        for tag in post.tags:
            fe.category(term=tag.name)
        if settings.site.author:
            fe.author({"name": settings.site.author})
    home = {"href": settings.absolute(""), "rel": "alternate"}
    fg.link([{"href": settings.absolute("atom.xml"), "rel": "self"}, home], replace=True)
    atom = fg.atom_str(pretty=True)
    fg.link([{"href": settings.absolute("feed.xml"), "rel": "self"}, home], replace=True)
    return {"feed.xml": fg.rss_str(pretty=True), "atom.xml": atom}


ODD = ["&", "<b>", ">", '"', "'", "&amp;", "]]>", "é", "日本", "🙂", "\u2028", "a  b", "\\", "--", "<!-- x -->"]


def test_the_feeds_are_byte_for_byte_what_feedgen_made(site):
    """touchgen writes the feeds itself; on generated posts with every awkward character in titles,
    summaries, tags, bodies and settings, the bytes are those feedgen (with lxml) made."""
    import datetime as dt
    import json
    import random

    from conftest import write
    from touchgen.config import load_settings
    from touchgen.site.content import load_content
    from touchgen.site.feeds import render_feeds
    from touchgen.site.pages import make_entries

    rng = random.Random(11)
    now = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.timezone.utc)
    config = (site / "touchgen.toml").read_text(encoding="utf-8")
    for round_ in range(6):
        for path in (site / "content/posts").iterdir():
            path.unlink()
        for number in range(rng.randrange(0, 25)):
            odd = rng.sample(ODD, 3)
            day = dt.date(2025, 1, 6) + dt.timedelta(weeks=number)
            title = f"Post {number} {odd[0]} and {odd[1]}"
            words = json.dumps(f"A {odd[2]} summary {odd[0]}", ensure_ascii=False)
            summary = rng.choice(["", f"summary: {words}\n"])
            tags = [f"t{rng.randrange(5)} {tag}" for tag in rng.sample(["&", "x", "é", "<y>"], rng.randrange(3))]
            body = rng.choice(["", f"Body with {odd[0]} [a link](../x/) and ![img](p.png)\n\n```\n<code> & {odd[1]}\n```\n",
                               f"{odd[2]} *em* <span title=\"{odd[0]}\">raw</span>\r\nline\n"])
            front = (f"title: {json.dumps(title, ensure_ascii=False)}\ndate: {day}\n{summary}"
                     f"tags: {json.dumps(tags, ensure_ascii=False)}\n")
            post(site, f"{day}-p{number}.md", front, body)
        settings_text = config
        if round_ % 2:
            settings_text = settings_text.replace('author = "Jane Doe"', 'author = ""').replace(
                'language = "en"', 'language = ""')
        if round_ % 3 == 1:
            settings_text = settings_text.replace(
                'description = "A short post every Monday about turning interactions into relationships."',
                'description = ""').replace('title = "My Monday Letter"', 'title = "Tom & Jerry\'s <Letter> \\"x\\""')
        write(site / "touchgen.toml", settings_text)
        settings = load_settings(site)
        try:
            content = load_content(settings)
        except Exception as exc:
            raise AssertionError([str(e) for e in exc.errors]) from None
        built = make_entries(settings, content, now, False, False)  # noqa
        mine, theirs = render_feeds(built, now), feedgen_feeds(built, now)
        for name in ("feed.xml", "atom.xml"):
            assert mine[name].decode().splitlines() == theirs[name].decode().splitlines(), (round_, name)


def test_text_and_attributes_are_escaped_as_lxml_escapes_them():
    """Every character XML allows, in an element's text and in an attribute, written as lxml wrote it;
    a character XML does not allow at all is left out (lxml refused the whole feed)."""
    from lxml import etree

    from touchgen.site.feeds import _element

    allowed = "".join(chr(code) for code in [9, 10, 13, *range(32, 0x3000), 0xFFFD, 0x1F642])
    for start in range(0, len(allowed), 500):
        chunk = allowed[start:start + 500]
        element = etree.Element("x", a=chunk)
        element.text = chunk
        assert _element(0, "x", chunk, a=chunk) == etree.tostring(element, encoding="unicode") + "\n"
    assert _element(0, "x", "a\x00b\x0bc\ufffed\ud800e") == "<x>abcde</x>\n"
