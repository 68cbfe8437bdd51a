"""Images and files: page bundles and the site's static/ folder are copied, absolute in feeds and
email, and a missing image or a link to no page gets a located warning."""

from __future__ import annotations

import pytest

from conftest import post, tree, write

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def test_a_page_bundle_and_a_folder_beside_a_post_are_copied(site, run):
    write(site / "content/posts/2026-11-16-bundle/index.md",
          "---\ntitle: Bundle\ndate: 2026-11-16\n---\n\n![Chart](chart.png)\n")
    (site / "content/posts/2026-11-16-bundle/chart.png").write_bytes(PNG)
    post(site, "2026-11-09-beside.md", "title: Beside\ndate: 2026-11-09\n", "![Photo](img/photo.png)\n")
    (site / "content/posts/2026-11-09-beside/img").mkdir(parents=True)
    (site / "content/posts/2026-11-09-beside/img/photo.png").write_bytes(PNG)
    result = run(site, "build")
    assert result.stderr == ""
    out = site / "output/site"
    assert (out / "posts/bundle/chart.png").read_bytes() == PNG
    assert (out / "posts/beside/img/photo.png").read_bytes() == PNG
    assert '<img alt="Chart" src="chart.png">' in (out / "posts/bundle/index.html").read_text()
    email = (site / "output/newsletter/bundle/email.html").read_text()
    assert 'src="https://example.com/posts/bundle/chart.png"' in email
    assert 'src="https://example.com/posts/beside/img/photo.png"' in (out / "feed.xml").read_text().replace(
        "&quot;", '"')


def test_a_folder_put_beside_a_post_the_cache_knows_is_copied(site, run):
    """A rebuild knows an unchanged post from the cache, and that no folder stood beside it by the
    posts' folder listing: a folder put there since is found all the same."""
    post(site, "2026-11-09-beside.md", "title: Beside\ndate: 2026-11-09\n", "![Photo](img/photo.png)\n")
    assert "img/photo.png" in run(site, "build").stderr  # a missing image: a warning
    write(site / "content/posts/2026-11-09-beside/img/photo.png", "picture")
    assert run(site, "build").stderr == ""
    assert (site / "output/site/posts/beside/img/photo.png").read_text() == "picture"


def test_the_site_static_folder_goes_to_the_root(site, run):
    write(site / "static/favicon.ico", "icon")
    write(site / "static/files/talk.pdf", "pdf")
    run(site, "build")
    assert (site / "output/site/favicon.ico").read_text() == "icon"
    assert (site / "output/site/files/talk.pdf").read_text() == "pdf"
    before = tree(site / "output")
    write(site / "static/index.html", "mine")
    result = run(site, "build", code=1)
    assert result.stderr == ("Error: static/index.html: would replace output/site/index.html, which touchgen makes "
                             "(rename or move the file)\n")
    assert tree(site / "output") == before


