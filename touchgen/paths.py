"""Where everything of a site lives: every command takes its paths from here."""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "touchgen.toml"
POSTS = Path("content/posts")
PAGES = Path("content/pages")
TEMPLATES = Path("templates")
STATIC = Path("static")  # the site's own files, copied as they are to the root of output/site
OUTPUT = Path("output")
DATA = Path("data")
STORE = DATA / "touchgen.db"
OUTBOX = DATA / "outbox"
ACCOUNTS = DATA / "accounts"
REPORT = DATA / "report"
CACHE = OUTPUT / ".cache"
SITE_FOLDER = "site"  # under output/: the website to deploy
NEWSLETTER_FOLDER = "newsletter"  # under output/: one folder of built email per post


@dataclass(frozen=True)
class SitePaths:
    """The folders and files of the site at `root`; `shown` gives a path as messages print it."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def posts(self) -> Path:
        return self.root / POSTS

    @property
    def pages(self) -> Path:
        return self.root / PAGES

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES

    @property
    def static(self) -> Path:
        return self.root / STATIC

    @property
    def output(self) -> Path:
        return self.root / OUTPUT

    @property
    def newsletter(self) -> Path:
        return self.output / NEWSLETTER_FOLDER

    @property
    def store(self) -> Path:
        return self.root / STORE

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    @property
    def accounts(self) -> Path:
        return self.root / ACCOUNTS

    @property
    def report(self) -> Path:
        return self.root / REPORT

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    def shown(self, path: Path) -> str:
        """`path` relative to the site (as 'data/outbox/x'), or as it is when outside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

# The files of one built email, output/newsletter/<slug>/: written by the build, read by send.
EMAIL_HTML = "email.html"
EMAIL_TEXT = "email.txt"
EMAIL_MJML = "email.mjml"
EMAIL_META = "email.json"


@functools.cache
def default_theme() -> Path:
    """The theme shipped with touchgen. The repository keeps it in its top-level templates/; an
    install ships that folder as the data-only package touchgen._theme (see pyproject.toml)."""
    spec = importlib.util.find_spec("touchgen._theme")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / "templates"  # a source checkout on sys.path
