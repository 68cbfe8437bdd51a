"""touchgen build: the pages of the website, drafts and scheduled posts, and how output/ is written."""

from __future__ import annotations

import re

from conftest import post, tree, write

SAMPLE_SLUGS = [
    "small-promises-kept", "know-the-whole-account", "the-first-reply", "start-before-you-need-it",
    "fix-or-walk-away", "three-tests-of-a-good-investment", "relationship-plans-not-sales-plans",
    "one-touch-each-working-day", "interactions-are-not-relationships",
]


def html(site, path):
    return (site / "output/site" / path).read_text(encoding="utf-8")


def test_sample_site_has_every_page(sample_site, run):
    result = run(sample_site, "build")
    assert re.fullmatch(
        r"Built 9 posts, 1 page, 2 feeds, 9 emails in \d+\.\d\d s: 65 written, 0 unchanged, 0 removed \(output/\)\n",
        result.stdout)
    out = sample_site / "output/site"
    for path in ["index.html", "page/2/index.html", "archive/index.html", "tags/index.html",
                 "tags/accounts/index.html", "about/index.html", "404.html", "feed.xml", "atom.xml",
                 "sitemap.xml", "robots.txt", "static/css/style.css", "favicon.ico", "favicon.svg"]:
        assert (out / path).is_file(), path
    for slug in SAMPLE_SLUGS:
        assert (out / f"posts/{slug}/index.html").is_file()
    assert not (out / "page/3").exists()


def test_index_is_paginated_newest_first(sample_site, run):
    run(sample_site, "build")
    first, second = html(sample_site, "index.html"), html(sample_site, "page/2/index.html")
    found = re.findall(r'<h2><a href="(?:\./|\.\./\.\./)posts/([a-z0-9-]+)/">', first + second)
    assert found == SAMPLE_SLUGS
    assert '<a rel="next" href="./page/2/">Older posts →</a>' in first
    assert '<a rel="prev" href="../../">← Newer posts</a>' in second
    assert "Page 2 of 2" in second


def test_post_page(sample_site, run):
    run(sample_site, "build")
    page = html(sample_site, "posts/three-tests-of-a-good-investment/index.html")
    assert "<title>The three tests of a good relationship investment</title>" in page
    assert '<link rel="canonical" href="https://example.com/posts/three-tests-of-a-good-investment/">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:url" content="https://example.com/posts/three-tests-of-a-good-investment/">' in page
    assert '<time datetime="2026-10-19T00:00:00+02:00">19 October 2026</time> · 1 min read' in page
    assert '<a class="tag" href="../../tags/relationships/">#relationships</a>' in page
    assert '<a rel="prev" href="../../posts/relationship-plans-not-sales-plans/">' in page
    assert '<a rel="next" href="../../posts/fix-or-walk-away/">' in page
    assert '<link rel="stylesheet" href="../../static/css/style.css">' in page
    assert 'href="mailto:jane@example.com?subject=Re%3A%20The%20three%20tests' in page
    assert ('href="https://cal.com/jane/30min?utm_source=site&amp;utm_medium=web&amp;'
            'utm_campaign=three-tests-of-a-good-investment">book a call</a>') in page
    assert 'class="footnote"' in page