@pytest.mark.parametrize("clean", [False, True], ids=["first-build", "clean"])
def test_a_file_or_address_in_the_way_of_a_page_is_a_clear_error(site, run, clean):
    """A file beside a post named like its page, a post whose address is the archive's, a static file
    where a post's folder goes: each named, with what to do; nothing written (also with the workers)."""
    for number in range(70):  # enough posts for a first build's workers to write them
        post(site, f"2025-{number // 28 + 1:02}-{number % 28 + 1:02}-note-{number}.md",
             f"title: Note {number}\ndate: 2025-{number // 28 + 1:02}-{number % 28 + 1:02}\n", "A note.")
    if clean:
        run(site, "build")
    before = tree(site / "output") if clean else None
    cases = [
        (lambda: write(site / "content/posts/2026-11-16-bundle/index.html", "<p>mine</p>"),
         "Error: content/posts/2026-11-16-bundle/index.html: would replace output/site/posts/bundle/index.html, the "
         "page touchgen makes of content/posts/2026-11-16-bundle/index.md (rename or move the file)\n"),
        (lambda: (write(site / "touchgen.toml", (site / "touchgen.toml").read_text(encoding="utf-8").replace(
            "[site]\n", '[site]\npermalink = "/:slug/"\n', 1)), post(site, "2026-11-17-old.md",
            "title: Old\ndate: 2026-11-17\nslug: archive\n", "Hi.")),
         "Error: content/posts/2026-11-17-old.md: its address /archive/ is taken by the site's own /archive/ (give "
         "it a slug: line of its own, or change [site] permalink)\n"),
        (lambda: write(site / "static/posts/note-3", "a file"),
         "Error: static/posts/note-3: would replace output/site/posts/note-3/, a folder of pages touchgen makes "
         "(rename or move the file)\n"),
    ]
    write(site / "content/posts/2026-11-16-bundle/index.md", "---\ntitle: Bundle\ndate: 2026-11-16\n---\n\nHi.\n")
    config = (site / "touchgen.toml").read_text(encoding="utf-8")
    for make, message in cases:
        make()
        result = run(site, "build", *(["--clean"] if clean else []), code=1)
        assert result.stderr == message
        assert "Traceback" not in result.stdout + result.stderr
        if clean:
            assert tree(site / "output") == before
        else:
            assert not (site / "output").exists()
        for path in (site / "content/posts/2026-11-16-bundle/index.html", site / "content/posts/2026-11-17-old.md",
                     site / "static/posts/note-3"):
            path.unlink(missing_ok=True)
        write(site / "touchgen.toml", config)


def test_missing_images_and_links_to_no_page_are_located_warnings(site, run):
    post(site, "2026-11-16-refs.md", "title: Refs\ndate: 2026-11-16\n",
         "Fine: [welcome](../welcome/), [home](/), [feed](/feed.xml), [out](https://other.example/x).\n\n"
         "![Gone](gone.png)\n\nSee [a lost post](../lost/).\n")
    result = run(site, "build")
    assert result.stderr == (
        "content/posts/2026-11-16-refs.md:8: warning: the image 'gone.png' is not in the site "
        "(put it in content/posts/2026-11-16-refs/ or static/)\n"
        "content/posts/2026-11-16-refs.md:10: warning: the link '../lost/' goes to no page of the site "
        "(check the address, or that the page is published)\n")


def test_the_same_link_in_many_posts_is_checked_in_each(site, run):
    """A link written alike in several posts is looked up once when it means the same from any page
    (another host, a path from the root), yet each post with a broken one gets its own warning at its
    own line; a relative one is resolved from each post's own address (the image is in one bundle)."""
    links = "[home](/) [out](https://other.example/x) [gone](/nowhere/) ![Cover](cover.png)\n"
    post(site, "2026-11-23-twin-23/index.md", "title: Twin 23\ndate: 2026-11-23\n", links)
    write(site / "content/posts/2026-11-23-twin-23/cover.png", "png")
    post(site, "2026-11-16-twin-16.md", "title: Twin 16\ndate: 2026-11-16\n", "Two.\n\n" + links)
    result = run(site, "build")
    gone = "warning: the link '/nowhere/' goes to no page of the site (check the address, or that the page is published)"
    assert result.stderr == (
        f"content/posts/2026-11-23-twin-23/index.md:6: {gone}\n"
        f"content/posts/2026-11-16-twin-16.md:8: {gone}\n"
        "content/posts/2026-11-16-twin-16.md:8: warning: the image 'cover.png' is not in the site "
        "(put it in content/posts/2026-11-16-twin-16/ or static/)\n")


def test_images_never_overflow_a_phone(site, run):
    run(site, "build")
    css = (site / "output/site/static/css/style.css").read_text()
    assert "img, video { max-width: 100%; height: auto; }" in css and "overflow-wrap: anywhere" in css
    assert ".tg-text img { max-width: 100%; height: auto; }" in (site / "templates/email/newsletter.mjml").read_text()
