"""Posts and pages read once: the Document that content.read_document made of a file is kept in the
build's cache, keyed by the file's bytes, its path, the settings and touchgen's version, with the
warnings reading it gave. Stored as JSON (never pickle: a cache is data, not code), and only when
it reads back exactly as it was made."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import __version__
from ..config import Settings
from . import content
from .cache import Cache, digest
from .content import Document, assets_of

Reader = Callable[[Path, Path, "content.Kind", Settings, list[str]], Document]


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__name__, "value": value.value}
    if isinstance(value, dt.datetime):
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        moment = value.replace(tzinfo=None) if zone else value
        return {"datetime": moment.isoformat(), "zone": zone}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, tuple):
        return {"tuple": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"dict": {key: _encode(item) for key, item in value.items()}}
    raise TypeError(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "enum" in value:
        return getattr(content, value["enum"])(value["value"])
    if "datetime" in value:
        moment = dt.datetime.fromisoformat(value["datetime"])
        return moment.replace(tzinfo=ZoneInfo(value["zone"])) if value["zone"] else moment
    if "date" in value:
        return dt.date.fromisoformat(value["date"])
    if "path" in value:
        return Path(value["path"])
    if "tuple" in value:
        return tuple(_decode(item) for item in value["tuple"])
    return {key: _decode(item) for key, item in value["dict"].items()}


def encode(document: Document, warnings: list[str]) -> str | None:
    """The document as JSON, or None when it would not read back exactly as it is."""
    try:
        fields = {field.name: _encode(getattr(document, field.name)) for field in dataclasses.fields(document)}
    except TypeError:
        return None
    text = json.dumps({"document": fields, "warnings": warnings}, ensure_ascii=False)
    decoded = decode(text)
    return text if decoded is not None and repr(decoded[0]) == repr(document) else None


def decode(text: str) -> tuple[Document, list[str]] | None:
    try:
        found = json.loads(text)
        fields = {name: _decode(value) for name, value in found["document"].items()}
        return Document(**fields), list(found["warnings"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class DocumentCache:
    """A read_document that reads each file's front matter once: what `touchgen build` hands to
    load_content. `fingerprints` gives, for each document read, a hash of what made it."""

    def __init__(self, store: Cache, settings: Settings, read: Reader) -> None:
        self.store = store
        self.read = read
        self.settings_key = digest(__version__, repr(settings))
        self.fingerprints: dict[str, str] = {}
        self.found: dict[str, str] = {}
        self.new: dict[str, str] = {}

    def __call__(self, root: Path, path: Path, kind: content.Kind, settings: Settings,
                 warnings: list[str]) -> Document:
        key = digest(self.settings_key, str(kind), path.relative_to(root).as_posix(), path.read_bytes())
        self.found[key] = ""
        text = self.store.document(key)
        decoded = decode(text) if text is not None else None
        if decoded is not None:
            document, told = decoded
            document = dataclasses.replace(document, assets=assets_of(path))
            warnings.extend(told)
        else:
            before = len(warnings)
            document = self.read(root, path, kind, settings, warnings)
            encoded = encode(dataclasses.replace(document, assets=()), warnings[before:])
            if encoded is not None:
                self.new[key] = encoded
        self.fingerprints[document.source] = digest(key, repr(document.assets))
        return document

    def save(self) -> None:
        self.store.store_documents(self.new, self.found)
