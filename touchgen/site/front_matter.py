"""Front matter as other generators write it: YAML between '---' lines (Jekyll, Hugo), TOML between
'+++' lines (Hugo, Zola); dates as Jekyll, Hugo and TOML write them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import FrontMatterError, LocatedError
from ..files import parse_toml

FRONT_MATTER_LIMIT = 64 * 1024  # bytes: front matter is a few lines; more is a mistake or an attack
YAML, TOML = "---", "+++"


def split(text: str, shown: str) -> tuple[str, str, int]:
    """(the fence: YAML or TOML, the front matter text, the line the body starts on)."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    fence = lines[0].strip() if lines else ""
    if fence not in (YAML, TOML):
        raise FrontMatterError(shown, 1, "does not start with front matter (begin the file with a '---' line, "
                                         "then title: and date:)")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == fence:  # at the start of the line: an indented --- belongs to a block scalar
            return fence, "".join(lines[1:index]), index + 2
    raise FrontMatterError(shown, 1, f"front matter is not closed (add a '{fence}' line after it)")


def load(fence: str, meta_text: str, shown: str) -> dict[str, Any]:
    """The front matter as a dict; a FrontMatterError naming the line of the first problem."""
    if len(meta_text.encode("utf-8")) > FRONT_MATTER_LIMIT:
        raise FrontMatterError(shown, 1, f"front matter is longer than {FRONT_MATTER_LIMIT // 1024} KiB "
                                         f"(is its closing '{fence}' line missing?)")
    if fence == TOML:
        try:
            meta = parse_toml(meta_text, shown)
        except LocatedError as exc:
            message = exc.message.replace(" (at end of document)", "")
            line = exc.line + 1 if exc.line else meta_text.count("\n") + 2  # at the end: the closing line
            raise FrontMatterError(shown, line,
                                   "front matter " + message.replace("invalid TOML", "is not valid TOML")) from None
        except RecursionError:
            raise FrontMatterError(shown, 2, "front matter is nested too deeply (simplify it)") from None
        return meta
    import yaml  # here: a build that finds every post in its cache never loads PyYAML

    from .yaml_loader import load_yaml

    try:
        loaded = load_yaml(meta_text) or {}
    except RecursionError:
        raise FrontMatterError(shown, 2, "front matter is nested too deeply (simplify it)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and start.line != getattr(mark, "line", None):
            problem += f" {context} that starts on line {start.line + 2}"
        raise FrontMatterError(shown, line, f"front matter is not valid YAML: {problem} "
                                            "(check the quoting and indentation)") from None
    if not isinstance(loaded, dict):
        raise FrontMatterError(shown, 2, "front matter must be 'key: value' lines (such as title: My post)")
    return loaded


def line_of(meta_text: str, key: str) -> int:
    """The file line of `key:` (YAML) or `key =` (TOML) in the front matter (line 1 is the fence)."""
    for number, line in enumerate(meta_text.splitlines(), start=2):
        if re.match(rf"^['\"]?{re.escape(key)}['\"]?\s*[:=]|^\[\[?\s*{re.escape(key)}\s*\]", line):
            return number
    return 1


# 2013-11-22, 2013-1-5, 2013-11-22 5:00, 2013-11-22T05:00:00.123+01:00, 2013-11-22 05:00:00 +0000, ... Z
DATE_RE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?",
    re.IGNORECASE,
)


def parse_date(value: object, zone: dt.tzinfo) -> dt.datetime:
    """A date (midnight in `zone`) or a datetime as Jekyll, Hugo and TOML write them; a datetime
    without an offset is in `zone`. Raise ValueError for anything else."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    match = DATE_RE.fullmatch(str(value).strip())
    if not match:
        raise ValueError(value)
    part = match.groupdict()
    offset = part["zone"]
    tzinfo: dt.tzinfo = zone
    if offset and offset.upper() in ("Z", "UTC", "GMT"):
        tzinfo = dt.timezone.utc
    elif offset:
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= dt.timedelta(hours=24):
            raise ValueError(value)
        tzinfo = dt.timezone(-delta if offset[0] == "-" else delta)
    fraction = (part["f"] or "0")[:6].ljust(6, "0")
    return dt.datetime(int(part["y"]), int(part["m"]), int(part["d"]), int(part["H"] or 0), int(part["M"] or 0),
                       int(part["S"] or 0), int(fraction), tzinfo=tzinfo)
