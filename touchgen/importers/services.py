"""What each newsletter service's subscriber export says about a reader, told apart by its header:
the columns of the address, the name, the join date, and the status or unsubscribe columns in the
service's own words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .rows import FALSE_WORDS, TRUE_WORDS, truthy


class Standing(StrEnum):
    """Where an export puts a reader."""

    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"  # left, was removed, or complained: never mailed, never put back by an import
    BOUNCED = "bounced"  # on the list, but the address does not take mail: recorded as a bounce
    UNCONFIRMED = "unconfirmed"  # signed up but never confirmed (double opt-in): on no list yet


@dataclass(frozen=True)
class Reading:
    """One row of an export as the service means it; dates are the export's own text."""

    name: str
    standing: Standing
    created: str = ""
    left: str = ""  # when they unsubscribed or bounced, where the export says


class BadValue(ValueError):
    """A cell the service never writes: the row is reported, not guessed at."""


Record = Mapping[str, str]


def cell(record: Record, *columns: str) -> str:
    """The first non-empty of `columns`, stripped ('' when none)."""
    return next((value.strip() for column in columns if (value := record.get(column, "")).strip()), "")


def full_name(record: Record, first: tuple[str, ...], last: tuple[str, ...]) -> str:
    """Given and family name joined by one space, either alone when the other is empty."""
    return " ".join(part for part in (cell(record, *first), cell(record, *last)) if part)


def standing_of(record: Record, column: str, service: str, words: Mapping[str, Standing]) -> Standing:
    """The row's status in the service's vocabulary; BadValue for a word the service never writes."""
    value = record.get(column, "").strip()
    if value.lower() in words:
        return words[value.lower()]
    known = ", ".join(dict.fromkeys(words))
    if not value:
        raise BadValue(f"{column} is empty ({service} writes one of: {known})")
    raise BadValue(f"{column} {value!r} is not a {service} status touchgen knows ({known})")


def left_or(standing: Standing, left: str) -> tuple[Standing, str]:
    """An unsubscribe date in the row means they left, whatever its status column says; the
    column may also hold yes or no. Returns the standing and the date ('' when none)."""
    word = left.lower()
    if not left or word in FALSE_WORDS - {"unsubscribed", "inactive"}:
        return standing, ""
    return Standing.UNSUBSCRIBED, "" if word in TRUE_WORDS | {"unsubscribed"} else left


S, U, B, C = Standing.SUBSCRIBED, Standing.UNSUBSCRIBED, Standing.BOUNCED, Standing.UNCONFIRMED

# beehiiv's subscription statuses (its API's words; its export writes the same).
BEEHIIV = {"active": S, "inactive": U, "pending": C, "validating": C, "needs_attention": C, "invalid": B}
# Kit (ConvertKit): confirmed subscribers are 'active' (and 'cold' ones still are), 'inactive' are
# unconfirmed, and 'cancelled', 'bounced' and 'complained' are off the list.
KIT = {"active": S, "cold": S, "inactive": C, "unconfirmed": C, "cancelled": U, "canceled": U, "unsubscribed": U,
       "complained": U, "bounced": B}
# MailerLite's subscriber statuses; 'junk' is a spam complaint.
MAILERLITE = {"active": S, "unsubscribed": U, "unconfirmed": C, "bounced": B, "junk": U}
LISTMONK = {"enabled": S, "disabled": U, "blocklisted": U}
BUTTONDOWN = {"regular": S, "premium": S, "trialed": S, "gifted": S, "churning": S, "past_due": S, "unpaid": S,
              "paused": S, "unactivated": C, "unsubscribed": U, "removed": U, "spammy": U, "complained": U,
              "disabled": U, "undeliverable": B}
TINY_NEWS = {"subscribed": S, "unsubscribed": U, "pending": C, "cleaned": B}


def plain(record: Record) -> Reading:
    flag = cell(record, "subscribed").lower()
    if flag and flag not in TRUE_WORDS | FALSE_WORDS:
        raise BadValue(f"subscribed {record['subscribed'].strip()!r} is neither true nor false (use true or false)")
    name = cell(record, "name") or full_name(record, ("first_name",), ("last_name",))
    return Reading(name, S if not flag or flag in TRUE_WORDS else U, cell(record, "created", "created_at"))


def substack(record: Record) -> Reading:
    return Reading(cell(record, "name"), U if truthy(record.get("email_disabled")) else S, cell(record, "created_at"))


def mailchimp(record: Record) -> Reading:
    name = full_name(record, ("first name",), ("last name",))
    created = cell(record, "optin_time", "confirm_time")
    if unsubscribed := cell(record, "unsub_time"):
        return Reading(name, U, created, unsubscribed)
    if cleaned := cell(record, "clean_time"):  # Mailchimp 'cleans' an address that bounced for good
        return Reading(name, B, created, cleaned)
    return Reading(name, S, created)


def buttondown(record: Record) -> Reading:
    standing, left = left_or(standing_of(record, "subscriber_type", "Buttondown", BUTTONDOWN),
                             cell(record, "unsubscription_date"))
    return Reading("", standing, cell(record, "subscription_date", "creation_date"), left)


def ghost(record: Record) -> Reading:
    return Reading(cell(record, "name"), S if truthy(record.get("subscribed_to_emails")) else U,
                   cell(record, "created_at"))


