"""Bad input and faults: a located message and exit status 1, never a traceback, nothing half-written."""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path
import os
import sqlite3

import pytest

from touchgen.clock import utc_iso
from touchgen.errors import from_os_error
from touchgen.text import printable, safe_filename

from conftest import post, tree, write


@pytest.mark.parametrize("front, message", [
    ("title: A\ndate: 2026-11-16\nbase: &b [1, 2]\nagain: *b\n",
     "content/posts/2026-11-16-bad.md:5: front matter is not valid YAML: found an alias (*name), which front "
     "matter may not use (check the quoting and indentation)"),
    ("title: A\ndate: 2026-11-16\ntitle: B\n",
     "content/posts/2026-11-16-bad.md:4: front matter is not valid YAML: the key 'title' is given twice "
     "(check the quoting and indentation)"),
    ("title: yes\ndate: 2026-11-16\n",
     "content/posts/2026-11-16-bad.md:2: title must be text, not 'true' (put it in quotes, such as: title: \"true\")"),
    ("title: A\ndate: 2026-11-16\ntags: [yes, no]\n",
     "content/posts/2026-11-16-bad.md:4: tags must be a list of words, such as: tags: [relationships, habits] "
     "(put true in quotes: YAML reads it as true or false)"),
    ("title: A\ndate: 2026-11-16\nx: " + "[" * 1000 + "\n",
     "content/posts/2026-11-16-bad.md:2: front matter is nested too deeply (simplify it)"),
    ("title: A\ndate: 2026-11-16\nsummary: \"" + "x" * 70000 + "\"\n",
     "content/posts/2026-11-16-bad.md:1: front matter is longer than 64 KiB (is its closing '---' line missing?)"),
    ("title: A\ndate: 2026-11-16\nsummary: {{ site.title }}\n",
     "content/posts/2026-11-16-bad.md:4: front matter is not valid YAML: a value that starts with { or [ is read as a "
     "list or mapping here; put it in quotes (check the quoting and indentation)"),
    ("title: A\ndate: 0001-01-01\n",
     "content/posts/2026-11-16-bad.md:3: date '0001-01-01' is out of the range of dates touchgen keeps (years 1900 to "
     "9998)"),
    ("title: A\ndate: 9999-12-31\n",
     "content/posts/2026-11-16-bad.md:3: date '9999-12-31' is out of the range of dates touchgen keeps (years 1900 to "
     "9998)"),
], ids=["alias", "duplicate-key", "title-yes", "tags-yes-no", "nested", "oversize", "template-braces", "year-1",
        "year-9999"])
def test_front_matter_that_is_refused(site, run, front, message):
    run(site, "build")
    before = tree(site / "output")
    post(site, "2026-11-16-bad.md", front)
    result = run(site, "build", code=1)
    assert result.stderr == f"error: {message}\nError: 1 problem found; nothing was written\n"
    assert tree(site / "output") == before


def test_markdown_nested_too_deeply(site, run, monkeypatch):
    """A post that Python-Markdown cannot render for its nesting is an error that names it. Before
    3.11.4 a list nested 300 deep ran out of the interpreter's recursion; 3.11.4 stops nesting short
    of the limit and keeps the deeper markers as text, so there the running out is simulated, and the
    post then builds."""
    import markdown

    from touchgen.site.markdown import Renderer

    deep = "".join("    " * i + "- x\n" for i in range(300))
    post(site, "2026-11-16-deep.md", "title: Deep\ndate: 2026-11-16\n", deep)
    stops_nesting = markdown.__version_info__ >= (3, 11, 4)
    if stops_nesting:
        original = Renderer.render

        def render(self, text):
            if "    " * 299 + "- x" in text:
                raise RecursionError("maximum recursion depth exceeded")
            return original(self, text)

        monkeypatch.setattr(Renderer, "render", render)
    result = run(site, "build", code=1)
    assert result.stderr.endswith("Error: 1 problem found; nothing was written\n")
    assert "content/posts/2026-11-16-deep.md:5: the markdown is nested too deeply" in result.stderr
    assert not (site / "output").exists()
    if stops_nesting:
        monkeypatch.undo()
        run(site, "build")
        assert (site / "output/site/posts/deep/index.html").read_text(encoding="utf-8").count("<li>") > 100


def test_comma_separated_tags_and_invisible_characters(site, run):
    post(site, "2026-11-16-odd.md", "title: Odd\ndate: 2026-11-16\ntags: foo, bar\n", "Tab\x0bbed \x1b[31mred\x00.\n")
    result = run(site, "build")
    assert result.stderr == ("content/posts/2026-11-16-odd.md:7: warning: removed 3 invisible control character(s) "
                             "such as '\\x0b', which feeds and email cannot carry\n")
    assert (site / "output/site/tags/foo/index.html").is_file() and (site / "output/site/tags/bar/index.html").is_file()
    assert "Tabbed [31mred." in (site / "output/site/posts/odd/index.html").read_text()


