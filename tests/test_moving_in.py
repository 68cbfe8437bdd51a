"""Posts from Jekyll and Hugo: built as they are, and copied in by `touchgen import posts`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import DATA, post, tree, write

JEKYLL = DATA / "jekyll"
HUGO = DATA / "hugo"


def move_in(site: Path, posts: Path) -> None:
    shutil.rmtree(site / "content/posts")
    shutil.copytree(posts, site / "content/posts")


def built_posts(site: Path) -> dict[str, dict]:
    """Each built post's email.json (slug, subject, url ...) by slug."""
    return {path.parent.name: json.loads(path.read_text()) for path in (site / "output/newsletter").glob("*/email.json")}


def test_a_jekyll_posts_folder_builds_with_every_published_post(site, run):
    move_in(site, JEKYLL / "_posts")
    result = run(site, "build")
    assert result.stdout.startswith("Built 6 posts, 1 page, 2 feeds, 6 emails")
    out = site / "output/site"
    assert sorted(p.name for p in (out / "posts").iterdir()) == [
        "blogging-like-a-hacker", "keep-your-old-urls", "my-post-aspx", "weekly-links", "weekly-links-2015-05-04",
        "william-gibson"]
    assert not (out / "posts/half-an-idea").exists()  # published: false
    gibson = (out / "posts/william-gibson/index.html").read_text()
    assert "<h1>Neuromancer &amp; the &#34;Sprawl&#34;</h1>" in gibson or 'Neuromancer &amp; the "Sprawl"' in gibson
    assert "1 January 1995" in gibson  # the date from 1995-1-1-William_Gibson.md
    for tag in ("books", "scifi", "cyberpunk"):  # categories and space-separated tags
        assert (out / f"tags/{tag}/index.html").is_file()
    hacker = (out / "posts/blogging-like-a-hacker/index.html").read_text()
    assert "17 November 2008" in hacker
    moved = (out / "posts/my-post-aspx/index.html").read_text()
    assert "22 November 2013" in moved
    assert 'content="What moving a ten-year-old blog taught me about links."' in moved  # excerpt as summary
    assert "Cool URIs don’t change, and neither should yours." in (out / "posts/keep-your-old-urls/index.html").read_text()
    redirect = (out / "2016/03/07/keep-your-old-urls.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../../posts/keep-your-old-urls/">' in redirect
    assert '<link rel="canonical" href="https://example.com/posts/keep-your-old-urls/">' in redirect
    warnings = result.stderr.splitlines()
    assert ("content/posts/1995-1-1-William_Gibson.md:2: warning: unknown front matter key 'layout' (known: title, "
            "date, summary, tags, slug, draft, aliases); also in 6 other files") in warnings
    assert ("content/posts/2008-11-17-blogging-like-a-hacker.md:6: warning: {{ page.title }} is Liquid output, which "
            "touchgen shows as written ('touchgen import posts' converts the common ones; edit or remove the rest)"
            ) in warnings
    assert ("content/posts/2013-11-22-my-post.aspx.markdown:13: warning: {% highlight %} is a Liquid tag, which "
            "touchgen shows as written ('touchgen import posts' converts the common ones; edit or remove the rest)"
            ) in warnings
    assert ("warning: 1 post shares a file name with an older post and gets the date added to the slug "
            "(content/posts/2015/2015-05-04-weekly-links.md → weekly-links-2015-05-04); add a slug: line to choose "
            "another") in warnings
    assert not any("{% endhighlight %}" in line for line in warnings)
    assert len(warnings) == len(set(warnings))


def test_a_hugo_posts_folder_builds_with_every_published_post(site, run):
    move_in(site, HUGO / "content/posts")
    result = run(site, "build")
    assert result.stdout.startswith("Built 3 posts, 1 page, 2 feeds, 3 emails")
    out = site / "output/site"
    assert sorted(p.name for p in (out / "posts").iterdir()) == ["bundle-post", "my-first-post", "yaml-post"]
    assert (out / "posts/bundle-post/cover.png").read_bytes() == (HUGO / "content/posts/bundle-post/cover.png").read_bytes()
    first = (out / "posts/my-first-post/index.html").read_text()
    assert "11 March 2019" in first  # a TOML datetime
    assert (out / "tags/notes/index.html").is_file()  # categories = ["Notes"]
    assert (out / "old/yaml-post/index.html").is_file()  # aliases
    assert "content/posts/_index.md: warning: is a Hugo section page (_index.md), not a post; skipped" in result.stderr
    assert ("content/posts/my-first-post.md:8: warning: unknown front matter key 'images' (known: title, date, "
            "summary, tags, slug, draft, aliases)") in result.stderr
    assert "content/posts/yaml-post.md:18: warning: {{< tweet >}} is a Hugo shortcode" in result.stderr


def test_import_posts_converts_what_it_can_and_a_second_run_changes_nothing(site, run):
    result = run(site, "import", "posts", str(JEKYLL))
    assert result.stdout == (
        "content/posts/2008-11-17-blogging-like-a-hacker.md: {{ page.title }} → the title (1)\n"
        "content/posts/2013-11-22-my-post.aspx.markdown: {% highlight %} → fenced code (1), {% raw %} → removed (2), "
        "{% post_url %} → link (1)\n"
        f"Imported 7 posts from {JEKYLL / '_posts'} into content/posts: 5 copied, 2 converted, 0 unchanged\n")
    assert result.stderr == ("content/posts/2013-11-22-my-post.aspx.markdown:23: warning: {% include %} (a Liquid tag) "
                             "is left as written; edit or remove it\n")
    posts = site / "content/posts"
    assert not (posts / "2016-03-07-keep-your-old-urls.md~").exists()
    moved = (posts / "2013-11-22-my-post.aspx.markdown").read_text()
    assert '```ruby\ndef redirect(path)\n  "#{path}.html"\nend\n```' in moved
    assert "Read [how it started](/posts/blogging-like-a-hacker/) first." in moved
    assert "Blogging Like a Hacker\n================" in (posts / "2008-11-17-blogging-like-a-hacker.md").read_text()
    before = tree(posts)
    again = run(site, "import", "posts", str(JEKYLL))
    assert again.stdout == f"Imported 7 posts from {JEKYLL / '_posts'} into content/posts: 0 copied, 0 converted, 7 unchanged\n"
    assert tree(posts) == before
    built = run(site, "build")
    assert "Built 7 posts" in built.stdout
    assert "{% post_url" not in built.stderr and "goes to no page" not in built.stderr


def test_import_posts_from_hugo_keeps_bundles_and_converts_shortcodes(site, run):
    result = run(site, "import", "posts", str(HUGO))
    assert result.stdout.splitlines() == [
        "content/posts/my-first-post.md: {{< figure >}} → image (1), {{< youtube >}} → link (1)",
        "content/posts/yaml-post.md: {{< highlight >}} → fenced code (1), {{< ref >}} → link (1)",
        f"Imported 4 posts from {HUGO / 'content/posts'} into content/posts: 2 copied, 2 converted, 0 unchanged, "
        "1 other file"]
    posts = site / "content/posts"
    assert not (posts / "_index.md").exists()
    assert (posts / "bundle-post/cover.png").is_file()
    first = (posts / "my-first-post.md").read_text()
    assert '![Looking up](https://example.org/skyscraper.jpg "Looking up")' in first
    assert "[Watch the video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in first
    assert "Back to [the first post](/posts/my-first-post/)." in (posts / "yaml-post.md").read_text()
    run(site, "build")
    assert (site / "output/site/posts/bundle-post/cover.png").is_file()


def test_import_posts_writes_nothing_when_one_post_is_bad(site, run, tmp_path):
    source = tmp_path / "blog/_posts"
    shutil.copytree(JEKYLL / "_posts", source)
    write(source / "2017-01-02-broken.md", '---\ntitle: "Unclosed\n---\n\nText.\n')
    (source / "2017-01-09-latin1.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n\nText.\n")
    before = tree(site / "content")
    result = run(site, "import", "posts", str(tmp_path / "blog"), code=1)
    assert result.stderr == (
        "error: content/posts/2017-01-02-broken.md:3: front matter is not valid YAML: found unexpected end of stream "
        "while scanning a quoted scalar that starts on line 2 (check the quoting and indentation)\n"
        f"error: {source / '2017-01-09-latin1.md'}:2: is not valid UTF-8 (byte 0xe9); save it as UTF-8 and import "
        "again\n"
        "Error: 2 problems found; nothing was written\n")
    assert tree(site / "content") == before
    assert not [p for p in (site / "content").iterdir() if p.name.startswith(".")]


def test_import_posts_never_overwrites_a_different_post(site, run):
    post(site, "1995-1-1-William_Gibson.md", "title: My own\ndate: 1995-01-02\n")
    before = tree(site / "content")
    result = run(site, "import", "posts", str(JEKYLL), code=1)
    assert result.stderr == (
        f"error: content/posts/1995-1-1-William_Gibson.md: already exists and differs from "
        f"{JEKYLL / '_posts/1995-1-1-William_Gibson.md'} (move it away and import again)\n"
        "Error: 1 problem found; nothing was written\n")
    assert tree(site / "content") == before


@pytest.mark.parametrize("make, message", [
    (lambda root: root / "missing", "{path}: is not a folder; give a Jekyll site, its _posts folder, a Hugo site or "
                                    "its content/posts folder"),
    (lambda root: write(root / "empty/notes.txt", "x").parent, "{path}: has no posts (.md or .markdown files); give "
                                                               "the folder with them"),
], ids=["missing", "no-posts"])
def test_import_posts_from_a_wrong_folder(site, run, tmp_path, make, message):
    path = make(tmp_path)
    result = run(site, "import", "posts", str(path), code=1)
    assert result.stderr == f"Error: {message.format(path=path)}\n"


def test_a_date_permalink_keeps_old_addresses(site, run):
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace("[site]\n", '[site]\npermalink = "/:year/:month/:day/:slug/"\n'))
    move_in(site, JEKYLL / "_posts")
    run(site, "build")
    out = site / "output/site"
    assert (out / "2013/11/22/my-post-aspx/index.html").is_file()
    assert (out / "2014/05/05/weekly-links/index.html").is_file()
    assert not (out / "posts").exists()
    index = (out / "index.html").read_text()
    assert 'href="./2013/11/22/my-post-aspx/"' in index
    assert "https://example.com/2013/11/22/my-post-aspx/" in (out / "feed.xml").read_text()


