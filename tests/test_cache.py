"""The build cache and the worker processes never change what is built: a rebuild after any edit
equals a clean build byte for byte, with or without the cache, with one worker or several; a cache
that cannot be read is rebuilt, never an error."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import importlib.util
import json
import marshal
import multiprocessing
import os
import pickle
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, post, write

from touchgen.config import load_settings
from touchgen.errors import TouchgenError
from touchgen.site.build import build
from touchgen.site.cache import Cache
from touchgen.site.folders import RACY_FOLDER


def contents(folder: Path) -> dict[str, str]:
    """Every file the build made (output/site and output/newsletter) and the hash of its bytes."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for name in ("site", "newsletter") for path in sorted((folder / name).rglob("*")) if path.is_file()}


def clean_build(root: Path, scratch: Path, **options) -> dict[str, str]:
    """What a first build of a copy of `root` makes, without any cache."""
    twin = scratch / "twin"
    if twin.exists():
        shutil.rmtree(twin)
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("output"))
    build(load_settings(twin), cache=False, **options)
    return contents(twin / "output")


def many_posts(root: Path, count: int) -> None:
    """`count` Monday posts with tags, links to each other, code and a footnote."""
    monday = dt.date(2024, 1, 1)
    for number in range(count):
        day = monday + dt.timedelta(weeks=number)
        tags = ["habits", "clients", "writing"][: number % 3 + 1]
        body = (f"Post *{number}* says [hello](../post-{max(number - 1, 0)}/) -- \"quoted\".[^1]\n\n## A heading\n\n"
                f"- one\n- two\n\n```python\nprint({number})\n```\n\n[^1]: A note.\n")
        post(root, f"{day}-post-{number}.md", f"title: Post {number}\ndate: {day}\ntags: [{', '.join(tags)}]\n", body)


def test_cache_and_workers_never_change_a_byte(site, tmp_path):
    many_posts(site, 70)  # enough posts for the workers to be used
    result = build(load_settings(site), jobs=2)
    assert result.written.written == len(contents(site / "output"))
    expected = clean_build(site, tmp_path, jobs=1)
    assert contents(site / "output") == expected
    again = build(load_settings(site), jobs=2)
    assert (again.written.written, again.written.removed) == (0, 0)
    assert again.written.unchanged == again.written.reused == len(expected)
    assert contents(site / "output") == expected


def _collecting(_: int) -> bool:
    return gc.isenabled()


def test_a_build_pauses_the_cycle_collector_here_and_gives_it_back(site, monkeypatch):
    """The build process does not look for cycles while it builds (what it makes lives until the end);
    it does again once the build is over, failed or not (touchgen serve builds again and again in one
    process); a build started with the collector off leaves it off; the workers collect as usual."""
    from touchgen.site import render
    from touchgen.site.workers import Workers

    many_posts(site, 70)
    passes: list[str] = []

    def counted(phase: str, info: dict) -> None:
        passes.append(phase)

    seen_by_workers: list[bool] = []
    produce = render.produce

    def watched(*args, **kwargs):
        gc.collect()  # at most one pass by hand; the build's allocations make none
        workers = Workers(2)
        try:
            seen_by_workers.extend(workers.map(_collecting, range(8), 1, 1))
        finally:
            workers.close()
        assert not gc.isenabled()
        return produce(*args, **kwargs)

    monkeypatch.setattr(render, "produce", watched)
    assert gc.isenabled()
    gc.callbacks.append(counted)
    try:
        build(load_settings(site), jobs=2)
    finally:
        gc.callbacks.remove(counted)
    assert gc.isenabled() and passes == ["start", "stop"] and seen_by_workers == [True] * 8
    gc.disable()
    try:
        write(site / "content/posts/2024-01-01-post-0.md", "---\ntitle: [unclosed\n---\nBroken.\n")
        with pytest.raises(TouchgenError):
            build(load_settings(site), jobs=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(TouchgenError):
        build(load_settings(site), jobs=1)
    assert gc.isenabled()


EDITS = {
    "post": lambda root: replace(root / "content/posts/2024-03-04-post-9.md", "Post *9* says", "Post *9* now says"),
    "title shown by neighbours": lambda root: replace(root / "content/posts/2024-03-11-post-10.md",
                                                      "title: Post 10", "title: Post ten"),
    "tag": lambda root: replace(root / "content/posts/2024-01-15-post-2.md", "habits, clients, writing",
                                "habits, clients, reading"),
    "template": lambda root: replace(root / "templates/site/post.html", "min read", "minutes to read"),
    "email template": lambda root: replace(root / "templates/email/newsletter.txt", "{{", "{{ ", 1),
    "touchgen.toml": lambda root: replace(root / "touchgen.toml", "posts_per_page = 10", "posts_per_page = 4"),
    "page": lambda root: replace(root / "content/pages/about.md", "about", "all about", 1),
    "removed post": lambda root: (root / "content/posts/2024-01-01-post-0.md").unlink(),
    "draft": lambda root: replace(root / "content/posts/2024-01-08-post-1.md", "title:", "draft: true\ntitle:"),
    "static file": lambda root: write(root / "static/files/notes.txt", "notes"),
    "removed static file": lambda root: (root / "static/files/notes.txt").unlink(),
}


def replace(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_first_build_has_its_workers_write_the_pages_and_emails(site, tmp_path, monkeypatch):
    """A first build (and --clean) writes every file anew: the worker processes write their posts'
    pages and emails themselves, and link them into the next build's spare, instead of sending them
    to the build process. The bytes are those of one process; the next build changes only an edit."""
    from touchgen.site import output

    many_posts(site, 70)
    through_build_process: list[str] = []
    original = output.Tree.put
    monkeypatch.setattr(output.Tree, "put", lambda tree, rel, data, key="": (
        through_build_process.append(f"{tree.name}/{rel}"), original(tree, rel, data, key))[1])
    for flags in ({}, {"clean": True}):
        through_build_process.clear()
        result = build(load_settings(site), jobs=2, **flags)
        assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)
        assert result.written.written == len(contents(site / "output"))
        assert through_build_process and not [rel for rel in through_build_process
                                              if rel.startswith(("site/posts/", "newsletter/"))]
        if not flags:  # the next build's spare: hard links to the very files the workers wrote
            for rel in ("site/posts/post-3/index.html", "newsletter/post-3/email.html"):
                live, spare = site / "output" / rel, site / "output/.cache" / rel
                assert live.stat().st_ino == spare.stat().st_ino and live.stat().st_nlink == 2
    replace(site / "content/posts/2024-01-22-post-3.md", "- two", "- three")
    again = build(load_settings(site), jobs=1)
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)
    assert again.written.written == 5  # the page and the four files of the email (not in the feeds: too old)


