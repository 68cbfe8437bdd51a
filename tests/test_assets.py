"""Images and files: page bundles and the site's static/ folder are copied, absolute in feeds and
email, and a missing image or a link to no page gets a located warning."""

from __future__ import annotations

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


def test_images_never_overflow_a_phone(site, run):
    run(site, "build")
    css = (site / "output/site/static/css/style.css").read_text()
    assert "img, video { max-width: 100%; height: auto; }" in css and "overflow-wrap: anywhere" in css
    assert ".tg-text img { max-width: 100%; height: auto; }" in (site / "templates/email/newsletter.mjml").read_text()
