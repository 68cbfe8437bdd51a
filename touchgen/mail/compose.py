"""A built newsletter (read from output/newsletter/<slug>/) and each reader's message as MIME bytes."""

from __future__ import annotations

import binascii
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import urlsplit

from ..clock import utc_iso
from ..config import Settings
from ..errors import SendError
from ..paths import EMAIL_HTML, EMAIL_META, EMAIL_TEXT, NEWSLETTER_FOLDER, OUTPUT
from ..text import LINE_BREAKS, ascii_address
from .personalize import personalize, reader_values, unsubscribe_links

CRLF = "\r\n"


@dataclass(frozen=True)
class Letter:
    """A built newsletter: what email.json says of the post, and the email with placeholders."""

    slug: str
    title: str
    subject: str
    html: str
    text: str
    edition: str = ""  # the post's date in UTC: a new post on an old slug is a new edition


def load_letter(settings: Settings, slug: str, now: dt.datetime) -> Letter:
    """The built email of a published post; refuse drafts, scheduled posts and posts not built.
    Only the posts' front matter is read: sending never loads a renderer."""
    from ..site.content import load_content
    from ..site.fingerprint import settings_digest, templates_digest

    content = load_content(settings)
    post = next((p for p in content.posts if p.slug == slug), None)
    if post is None:
        known = ", ".join(p.slug for p in content.posts[:5])
        raise SendError(f"no post with the slug '{slug}' (newest: {known})")
    if post.draft:
        raise SendError(f"{post.source}: '{slug}' is a draft; set draft: false and run touchgen build first")
    if post.date is not None and post.date > now:
        raise SendError(f"{post.source}: '{slug}' is scheduled for {post.date.date()}; send it on or after that day")
    shown = OUTPUT / NEWSLETTER_FOLDER / slug
    folder = settings.paths.newsletter / slug
    try:
        meta = json.loads((folder / EMAIL_META).read_text(encoding="utf-8"))
        html = (folder / EMAIL_HTML).read_text(encoding="utf-8")
        text = (folder / EMAIL_TEXT).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SendError(f"{shown.as_posix()}/{EMAIL_HTML} is missing; run touchgen build first") from None
    except (ValueError, UnicodeDecodeError):
        raise SendError(f"{shown.as_posix()}/{EMAIL_META} cannot be read; run touchgen build again") from None
    stale = [what for what, key, now_digest in (
        (post.source, "source_sha256", post.digest),
        ("touchgen.toml ([site] or [newsletter])", "settings_sha256", settings_digest(settings)),
        ("the email templates", "templates_sha256", templates_digest(settings)),
    ) if meta.get(key) != now_digest]
    if stale:
        raise SendError(f"{shown.as_posix()}/ was built before the last change to {' and '.join(stale)}; "
                        "run touchgen build first (nothing was sent)")
    edition = utc_iso(post.date) if post.date is not None else ""
    return Letter(slug, str(meta.get("title", post.title)), str(meta.get("subject", post.title)), html, text, edition)


def sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.newsletter.from_)[1]
    return address.rpartition("@")[2] or urlsplit(settings.site.url).hostname or "localhost"


def new_message_id(settings: Settings, slug: str) -> str:
    return f"{slug}.{secrets.token_hex(8)}@{sender_domain(settings)}"


def _check_line(name: str, value: str) -> None:
    if any(char in LINE_BREAKS for char in value):
        raise SendError(f"the {name} header would contain a line break: {value!r} (remove it)")


def _fold(name: str, value: str, width: int = 78) -> str:
    """'Name: value' folded at spaces to lines of `width` where a space allows. The value's first
    word stays on the first line, so unfolding gives back exactly `value`."""
    words = value.split(" ")
    lines = [f"{name}: {words[0]}"]
    for word in words[1:]:
        if word and len(lines[-1]) + 1 + len(word) > width:
            lines.append(" " + word)
        else:
            lines[-1] += " " + word
    return CRLF.join(lines)


