"""The core is typed: mypy, configured in pyproject.toml, finds no error."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_mypy_passes():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
