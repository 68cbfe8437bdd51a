"""The README documents every command and every touchgen.toml key; its examples are what touchgen prints."""

from __future__ import annotations

import dataclasses
import re

import pytest

from touchgen.config import SECTIONS

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
def keys_of(section: str, cls: type) -> list[str]:
    """'site.title', ... and for a table inside a section, 'touches.cadence.key_top', ..."""
    found = []
    for field in dataclasses.fields(cls):
        default = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
        if dataclasses.is_dataclass(default):
            found += keys_of(f"{section}.{field.name}", type(default))
        else:
            found.append(f"{section}.{field.name.rstrip('_')}")
    return found


KEYS = [key for section, cls in SECTIONS.items() for key in keys_of(section, cls)]


def settings_table() -> str:
    """The README's table of settings (the section '## Settings')."""
    return README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("key", KEYS)
def test_every_setting_is_in_the_readme(key):
    section, name = key.rsplit(".", 1)
    rows = [line for line in settings_table().splitlines() if line.startswith("|")]
    # A row names a key in full ('site.title') or after another key of its section ('site.author, description').
    assert any(re.search(rf"`{re.escape(key)}`", row) or
               (f"`{section}." in row and re.search(rf"[`,] ?`?{re.escape(name)}`", row)) for row in rows), (
        f"README.md's settings table does not document {key}")


def test_the_sample_settings_show_every_key():
    sample = (REPO / "touchgen.toml").read_text(encoding="utf-8")
    for key in KEYS:
        section, name = key.rsplit(".", 1)
        table = sample.split(f"[{section}]\n", 1)[1].split("\n[", 1)[0] if f"[{section}]\n" in sample else ""
        assert re.search(rf"^{name} = ", table, re.M), f"touchgen.toml lacks {key} in [{section}]"


def test_the_readme_starts_with_the_two_set_up_commands():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)[:2]
    assert commands[0].startswith("python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/touchgen build")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must run exactly the README's test command"


def test_the_build_example_matches_the_sample_site(sample_site, run):
    example = re.search(r"\$ touchgen build\n(Built .*)\n", README).group(1)
    printed = run(sample_site, "build").stdout

    def timeless(line: str) -> str:
        return re.sub(r" in \d+\.\d\d s:", " in N s:", line.strip())

    assert timeless(printed) == timeless(example), f"README says {example!r}, touchgen prints {printed!r}"
