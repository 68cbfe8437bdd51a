"""The per-reader placeholders an email is built with. MJML runs once per post; sending fills these
by plain substitution for each reader (touchgen.mail.personalize)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Placeholder(StrEnum):
    FIRST_NAME = "%%FIRST_NAME%%"
    EMAIL = "%%EMAIL%%"
    UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"
    BOOKING_URL = "%%BOOKING_URL%%"


@dataclass(frozen=True)
class ReaderPlaceholders:
    """What email templates see as `reader`: each value is replaced per reader when sending."""

    first_name: str = Placeholder.FIRST_NAME.value
    email: str = Placeholder.EMAIL.value
    unsubscribe_url: str = Placeholder.UNSUBSCRIBE_URL.value
    booking_url: str = Placeholder.BOOKING_URL.value
