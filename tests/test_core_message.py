"""touchgen.mail.compose.build_message parsed back by the standard library: headers, parts, placeholders."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from conftest import token
from touchgen.config import Settings, load_settings
from touchgen.errors import SendError
from touchgen.mail.compose import Letter, build_message

DATE = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.timezone.utc)
MESSAGE_ID = "welcome.0123456789abcdef@example.com"
BOOKING = "https://cal.com/jane/30min?utm_source=newsletter&utm_medium=email&utm_campaign=welcome"
MAILTO = "mailto:unsubscribe@example.com?subject=unsubscribe"
TEXT = ("Hi %%FIRST_NAME%%,\n"
        "This went to %%EMAIL%%.\n"
        "Book a call: %%BOOKING_URL%%\n"
        "Unsubscribe: %%UNSUBSCRIBE_URL%%\n")
HTML = ('<p>Hi %%FIRST_NAME%%,</p>\n<p>This went to %%EMAIL%%.</p>\n'
        '<a href="%%BOOKING_URL%%">Book</a> <a href="%%UNSUBSCRIBE_URL%%">Unsubscribe</a>\n')
LETTER = Letter("welcome", "Welcome", "Welcome: why I write on Mondays", HTML, TEXT)


def configure(site: Path, **replacements: str) -> Settings:
    """The site's settings with each `key = "value"` line of touchgen.toml given a new value."""
    config = site / "touchgen.toml"
    text = config.read_text(encoding="utf-8")
    for key, value in replacements.items():
        old = next(line for line in text.splitlines() if line.startswith(f"{key.rstrip('_')} = "))
        text = text.replace(old, f"{key.rstrip('_')} = {value}")
    config.write_text(text, encoding="utf-8")
    return load_settings(site)


def raw(settings: Settings, letter: Letter = LETTER, name: str = "Ann Smith",
        address: str = "ann@example.com") -> bytes:
    return build_message(settings, letter, name, address, MESSAGE_ID, DATE)


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


@pytest.fixture
def settings(site) -> Settings:
    return load_settings(site)


def test_the_headers(settings):
    message = parse(raw(settings))
    assert message["From"] == "Jane Doe <jane@example.com>"
    assert message["Reply-To"] == "jane@example.com"
    assert message["To"] == "Ann Smith <ann@example.com>"
    assert message["Subject"] == "Welcome: why I write on Mondays"
    assert message["Date"] == "Mon, 23 Nov 2026 07:00:00 +0000"
    assert message["Date"].datetime == DATE
    assert message["Message-ID"] == f"<{MESSAGE_ID}>"
    assert message["List-Id"] == "My Monday Letter <monday.example.com>"
    assert message["List-Unsubscribe"] == f"<{MAILTO}>"
    assert message["List-Unsubscribe-Post"] is None
    assert message["MIME-Version"] == "1.0"
    assert [name for name in message.keys()] == [
        "From", "Reply-To", "Subject", "List-Id", "To", "Date", "Message-ID", "List-Unsubscribe", "MIME-Version",
        "Content-Type"]


def test_reply_to_falls_back_to_from_and_list_id_to_its_domain(site):
    settings = configure(site, reply_to='""', list_id='""', from_='"Jane Doe <jane@letters.example.org>"')
    message = parse(raw(settings))
    assert message["Reply-To"] == "jane@letters.example.org"
    assert message["List-Id"] == "My Monday Letter <letters.example.org>"


@pytest.mark.parametrize("name, display, header", [
    ("Zoë Ünïcode", "Zoë Ünïcode", "=?utf-8?b?Wm/DqyDDnG7Dr2NvZGU=?= <zoe@example.com>"),
    ("Ann O'Neil, Jr.", "Ann O'Neil, Jr.", "\"Ann O'Neil, Jr.\" <zoe@example.com>"),
    ('Ann "the pen" Smith', 'Ann "the pen" Smith', '"Ann \\"the pen\\" Smith" <zoe@example.com>'),
    ("", "", "zoe@example.com"),
], ids=["non-ascii", "comma", "quotes", "no-name"])
def test_the_to_header_round_trips(settings, name, display, header):
    data = raw(settings, name=name, address="zoe@example.com")
    assert f"\r\nTo: {header}\r\n".encode("ascii") in data
    [address] = parse(data)["To"].addresses
    assert (address.display_name, address.addr_spec) == (display, "zoe@example.com")


@pytest.mark.parametrize("subject", [
    "Ünïcode " * 20 + "end",
    "Émoji 🎉 and more " * 12 + "x",
    "日本語の件名です" * 20,
    "Plain words that are long enough to be folded over more than one line of the header, " * 3 + "end",
    "Two  spaces  kept, and a tab\tkept, in a subject long enough to be folded onto a second line",
], ids=["latin", "emoji", "cjk-no-spaces", "long-ascii", "inner-whitespace"])
def test_a_long_subject_round_trips_in_short_lines(settings, subject):
    letter = Letter("welcome", "Welcome", subject, HTML, TEXT)
    data = raw(settings, letter)
    message = parse(data)
    assert message["Subject"] == subject
    head = data.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert max(len(line) for line in head.split(b"\r\n") if not line.startswith(b"Content-Type:")) <= 78
    assert message.defects == []


def test_a_long_subject_without_spaces_round_trips(settings):
    subject = "https://example.com/" + "a" * 80
    message = parse(raw(settings, Letter("welcome", "Welcome", subject, HTML, TEXT)))
    assert message["Subject"] == subject


