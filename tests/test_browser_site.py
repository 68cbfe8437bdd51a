"""The sample site and its newsletter emails in real Chromium, served over HTTP on 127.0.0.1: every
page loads with no console error and no failed request, passes axe-core with no serious or critical
violation in light and dark mode, and does not scroll sideways on a 375 px phone; every internal link
and asset of output/site resolves."""

from __future__ import annotations

import re
import struct
import urllib.error
import urllib.request
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from browser import DESKTOP, PHONE, http_server
from conftest import build_at_epoch, post

GOLDEN = Path(__file__).parent / "golden"
# The pages of the sample site, as test_golden.py proves them to be built (test_the_list_is_every_page).
PAGES = sorted(path.relative_to(GOLDEN / "site").as_posix() for path in (GOLDEN / "site").rglob("*.html"))
EMAILS = sorted(path.name for path in (GOLDEN / "newsletter").iterdir())


def url_of(page: str) -> str:
    return "/" + page.removesuffix("index.html")


def test_the_list_is_every_page(sample_output):
    built = sorted(path.relative_to(sample_output / "site").as_posix()
                   for path in (sample_output / "site").rglob("*.html"))
    assert built == PAGES
    assert sorted(path.name for path in (sample_output / "newsletter").iterdir()) == EMAILS


@pytest.mark.parametrize("page", PAGES)
def test_a_page_loads_cleanly_reads_on_a_phone_and_passes_axe(page, sample_server, browser_page):
    view = browser_page.open(sample_server + url_of(page))
    assert [status for _, status in view.icons()] == [200, 200]
    view.screenshot(f"site-{page}-375-light")
    assert view.overflow()[0] <= PHONE["width"]
    found = {"light": view.axe(sample_server)}
    view.page.emulate_media(color_scheme="dark")
    view.screenshot(f"site-{page}-375-dark")
    found["dark"] = view.axe(sample_server)
    assert found == {"light": [], "dark": []}
    assert view.problems == []


def test_the_favicons_load_and_every_page_links_them(sample_server, browser_page):
    view = browser_page.open(sample_server + "/posts/small-promises-kept/")
    assert view.icons() == [("../../favicon.ico", 200), ("../../favicon.svg", 200)]
    assert view.problems == []
    status, kind, body = fetch(sample_server + "/favicon.ico")  # where browsers and feed readers look
    assert (status, kind, body[:4]) == (200, "image/vnd.microsoft.icon", b"\x00\x00\x01\x00")  # an ICO file
    status, kind, body = fetch(sample_server + "/favicon.svg")
    assert (status, kind, body[:5]) == (200, "image/svg+xml", b"<svg ")


def test_a_missing_page_gets_the_404_page_with_its_styles(sample_server, browser_page):
    page = browser_page.page
    response = page.goto(sample_server + "/no/such/post/")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "672px"  # style.css applied
    assert browser_page.problems == [f"HTTP 404: {sample_server}/no/such/post/",
                                     "console error: Failed to load resource: the server responded with a status "
                                     "of 404 (Not Found)"]


