"""Every bad input gives one located message on stderr, exit status 1, and leaves output/ as it was."""

from __future__ import annotations

import pytest

from conftest import post, tree, write

BAD_POSTS = [
    pytest.param(
        'title: "Unclosed\ndate: 2026-11-23\n',
        "content/posts/2026-11-23-bad.md:4: front matter is not valid YAML: found unexpected end of stream "
        "while scanning a quoted scalar that starts on line 2 (check the quoting and indentation)",
        id="malformed-yaml",
    ),
    pytest.param(
        "title: A\n  date: 2026-11-23\n",
        "content/posts/2026-11-23-bad.md:3: front matter is not valid YAML: mapping values are not allowed here "
        "(check the quoting and indentation)",
        id="malformed-yaml-indent",
    ),
    pytest.param(
        "title: A post\ndate: 2026-13-45\n",
        "content/posts/2026-11-23-bad.md:3: date '2026-13-45' is not a valid date (use YYYY-MM-DD)",
        id="impossible-date",
    ),
    pytest.param(
        "title: A post\ndate: next monday\n",
        "content/posts/2026-11-23-bad.md:3: date 'next monday' is not a valid date (use YYYY-MM-DD)",
        id="word-date",
    ),
    pytest.param(
        "title: A post\ndate: 2026-11-23\nslug: ../../etc/x\n",
        "content/posts/2026-11-23-bad.md:4: slug '../../etc/x' may only contain a-z, 0-9 and single hyphens "
        "(such as: my-post)",
        id="slug-escapes-output",
    ),
    pytest.param(
        "title: |\n  two\n  lines\ndate: 2026-11-23\n",
        "content/posts/2026-11-23-bad.md:2: title must be one line of text (remove the line break)",
        id="title-line-break",
    ),
    pytest.param(
        'title: "two\\nlines"\ndate: 2026-11-23\n',
        "content/posts/2026-11-23-bad.md:2: title must be one line of text (remove the line break)",
        id="title-escaped-line-break",
    ),
    pytest.param(
        "title: A post\ndate: 2026-11-23\ndraft: maybe\n",
        "content/posts/2026-11-23-bad.md:4: draft must be true or false, not 'maybe'",
        id="draft-not-boolean",
    ),
    pytest.param(
        "title: A post\ndate: 2026-11-23\ntags: {a: b}\n",
        "content/posts/2026-11-23-bad.md:4: tags must be a list of words, such as: tags: [relationships, habits]",
        id="tags-not-a-list",
    ),
]


def assert_refused(result, before, site, message):
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\nError: 1 problem found; nothing was written\n"
    assert "Traceback" not in result.output
    assert tree(site / "output") == before


@pytest.mark.parametrize("front, message", BAD_POSTS)
def test_bad_post_is_located_and_changes_nothing(site, run, front, message):
    run(site, "build")
    before = tree(site / "output")
    post(site, "2026-11-23-bad.md", front)
    assert_refused(run(site, "build", code=1), before, site, message)
    check = run(site, "check", code=1)
    assert check.stderr.startswith(f"error: {message}\n")


def test_not_utf8(site, run):
    run(site, "build")
    before = tree(site / "output")
    (site / "content/posts/2026-11-23-latin1.md").write_bytes(
        b"---\ntitle: Caf\xe9\ndate: 2026-11-23\n---\n\nbody\n")
    assert_refused(run(site, "build", code=1), before, site,
                   "content/posts/2026-11-23-latin1.md:2: is not valid UTF-8 (byte 0xe9); save the file as UTF-8")


def test_duplicate_slug_names_both_files(site, run):
    run(site, "build")
    before = tree(site / "output")
    post(site, "2026-11-30-other.md", "title: Other\ndate: 2026-11-30\nslug: welcome\n")
    assert_refused(
        run(site, "build", code=1), before, site,
        "content/posts/2026-11-23-welcome.md: slug 'welcome' is also used by content/posts/2026-11-30-other.md "
        "(give one of them another slug: in its front matter or file name)",
    )


def test_page_and_post_share_a_slug(site, run):
    write(site / "content/pages/welcome.md", "---\ntitle: Welcome page\n---\n\nHi.\n")
    result = run(site, "build", code=1)
    assert ("slug 'welcome' is also used by content/pages/welcome.md" in result.stderr)


def test_page_cannot_take_a_site_path(site, run):
    write(site / "content/pages/tags.md", "---\ntitle: Tags\n---\n\nHi.\n")
    result = run(site, "build", code=1)
    assert result.stderr.splitlines()[0] == (
        "error: content/pages/tags.md:1: slug 'tags' is used by the site itself (choose another, such as about-tags)")


