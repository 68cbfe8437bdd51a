"""The email says what the post says: its visible text in Chromium equals the web page's, line for
line, and no HTML a post's markdown makes can stop the email build."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import post

EVERYTHING = """Read **this**
*and that* on the next line, then [one link](https://example.com/one)
[another link](https://example.com/two) right below it.

> A quote that
> spans two lines.

| who | what |
|-----|------|
| Ada | a reply |
| Grace | a call |

A claim with a footnote.[^note]

![A chart](chart.png)

```python
def hello(name: str) -> None:
    # say hello
    print(f"Hello, {name}")
```

[^note]: Where the claim comes from.
"""


def visible_text(page, path: Path, selector: str) -> list[str]:
    """The innerText of `selector` in the file at `path` as Chromium lays it out, line by line."""
    page.goto(path.as_uri())
    return [line.rstrip() for line in page.locator(selector).inner_text().splitlines() if line.strip()]


def test_the_email_reads_line_for_line_like_the_web_page(site, run, browser_page):
    post(site, "2026-11-16-everything.md", "title: Everything\ndate: 2026-11-16\n", EVERYTHING)
    run(site, "build")
    web = (site / "output/site/posts/everything/index.html").read_text(encoding="utf-8")
    email = (site / "output/newsletter/everything/email.html").read_text(encoding="utf-8")
    web_lines = visible_text(browser_page.page, site / "output/site/posts/everything/index.html", ".body")
    email_lines = visible_text(browser_page.page, site / "output/newsletter/everything/email.html", ".tg-post")
    assert email_lines == web_lines
    assert web_lines[0] == "Read this and that on the next line, then one link another link right below it."
    assert "    # say hello" in email_lines and '    print(f"Hello, {name}")' in email_lines  # code keeps its lines
    assert 'src="https://example.com/posts/everything/chart.png"' in email  # images and links absolute
    assert 'href="https://example.com/posts/everything/#fn:note"' in email
    # A feed reader's parse says the same words, with the same absolute links.
    import feedparser

    entry = next(e for e in feedparser.parse((site / "output/site/atom.xml").read_bytes()).entries
                 if e.title == "Everything")
    from touchgen.site.links import absolute_links

    start = web.index('<div class="body">') + len('<div class="body">')
    page_body = web[start:web.index("</div>\n  <aside")].strip()
    parsed = entry.content[0].value.strip().replace(" />", ">")  # feedparser writes <img ... />
    assert parsed == absolute_links(page_body, "https://example.com/posts/everything/")
    assert "https://example.com/posts/everything/chart.png" in entry.content[0].value


@pytest.mark.parametrize("body", [
    "Use Vec<T> here, or a <tree-ish>.\n",
    "1. A step\n\n    ```html\n    <main>hello</main>\n    ```\n",
    "<pre>if (a < b) { document.write('</script>'); }</pre>\n",
    '<?xml version="1.0"?>\n\nThen prose.\n',
], ids=["angle-brackets", "fence-in-a-list", "stray-script", "xml-declaration"])
def test_a_post_that_builds_as_a_page_builds_as_an_email(site, run, body):
    post(site, "2026-11-16-brackets.md", "title: Brackets\ndate: 2026-11-16\n", body)
    run(site, "build")
    email = (site / "output/newsletter/brackets/email.html").read_text(encoding="utf-8")
    page = (site / "output/site/posts/brackets/index.html").read_text(encoding="utf-8")
    start = page.index('<div class="body">') + len('<div class="body">')
    assert page[start:page.index("</div>\n  <aside")].strip() in email  # the body, untouched


def test_every_link_is_made_absolute_as_urljoin_makes_it_on_every_page():
    """absolute_links works out a link with a host of its own once for all pages (of the same scheme):
    generated links of every shape, on pages of both schemes, come out as urljoin makes them there."""
    import html
    import random
    from urllib.parse import urljoin

    from touchgen.site.links import LINK_ATTRIBUTE_RE, absolute_links

    def by_urljoin(fragment: str, base: str) -> str:
        return LINK_ATTRIBUTE_RE.sub(lambda m: m.group(1) + html.escape(urljoin(base, html.unescape(m.group(2))),
                                                                         quote=True) + m.group(3), fragment)

    rng = random.Random(5)
    parts = ["http://", "https://", "HTTPS://", "mailto:", "ftp://", "//", "/", "../", "#", "?", "", "x.org", "a.com",
             ":8080", "/a/b", "?q=1&amp;r=2", "#frag", "\t", "\n", " ", "[::1]", "%20", "é", "..", "@", "u:p@", "&lt;"]
    pages = ["https://example.com/posts/x/", "http://example.com/a/b/", "https://ex.org/", "http://h/p?q#f",
             "", "/rel/page/"]  # and pages of no scheme, where urljoin reads nothing or only the link
    for _ in range(8000):
        url = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 6)))
        fragment, page = f'<a href="{url}">x</a> <img src="{url}">', rng.choice(pages)
        try:
            expected = by_urljoin(fragment, page)
        except ValueError as exc:  # an address urljoin cannot read (a broken IPv6 host)
            with pytest.raises(ValueError):
                absolute_links(fragment, page)
            assert "IPv6" in str(exc)
            continue
        assert absolute_links(fragment, page) == expected, (url, page)
    broken = '<a href="http://[::1">x</a>'  # a host urljoin cannot read, on a page of no address: read as it is
    assert absolute_links(broken, "") == broken
    with pytest.raises(ValueError):  # and on a page of a path only it is read, and refused
        absolute_links(broken, "/rel/page/")