def test_a_first_build_renders_the_listing_pages_while_the_workers_render_the_posts(site, tmp_path, monkeypatch):
    """A first build (and --clean) gives every post to the workers at once (window 0: the pool starts
    on them there and then; their files are written there, nothing big comes back) and renders the
    listing pages itself while they work; a rebuild, whose workers send pages back, gives them out a
    window at a time once the listing pages are rendered, as a build in one process does. The bytes
    are the same either way."""
    from touchgen.site import render, workers

    many_posts(site, 70)
    events: list[str] = []
    real_map, real_render, real_put = workers.Workers.map, render.render_page, render.Trees.put

    def recorded_map(self, function, items, chunk, minimum, window=0):
        events.append(f"{function.__name__}, window {window}")
        return real_map(self, function, items, chunk, minimum, window)

    def recorded_render(*args):
        events.append("listing page")
        return real_render(*args)

    def recorded_put(self, rel, data, key=""):
        if rel.startswith("site/posts/"):
            events.append("a post's page taken back")
        return real_put(self, rel, data, key)

    monkeypatch.setattr(workers.Workers, "map", recorded_map)
    monkeypatch.setattr(render, "render_page", recorded_render)
    monkeypatch.setattr(render.Trees, "put", recorded_put)
    for flags in ({}, {"clean": True}):
        events.clear()
        build(load_settings(site), jobs=2, **flags)
        assert events.index("post_job, window 0") < events.index("listing page")
        assert "a post's page taken back" not in events  # the workers wrote them
        assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)
    replace(site / "templates/site/base.html", "</footer>", "</footer><!-- on every page -->")
    events.clear()
    build(load_settings(site), jobs=2)
    assert f"post_job, window {render.POST_WINDOW}" in events
    taken = events.index("a post's page taken back")
    assert events.count("listing page") > 1 and events.index("listing page") < taken
    assert "listing page" not in events[taken:]
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def test_a_build_leaves_no_sqlite_journal_behind(site):
    """--clean with a warm cache reads renderings on the pool's thread, through a connection of its
    own: closed with the cache, so that SQLite removes its write-ahead files as it does for one."""
    many_posts(site, 70)
    build(load_settings(site), jobs=2)
    build(load_settings(site), jobs=2, clean=True)
    assert sorted(path.name for path in (site / "output/.cache").iterdir() if path.is_file()) == ["cache.db"]


def test_an_entry_goes_to_the_workers_while_templates_fill_its_fields(site):
    """The pool's thread sends entries to the workers while this process renders listing pages, which
    fill an entry's cached fields (its date as shown, its links): sending takes the entry's fields by
    name, so the entry changing meanwhile breaks nothing (it broke the sending, then the pool)."""
    from touchgen.site.cache import Rendered
    from touchgen.site.content import load_content
    from touchgen.site.pages import make_entries

    settings = load_settings(site)
    entries = []

    def html_read_meanwhile() -> str:  # read as the entry is sent: the listing pages fill its fields then
        entries[0].date_display, entries[0].reply_link, entries[0].booking_link  # noqa: B018
        return "<p>The body.</p>"

    made = make_entries(settings, load_content(settings), dt.datetime(2026, 12, 7, tzinfo=dt.timezone.utc),
                        False, False, lambda docs: [Rendered(None, "A summary.", 1, load=html_read_meanwhile)
                                                    for _ in docs])
    entries.extend(made.posts)
    sent = pickle.loads(pickle.dumps(entries[0]))
    assert (sent.title, str(sent.body), sent.date_display) == (entries[0].title, "<p>The body.</p>",
                                                                entries[0].date_display)
    assert sent.reply_link == entries[0].reply_link and "date_display" in vars(entries[0])


def test_a_context_is_described_as_the_plain_recursion_describes_it(site):
    """A page's key holds its context described as text (render.describe), strings and entries in
    place without a call for each: the same text as describing every value by itself."""
    import random

    from touchgen.site.content import load_content
    from touchgen.site.pages import Entry, make_entries
    from touchgen.site.render import describe

    def plainly(value):
        if isinstance(value, Entry):
            return f"E{value.fingerprint}"
        if value is None or isinstance(value, (str, int, float, bool, dt.datetime, dt.date)):
            return repr(value)
        if isinstance(value, dict):
            return "{" + ",".join(f"{plainly(key)}:{plainly(item)}" for key, item in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(plainly(item) for item in value) + "]"
        raise TypeError

    many_posts(site, 4)
    settings = load_settings(site)
    entries = make_entries(settings, load_content(settings), dt.datetime(2026, 12, 7, tzinfo=dt.timezone.utc),
                           False, False).posts
    rng = random.Random(7)
    leaves = [*entries, "x", "it's \"quoted\"", "", 3, 2.5, None, True, dt.date(2026, 1, 5),
              dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc), ("a", 1)]

    def value(depth: int):
        shape = rng.randrange(4) if depth < 3 else 0
        if shape == 1:
            return {rng.choice(["post", "newer", 1, None, "x"]): value(depth + 1) for _ in range(rng.randrange(4))}
        if shape == 2:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        if shape == 3:
            return tuple(value(depth + 1) for _ in range(rng.randrange(3)))
        return rng.choice(leaves)

    for _ in range(2000):
        made = value(0)
        assert describe(made) == plainly(made), made
    with pytest.raises(TypeError):
        describe({"post": object()})
    assert describe([entries[0], "E" + entries[0].fingerprint]) != describe([entries[0], entries[0]])


def slow_post_job(job):
    """A worker's post job, a hundredth of a second slower (a function of this module: the pool sends it by name)."""
    from touchgen.site.workers import post_job

    time.sleep(0.01)
    return post_job(job)


def test_a_first_build_stopped_while_its_workers_write_leaves_no_output(site, monkeypatch):
    """Stopped (Ctrl-C, or any failure here) while the workers still write pages and emails: they are
    stopped before output/ is taken away, so none is left behind, half made or made again."""
    from touchgen.site import render

    many_posts(site, 70)
    monkeypatch.setattr(render, "post_job", slow_post_job)  # the workers are still busy when the build stops
    taken: list[str] = []

    def interrupt(self, rel, key, made):
        taken.append(rel)
        if len(taken) == 10:
            raise KeyboardInterrupt

    monkeypatch.setattr(render.Trees, "written_elsewhere", interrupt)
    from touchgen.site import build as building

    workers_alive: list[int] = []
    original_remove = building.remove
    monkeypatch.setattr(building, "remove", lambda path: (workers_alive.append(len(multiprocessing.active_children())),
                                                          original_remove(path))[1])
    with pytest.raises(KeyboardInterrupt):
        build(load_settings(site), jobs=2)
    assert workers_alive == [0]  # output/ was taken away once no worker could write into it
    assert not (site / "output").exists()


def test_each_edit_rebuilds_exactly_what_a_clean_build_makes(site, tmp_path):
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    for name, edit in EDITS.items():
        edit(site)
        result = build(load_settings(site), jobs=1)
        assert contents(site / "output") == clean_build(site, tmp_path, jobs=1), name
        assert result.written.written + result.written.unchanged == len(contents(site / "output")), name


def test_the_output_folders_recorded_after_each_edit_are_as_on_disk(site, monkeypatch):
    """A rebuild looks again only at the folders it changed and keeps what was recorded of the others
    (when their tree was last the live one): after every kind of edit, what is recorded is exactly
    the live tree's folders as they are."""
    from touchgen.site import output

    monkeypatch.setattr(output, "trusted_before", lambda fine=False: time.time_ns() + 10**12)  # all settled
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    for name, edit in [*EDITS.items(), ("new post", lambda root: post(root, "2024-06-03-new.md", "title: New\n"
                                                                      "date: 2024-06-03\ntags: [fresh]\n"))]:
        edit(site)
        build(load_settings(site), jobs=1)
        out = site / "output/site"
        on_disk = {folder.relative_to(out).as_posix() if folder != out else "": [folder.stat().st_mtime_ns,
                                                                                   folder.stat().st_ino]
                   for folder in [out, *out.rglob("*")] if folder.is_dir()}
        assert folders_recorded(site) == on_disk, name


