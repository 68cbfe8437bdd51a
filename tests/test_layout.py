"""The package layout: each layer imports only the layers below it, only the command line imports
click, the shared helpers import nothing from outside the standard library, no module is long."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "touchgen"
HELPERS = {"touchgen", "touchgen.errors", "touchgen.clock", "touchgen.paths", "touchgen.files", "touchgen.text",
           "touchgen.config"}
# Lowest first; a module may import its own package, the helpers and the layers below its own.
LAYERS = [["site", "people"], ["importers", "mail"], ["touch"], ["report"], ["cli"], ["__main__"]]
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function, as an absolute name."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str) -> tuple[int, str]:
    """(layer, concern) of a touchgen module; helpers are layer -1."""
    if module in HELPERS:
        return -1, "helpers"
    concern = module.split(".")[1]
    for number, concerns in enumerate(LAYERS):
        if concern in concerns:
            return number, concern
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS in tests/test_layout.py")


MODULES = sorted(PACKAGE.rglob("*.py"))


def own_modules(found: set[str]) -> set[str]:
    """The touchgen modules among `found` (a name that is a class or function counts as its module)."""
    known = {module_name(path) for path in MODULES}
    result = set()
    for name in found:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name.startswith("touchgen"):
            result.add(name)
    return result


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_no_import_points_up(path):
    name = module_name(path)
    layer, concern = layer_of(name)
    for imported in sorted(own_modules(imports(path))):
        other_layer, other_concern = layer_of(imported)
        assert other_layer < layer or other_concern == concern, (
            f"{name} ({concern}, layer {layer}) imports {imported} ({other_concern}, layer {other_layer}): "
            "a layer may import only its own package, the helpers and the layers below it")


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_only_the_command_line_imports_click(path):
    if module_name(path).startswith("touchgen.cli"):
        return
    assert not {name for name in imports(path) if name.split(".")[0] == "click"}, f"{module_name(path)} imports click"


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_helpers_use_only_the_standard_library(name):
    path = PACKAGE / "__init__.py" if name == "touchgen" else PACKAGE / f"{name.split('.')[1]}.py"
    outside = {imported.split(".")[0] for imported in imports(path)} - {"touchgen", ""}
    assert outside <= set(sys.stdlib_module_names) | {"__future__"}, f"{name} imports {outside}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_no_module_is_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines (at most {MAX_LINES}): split it by concern"


def test_the_walk_sees_relative_and_inner_imports():
    """The checks above can fail: relative imports and imports inside functions are found, and an
    arrow from the site build to sending would be refused."""
    found = imports(PACKAGE / "people" / "stages.py")
    assert "touchgen.people.store.Store" in found and "touchgen.clock.parse_utc" in found
    assert "touchgen.site.content" in own_modules(imports(PACKAGE / "mail" / "compose.py"))  # inside load_letter
    assert "click" in imports(PACKAGE / "cli" / "send.py")
    (site_layer, _), (mail_layer, _) = layer_of("touchgen.site.build"), layer_of("touchgen.mail.send")
    assert not mail_layer < site_layer
    assert layer_of("touchgen.people.store")[1] != layer_of("touchgen.site.pages")[1]
