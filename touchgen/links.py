"""Small URL and address helpers shared by the site and the newsletter."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .config import Settings


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to (or replacing those in) its query string."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def reply_address(settings: Settings) -> str:
    """The address replies go to: reply_to, else the address in `from`."""
    newsletter = settings.newsletter
    return parseaddr(newsletter.reply_to or newsletter.from_)[1]


def reply_link(settings: Settings, title: str) -> str:
    """A mailto: link that starts a reply to the post titled `title`, or '' with no address."""
    address = reply_address(settings)
    return f"mailto:{address}?subject={quote('Re: ' + title)}" if address else ""


def booking_link(settings: Settings, campaign: str, source: str, medium: str) -> str:
    """booking_url tagged so a booked call can be attributed to the post `campaign`."""
    url = settings.newsletter.booking_url
    if not url:
        return ""
    return with_query(url, {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})