def test_markdown_extensions(site, run):
    post(site, "2026-11-16-features.md", "title: Features\ndate: 2026-11-16\n", (
        "Intro paragraph with \"quotes\" and -- dashes.\n\n## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "Note.[^n]\n\n```python\ndef hello():\n    return 1\n```\n\n[^n]: The note.\n"))
    run(site, "build")
    page = html(site, "posts/features/index.html")
    assert "&ldquo;quotes&rdquo; and &ndash; dashes" in page
    assert '<h2 id="a-heading">A heading</h2>' in page
    assert '<table tabindex="0">' in page and "<td>1</td>" in page
    assert '<div class="highlight"><pre tabindex="0"><span></span><code><span class="k">def</span>' in page
    assert '<li id="fn:n">' in page


def test_scrolling_boxes_take_focus_and_an_empty_header_cell_is_a_plain_cell():
    from touchgen.site.markdown import Renderer

    rendered = Renderer().render("| | Light | Dark |\n|---|---|---|\n| Code | xcode | github-dark |\n\n"
                                 "    indented code\n\n<pre class=\"raw\">raw</pre>\n\n"
                                 '<pre tabindex="-1">kept</pre>\n')
    assert "<tr>\n<td></td>\n<th>Light</th>\n<th>Dark</th>\n</tr>" in rendered
    assert rendered.count('<table tabindex="0">') == 1
    assert '<div class="highlight"><pre tabindex="0"><span></span><code>indented code' in rendered
    assert '<pre tabindex="0" class="raw">raw</pre>' in rendered
    assert '<pre tabindex="-1">kept</pre>' in rendered


def test_summary_defaults_to_first_paragraph(site, run):
    post(site, "2026-11-16-no-summary.md", "title: No summary\ndate: 2026-11-16\n",
         "First *paragraph* & more.\n\nSecond paragraph.\n")
    run(site, "build")
    page = html(site, "posts/no-summary/index.html")
    assert '<meta name="description" content="First paragraph &amp; more.">' in page


def test_content_text_is_escaped(site, run):
    post(site, "2026-11-16-xss.md",
         'title: "<script>alert(1)</script> & co"\ndate: 2026-11-16\nsummary: "<b>bold</b>"\ntags: ["<i>"]\n',
         "Body <em>kept</em>.\n")
    run(site, "build")
    page = html(site, "posts/xss/index.html")
    assert "<script>alert" not in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>" in page
    assert '<meta name="description" content="bold">' in page  # a summary is markdown, shown as its text
    assert "#&lt;i&gt;" in page
    assert "Body <em>kept</em>." in page
    assert "<script>" not in html(site, "index.html")
    assert "<script>" not in html(site, "feed.xml") and "<script>" not in html(site, "atom.xml")


def test_drafts_and_scheduled_posts_appear_nowhere(site, run):
    post(site, "2026-11-16-draft.md", "title: Secret draft\ndate: 2026-11-16\ndraft: true\ntags: [hidden]\n")
    post(site, "2026-11-30-later.md", "title: Not yet\ndate: 2026-11-30\ntags: [soon]\n")
    run(site, "build")
    out = site / "output/site"
    everything = "".join(path.read_text(encoding="utf-8", errors="replace") for path in out.rglob("*") if path.is_file())
    assert "Secret draft" not in everything and "Not yet" not in everything
    assert "/posts/draft/" not in everything and "/posts/later/" not in everything
    assert not (out / "posts/draft").exists() and not (out / "posts/later").exists()
    assert not (out / "tags/hidden").exists() and not (out / "tags/soon").exists()

    result = run(site, "build", "--drafts", "--future")
    assert "Built 3 posts" in result.stdout
    assert (out / "posts/draft/index.html").is_file() and (out / "posts/later/index.html").is_file()
    assert "Not yet" in (out / "feed.xml").read_text()

    result = run(site, "build")
    assert re.search(r"Built 1 post, .* removed \(output/\)", result.stdout)
    assert not (out / "posts/draft").exists() and not (out / "tags/soon").exists()


def test_scheduled_post_appears_once_its_time_has_come(site, run, monkeypatch):
    post(site, "2026-11-30-later.md", "title: Not yet\ndate: 2026-11-30\n")
    run(site, "build")
    assert not (site / "output/site/posts/later").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796040000")  # 2026-11-30 12:00 UTC
    run(site, "build")
    assert (site / "output/site/posts/later/index.html").is_file()


def test_unchanged_files_are_not_rewritten(sample_site, run):
    run(sample_site, "build")
    before = tree(sample_site / "output")
    result = run(sample_site, "build")
    assert "0 written, 65 unchanged (65 from cache), 0 removed" in result.stdout
    assert tree(sample_site / "output") == before

    about = sample_site / "content/pages/about.md"
    about.write_text(about.read_text().replace("I'm Jane.", "I'm Jane Doe."), encoding="utf-8")
    result = run(sample_site, "build")
    # The about page is in every page's menu: those are rendered again (and come out the same).
    assert "1 written, 64 unchanged (41 from cache), 0 removed" in result.stdout
    after = tree(sample_site / "output")
    assert [path for path in after if after[path] != before[path]] == ["site/about/index.html"]


def test_stale_files_are_removed_and_clean_rewrites(sample_site, run):
    run(sample_site, "build")
    stale = sample_site / "output/site/posts/old-slug/index.html"
    write(stale, "old")
    (sample_site / "output/notes.txt").write_text("mine")
    result = run(sample_site, "build")
    assert "0 written, 65 unchanged (65 from cache), 1 removed" in result.stdout
    assert not stale.parent.exists()
    assert (sample_site / "output/notes.txt").exists()
    result = run(sample_site, "build", "--clean")
    assert "65 written, 0 unchanged, 0 removed" in result.stdout


def test_reproducible_builds(sample_site, tmp_path, run):
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(sample_site, twin)
    run(sample_site, "build")
    run(twin, "build")
    first = {path: digest for path, (digest, _) in tree(sample_site / "output").items()}
    second = {path: digest for path, (digest, _) in tree(twin / "output").items()}
    assert first == second and len(first) == 65


def test_site_under_a_sub_path(site, run):
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace('url = "https://example.com"',
                                                 'url = "https://example.com/letter/"'), encoding="utf-8")
    run(site, "build")
    index = html(site, "index.html")
    assert '<a href="./posts/welcome/">' in index
    assert '<link rel="canonical" href="https://example.com/letter/">' in index
    # 404.html is served at any depth, so its links start at the base path.
    assert '<link rel="stylesheet" href="/letter/static/css/style.css">' in html(site, "404.html")
    assert "<loc>https://example.com/letter/posts/welcome/</loc>" in html(site, "sitemap.xml")


def test_sitemap_robots_and_404(sample_site, run):
    run(sample_site, "build")
    sitemap = html(sample_site, "sitemap.xml")
    assert "<url><loc>https://example.com/posts/small-promises-kept/</loc><lastmod>2026-11-23</lastmod></url>" in sitemap
    assert sitemap.count("<url>") == 1 + 9 + 1 + 7 + 1
    assert html(sample_site, "robots.txt") == "User-agent: *\nAllow: /\n\nSitemap: https://example.com/sitemap.xml\n"
    assert "<h1>Page not found</h1>" in html(sample_site, "404.html")


def test_archive_and_tags(sample_site, run):
    run(sample_site, "build")
    archive = html(sample_site, "archive/index.html")
    assert "<h2>2026</h2>" in archive and archive.count("<li><time") == 9
    tag = html(sample_site, "tags/accounts/index.html")
    assert "Posts tagged “accounts”" in tag
    assert tag.count("<h2><a href=") == 3
    assert '<li><a href="../tags/relationships/">relationships</a> (4)</li>' in html(sample_site, "tags/index.html")


def test_c_cpp_and_csharp_each_get_their_own_tag_page(site, run):
    post(site, "2026-11-16-c.md", "title: Pointers\ndate: 2026-11-16\ntags: [C]\n")
    post(site, "2026-11-09-cpp.md", "title: Templates\ndate: 2026-11-09\ntags: [C++, C++20]\n")
    post(site, "2026-11-02-cs.md", "title: Records\ndate: 2026-11-02\ntags: [C#, F#]\n")
    assert run(site, "build").stderr == ""
    for slug, name, title in [("c", "C", "Pointers"), ("cpp", "C++", "Templates"), ("cpp20", "C++20", "Templates"),
                              ("csharp", "C#", "Records"), ("fsharp", "F#", "Records")]:
        page = html(site, f"tags/{slug}/index.html")
        assert f"Posts tagged “{name}”" in page
        assert re.findall(r"<h2><a href=[^>]*>([^<]*)</a>", page) == [title]
    assert '<a class="tag" href="../../tags/cpp/">#C++</a>' in html(site, "posts/cpp/index.html")


def test_the_sample_sites_slugs_do_not_change():
    """Words without a symbol at their end are slugged exactly as python-slugify does: no sample tag
    page or post moves (the golden tree has every page; this names them)."""
    import yaml
    from slugify import slugify as plain

    from touchgen.site.slugs import slugify
    from conftest import REPO

    def front_matter(folder):
        for path in sorted(folder.rglob("*.md")):
            yield yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])

    tags = {tag for front in front_matter(REPO / "content") for tag in front.get("tags", [])}
    assert sorted(slugify(tag) for tag in tags) == sorted(p.name for p in (REPO / "tests/golden/site/tags").iterdir()
                                                           if p.is_dir()) == [
        "accounts", "conversations", "foundations", "habits", "planning", "relationships", "writing"]
    fronts = [*front_matter(REPO / "content"), *front_matter(REPO / "touchgen/site/skeleton")]
    tags |= {tag for front in fronts for tag in front.get("tags", [])}
    titles = {front["title"] for front in fronts}
    assert all(slugify(text) == plain(text) for text in tags | titles)


