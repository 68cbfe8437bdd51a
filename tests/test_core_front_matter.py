"""touchgen.site.content: read_document's front matter checks, parse_date, and load_content collecting every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest

from touchgen.config import load_settings
from touchgen.errors import BuildErrors, DuplicateSlugError, FrontMatterError
from touchgen.site.content import Document, Kind, load_content, parse_date, read_document

from conftest import post, write

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SITE_KEYS = "author, description, language, permalink, posts_per_page, publish_weekday, timezone, title, url"
WELCOME = "content/posts/2026-11-23-welcome.md"


def read(site, relative: str, kind: Kind = Kind.POST, settings=None) -> tuple[Document, list[str]]:
    warnings: list[str] = []
    document = read_document(site, site / relative, kind, settings or load_settings(site), warnings)
    return document, warnings


def page(site, name: str, front: str, body: str = "About me.\n"):
    return write(site / "content" / "pages" / name, f"---\n{front}---\n\n{body}")


def test_the_sample_post_reads_as_a_document(site):
    document, warnings = read(site, WELCOME)
    assert warnings == []
    assert document.kind is Kind.POST
    assert document.source == WELCOME
    assert document.title == "Welcome: why I write on Mondays"
    assert document.slug == "welcome"
    assert document.date == dt.datetime(2026, 11, 23, tzinfo=AMSTERDAM)
    assert document.date.isoformat() == "2026-11-23T00:00:00+01:00"
    assert document.summary == "One short post a week, written to start conversations rather than to collect opens."
    assert document.tags == ("welcome",)
    assert document.draft is False
    assert document.body_line == 7
    assert document.body.startswith("\nEvery Monday I send one short idea")
    assert document.url_path == "posts/welcome/"
    assert document.digest == hashlib.sha256((site / WELCOME).read_bytes()).hexdigest()


def test_a_post_with_every_key(site):
    post(site, "2026-11-30-one-touch-a-day.md",
         'title: "  One touch a day  "\ndate: 2026-11-30T07:30:00+01:00\nsummary: "Short,\n  then   more."\n'
         "tags: [habits, 2026, Deep Work]\ndraft: true\n", body="Body text.\n")
    text = (site / "content/posts/2026-11-30-one-touch-a-day.md").read_text(encoding="utf-8")
    document, warnings = read(site, "content/posts/2026-11-30-one-touch-a-day.md")
    assert warnings == []
    assert (document.title, document.slug, document.summary) == ("One touch a day", "one-touch-a-day",
                                                                 "Short, then more.")
    assert document.date.isoformat() == "2026-11-30T07:30:00+01:00"
    assert document.tags == ("habits", "2026", "Deep Work")
    assert document.draft is True
    assert document.body == "\nBody text.\n"
    assert document.body_line == 9
    assert document.digest == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_digest_changes_with_any_byte_of_the_file(site):
    before, _ = read(site, WELCOME)
    path = site / WELCOME
    path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")
    after, _ = read(site, WELCOME)
    assert after.digest != before.digest
    assert after.digest == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name, front, slug", [
    ("2026-11-30-from-the-name.md", "title: T\ndate: 2026-11-30\n", "from-the-name"),
    ("2026-11-30-from-the-name.md", "title: T\ndate: 2026-11-30\nslug: chosen-slug\n", "chosen-slug"),
    ("undated-name.md", "title: T\ndate: 2026-11-30\n", "undated-name"),
    ("2026-11-30-2027-plans.md", "title: T\ndate: 2026-11-30\n", "2027-plans"),
    ("2013-11-22-My_Post.aspx.markdown", "title: T\n", "my-post-aspx"),
    ("1995-1-1-William_Gibson.md", "title: T\n", "william-gibson"),
], ids=["date-prefix-dropped", "front-matter-wins", "undated-file-name", "only-the-first-date-dropped",
        "jekyll-file-name", "one-digit-month-and-day"])
def test_the_post_slug(site, name, front, slug):
    post(site, name, front)
    document, _ = read(site, f"content/posts/{name}")
    assert document.slug == slug
    assert document.url_path == f"posts/{slug}/"


@pytest.mark.parametrize("name, front, expected", [
    ("2026-11-30-!!!.md", "title: T\ndate: 2026-11-30\n",
     "content/posts/2026-11-30-!!!.md:1: file name '2026-11-30-!!!.md' has no letters or digits to make a slug "
     "from (rename the file or add a line such as: slug: my-post)"),
    ("2026-11-30-fine.md", "title: T\ndate: 2026-11-30\nslug: Not--Fine\n",
     "content/posts/2026-11-30-fine.md:4: slug 'Not--Fine' may only contain a-z, 0-9 and single hyphens "
     "(such as: my-post)"),
    ("no-date.md", "title: T\n",
     "content/posts/no-date.md:1: front matter has no date (add a line such as: date: 2026-11-23, or start the "
     "file name with the date: 2026-11-23-my-post.md)"),
    ("2026-02-30-bad-name-date.md", "title: T\n",
     "content/posts/2026-02-30-bad-name-date.md:1: file name starts with '2026-02-30', which is not a valid date "
     "(rename the file, or add a line such as: date: 2026-11-23)"),
    ("2026-11-30-bad-date.md", "title: T\ndate: 30-11-2026\n",
     "content/posts/2026-11-30-bad-date.md:3: date '30-11-2026' is not a valid date (use YYYY-MM-DD)"),
    ("2026-11-30-bad-draft.md", "title: T\ndate: 2026-11-30\ndraft: maybe\n",
     "content/posts/2026-11-30-bad-draft.md:4: draft must be true or false, not 'maybe'"),
], ids=["no-letters-in-file-name", "bad-slug-key", "no-date", "bad-date-in-file-name", "bad-date", "bad-draft"])
def test_bad_front_matter_names_file_and_line(site, name, front, expected):
    post(site, name, front)
    with pytest.raises(FrontMatterError) as caught:
        read(site, f"content/posts/{name}")
    assert str(caught.value) == expected


@pytest.mark.parametrize("name, front, expected", [
    ("tags.md", "title: Tags\n",
     "content/pages/tags.md:1: slug 'tags' is used by the site itself (choose another, such as about-tags)"),
    ("my-archive.md", "title: Archive\nslug: archive\n",
     "content/pages/my-archive.md:3: slug 'archive' is used by the site itself "
     "(choose another, such as about-archive)"),
    ("feed-xml.md", "title: Feed\n",
     "content/pages/feed-xml.md:1: slug 'feed-xml' is used by the site itself "
     "(choose another, such as about-feed-xml)"),
], ids=["from-file-name", "from-front-matter", "feed"])
def test_a_reserved_page_slug_is_refused(site, name, front, expected):
    page(site, name, front)
    with pytest.raises(FrontMatterError) as caught:
        read(site, f"content/pages/{name}", Kind.PAGE)
    assert str(caught.value) == expected


def test_a_post_may_use_a_slug_reserved_for_pages(site):
    post(site, "2026-11-30-tags.md", "title: Tags\ndate: 2026-11-30\n")
    document, _ = read(site, "content/posts/2026-11-30-tags.md")
    assert document.url_path == "posts/tags/"


def test_a_page_needs_no_date_and_keeps_its_dated_file_name_as_slug(site):
    page(site, "2026-11-30-notes.md", "title: Notes\n")
    document, warnings = read(site, "content/pages/2026-11-30-notes.md", Kind.PAGE)
    assert (document.slug, document.date, document.url_path, warnings) == (
        "2026-11-30-notes", None, "2026-11-30-notes/", [])


@pytest.mark.parametrize("day, weekday_setting, expected", [
    ("2026-11-24", "monday", ["content/posts/2026-11-24-late.md:3: warning: date 2026-11-24 is a Tuesday, "
                              "not a Monday (publish_weekday)"]),
    ("2026-11-29", "monday", ["content/posts/2026-11-24-late.md:3: warning: date 2026-11-29 is a Sunday, "
                              "not a Monday (publish_weekday)"]),
    ("2026-11-30", "monday", []),
    ("2026-11-24", "tuesday", []),
    ("2026-11-30", "tuesday", ["content/posts/2026-11-24-late.md:3: warning: date 2026-11-30 is a Monday, "
                               "not a Tuesday (publish_weekday)"]),
], ids=["tuesday-post", "sunday-post", "monday-post", "tuesday-site", "monday-post-tuesday-site"])
def test_a_post_off_the_publish_weekday_adds_a_warning(site, day, weekday_setting, expected):
    config = site / "touchgen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'publish_weekday = "monday"', f'publish_weekday = "{weekday_setting}"'), encoding="utf-8")
    post(site, "2026-11-24-late.md", f"title: Late\ndate: {day}\n")
    document, warnings = read(site, "content/posts/2026-11-24-late.md")
    assert warnings == expected
    assert document.slug == "late"


def test_an_unknown_front_matter_key_is_a_warning_with_its_line(site):
    post(site, "2026-11-30-mood.md", "title: Mood\ndate: 2026-11-30\nmood: happy\n")
    document, warnings = read(site, "content/posts/2026-11-30-mood.md")
    assert warnings == ["content/posts/2026-11-30-mood.md:4: warning: unknown front matter key 'mood' "
                        "(known: title, date, summary, tags, slug, draft, aliases)"]
    assert document.title == "Mood"


@pytest.mark.parametrize("value, iso", [
    ("2026-11-23", "2026-11-23T00:00:00+01:00"),
    ("2026-07-06", "2026-07-06T00:00:00+02:00"),
    ("2026-11-23T09:30", "2026-11-23T09:30:00+01:00"),
    ("2026-11-23 09:30:15", "2026-11-23T09:30:15+01:00"),
    ("2026-11-23T09:30:00+05:30", "2026-11-23T09:30:00+05:30"),
    ("2026-11-23T09:30:00Z", "2026-11-23T09:30:00+00:00"),
], ids=["day-winter", "day-summer", "naive-datetime", "space-separator", "with-offset", "zulu"])
def test_parse_date(value, iso):
    moment = parse_date(value, AMSTERDAM)
    assert moment.isoformat() == iso


def test_parse_date_gives_midnight_in_the_zone():
    moment = parse_date("2026-11-23", AMSTERDAM)
    assert moment.tzinfo is AMSTERDAM
    assert moment.astimezone(dt.timezone.utc) == dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("value", ["23-11-2026", "2026-02-30", "2026-11-23T25:00", "next monday", "2026-11",
                                   "20261123"])
def test_parse_date_refuses_other_text(value):
    with pytest.raises(ValueError):
        parse_date(value, AMSTERDAM)


def test_load_content_sorts_posts_newest_first_and_keeps_the_warnings(site):
    post(site, "2026-11-30-next.md", "title: Next\ndate: 2026-11-30\nmood: fine\n")
    post(site, "2026-11-16-earlier.md", "title: Earlier\ndate: 2026-11-16\ndraft: true\n")
    content = load_content(load_settings(site))
    assert [p.slug for p in content.posts] == ["next", "welcome", "earlier"]
    assert [p.slug for p in content.pages] == ["about"]
    assert content.warnings == ("content/posts/2026-11-30-next.md:4: warning: unknown front matter key 'mood' "
                                "(known: title, date, summary, tags, slug, draft, aliases)",)
    now = dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc)
    assert [p.slug for p in content.published_posts(now)] == ["welcome"]
    assert [p.slug for p in content.published_posts(now, drafts=True, future=True)] == ["next", "welcome", "earlier"]


def test_load_content_lists_every_bad_file_together_with_the_warnings(site):
    config = site / "touchgen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]\n", '[site]\ncolour = "blue"\n'),
                      encoding="utf-8")
    post(site, "untitled.md", "date: 2026-11-30\ntitle: Untitled\ndate: 2026-12-01\n")
    post(site, "2026-12-07-moody.md", "title: Moody\ndate: 2026-12-07\nmood: happy\n")
    page(site, "tags.md", "title: Tags\n")
    with pytest.raises(BuildErrors) as caught:
        load_content(load_settings(site))
    error = caught.value
    assert str(error) == "2 problems found; nothing was written"
    assert error.exit_code == 1
    assert [type(e) for e in error.errors] == [FrontMatterError, FrontMatterError]
    assert [str(e) for e in error.errors] == [
        "content/posts/untitled.md:4: front matter is not valid YAML: the key 'date' is given twice (check the "
        "quoting and indentation)",
        "content/pages/tags.md:1: slug 'tags' is used by the site itself (choose another, such as about-tags)",
    ]
    assert error.warnings == [
        f"touchgen.toml:4: warning: unknown setting 'colour' in [site] (known: {SITE_KEYS})",
        "content/posts/2026-12-07-moody.md:4: warning: unknown front matter key 'mood' "
        "(known: title, date, summary, tags, slug, draft, aliases)",
    ]


def test_load_content_reports_a_slug_used_twice(site):
    post(site, "2026-11-30-about.md", "title: About posts\ndate: 2026-11-30\n")
    with pytest.raises(BuildErrors) as caught:
        load_content(load_settings(site))
    assert str(caught.value) == "1 problem found; nothing was written"
    [error] = caught.value.errors
    assert isinstance(error, DuplicateSlugError)
    assert str(error) == ("content/posts/2026-11-30-about.md: slug 'about' is also used by content/pages/about.md "
                          "(give one of them another slug: in its front matter or file name)")
