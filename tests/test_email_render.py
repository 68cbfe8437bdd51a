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


SHOWN = {  # in place of the template's {{ post.body }}: whether it shows the body as it is
    "{{ post.body }}": True,
    "{% if post.title %}{{ post.body }}{% endif %}<p>{{ post.title }}</p>{{ post.body }}": True,
    "{{ post.body|upper }}": False,
    "{% set b = post.body %}{{ b }}": False,
    "{% for i in range(2) %}{{ post.body }}{% endfor %}": False,
    "{% filter upper %}{{ post.body }}{% endfilter %}": False,
    "{{ post.rendered.html }}": False,
    "{% macro m() %}{{ caller()|upper }}{% endmacro %}{% call m() %}{{ post.body }}{% endcall %}": False,
    "{% if post.body|length > 5 %}{{ post.body }}{% endif %}": False,
    "{{ post.body ~ '!' }}": False,
    "{% with p = post %}{{ p.body|upper }}{% endwith %}": False,
    "{% block b %}{{ post.body }}{% endblock %}{{ self.b()|upper }}": False,
    "{% include 'email/part.mjml' %}": False,
}


@pytest.mark.parametrize("shown", SHOWN)
def test_the_mjml_file_is_the_template_rendered_with_the_body(site, tmp_path, monkeypatch, shown):
    """email.mjml is newsletter.mjml rendered once, with a token for the body then the body put in,
    only when the template shows the body as it is; else it is rendered again: the same file either way."""
    from touchgen.site import newsletter
    from touchgen.site.build import build
    from touchgen.site.theme import Theme

    template = site / "templates/email/newsletter.mjml"
    template.write_text(template.read_text(encoding="utf-8").replace("{{ post.body }}", shown), encoding="utf-8")
    (site / "templates/email/part.mjml").write_text("{{ post.body|upper }}", encoding="utf-8")
    assert bool(newsletter._shows_body_as_is(Theme(site))) is SHOWN[shown]
    build(load_settings(site), jobs=1)
    monkeypatch.setattr(newsletter, "_shows_body_as_is", lambda theme: False)
    build(load_settings(site), jobs=1, cache=False, out=tmp_path / "again")
    made = (site / "output/newsletter/welcome/email.mjml").read_text(encoding="utf-8")
    assert made == (tmp_path / "again/newsletter/welcome/email.mjml").read_text(encoding="utf-8")
    assert "<p>" in made.lower() and newsletter.BODY_TOKEN not in made


def test_a_title_that_holds_the_body_token_gets_the_template_rendered_again(site, tmp_path, monkeypatch):
    """The one rendering with a token for the body is used only where the token is found as many times
    as the template shows the body: a post whose title holds it is rendered again."""
    from touchgen.site import newsletter
    from touchgen.site.build import build

    post = site / "content/posts/2026-11-23-welcome.md"
    post.write_text(post.read_text(encoding="utf-8").replace(
        'title: "', f'title: "{newsletter.BODY_TOKEN} ', 1), encoding="utf-8")
    build(load_settings(site), jobs=1)
    monkeypatch.setattr(newsletter, "_shows_body_as_is", lambda theme: 0)
    build(load_settings(site), jobs=1, cache=False, out=tmp_path / "again")
    made = (site / "output/newsletter/welcome/email.mjml").read_text(encoding="utf-8")
    assert made == (tmp_path / "again/newsletter/welcome/email.mjml").read_text(encoding="utf-8")
    assert made.count(newsletter.BODY_TOKEN) == 2  # the title, in mj-title and in the heading
