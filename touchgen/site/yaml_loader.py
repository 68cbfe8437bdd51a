"""YAML front matter read safely: PyYAML's safe loader (libyaml's where it is there) without dates,
aliases or keys given twice. Imported only when a post must be read."""

from __future__ import annotations

from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings (touchgen checks them with a located message),
    refuses aliases (no alias bombs) and refuses a key given twice."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "found an alias (*name), which front matter may not use",
                                              self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        return _construct_mapping(self, node, deep)


def _construct_mapping(loader: Any, node: Any, deep: bool) -> Any:
    """A mapping, refusing a key given twice and a key that is itself a list or mapping."""
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (list, dict)):  # {{ x }} unquoted is a mapping inside a mapping
            raise yaml.constructor.ConstructorError(None, None, "a value that starts with { or [ is read as a "
                                                    "list or mapping here; put it in quotes", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"the key '{key}' is given twice",
                                                    key_node.start_mark)
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where PyYAML has it (several times faster), with _Loader's rules for keys and
    dates. Used only for front matter with no anchor or alias and little nesting; anything it refuses
    is read again by _Loader, for the same located message."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        return _construct_mapping(self, node, deep)


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def load_yaml(text: str) -> Any:
    """YAML front matter as PyYAML reads it with touchgen's rules; yaml.YAMLError when it cannot."""
    if "*" not in text and "&" not in text and text.count("[") + text.count("{") < 64:
        try:
            return yaml.load(text, Loader=_FastLoader)
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_Loader)
