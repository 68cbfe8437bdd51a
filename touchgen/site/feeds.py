"""RSS 2.0 and Atom 1.0 feeds of the newest posts, made with feedgen."""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator

from .. import __version__
from .links import absolute_links
from .pages import Site

FEED_SIZE = 20


def render_feeds(site: Site, now: dt.datetime) -> dict[str, bytes]:
    """feed.xml and atom.xml; dates come from the posts so an unchanged site gives unchanged feeds."""
    settings = site.settings
    posts = site.posts[:FEED_SIZE]
    updated = posts[0].date if posts and posts[0].date else now
    fg = FeedGenerator()
    fg.id(settings.absolute(""))
    fg.title(settings.site.title)
    fg.subtitle(settings.site.description or settings.site.title)
    fg.language(settings.site.language)
    if settings.site.author:
        fg.author({"name": settings.site.author})
    fg.generator("touchgen", __version__)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    # Entries are added oldest first because feedgen lists the last added first.
    for post in reversed(posts):
        fe = fg.add_entry()
        fe.id(post.canonical)
        fe.guid(post.canonical, permalink=True)
        fe.title(post.title)
        fe.link(href=post.canonical, rel="alternate")
        fe.published(post.date)
        fe.updated(post.date)
        fe.content(absolute_links(str(post.body), post.canonical), type="html")
        fe.summary(post.summary)
        for tag in post.tags:
            fe.category(term=tag.name)
        if settings.site.author:
            fe.author({"name": settings.site.author})
    home = {"href": settings.absolute(""), "rel": "alternate"}
    # feedgen takes the last link as the RSS <link>: the home page goes last.
    fg.link([{"href": settings.absolute("atom.xml"), "rel": "self"}, home], replace=True)
    atom = fg.atom_str(pretty=True)
    fg.link([{"href": settings.absolute("feed.xml"), "rel": "self"}, home], replace=True)
    rss = fg.rss_str(pretty=True)
    return {"feed.xml": rss, "atom.xml": atom}
