"""The sample site's pages and feeds (output/site), compared byte for byte with tests/golden/.

When a change to the output is intended, regenerate the golden files with:

    TOUCHGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
COMPARED = (".html", ".xml", ".txt")


def built_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*")) if path.is_file() and path.suffix in COMPARED
    }


def test_sample_site_matches_golden_files(sample_site, run):
    result = run(sample_site, "build")
    built = built_files(sample_site / "output/site")
    if os.environ.get("TOUCHGEN_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in built.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    golden = built_files(GOLDEN)
    assert sorted(built) == sorted(golden), "files differ: regenerate with TOUCHGEN_UPDATE_GOLDEN=1 (see docstring)"
    for rel, data in built.items():
        assert data.decode() == golden[rel].decode(), f"{rel} differs from tests/golden/{rel}"