def listmonk(record: Record) -> Reading:
    standing = standing_of(record, "status", "listmonk", LISTMONK)
    return Reading(cell(record, "name"), standing, cell(record, "created_at"),
                   cell(record, "updated_at") if standing is not S else "")


def beehiiv(record: Record) -> Reading:
    standing, left = left_or(standing_of(record, "status", "beehiiv", BEEHIIV), cell(record, "unsubscribed_at"))
    name = full_name(record, ("first name", "first_name"), ("last name", "last_name"))
    return Reading(name, standing, cell(record, "created_at"), left)


def kit(record: Record) -> Reading:
    standing, left = left_or(standing_of(record, "state", "Kit", KIT) if "state" in record else S,
                             cell(record, "cancelled_at", "canceled_at", "unsubscribed_at"))
    name = full_name(record, ("first_name", "first name"), ("last_name", "last name"))
    return Reading(name, standing, cell(record, "created_at", "created at"), left)


def mailerlite(record: Record) -> Reading:
    standing, left = left_or(standing_of(record, "status", "MailerLite", MAILERLITE) if "status" in record else S,
                             cell(record, "unsubscribed", "unsubscribed at"))
    name = full_name(record, ("name", "first name"), ("last name",))
    return Reading(name, standing, cell(record, "subscribed", "subscribed at", "created at"), left)


def tiny_news(record: Record) -> Reading:
    standing = standing_of(record, "status", "Tiny News", TINY_NEWS)
    return Reading(full_name(record, ("first name",), ("last name",)), standing, cell(record, "date added"),
                   cell(record, "last modified") if standing is not S else "")


def tiny_news_numbered(record: Record) -> Reading:
    """Tiny News' older export numbers its statuses: 1 and 2 are on the list (as Ghost's own
    Tiny News importer reads them), any other number is not; a 'Deleted at' date means removed."""
    status = cell(record, "status")
    if not status.isdigit():
        raise BadValue(f"status {status!r} is not a Tiny News status number (1 or 2: subscribed, others: not)")
    standing, left = left_or(S if int(status) in (1, 2) else U, cell(record, "deleted at"))
    return Reading(full_name(record, ("name",), ("surname",)), standing, cell(record, "created at"),
                   left or (cell(record, "updated at") if standing is not S else ""))


@dataclass(frozen=True)
class Service:
    """An export touchgen reads, and the header that tells it apart."""

    name: str
    email: str  # the column with the address
    needs: frozenset[str]  # every one of these columns
    read: Callable[[Record], Reading]
    any_of: frozenset[str] = frozenset()  # and, when given, at least one of these

    def matches(self, header: set[str]) -> bool:
        return self.needs <= header and (not self.any_of or bool(self.any_of & header))


def service(name: str, email: str, needs: set[str], read: Callable[[Record], Reading],
            any_of: set[str] | None = None) -> Service:
    return Service(name, email, frozenset(needs | {email}), read, frozenset(any_of or ()))


BEEHIIV_TIERS = {"tier", "subscription_tier", "subscription_premium_tier_names", "free tier", "premium tier",
                 "stripe_customer_id", "utm_source", "utm_medium", "utm_channel", "utm_campaign", "referring_site",
                 "referral_code"}

# Most specific first: the first whose columns are all in the header reads the file.
SERVICES = [
    service("listmonk", "email", {"uuid", "status"}, listmonk),
    service("ghost", "email", {"subscribed_to_emails"}, ghost),
    service("buttondown", "email", {"subscriber_type"}, buttondown),
    service("substack", "email", {"email_disabled"}, substack),
    service("substack", "email", {"active_subscription"}, substack),
    service("tiny news", "email", {"channel id", "status"}, tiny_news_numbered),
    service("tiny news", "email", {"date added", "last modified", "status"}, tiny_news),
    service("beehiiv", "email", {"status", "created_at"}, beehiiv, BEEHIIV_TIERS),
    service("kit", "email_address", set(), kit),
    service("mailerlite", "email", {"last name"}, mailerlite, {"subscribed", "subscribed at", "status"}),
    service("mailchimp", "email address", set(), mailchimp),
    service("plain", "email", set(), plain),
]


def detect(header: list[str]) -> Service | None:
    """The export whose header this is; None when it has no email column."""
    columns = set(header)
    return next((found for found in SERVICES if found.matches(columns)), None)


# Columns that say who is on a list. In a file of no known service they cannot be read safely.
SUBSCRIBED_WORDS = TRUE_WORDS | {"active", "subscribed", "enabled", "confirmed", "opted in", "opted-in"}


def status_like(column: str) -> bool:
    word = column.replace(" ", "_").replace("-", "_")
    return word in {"status", "state"} or word.endswith(("_status", "_state")) or word.startswith("unsub")


def unread_status(header: list[str], records: list[tuple[int, dict[str, str]]]) -> tuple[int, str, str] | None:
    """In a plain file, the first (line, column, value) of a status or unsubscribe column that may
    mean a reader is not subscribed; None when every such cell is empty or says subscribed."""
    columns = [column for column in header if column != "subscribed" and status_like(column)]
    for line, record in records:
        for column in columns:
            value = record.get(column, "").strip()
            harmless = FALSE_WORDS - {"unsubscribed", "inactive"} if column.startswith("unsub") else SUBSCRIBED_WORDS
            if value and value.lower() not in harmless:
                return line, column, value
    return None