def test_every_bad_file_is_reported_together(site, run):
    post(site, "a.md", "title: A\n")
    post(site, "2026-12-07-b.md", "title: B\ndate: 2026-12-77\n")
    result = run(site, "build", code=1)
    assert result.stderr == (
        "error: content/posts/2026-12-07-b.md:3: date '2026-12-77' is not a valid date (use YYYY-MM-DD)\n"
        "error: content/posts/a.md:1: front matter has no date (add a line such as: date: 2026-11-23, or start "
        "the file name with the date: 2026-11-23-my-post.md)\n"
        "Error: 2 problems found; nothing was written\n"
    )
    assert not (site / "output").exists()


@pytest.mark.parametrize("change, message", [
    pytest.param(("{{ post.title }}", "{{ post.titel }}"),
                 "templates/site/post.html:10: 'touchgen.site.pages.Entry object' has no attribute 'titel' "
                 "(fix the variable name in the template; see the README for the variables each template gets)",
                 id="unknown-attribute"),
    pytest.param(("{{ post.title }}", "{{ headline }}"),
                 "templates/site/post.html:10: 'headline' is undefined "
                 "(fix the variable name in the template; see the README for the variables each template gets)",
                 id="unknown-variable"),
    pytest.param(("{% block main %}", "{% block main %}{% if x %}"),
                 "templates/site/post.html:30: template syntax error: Encountered unknown tag 'endblock'. "
                 "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for "
                 "'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'. "
                 "(fix the template)",
                 id="syntax-error"),
])
def test_template_error_names_template_and_line(site, run, change, message):
    run(site, "build")
    before = tree(site / "output")
    template = site / "templates/site/post.html"
    template.write_text(template.read_text().replace(*change), encoding="utf-8")
    result = run(site, "build", code=1)
    assert result.stderr == f"Error: {message}\n"
    assert tree(site / "output") == before


@pytest.mark.parametrize("change, message", [
    pytest.param(('title = "My Monday Letter"', 'title = "My Monday Letter'),
                 "touchgen.toml:4: invalid TOML: Illegal character '\\n' (check quotes, brackets and '=' on this line)",
                 id="syntax"),
    pytest.param(("posts_per_page = 10", 'posts_per_page = "ten"'),
                 "touchgen.toml:11: [site] posts_per_page must be an integer, not a string ('ten')",
                 id="wrong-type"),
    pytest.param(("prefill_email = false", "prefill_email = 1"),
                 "touchgen.toml:18: [newsletter] prefill_email must be true or false, not an integer (1)",
                 id="wrong-type-bool"),
    pytest.param(('timezone = "Europe/Amsterdam"', 'timezone = "Mars/Olympus"'),
                 "touchgen.toml:9: [site] timezone 'Mars/Olympus' is not a known time zone "
                 "(use a name such as Europe/Amsterdam or UTC)",
                 id="unknown-timezone"),
    pytest.param(('url = "https://example.com"', 'url = "example.com"'),
                 "touchgen.toml:5: [site] url must be an absolute http(s) URL such as https://example.com, "
                 "not 'example.com'",
                 id="relative-url"),
    pytest.param(("[site]", "site = 3\n[other]"),
                 "touchgen.toml:3: [site] must be a table, not an integer",
                 id="section-not-table"),
])
def test_bad_settings(site, run, change, message):
    run(site, "build")
    before = tree(site / "output")
    config = site / "touchgen.toml"
    text = config.read_text()
    assert change[0] in text
    config.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    for command in ("build", "check"):
        result = run(site, command, code=1)
        assert result.stderr == f"Error: {message}\n"
    assert tree(site / "output") == before


def test_missing_settings(tmp_path, run):
    result = run(tmp_path, "build", code=1)
    assert result.stderr == (
        f"Error: touchgen.toml: not found in {tmp_path} (run 'touchgen init' to create a site, or pass --site DIR)\n")


def test_unknown_keys_warn_but_build(site, run):
    post(site, "2026-11-30-typo.md", "title: Typo\ndate: 2026-11-30\ntilte: x\n")
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace("[site]\n", "[site]\ncolour = 'red'\n"), encoding="utf-8")
    result = run(site, "build", "--future")
    assert result.stderr == (
        "touchgen.toml:4: warning: unknown setting 'colour' in [site] (known: author, description, language, "
        "permalink, posts_per_page, publish_weekday, timezone, title, url)\n"
        "content/posts/2026-11-30-typo.md:4: warning: unknown front matter key 'tilte' "
        "(known: title, date, summary, tags, slug, draft, aliases)\n"
    )


def test_post_off_the_publish_weekday_warns(site, run):
    post(site, "2026-11-17-tuesday.md", "title: Tuesday\ndate: 2026-11-17\n")
    result = run(site, "build")
    assert result.stderr == (
        "content/posts/2026-11-17-tuesday.md:3: warning: date 2026-11-17 is a Tuesday, "
        "not a Monday (publish_weekday)\n")
    assert (site / "output/site/posts/tuesday/index.html").is_file()


def test_bad_source_date_epoch(site, run, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run(site, "build", code=1)
    assert result.stderr == "Error: SOURCE_DATE_EPOCH must be a whole number of seconds, not 'yesterday'\n"