class Links(HTMLParser):
    """Every link and asset address of an HTML page, and its element ids (fragment targets)."""

    ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        wanted = self.ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            self.links.append(values[wanted] or "")
        if values.get("srcset"):
            self.links += [part.split()[0] for part in (values["srcset"] or "").split(",") if part.strip()]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def crawl(base: str) -> tuple[dict[str, str], list[str]]:
    """Every page and asset reached from the home page through the site's own links: {url: content type},
    and each link that does not resolve (a missing file or a missing #fragment)."""
    seen: dict[str, str] = {}
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    broken: list[str] = []
    queue = [base + "/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, kind, body = fetch(url)
        seen[url] = kind
        if status != 200:
            broken.append(f"{url}: HTTP {status}")
            continue
        if kind == "text/css":
            targets = re.findall(r"url\(['\"]?([^'\")]+)", body.decode())
        elif kind == "text/html":
            parser = Links()
            parser.feed(body.decode())
            ids[url] = parser.ids
            targets = parser.links
        else:
            continue
        for target in targets:
            absolute, fragment = urldefrag(urljoin(url, target))
            if not absolute.startswith(base + "/"):
                continue  # another site, mailto:, the booking page
            queue.append(absolute)
            if fragment:
                fragments.append((url, absolute, fragment))
    broken += [f"{page}: #{fragment} is not an id of {target}" for page, target, fragment in fragments
               if fragment not in ids.get(target, set())]
    return seen, broken


def test_every_internal_link_and_asset_resolves(sample_server, sample_output):
    reached, broken = crawl(sample_server)
    assert broken == []
    site = sample_output / "site"
    pages = {url_of(page) for page in PAGES} - {"/404.html"}  # 404.html is for what no link leads to
    assert pages - {urlsplit(url).path for url in reached} == set()
    assert {"/static/css/style.css", "/favicon.ico", "/favicon.svg", "/feed.xml", "/atom.xml"} <= {
        urlsplit(url).path for url in reached}
    assert len(reached) >= len(list(site.rglob("*.html")))


def png(width: int, height: int) -> bytes:
    """A real PNG image: a horizontal gradient, `width` pixels wide."""
    row = b"\x00" + b"".join(bytes((x * 255 // width, 120, 255 - x * 255 // width)) for x in range(width))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data  # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


WIDE_POST = '''Wide things must not push a phone's page sideways.

![A 2000 pixel wide chart](chart.png)

The unbroken address https://example.com/a/very/long/path/that/never/breaks/because/it/has/no/spaces/at/all/index.html?with=query&and=more
and a long word: Rechtsschutzversicherungsgesellschaftenvertragsbedingungenverordnung.

```python
# A comment that says why, then code wider than any phone: every token colour must still read.
def greeting(name: str, times: int = 3) -> str:
    """Return a greeting."""
    return ", ".join(f"Hello {name}!" for _ in range(times)) + " and a long line that keeps going and going"

@decorator
class Reader(Base):
    count = 0x1F + 42.5  # numbers
    pattern = r"^[a-z]+$"
```

| | Light | Dark |
|---|---|---|
| Code | xcode | github-dark |

| Week | Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday | Touches |
|---|---|---|---|---|---|---|---|---|
| 48 | Ada Lovelace | Grace Hopper | Katherine Johnson | Margaret Hamilton | Tim Berners-Lee | none | none | 5 |
'''


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory):
    """The sample site with one more post holding a wide image, a long URL, a long word, highlighted code
    and a table with an empty corner; built and served."""
    from conftest import copy_sample

    root = copy_sample(tmp_path_factory.mktemp("wide") / "site")
    post(root, "2026-11-23-wide/index.md", "title: Wide things\ndate: 2026-11-23T09:00:00\ntags: [writing]\n", WIDE_POST)
    (root / "content/posts/2026-11-23-wide/chart.png").write_bytes(png(2000, 300))
    output = build_at_epoch(root)
    with http_server({"/": output / "site", "/newsletter/": output / "newsletter"}) as url:
        yield url, output / "site"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_wide_images_urls_and_code_stay_inside_a_phone_screen(wide_site, browser_page, scheme):
    url, _ = wide_site
    view = browser_page.open(url + "/posts/wide/", scheme)
    view.screenshot(f"wide-post-375-{scheme}")
    assert view.overflow()[0] <= PHONE["width"]
    page = view.page
    image = page.evaluate("(i => [i.naturalWidth, i.getBoundingClientRect().right])(document.querySelector('main img'))")
    assert image[0] == 2000 and image[1] <= PHONE["width"]
    scrollers = page.evaluate("[...document.querySelectorAll('main pre, main table')].map("
                              "box => [box.tagName, box.scrollWidth > box.clientWidth, box.tabIndex])")
    # The code block and the wide table scroll by themselves, and a keyboard can reach them to scroll them.
    assert scrollers == [["PRE", True, 0], ["TABLE", False, 0], ["TABLE", True, 0]]
    assert page.locator(".highlight .c1").count() == 2  # highlighted, so axe sees the token colours
    assert view.axe(url) == []
    assert view.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_wide_post_email_stays_inside_a_phone_screen(wide_site, browser_page, scheme):
    url, site = wide_site
    # The email's images are absolute, under site.url (https://example.com/): served from output/site.
    browser_page.page.route("https://example.com/**", lambda route: route.fulfill(
        path=site / urlsplit(route.request.url).path.lstrip("/")))
    view = browser_page.open(url + "/newsletter/wide/email.html", scheme)
    view.screenshot(f"wide-email-375-{scheme}")
    assert view.overflow()[0] <= PHONE["width"]
    image = view.page.evaluate("(i => [i.naturalWidth, i.getBoundingClientRect().right])(document.querySelector('img'))")
    assert image[0] == 2000 and image[1] <= PHONE["width"]
    assert view.axe(url) == []
    assert view.problems == []


@pytest.mark.parametrize("slug", EMAILS)
def test_an_email_reads_at_375_and_600_px_in_light_and_dark(slug, sample_server, browser_page):
    view = browser_page.open(f"{sample_server}/newsletter/{slug}/email.html")
    found = {}
    for scheme in ("light", "dark"):  # the same loaded page, its colour scheme and width switched
        view.page.emulate_media(color_scheme=scheme)
        for width in (600, 375):
            view.page.set_viewport_size({"width": width, "height": 900})
            view.screenshot(f"email-{slug}-{width}-{scheme}")
            assert view.overflow() == (width, width), f"{scheme} at {width} px"
        found[scheme] = view.axe(sample_server)
    assert found == {"light": [], "dark": []}
    assert view.problems == []


def test_the_email_button_keeps_its_contrast_in_dark_mode(sample_server, browser_page):
    view = browser_page.open(f"{sample_server}/newsletter/small-promises-kept/email.html", "dark")
    colours = view.page.evaluate("""(a => [getComputedStyle(a).color, getComputedStyle(a).backgroundColor])(
        [...document.querySelectorAll('a')].find(a => a.textContent.includes('Book a call')))""")
    assert colours == ["rgb(255, 255, 255)", "rgb(180, 70, 31)"]  # white on #b4461f: 5.5:1


def test_the_home_page_has_one_h1_and_named_navigation_at_any_width(sample_server, browser_page):
    view = browser_page.open(sample_server + "/", viewport=DESKTOP)
    assert view.page.locator("h1").all_inner_texts() == ["Monday Inspiration"]
    assert view.page.locator("nav").evaluate_all("navs => navs.map(n => n.getAttribute('aria-label'))") == [
        "Site", "Pages"]
    for scheme in ("light", "dark"):
        view.page.emulate_media(color_scheme=scheme)
        for viewport in (DESKTOP, PHONE):
            view.page.set_viewport_size(viewport)
            view.screenshot(f"home-{viewport['width']}-{scheme}")
            assert view.overflow() == (viewport["width"], viewport["width"])