@pytest.mark.parametrize("old, new, message", [
    ("port = 587", "port = -1", "touchgen.toml:{line}: [smtp] port must be a port number from 1 to 65535, not -1"),
    ("rate_per_minute = 0", "rate_per_minute = -5",
     "touchgen.toml:{line}: [smtp] rate_per_minute must be 0 (no limit) or more, not -5"),
    ("relationship_min_days = 3", "relationship_min_days = 0",
     "touchgen.toml:{line}: [stages] relationship_min_days must be 1 or more, not 0"),
    ('from = "Jane Doe <jane@example.com>"', 'from = "Jane Doe"',
     "touchgen.toml:{line}: [newsletter] from has no email address: 'Jane Doe' (write it as \"Jane Doe "
     "<jane@example.com>\")"),
    ('title = "My Monday Letter"', 'title = "My\\tMonday"',
     "touchgen.toml:{line}: [site] title has a control character (such as a line break or a tab); remove it"),
    ('url = "https://example.com"', 'url = "http://[::1"',
     "touchgen.toml:{line}: [site] url must be an absolute http(s) URL such as https://example.com, not 'http://[::1'"),
    ('booking_url = "https://cal.com/jane/30min"', 'booking_url = "cal.com/jane/30min"',
     "touchgen.toml:{line}: [newsletter] booking_url must be an absolute http(s) URL such as https://cal.com/you, or "
     "\"\", not 'cal.com/jane/30min'"),
    ("quiet_days = 7", "quiet_days = 99999999999999999999",
     "touchgen.toml:{line}: [touches] quiet_days must be at most 100000, not 99999999999999999999"),
], ids=["port", "rate", "min-days", "from-without-address", "title-control", "url-ipv6", "booking-url", "huge-number"])
def test_settings_that_are_refused(site, run, old, new, message):
    config = site / "touchgen.toml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(n for n, l in enumerate(config.read_text().splitlines(), start=1) if l == new)
    assert run(site, "check", code=1).stderr == f"Error: {message.format(line=line)}\n"


def test_a_bom_in_the_settings_is_fine(site, run):
    config = site / "touchgen.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    assert run(site, "check").stdout.startswith("No problems")


def test_output_that_is_a_file_or_a_link_is_refused(site, run, tmp_path):
    write(site / "output", "notes I keep here")
    assert run(site, "build", code=1).stderr == (
        "Error: output: is a file, not a folder; move it away (nothing was written)\n")
    assert (site / "output").read_text() == "notes I keep here"
    (site / "output").unlink()
    outside = tmp_path / "elsewhere"
    write(outside / "keep.txt", "mine")
    (site / "output").mkdir()
    (site / "output/site").symlink_to(outside)
    result = run(site, "build", code=1)
    assert result.stderr == (f"Error: output/site: is a link (to {outside}); touchgen writes only inside "
                             "the site: replace the link with a folder\n")
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]
    (site / "output/site").unlink()
    run(site, "build")
    (site / "output/site/posts/outside").symlink_to(outside)
    result = run(site, "build", "--clean", code=1)
    assert "is a link; touchgen never writes or deletes through a link" in result.stderr
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]


def test_a_foreign_sqlite_file_is_not_taken_for_a_store(site, run):
    (site / "data").mkdir()
    db = sqlite3.connect(site / "data/touchgen.db")
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    assert run(site, "readers", "list", code=1).stderr == (
        "Error: data/touchgen.db: is an SQLite database of another program (schema version 2, no people table); "
        "move it away, or pass --site for the right site\n")


@pytest.mark.parametrize("text, message", [
    ("email,name,email\na@example.com,A,b@example.com\n", "{path}:1: the column 'email' is named twice in the header; "
                                                          "keep one"),
    ('email,name\na@example.com,"Ada\nb@example.com,B\nc@example.com,C\n',
     "{path}:2: cannot be read as CSV (unexpected end of data): a quote opened in this row is not closed where it "
     "should be; close it or remove it"),
    ("email,name\na@example.com," + "x" * (1024 * 1024 + 10) + "\n",
     "{path}:2: cannot be read as CSV (field larger than field limit (1048576)): a quote opened in this row is not "
     "closed where it should be; close it or remove it"),
], ids=["duplicate-column", "runaway-quote", "huge-field"])
def test_csv_that_is_refused(site, run, text, message):
    path = site / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert run(site, "import", "readers", str(path), code=1).stderr == f"Error: {message.format(path=path)}\n"
    assert not (site / "data/touchgen.db").exists() or run(site, "readers", "list", "--format", "csv").stdout == (
        "email,name,stage,subscribed,source,created\n")


def test_a_pipe_is_not_read_as_a_file(site, run):
    os.mkfifo(site / "pipe.csv")
    assert run(site, "import", "readers", str(site / "pipe.csv"), code=1).stderr == (
        f"Error: {site / 'pipe.csv'}: is not a regular file (a pipe or a device), not a CSV file\n")


def test_export_defuses_spreadsheet_formulas_and_reads_back(site, run, tmp_path):
    run(site, "readers", "add", "eve@example.com", "--name", "=HYPERLINK(\"http://x\")")
    exported = run(site, "readers", "export").stdout
    assert exported.splitlines()[1].startswith('eve@example.com,"\'=HYPERLINK(""http://x"")",true,')
    out = tmp_path / "readers.csv"
    out.write_text(exported, encoding="utf-8")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "touchgen.toml").write_text((site / "touchgen.toml").read_text())
    run(fresh, "import", "readers", str(out))
    assert run(fresh, "readers", "export").stdout == exported


