"""The report in Debian's Chromium, driven by Playwright: it makes no request but for the file
itself and logs no error, fits a 375 px phone and A4 paper, shows the numbers of its JSON in every
chart, and passes axe-core with no serious or critical violation in light and dark mode."""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EPOCH, REPO, UNSUBSCRIBE_SECRET, touchgen
from test_report import TODAY, populate

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
A4_WIDTH = 703  # px at 96 dpi: 210 mm less the page's 12 mm margins on each side

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's Chromium is not at /usr/bin/chromium (tests/install-chromium.sh)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Iterator[tuple[Path, dict]]:
    """(the page, its figures) of the sample site filled by the real commands, as test_report makes it."""
    root = tmp_path_factory.mktemp("browser") / "sample"
    root.mkdir()
    shutil.copy(REPO / "touchgen.toml", root)
    shutil.copytree(REPO / "content", root / "content")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setenv("TOUCHGEN_UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET)

        def run(site: Path, *args: str, code: int = 0):
            return touchgen("--site", str(site), *args, code=code)

        populate(root, run)
        run(root, "report", "--today", TODAY)
        data = json.loads(run(root, "report", "--today", TODAY, "--format", "json").stdout)
    yield root / "data/report/index.html", data


@pytest.fixture(scope="module")
def browser(chromium):
    """The session's Chromium (conftest.py): one Playwright per process, as its sync API requires."""
    return chromium


class Visit:
    """A page opened in a fresh context in which every request is routed: the file itself goes
    through, anything else is refused and remembered, as is every console error."""

    def __init__(self, browser, path: Path, width: int = 1280, scheme: str = "light", **options) -> None:
        self.url = path.as_uri()
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, **options)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url, wait_until="load")

    def _route(self, route) -> None:
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_requests_nothing_but_itself(browser, report, scheme):
    path, _ = report
    with Visit(browser, path, 375, scheme) as visit:
        visit.page.emulate_media(media="print")  # the print styles fetch nothing either
        visit.page.emulate_media(media="screen")
        assert visit.requests == [visit.url]
        assert visit.errors == []


def test_a_request_would_be_caught(browser, report, tmp_path):
    """The check above can fail: the same page with an outside image (and without its content
    security policy, which would refuse it first) is seen asking for it."""
    path, _ = report
    html = path.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    changed = tmp_path / "changed.html"
    changed.write_text(html.replace("</main>", '<img src="https://cdn.example.net/x.png" alt=""></main>'),
                       encoding="utf-8")
    with Visit(browser, changed) as visit:
        assert visit.requests == [visit.url, "https://cdn.example.net/x.png"]


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_it_fits_and_every_number_shows_whole(browser, report, width, scheme):
    path, _ = report
    with Visit(browser, path, width, scheme) as visit:
        page = visit.page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # Each bar's number lies inside its chart: none is cut off at the edge.
        cut = page.evaluate("""() => [...document.querySelectorAll('svg.bar text')].filter(text => {
            const box = text.getBBox(), chart = text.ownerSVGElement.getBoundingClientRect();
            return box.x < 0 || box.x + box.width > chart.width + 0.5;
        }).map(text => text.closest('svg').getAttribute('aria-label'))""")
        assert cut == []
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(245, 244, 240)" if scheme == "light" else "rgb(19, 20, 23)")


def test_the_page_prints_on_a4(browser, report, tmp_path):
    path, _ = report
    with Visit(browser, path, A4_WIDTH, "dark") as visit:
        visit.page.emulate_media(media="print")
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH
        assert visit.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
        pdf = visit.page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 8, pages


def shown(page, selector: str) -> str:
    """The text of the one element `selector` finds, which must be visible."""
    found = page.locator(selector)
    assert found.count() == 1, selector
    assert found.is_visible(), selector
    return found.text_content().strip()


