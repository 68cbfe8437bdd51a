"""The website: every page of output/site rendered in memory, as {relative path: bytes}."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..config import Settings
from ..errors import BuildErrors, FrontMatterError, TouchgenError
from ..files import check_readable
from ..paths import STATIC
from .content import Content, Document
from .links import booking_link, reply_link, subscribe_link
from .markdown import Renderer, first_paragraph, reading_minutes
from .slugs import slugify
from .theme import Theme

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]


def display_date(moment: dt.datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Entry:
    """A post or page ready for templates and feeds."""

    doc: Document
    title: str
    slug: str
    url: str  # path from the site root, such as posts/slug/; templates put site.base before it
    canonical: str
    date: dt.datetime | None
    summary: str
    tags: tuple[Tag, ...]
    body: Markup
    text: str  # the markdown source: the plain-text version of the body
    reading_minutes: int
    reply_link: str
    booking_link: str

    @property
    def date_display(self) -> str:
        return display_date(self.date) if self.date else ""

    @property
    def date_iso(self) -> str:
        return self.date.isoformat() if self.date else ""


@dataclass
class Site:
    """What a build publishes; the site pages and the feeds are made from it."""

    settings: Settings
    posts: list[Entry]
    pages: list[Entry]
    tags: dict[str, list[Entry]] = field(default_factory=dict)
    tag_names: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def make_entries(settings: Settings, content: Content, now: dt.datetime, drafts: bool, future: bool) -> Site:
    """Render the markdown of every published post and page once."""
    renderer = Renderer()

    def entry(doc: Document) -> Entry:
        try:
            body = renderer.render(doc.body)
        except RecursionError:
            raise BuildErrors([FrontMatterError(doc.source, doc.body_line, "the markdown is nested too deeply "
                                                "(a list or quote inside itself hundreds of times): simplify it")]
                              ) from None
        tags = tuple(Tag(name, slugify(name), f"tags/{slugify(name)}/") for name in doc.tags)
        return Entry(
            doc=doc, title=doc.title, slug=doc.slug, url=doc.url_path,
            canonical=settings.absolute(doc.url_path), date=doc.date,
            summary=renderer.text(doc.summary) if doc.summary else first_paragraph(body), tags=tags, body=Markup(body), text=doc.body.strip(),
            reading_minutes=reading_minutes(body),
            reply_link=reply_link(settings, doc.title),
            booking_link=booking_link(settings, doc.slug, "site", "web"),
        )

    site = Site(settings,
                posts=[entry(doc) for doc in content.published_posts(now, drafts, future)],
                pages=[entry(doc) for doc in content.published_pages(drafts)])
    for post in site.posts:
        for tag in post.tags:
            site.tags.setdefault(tag.slug, []).append(post)
            first = site.tag_names.setdefault(tag.slug, tag.name)
            if first != tag.name:
                warning = (f"{post.doc.source}: warning: the tags '{first}' and '{tag.name}' both make the page "
                           f"tags/{tag.slug}/ and are shown as one (use one spelling, or another word)")
                if warning not in site.warnings:
                    site.warnings.append(warning)
    return site


def template_site(settings: Settings) -> dict[str, str]:
    """What every template sees as `site` (the site templates add the links of the page)."""
    site = settings.site
    return {"title": site.title, "url": site.url, "author": site.author, "language": site.language,
            "description": site.description, "subscribe_mailto": subscribe_link(settings),
            "subscribe_url": settings.newsletter.subscribe_url}


def _paginate(items: list[Entry], size: int) -> list[list[Entry]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def render_site(site: Site, theme: Theme) -> dict[str, bytes]:
    """Every file of output/site except the feeds, rendered but not written."""
    settings = site.settings
    files: dict[str, bytes] = {}
    site_values = template_site(settings)
    default_description = settings.site.description or settings.site.title

    def page(path: str, template: str, title: str, description: str, og_type: str = "website",
             url_path: str | None = None, **context: Any) -> None:
        url_path = path.removesuffix("index.html") if url_path is None else url_path
        meta = {"title": title, "description": description, "canonical": settings.absolute(url_path),
                "og_type": og_type}
        # Links are relative to the page, so output/site works from any folder or sub-path;
        # 404.html is served at any depth, so its links start at the configured base path.
        base = settings.base_path if path == "404.html" else ("../" * path.count("/") or "./")
        values = {**site_values, "base": base, "feed_url": base + "feed.xml", "atom_url": base + "atom.xml"}
        html = theme.render(f"site/{template}", site=values, nav_pages=site.pages,
                            generator=f"touchgen {__version__}", page=meta, **context)
        files[path] = html.encode("utf-8")

    pages = _paginate(site.posts, settings.site.posts_per_page)
    for number, chunk in enumerate(pages, start=1):
        path = "index.html" if number == 1 else f"page/{number}/index.html"
        pager = {
            "number": number, "total": len(pages),
            "newer": None if number == 1 else ("" if number == 2 else f"page/{number - 1}/"),
            "older": f"page/{number + 1}/" if number < len(pages) else None,
        }
        title = settings.site.title if number == 1 else f"{settings.site.title} (page {number})"
        page(path, "index.html", title, default_description, posts=chunk, pager=pager)

    for index, post in enumerate(site.posts):
        newer = site.posts[index - 1] if index > 0 else None
        older = site.posts[index + 1] if index + 1 < len(site.posts) else None
        page(f"{post.url}index.html", "post.html", post.title, post.summary, "article",
             post=post, newer=newer, older=older)

    for entry in site.pages:
        page(f"{entry.url}index.html", "page.html", entry.title, entry.summary, post=entry)

    tag_list = [{"name": site.tag_names[slug], "slug": slug, "url": f"tags/{slug}/", "count": len(posts)}
                for slug, posts in sorted(site.tags.items())]
    page("tags/index.html", "tags.html", f"Tags · {settings.site.title}", f"Every tag of {settings.site.title}",
         tags=tag_list)
    for slug, posts in sorted(site.tags.items()):
        name = site.tag_names[slug]
        page(f"tags/{slug}/index.html", "tag.html", f"{name} · {settings.site.title}",
             f"Posts about {name}", tag={"name": name, "slug": slug}, posts=posts)

    years: dict[int, list[Entry]] = {}
    for post in site.posts:
        assert post.date is not None
        years.setdefault(post.date.year, []).append(post)
    page("archive/index.html", "archive.html", f"Archive · {settings.site.title}",
         f"Every post of {settings.site.title} by year", years=sorted(years.items(), reverse=True))

    page("404.html", "404.html", f"Not found · {settings.site.title}", "This page does not exist.", url_path="404.html")

    urls = [{"loc": settings.absolute(""), "lastmod": site.posts[0].date_iso[:10] if site.posts else ""}]
    urls += [{"loc": p.canonical, "lastmod": p.date_iso[:10]} for p in site.posts]
    urls += [{"loc": p.canonical, "lastmod": p.date_iso[:10]} for p in site.pages]
    urls += [{"loc": settings.absolute(f"tags/{slug}/"), "lastmod": ""} for slug in sorted(site.tags)]
    urls += [{"loc": settings.absolute("archive/"), "lastmod": ""}]
    files["sitemap.xml"] = theme.render("site/sitemap.xml", urls=urls).encode("utf-8")
    files["robots.txt"] = theme.render("site/robots.txt", sitemap=settings.absolute("sitemap.xml")).encode("utf-8")

    _redirects(site, theme, files)
    for rel, source in theme.static_files():
        files[f"static/{rel}"] = source.read_bytes()
    for entry in [*site.posts, *site.pages]:
        for rel, source in entry.doc.assets:
            files[f"{entry.url}{rel}"] = source.read_bytes()
    static = settings.paths.static
    inside = settings.root.resolve()
    check_readable(static, settings.paths.shown)
    for source in sorted(static.rglob("*")) if static.is_dir() else []:
        rel = source.relative_to(static).as_posix()
        if source.is_symlink() and not source.resolve().is_relative_to(inside):
            raise TouchgenError(f"{STATIC.as_posix()}/{rel}: links outside the site; touchgen reads only what is in "
                                "the site (copy the file in)")
        if not source.is_file() or source.name.startswith("."):
            continue
        if rel in files:
            raise TouchgenError(f"{STATIC.as_posix()}/{rel}: would replace output/site/{rel}, which touchgen makes "
                                "(rename or move the file)")
        files[rel] = source.read_bytes()
    for rel, source in theme.static_files("root"):  # favicon.ico and favicon.svg, unless static/ has its own
        files.setdefault(rel, source.read_bytes())
    return files


def _redirects(site: Site, theme: Theme, files: dict[str, bytes]) -> None:
    """A page at each old path in a post's aliases that sends the browser to the post, as Hugo's."""
    for entry in [*site.posts, *site.pages]:
        for alias in entry.doc.aliases:
            if alias.endswith("/"):
                path = alias + "index.html"
            else:  # /2013/11/22/x.html is a file; /old/x a folder
                path = alias if "." in alias.rpartition("/")[2] else alias + "/index.html"
            if path in files:
                raise TouchgenError(f"{entry.doc.source}: alias /{alias} is the address of another page of the site "
                                    "(remove it from aliases)")
            relative = "../" * path.count("/") + entry.url  # works in any folder, as the rest of the site
            files[path] = theme.render("site/alias.html", target=relative, canonical=entry.canonical, title=entry.title,
                                       language=site.settings.site.language).encode("utf-8")