def test_a_rebuild_renders_only_what_changed(site):
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    replace(site / "content/posts/2024-03-04-post-9.md", "- two", "- three")  # not the summary, nor the title
    result = build(load_settings(site), jobs=1).written
    # The post page, its email (.mjml, .html, .txt and .json: the source's hash) and the feeds change.
    assert result.written == 7
    # The pages that list the post (the index, its tag, the archive) and its neighbours' pages were
    # rendered again, since they show it, and came out the same; nothing else was rendered.
    assert result.reused == result.unchanged - 5

    replace(site / "templates/site/post.html", "min read", "minutes to read")
    result = build(load_settings(site), jobs=1).written
    # Every post's page, and nothing else: the emails and the other pages do not use that template.
    assert result.written == len(list((site / "output/site/posts").glob("*/index.html"))) == 13
    replace(site / "templates/site/base.html", "<main>", "<main id=\"main\">")
    result = build(load_settings(site), jobs=1).written
    assert result.written == len(list((site / "output/site").rglob("*.html")))  # every page, still no email


@pytest.mark.parametrize("damage", ["garbage", "truncated", "damaged pages", "another version", "compiled templates",
                                    "recorded trees", "recorded posts", "recorded values", "a folder"])
def test_a_damaged_or_foreign_cache_is_rebuilt(site, tmp_path, damage):
    many_posts(site, 5)
    build(load_settings(site), jobs=1)
    database = site / "output/.cache/cache.db"
    if damage == "garbage":
        database.write_bytes(b"\x00\xffnot a database at all" * 500)
    elif damage == "truncated":
        data = database.read_bytes()
        database.write_bytes(data[: len(data) // 3])
    elif damage == "damaged pages":  # found only when a build reads them, not when the cache is opened
        data = bytearray(database.read_bytes())
        for page in range(len(data) // 8192, len(data) // 4096, 3):  # the second half: not the schema
            data[page * 4096:page * 4096 + 100] = b"\xee" * 100
        database.write_bytes(bytes(data))
    elif damage == "another version":
        with sqlite3.connect(database) as db:
            db.execute("UPDATE meta SET value = 'touchgen 0.0.1 cache 1' WHERE name = 'stamp'")
        db.close()
    elif damage == "compiled templates":
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT count(*) FROM templates").fetchone()[0] > 3
            db.execute("UPDATE templates SET code = x'e3ff00ff' WHERE rowid % 2 = 0")
            db.execute("UPDATE templates SET code = ? WHERE rowid % 2 = 1", (marshal.dumps(5),))
            db.execute("UPDATE meta SET value = ? WHERE name = 'template uses'", (marshal.dumps([1, 2]),))
        db.close()
        from touchgen.site.theme import COMPILED

        COMPILED.compiled.clear()  # as a new process starts: only the cache's
    elif damage == "recorded trees":  # what is recorded of each output tree: garbage of every shape
        wrong = [b"\x00garbage", marshal.dumps(([], [])), marshal.dumps((["a"], ["k"], ["s"], [1], [2], ["three"])),
                 marshal.dumps(tuple([["x"]] * 5 + [[]]))]
        with sqlite3.connect(database) as db:
            trees = [tree for (tree,) in db.execute("SELECT tree FROM trees")]
            assert len(trees) == 4  # the live and spare trees of output/site and output/newsletter
            for tree, data in zip(trees, wrong):
                db.execute("UPDATE trees SET files = ? WHERE tree = ?", (data, tree))
            db.execute("UPDATE trees SET files = ? WHERE tree = ?", (marshal.dumps(([], [], [], [], [], [])), trees[0]))
            db.execute("INSERT INTO tree_changes VALUES (?, ?)", (trees[0], marshal.dumps((b"\x00", ["x"]))))
        db.close()
    elif damage == "recorded posts":  # the posts as read: garbage of every shape
        wrong = [b"\x00junk", marshal.dumps([1, 2, 3]), marshal.dumps(([], [], [])), marshal.dumps((["a"] * 14, [], 5))]
        with sqlite3.connect(database) as db:
            paths = [path for (path,) in db.execute("SELECT path FROM documents")]
            for path, data in zip(paths, wrong):
                db.execute("UPDATE documents SET data = ? WHERE path = ?", (data, path))
        db.close()
    elif damage == "recorded values":  # the last build, the folders, the templates' uses: unreadable, or JSON
        with sqlite3.connect(database) as db:
            names = [name for (name,) in db.execute("SELECT name FROM meta WHERE name != 'stamp'")]
            assert {"last_build", "folders site", "folders newsletter", "template uses"} <= set(names)
            for number, name in enumerate(names):
                db.execute("UPDATE meta SET value = ? WHERE name = ?", (b"\x00junk" if number % 2 else "{}", name))
        db.close()
    else:
        database.unlink()
        database.mkdir()
    post(site, "2024-02-12-later.md", "title: Later\ndate: 2024-02-12\n")
    result = build(load_settings(site), jobs=1)
    assert result.written.written > 0
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)
    again = build(load_settings(site), jobs=1)
    if damage != "a folder":
        assert again.written.reused == again.written.unchanged == len(contents(site / "output"))


def test_deleting_output_gives_a_cold_build(site, tmp_path):
    many_posts(site, 3)
    build(load_settings(site), jobs=1)
    shutil.rmtree(site / "output")
    result = build(load_settings(site), jobs=1).written
    assert (result.unchanged, result.reused) == (0, 0)
    assert contents(site / "output") == clean_build(site, tmp_path)


def test_a_file_changed_in_output_is_put_back(site, run):
    many_posts(site, 3)
    run(site, "build")
    page = site / "output/site/posts/post-1/index.html"
    original = page.read_bytes()
    page.write_bytes(b"changed by hand")
    (site / "output/site/stray.html").write_text("stray")
    result = run(site, "build")
    assert "1 written" in result.stdout and "1 removed" in result.stdout
    assert page.read_bytes() == original and not (site / "output/site/stray.html").exists()


def test_summary_says_how_much_came_from_the_cache(sample_site, run):
    first = run(sample_site, "build", "--jobs", "1")
    assert "65 written, 0 unchanged, 0 removed (output/)" in first.stdout
    again = run(sample_site, "build")
    assert again.stdout.endswith("0 written, 65 unchanged (65 from cache), 0 removed (output/)\n")
    assert run(sample_site, "build", "--jobs", "0", code=2).stderr.endswith(
        "Invalid value for '--jobs' / '-j': 0 is not in the range x>=1.\n")


def test_the_benchmark_corpus_is_the_same_every_time(tmp_path):
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks/corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = corpus
    spec.loader.exec_module(corpus)
    first = corpus.write_sites(tmp_path / "a", 3, ["touchgen", "hugo"])
    second = corpus.write_sites(tmp_path / "b", 3, ["touchgen", "hugo"])
    for tool in ("touchgen", "hugo"):
        files = {p.relative_to(first[tool]).as_posix(): p.read_bytes() for p in first[tool].rglob("*") if p.is_file()}
        again = {p.relative_to(second[tool]).as_posix(): p.read_bytes() for p in second[tool].rglob("*") if p.is_file()}
        assert files == again
    posts = sorted((first["touchgen"] / "content/posts").iterdir())
    assert [p.name for p in posts] == ["2025-12-22-post-00001.md", "2025-12-29-post-00002.md", "2026-01-05-post-00003.md"]
    words = len(posts[0].read_text(encoding="utf-8").split())
    assert 700 < words < 900
    assert build(load_settings(first["touchgen"]), jobs=1).rendered.warnings == ()


def test_clean_and_plain_builds_take_turns(site, tmp_path):
    many_posts(site, 4)
    for number, clean in enumerate((False, True, False, True, False)):
        post(site, f"2024-03-04-turn-{number}.md", f"title: Turn {number}\ndate: 2024-03-04\n")
        result = build(load_settings(site), jobs=1, clean=clean)
        assert contents(site / "output") == clean_build(site, tmp_path)
        assert result.written.reused == (0 if clean else result.written.reused)
    again = build(load_settings(site), jobs=1)
    assert again.written.written == 0 and again.written.reused == again.written.unchanged


def age(root: Path, seconds: int = 3600, folders: tuple[str, ...] = ("content",)) -> None:
    """Every file of `folders` as last changed `seconds` ago: what a build may trust by its status."""
    then = dt.datetime.now().timestamp() - seconds
    for folder in folders:
        for path in [root / folder] if (root / folder).is_file() else (root / folder).rglob("*"):
            os.utime(path, (then, then))


def counting_reads(monkeypatch) -> list[str]:
    """The posts and pages read from their files from now on (the rest come from the cache)."""
    from touchgen.site import content

    read: list[str] = []
    original = content.read_document

    def counted(root, path, *args, **kwargs):
        read.append(path.name)
        return original(root, path, *args, **kwargs)

    monkeypatch.setattr(content, "read_document", counted)
    return read


@pytest.mark.parametrize("jobs", [1, 2])  # with 2, the bodies go to the workers: read by the pool's own thread
def test_a_rebuild_reads_the_bodies_of_only_the_posts_it_renders_and_a_lost_body_is_read_from_its_file(
        site, tmp_path, monkeypatch, jobs):
    from touchgen.site.cache import Cache

    many_posts(site, 12 if jobs == 1 else 70)
    posts = len(list((site / "content/posts").glob("*.md")))
    age(site)
    build(load_settings(site), jobs=jobs)
    asked: list[str] = []
    original = Cache.body

    def counted(self, digest):
        asked.append(digest)
        return original(self, digest)

    monkeypatch.setattr(Cache, "body", counted)
    read = counting_reads(monkeypatch)
    replace(site / "content/posts/2024-03-04-post-9.md", "Post *9* says", "Post *9* now says")
    build(load_settings(site), jobs=jobs)  # the post, its neighbours' pages, the listings: no other body
    assert (read, asked) == (["2024-03-04-post-9.md"], [])
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)

    # The email template changed: every email shows its post's text, from the cache.
    replace(site / "templates/email/newsletter.txt", "{{ post.text }}", "{{ post.text }}\n")
    read.clear()
    build(load_settings(site), jobs=jobs)
    # (The workers get the pages too, as every page's menu, and so their bodies.)
    expected = posts if jobs == 1 else posts + len(list((site / "content/pages").glob("*.md")))
    assert read == [] and len(asked) == expected and len(set(asked)) == expected
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)

    # Should the cache have lost a body, it is read from the post's file again.
    with sqlite3.connect(site / "output/.cache/cache.db") as db:
        db.execute("DELETE FROM bodies")
    db.close()
    replace(site / "templates/email/newsletter.txt", "{{ post.text }}\n", "{{ post.text }}\n\n")
    read.clear()
    build(load_settings(site), jobs=jobs)
    folders = ["posts"] if jobs == 1 else ["posts", "pages"]
    assert sorted(read) == sorted(path.name for folder in folders for path in (site / "content" / folder).glob("*.md"))
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def test_a_rebuild_asks_for_each_posts_status_once(site, monkeypatch):
    """The status of every file of content/ is found once a build: by the hash of everything a build
    reads (inputs.py), then reused to tell which posts the cache knows."""
    many_posts(site, 12)
    age(site)
    build(load_settings(site), jobs=1)
    asked: list[str] = []
    real = os.stat

    def counted(path, *args, **kwargs):
        if str(path).endswith(".md"):
            asked.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted)
    replace(site / "content/posts/2024-03-04-post-9.md", "Post *9* says", "Post *9* now says")
    build(load_settings(site), jobs=1)
    markdown = sorted(path.name for path in (site / "content").rglob("*.md"))
    assert sorted(asked) == markdown


