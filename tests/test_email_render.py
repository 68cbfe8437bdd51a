"""The built email.html in real Chromium at phone (375 px) and desktop-client (600 px) widths."""

from __future__ import annotations

import re

import pytest

from touchgen.config import load_settings
from touchgen.mail.personalize import personalize, reader_values


@pytest.mark.parametrize("width", [375, 600])
def test_email_fits_and_shows_its_parts(sample_site, run, browser_page, width):
    run(sample_site, "build")
    settings = load_settings(sample_site)
    built = (sample_site / "output/newsletter/small-promises-kept/email.html").read_text(encoding="utf-8")
    html = personalize(built, reader_values(settings, "small-promises-kept", "Ada Lovelace", "ada@example.com"),
                       html_escape=True)
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 1600})
    page.set_content(html)
    scroll_width, height, button_right = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
        " document.querySelector('a[href*=\"cal.com\"]').getBoundingClientRect().right]")
    assert scroll_width <= width, f"the email scrolls sideways at {width} px ({scroll_width} px wide)"
    assert button_right <= width
    assert height > 800
    assert page.get_by_text("Hi Ada,").count() == 1
    shot = page.screenshot(full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser_page.problems == []


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
