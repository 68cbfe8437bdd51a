"""Generated malformed input (posts, settings, CSV rows, mail, calendars), fed to the commands: the
exit status is 0, 1 or 2 and never a traceback, and a failed build leaves output/ as it was."""

from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from touchgen.cli import cli

from conftest import DATA, tree

PIECES = ["---", "title:", "date:", "tags:", "summary:", "slug:", "draft:", "[", "]", "{", "}", "&a", "*a", "!!python",
          "2026-13-45", "2026-11-16", "yes", "\x00", "\x0b", "\x1b[31m", "\ufffe", "é", "\u2028", "'", '"', ":", "- ",
          "\t", "   ", "\n", "<script>", "{{ x }}", "{% raw %}", "%%FIRST_NAME%%", "```", "|", ">", "#", "\\"]


def mutate(rng: random.Random, text: str, count: int) -> str:
    for _ in range(count):
        at = rng.randrange(len(text) + 1)
        action = rng.random()
        if action < 0.5:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif action < 0.8:
            text = text[:at] + text[at + rng.randrange(1, 20):]
        else:
            text = text[:at] + "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 5))) + text[at:]
    return text


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"touchgen {' '.join(args[:4])}... raised {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in (0, 1, 2)
    return result


GOOD_POST = "---\ntitle: Good\ndate: 2026-11-16\ntags: [a, b]\nsummary: A *summary*\n---\n\nBody with [a link](x/) and\n\n- a list\n"


def test_malformed_posts_and_settings(site):
    rng = random.Random(2026)
    settings = (site / "touchgen.toml").read_text()
    assert invoke("--site", str(site), "build").exit_code == 0
    for attempt in range(60):
        before = tree(site / "output")
        post = site / "content/posts/2026-11-16-fuzz.md"
        post.write_bytes(mutate(rng, GOOD_POST, rng.randrange(1, 6)).encode("utf-8", "surrogatepass"))
        if attempt % 3 == 0:
            (site / "touchgen.toml").write_text(mutate(rng, settings, rng.randrange(1, 4)), encoding="utf-8")
        result = invoke("--site", str(site), "build")
        if result.exit_code != 0:
            assert tree(site / "output") == before, f"attempt {attempt}: a failed build changed output/"
        (site / "touchgen.toml").write_text(settings, encoding="utf-8")


@pytest.mark.parametrize("kind", ["readers", "replies", "calls"])
def test_malformed_imports(site, tmp_path, kind):
    rng = random.Random(kind)
    source = {"readers": DATA / "plain.csv", "replies": DATA / "inbox.mbox", "calls": DATA / "bookings.ics"}[kind]
    suffix = {"readers": ".csv", "replies": ".mbox", "calls": ".ics"}[kind]
    text = source.read_text(encoding="utf-8")
    for attempt in range(40):
        path = tmp_path / f"fuzz-{attempt}{suffix}"
        path.write_bytes(mutate(rng, text, rng.randrange(1, 8)).encode("utf-8", "surrogatepass"))
        invoke("--site", str(site), "import", kind, str(path))