def test_posts_read_in_the_workers_tell_the_same_warnings_and_errors(site, tmp_path, monkeypatch):
    """A cold build with workers reads the posts there (with their markdown); the warnings, the errors
    and the output are those of a build that reads every post itself, in the same order."""
    from touchgen.errors import BuildErrors

    many_posts(site, 60)
    post(site, "2024-06-03-layout.md", "title: Layout\ndate: 2024-06-03\nlayout: post\n", "Hello.\n")
    post(site, "2024-06-10-untitled.md", "date: 2024-06-10\n", "Hello\u200b there.\n")
    post(site, "2024-06-17-bad.md", "title: Bad\ndate: 2024-13-45\n", "Hello.\n")
    twin = tmp_path / "twin"
    shutil.copytree(site, twin)

    def failure(root, **options):
        with pytest.raises(BuildErrors) as caught:
            build(load_settings(root), **options)
        return [str(error) for error in caught.value.errors], caught.value.warnings

    read = counting_reads(monkeypatch)
    in_workers = failure(site, jobs=2)
    assert read == ["2024-06-17-bad.md", "about.md"]  # again here for its message, and the one page (too
    # few for the workers); the posts were read in the workers
    assert in_workers == failure(twin, jobs=1, cache=False)
    assert any("date" in error for error in in_workers[0]) and len(in_workers[1]) >= 2
    for root in (site, twin):
        replace(root / "content/posts/2024-06-17-bad.md", "2024-13-45", "2024-06-17")
    assert build(load_settings(site), jobs=2).rendered.warnings == \
        build(load_settings(twin), jobs=1, cache=False).rendered.warnings
    assert contents(site / "output") == contents(twin / "output")


def test_posts_unchanged_since_the_last_build_are_not_read_again(site, tmp_path, monkeypatch):
    many_posts(site, 12)
    post(site, "2024-06-03-old.md", "title: Old\ndate: 2024-06-03 09:30:00 +02:00\nlayout: post\n",
         "Hello {{ page.title }}.\n\n{% include note.html %}\n")
    age(site)
    first = build(load_settings(site), jobs=1)
    read = counting_reads(monkeypatch)

    replace(site / "templates/site/post.html", "min read", "minutes to read")  # a build, but no post changed
    again = build(load_settings(site), jobs=1)
    assert read == []
    assert again.rendered.warnings == first.rendered.warnings  # told again, from the cache
    assert any("unknown front matter key 'layout'" in line for line in again.rendered.warnings)
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)

    # An edit that keeps the size and puts the old time back is still seen (the change time moved).
    edited = site / "content/posts/2024-03-04-post-9.md"
    before = edited.stat()
    replace(edited, "title: Post 9", "title: Post 8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (edited.stat().st_size, edited.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    read.clear()  # clean_build reads too
    build(load_settings(site), jobs=1)
    assert read == [edited.name]
    assert "<h1>Post 8</h1>" in (site / "output/site/posts/post-9/index.html").read_text(encoding="utf-8")
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)

    # What reading depends on besides the file (here the time zone of dates) reads every post again.
    replace(site / "touchgen.toml", 'timezone = "Europe/Amsterdam"', 'timezone = "UTC"')
    read.clear()
    build(load_settings(site), jobs=1)
    assert len(read) == len(list((site / "content").rglob("*.md")))
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def test_a_build_that_fails_after_reading_keeps_what_it_read(site, monkeypatch):
    """What a build read is true whether or not it goes on: after a build stopped by a post whose address
    is the site's own, the next build reads only the post that was fixed, not the other one it read."""
    many_posts(site, 12)
    replace(site / "touchgen.toml", "[site]\n", '[site]\npermalink = "/:slug/"\n')
    age(site)
    build(load_settings(site), jobs=1)
    edited, clash = site / "content/posts/2024-01-08-post-1.md", site / "content/posts/2024-06-03-clash.md"
    replace(edited, "title: Post 1", "title: Post One")
    post(site, clash.name, "title: Clash\ndate: 2024-06-03\nslug: archive\n", "Hi.")
    read = counting_reads(monkeypatch)
    with pytest.raises(TouchgenError, match="its address /archive/ is taken by the site's own /archive/"):
        build(load_settings(site), jobs=1)
    assert sorted(read) == [edited.name, clash.name]
    replace(clash, "slug: archive", "slug: clash")
    read.clear()
    build(load_settings(site), jobs=1)
    assert read == [clash.name]
    assert "<h1>Post One</h1>" in (site / "output/site/post-1/index.html").read_text(encoding="utf-8")


def test_a_post_changed_just_before_a_build_is_known_by_its_text_next_time(site, monkeypatch):
    """Two saves within one tick of the file system's clock can leave the same status: a post changed
    in the two seconds before a build is known next time by the hash of its text, not by its status."""
    age(site, 0)
    build(load_settings(site), jobs=1)
    read = counting_reads(monkeypatch)
    replace(site / "templates/site/post.html", "min read", "minutes to read")
    build(load_settings(site), jobs=1)
    assert read == []  # the same text: not read again

    edited = site / "content/posts/2026-11-23-welcome.md"
    before = edited.stat()
    replace(edited, "Welcome: why", "Hello!: why")  # as many bytes
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(load_settings(site), jobs=1)
    assert read == [edited.name]
    assert "Hello!: why I write on Mondays" in (site / "output/site/posts/welcome/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", ["repository", "jekyll", "hugo"])
def test_a_document_comes_back_from_the_cache_as_it_was_read(site, folder):
    from touchgen.site.content import load_content
    from touchgen.site.document import from_json, to_json

    if folder == "repository":
        site = REPO
    else:
        shutil.rmtree(site / "content/posts")
        shutil.copytree(REPO / "tests/fixtures" / folder / ("_posts" if folder == "jekyll" else "content/posts"),
                        site / "content/posts")
    settings = load_settings(site)
    content = load_content(settings)
    documents = [*content.posts, *content.pages]
    assert len(documents) > 3
    for doc in documents:
        fields = to_json(doc, settings.zone)
        assert fields is not None, doc.source
        back = from_json(json.loads(json.dumps(fields)), settings.zone, doc.assets, lambda: doc.body_text or "")
        assert back == doc and repr(back) == repr(doc), doc.source
        assert back.body_text is None and back.body == doc.body and doc.body_text == doc.body, doc.source
    if folder == "hugo":  # dates written with an offset keep it
        assert any(doc.date is not None and doc.date.tzinfo is not settings.zone for doc in documents)