def test_terminal_escapes_are_not_printed(site, run):
    run(site, "readers", "add", "eve@example.com")
    db = sqlite3.connect(site / "data/touchgen.db")
    db.execute("UPDATE people SET name = 'Eve\x1b]0;owned\x07' WHERE email = 'eve@example.com'")
    db.commit()
    db.close()
    shown = run(site, "readers", "show", "eve@example.com").stdout
    assert "\x1b" not in shown and shown.startswith("Eve?]0;owned? <eve@example.com>")
    assert "\x1b" not in run(site, "readers", "list").stdout


def test_dry_run_file_names_never_collide():
    assert safe_filename("a_b@example.com") != safe_filename("a!b@example.com")
    assert safe_filename("ada@example.com") == "ada@example.com"


@pytest.mark.parametrize("number, message", [
    (errno.ENOSPC, "output/site/x.html: the disk is full: free some space, then run the command again (nothing was "
                   "half-written)"),
    (errno.EROFS, "output/site/x.html: the file system is read-only: use a writable folder"),
    (errno.EACCES, "output/site/x.html: permission denied: check the permissions of that file or folder"),
])
def test_file_system_faults_read_as_what_where_and_what_to_do(number, message):
    assert str(from_os_error(OSError(number, os.strerror(number), "output/site/x.html"))) == message


def test_odd_entries_in_the_posts_folder_are_reported(site, run, tmp_path):
    posts = site / "content/posts"
    (posts / "2026-11-16-gone.md").symlink_to(tmp_path / "nowhere.md")
    (posts / "2026-11-09-folder.md").mkdir()
    write(posts / "2026-11-02-shout.MD", "---\ntitle: Shout\ndate: 2026-11-02\n---\n\nHi.\n")
    write(tmp_path / "outside.md", "---\ntitle: Outside\ndate: 2026-10-26\n---\n\nHi.\n")
    (posts / "2026-10-26-outside.md").symlink_to(tmp_path / "outside.md")
    result = run(site, "build", code=1)
    assert result.stderr == (
        "error: content/posts/2026-10-26-outside.md: links outside the site; touchgen reads only what is in the site "
        "(copy the file in)\n"
        "error: content/posts/2026-11-02-shout.MD: has the extension .MD; rename it to .md\n"
        "error: content/posts/2026-11-09-folder.md: is a folder; a post is a .md file, or a folder with index.md\n"
        "error: content/posts/2026-11-16-gone.md: is a link to nothing; fix or remove it\n"
        "Error: 4 problems found; nothing was written\n")
    assert not (site / "output").exists()


def test_a_posts_folder_that_is_a_file(site, run):
    import shutil

    shutil.rmtree(site / "content/posts")
    write(site / "content/posts", "oops")
    assert run(site, "build", code=1).stderr == (
        "error: content/posts: is a file, not a folder of posts; move it away\n"
        "Error: 1 problem found; nothing was written\n")


MAIL = (b"From foo Mon Nov 23 10:00:00 2026\nFrom: %s\nTo: Jane Doe <jane@example.com>\nSubject: Re: Welcome\n"
        b"Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@example.net>\n\nThanks!\n\n")


def test_mail_senders_are_parsed_before_names_are_decoded(site, run, tmp_path):
    run(site, "readers", "add", "ada@example.com")
    run(site, "readers", "add", "jane.doe@example.com")
    run(site, "readers", "add", "jose@example.com")
    mbox = tmp_path / "in.mbox"
    mbox.write_bytes(MAIL % (b"=?utf-8?q?ada=40example=2Ecom?= <mallory@evil.example>", b"spoof")
                     + MAIL % (b"=?utf-8?q?Doe=2C_Jane?= <jane.doe@example.com>", b"comma")
                     + MAIL % (b"Jos\xe9 <jose@example.com>", b"raw"))
    result = run(site, "import", "replies", str(mbox))
    assert "  replies         2 new, 0 already recorded" in result.stdout
    assert "  unknown         1 (mallory@evil.example)" in result.stdout
    assert "no sender       0" in result.stdout


def test_new_honours_another_posts_slug(site, run):
    post(site, "2026-11-30-other.md", "title: Other\ndate: 2026-11-30\nslug: next-week\n")
    assert run(site, "new", "Next week", code=1).stderr == (
        "Error: content/posts/2026-11-30-other.md: already uses the slug 'next-week' (nothing was written; choose "
        "another title)\n")


@pytest.mark.parametrize("template, message", [
    ("{% macro loop() %}{{ loop() }}{% endmacro %}{{ loop() }}",
     "templates/site/404.html: calls itself without end (a macro or an extends that comes back to itself); fix the "
     "template"),
], ids=["recursive-macro"])
def test_template_faults_are_located(site, run, template, message):
    write(site / "templates/site/404.html", template)
    assert run(site, "build", code=1).stderr == f"Error: {message}\n"


