"""Fixtures: a fresh site in a temporary folder and a CLI runner that keeps stderr apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from touchgen.cli import cli
from touchgen.scaffold import init_site

REPO = Path(__file__).resolve().parent.parent
# Monday 23 November 2026, noon UTC: the sample posts up to that day are published.
EPOCH = "1795435200"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def site(tmp_path) -> Path:
    """A new site made by `touchgen init`, with its one sample post dated 2026-11-23."""
    root = tmp_path / "site"
    init_site(root, dt.date(2026, 11, 23))
    return root


@pytest.fixture
def sample_site(tmp_path) -> Path:
    """A copy of the repository's own sample site."""
    root = tmp_path / "sample"
    root.mkdir()
    shutil.copy(REPO / "touchgen.toml", root)
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", root / "templates")
    return root


@pytest.fixture
def run():
    """run(site, 'build', ...) -> click Result, with stdout and stderr kept apart."""

    def invoke(root: Path, *args: str):
        return CliRunner().invoke(cli, ["--site", str(root), *args], catch_exceptions=False)

    return invoke


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def post(root: Path, name: str, front: str, body: str = "Hello.\n") -> Path:
    return write(root / "content" / "posts" / name, f"---\n{front}---\n\n{body}")


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under folder: its content hash and modification time, to prove nothing changed."""
    return {
        path.relative_to(folder).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }
