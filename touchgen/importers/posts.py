"""touchgen import posts: a Jekyll _posts or Hugo content/posts folder copied into content/posts,
with the Liquid tags and Hugo shortcodes touchgen can say in markdown converted, and every other
one listed with its file and line. Every post is read as the build reads it before anything is
written; a second run changes nothing."""

from __future__ import annotations

import html
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..errors import BuildErrors, LocatedError, TouchgenError
from ..files import fresh_staging, read_utf8, remove
from ..site.document import MARKDOWN_SUFFIXES, Kind, Notes, dated_name, name_of, post_url, read_document
from ..site.foreign import foreign_syntax
from ..site.front_matter import parse_date, split
from ..site.slugs import slugify
from ..text import plural

STAGING = ".touchgen-import"
BECOMES = {"{% highlight %}": "fenced code", "{{< highlight >}}": "fenced code", "{% raw %}": "removed",
           "{% post_url %}": "link", "{% link %}": "link", "{{< ref >}}": "link", "{{ page.title }}": "the title",
           "{{ site.url }}": "removed", "{{< figure >}}": "image", "{{< youtube >}}": "link", "{{< gist >}}": "link"}


@dataclass
class Imported:
    source: Path
    copied: int = 0
    converted: int = 0
    unchanged: int = 0
    files: int = 0  # images and other files beside the posts
    changes: list[str] = field(default_factory=list)  # what was converted, one line a file
    warnings: list[str] = field(default_factory=list)

    @property
    def posts(self) -> int:
        return self.copied + self.converted + self.unchanged

    def summary(self) -> str:
        files = f", {plural(self.files, 'other file')}" if self.files else ""
        return (f"Imported {plural(self.posts, 'post')} from {self.source} into content/posts: {self.copied} copied, "
                f"{self.converted} converted, {self.unchanged} unchanged{files}")


def posts_folder(path: Path) -> Path:
    """The folder of posts in `path`: a Jekyll site's _posts, a Hugo site's content/posts, or `path`."""
    for inner in ("_posts", "content/posts", "content/post", "posts"):
        if (path / inner).is_dir():
            return path / inner
    return path


def _sources(folder: Path) -> list[Path]:
    """Every file under `folder` worth copying: posts and what sits beside them, not hidden files,
    editor backups or Hugo section pages."""
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts) or path.name.endswith("~") or path.is_dir():
            continue
        if path.stem == "_index":  # a Hugo section's list page
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            raise LocatedError(str(path), None, "links outside the folder being imported; copy the file in first")
        found.append(path)
    return found


def _is_post(path: Path) -> bool:
    return path.suffix.lower() in MARKDOWN_SUFFIXES


class Converter:
    """Liquid and shortcodes to markdown, for one file; it counts what it changed."""

    def __init__(self, title: str, urls: dict[str, str], base: str) -> None:
        self.title, self.urls, self.base = title, urls, base
        self.done: Counter[str] = Counter()

    def sub(self, pattern: str, label: str, replace: object, text: str, flags: int = 0) -> str:
        def count(match: re.Match[str]) -> str:
            self.done[label] += 1
            return replace(match) if callable(replace) else str(replace)
        return re.sub(pattern, count, text, flags=flags)

    def url(self, name: str) -> str:
        key = Path(name.strip().strip("\"'")).stem
        return self.base + self.urls[key] if key in self.urls else name

    def convert(self, body: str) -> str:
        def fence(match: re.Match[str]) -> str:  # the fence indented as the tag was: inside a list item too
            indent, language, code = match.group(1), match.group(2) or "", match.group(3).strip("\n").rstrip()
            return f"{indent}```{language}\n{code}\n{indent}```"

        body = self.sub(r"^([ \t]*)\{%-?\s*highlight\s+([\w+#.-]+)?[^%]*%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}",
                        "{% highlight %}", fence, body, re.DOTALL | re.MULTILINE)
        body = self.sub(r"^([ \t]*)\{\{<\s*highlight\s+([\w+#.-]+)?[^>]*>\}\}\n?(.*?)\{\{<\s*/highlight\s*>\}\}",
                        "{{< highlight >}}", fence, body, re.DOTALL | re.MULTILINE)
        body = self.sub(r"\{%-?\s*(?:end)?raw\s*-?%\}", "{% raw %}", "", body)
        body = self.sub(r"\{%-?\s*post_url\s+([^\s%]+)\s*-?%\}", "{% post_url %}",
                        lambda m: self.url(m.group(1)), body)
        body = self.sub(r"\{%-?\s*link\s+([^\s%]+)\s*-?%\}", "{% link %}", lambda m: self.url(m.group(1)), body)
        body = self.sub(r"\{\{<\s*(?:rel)?ref\s+\"?([^\">]+?)\"?\s*>\}\}", "{{< ref >}}",
                        lambda m: self.url(m.group(1)), body)
        body = self.sub(r"\{\{-?\s*page\.title\s*-?\}\}", "{{ page.title }}", self.title.replace("\\", "\\\\"), body)
        body = self.sub(r"\{\{-?\s*site\.(?:base)?url\s*-?\}\}", "{{ site.url }}", "", body)
        body = self.sub(r"\{\{<\s*figure\s+([^>]*?)/?>\}\}", "{{< figure >}}", self.figure, body)
        body = self.sub(r"\{\{<\s*youtube\s+(?:id=)?\"?([\w-]+)\"?\s*>\}\}", "{{< youtube >}}",
                        lambda m: f"[Watch the video](https://www.youtube.com/watch?v={m.group(1)})", body)
        body = self.sub(r"\{\{<\s*gist\s+(\S+)\s+(\w+)\s*>\}\}", "{{< gist >}}",
                        lambda m: f"[The gist](https://gist.github.com/{m.group(1)}/{m.group(2)})", body)
        return body

    @staticmethod
    def figure(match: re.Match[str]) -> str:
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        alt = attributes.get("alt") or attributes.get("caption") or attributes.get("title", "")
        title = f' "{attributes["title"]}"' if attributes.get("title") else ""
        return f"![{alt}]({attributes.get('src', '')}{title})"


def _urls(sources: list[Path], settings: Settings) -> dict[str, str]:
    """Each post's file name (without extension) -> its path on the new site, for links between posts."""
    urls = {}
    for path in sources:
        if not _is_post(path):
            continue
        name = name_of(path)
        day, rest = dated_name(name)
        try:
            date = parse_date(day, settings.zone) if day else None
        except ValueError:
            date = None  # said when the post is read
        urls[name] = post_url(settings.site.permalink, slugify(rest), date)
    return urls


def import_posts(settings: Settings, source: Path) -> Imported:
    """Copy and convert the posts in `source`; raise BuildErrors with every problem, writing nothing."""
    if not source.is_dir():
        raise LocatedError(str(source), None, "is not a folder; give a Jekyll site, its _posts folder, a Hugo site "
                                              "or its content/posts folder")
    folder = posts_folder(source)
    result = Imported(folder)
    target_root = settings.paths.posts
    sources = _sources(folder)
    if not any(_is_post(path) for path in sources):
        raise LocatedError(str(folder), None, "has no posts (.md or .markdown files); give the folder with them")
    urls = _urls(sources, settings)
    staging = fresh_staging(settings.root / "content" / STAGING)
    errors: list[TouchgenError] = []
    notes = Notes()
    planned: list[tuple[Path, Path]] = []  # (staged file, where it goes)
    try:
        for path in sources:
            rel = path.relative_to(folder)
            staged = staging / "content/posts" / rel
            staged.parent.mkdir(parents=True, exist_ok=True)
            destination = target_root / rel
            shown = f"content/posts/{rel.as_posix()}"
            if not _is_post(path):
                shutil.copyfile(path, staged)
                if destination.is_file() and destination.read_bytes() == staged.read_bytes():
                    continue
                if destination.exists():
                    errors.append(LocatedError(shown, None, f"already exists and differs from {path} (move it away "
                                                            "and import again)"))
                result.files += 1
                planned.append((staged, destination))
                continue
            try:
                text = read_utf8(path, str(path), "save it as UTF-8 and import again")
            except LocatedError as exc:
                errors.append(exc)
                continue
            converter = Converter(html.unescape(_title_of(text)), urls, settings.base_path)
            try:
                fence, _, body_line = split(text, str(rel))
            except TouchgenError as exc:
                errors.append(exc)
                continue
            lines = text.splitlines(keepends=True)
            head, body = "".join(lines[:body_line - 1]), "".join(lines[body_line - 1:])
            new_body = converter.convert(body)
            staged.write_text(head + new_body, encoding="utf-8")
            try:
                read_document(staging, staged, Kind.POST, settings, result.warnings, Notes())
            except TouchgenError as exc:
                errors.append(exc)
                continue
            for line, syntax, what in foreign_syntax(new_body):
                notes.add(syntax, f"{shown}:{body_line + line - 1}: warning: {syntax} ({what}) is left as written; "
                                  "edit or remove it", shown)
            if destination.is_file() and destination.read_bytes() == staged.read_bytes():
                result.unchanged += 1
                continue
            if destination.exists():
                errors.append(LocatedError(shown, None, f"already exists and differs from {path} (move it away "
                                                        "and import again)"))
            elif converter.done:
                result.converted += 1
                result.changes.append(f"{shown}: " + ", ".join(
                    f"{label} → {BECOMES[label]} ({count})" for label, count in converter.done.items()))
            else:
                result.copied += 1
            planned.append((staged, destination))
        if errors:
            raise BuildErrors(errors, [])
        for staged, destination in planned:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, destination)
    finally:
        remove(staging)
    result.warnings += notes.lines()
    return result


def _title_of(text: str) -> str:
    match = re.search(r"^title\s*[:=]\s*[\"']?(.*?)[\"']?\s*$", text, re.MULTILINE)
    return match.group(1) if match else ""
