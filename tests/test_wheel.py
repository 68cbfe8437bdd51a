"""A plain (non-editable) install from a wheel works in a fresh virtual environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv

from conftest import REPO


def test_wheel_installs_and_builds_a_new_site(tmp_path):
    # Built from a copy, so setuptools' build/ folder never lands in (or is read from) the repository.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "output", "data", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source)],
        check=True, cwd=tmp_path,
    )
    (wheel,) = wheels.glob("touchgen-*.whl")
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    bin_dir = env_dir / "bin"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q", "--no-deps",
                    str(wheel)], check=True, cwd=tmp_path)
    # touchgen comes from the wheel alone; its dependencies from the test environment's site-packages,
    # added as a plain path (its .pth files, such as an editable touchgen's, are not run).
    (site_packages,) = (env_dir / "lib").glob("python3*/site-packages")
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1795435200"}
    environment.pop("PYTHONPATH", None)
    where = subprocess.run([bin_dir / "python", "-c", "import touchgen; print(touchgen.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=environment)
    assert where.stdout.startswith(str(site_packages / "touchgen")), where.stdout
    touchgen = str(bin_dir / "touchgen")
    subprocess.run([touchgen, "init", "mysite", "--today", "2026-11-23"], check=True, cwd=tmp_path, env=environment)
    result = subprocess.run([touchgen, "build"], cwd=tmp_path / "mysite", env=environment,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 1 post, 1 page, 2 feeds, 1 email in ")
    site = tmp_path / "mysite/output/site"
    for path in ("index.html", "posts/welcome/index.html", "feed.xml", "atom.xml", "sitemap.xml",
                 "static/css/style.css"):
        assert (site / path).is_file(), path
    # The one copy of the theme, the repository's templates/, is what the installed package ships.
    installed = tmp_path / "mysite/templates"
    theme = sorted(p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file())
    assert sorted(p.relative_to(installed).as_posix() for p in installed.rglob("*") if p.is_file()) == theme
    assert not (REPO / "touchgen/templates").exists()
    # The store's migrations ship too: a new store is made from them.
    readers = subprocess.run([touchgen, "readers", "add", "ada@example.com"], cwd=tmp_path / "mysite",
                             env=environment, capture_output=True, text=True)
    assert (readers.returncode, readers.stdout) == (0, "Added ada@example.com\n"), readers.stderr
    # Every subpackage ships: the daily touch too.
    touch = subprocess.run([touchgen, "touch", "today", "--today", "2026-11-23"], cwd=tmp_path / "mysite",
                           env=environment, capture_output=True, text=True)
    assert touch.returncode == 0 and touch.stdout.startswith("Nobody to propose"), touch.stderr
    installed_packages = {p.parent.name for p in (site_packages / "touchgen").rglob("__init__.py")}
    assert installed_packages == {p.parent.name for p in (REPO / "touchgen").rglob("__init__.py")}