@pytest.mark.parametrize("value, message", [
    ('"/posts/"', "touchgen.toml:4: [site] permalink must be a path with :slug that ends in '/', such as "
                  "/posts/:slug/ or /:year/:month/:day/:slug/ (:year, :month, :day and :slug), not '/posts/'"),
    ('"/:year/:slug"', "touchgen.toml:4: [site] permalink must be a path with :slug that ends in '/', such as "
                       "/posts/:slug/ or /:year/:month/:day/:slug/ (:year, :month, :day and :slug), not '/:year/:slug'"),
    ('"/tags/:slug/"', "touchgen.toml:4: [site] permalink starts with /tags/, which the site uses itself"),
], ids=["no-slug", "no-slash", "taken"])
def test_a_bad_permalink_is_located(site, run, value, message):
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace("[site]\n", f"[site]\npermalink = {value}\n"))
    result = run(site, "build", code=1)
    assert result.stderr == f"Error: {message}\n"


@pytest.mark.parametrize("front, message", [
    ('+++\ntitle = "T"\ndate = 2026-11-30\ntags = [\n+++\n',
     "content/posts/x.md:5: front matter is not valid TOML: Invalid value (check quotes, brackets and '=' on this line)"),
    ("---\ntitle: T\ndate: 2026-11-30\naliases: [../../etc/passwd]\n---\n",
     "content/posts/x.md:4: alias '../../etc/passwd' is not a path on this site (write it as /old/path/ or "
     "/2013/11/22/my-post.html)"),
    ("---\ntitle: T\ndate: 2026-11-30\npublished: nope\n---\n",
     "content/posts/x.md:4: published must be true or false, not 'nope'"),
    ("+++\ntitle = \"T\"\ndate = 2026-11-30\n", "content/posts/x.md:1: front matter is not closed (add a '+++' line after it)"),
], ids=["toml-syntax", "alias-outside", "published-not-bool", "toml-unclosed"])
def test_foreign_front_matter_errors_are_located(site, run, front, message):
    write(site / "content/posts/x.md", front + "\nText.\n")
    result = run(site, "build", code=1)
    assert result.stderr.splitlines()[0] == f"error: {message}"