def test_a_template_that_is_not_utf8(site, run):
    (site / "templates/site/404.html").write_bytes(b"<p>Caf\xe9</p>\n")
    assert run(site, "build", code=1).stderr == ("Error: templates/site/404.html: is not valid UTF-8; save the template "
                                                 "as UTF-8\n")


ICS = (Path(__file__).parent / "fixtures" / "bookings.ics").read_text()


@pytest.mark.parametrize("old, new, message", [
    ("DTSTART:20261118T100000Z", "DTSTART:notadate",
     "{path}:10: event 1 (call-ada-1@calendly.com): DTSTART cannot be read as a date, or is out of range; export "
     "the calendar again"),
    ("SEQUENCE:0\n", "SEQUENCE:abc\n",
     "{path}:7: event 1: SEQUENCE 'abc' is not a number; export the calendar again"),
], ids=["dtstart-not-a-date", "sequence-not-a-number"])
def test_calendar_values_that_cannot_be_read(readers_site, run, tmp_path, old, new, message):
    path = tmp_path / "bad.ics"
    path.write_text(ICS.replace(old, new, 1))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23", code=1)
    assert result.stderr == f"Error: {message.format(path=path)}\n"


def test_calendar_dates_at_the_ends_of_time(readers_site, run, tmp_path):
    path = tmp_path / "far.ics"
    # The last moment of 9999 twelve hours west of UTC is a moment no UTC date can hold.
    path.write_text(ICS.replace("DTSTART:20261201T150000Z", "DTSTART;TZID=Etc/GMT+12:99991231T235959"))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23", code=1)
    assert result.stderr == (f"Error: {path}:23: event 2 (call-new-1@calendly.com): DTSTART cannot be read as a date, "
                             "or is out of range; export the calendar again\n")


def test_a_broken_created_stamp_counts_from_the_start(readers_site, run, tmp_path):
    path = tmp_path / "created.ics"
    path.write_text(ICS.replace("CREATED:20261110T090000Z", "CREATED:garbage"))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert result.stdout.startswith(f"Imported {path}: 3 bookings: 2 booked, 1 held")


def test_dates_out_of_range_in_csv_and_mail(site, run, tmp_path):
    csv_path = tmp_path / "far.csv"
    csv_path.write_text("email,name,created\nfar@example.com,Far,9999-12-31T23:59:59-12:00\n", encoding="utf-8")
    run(site, "import", "readers", str(csv_path))
    assert run(site, "readers", "list", "--format", "csv").stdout.splitlines()[1].endswith(",2026-11-23T12:00:00Z")
    mbox = tmp_path / "far.mbox"
    mbox.write_bytes(MAIL.replace(b"Mon, 23 Nov 2026 10:00:00 +0000", b"Fri, 31 Dec 9999 23:59:59 -1200")
                     % (b"Far <far@example.com>", b"far"))
    assert "  replies         1 new" in run(site, "import", "replies", str(mbox)).stdout


def test_a_join_date_in_year_1_is_not_kept(site, run, tmp_path):
    path = tmp_path / "ancient.csv"
    path.write_text("email,name,created\nold@example.com,Old,0001-01-01\n", encoding="utf-8")
    assert run(site, "import", "readers", str(path)).stderr == (
        f"{path}:2: warning: the date '0001-01-01' cannot be read (write it as ISO 8601, such as 2026-05-01T14:03:22Z); "
        "old@example.com is recorded as joining at the import\n")
    assert run(site, "readers", "show", "old@example.com", "--today", "2026-11-23").stdout.startswith(
        "Old <old@example.com>")
    assert utc_iso(dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)) == "0001-01-01T00:00:00Z"  # sorts before 1900


def test_an_encoded_subject_with_a_broken_charset_is_read_as_written(site, run, tmp_path):
    run(site, "readers", "add", "ada@example.com")
    mbox = tmp_path / "charset.mbox"
    mbox.write_bytes((MAIL % (b"Ada <ada@example.com>", b"charset")).replace(
        b"Subject: Re: Welcome", b"Subject: =?utf\xe0\xb1\xb4-8?q?Zo=C3=AB?= and more"))
    result = run(site, "import", "replies", str(mbox))
    assert "  replies         1 new, 0 already recorded" in result.stdout


def test_an_indented_fence_belongs_to_a_block_scalar(site, run):
    post(site, "2026-11-16-fence.md", "title: Fence\ndate: 2026-11-16\nsummary: |\n  before\n  ---\n  after\n")
    run(site, "build")
    page = (site / "output/site/posts/fence/index.html").read_text()
    assert "<meta name=\"description\" content=\"before — after\">" in page  # smart dashes: the summary is markdown


def test_tags_that_would_share_a_page_are_warned_about(site, run):
    post(site, "2026-11-16-cafe.md", "title: Cafe\ndate: 2026-11-16\ntags: [Café]\n")
    post(site, "2026-11-09-coffee.md", "title: Coffee\ndate: 2026-11-09\ntags: [Cafe]\n")
    assert run(site, "build").stderr == ("content/posts/2026-11-09-coffee.md: warning: the tags 'Café' and 'Cafe' both "
                                         "make the page tags/cafe/ and are shown as one (use one spelling, or another "
                                         "word)\n")


