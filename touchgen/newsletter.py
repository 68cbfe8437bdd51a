"""Newsletter emails: Jinja2 then MJML once per post; per-reader values are placeholders filled at send time."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from .config import Settings
from .errors import TemplateError
from .links import booking_link, with_query
from .site import Site, template_site
from .theme import Theme

NEWSLETTER_DIR = "newsletter"
FIRST_NAME = "%%FIRST_NAME%%"
EMAIL = "%%EMAIL%%"
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"
BOOKING_URL = "%%BOOKING_URL%%"
FALLBACK_FIRST_NAME = "there"


@dataclass(frozen=True)
class ReaderPlaceholders:
    """What templates see as `reader`: each value is replaced per reader when sending."""

    first_name: str = FIRST_NAME
    email: str = EMAIL
    unsubscribe_url: str = UNSUBSCRIBE_URL
    booking_url: str = BOOKING_URL


def render_newsletters(site: Site, theme: Theme) -> dict[str, bytes]:
    """newsletter/<slug>/email.mjml, email.html and email.txt for every published post."""
    from mjml import mjml2html

    settings = site.settings
    files: dict[str, bytes] = {}
    for post in site.posts:
        context: dict[str, Any] = {
            "site": template_site(settings),
            "post": post,
            "web_url": post.canonical,
            "booking": bool(settings.newsletter.booking_url),
            "reader": ReaderPlaceholders(),
        }
        mjml = theme.render("email/newsletter.mjml", **context)
        try:
            rendered = mjml2html(mjml, disable_comments=True)
        except ValueError as exc:
            raise TemplateError(theme.shown(theme.filename("email/newsletter.mjml")), None,
                                f"is not valid MJML for post '{post.slug}': {exc} "
                                "(check that every mj- tag is closed and allowed where it is)") from None
        folder = f"{NEWSLETTER_DIR}/{post.slug}"
        files[f"{folder}/email.mjml"] = mjml.encode("utf-8")
        files[f"{folder}/email.html"] = rendered.encode("utf-8")
        files[f"{folder}/email.txt"] = theme.render("email/newsletter.txt", **context).encode("utf-8")
    return files


def first_name(name: str) -> str:
    """The first word of a name, or a friendly fallback when the name is unknown."""
    words = name.split()
    return words[0] if words else FALLBACK_FIRST_NAME


def unsubscribe_links(settings: Settings, address: str) -> tuple[str, str]:
    """(mailto link, https link or '') for the reader at `address`."""
    newsletter = settings.newsletter
    mailto = f"mailto:{newsletter.unsubscribe_email}?subject=unsubscribe" if newsletter.unsubscribe_email else ""
    https = with_query(newsletter.unsubscribe_url, {"email": address}) if newsletter.unsubscribe_url else ""
    return mailto, https


def reader_values(settings: Settings, slug: str, name: str, address: str) -> dict[str, str]:
    """The values that replace the placeholders for one reader."""
    mailto, https = unsubscribe_links(settings, address)
    booking = booking_link(settings, slug, "newsletter", "email")
    if booking and settings.newsletter.prefill_email:
        booking = with_query(booking, {"email": address})
    return {FIRST_NAME: first_name(name), EMAIL: address, UNSUBSCRIBE_URL: https or mailto,
            BOOKING_URL: booking}


def personalize(template: str, values: dict[str, str], html_escape: bool) -> str:
    """Fill the placeholders by plain substitution; values are HTML-escaped for the HTML part."""
    for placeholder, value in values.items():
        template = template.replace(placeholder, html.escape(value) if html_escape else value)
    return template
