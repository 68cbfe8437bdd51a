"""Small text helpers: counted words, names and email addresses (slugs: touchgen.site.slugs)."""

from __future__ import annotations

import re
import unicodedata

# A local part of anything but spaces and the characters that delimit addresses (so josé@ too), and
# a domain of letters (any script: exämple.com), digits and inner hyphens.
EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+$")
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): invisible,
# they make text show in another order than it is stored ("Trojan Source", CVE-2021-42574). The
# marks (LRM, RLM, ALM) only steer neutral characters and are left alone.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 post', '2 posts'; `many` for irregular words ('person', 'people')."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def valid_email(text: str) -> bool:
    """A plain address such as ada@example.com or josé@exämple.com (no display name, no spaces)."""
    return bool(EMAIL_RE.match(text)) and "_" not in text.rpartition("@")[2]


def normalize_email(address: str) -> str:
    """One form for one mailbox: the domain in lower case and in Unicode (xn--exmple-cua.com is
    exämple.com), a non-ASCII local part in lower case. An ASCII local part keeps its case: the
    store compares those case-insensitively already."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip()
    try:
        domain = domain.encode("ascii").decode("idna") if domain.isascii() else domain
    except UnicodeError:
        pass
    return f"{local if local.isascii() else local.lower()}@{domain.lower()}"


def ascii_address(address: str) -> str | None:
    """The address as SMTP without SMTPUTF8 carries it: the domain in IDNA (exämple.com becomes
    xn--exmple-cua.com); None when the local part itself is not ASCII (josé@), or the domain
    cannot be encoded."""
    if "@" not in address:
        return address if address.isascii() else None
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        return None
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return None


NAME_LIMIT = 200


def clean_name(name: str) -> str:
    """A person's name as one line: line breaks and control characters become spaces, runs of
    spaces one, and it is cut to NAME_LIMIT characters (a name must fit in a mail header)."""
    visible = "".join(" " if unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp")
                      else char for char in name)
    return " ".join(visible.split())[:NAME_LIMIT].rstrip()


def safe_filename(address: str) -> str:
    """An address as a file name: anything but letters (of any script), digits and @.+- becomes '_',
    and then a short hash of the address is added, so that a_b@ and a!b@ never share a file."""
    safe = re.sub(r"[^\w@.+-]", "_", address)
    if safe == address and "_" not in address:
        return safe
    import hashlib  # here, not at the top: the command line starts without it

    return f"{safe}-{hashlib.sha256(address.encode('utf-8')).hexdigest()[:8]}"


def printable(text: str) -> str:
    """Text as a terminal may show it: control characters (such as escape sequences) and bidirectional
    controls (which would turn the rest of the line around) become '?'."""
    return BIDI_CONTROLS.sub("?", re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "?", text))


def bidi_control(text: str) -> str | None:
    """The first bidirectional control in `text` described for a message, such as
    'U+202E (RIGHT-TO-LEFT OVERRIDE)'; None when there is none."""
    found = BIDI_CONTROLS.search(text)
    return f"U+{ord(found.group()):04X} ({unicodedata.name(found.group())})" if found else None


def visible(text: str) -> str:
    """`text` with each bidirectional control written as its escape (\\u202e), safe to quote in a message."""
    return BIDI_CONTROLS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