def test_csv_values_that_cannot_be_read(site, run, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("email,name,subscribed,created\na@example.com,A,maybe,2026-01-01\nb@example.com,B,yes,someday\n",
                    encoding="utf-8")
    result = run(site, "import", "readers", str(path), code=1)
    assert result.stderr == (f"error: {path}:2: subscribed 'maybe' is neither true nor false (use true or false)\n"
                             "Error: 1 invalid row; nothing was imported (fix them, or pass --skip-invalid to import "
                             "the rest)\n")
    result = run(site, "import", "readers", str(path), "--skip-invalid")
    assert result.stderr == (f"{path}:3: warning: the date 'someday' cannot be read (write it as ISO 8601, such as "
                             "2026-05-01T14:03:22Z); b@example.com is recorded as joining at the import\n"
                             f"skipped {path}:2: subscribed 'maybe' is neither true nor false (use true or false)\n")
    assert result.stdout == f"Imported {path} (plain): 1 added, 0 updated, 0 unchanged, 1 skipped\n"


def test_export_dates_that_cannot_be_read_are_located_warnings(site, run, tmp_path):
    path = tmp_path / "beehiiv.csv"
    path.write_text("email,status,created_at,tier,unsubscribed_at\n"
                    "ada@example.com,active,24/03/2023 10:23,free,\n"
                    "bob@example.com,inactive,2023-03-24 10:23:10 UTC,free,the other day\n", encoding="utf-8")
    result = run(site, "import", "readers", str(path))
    assert result.stderr == (
        f"{path}:2: warning: the date '24/03/2023 10:23' cannot be read (write it as ISO 8601, such as "
        "2026-05-01T14:03:22Z); ada@example.com is recorded as joining at the import\n"
        f"{path}:3: warning: the date 'the other day' cannot be read (write it as ISO 8601, such as "
        "2026-05-01T14:03:22Z); bob@example.com is recorded as unsubscribing at the import\n")
    assert result.stdout == f"Imported {path} (beehiiv): 2 added, 0 updated, 0 unchanged, 0 skipped; of these 1 unsubscribed\n"
    assert run(site, "readers", "list", "--format", "csv").stdout == (
        "email,name,stage,subscribed,source,created\n"
        "ada@example.com,,reader,True,beehiiv import,2026-11-23T12:00:00Z\n"
        "bob@example.com,,reader,False,beehiiv import,2023-03-24T10:23:10Z\n")


def test_a_status_column_of_no_known_export_stops_the_import(site, run, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("email,name,status\nada@example.com,Ada,active\nbob@example.com,Bob,inactive\n", encoding="utf-8")
    result = run(site, "import", "readers", str(path), code=1)
    assert (result.stdout, result.stderr) == ("", (
        f"Error: {path}:3: status 'inactive' may mean this reader is not subscribed, but the file is not an export "
        "touchgen knows, so nothing was imported (write a subscribed column with true or false instead, or remove "
        "status to import everyone as subscribed)\n"))
    assert run(site, "import", "readers", str(path), "--skip-invalid", code=1).stderr == result.stderr
    assert not (site / "data/touchgen.db").exists() or run(site, "readers", "list", "--format", "csv").stdout == (
        "email,name,stage,subscribed,source,created\n")


def test_a_status_a_service_never_writes_stops_the_import(site, run, tmp_path):
    path = tmp_path / "kit.csv"
    path.write_text("first_name,email_address,state\nAda,ada@example.com,active\nBob,bob@example.com,paused\n",
                    encoding="utf-8")
    result = run(site, "import", "readers", str(path), code=1)
    assert (result.stdout, result.stderr) == ("", (
        f"error: {path}:3: state 'paused' is not a Kit status touchgen knows (active, cold, inactive, unconfirmed, "
        "cancelled, canceled, unsubscribed, complained, bounced)\n"
        "Error: 1 invalid row; nothing was imported (fix them, or pass --skip-invalid to import the rest)\n"))
    result = run(site, "import", "readers", str(path), "--skip-invalid")
    assert result.stdout == f"Imported {path} (kit): 1 added, 0 updated, 0 unchanged, 1 skipped\n"
    assert result.stderr.startswith(f"skipped {path}:3: state 'paused' is not a Kit status")


def test_nothing_is_read_from_outside_the_site(site, run, tmp_path):
    write(tmp_path / "secret.txt", "private")
    (site / "static").mkdir()
    (site / "static/secret.txt").symlink_to(tmp_path / "secret.txt")
    assert run(site, "build", code=1).stderr == ("Error: static/secret.txt: links outside the site; touchgen reads only "
                                                 "what is in the site (copy the file in)\n")
    (site / "static/secret.txt").unlink()
    (site / "templates/site/secret.html").symlink_to(tmp_path / "secret.txt")
    assert run(site, "build", code=1).stderr == ("Error: templates/site/secret.html: links outside the site; touchgen "
                                                 "reads only what is in the site (copy it in)\n")
    (site / "templates/site/secret.html").unlink()
    mjml = site / "templates/email/newsletter.mjml"
    mjml.write_text(mjml.read_text().replace("<mj-body", f'<mj-include path="{tmp_path / "secret.txt"}" />\n<mj-body', 1))
    result = run(site, "build", code=1)
    assert result.stderr.startswith("Error: templates/email/newsletter.mjml: is not valid MJML for post 'welcome'")
    assert not (site / "output").exists()


def test_an_unclosed_raw_block_names_its_template(site, run):
    write(site / "templates/site/404.html", "{% raw %}never closed\n")
    assert run(site, "build", code=1).stderr == ("Error: templates/site/404.html:1: template syntax error: Missing end "
                                                 "of raw directive (fix the template)\n")


def test_init_under_a_file_and_new_where_posts_is_a_file(site, run, tmp_path):
    from conftest import touchgen

    write(tmp_path / "plain-file", "x")
    result = touchgen("init", str(tmp_path / "plain-file/site"), code=1)
    assert result.stderr == (f"Error: {tmp_path / 'plain-file'}: is a file, so no site can be made inside it (choose "
                             "another place)\n")
    import shutil

    shutil.rmtree(site / "content/posts")
    write(site / "content/posts", "oops")
    assert run(site, "new", "Hello", code=1).stderr == (
        "Error: content/posts: is a file, not the folder of posts; move it away (nothing was written)\n")


def test_calendar_dtstart_that_is_empty(readers_site, run, tmp_path):
    path = tmp_path / "odd.ics"
    path.write_text(ICS.replace("DTSTART:20261118T100000Z", "DTSTART:", 1))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23", code=1)
    assert result.stderr == (f"Error: {path}:10: event 1 (call-ada-1@calendly.com): DTSTART cannot be read as a date, "
                             "or is out of range; export the calendar again\n")


@pytest.mark.parametrize("old, new, line, name", [
    ("DTSTART:20261118T100000Z", "DTSTART:20261118T100000Z\nDTSTART:20261119T100000Z", 11, "DTSTART"),
    ("STATUS:CONFIRMED", "STATUS:CONFIRMED\nSTATUS:CANCELLED", 18, "STATUS"),
    ("SEQUENCE:0", "SEQUENCE:0\nSEQUENCE:1", 8, "SEQUENCE"),
], ids=["two-dtstarts", "two-statuses", "two-sequences"])
def test_a_calendar_property_given_twice(readers_site, run, tmp_path, old, new, line, name):
    path = tmp_path / "twice.ics"
    path.write_text(ICS.replace(old, new, 1))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23", code=1)
    assert result.stderr == (f"Error: {path}:{line}: event 1: {name} is given 2 times, and an event has one; export the "
                             "calendar again\n")


def test_titles_and_tags_in_any_script(site, run):
    result = run(site, "new", "Привет, мир", "--date", "2026-11-16")
    assert result.stdout == "Created content/posts/2026-11-16-privet-mir.md (a draft: set draft: false to publish it)\n"
    path = site / "content/posts/2026-11-16-privet-mir.md"
    path.write_text(path.read_text().replace("draft: true", "draft: false").replace("tags: []", "tags: [你好]"),
                    encoding="utf-8")
    run(site, "build")
    page = (site / "output/site/posts/privet-mir/index.html").read_text()
    assert "<title>Привет, мир</title>" in page and 'href="../../tags/ni-hao/">#你好</a>' in page


@pytest.mark.parametrize("args", [("touch", "today", "--today", "9999-12-31"), ("track", "reply", "a@example.com",
                                                                              "--date", "0001-01-01")],
                         ids=["today-9999", "date-0001"])
def test_days_at_the_ends_of_time(site, run, args):
    value = args[-1]
    option = args[-2]
    assert run(site, *args, code=2).stderr.endswith(
        f"Error: Invalid value for '{option}': '{value}' is out of the range of dates touchgen keeps (years 1900 to "
        "9998)\n")


ICS_LINES = ICS.split("\n")


@pytest.mark.parametrize("text, message", [
    (ICS.replace("ATTENDEE;CN=Ada Lovelace;PARTSTAT", 'ATTENDEE;CN="Ada Lovelace;PARTSTAT'),
     "{path}:15: not a calendar line: 'ATTENDEE;CN=\"Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@examp' (a parameter "
     "cannot be read: check its quotes; export the calendar again)"),
    ("\n".join(ICS_LINES[:45]) + "\n",
     "{path}:45: the file ends inside the VEVENT begun on line 40 (no END:VEVENT: it may be cut short); export the "
     "calendar again"),
    (ICS.replace("END:VCALENDAR\n", ""),
     "{path}:49: the file ends inside the VCALENDAR begun on line 1 (no END:VCALENDAR: it may be cut short); export "
     "the calendar again"),
    (ICS + "END:VEVENT\n", "{path}:51: END:VEVENT without a BEGIN:VEVENT before it; export the calendar again"),
    ("\n".join(ICS_LINES[:48] + ICS_LINES[49:]),
     "{path}:49: END:VCALENDAR where END:VEVENT is missing (for the BEGIN:VEVENT on line 40); export the calendar "
     "again"),
    (ICS.replace("END:VEVENT\nBEGIN:VEVENT", "BEGIN:VEVENT", 1),
     "{path}:49: END:VCALENDAR where END:VEVENT is missing (for the BEGIN:VEVENT on line 5); export the calendar "
     "again"),
    (ICS + "X-FOO:bar\n", "{path}:51: 'X-FOO:bar' is outside BEGIN:VCALENDAR and END:VCALENDAR; export the calendar "
                          "again"),
    (ICS + "hello world\n", "{path}:51: not a calendar line: 'hello world' (each line must read NAME:VALUE; export "
                            "the calendar again)"),
    (ICS.replace("METHOD:PUBLISH", "METHOD:PUBLISH\nDTSTAMP:garbage"),
     "{path}:5: 'DTSTAMP:garbage' cannot be read (Expected time, got: garbage); export the calendar again"),
    (ICS.replace("DTSTART:20261118T100000Z\n", "DTSTART:20261118T100000Z\nRECURRENCE-ID:someday\n"),
     "{path}:11: event 1 (call-ada-1@calendly.com): RECURRENCE-ID cannot be read as a date; export the calendar "
     "again"),
], ids=["unclosed-quote", "cut-in-an-event", "no-end-vcalendar", "end-without-begin", "end-vevent-missing",
        "event-inside-an-event", "property-after-the-calendar", "text-after-the-calendar", "calendar-value",
        "recurrence-id"])
def test_calendars_icalendar_cannot_read_are_located(readers_site, run, tmp_path, text, message):
    from conftest import counts

    path = tmp_path / "bad.ics"
    path.write_text(text, encoding="utf-8")
    before = counts(readers_site)
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23", code=1)
    assert result.stderr == f"Error: {message.format(path=path)}\n"
    assert counts(readers_site) == before


def test_every_unreadable_line_of_a_calendar_is_listed(readers_site, run, tmp_path):
    path = tmp_path / "bad.ics"
    path.write_text(ICS.replace("DTSTART:20261118T100000Z", "DTSTART20261118T100000Z").replace(
        "DTSTART:20261201T150000Z", "DTSTART 20261201T150000Z"), encoding="utf-8")
    result = run(readers_site, "import", "calls", str(path), code=1)
    assert result.stderr == (
        f"error: {path}:10: not a calendar line: 'DTSTART20261118T100000Z' (each line must read NAME:VALUE; export "
        "the calendar again)\n"
        f"error: {path}:23: not a calendar line: 'DTSTART 20261201T150000Z' (each line must read NAME:VALUE; export "
        "the calendar again)\n"
        f"Error: 2 unreadable lines in {path}; nothing was imported\n")


def test_a_broken_line_after_folded_ones_is_named_by_its_line_in_the_file(readers_site, run, tmp_path):
    """Lines are numbered as an editor shows them, though icalendar reads them unfolded."""
    google = Path(__file__).parent / "fixtures" / "calendars" / "google-invitation.ics"
    path = tmp_path / "invite.ics"
    path.write_bytes(google.read_bytes().replace(b"SEQUENCE:0\r\n", b"SEQUENCE0\r\n"))
    assert path.read_bytes().split(b"\r\n")[37] == b"SEQUENCE0"
    result = run(readers_site, "import", "calls", str(path), code=1)
    assert result.stderr == (f"Error: {path}:38: not a calendar line: 'SEQUENCE0' (each line must read NAME:VALUE; "
                             "export the calendar again)\n")


def test_a_calendar_with_old_mac_line_ends_is_read(readers_site, run, tmp_path):
    path = tmp_path / "classic.ics"
    path.write_bytes(ICS.replace("\n", "\r").encode("utf-8"))
    result = run(readers_site, "import", "calls", str(path), "--today", "2026-11-23")
    assert result.stdout.startswith(f"Imported {path}: 3 bookings: 2 booked, 1 held, 1 cancelled")


OUTLOOK = (Path(__file__).parent / "fixtures" / "calendars" / "outlook-invitation.ics").read_bytes().decode("utf-8")


@pytest.mark.parametrize("old, new, message", [
    ("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "RRULE:FREQ=YEARLY;INTERVAL=1;SOMEDAY=-1SU;BYMONTH=3",
     "{path}:17: 'RRULE:FREQ=YEARLY;INTERVAL=1;SOMEDAY=-1SU;BYMONTH=3' cannot be read (unknown parameter 'SOMEDAY'); "
     "export the calendar again"),
    ("TZOFFSETFROM:+0100\r\n", "",
     "{path}: cannot be read as a calendar (mandatory TZOFFSETFROM not found); export it again"),
], ids=["rule-part-icalendar-quotes", "nothing-to-quote"])
def test_a_broken_time_zone_of_a_calendar(readers_site, run, tmp_path, old, new, message):
    path = tmp_path / "invite.ics"
    # icalendar keeps the time zones it has read for the whole process: this one is new to it
    text = OUTLOOK.replace(old, new).replace("W. Europe Standard Time", f"Broken Zone {len(message)}")
    path.write_bytes(text.encode("utf-8"))
    result = run(readers_site, "import", "calls", str(path), code=1)
    assert result.stderr == f"Error: {message.format(path=path)}\n"


def test_files_that_are_no_calendars(readers_site, run, tmp_path):
    (tmp_path / "notes.ics").write_text("Call Ada on Tuesday\n", encoding="utf-8")
    assert run(readers_site, "import", "calls", str(tmp_path / "notes.ics"), code=1).stderr == (
        f"Error: {tmp_path / 'notes.ics'}:1: not a calendar file (no BEGIN:VCALENDAR line)\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("BEGIN:VCALENDAR\n", encoding="utf-8")
    assert run(readers_site, "import", "calls", str(tmp_path / "empty"), code=1).stderr == (
        f"Error: {tmp_path / 'empty'}: no .ics files in this folder\n")
    (tmp_path / "export.csv").write_text("Name,Email\nAda,ada@example.com\n", encoding="utf-8")
    assert run(readers_site, "import", "calls", str(tmp_path / "export.csv"), code=1).stderr == (
        f"Error: {tmp_path / 'export.csv'}:1: neither a calendar (.ics) nor a Calendly export (expected an 'Invitee "
        "Email' column)\n")


HIDDEN = ("has an invisible bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE), which can make it show in another "
          "order than it is written (\"Trojan Source\"); remove it: text in any direction shows right without one")


@pytest.mark.parametrize("front, message", [
    ("title: \"Invoice \u202efdp.exe\"\ndate: 2026-11-16\n", f"content/posts/2026-11-16-bidi.md:2: title {HIDDEN}"),
    ("title: Fine\ndate: 2026-11-16\nsummary: \"Read \u202eemos\"\n",
     f"content/posts/2026-11-16-bidi.md:4: summary {HIDDEN}"),
    ("title: Fine\ndate: 2026-11-16\nslug: \"fine\u202e\"\n", f"content/posts/2026-11-16-bidi.md:4: slug {HIDDEN}"),
    ("title: Fine\ndate: 2026-11-16\ntags: [habits, \"sa\u202eles\"]\n",
     f"content/posts/2026-11-16-bidi.md:4: tag 'sa\\u202eles' {HIDDEN}"),
], ids=["title", "summary", "slug", "tag"])
def test_bidirectional_controls_in_front_matter_are_refused(site, run, front, message):
    post(site, "2026-11-16-bidi.md", front)
    result = run(site, "check", code=1)
    assert result.stderr == f"error: {message}\nError: 1 problem found; nothing was written\n"
    assert "\u202e" not in result.stderr  # the message itself cannot be turned around in the terminal


TROJAN = ('code has an invisible bidirectional control {name}, which makes code show in another order than it runs '
          '("Trojan Source"); remove it, or write it as an escape such as {escape}')


@pytest.mark.parametrize("body, line, name, escape", [
    ("Before.\n\n```python\nif access != \"user\u202e \u2066# admin\u2069 \u2066\":\n```\n", 9,
     "U+202E (RIGHT-TO-LEFT OVERRIDE)", "\\u202e"),
    ("Before.\n\n    indented = 'a\u2067b'\n", 8, "U+2067 (RIGHT-TO-LEFT ISOLATE)", "\\u2067"),
    ("Prose \u2067\u05e9\u05dc\u05d5\u05dd\u2069 is fine.\n\nBut `rm -rf \u202d/tmp` is not.\n", 8,
     "U+202D (LEFT-TO-RIGHT OVERRIDE)", "\\u202d"),
], ids=["fenced", "indented", "inline"])
def test_bidirectional_controls_in_code_are_refused(site, run, body, line, name, escape):
    post(site, "2026-11-16-code.md", "title: Code\ndate: 2026-11-16\n", body)
    assert run(site, "build", code=1).stderr == (
        f"error: content/posts/2026-11-16-code.md:{line}: {TROJAN.format(name=name, escape=escape)}\n"
        "Error: 1 problem found; nothing was written\n")


def test_bidirectional_controls_in_prose_are_kept(site, run):
    hebrew = "\u2067\u05e9\u05dc\u05d5\u05dd\u2069"
    post(site, "2026-11-16-prose.md", "title: \u05e9\u05dc\u05d5\u05dd means peace\ndate: 2026-11-16\n",
         f"The word {hebrew} means peace, and `code` next to it is fine.\n")
    assert run(site, "build").stderr == ""
    assert f"The word {hebrew} means peace" in (site / "output/site/posts/prose/index.html").read_text()


def test_bidirectional_controls_in_settings_and_new_titles(site, run):
    config = site / "touchgen.toml"
    text = config.read_text()
    config.write_text(text.replace('title = "My Monday Letter"', 'title = "My \u202eLetter"'), encoding="utf-8")
    line = next(n for n, l in enumerate(config.read_text().splitlines(), 1) if "\u202e" in l)
    assert run(site, "check", code=1).stderr == f"Error: touchgen.toml:{line}: [site] title {HIDDEN}\n"
    config.write_text(text, encoding="utf-8")
    assert run(site, "new", "Pay \u202egnp.exe", code=1).stderr == (
        "Error: the title has an invisible bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE), which can make it "
        "show in another order than it is written (\"Trojan Source\"); remove it (nothing was written)\n")
    assert printable("Eve \u202eevil") == "Eve ?evil"
