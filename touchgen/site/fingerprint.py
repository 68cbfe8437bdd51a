"""What a built email was built from, as hashes: the post's source, the settings that shape an
email ([site] and [newsletter]) and the email templates. The build writes them into email.json;
send compares them with the files as they are now, so a stale email is never sent by accident."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from ..config import Settings
from ..paths import TEMPLATES, default_theme

EMAIL_TEMPLATES = ("email/newsletter.mjml", "email/newsletter.txt")


def settings_digest(settings: Settings) -> str:
    shaping = {"site": dataclasses.asdict(settings.site), "newsletter": dataclasses.asdict(settings.newsletter)}
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode("utf-8")).hexdigest()


def templates_digest(settings: Settings) -> str:
    """The email templates in use: the site's own where it has one, else the default theme's."""
    digest = hashlib.sha256()
    for name in EMAIL_TEMPLATES:
        own = settings.root / TEMPLATES / name
        path = own if own.is_file() else default_theme() / name
        digest.update(name.encode("utf-8") + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()