def test_an_alias_onto_a_real_page_is_refused(site, run):
    post(site, "2026-11-16-x.md", "title: X\ndate: 2026-11-16\naliases: [/posts/welcome/]\n")
    result = run(site, "build", code=1)
    assert result.stderr == ("Error: content/posts/2026-11-16-x.md: alias /posts/welcome/ is the address of another "
                             "page of the site (remove it from aliases)\n")


@pytest.mark.parametrize("value, iso", [
    ("2013-11-22 5:00:00 +0000", "2013-11-22T05:00:00+00:00"),
    ("2013-11-22 05:00:00 -0800", "2013-11-22T05:00:00-08:00"),
    ("2013-11-22T05:00:00.123456789Z", "2013-11-22T05:00:00.123456+00:00"),
    ("2013-1-5", "2013-01-05T00:00:00+01:00"),
])
def test_dates_as_jekyll_and_hugo_write_them(value, iso):
    import zoneinfo

    from touchgen.site.content import parse_date

    assert parse_date(value, zoneinfo.ZoneInfo("Europe/Amsterdam")).isoformat() == iso


def test_highlight_blocks_keep_their_language_and_indentation(site, run, tmp_path):
    write(tmp_path / "_posts/2014-03-03-cpp.md", "---\ntitle: C++\n---\n\n1. Add the reference:\n\n"
          "    {% highlight c# %}\n    using Syncfusion.Windows.Forms.Tools;\n    {% endhighlight %}\n\n"
          "{% highlight c++ linenos %}\n{\n    cout<<endl;\n}\n{% endhighlight %}\n")
    run(site, "import", "posts", str(tmp_path))
    assert (site / "content/posts/2014-03-03-cpp.md").read_text().endswith(
        "1. Add the reference:\n\n    ```c#\n    using Syncfusion.Windows.Forms.Tools;\n    ```\n\n"
        "```c++\n{\n    cout<<endl;\n}\n```\n")
    run(site, "build")
    page = (site / "output/site/posts/cpp/index.html").read_text()
    assert "{% highlight" not in page and "cout" in page
