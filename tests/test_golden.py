"""The sample site's output compared byte for byte with tests/golden/: the website's pages and feeds
(output/site) and each newsletter's email.mjml, email.txt and email.json (output/newsletter).

When a change to the output is intended, regenerate the golden files with:

    TOUCHGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
# email.html is mjml-python's rendering of email.mjml: its markup follows the library's version.
COMPARED = {"site": (".html", ".xml", ".txt"), "newsletter": (".mjml", ".txt", ".json")}


def built_files(root: Path) -> dict[str, bytes]:
    return {
        f"{folder}/{path.relative_to(root / folder).as_posix()}": path.read_bytes()
        for folder, suffixes in COMPARED.items()
        for path in sorted((root / folder).rglob("*")) if path.is_file() and path.suffix in suffixes
    }


def test_sample_site_matches_golden_files(sample_site, run):
    run(sample_site, "build")
    built = built_files(sample_site / "output")
    if os.environ.get("TOUCHGEN_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in built.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    golden = built_files(GOLDEN)
    assert sorted(built) == sorted(golden), "files differ: regenerate with TOUCHGEN_UPDATE_GOLDEN=1 (see docstring)"
    assert any(rel.startswith("newsletter/") and rel.endswith("email.mjml") for rel in built)
    for rel, data in built.items():
        assert data.decode() == golden[rel].decode(), f"{rel} differs from tests/golden/{rel}"