def _header(name: str, value: str) -> bytes:
    """One header line, folded; RFC 2047-encoded when not ASCII; refuses line breaks (no injection)."""
    _check_line(name, value)
    if value.isascii():
        return f"{_fold(name, value)}\r\n".encode("ascii")
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=CRLF)}\r\n".encode("ascii")


def _address_header(name: str, display: str, address: str) -> bytes:
    """An address header whose display name may need RFC 2047 encoding; an internationalised domain
    goes as IDNA, a non-ASCII local part as UTF-8 (RFC 6532, sent with SMTPUTF8). Refuses line
    breaks and a line longer than SMTP allows (998 characters)."""
    _check_line(name, display + address)
    wire = ascii_address(address) or address
    if wire.isascii():
        value = formataddr((display, wire), charset="utf-8")
    elif not display:
        value = wire
    else:  # formataddr takes only ASCII addresses: the display name is made with a stand-in
        stand_in = "<x@x>"
        value = formataddr((display, stand_in[1:-1]), charset="utf-8").removesuffix(stand_in) + f"<{wire}>"
    line = f"{name}: {value}"
    if max(len(part.encode("utf-8")) for part in line.split(CRLF)) > 998:
        raise SendError(f"the {name} header would be longer than 998 characters (shorten the name)")
    return f"{line}\r\n".encode("utf-8")


def _part(content_type: str, body: str) -> bytes:
    data = binascii.b2a_qp(body.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"), istext=True)
    return (f"Content-Type: {content_type}; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") + data


class Composer:
    """Writes each reader's message as it goes over SMTP: multipart/alternative with the text part
    first, From, Reply-To, To, Subject, Date, Message-ID and the list headers.

    The headers every reader shares are encoded once per post, and messages are composed directly
    rather than through email.message.EmailMessage, whose header parsing costs milliseconds a
    message; the tests parse every message back with the standard library."""

    def __init__(self, settings: Settings, letter: Letter) -> None:
        newsletter = settings.newsletter
        if not newsletter.from_:
            raise SendError("touchgen.toml: [newsletter] from is empty (set it, such as: "
                            "from = \"Jane <jane@example.com>\")")
        self.settings = settings
        self.letter = letter
        self.shared = b"".join([
            _address_header("From", *parseaddr(newsletter.from_)),
            _address_header("Reply-To", "", settings.reply_address),
            _header("Subject", letter.subject),
            # The list's name is a phrase, encoded on its own, so <list-id> stays readable (RFC 2919).
            _address_header("List-Id", settings.site.title, newsletter.list_id or sender_domain(settings)),
        ])

    def message(self, name: str, address: str, message_id: str, date: dt.datetime) -> bytes:
        values = reader_values(self.settings, self.letter.slug, name, address)
        mailto, https = unsubscribe_links(self.settings, address)
        links = ", ".join(f"<{link}>" for link in (mailto, https) if link)
        boundary = f"=_touchgen_{secrets.token_hex(12)}"
        head = [
            self.shared,
            _address_header("To", name, address),
            _header("Date", format_datetime(date)),
            _header("Message-ID", f"<{message_id}>"),
        ]
        if links:
            head.append(_header("List-Unsubscribe", links))
        if https:
            head.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
        head.append(b"MIME-Version: 1.0\r\n")
        head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii"))
        return b"".join([
            *head, f"--{boundary}\r\n".encode("ascii"),
            _part("text/plain", personalize(self.letter.text, values, html_escape=False)),
            f"\r\n--{boundary}\r\n".encode("ascii"),
            _part("text/html", personalize(self.letter.html, values, html_escape=True)),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ])


def build_message(settings: Settings, letter: Letter, name: str, address: str, message_id: str,
                  date: dt.datetime) -> bytes:
    """One reader's message (see Composer)."""
    return Composer(settings, letter).message(name, address, message_id, date)