def test_the_charts_show_the_figures(browser, report):
    path, data = report
    with Visit(browser, path, 375) as visit:
        page = visit.page
        funnel = data["funnel"]
        for step in ("readers", "replied", "booked_call", "conversation", "relationship"):
            assert shown(page, f'#funnel [data-step="{step}"] svg text') == f"{funnel[step]:,}"
            rate = funnel["rates"].get(step)
            if rate is not None:
                assert shown(page, f'#funnel [data-step="{step}"] .step-rate').startswith(f"{rate:.1%} of ")
        assert len(data["posts"]) == page.locator("#posts li[data-slug]").count() > 0
        for post in data["posts"]:
            item = f'#posts li[data-slug="{post["slug"]}"]'
            assert shown(page, f'{item} [data-figure="replied"] svg text') == str(post["replied"])
            assert shown(page, f'{item} [data-figure="booked_call"] svg text') == str(post["booked_call"])
            assert f'sent to {post["sent"]}' in shown(page, f"{item} .post-meta")
            assert shown(page, f"{item} .post-title") == post["title"]
        touches = data["touches"]
        assert shown(page, '#touches [data-figure="done"] b') == str(touches["touches"])
        assert shown(page, '#touches [data-figure="pace"] b') == str(touches["pace"])
        assert shown(page, '#touches [data-figure="target"] b') == str(touches["target"])
        assert shown(page, '#touches [data-figure="streak"]').startswith(f'{touches["streak"]} working day')
        assert shown(page, '#touches [data-figure="all_three_tests"]').startswith(
            f'{touches["all_three_tests"]} of {touches["touches"]}')
        months = page.locator("#touches figure.month figcaption b").all_text_contents()
        assert months == [str(count) for count in touches["per_month"].values()]
        cells = dict(page.evaluate("""() => [...document.querySelectorAll('#touches g.cell')]
            .filter(cell => !cell.classList.contains('holiday'))
            .map(cell => [cell.dataset.date, cell.textContent.replace(cell.querySelector('title').textContent, '')])"""))
        assert list(cells) == [day["date"] for day in data["calendar"]]
        assert cells == {day["date"]: str(day["touches"]) if day["date"] <= TODAY else "" for day in data["calendar"]}
        rows = page.locator("#stages tbody tr")
        assert rows.count() == len(data["stages_by_month"])
        for number, month in enumerate(data["stages_by_month"]):
            for stage in ("reader", "conversation", "relationship"):
                assert rows.nth(number).locator(f'td[data-stage="{stage}"] .n').text_content() == f"{month[stage]:,}"
        for account in data["accounts"]:
            card = f'#accounts [data-slug="{account["slug"]}"]'
            assert shown(page, f"{card} h3") == account["name"]
            for role in ("key", "delivery", "support"):
                cells_of_role = page.locator(f'{card} tr[data-role="{role}"] td').all_text_contents()
                assert cells_of_role[0] == str(account[role])
                assert cells_of_role[2] == str(sum(1 for email in account["overdue"] if email in role_of(data, role)))
        for reply in data["unanswered"]:
            assert shown(page, f'#unanswered [data-email="{reply["email"]}"] svg text') == (
                f'{reply["days"]} day' + ("" if reply["days"] == 1 else "s"))
        assert shown(page, '[data-figure="people"] dd') == f'{data["people"]:,}'
        assert shown(page, '[data-figure="unanswered"] dd') == str(len(data["unanswered"]))


def role_of(data: dict, role: str) -> set[str]:
    """The addresses the test's plan gives `role` (the JSON counts people per role, not who)."""
    from test_report import PLAN

    blocks = re.findall(r'email = "([^"]+)"\nrole = "([^"]+)"', PLAN)
    return {email for email, found in blocks if found == role}


# The contrast of each SVG text with what is drawn under it: the shape it lies on, else the page
# behind the chart. axe leaves SVG text undecided ("incomplete"), so it is measured here.
SVG_CONTRAST = """() => {
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const channel = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const under = text => {
    const box = text.getBBox(), x = box.x + box.width / 2, y = box.y + box.height / 2;
    const shapes = [...text.ownerSVGElement.querySelectorAll('rect')]
      .filter(rect => rect.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING).reverse();
    for (const rect of shapes) {
      const fill = getComputedStyle(rect).fill, at = rect.getBBox();
      if (fill !== 'none' && x >= at.x && x <= at.x + at.width && y >= at.y && y <= at.y + at.height) return rgb(fill);
    }
    for (let element = text.ownerSVGElement.parentElement; element; element = element.parentElement) {
      const color = rgb(getComputedStyle(element).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('svg text')].map(text =>
    [text.textContent, Math.round(ratio(rgb(getComputedStyle(text).fill), under(text)) * 100) / 100]);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_chart_number_has_contrast(browser, report, scheme):
    path, _ = report
    with Visit(browser, path, 1280, scheme) as visit:
        measured = visit.page.evaluate(SVG_CONTRAST)
    assert len(measured) > 250  # the bars' numbers, the calendar's days and its weekday letters
    assert [(text, ratio) for text, ratio in measured if ratio < 4.5] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, report, scheme):
    path, _ = report
    axe = (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    # The page's content security policy refuses every script, axe's too: this context lets it in.
    with Visit(browser, path, 375, scheme, bypass_csp=True) as visit:
        visit.page.add_script_tag(content=axe)
        results = visit.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
               for violation in results["violations"] if violation["impact"] in ("serious", "critical")]
    assert serious == []
    assert results["testEngine"]["version"].startswith("4.")
