"""Newsletter emails: Jinja2 then MJML once per post, into output/newsletter/<slug>/, with what
`touchgen send` needs beside them (email.json), so sending never loads a renderer."""

from __future__ import annotations

import json
import weakref
from typing import Any

from jinja2 import nodes
from markupsafe import Markup

from ..config import Settings
from ..errors import TemplateError
from ..paths import EMAIL_HTML, EMAIL_META, EMAIL_MJML, EMAIL_TEXT, NEWSLETTER_FOLDER
from .fingerprint import settings_digest, templates_digest
from .links import absolute_links
from .pages import Entry, Site, template_site
from .placeholders import ReaderPlaceholders
from .theme import Theme


# The digests of the settings and email templates, taken once per build as the build's cache keys are:
# each build (render.produce) makes its Theme anew, and every email of it is rendered with that Theme.
_DIGESTS: weakref.WeakKeyDictionary[Theme, tuple[Settings, str, str]] = weakref.WeakKeyDictionary()


def _digests(settings: Settings, theme: Theme) -> tuple[str, str]:
    known = _DIGESTS.get(theme)
    if known is None or known[0] != settings:
        known = _DIGESTS[theme] = (settings, settings_digest(settings), templates_digest(settings))
    return known[1], known[2]


def email_meta(post: Entry, settings: Settings, theme: Theme) -> bytes:
    """email.json: the post's identity and what the email was built from (see fingerprint)."""
    settings_sha256, templates_sha256 = _digests(settings, theme)
    meta = {
        "slug": post.slug,
        "title": post.title,
        "subject": post.title,
        "date": post.date_iso,
        "draft": post.doc.draft,
        "source": post.doc.source,
        "source_sha256": post.doc.digest,
        "settings_sha256": settings_sha256,
        "templates_sha256": templates_sha256,
    }
    return (json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# What MJML sees in place of the post's body. mjml-python reparses the HTML it is given: it drops
# the whitespace between two tags ("Read <b>this</b>\n<i>and that</i>" ran together, every code line
# on one line) and fails on prose such as "Vec<T>". The body is put in after MJML, untouched.
BODY_TOKEN = "TOUCHGENPOSTBODY3F9A"


def email_body(post: Entry) -> Markup:
    """The post's HTML as the email carries it: every link and image absolute, in one wrapper."""
    return Markup(f'<div class="tg-post">{absolute_links(str(post.body), post.canonical)}</div>')


_AS_IS: weakref.WeakKeyDictionary[Theme, int] = weakref.WeakKeyDictionary()
# What may hold a `{{ post.body }}` shown as it is: not a loop, a macro, a block (self.name() renders it
# again), a filter, a {% set %} or a {% with %}.
_AROUND_AS_IS = (nodes.Template, nodes.If)
# What may not be anywhere: another template (it may get the post too).
_NOWHERE = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def _shows_body_as_is(theme: Theme) -> int:
    """How many times newsletter.mjml shows the post's body when it uses it only as `{{ post.body }}`,
    outside anything that repeats or changes what it shows, and nothing else of the post that holds
    the body (else 0): then the template rendered with a token for the body, the token replaced by the
    body, is the template rendered with the body (one Jinja rendering of it for each email instead of
    two), as long as the token is found as many times (a post's title could hold it too)."""
    if theme not in _AS_IS:
        try:
            source = theme.env.loader.get_source(theme.env, "email/newsletter.mjml")[0]  # type: ignore[union-attr]
            _AS_IS[theme] = _as_is(theme.env.parse(source), ()) or 0
        except Exception:  # noqa: BLE001 (the rendering says what is wrong with it)
            _AS_IS[theme] = 0
    return _AS_IS[theme]


def _as_is(node: nodes.Node, around: tuple[nodes.Node, ...]) -> int | None:
    """How many `{{ post.body }}` shown as they are `node` holds; None when it uses the post otherwise."""
    shown = 0
    for child in node.iter_child_nodes():
        if isinstance(child, _NOWHERE) or (isinstance(child, nodes.Name) and child.name in ("post", "self")):
            return None  # the post other than by one of its attributes (set, passed, filtered)
        if isinstance(child, nodes.Getattr) and isinstance(child.node, nodes.Name) and child.node.name == "post":
            if child.attr == "body":
                if not (isinstance(node, nodes.Output) and all(isinstance(a, _AROUND_AS_IS) for a in around)):
                    return None
                shown += 1
            elif child.attr in ("rendered", "with_body") or child.attr.startswith("_"):
                return None
            continue
        inside = _as_is(child, (*around, node))
        if inside is None:
            return None
        shown += inside
    return shown


def email_files(post: Entry) -> list[str]:
    """The files of a post's email under output/."""
    folder = f"{NEWSLETTER_FOLDER}/{post.slug}"
    return [f"{folder}/{name}" for name in (EMAIL_MJML, EMAIL_HTML, EMAIL_TEXT, EMAIL_META)]


def render_email(post: Entry, settings: Settings, theme: Theme) -> dict[str, bytes]:
    """newsletter/<slug>/email.mjml, email.html, email.txt and email.json of one post."""
    from mjml import mjml2html

    body = email_body(post)
    context: dict[str, Any] = {
        "site": template_site(settings),
        "post": post.with_body(body),
        "web_url": post.canonical,
        "booking": bool(settings.newsletter.booking_url),
        "reader": ReaderPlaceholders(),
    }
    engine_input = theme.render("email/newsletter.mjml", **{**context, "post": post.with_body(BODY_TOKEN)})
    shown = _shows_body_as_is(theme)
    if shown and engine_input.count(BODY_TOKEN) == shown:  # the same as rendering it again with the body
        mjml = engine_input.replace(BODY_TOKEN, body)
    else:
        mjml = theme.render("email/newsletter.mjml", **context)
    try:
        rendered = str(mjml2html(engine_input, disable_comments=True)).replace(BODY_TOKEN, body)
    except ValueError as exc:
        raise TemplateError(theme.shown(theme.filename("email/newsletter.mjml")), None,
                            f"is not valid MJML for post '{post.slug}': {exc} "
                            "(check that every mj- tag is closed and allowed where it is)") from None
    mjml_path, html_path, text_path, meta_path = email_files(post)
    return {
        mjml_path: mjml.encode("utf-8"),
        html_path: rendered.encode("utf-8"),
        text_path: theme.render("email/newsletter.txt", **context).encode("utf-8"),
        meta_path: email_meta(post, settings, theme),
    }


def render_newsletters(site: Site, theme: Theme) -> dict[str, bytes]:
    """The email files of every published post."""
    files: dict[str, bytes] = {}
    for post in site.posts:
        files.update(render_email(post, site.settings, theme))
    return files