def test_site_templates_override_the_default_theme(site, run):
    (site / "templates/site/404.html").write_text("custom 404\n", encoding="utf-8")
    (site / "templates/static/css/style.css").unlink()
    run(site, "build")
    assert html(site, "404.html") == "custom 404\n"
    assert "--accent" in html(site, "static/css/style.css")


def test_check_writes_nothing(site, run):
    result = run(site, "check")
    assert result.stdout == "No problems: 1 post, 1 page, 0 warnings\n"
    assert not (site / "output").exists()


def test_reading_time_counts_words(site, run):
    post(site, "2026-11-16-long.md", "title: Long\ndate: 2026-11-16\n", "word " * 401 + "\n")
    run(site, "build")
    assert "16 November 2026</time> · 3 min read" in html(site, "posts/long/index.html")


def test_summaries_are_text_everywhere(site, run):
    post(site, "2026-11-16-marked.md", 'title: Marked\ndate: 2026-11-16\nsummary: "**Small** promises, [kept](https://example.com/k)"\n')
    long = " ".join(["Relationships"] + ["grow when you keep the small promises you make"] * 6) + "."
    post(site, "2026-11-09-long.md", "title: Long\ndate: 2026-11-09\n", long + "\n\nSecond paragraph.\n")
    run(site, "build")
    page = html(site, "posts/marked/index.html")
    assert '<meta name="description" content="Small promises, kept">' in page
    assert '<meta property="og:description" content="Small promises, kept">' in page
    assert "<summary>Small promises, kept</summary>" in html(site, "atom.xml")
    mjml = (site / "output/newsletter/marked/email.mjml").read_text()
    assert "<mj-preview>Small promises, kept" in mjml
    described = re.search(r'<meta name="description" content="([^"]*)">', html(site, "posts/long/index.html"))[1]
    assert described.endswith("…") and len(described) <= 161 and long.startswith(described[:-1])
    assert not described[:-1].endswith(" ")
