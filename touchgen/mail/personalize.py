"""Fill a built email's placeholders for one reader: first name, address, unsubscribe and booking links."""

from __future__ import annotations

import html

from ..config import Settings
from ..site.links import booking_link, with_query
from ..site.placeholders import Placeholder

FALLBACK_FIRST_NAME = "there"


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


def reader_values(settings: Settings, slug: str, name: str, address: str) -> dict[Placeholder, str]:
    """The values that replace the placeholders for one reader."""
    mailto, https = unsubscribe_links(settings, address)
    booking = booking_link(settings, slug, "newsletter", "email")
    if booking and settings.newsletter.prefill_email:
        booking = with_query(booking, {"email": address})
    return {Placeholder.FIRST_NAME: first_name(name), Placeholder.EMAIL: address,
            Placeholder.UNSUBSCRIBE_URL: https or mailto, Placeholder.BOOKING_URL: booking}


def personalize(template: str, values: dict[Placeholder, str], html_escape: bool) -> str:
    """Fill the placeholders by plain substitution; values are HTML-escaped for the HTML part."""
    for placeholder, value in values.items():
        template = template.replace(placeholder.value, html.escape(value) if html_escape else value)
    return template
