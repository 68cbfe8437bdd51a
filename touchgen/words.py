"""Small helpers for messages in English."""


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 post', '2 posts'; `many` for irregular words ('person', 'people')."""
    return f"{count} {word if count == 1 else many or word + 's'}"
