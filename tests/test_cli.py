"""The command line itself: help, version, documentation, start-up cost, init and new."""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from touchgen import __version__
from touchgen.cli import SUBCOMMANDS, cli

from conftest import REPO, post, touchgen


def all_commands(group: click.Group = cli, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command and subcommand, as click finds them (the top-level group loads its commands lazily)."""
    found = []
    context = click.Context(group, info_name="touchgen")
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found += all_commands(command, full + " ")
    return found


COMMANDS = all_commands()


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output, f"touchgen {name} --help has no Example: block"
    assert f"touchgen {name}" in result.output.split("Example:")[1]


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_is_in_the_readme(name):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"touchgen {name}" in readme, f"README.md does not document 'touchgen {name}'"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.output == f"touchgen, version {__version__}\n"


def loaded_by(*args: str) -> set[str]:
    """The modules a fresh `touchgen ARGS` has imported when it exits."""
    code = ("import sys\nfrom touchgen.cli import main\nsys.argv[1:] = sys.argv[2:]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code, "touchgen", *args], capture_output=True, text=True)
    return set(result.stderr.splitlines()[-1].split())


HEAVY = {"markdown", "jinja2", "mjml", "yaml", "pygments", "icalendar", "slugify", "watchfiles", "sqlite3",
         "_sqlite3", "email", "zoneinfo", "tomllib", "dataclasses"}


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["import", "readers", "--help"],
                                  ["readers", "list", "--help"], ["send", "--help"]], ids=" ".join)
def test_help_does_not_import_heavy_modules(args):
    loaded = loaded_by(*args)
    assert "click" in loaded  # the run worked
    assert {name.split(".")[0] for name in loaded} & HEAVY == set()


@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["--version"]], ids=" ".join)
def test_the_top_level_help_imports_no_command(args):
    """touchgen --help lists the commands from SUBCOMMANDS, without importing their modules or the settings."""
    loaded = loaded_by(*args)
    assert "click" in loaded
    assert sorted(name for name in loaded if name.startswith("touchgen")) == [
        "touchgen", "touchgen.cli", "touchgen.cli.context"]
    assert {name.split(".")[0] for name in loaded} & HEAVY == set()


def test_the_table_of_commands_agrees_with_each_command():
    """SUBCOMMANDS names every command of every module of touchgen.cli, and its help line is the command's
    own: the top-level help shows the same line, cut to the same width, as the command would."""
    defined = {}
    for module in pkgutil.iter_modules(importlib.import_module("touchgen.cli").__path__):
        for command in getattr(importlib.import_module(f"touchgen.cli.{module.name}"), "COMMANDS", []):
            defined[command.name] = module.name
    assert defined == {name: module for name, (module, _) in SUBCOMMANDS.items()}
    context = click.Context(cli)
    for name, (_, line) in SUBCOMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and not command.hidden
        assert line == command.get_short_help_str(limit=10_000), name
        listed = click.Command(name, help=line)
        for width in range(1, 200):
            assert listed.get_short_help_str(width) == command.get_short_help_str(width), (name, width)


def test_an_unknown_command_is_a_usage_error_with_a_suggestion():
    typo = CliRunner().invoke(cli, ["bulid"], prog_name="touchgen")
    assert typo.exit_code == 2
    assert typo.stderr.endswith("\n\nError: No such command 'bulid'. Did you mean 'build'?\n")
    unknown = CliRunner().invoke(cli, ["nothing"], prog_name="touchgen")
    assert unknown.exit_code == 2
    assert unknown.stderr == ("Usage: touchgen [OPTIONS] COMMAND [ARGS]...\nTry 'touchgen --help' for help.\n\n"
                              "Error: No such command 'nothing'.\n")
    inner = CliRunner().invoke(cli, ["readers", "lsit"])
    assert inner.exit_code == 2
    assert inner.stderr.endswith("\n\nError: No such command 'lsit'. Did you mean 'list'?\n")


def test_shell_completion_offers_every_command_with_its_help():
    env = {**os.environ, "_TOUCHGEN_COMPLETE": "zsh_complete", "COMP_WORDS": "touchgen ", "COMP_CWORD": "1"}
    result = subprocess.run([sys.executable, "-m", "touchgen"], env=env, capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    offered = {lines[i + 1]: lines[i + 2] for i in range(0, len(lines), 3)}
    assert offered == {name: click.Command(name, help=line).get_short_help_str()
                       for name, (_, line) in SUBCOMMANDS.items()}


def test_unknown_option_is_a_usage_error(site, run):
    result = CliRunner().invoke(cli, ["--site", str(site), "build", "--nope"])
    assert result.exit_code == 2
    assert result.stderr.endswith("\n\nError: No such option '--nope'.\n")


def test_init_creates_a_site_that_builds(tmp_path, run):
    target = tmp_path / "letter"
    result = CliRunner().invoke(cli, ["init", str(target), "--today", "2026-11-25"])
    assert result.exit_code == 0
    assert result.stdout == f"Created a site in {target} (24 files). Next: cd {target} && touchgen build\n"
    assert (target / "content/posts/2026-11-23-welcome.md").is_file()
    assert (target / "content/pages/about.md").is_file()
    assert (target / "templates/site/post.html").is_file()
    assert (target / "templates/email/newsletter.mjml").is_file()
    assert (target / "templates/root/favicon.ico").is_file() and (target / "templates/root/favicon.svg").is_file()
    assert (target / ".gitignore").read_text() == "output/\ndata/\n"
    built = run(target, "build")
    assert (target / "output/site/posts/welcome/index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: folder is not empty (choose a new or empty folder; nothing was created)\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_init_into_an_empty_folder(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--today", "2026-11-23"])
    assert result.exit_code == 0
    assert (tmp_path / "touchgen.toml").is_file()


def test_new_dates_the_post_on_the_next_free_monday(site, run):
    result = run(site, "new", "Start before you need it!", "--today", "2026-11-19")
    assert result.stdout == (
        "Created content/posts/2026-11-30-start-before-you-need-it.md (a draft: set draft: false to publish it)\n")
    text = (site / "content/posts/2026-11-30-start-before-you-need-it.md").read_text()
    assert text.startswith('---\ntitle: "Start before you need it!"\ndate: 2026-11-30\n')
    run(site, "build", "--drafts", "--future")
    assert (site / "output/site/posts/start-before-you-need-it/index.html").is_file()


def test_new_with_a_date_and_quotes(site, run):
    result = run(site, "new", 'She said "yes": café', "--date", "2026-12-07")
    path = site / "content/posts/2026-12-07-she-said-yes-cafe.md"
    run(site, "build", "--drafts", "--future")
    assert "<title>She said &#34;yes&#34;: café</title>" in (
        site / "output/site/posts/she-said-yes-cafe/index.html").read_text()
    assert path.is_file()


def test_new_refuses_to_overwrite_or_reuse_a_slug(site, run):
    result = run(site, "new", "Welcome", "--date", "2026-12-07", code=1)
    assert result.stderr == (
        "Error: content/posts/2026-11-23-welcome.md: already uses the slug 'welcome' "
        "(nothing was written; choose another title)\n")
    assert sorted(p.name for p in (site / "content/posts").iterdir()) == ["2026-11-23-welcome.md"]


def test_new_rejects_a_bad_date(site, run):
    result = run(site, "new", "Hello", "--date", "2026-13-45", code=2)
    assert "Invalid value for '--date': '2026-13-45' is not a date (use YYYY-MM-DD)" in result.stderr


def test_new_rejects_a_title_without_letters(site, run):
    result = run(site, "new", "!!!", code=1)
    assert result.stderr == "Error: the title '!!!' has no letters or digits to make a slug from (use another title)\n"


def test_init_and_new_take_today_from_the_build_clock(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795867200")  # Saturday 28 November 2026, noon UTC
    target = tmp_path / "letter"
    touchgen("init", str(target))
    assert [p.name for p in (target / "content/posts").iterdir()] == ["2026-11-23-welcome.md"]
    result = touchgen("--site", str(target), "new", "Next week")
    assert result.stdout == "Created content/posts/2026-11-30-next-week.md (a draft: set draft: false to publish it)\n"


def test_init_in_the_current_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = touchgen("init")
    assert result.stdout == "Created a site in . (24 files). Next: cd . && touchgen build\n"
    assert (tmp_path / "touchgen.toml").is_file() and not list(tmp_path.glob(".*touchgen-tmp"))


def test_python_dash_m_touchgen(site):
    result = subprocess.run([sys.executable, "-m", "touchgen", "--site", str(site), "check"],
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "No problems: 1 post, 1 page, 0 warnings\n")


def test_a_finished_build_ends_at_once_with_everything_it_printed_sent(site):
    """`touchgen build` ends its process without Python's tidying up (os._exit) once it has printed
    its summary: what it printed to a pipe still arrives whole, warnings included, with status 0;
    a build that fails ends as any command does, with status 1 and its message."""
    post(site, "2026-11-16-odd.md", "title: Odd\ndate: 2026-11-16\ntilte: x\n")
    command = [sys.executable, "-m", "touchgen", "--site", str(site), "build"]
    for attempt in ("first", "nothing changed"):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, attempt
        assert result.stderr == "content/posts/2026-11-16-odd.md:4: warning: unknown front matter key 'tilte' " \
            "(known: title, date, summary, tags, slug, draft, aliases)\n", attempt
        assert result.stdout.startswith("Built 2 posts, 1 page, 2 feeds, 2 emails in ") and \
            result.stdout.endswith(" removed (output/)\n"), attempt
    assert (site / "output/site/posts/odd/index.html").is_file()
    post(site, "2026-11-16-odd.md", "title: Odd\ndate: someday\n")
    failed = subprocess.run(command, capture_output=True, text=True)
    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr == ("error: content/posts/2026-11-16-odd.md:3: date 'someday' is not a valid date (use "
                             "YYYY-MM-DD)\nError: 1 problem found; nothing was written\n")
    # The reader of the pipe leaves before the summary is printed: no traceback, and the build is done.
    shutil.rmtree(site / "output")
    post(site, "2026-11-16-odd.md", "title: Odd\ndate: 2026-11-16\n")
    reader, writer = os.pipe()
    os.close(reader)
    closed = subprocess.run(command, stdout=writer, stderr=subprocess.PIPE, text=True)
    os.close(writer)
    assert (closed.returncode, closed.stderr) == (1, "Error: the program reading touchgen's output (such as `| head`) "
                                                     "closed it before the last line; what was done is done: run the "
                                                     "command without it to read everything\n")
    assert (site / "output/site/posts/odd/index.html").is_file()
    # Standard output or error closed from the start: the build still succeeds.
    for closed_stream in (">&-", "2>&-"):
        post(site, "2026-11-16-odd.md", f"title: Odd {closed_stream}\ndate: 2026-11-16\n")
        done = subprocess.run(["sh", "-c", f'exec "$@" {closed_stream}', "sh", *command], capture_output=True)
        assert done.returncode == 0, (closed_stream, done.stderr)
    # A profiler writes its results at a normal exit: then the process ends as usual.
    profile = site.parent / "build.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "touchgen", "--site", str(site),
                    "build"], check=True, capture_output=True)
    assert profile.stat().st_size > 0


def test_a_build_from_the_command_keeps_what_it_made_until_the_next(site, run):
    """`touchgen build` ends at once, so what its build made is kept rather than freed object by
    object, and out of the cycle collector's way; any later build in the same process (the next
    command, as in the tests; touchgen serve's, called directly) lets it go and keeps nothing of its
    own unless run by the command; a build that fails keeps nothing and freezes nothing."""
    import gc
    import weakref

    from touchgen.config import load_settings
    from touchgen.site import build as building
    from touchgen.site.pages import Site

    def sites_kept() -> list[weakref.ref[Site]]:
        return [weakref.ref(value) for objects in building._KEEPING.objects for made in objects
                if isinstance(made, dict) for value in made.values() if isinstance(value, Site)]

    run(site, "build")
    first = sites_kept()
    assert len(first) == 1 and [entry.title for entry in first[0]().posts] == ["Welcome: why I write on Mondays"]
    assert gc.get_freeze_count() > 0  # out of the cycle collector's way
    post(site, "2026-11-16-more.md", "title: More\ndate: 2026-11-16\n")
    run(site, "build")
    gc.collect()
    assert first[0]() is None and len(sites_kept()) == 1 and gc.get_freeze_count() > 0
    for again in range(3):  # as touchgen serve builds, again and again
        post(site, "2026-11-16-more.md", f"title: More {again}\ndate: 2026-11-16\n")
        building.build(load_settings(site))
        assert (sites_kept(), building._KEEPING.objects, gc.get_freeze_count()) == ([], [], 0)
    post(site, "2026-11-16-more.md", "title: More\ndate: someday\n")
    run(site, "build", code=1)
    assert (building._KEEPING.objects, gc.get_freeze_count()) == ([], 0)


def test_warnings_are_shown_when_a_build_fails(site, run):
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace("[site]\n", "[site]\ncolour = 'red'\n"), encoding="utf-8")
    post(site, "2026-11-16-bad.md", "title: Bad\ndate: someday\ntilte: x\n")
    result = run(site, "build", code=1)
    assert result.stderr == (
        "touchgen.toml:4: warning: unknown setting 'colour' in [site] (known: author, description, language, "
        "permalink, posts_per_page, publish_weekday, timezone, title, url)\n"
        "content/posts/2026-11-16-bad.md:4: warning: unknown front matter key 'tilte' "
        "(known: title, date, summary, tags, slug, draft, aliases)\n"
        "error: content/posts/2026-11-16-bad.md:3: date 'someday' is not a valid date (use YYYY-MM-DD)\n"
        "Error: 1 problem found; nothing was written\n")
    quiet = touchgen("--site", str(site), "-q", "build", code=1)
    assert quiet.stderr.startswith("error: content/posts/2026-11-16-bad.md:3:")


def test_usage_problems_exit_2_and_other_problems_exit_1():
    from touchgen.errors import BuildErrors, LocatedError, SendError, TouchgenError, UsageProblem

    assert [error.exit_code for error in (TouchgenError("x"), UsageProblem("x"), SendError("x"),
                                          LocatedError("f", 1, "x"), BuildErrors([]))] == [1, 2, 1, 1, 1]
