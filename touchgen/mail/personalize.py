"""Fill a built email's placeholders for one reader: first name, address, unsubscribe and booking links."""

from __future__ import annotations

import hashlib
import hmac
import html
import os

from ..config import Settings
from ..errors import SendError, TouchgenError
from ..site.links import booking_link, with_query
from ..site.placeholders import Placeholder

FALLBACK_FIRST_NAME = "there"


def first_name(name: str) -> str:
    """The first word of a name, or a friendly fallback when the name is unknown."""
    words = name.split()
    return words[0] if words else FALLBACK_FIRST_NAME


def unsubscribe_token(secret: str, address: str) -> str:
    """The token that proves an unsubscribe link was made for `address`: an HMAC of the address."""
    return hmac.new(secret.encode("utf-8"), address.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def unsubscribe_secret(settings: Settings) -> str:
    return os.environ.get(settings.newsletter.unsubscribe_secret_env, "")


def check_unsubscribe(settings: Settings) -> None:
    """Refuse to mail anyone without a way to leave: an unsubscribe address or link, and for a link
    the secret that signs each reader's token (so nobody can unsubscribe someone else)."""
    newsletter = settings.newsletter
    if not newsletter.unsubscribe_email and not newsletter.unsubscribe_url:
        raise SendError("touchgen.toml: [newsletter] has neither unsubscribe_email nor unsubscribe_url; every "
                        "newsletter must offer a way to leave (set unsubscribe_email = \"unsubscribe@...\")")
    if newsletter.unsubscribe_url and not unsubscribe_secret(settings):
        raise SendError(f"touchgen.toml: [newsletter] unsubscribe_url is set but ${newsletter.unsubscribe_secret_env} "
                        "(unsubscribe_secret_env) is unset or empty; set it to a long random secret, which signs "
                        "each reader's unsubscribe link")


def verify_unsubscribe_token(settings: Settings, address: str, token: str) -> None:
    """Raise unless `token` is the one the unsubscribe link for `address` carried."""
    secret = unsubscribe_secret(settings)
    if not secret:
        raise TouchgenError(f"${settings.newsletter.unsubscribe_secret_env} is unset or empty: no token can be "
                            "checked without the secret that signed it")
    if not hmac.compare_digest(unsubscribe_token(secret, address), token.strip()):
        raise TouchgenError(f"the token does not belong to {address} (was the link copied whole?); nothing was changed")


def unsubscribe_links(settings: Settings, address: str) -> tuple[str, str]:
    """(mailto link, https link or '') for the reader at `address`; the https link carries the
    reader's token."""
    newsletter = settings.newsletter
    mailto = f"mailto:{newsletter.unsubscribe_email}?subject=unsubscribe" if newsletter.unsubscribe_email else ""
    https = ""
    if newsletter.unsubscribe_url:
        https = with_query(newsletter.unsubscribe_url,
                           {"email": address, "token": unsubscribe_token(unsubscribe_secret(settings), address)})
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
