"""touchgen.toml: read, check every key's type, fill in defaults."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from typing import Any
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, LocatedError
from .files import parse_toml, read_utf8
from .paths import CONFIG_FILE, SitePaths
from .text import bidi_control

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAY_NAMES = [day[:3] for day in WEEKDAYS]  # as [touches] working_days writes them: mon, tue, ...


@dataclass(frozen=True)
class SiteSettings:
    """[site]: the website: its title, address, language, time zone, publish day and permalinks."""

    title: str = "Monday Inspiration"
    url: str = "https://example.com"
    author: str = ""
    language: str = "en"
    timezone: str = "UTC"
    publish_weekday: str = "monday"
    posts_per_page: int = 10
    description: str = ""
    permalink: str = "/posts/:slug/"


@dataclass(frozen=True)
class NewsletterSettings:
    """[newsletter]: who the emails come from, where replies and unsubscribes go, the booking link."""

    from_: str = ""
    reply_to: str = ""
    author_addresses: list[str] = field(default_factory=list)
    booking_url: str = ""
    prefill_email: bool = False
    unsubscribe_email: str = ""
    unsubscribe_url: str = ""
    unsubscribe_secret_env: str = "TOUCHGEN_UNSUBSCRIBE_SECRET"
    subscribe_url: str = ""
    list_id: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    """[smtp]: the server that sends the newsletter, and how fast."""

    host: str = "127.0.0.1"
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_env: str = "TOUCHGEN_SMTP_PASSWORD"
    rate_per_minute: int = 0
    allow_plain_login: bool = False


@dataclass(frozen=True)
class CadenceSettings:
    """[touches.cadence]: days between deliberate touches for each kind of person (0: never proposed)."""

    key_top: int = 21
    key: int = 30
    delivery: int = 45
    support: int = 60
    relationship: int = 30
    conversation: int = 60
    reader: int = 0


@dataclass(frozen=True)
class TouchesSettings:
    """[touches]: the daily touches: the yearly target, working days and holidays, whom to propose when."""

    yearly_target: int = 260
    working_days: list[str] = field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    holidays: list[str] = field(default_factory=list)
    quiet_days: int = 7
    lead_days: int = 14
    answer_within_days: int = 14
    cadence: CadenceSettings = field(default_factory=CadenceSettings)


@dataclass(frozen=True)
class StagesSettings:
    """[stages]: when a conversation becomes a relationship (contact on enough days, over a long enough span)."""

    relationship_min_days: int = 3
    relationship_min_span_days: int = 60


@dataclass(frozen=True)
class Settings:
    """All of touchgen.toml, checked and with defaults filled in, and the site folder it was read from."""

    root: Path
    site: SiteSettings
    newsletter: NewsletterSettings
    smtp: SmtpSettings
    touches: TouchesSettings
    stages: StagesSettings
    warnings: tuple[str, ...] = ()

    @property
    def base_path(self) -> str:
        """The path part of site.url, always ending in '/': links are made under it."""
        path = urlsplit(self.site.url).path
        return path.rstrip("/") + "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def publish_weekday_index(self) -> int:
        return WEEKDAYS.index(self.site.publish_weekday)

    @property
    def paths(self) -> SitePaths:
        return SitePaths(self.root)

    def fingerprint(self) -> str:
        """Every setting as text, the site folder by its full path: what a build's output depends on
        besides the files, the same however the folder was named ('.', 'mysite', /home/me/mysite)."""
        return repr(dataclasses.replace(self, root=self.root.resolve()))

    @property
    def reply_address(self) -> str:
        """The address replies go to: reply_to, else the address in `from`."""
        return parseaddr(self.newsletter.reply_to or self.newsletter.from_)[1]

    @property
    def own_addresses(self) -> set[str]:
        """The author's addresses, lower-cased: mail from them is never a reply, nor are they attendees."""
        own = {address.lower() for address in self.newsletter.author_addresses}
        for address in (parseaddr(self.newsletter.from_)[1], self.reply_address):
            if address:
                own.add(address.lower())
        return own

    def absolute(self, path: str) -> str:
        """The absolute URL of a site path such as 'posts/x/'."""
        return self.site.url.rstrip("/") + "/" + path.lstrip("/")


SECTIONS: dict[str, Any] = {
    "site": SiteSettings,
    "newsletter": NewsletterSettings,
    "smtp": SmtpSettings,
    "touches": TouchesSettings,
    "stages": StagesSettings,
}