def test_nothing_changed_is_told_by_status_yet_an_edit_that_keeps_size_and_time_is_seen(site, monkeypatch):
    age(site, folders=("content", "templates"))
    build(load_settings(site), jobs=1)
    opened: list[str] = []
    real_open = open

    def counted(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    import builtins
    monkeypatch.setattr(builtins, "open", counted)
    again = build(load_settings(site), jobs=1)
    assert again.written.reused == again.written.unchanged > 0 and again.written.written == 0
    assert not [path for path in opened if "/content/" in path]  # known by their status, not read
    monkeypatch.undo()

    template = site / "templates/site/post.html"
    before = template.stat()
    replace(template, "min read", "min READ")
    os.utime(template, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = build(load_settings(site), jobs=1)
    assert result.written.written == 1  # the one post's page
    assert "min READ" in (site / "output/site/posts/welcome/index.html").read_text(encoding="utf-8")


def test_another_version_of_a_renderer_renders_everything_again(site, monkeypatch):
    """Installing another Python-Markdown, Pygments, Jinja2 or MJML changes what touchgen writes: with
    the site's files all as they were, the build is not 'nothing changed', and every page, email and
    rendering is made again (with the same libraries, the same bytes)."""
    from touchgen.site import inputs, output, render, renderers

    many_posts(site, 3)
    build(load_settings(site), jobs=1)
    before = contents(site / "output")
    same = build(load_settings(site), jobs=1)
    assert same.written.written == 0 and same.written.reused == same.written.unchanged > 0
    rendered: list[str] = []
    real_render = render.markdown_job

    def counted(item):
        rendered.append(item[0])
        return real_render(item)

    monkeypatch.setattr(render, "markdown_job", counted)
    kept: list[str] = []
    real_reuse = output.Tree.reuse

    def reuse(tree, rels, key):
        found = real_reuse(tree, rels, key)
        kept.extend(rels if found else [])
        return found

    monkeypatch.setattr(output.Tree, "reuse", reuse)
    for name, upgraded in (("markdown_settings", lambda: renderers.markdown_settings() + " upgraded"),
                           ("libraries", lambda: renderers.libraries() + " upgraded")):
        monkeypatch.setattr(inputs, name, upgraded)
        monkeypatch.setattr(render, name, upgraded)
        rendered.clear()
        kept.clear()
        again = build(load_settings(site), jobs=1)
        assert again.written.unchanged == same.written.unchanged and again.written.written == 0, name
        assert sorted(kept) == ["favicon.ico", "favicon.svg", "static/css/style.css"], name  # copied, not rendered
        assert len(rendered) == (5 if name == "markdown_settings" else 0), name  # every post and page
        assert contents(site / "output") == before
        assert build(load_settings(site), jobs=1).written.reused == same.written.unchanged  # nothing changed now


def folders_recorded(site: Path) -> dict[str, list[int]]:
    """What the cache recorded of output/site's folders: {folder: [time, inode]}."""
    live = (site / "output/site").stat()
    with sqlite3.connect(site / "output/.cache/cache.db") as db:
        records = marshal.loads(db.execute("SELECT value FROM meta WHERE name = 'folders site'").fetchone()[0])
    db.close()
    return records[f"site:{live.st_dev}:{live.st_ino}"]


def test_nothing_changed_is_told_by_the_output_folders_yet_a_file_added_by_hand_is_seen(site, monkeypatch):
    """The nothing-changed check knows the output's files by its folders' times, as a rebuild does
    (folders recorded right after they changed are listed, then known by their times once settled);
    a file added by hand changes its folder's time, and the build then removes it."""
    from touchgen.site import folders, inputs, output

    many_posts(site, 3)
    age(site, folders=("content", "templates"))
    build(load_settings(site), jobs=1)
    listed: list[str] = []
    original = inputs.scan
    monkeypatch.setattr(inputs, "scan", lambda folder, links=False: (listed.append(folder) if "/output/" in folder
                                                                      else None) or original(folder, links))
    settled = lambda fine=False: time.time_ns() + 10**12  # noqa: E731 (every folder has settled)
    monkeypatch.setattr(output, "trusted_before", settled)
    monkeypatch.setattr(folders, "trusted_before", settled)
    for _ in range(2):
        again = build(load_settings(site), jobs=1)
        assert again.written.written == 0 and again.written.reused > 0 and listed == []
    recorded = folders_recorded(site)
    assert recorded and all(mtime != RACY_FOLDER for mtime, _ in recorded.values())  # settled
    folder = site / "output/site/tags/habits"
    extra = write(folder / "notes.txt", "mine")
    found = folder.stat()  # the time the clock gives a folder changed after the build, whatever its tick
    os.utime(folder, ns=(found.st_atime_ns, found.st_mtime_ns + 1_000_000_000))
    result = build(load_settings(site), jobs=1)
    assert result.written.removed == 1 and not extra.exists() and listed


def test_an_output_folder_with_a_fine_time_is_known_by_it_a_moment_after_it_changed(site):
    """A folder recorded right after it changed is listed by the next build, as its file system's
    clock may not have ticked since. A time with a fraction of a second (ext4, APFS, NTFS) comes from a
    clock that ticks every 10 ms at most: a tenth of a second later it is trusted. A time of whole
    seconds may come from a clock of seconds (ext3, FAT): it is trusted two seconds later."""
    from touchgen.site import output

    many_posts(site, 3)
    age(site, folders=("content", "templates"))
    build(load_settings(site), jobs=1)
    out = site / "output/site"
    folders = [out, *sorted(path for path in out.rglob("*") if path.is_dir())]
    now = time.time_ns()
    fine = now - 500_000_000 + (1 if (now - 500_000_000) % 10**9 == 0 else 0)  # half a second ago
    whole = (now // 10**9) * 10**9  # within the last second, in whole seconds (a busy machine's build takes a while)
    for folder in folders[1:]:
        os.utime(folder, ns=(fine, fine))
    os.utime(folders[0], ns=(whole, whole))
    assert build(load_settings(site), jobs=1).written.written == 0  # nothing changed: the folders were listed
    recorded = folders_recorded(site)
    assert recorded[""][0] == RACY_FOLDER  # whole seconds: listed again next time
    assert {rel: mtime for rel, (mtime, _) in recorded.items() if rel} == \
        {folder.relative_to(out).as_posix(): fine for folder in folders[1:]}


def test_worker_processes_start_only_when_much_changed(site, monkeypatch):
    from touchgen.site import workers

    many_posts(site, 70)
    started: list[int] = []
    real = workers.Workers.__init__

    def counted(self, jobs):
        real(self, jobs)
        started.append(self.jobs)

    monkeypatch.setattr(workers.Workers, "__init__", counted)
    age(site, folders=("content", "templates", "static", "touchgen.toml"))
    build(load_settings(site), jobs=2)
    replace(site / "content/posts/2024-03-04-post-9.md", "- two", "- three")
    build(load_settings(site), jobs=2)
    replace(site / "templates/site/post.html", "min read", "minutes to read")
    build(load_settings(site), jobs=2)
    for number in range(10, 20):  # more than a few posts
        path = next((site / "content/posts").glob(f"*-post-{number}.md"))
        replace(path, "- two", "- three")
    build(load_settings(site), jobs=2)
    assert started == [2, 1, 2, 2]  # cold; one post; a template; ten posts


def test_a_rendering_reads_its_html_only_when_used_and_survives_a_lost_row(tmp_path):
    from touchgen.site.cache import Cache, Rendered

    cache = Cache(tmp_path / ".cache")
    links = (("href", "https://example.com/x/"), ("src", "/images/cover.png"))
    cache.store_markdown({"a": Rendered("<p>A</p>", "A", 1, links), "b": Rendered("<p>B</p>", "B", 1, ())}, ["a", "b"])
    asked: list[str] = []
    found = cache.markdown(["a", "b", "c"], lambda key: asked.append(key) or f"<p>{key} again</p>")
    assert sorted(found) == ["a", "b"] and found["a"].summary == "A"
    assert (found["a"].references, found["b"].references) == (links, ())
    assert cache.db is not None
    cache.db.execute("UPDATE markdown SET refs = ? WHERE key = 'b'", (b"\xffgarbage",))
    assert cache.markdown(["b"], lambda key: "")["b"].references is None  # found in the HTML again when needed
    assert found["a"].html == "<p>A</p>" and asked == []
    cache.store_markdown({}, ["a"])  # b is forgotten before anything used its HTML
    assert found["b"].html == "<p>b again</p>" and asked == ["b"]
    assert pickle.loads(pickle.dumps(found["a"])) == found["a"]  # to a worker, with its HTML
    cache.close()


def test_a_rendering_whose_html_the_cache_lost_to_damage_is_rendered_again(tmp_path):
    """The HTML is read when first used, from a table of its own; a cache found damaged at that moment
    is thrown away (as on any read) and the HTML made again: never an error."""
    from touchgen.site.cache import Cache, Rendered

    cache = Cache(tmp_path / ".cache")
    cache.store_markdown({"a": Rendered("<p>A</p>", "A", 1, ())}, ["a"])
    asked: list[str] = []
    found = cache.markdown(["a"], lambda key: asked.append(key) or f"<p>{key} again</p>")
    assert cache.db is not None
    cache.db.execute("DROP TABLE markdown_html")
    assert (found["a"].html, asked, cache.resets) == ("<p>a again</p>", ["a"], 1)
    cache.close()


def test_a_value_the_cache_cannot_hold_is_not_kept_and_a_damaged_one_is_not_read(tmp_path):
    """Recorded values are marshalled: one marshal cannot hold (a str subclass such as Markup) is not
    kept, never an error; a damaged one reads as nothing."""
    from markupsafe import Markup

    from touchgen.site.cache import Cache

    cache = Cache(tmp_path / ".cache")
    cache.put("plain", {"warnings": ["a"], "since": 1.5})
    cache.put("marked", {"warnings": [Markup("<b>a</b>")]})
    assert (cache.get("plain"), cache.get("marked")) == ({"warnings": ["a"], "since": 1.5}, None)
    assert cache.db is not None
    cache.db.execute("INSERT OR REPLACE INTO meta VALUES ('plain', ?)", (b"[\x02\x00\x00\x00\xe9",))
    assert cache.get("plain") is None
    cache.close()


def test_builds_with_workers_keep_the_cache_and_remove_what_is_gone(site, tmp_path):
    """The worker pool sends entries from a thread of its own: their HTML, read from the cache there,
    must neither throw the cache away nor leave a removed file in output/site."""
    many_posts(site, 70)
    write(site / "static/images/cover.png", "not really a picture")
    age(site, folders=("content", "templates", "static", "touchgen.toml"))
    build(load_settings(site), jobs=2)
    database = site / "output/.cache/cache.db"

    def rendered() -> int:
        with sqlite3.connect(database) as db:
            count = db.execute("SELECT count(*) FROM markdown").fetchone()[0]
        db.close()
        return count

    before = rendered()
    replace(site / "templates/site/post.html", "min read", "minutes to read")  # every post page, in the workers
    build(load_settings(site), jobs=2)
    assert rendered() == before  # nothing was rendered, and nothing was lost
    replace(site / "templates/site/post.html", "minutes to read", "min read")
    build(load_settings(site), jobs=2)
    replace(site / "content/posts/2024-03-04-post-9.md", "- two", "- three")
    build(load_settings(site), jobs=2)
    replace(site / "touchgen.toml", "posts_per_page = 10", "posts_per_page = 30")
    build(load_settings(site), jobs=2)
    (site / "static/images/cover.png").unlink()
    build(load_settings(site), jobs=2)
    assert not (site / "output/site/images/cover.png").exists()
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def test_a_site_named_by_a_relative_path_rebuilds_with_workers(site, monkeypatch):
    """`touchgen build` run inside the site names it '.': the workers' feeder thread then reads cached
    HTML through a cache whose path was relative (a crash: 'relative path can't be expressed as a
    file URI'), and what an earlier build made with the site named another way is known."""
    many_posts(site, 70)
    age(site, folders=("content", "templates", "static", "touchgen.toml"))
    build(load_settings(site), jobs=2)
    monkeypatch.chdir(site)
    replace(site / "templates/site/post.html", "min read", "minutes to read")  # every post page, in the workers
    result = build(load_settings(Path(".")), jobs=2)
    assert "minutes to read" in (site / "output/site/posts/post-9/index.html").read_text(encoding="utf-8")
    assert result.written.reused >= 4 * 70  # the emails, known whichever way the site was named


def listings_of_the_live_tree(monkeypatch) -> list[str]:
    """The managed trees whose every file is listed from now on (the others are known by their folders)."""
    from touchgen.site import output

    listed: list[str] = []
    original = output.Tree._scan_live

    def listing(tree):
        listed.append(tree.name)
        return original(tree)

    monkeypatch.setattr(output.Tree, "_scan_live", listing)
    return listed


def test_the_live_tree_is_known_by_its_folders_and_a_file_added_by_hand_still_goes(site, monkeypatch, tmp_path):
    """A rebuild does not list every file of output/: a folder whose time is as recorded holds what the
    cache recorded, and a folder recorded right after it changed is listed by itself. A file or link
    added by hand is found either way, and the file is removed, as a clean build would not make it."""
    from touchgen.site import output

    many_posts(site, 6)
    age(site)
    build(load_settings(site), jobs=1)
    listed = listings_of_the_live_tree(monkeypatch)
    post_file = site / "content/posts/2024-01-08-post-1.md"
    replace(post_file, "Post *1*", "Post *one*")
    build(load_settings(site), jobs=1)
    assert listed == []  # every folder had just changed: each was listed by itself, not the whole tree

    extra = write(site / "output/site/posts/post-1/notes.txt", "mine")
    replace(post_file, "Post *one*", "Post *uno*")
    build(load_settings(site), jobs=1)
    assert listed == ["site"] and not extra.exists()

    # Folders recorded by their times (as when the build is long over): a file added changes its folder's.
    monkeypatch.setattr(output, "trusted_before", lambda fine=False: time.time_ns() + 10**12)
    replace(post_file, "Post *uno*", "Post *one*")
    build(load_settings(site), jobs=1)
    listed.clear()
    replace(post_file, "Post *one*", "Post *uno*")
    build(load_settings(site), jobs=1)
    assert listed == []
    folder = site / "output/site/tags/habits"
    extra = write(folder / "notes.txt", "mine")
    found = folder.stat()  # the time the clock gives a folder changed after the build, whatever its tick
    os.utime(folder, ns=(found.st_atime_ns, found.st_mtime_ns + 1_000_000_000))
    replace(post_file, "Post *uno*", "Post *one*")
    build(load_settings(site), jobs=1)
    assert listed == ["site"] and not extra.exists()
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)

    (site / "output/site/posts/post-2/elsewhere").symlink_to(tmp_path)
    replace(post_file, "Post *one*", "Post *uno*")
    with pytest.raises(TouchgenError, match="is a link; touchgen never writes or deletes through a link"):
        build(load_settings(site), jobs=1)


def test_a_static_file_edited_to_the_same_size_and_time_is_copied_again(site):
    picture = write(site / "static/images/cover.png", "first version")
    age(site, folders=("static",))
    build(load_settings(site), jobs=1)
    before = picture.stat()
    picture.write_text("other version", encoding="utf-8")  # as many bytes
    os.utime(picture, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(load_settings(site), jobs=1)
    assert (site / "output/site/images/cover.png").read_text(encoding="utf-8") == "other version"


def test_a_rendering_reads_its_html_on_any_thread(tmp_path):
    import threading

    from touchgen.site.cache import Cache, Rendered

    cache = Cache(tmp_path / ".cache")
    cache.store_markdown({"a": Rendered("<p>A</p>", "A", 1, ())}, ["a"])
    found = cache.markdown(["a"], lambda key: "not from the cache")
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.append(found["a"].html))
    reader.start()
    reader.join()
    assert seen == ["<p>A</p>"] and cache.resets == 0
    cache.close()


def test_workers_give_back_every_result_in_order_window_by_window():
    from touchgen.site.workers import Workers

    workers = Workers(2)
    try:
        items = [f"item {number}" for number in range(1000)]
        assert list(workers.map(str.upper, items, 4, 1, window=64)) == [item.upper() for item in items]
        assert list(workers.map(str.upper, items[:65], 4, 1, window=64)) == [item.upper() for item in items[:65]]
    finally:
        workers.close()


def test_a_key_from_a_shared_start_is_the_key_of_all_its_parts():
    """The keys of thousands of pages share their first parts (hashed once: digest_after); each key is
    the very digest of all its parts, so that caches made either way hold."""
    from touchgen.site.cache import digest, digest_after

    parts = ["settings", b"\x00bytes", "", "é" * 40, "x" * 200]
    for split in range(len(parts) + 1):
        finish = digest_after(*parts[:split])
        assert finish(*parts[split:]) == digest(*parts)
        assert finish(*parts[split:]) == finish(*parts[split:])  # the shared start is not consumed
    assert digest_after("a")("b") != digest_after("ab")() != digest_after()("a", "b")


def test_a_tree_record_is_its_base_and_the_changes_since(site, monkeypatch):
    """A rebuild records only the files that changed since its tree's base; once they are many the
    base is written anew. Either way what is recorded is every file of the tree as it is on disk."""
    from touchgen.site import cache as caching

    monkeypatch.setattr(caching, "SLACK", 0)  # a base written anew as soon as an eighth of its files changed
    many_posts(site, 12)
    build(load_settings(site), jobs=1)
    kinds = set()
    for number in range(8):
        replace(site / "content/posts/2024-01-22-post-3.md", "Post *3*", f"Post *3* ({number})")
        build(load_settings(site), jobs=1)
        for name in ("site", "newsletter"):
            live = (site / "output" / name).stat()
            key = f"{name}:{live.st_dev}:{live.st_ino}"
            with sqlite3.connect(site / "output/.cache/cache.db") as db:
                kinds.add(db.execute("SELECT count(*) FROM tree_changes WHERE tree = ?", (key,)).fetchone()[0])
            db.close()
            store = caching.Cache(site / "output/.cache")
            recorded = store.tree(key)
            store.close()
            on_disk = {path.relative_to(site / "output" / name).as_posix(): path.stat()
                       for path in (site / "output" / name).rglob("*") if path.is_file()}
            assert {rel: (row.size, row.mtime_ns, row.ino) for rel, row in recorded.items()} == \
                {rel: (found.st_size, found.st_mtime_ns, found.st_ino) for rel, found in on_disk.items()}, (number, name)
    assert kinds == {0, 1}  # records of both kinds were read back


def test_trees_recorded_from_one_base_read_it_once(site, monkeypatch):
    """A live tree and its spare are mostly recorded from the same base: it is unpacked once, and
    each tree still reads back as its own files (the changes of one are not the other's)."""
    from touchgen.site import cache as caching

    many_posts(site, 6)
    build(load_settings(site), jobs=1)
    replace(site / "content/posts/2024-01-22-post-3.md", "Post *3*", "Post *3* (again)")
    build(load_settings(site), jobs=1)
    read: list[int] = []
    real = caching.unpacked

    def counted(data: bytes):
        read.append(len(data))
        return real(data)

    monkeypatch.setattr(caching, "unpacked", counted)
    store = caching.Cache(site / "output/.cache")
    try:
        for name in ("site", "newsletter"):
            trees = {}
            for folder in (site / "output" / name, site / "output/.cache" / name):
                found = folder.stat()
                trees[folder] = store.tree(f"{name}:{found.st_dev}:{found.st_ino}")
                on_disk = {path.relative_to(folder).as_posix(): path.stat().st_ino
                           for path in folder.rglob("*") if path.is_file()}
                assert {rel: row.ino for rel, row in trees[folder].items()} == on_disk, folder
            assert len(set(map(len, trees.values()))) == 1 and trees[site / "output" / name] != trees[
                site / "output/.cache" / name], name  # same files, some of them written anew
    finally:
        store.close()
    with sqlite3.connect(site / "output/.cache/cache.db") as db:
        bases = [len(files) for (files,) in db.execute("SELECT DISTINCT files FROM trees")]
        assert db.execute("SELECT count(*) FROM trees").fetchone()[0] == 4  # each base recorded for both trees
    db.close()
    assert len(bases) == 2 and all(read.count(size) == 1 for size in bases), (bases, read)  # each unpacked once


def test_a_file_deleted_by_hand_is_never_taken_for_one_written_since(site, tmp_path):
    """A rebuild puts back a file deleted from output/ by hand; the tree switched out (the next
    spare) must not be recorded as still holding the deleted one: the new file may get its inode
    number, and the build after would take the spare's for the new one and leave the file out."""
    many_posts(site, 3)
    build(load_settings(site), jobs=1)
    (site / "output/newsletter/post-1/email.html").unlink()
    page = site / "output/site/posts/post-0/index.html"
    page.write_text("edited by hand", encoding="utf-8")
    assert build(load_settings(site), jobs=1).written.written == 2
    store = Cache(site / "output/.cache")
    for name in ("site", "newsletter"):
        spare = site / "output/.cache" / name
        found = spare.stat()
        for rel, row in store.tree(f"{name}:{found.st_dev}:{found.st_ino}").items():
            if row.ino != -1:  # what it says the spare holds, the spare holds
                assert (spare / rel).stat().st_ino == row.ino, rel
                assert rel not in ("post-1/email.html", "posts/post-0/index.html"), rel
    store.close()
    replace(site / "content/posts/2024-01-15-post-2.md", "- two", "- three")
    build(load_settings(site), jobs=1)
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def signal_of_a_worker(_: int) -> bool:
    """Whether this process ignores Ctrl-C (a function of this module: the pool sends it by name)."""
    import signal

    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_the_workers_leave_ctrl_c_to_the_build_process():
    """Ctrl-C goes to the whole process group; a worker stopped by it while holding the pool's queue
    would leave the pool unable to stop (the build hung): the workers ignore it, and are stopped
    with the pool by the build process."""
    from touchgen.site.workers import Workers

    workers = Workers(2)
    try:
        assert workers.pool is not None
        assert list(workers.map(signal_of_a_worker, list(range(8)), 1, 1)) == [True] * 8
    finally:
        workers.close()


def test_workers_forked_by_a_process_that_built_before_read_the_templates_anew(site, tmp_path):
    """touchgen used as a library: a build in one process, then the email template edited and a
    build with workers, forked from that process: they render with the template as it is now."""
    many_posts(site, 70)
    build(load_settings(site), jobs=1)
    replace(site / "content/posts/2024-01-08-post-1.md", "- two", "- three")
    build(load_settings(site), jobs=1)
    replace(site / "templates/email/newsletter.txt", "{{", "{{ ", 1)
    build(load_settings(site), jobs=2, clean=True)
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


@pytest.mark.parametrize("root, path", [
    (".", "content/posts/a.md"), (".", "content/posts/2014/b.md"), ("site", "site/content/posts/a.md"),
    ("/abs/site", "/abs/site/content/pages/about.md"), ("..", "../content/posts/a.md"), (".", "content/posts/x/index.md"),
])
def test_a_document_is_shown_by_its_path_in_the_site_however_the_site_was_named(root, path):
    """Known._shown (asked for every post of every build) gives what Path.relative_to gives, also for
    a site named '.' (touchgen build in the site's folder), where the paths hold no prefix to cut."""
    from touchgen.site.content import Known

    assert Known._shown(Path(root), Path(root) / Path(path).relative_to(root)) == \
        (Path(root) / Path(path).relative_to(root)).relative_to(root).as_posix()


@pytest.mark.parametrize("way", ["--clean", "cache deleted"])
def test_a_post_deleted_after_a_build_that_rewrote_everything_is_gone(site, tmp_path, way):
    """After a --clean build, or one whose cache was deleted, the tree switched out (the next build's
    spare) holds every file of the old site: the next build removes those it no longer wants (a
    deleted post's page and email stayed published when that tree was recorded as holding only the
    files that build had removed)."""
    many_posts(site, 4)
    build(load_settings(site), jobs=1)
    (site / "content/posts/2024-01-08-post-1.md").unlink()
    if way == "--clean":
        build(load_settings(site), jobs=1, clean=True)
    else:
        shutil.rmtree(site / "output/.cache")
        build(load_settings(site), jobs=1)
    (site / "content/posts/2024-01-15-post-2.md").unlink()
    result = build(load_settings(site), jobs=1)
    assert not (site / "output/site/posts/post-2").exists() and not (site / "output/newsletter/post-2").exists()
    assert result.written.removed >= 5  # its page and its email's four files (and a tag page only it had)
    assert contents(site / "output") == clean_build(site, tmp_path, jobs=1)


def test_a_tree_whose_only_change_is_files_gone_reads_back(site):
    """A rebuild that only removed files from a tree (a deleted post: its email's folder) records no
    changed file, only the gone ones: that record reads back as the files on disk (it read as nothing,
    and the next build rendered every email again)."""
    many_posts(site, 6)
    build(load_settings(site), jobs=1)
    (site / "content/posts/2024-01-15-post-2.md").unlink()
    build(load_settings(site), jobs=1)
    live = (site / "output/newsletter").stat()
    store = Cache(site / "output/.cache")
    try:
        recorded = store.tree(f"newsletter:{live.st_dev}:{live.st_ino}")
    finally:
        store.close()
    on_disk = {path.relative_to(site / "output/newsletter").as_posix(): path.stat().st_ino
               for path in (site / "output/newsletter").rglob("*") if path.is_file()}
    assert {rel: row.ino for rel, row in recorded.items()} == on_disk and len(on_disk) == 4 * 6
    replace(site / "content/posts/2024-01-22-post-3.md", "Post *3*", "Post *3* again")
    again = build(load_settings(site), jobs=1)
    assert again.written.reused >= 4 * 5  # the other posts' emails, unrendered


def test_a_library_is_told_by_its_files_not_by_another_environment_linking_them(tmp_path, monkeypatch):
    """A library is known by its first file's path, size, time and inode: another environment that
    hard-links the same file (uv installs so) changes its ctime, not what touchgen keys the output by;
    another version (a file written anew) does. One in a zip is known by its version."""
    import zipfile

    from touchgen.site.renderers import installed

    folder = tmp_path / "lib" / "fakelib"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("__version__ = '1.0'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    before = installed("fakelib")
    os.link(folder / "__init__.py", tmp_path / "linked-by-another-environment.py")
    assert installed("fakelib") == before
    (tmp_path / "linked-by-another-environment.py").unlink()
    (folder / "__init__.py").unlink()
    (folder / "__init__.py").write_text("__version__ = '1.1'\n", encoding="utf-8")  # another version
    assert installed("fakelib") != before
    with zipfile.ZipFile(tmp_path / "zipped.zip", "w") as archive:
        archive.writestr("zippedlib/__init__.py", "__version__ = '2.5'\n")
    monkeypatch.syspath_prepend(str(tmp_path / "zipped.zip"))
    assert installed("zippedlib") == "zippedlib 2.5"
