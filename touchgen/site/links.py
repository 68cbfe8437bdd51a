"""The links a post and its email carry: reply by mail, book a call (tagged with the post)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urljoin, urlsplit, urlunsplit

from ..config import Settings


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to (or replacing those in) its query string."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def reply_link(settings: Settings, title: str, address: str | None = None) -> str:
    """A mailto: link that starts a reply to the post titled `title`, or '' with no address
    (`address`: settings.reply_address, when the caller has it already)."""
    address = settings.reply_address if address is None else address
    return f"mailto:{address}?subject={quote('Re: ' + title)}" if address else ""


def subscribe_link(settings: Settings) -> str:
    """A mailto: link to the author with the subject 'subscribe': sent from the reader's own address,
    it confirms that address (touchgen import replies records it as a subscription)."""
    address = settings.reply_address
    return f"mailto:{address}?subject=subscribe" if address else ""


def booking_link(settings: Settings, campaign: str, source: str, medium: str) -> str:
    """booking_url tagged so a booked call can be attributed to the post `campaign`."""
    url = settings.newsletter.booking_url
    if not url:
        return ""
    return with_query(url, {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})


CAMPAIGN = "TOUCHGENCAMPAIGN"  # stands for a post's slug (which urlencode leaves as it is)


@dataclass(frozen=True)
class Links:
    """What every entry's reply and booking links are made from: made once a build, and sent to the
    workers with the entries (a function would not go)."""

    settings: Settings
    address: str  # settings.reply_address
    template: str  # the site's booking link with CAMPAIGN for the slug ('' when there is none or it cannot be)

    @classmethod
    def of(cls, settings: Settings) -> Links:
        template = booking_link(settings, CAMPAIGN, "site", "web")
        return cls(settings, settings.reply_address, template if template.count(CAMPAIGN) == 1 else "")

    def reply(self, title: str) -> str:
        return reply_link(self.settings, title, self.address)

    def booking(self, slug: str) -> str:
        if self.template:
            return self.template.replace(CAMPAIGN, quote_plus(slug))
        return booking_link(self.settings, slug, "site", "web")


LINK_ATTRIBUTE_RE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def absolute_links(fragment: str, base: str) -> str:
    """`fragment` (HTML) with every relative href and src made absolute against `base` (a page's
    canonical URL), footnote links such as '#fn:1' included: what feeds and emails need, since a
    feed reader or a mail client has no page to resolve them against."""

    scheme = urlsplit(base).scheme

    def absolute(match: re.Match[str]) -> str:
        written = match.group(2)
        made = _MADE.get((scheme, written))
        if made is None:
            url = html.unescape(written)
            made = html.escape(urljoin(base, url), quote=True)
            if scheme and _OWN_HOST.match(url) and not _REMOVED.search(url):  # a page of none: urljoin may not read it
                if len(_MADE) >= _MADE_SIZE:
                    _MADE.clear()
                _MADE[scheme, written] = made
        return match.group(1) + made + match.group(3)

    return LINK_ATTRIBUTE_RE.sub(absolute, fragment)


# A link with a scheme and a host of its own comes out of urljoin the same whatever the page, as long
# as the page's scheme is the same: each is worked out once (an email and a feed carry a post's
# every link, and a site's posts share many). urljoin removes tabs and line breaks first.
_OWN_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9._~%!$&'()*+,;=:@\[\]-]+(?:[/?#]|\Z)")
_REMOVED = re.compile(r"[\t\r\n]")
_MADE: dict[tuple[str, str], str] = {}  # (the page's scheme, the link as written) -> the link to write
_MADE_SIZE = 20_000
