"""A deterministic corpus: N posts of about 800 words, written as a touchgen site, a Hugo site and a
Pelican site. The same seed and N always give the same bytes.

    python benchmarks/corpus.py --posts 1000 --out /tmp/corpus

Each post has YAML front matter (Pelican: its own `Key: value` metadata), headings, emphasis,
links, a list, a numbered list, a blockquote, fenced Python code, an image reference and tags
from a pool of 20; the posts fall on successive Mondays, the newest on 5 January 2026.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

NEWEST = dt.date(2026, 1, 5)  # a Monday
TAGS = ["relationships", "habits", "clients", "writing", "calls", "replies", "trust", "focus", "accounts",
        "listening", "follow-up", "mondays", "notes", "teams", "delivery", "support", "planning", "curiosity",
        "promises", "generosity"]
WORDS = ("the a of to and in that it is was for on with as by at from this be an or have not are but they "
         "client reply call week letter reader promise habit trust time question answer meeting coffee note "
         "small deliberate gesture conversation relationship account plan review partner project lesson story "
         "listen learn show invest remember thank write read send book follow care notice ask offer share "
         "quietly often every early later simply really always rarely gently carefully honestly").split()
IMAGE = "/images/cover.png"
SEED = 20260105


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    date: dt.date
    tags: tuple[str, ...]
    body: str  # markdown


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 18)
        sentences.append(_sentence(rng, length))
        count += length
    text = " ".join(sentences)
    parts = text.split(" ")
    for index in rng.sample(range(1, len(parts) - 2), 3):  # emphasis, strong and a link in every paragraph
        word = parts[index].strip(".")
        if not word or parts[index] != word:
            continue
        parts[index] = rng.choice([f"*{word}*", f"**{word}**", f"[{word}](https://example.org/{word}/)"])
    return " ".join(parts)


CODE = '''```python
def follow_up(reader, days={days}):
    """Write back within {days} days: a reply deserves an answer."""
    if reader.replied and reader.silent_for() > days:
        return draft_note(reader, "{word}")
    return None
```'''


def make_post(index: int, total: int) -> Post:
    """The post number `index` (0 is the newest) of a corpus of `total` posts."""
    rng = random.Random(SEED * 100_003 + index)
    date = NEWEST - dt.timedelta(weeks=index)
    title_words = [rng.choice(WORDS) for _ in range(rng.randint(3, 6))]
    title = " ".join(title_words).capitalize() + f" ({total - index})"
    slug = f"post-{total - index:05d}"
    tags = tuple(sorted(rng.sample(TAGS, rng.randint(1, 3))))
    parts = [
        _paragraph(rng, 70),
        f"## {_sentence(rng, 4)[:-1]}",
        _paragraph(rng, 110),
        "\n".join(f"- {_sentence(rng, rng.randint(5, 9))}" for _ in range(5)),
        _paragraph(rng, 90),
        "> " + _paragraph(rng, 40),
        f"## {_sentence(rng, 3)[:-1]}",
        _paragraph(rng, 100),
        CODE.format(days=rng.randint(3, 21), word=rng.choice(WORDS)),
        "\n".join(f"{number}. {_sentence(rng, rng.randint(5, 9))}" for number in range(1, 5)),
        f"![{rng.choice(WORDS)} at the desk]({IMAGE})",
        f"### {_sentence(rng, 5)[:-1]}",
        _paragraph(rng, 110),
        _paragraph(rng, 90),
    ]
    return Post(slug, title, date, tags, "\n\n".join(parts) + "\n")


def posts(total: int) -> list[Post]:
    return [make_post(index, total) for index in range(total)]


def png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG: the image every post shows."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def yaml_front(post: Post) -> str:
    title = post.title.replace('"', '\\"')
    return f'---\ntitle: "{title}"\ndate: {post.date.isoformat()}\ntags: [{", ".join(post.tags)}]\n---\n\n'


def write_touchgen(root: Path, items: list[Post]) -> Path:
    """A site made by `touchgen init` (its own copy of the templates), with `items` as its posts."""
    from touchgen.site.scaffold import init_site

    init_site(root, NEWEST)
    shutil.rmtree(root / "content/posts")
    folder = root / "content/posts"
    folder.mkdir()
    for post in items:
        (folder / f"{post.date.isoformat()}-{post.slug}.md").write_text(yaml_front(post) + post.body, encoding="utf-8")
    (root / "static/images").mkdir(parents=True)
    (root / "static/images/cover.png").write_bytes(png())
    return folder


HUGO_CONFIG = '''baseURL = "https://example.com/"
languageCode = "en"
title = "Monday Inspiration"
disableKinds = []
[pagination]
pagerSize = 10
[taxonomies]
tag = "tags"
[markup.highlight]
noClasses = false
[markup.tableOfContents]
startLevel = 2
'''
HUGO_LAYOUTS = {
    "baseof.html": '''<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ .Summary | plainify | truncate 160 }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}"><meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">{{ end }}
</head><body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ .Site.Title }}</footer></body></html>
''',
    "single.html": '''{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read
{{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a> {{ end }}</p>
{{ .Content }}
<aside><a href="mailto:jane@example.com?subject=Re: {{ .Title }}">Reply</a></aside></article>
<nav>{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">← {{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }} →</a>{{ end }}</nav>
{{ end }}''',
    "list.html": '''{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := where .Site.RegularPages "Section" "posts" }}{{ if not .IsHome }}{{ $pages = .Pages }}{{ end }}
{{ $pager := .Paginate $pages }}{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary | plainify | truncate 160 }}</p></article>{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
{{ end }}''',
}


def write_hugo(root: Path, items: list[Post]) -> Path:
    folder = root / "content/posts"
    folder.mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    for post in items:
        (folder / f"{post.slug}.md").write_text(yaml_front(post) + post.body, encoding="utf-8")
    (root / "static/images").mkdir(parents=True)
    (root / "static/images/cover.png").write_bytes(png())
    return folder


PELICAN_CONFIG = '''AUTHOR = "Jane Doe"
SITENAME = "Monday Inspiration"
SITEURL = "https://example.com"
PATH = "content"
ARTICLE_PATHS = ["posts"]
STATIC_PATHS = ["images"]
THEME = "theme"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "feed.xml"
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.smarty": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}
'''


def write_pelican(root: Path, items: list[Post]) -> Path:
    import pelican

    folder = root / "content/posts"
    folder.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    shutil.copytree(Path(pelican.__file__).parent / "themes/simple", root / "theme")
    for post in items:
        meta = f"Title: {post.title}\nDate: {post.date.isoformat()}\nTags: {', '.join(post.tags)}\nSlug: {post.slug}\n\n"
        (folder / f"{post.slug}.md").write_text(meta + post.body, encoding="utf-8")
    (root / "content/images").mkdir(parents=True)
    (root / "content/images/cover.png").write_bytes(png())
    return folder


WRITERS = {"touchgen": write_touchgen, "hugo": write_hugo, "pelican": write_pelican}


def write_sites(out: Path, total: int, tools: list[str]) -> dict[str, Path]:
    """out/<tool>/ for each tool: the same `total` posts as that tool's site. Returns the site folders."""
    items = posts(total)
    sites = {}
    for tool in tools:
        root = out / tool
        if root.exists():
            shutil.rmtree(root)
        WRITERS[tool](root, items)
        sites[tool] = root
    return sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tools", nargs="+", default=list(WRITERS), choices=list(WRITERS))
    args = parser.parse_args()
    for tool, root in write_sites(args.out, args.posts, args.tools).items():
        print(f"{tool}: {root}")


if __name__ == "__main__":
    main()