def test_a_non_ascii_site_title_keeps_the_list_id_readable(site):
    settings = configure(site, title='"Lettre du lündi"')
    data = raw(settings)
    assert b"<monday.example.com>" in data.split(b"\r\n\r\n", 1)[0]
    assert parse(data)["List-Id"] == "Lettre du lündi <monday.example.com>"


@pytest.mark.parametrize("unsubscribe_email, unsubscribe_url, header, post", [
    ('"unsubscribe@example.com"', '""', f"<{MAILTO}>", None),
    ('"unsubscribe@example.com"', '"https://example.com/unsubscribe"',
     f"<{MAILTO}>, <https://example.com/unsubscribe?email=ann%40example.com&token={token('ann@example.com')}>",
     "List-Unsubscribe=One-Click"),
    ('""', '"https://example.com/unsubscribe?list=monday"',
     f"<https://example.com/unsubscribe?list=monday&email=ann%40example.com&token={token('ann@example.com')}>",
     "List-Unsubscribe=One-Click"),
    ('""', '""', None, None),
], ids=["mailto-only", "mailto-and-https", "https-only", "neither"])
def test_list_unsubscribe(site, unsubscribe_email, unsubscribe_url, header, post):
    settings = configure(site, unsubscribe_email=unsubscribe_email, unsubscribe_url=unsubscribe_url)
    message = parse(raw(settings))
    assert message["List-Unsubscribe"] == header
    assert message["List-Unsubscribe-Post"] == post
    assert message.defects == []


def test_multipart_alternative_with_the_text_part_first_and_no_defects(settings):
    message = parse(raw(settings, name="Zoë Ünïcode"))
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_param("boundary").startswith("=_touchgen_")
    children = list(message.iter_parts())
    assert [part.get_content_type() for part in children] == ["text/plain", "text/html"]
    assert [part.get_content_charset() for part in children] == ["utf-8", "utf-8"]
    assert [part["Content-Transfer-Encoding"] for part in children] == ["quoted-printable"] * 2
    assert [part.defects for part in message.walk()] == [[], [], []]


def test_every_message_has_its_own_boundary(settings):
    first, second = parse(raw(settings)), parse(raw(settings))
    assert first.get_param("boundary") != second.get_param("boundary")


def test_the_placeholders_are_filled_for_the_reader(settings):
    text, html = parts(parse(raw(settings, name="Ann Smith", address="ann@example.com")))
    # The message is in its wire form: each line ends in CRLF.
    assert text == ("Hi Ann,\r\n"
                    "This went to ann@example.com.\r\n"
                    f"Book a call: {BOOKING}\r\n"
                    f"Unsubscribe: {MAILTO}\r\n")
    assert html == ("<p>Hi Ann,</p>\r\n<p>This went to ann@example.com.</p>\r\n"
                    f'<a href="{BOOKING.replace("&", "&amp;")}">Book</a> <a href="{MAILTO}">Unsubscribe</a>\r\n')
    assert "%%" not in text + html


@pytest.mark.parametrize("name, first", [
    ("Ann Smith", "Ann"),
    ("  Zoë   Ünïcode ", "Zoë"),
    ("", "there"),
    ("   ", "there"),
], ids=["two-words", "spaces", "empty", "blank"])
def test_the_first_name(settings, name, first):
    text, html = parts(parse(raw(settings, name=name)))
    assert text.splitlines()[0] == f"Hi {first},"
    assert html.splitlines()[0] == f"<p>Hi {first},</p>"


def test_the_html_part_escapes_the_name_and_the_text_part_does_not(settings):
    message = parse(raw(settings, name="<b>Ann</b> & co"))
    text, html = parts(message)
    assert text.splitlines()[0] == "Hi <b>Ann</b>,"
    assert html.splitlines()[0] == "<p>Hi &lt;b&gt;Ann&lt;/b&gt;,</p>"
    assert message["To"].addresses[0].display_name == "<b>Ann</b> & co"


def test_prefill_email_adds_the_address_to_the_booking_link(site):
    settings = configure(site, prefill_email="true", unsubscribe_url='"https://example.com/unsubscribe"')
    text, html = parts(parse(raw(settings, address="ann+news@example.com")))
    assert text.splitlines()[2] == f"Book a call: {BOOKING}&email=ann%2Bnews%40example.com"
    link = f"https://example.com/unsubscribe?email=ann%2Bnews%40example.com&token={token('ann+news@example.com')}"
    assert text.splitlines()[3] == f"Unsubscribe: {link}"
    assert f'<a href="{link.replace("&", "&amp;")}">Unsubscribe</a>' in html


@pytest.mark.parametrize("subject", ["Line one\nLine two", "Carriage\rreturn", "Injected\r\nBcc: x@example.com"],
                         ids=["lf", "cr", "crlf-injection"])
def test_a_line_break_in_the_subject_is_refused(settings, subject):
    with pytest.raises(SendError) as caught:
        raw(settings, Letter("welcome", "Welcome", subject, HTML, TEXT))
    assert str(caught.value) == f"the Subject header would contain a line break: {subject!r} (remove it)"


def test_a_line_break_in_the_name_is_refused(settings):
    with pytest.raises(SendError) as caught:
        raw(settings, name="Ann\r\nBcc: x@example.com")
    assert str(caught.value) == ("the To header would contain a line break: "
                                 "'Ann\\r\\nBcc: x@example.comann@example.com' (remove it)")


def test_an_empty_from_is_refused(site):
    settings = configure(site, from_='""')
    with pytest.raises(SendError) as caught:
        raw(settings)
    assert str(caught.value) == ('touchgen.toml: [newsletter] from is empty (set it, such as: '
                                 'from = "Jane <jane@example.com>")')
