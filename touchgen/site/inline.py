"""Python-Markdown's inline processor made cheaper, with the same algorithm and so the same HTML.

The original tries each of its patterns (17 here; smarty's processor has 18 more) on each run of
text, building a match iterator each time: most of a build's time. Here a pattern is passed over
at once when the text lacks every character that one of its matches needs (read from the pattern's
expression, see `needed_characters`), and the match found while checking is the one applied
(the original searched twice)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

from markdown import inlinepatterns, treeprocessors, util

# A pattern as `_Inline` uses it: the pattern; its expression (None for an old-style Pattern, left to
# the original); the characters of which its matches need one (None: search every time); the
# lowercased tags it does not apply inside.
Prepared = tuple[Any, re.Pattern[str] | None, tuple[str, ...] | None, tuple[str, ...]]


class _Inline(treeprocessors.InlineProcessor):
    """Replaces the class of Python-Markdown's InlineProcessor instances (see `make_cheaper`)."""

    def run(self, tree: Any, ancestors: Any = None) -> Any:
        self._patterns = [_prepared(pattern) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802 (overrides)
        if isinstance(data, util.AtomicString):
            return data
        patterns = self._patterns
        count = len(patterns)
        start = 0
        while patternIndex < count:
            pattern, expression, needs, excludes = patterns[patternIndex]
            if expression is None:  # an old-style pattern: the original's own step
                data, matched, start = getattr(self, "_InlineProcessor__applyPattern")(
                    pattern, data, patternIndex, start)
            else:
                if needs is not None:
                    for character in needs:
                        if character in data:
                            break
                    else:
                        patternIndex, start = patternIndex + 1, 0  # what the original's no-match returns
                        continue
                match = expression.search(data, start)
                if match is None:
                    patternIndex, start = patternIndex + 1, 0
                    continue
                data, matched, start = self._apply(pattern, expression, excludes, data, patternIndex, start, match)
            if not matched:
                patternIndex += 1
        return data

    def _apply(self, pattern: Any, expression: re.Pattern[str], excludes: tuple[str, ...], data: str,
               patternIndex: int, start: int, match: re.Match[str]) -> tuple[str, bool, int]:  # noqa: N803
        """The original's `__applyPattern` for an InlineProcessor pattern, given the first match of
        `expression.finditer(data, start)`, which is `expression.search(data, start)`."""
        for exclude in excludes:
            if exclude in self.ancestors:
                return data, False, 0
        later: Iterator[re.Match[str]] | None = None
        found: re.Match[str] | None = match
        while found is not None:
            node, begin, end = pattern.handleMatch(found, data)
            if begin is not None and end is not None:
                break
            # Rejected: the original's iterator goes on to the next match.
            if later is None:
                if found.end() > found.start():  # where finditer would search next
                    later = expression.finditer(data, found.end())
                else:  # after an empty match finditer must advance: replay it
                    later = expression.finditer(data, start)
                    next(later)
            found = next(later, None)
        if found is None:
            return data, False, 0
        if node is None:
            return data, True, end
        if not isinstance(node, str) and not isinstance(node.text, util.AtomicString):
            handle = self._InlineProcessor__handleInline
            for child in [node, *node]:  # as the original, which tests the node, not the child
                if not treeprocessors.isString(node):
                    if child.text:
                        self.ancestors.append(child.tag.lower())
                        child.text = handle(child.text, patternIndex + 1)
                        self.ancestors.pop()
                    if child.tail:
                        child.tail = handle(child.tail, patternIndex)
        placeholder = getattr(self, "_InlineProcessor__stashNode")(node, pattern.type())
        return f"{data[:begin]}{placeholder}{data[end:]}", True, begin + len(placeholder)


def make_cheaper(processor: Any) -> None:
    """`processor`, an instance of Python-Markdown's own InlineProcessor, runs as `_Inline`."""
    if type(processor) is treeprocessors.InlineProcessor:
        processor.__class__ = _Inline


_NEEDS: dict[re.Pattern[str], tuple[str, ...] | None] = {}


def _prepared(pattern: Any) -> Prepared:
    excludes = tuple(exclude.lower() for exclude in pattern.ANCESTOR_EXCLUDES)
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return pattern, None, None, excludes
    expression = pattern.getCompiledRegExp()
    if expression not in _NEEDS:
        needs = needed_characters(expression)
        _NEEDS[expression] = None if needs is None else tuple(sorted(needs))
    return pattern, expression, _NEEDS[expression], excludes


def _parser() -> Any:
    """The regular-expression parser of the `re` module (private, so looked up with care)."""
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # another Python: no pattern is passed over
        return None


_SMALL_RANGE = 32


def needed_characters(expression: re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which a string must hold at least one for `expression.search` to find anything in
    it (lookarounds included: they look at the same string), or None when that cannot be said.

    Read from the parsed expression: a sequence matches only when each of its items does, so the
    smallest set among its items serves; alternatives need the union of theirs; a repeat needs its
    body's only when it repeats at least once; a positive lookaround's characters are in the string
    too. Anything else (a negative lookaround, any character, a class by category, case-insensitive
    matching) says nothing and is skipped over; a sequence of such items needs nothing."""
    parser = _parser()
    if parser is None or expression.flags & re.IGNORECASE:
        return None
    try:
        return _sequence_needs(parser, parser.parse(expression.pattern, expression.flags))
    except Exception:  # noqa: BLE001 (a form this reading does not know: search every time)
        return None


def _sequence_needs(parser: Any, items: Any) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    for op, argument in items:
        needs = _item_needs(parser, op, argument)
        if needs is not None and (best is None or _commonness(needs) < _commonness(best)):
            best = needs
    return best


def _commonness(characters: frozenset[str]) -> tuple[int, int]:
    """Fewer characters, then fewer letters, digits and spaces: the likelier to be absent from a text."""
    return len(characters), sum(character.isalnum() or character.isspace() for character in characters)


def _item_needs(parser: Any, op: Any, argument: Any) -> frozenset[str] | None:
    if op is parser.LITERAL:
        return frozenset(chr(argument))
    if op is parser.IN:
        characters: set[str] = set()
        for kind, value in argument:
            if kind is parser.LITERAL:
                characters.add(chr(value))
            elif kind is parser.RANGE and value[1] - value[0] < _SMALL_RANGE:
                characters.update(map(chr, range(value[0], value[1] + 1)))
            else:  # NEGATE, CATEGORY, a wide range
                return None
        return frozenset(characters)
    if op is parser.SUBPATTERN:
        _group, add_flags, _del_flags, body = argument
        return None if add_flags & re.IGNORECASE else _sequence_needs(parser, body)
    if op is parser.ATOMIC_GROUP:
        return _sequence_needs(parser, argument)
    if op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
        least, _most, body = argument
        return _sequence_needs(parser, body) if least >= 1 else None
    if op is parser.BRANCH:
        union: set[str] = set()
        for branch in argument[1]:
            needs = _sequence_needs(parser, branch)
            if needs is None:
                return None
            union |= needs
        return frozenset(union)
    if op is parser.ASSERT:
        _direction, body = argument
        return _sequence_needs(parser, body)
    return None
