"""The website: every page of output/site rendered in memory, as {relative path: bytes}."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..config import Settings
from ..errors import BuildErrors, FrontMatterError, TouchgenError
from ..files import check_readable
from ..paths import STATIC
from .content import Content, Document
from .links import Links, subscribe_link
from .cache import Rendered, digest
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
    rendered: Rendered  # body is its HTML, read when first used
    reading_minutes: int
    links: Links  # how its reply and booking links are made, when a template first shows them
    fingerprint: str = ""  # a hash of everything the entry is made from (with the settings and markdown's)

    @functools.cached_property
    def reply_link(self) -> str:
        return self.links.reply(self.title)

    @functools.cached_property
    def booking_link(self) -> str:
        return self.links.booking(self.slug)

    @property
    def body(self) -> Markup:
        return Markup(self.rendered.html)

    @functools.cached_property
    def text(self) -> str:
        """The markdown source: the plain-text version of the body (the email's)."""
        return self.doc.body.strip()

    def with_body(self, body: str) -> Entry:
        """The entry with another body (the email's, with absolute links)."""
        rendered = self.rendered
        return replace(self, rendered=Rendered(body, rendered.summary, rendered.minutes, rendered.references))

    @functools.cached_property  # shown by every listing a post is in, and asking the time zone takes a while
    def date_display(self) -> str:
        return display_date(self.date) if self.date else ""

    @functools.cached_property
    def date_iso(self) -> str:
        return self.date.isoformat() if self.date else ""

    def __reduce__(self) -> tuple[Any, ...]:
        """To the workers: its fields, not what templates worked out from them (a page rendered here
        may add those while the pool's thread is sending the entry)."""
        return Entry, tuple([getattr(self, name) for name in _ENTRY_FIELDS])


_ENTRY_FIELDS = [item.name for item in fields(Entry)]


@dataclass
class Site:
    """What a build publishes; the site pages and the feeds are made from it."""

    settings: Settings
    posts: list[Entry]
    pages: list[Entry]
    tags: dict[str, list[Entry]] = field(default_factory=dict)
    tag_names: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


RenderMarkdown = Callable[[Sequence[Document]], Sequence[Rendered | None]]


def render_each(docs: Sequence[Document]) -> list[Rendered | None]:
    """The markdown of `docs` rendered one after the other, in this process."""
    from .markdown import render_document

    return [render_document(doc.body, doc.summary) for doc in docs]


def fingerprint_of(doc: Document) -> str:
    """A hash of everything a document holds: what its file holds (doc.digest: read with the settings,
    which every key holds besides), where it is, and what a build changes or adds (the slug, the
    address, the files beside it)."""
    return digest(doc.kind, doc.source, doc.digest, doc.slug, doc.url_path, repr(doc.assets))


def make_entries(settings: Settings, content: Content, now: dt.datetime, drafts: bool, future: bool,
                 render: RenderMarkdown = render_each,
                 fingerprint: Callable[[Document], str] = fingerprint_of) -> Site:
    """Render the markdown of every published post and page once (`render` may take it from a cache
    or spread it over processes; `fingerprint` may know the documents' hashes already)."""
    posts, pages = content.published_posts(now, drafts, future), content.published_pages(drafts)
    docs = [*posts, *pages]
    rendered = render(docs)
    too_deep = [FrontMatterError(doc.source, doc.body_line, "the markdown is nested too deeply (a list or quote "
                                 "inside itself hundreds of times): simplify it")
                for doc, result in zip(docs, rendered) if result is None]
    if too_deep:
        raise BuildErrors(too_deep)

    tag_of: dict[str, Tag] = {}  # a site has a few tags, used by thousands of posts
    links = Links.of(settings)

    def tag_named(name: str) -> Tag:
        if name not in tag_of:
            tag_of[name] = Tag(name, slugify(name), f"tags/{slugify(name)}/")
        return tag_of[name]

    def entry(doc: Document, result: Rendered) -> Entry:
        tags = tuple(tag_named(name) for name in doc.tags)
        return Entry(
            doc=doc, title=doc.title, slug=doc.slug, url=doc.url_path,
            canonical=settings.absolute(doc.url_path), date=doc.date,
            summary=result.summary, tags=tags, rendered=result,
            reading_minutes=result.minutes, links=links,
            fingerprint=fingerprint(doc),
        )

    entries = [entry(doc, result) for doc, result in zip(docs, rendered) if result is not None]
    site = Site(settings, posts=entries[:len(posts)], pages=entries[len(posts):])
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


_TEMPLATE_SITE: list[tuple[Settings, dict[str, str]]] = []  # the last settings' (they are frozen)


def template_site(settings: Settings) -> dict[str, str]:
    """What every template sees as `site` (the site templates add the links of the page): worked out
    once for the same settings (every page and email of a build asks), a copy each time."""
    if not _TEMPLATE_SITE or _TEMPLATE_SITE[0][0] is not settings:
        site = settings.site
        _TEMPLATE_SITE[:] = [(settings, {
            "title": site.title, "url": site.url, "author": site.author, "language": site.language,
            "description": site.description, "subscribe_mailto": subscribe_link(settings),
            "subscribe_url": settings.newsletter.subscribe_url})]
    return dict(_TEMPLATE_SITE[0][1])


def _paginate(items: list[Entry], size: int) -> list[list[Entry]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


@dataclass(frozen=True)
class Page:
    """One templated file of output/site: its path, template and what the template is given. With
    `meta`, a page of the site (title, description, og_type, url_path); without, a file such as
    sitemap.xml, given only `context`."""

    path: str
    template: str
    context: dict[str, Any]
    meta: dict[str, str] | None = None


def _page(path: str, template: str, title: str, description: str, og_type: str = "website",
          url_path: str | None = None, **context: Any) -> Page:
    url_path = path.removesuffix("index.html") if url_path is None else url_path
    return Page(path, template, context, {"title": title, "description": description, "og_type": og_type,
                                          "url_path": url_path})


def post_pages(site: Site) -> list[Page]:
    """posts/<slug>/index.html of every post, with its newer and older neighbours."""
    result = []
    for index, post in enumerate(site.posts):
        newer = site.posts[index - 1] if index > 0 else None
        older = site.posts[index + 1] if index + 1 < len(site.posts) else None
        result.append(_page(f"{post.url}index.html", "post.html", post.title, post.summary, "article",
                            post=post, newer=newer, older=older))
    return result


def listing_pages(site: Site) -> list[Page]:
    """Every other templated file of output/site: the index and its pages, the pages, tags, archive,
    404, sitemap.xml and robots.txt."""
    settings = site.settings
    result = []
    default_description = settings.site.description or settings.site.title
    chunks = _paginate(site.posts, settings.site.posts_per_page)
    for number, chunk in enumerate(chunks, start=1):
        path = "index.html" if number == 1 else f"page/{number}/index.html"
        pager = {
            "number": number, "total": len(chunks),
            "newer": None if number == 1 else ("" if number == 2 else f"page/{number - 1}/"),
            "older": f"page/{number + 1}/" if number < len(chunks) else None,
        }
        title = settings.site.title if number == 1 else f"{settings.site.title} (page {number})"
        result.append(_page(path, "index.html", title, default_description, posts=chunk, pager=pager))

    for entry in site.pages:
        result.append(_page(f"{entry.url}index.html", "page.html", entry.title, entry.summary, post=entry))

    tag_list = [{"name": site.tag_names[slug], "slug": slug, "url": f"tags/{slug}/", "count": len(posts)}
                for slug, posts in sorted(site.tags.items())]
    result.append(_page("tags/index.html", "tags.html", f"Tags · {settings.site.title}",
                        f"Every tag of {settings.site.title}", tags=tag_list))
    for slug, posts in sorted(site.tags.items()):
        name = site.tag_names[slug]
        result.append(_page(f"tags/{slug}/index.html", "tag.html", f"{name} · {settings.site.title}",
                            f"Posts about {name}", tag={"name": name, "slug": slug}, posts=posts))

    years: dict[int, list[Entry]] = {}
    for post in site.posts:
        assert post.date is not None
        years.setdefault(post.date.year, []).append(post)
    result.append(_page("archive/index.html", "archive.html", f"Archive · {settings.site.title}",
                        f"Every post of {settings.site.title} by year", years=sorted(years.items(), reverse=True)))

    result.append(_page("404.html", "404.html", f"Not found · {settings.site.title}", "This page does not exist.",
                        url_path="404.html"))

    urls = [{"loc": settings.absolute(""), "lastmod": site.posts[0].date_iso[:10] if site.posts else ""}]
    urls += [{"loc": p.canonical, "lastmod": p.date_iso[:10]} for p in site.posts]
    urls += [{"loc": p.canonical, "lastmod": p.date_iso[:10]} for p in site.pages]
    urls += [{"loc": settings.absolute(f"tags/{slug}/"), "lastmod": ""} for slug in sorted(site.tags)]
    urls += [{"loc": settings.absolute("archive/"), "lastmod": ""}]
    result.append(Page("sitemap.xml", "sitemap.xml", {"urls": urls}))
    result.append(Page("robots.txt", "robots.txt", {"sitemap": settings.absolute("sitemap.xml")}))
    taken = {page.path for page in result} | {f"{post.url}index.html" for post in site.posts}
    return result + _redirects(site, taken)


def render_page(settings: Settings, nav_pages: Sequence[Entry], theme: Theme, page: Page) -> bytes:
    """The file `page` describes, rendered."""
    if page.meta is None:
        return theme.render(f"site/{page.template}", **page.context).encode("utf-8")
    meta = {"title": page.meta["title"], "description": page.meta["description"],
            "canonical": settings.absolute(page.meta["url_path"]), "og_type": page.meta["og_type"]}
    # Links are relative to the page, so output/site works from any folder or sub-path;
    # 404.html is served at any depth, so its links start at the configured base path.
    base = settings.base_path if page.path == "404.html" else ("../" * page.path.count("/") or "./")
    values = {**template_site(settings), "base": base, "feed_url": base + "feed.xml", "atom_url": base + "atom.xml"}
    html = theme.render(f"site/{page.template}", site=values, nav_pages=nav_pages,
                        generator=f"touchgen {__version__}", page=meta, **page.context)
    return html.encode("utf-8")


def copied_files(site: Site, theme: Theme, made: Collection[str]) -> dict[str, Path]:
    """The files of output/site copied as they are (path: source): the theme's static files, the
    files beside posts and pages, and the site's static/ (which may not replace anything in `made`)."""
    from .folders import folders_of

    settings = site.settings
    files: dict[str, Path] = {}
    folders = folders_of(made)  # the folders that hold what touchgen makes: no file may stand in one's place
    for rel, source in theme.static_files():
        files[f"static/{rel}"] = source
    for entry in [*site.posts, *site.pages]:
        for rel, source in entry.doc.assets:
            path = f"{entry.url}{rel}"
            if path in made or path in folders:
                raise TouchgenError(f"{settings.paths.shown(source)}: would replace output/site/{path}"
                                    f"{'/, a folder of pages' if path in folders else ', the page'} touchgen makes "
                                    f"of {entry.doc.source} (rename or move the file)")
            files[path] = source
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
        if rel in files or rel in made:
            raise TouchgenError(f"{STATIC.as_posix()}/{rel}: would replace output/site/{rel}, which touchgen makes "
                                "(rename or move the file)")
        if rel in folders:
            raise TouchgenError(f"{STATIC.as_posix()}/{rel}: would replace output/site/{rel}/, a folder of pages "
                                "touchgen makes (rename or move the file)")
        files[rel] = source
    for rel, source in theme.static_files("root"):  # favicon.ico and favicon.svg, unless static/ has its own
        files.setdefault(rel, source)
    return files


def _redirects(site: Site, taken: set[str]) -> list[Page]:
    """A page at each old path in a post's aliases that sends the browser to the post, as Hugo's."""
    result = []
    for entry in [*site.posts, *site.pages]:
        for alias in entry.doc.aliases:
            if alias.endswith("/"):
                path = alias + "index.html"
            else:  # /2013/11/22/x.html is a file; /old/x a folder
                path = alias if "." in alias.rpartition("/")[2] else alias + "/index.html"
            if path in taken:
                raise TouchgenError(f"{entry.doc.source}: alias /{alias} is the address of another page of the site "
                                    "(remove it from aliases)")
            taken.add(path)
            relative = "../" * path.count("/") + entry.url  # works in any folder, as the rest of the site
            result.append(Page(path, "alias.html", {"target": relative, "canonical": entry.canonical,
                                                    "title": entry.title, "language": site.settings.site.language}))
    return result
