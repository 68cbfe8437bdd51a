"""RSS 2.0 and Atom 1.0 feeds of the newest posts.

Written here as text, element by element, in the layout feedgen gave them (the library this module
used before; tests/test_feeds.py checks the bytes against it on generated posts): a rebuild after
one edit then needs neither feedgen nor lxml and dateutil, whose loading was a tenth of it."""

from __future__ import annotations

import datetime as dt
import re

from .. import __version__
from .links import absolute_links
from .pages import Entry, Site

FEED_SIZE = 20
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Characters XML 1.0 does not allow at all (a control character the reading let through): left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """`value` as the text of an element."""
    value = _NOT_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(value: str) -> str:
    """`value` as the value of an attribute, in double quotes."""
    return (_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def _element(indent: int, name: str, text: str | None, **attributes: str) -> str:
    """One line: an element holding only text (or nothing), indented by `indent` levels."""
    opened = name + "".join(f' {key}="{_attribute(value)}"' for key, value in attributes.items())
    if text is None:
        return f"{'  ' * indent}<{opened}/>\n"
    return f"{'  ' * indent}<{opened}>{_text(text)}</{name}>\n"


def _author(indent: int, name: str) -> str:
    pad = "  " * indent
    return f"{pad}<author>\n{_element(indent + 1, 'name', name)}{pad}</author>\n"


def rfc2822(moment: dt.datetime) -> str:
    """'Mon, 23 Nov 2026 00:00:00 +0100', whatever the locale."""
    return (f"{DAYS[moment.weekday()]}, {moment.day:02} {MONTHS[moment.month - 1]} {moment.year} "
            f"{moment:%H:%M:%S %z}")


def render_feeds(site: Site, now: dt.datetime) -> dict[str, bytes]:
    """feed.xml and atom.xml; dates come from the posts so an unchanged site gives unchanged feeds."""
    posts = site.posts[:FEED_SIZE]
    updated = posts[0].date if posts and posts[0].date else now
    contents = [absolute_links(str(post.body), post.canonical) for post in posts]
    return {"feed.xml": _rss(site, posts, contents, updated).encode("utf-8"),
            "atom.xml": _atom(site, posts, contents, updated).encode("utf-8")}


def _atom(site: Site, posts: list[Entry], contents: list[str], updated: dt.datetime) -> str:
    settings = site.settings
    about = settings.site
    language = f' xml:lang="{_attribute(about.language)}"' if about.language else ""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>\n", f'<feed xmlns="{ATOM}"{language}>\n',
             _element(1, "id", settings.absolute("")), _element(1, "title", about.title),
             _element(1, "updated", updated.isoformat())]
    if about.author:
        lines.append(_author(1, about.author))
    lines += [_element(1, "link", None, href=settings.absolute("atom.xml"), rel="self"),
              _element(1, "link", None, href=settings.absolute(""), rel="alternate"),
              _element(1, "generator", "touchgen", version=__version__)]
    subtitle = about.description or about.title
    if subtitle:
        lines.append(_element(1, "subtitle", subtitle))
    for post, content in zip(posts, contents):
        date = post.date.isoformat() if post.date else ""
        lines += ["  <entry>\n", _element(2, "id", post.canonical), _element(2, "title", post.title),
                  _element(2, "updated", date)]
        if about.author:
            lines.append(_author(2, about.author))
        lines += [_element(2, "content", content or None, type="html"),
                  _element(2, "link", None, href=post.canonical),  # feedgen wrote no rel here (the default: alternate)
                  _element(2, "summary", post.summary or None)]
        lines += [_element(2, "category", None, term=tag.name) for tag in post.tags]
        lines += [_element(2, "published", date), "  </entry>\n"]
    lines.append("</feed>\n")
    return "".join(lines)


def _rss(site: Site, posts: list[Entry], contents: list[str], updated: dt.datetime) -> str:
    settings = site.settings
    about = settings.site
    lines = ["<?xml version='1.0' encoding='UTF-8'?>\n",
             f'<rss xmlns:atom="{ATOM}" xmlns:content="{CONTENT}" version="2.0">\n', "  <channel>\n",
             _element(2, "title", about.title), _element(2, "link", settings.absolute("")),
             _element(2, "description", about.description or about.title),
             _element(2, "atom:link", None, href=settings.absolute("feed.xml"), rel="self"),
             _element(2, "docs", RSS_DOCS), _element(2, "generator", "touchgen")]
    if about.language:
        lines.append(_element(2, "language", about.language))
    lines.append(_element(2, "lastBuildDate", rfc2822(updated)))
    for post, content in zip(posts, contents):
        lines += ["    <item>\n", _element(3, "title", post.title), _element(3, "link", post.canonical)]
        if post.summary:  # feedgen: the summary, and the content beside it; without one, the content alone
            lines += [_element(3, "description", post.summary), _element(3, "content:encoded", content)]
        else:
            lines.append(_element(3, "description", content))
        lines.append(_element(3, "guid", post.canonical, isPermaLink="true"))
        lines += [_element(3, "category", tag.name) for tag in post.tags]
        if post.date:
            lines.append(_element(3, "pubDate", rfc2822(post.date)))
        lines.append("    </item>\n")
    lines += ["  </channel>\n", "</rss>\n"]
    return "".join(lines)
