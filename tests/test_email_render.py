"""The built email.html in real Chromium at phone (375 px) and desktop-client (600 px) widths."""

from __future__ import annotations

import re
import shutil
from html import escape
import struct
import subprocess
from pathlib import Path

import pytest

from touchgen.config import load_settings
from touchgen.mail.personalize import personalize, reader_values

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
# Headless Chromium keeps its window at least 500 px wide, so the email is measured inside an
# iframe of the exact width; srcdoc keeps it same-origin, so the page can look inside.
HOST = """<!doctype html><html><body style="margin:0">
<iframe id="email" style="width:{width}px;height:1600px;border:0" srcdoc="{srcdoc}"></iframe>
<script>
document.getElementById('email').addEventListener('load', function () {{
  var doc = this.contentDocument;
  var button = doc.querySelector('a[href*="cal.com"]').getBoundingClientRect();
  document.title = ['W', doc.documentElement.scrollWidth, 'H', doc.documentElement.scrollHeight,
                    'B', Math.round(button.right)].join(' ');
}});
</script></body></html>"""

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (tests/install-chromium.sh)")


def chromium(tmp_path: Path, width: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / f'profile-{width}'}",
                           f"--window-size={width},1600", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("width", [375, 600])
def test_email_fits_and_shows_its_parts(sample_site, run, tmp_path, width):
    run(sample_site, "build")
    settings = load_settings(sample_site)
    built = (sample_site / "output/newsletter/small-promises-kept/email.html").read_text(encoding="utf-8")
    html = personalize(built, reader_values(settings, "small-promises-kept", "Ada Lovelace", "ada@example.com"),
                       html_escape=True)
    page = tmp_path / "email.html"
    page.write_text(html, encoding="utf-8")
    host = tmp_path / "host.html"
    host.write_text(HOST.format(width=width, srcdoc=escape(html, quote=True)), encoding="utf-8")

    dom = chromium(tmp_path, width, "--dump-dom", host.as_uri())
    found = re.search(r"<title>W (\d+) H (\d+) B (\d+)</title>", dom.stdout)
    assert found, dom.stderr[-2000:]
    scroll_width, height, button_right = int(found[1]), int(found[2]), float(found[3])
    assert scroll_width <= width, f"the email scrolls sideways at {width} px ({scroll_width} px wide)"
    assert button_right <= width
    assert height > 800

    shot = tmp_path / f"email-{width}.png"
    chromium(tmp_path, width, f"--screenshot={shot}", host.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">I", data[20:24]) == (1600,)  # kept under the test's temporary folder


def test_email_has_preheader_dark_mode_and_web_link(sample_site, run):
    run(sample_site, "build")
    html = (sample_site / "output/newsletter/small-promises-kept/email.html").read_text(encoding="utf-8")
    preheader = html.split("<body")[1][:6000]
    assert "Trust is not built by big gestures" in preheader  # the mj-preview preheader
    assert "&#847;&zwnj;&nbsp;" * 90 + "</div>" in preheader  # padded: the inbox preview shows only the summary
    assert re.search(r'<meta name="color-scheme" content="light dark" ?/?>', html)
    assert "@media (prefers-color-scheme: dark)" in html
    assert 'href="https://example.com/posts/small-promises-kept/"' in html
    assert "Just hit reply." in html
    assert html.count("%%FIRST_NAME%%") == 1 and html.count("%%UNSUBSCRIBE_URL%%") == 1
    assert html.count("%%BOOKING_URL%%") == 1
    mjml = (sample_site / "output/newsletter/small-promises-kept/email.mjml").read_text(encoding="utf-8")
    assert mjml.startswith('<mjml lang="en">')


def test_mjml_error_names_the_template(site, run):
    template = site / "templates/email/newsletter.mjml"
    template.write_text(template.read_text().replace("</mj-column>", "", 1), encoding="utf-8")
    before = sorted(p.name for p in site.glob("output/**/*"))
    result = run(site, "build", code=1)
    assert result.stderr == (
        "Error: templates/email/newsletter.mjml: is not valid MJML for post 'welcome': "
        "unexpected end of stream in root template (check that every mj- tag is closed and allowed where it is)\n")
    assert sorted(p.name for p in site.glob("output/**/*")) == before
