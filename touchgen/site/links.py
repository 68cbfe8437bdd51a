"""The links a post and its email carry: reply by mail, book a call (tagged with the post)."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..config import Settings


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to (or replacing those in) its query string."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def reply_link(settings: Settings, title: str) -> str:
    """A mailto: link that starts a reply to the post titled `title`, or '' with no address."""
    address = settings.reply_address
    return f"mailto:{address}?subject={quote('Re: ' + title)}" if address else ""


def booking_link(settings: Settings, campaign: str, source: str, medium: str) -> str:
    """booking_url tagged so a booked call can be attributed to the post `campaign`."""
    url = settings.newsletter.booking_url
    if not url:
        return ""
    return with_query(url, {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})