# Path segments of literal characters and :year, :month, :day, :slug, ending in '/'.
PERMALINK_RE = re.compile(r"/(?:(?:[a-z0-9._~-]|:year|:month|:day|:slug)+/)+")
TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list of strings"}


def _key_line(text: str, section: str, key: str | None = None) -> int | None:
    """The line of [section] (or of key inside it) in the TOML text, for error messages."""
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]", line)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
            continue
        if current == section and key is not None and re.match(rf'^"?{re.escape(key)}"?\s*=', line):
            return number
        if current is None and key is None and re.match(rf'^"?{re.escape(section)}"?\s*=', line):
            return number  # a section written as a plain key: 'site = 3'
    return None


def _type_of(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _section(path: Path, text: str, name: str, raw: object, cls: Any, warnings: list[str]) -> object:
    if not isinstance(raw, dict):
        raise ConfigError(path, _key_line(text, name), f"[{name}] must be a table, not {_type_of(raw)}")
    hints = typing.get_type_hints(cls)
    known = {f.name.rstrip("_"): f.name for f in dataclasses.fields(cls)}
    values: dict[str, object] = {}
    for key, value in raw.items():
        if key not in known:
            line = _key_line(text, name, key)
            where = f"{path}:{line}" if line else str(path)
            warnings.append(f"{where}: warning: unknown setting '{key}' in [{name}] (known: {', '.join(sorted(known))})")
            continue
        expected = hints[known[key]]
        if dataclasses.is_dataclass(expected) and isinstance(expected, type):  # a table inside: [touches.cadence]
            values[known[key]] = _section(path, text, f"{name}.{key}", value, expected, warnings)
            continue
        origin = typing.get_origin(expected) or expected
        ok = isinstance(value, origin) and not (origin is int and isinstance(value, bool))
        if ok and origin is list:
            ok = all(isinstance(item, str) for item in value)
        if not ok:
            raise ConfigError(
                path, _key_line(text, name, key),
                f"[{name}] {key} must be {TYPE_NAMES[origin]}, not {_type_of(value)} ({value!r})",
            )
        values[known[key]] = value
    return cls(**values)


LARGEST = 100_000  # the most any number setting may be: beyond it, dates and SQLite overflow


def _web_address(url: str) -> bool:
    """`url` is an absolute http or https URL (such as https://example.com/x)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unclosed [ of an IPv6 address
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_values(path: Path, text: str, settings: Settings) -> None:
    site = settings.site

    def fail(section: str, key: str, message: str) -> typing.NoReturn:
        raise ConfigError(path, _key_line(text, section, key), f"[{section}] {key} {message}")

    if not _web_address(site.url):
        fail("site", "url", f"must be an absolute http(s) URL such as https://example.com, not {site.url!r}")
    for key in ("booking_url", "subscribe_url", "unsubscribe_url"):
        url = getattr(settings.newsletter, key)
        if url and not _web_address(url):
            fail("newsletter", key, f"must be an absolute http(s) URL such as https://cal.com/you, or \"\", not {url!r}")
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail("site", "timezone", f"{site.timezone!r} is not a known time zone (use a name such as Europe/Amsterdam or UTC)")
    if site.publish_weekday not in WEEKDAYS:
        fail("site", "publish_weekday", f"must be a day name such as monday, not {site.publish_weekday!r}")
    if not PERMALINK_RE.fullmatch(site.permalink) or ":slug" not in site.permalink:
        fail("site", "permalink", f"must be a path with :slug that ends in '/', such as /posts/:slug/ or "
                                  f"/:year/:month/:day/:slug/ (:year, :month, :day and :slug), not {site.permalink!r}")
    if site.permalink.split("/")[1] in ("tags", "page", "archive", "static"):
        fail("site", "permalink", f"starts with /{site.permalink.split('/')[1]}/, which the site uses itself")
    if site.posts_per_page < 1:
        fail("site", "posts_per_page", f"must be 1 or more, not {site.posts_per_page}")
    touches = settings.touches
    for day in touches.working_days:
        if day not in DAY_NAMES:
            fail("touches", "working_days", f"has {day!r}, which is not a day (use {', '.join(DAY_NAMES)})")
    for holiday in touches.holidays:
        try:
            dt.date.fromisoformat(holiday)
        except ValueError:
            fail("touches", "holidays", f"has {holiday!r}, which is not a date (use YYYY-MM-DD)")
    for key in ("yearly_target", "quiet_days", "lead_days", "answer_within_days"):
        if getattr(touches, key) < 0:
            fail("touches", key, f"must be 0 or more, not {getattr(touches, key)}")
    for item in dataclasses.fields(CadenceSettings):
        days = getattr(touches.cadence, item.name)
        if days < 0:
            fail("touches.cadence", item.name, f"must be 0 (never proposed) or a number of days, not {days}")
    for key in ("title", "author", "description"):
        if re.search(r"[\x00-\x1f\x7f-\x9f]", getattr(site, key)):
            fail("site", key, "has a control character (such as a line break or a tab); remove it")
        if bidi_control(getattr(site, key)):
            fail("site", key, f"has an invisible bidirectional control {bidi_control(getattr(site, key))}, which can "
                              "make it show in another order than it is written (\"Trojan Source\"); remove it: text "
                              "in any direction shows right without one")
    sender = settings.newsletter.from_
    if sender and "@" not in parseaddr(sender)[1]:
        fail("newsletter", "from", f"has no email address: {sender!r} (write it as \"Jane Doe <jane@example.com>\")")
    if not 0 < settings.smtp.port < 65536:
        fail("smtp", "port", f"must be a port number from 1 to 65535, not {settings.smtp.port}")
    if settings.smtp.rate_per_minute < 0:
        fail("smtp", "rate_per_minute", f"must be 0 (no limit) or more, not {settings.smtp.rate_per_minute}")
    if settings.stages.relationship_min_days < 1:
        fail("stages", "relationship_min_days", f"must be 1 or more, not {settings.stages.relationship_min_days}")
    if settings.stages.relationship_min_span_days < 0:
        fail("stages", "relationship_min_span_days",
             f"must be 0 or more, not {settings.stages.relationship_min_span_days}")
    if settings.smtp.security not in ("starttls", "ssl", "none"):
        fail("smtp", "security", f"must be starttls, ssl or none, not {settings.smtp.security!r}")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", settings.newsletter.unsubscribe_secret_env):
        fail("newsletter", "unsubscribe_secret_env", "must be the name of an environment variable that holds the "
                                                     "secret (such as TOUCHGEN_UNSUBSCRIBE_SECRET), never the secret")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", settings.smtp.password_env):
        # Never echo the value: it is often the password itself, put in the wrong key.
        fail("smtp", "password_env", "must be the name of an environment variable that holds the password "
                                     "(such as TOUCHGEN_SMTP_PASSWORD), never the password itself")
    for section, values in (("site", site), ("smtp", settings.smtp), ("touches", settings.touches),
                            ("touches.cadence", settings.touches.cadence), ("stages", settings.stages)):
        for item in dataclasses.fields(values):
            number = getattr(values, item.name)
            if isinstance(number, int) and number > LARGEST:  # no count or number of days is this big
                fail(section, item.name, f"must be at most {LARGEST}, not {number}")


def load_settings(root: Path) -> Settings:
    """Read root/touchgen.toml; raise ConfigError naming the line of the first problem."""
    path = SitePaths(root).config
    shown = Path(CONFIG_FILE)
    if not path.is_file():
        raise ConfigError(shown, None, f"not found in {root} (run 'touchgen init' to create a site, or pass --site DIR)")
    try:
        text = read_utf8(path, shown, "save it as UTF-8", bom=True)
    except LocatedError as exc:
        raise ConfigError(exc.path, exc.line, exc.message) from None
    try:
        data = parse_toml(text, shown)
    except LocatedError as exc:
        raise ConfigError(exc.path, exc.line, exc.message) from None
    warnings: list[str] = []
    sections: dict[str, object] = {}
    for name, value in data.items():
        if name not in SECTIONS:
            line = _key_line(text, name)
            where = f"{shown}:{line}" if line else str(shown)
            warnings.append(f"{where}: warning: unknown section [{name}] (known: {', '.join(SECTIONS)})")
            continue
        sections[name] = _section(shown, text, name, value, SECTIONS[name], warnings)
    for name, cls in SECTIONS.items():
        sections.setdefault(name, cls())
    settings = Settings(root=root, warnings=tuple(warnings), **sections)  # type: ignore[arg-type]
    _check_values(shown, text, settings)
    return settings
