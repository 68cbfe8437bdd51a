"""Python-Markdown's inline processor made cheaper, with the same algorithm and so the same HTML.

The original tries each of its patterns (15 here; smarty's processor has 18 more) on each run of
text, building a match iterator each time: most of a build's time. Here a pattern is passed over
when the text lacks every string that one of its matches needs (read from the pattern's expression,
see `needed_strings`: '![' for an image, '*' or '_' for emphasis), the patterns that may match are
found once for each text, the match found while checking is the one applied (the original searched
twice), and a text in which nothing matched is put back without looking for placeholders in it.
tests/test_markdown_speed.py renders tricky and generated markdown both ways and compares."""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from typing import Any

from markdown import inlinepatterns, treeprocessors, util

# A pattern as `_Inline` uses it: the pattern; its expression (None for an old-style Pattern, left to
# the original); the strings of which its matches need one (None: search every time); the lowercased
# tags it does not apply inside.
Prepared = tuple[Any, re.Pattern[str] | None, tuple[str, ...] | None, tuple[str, ...]]


class _Inline(treeprocessors.InlineProcessor):
    """Replaces the class of Python-Markdown's InlineProcessor instances (see `make_cheaper`)."""

    def run(self, tree: Any, ancestors: Any = None) -> Any:
        patterns = tuple(self.inlinePatterns)
        if getattr(self, "_prepared_for", None) != patterns:
            self._prepared_for = patterns
            self._patterns = [_prepared(pattern) for pattern in patterns]
            self._triggers, self._wanted = _triggers(self._patterns)
            self._orders: dict[int, tuple[int, ...]] = {}
        return self._walk(tree, ancestors)

    def _walk(self, tree: Any, ancestors: list[str] | None) -> Any:
        """Python-Markdown's InlineProcessor.run step for step, except that a text in which no pattern
        left a placeholder is put back at once: the original's `__processPlaceholders` would put it back
        too (as the element's text or tail), with no nodes to insert, after a search for placeholders."""
        self.stashed_nodes: dict[str, Any] = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        # The original maps every element to its parent, only to find the ancestors of `tree` itself,
        # which its own map cannot hold: its tag alone. Nothing else reads the map.
        self.parent_map: dict[Any, Any] = {}
        stack = [(tree, tree_parents)]
        tree_parents.append(tree.tag.lower())
        handle = self._InlineProcessor__handleInline
        place = getattr(self, "_InlineProcessor__processPlaceholders")
        prefix = util.INLINE_PLACEHOLDER_PREFIX
        while stack:
            current, parents = stack.pop(0)
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            queue = []
            for child in current:
                if child.text and not isinstance(child.text, util.AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text = child.text
                    child.text = None
                    handled = handle(text)
                    if prefix in handled:
                        found = place(handled, child)
                        stack += found
                        queue.append((child, found))
                    elif handled:
                        child.text = _as_put_back(handled)
                    self.ancestors.pop()
                if child.tail:
                    tail = handle(child.tail)
                    child.tail = None
                    if prefix in tail:
                        dumby = etree.Element("d")
                        found = place(tail, dumby, False)
                        if dumby.tail:
                            child.tail = dumby.tail
                        position = list(current).index(child) + 1
                        found.reverse()
                        for item in found:
                            current.insert(position, item[0])
                    elif tail:
                        child.tail = _as_put_back(tail)
                if len(child):
                    stack.append((child, self.ancestors[:]))
            for element, found in queue:
                for index, item in enumerate(found):
                    element.insert(index, item[0])
        return tree

    def _order(self, present: int) -> tuple[int, ...]:
        """For each pattern index, the first pattern from there on that may match a text holding the
        needed strings in `present` (a bit for each of `_triggers`), or len(patterns)."""
        order = [len(self._wanted)]
        for index in reversed(range(len(self._wanted))):
            wanted = self._wanted[index]
            order.append(index if wanted is None or wanted & present else order[-1])
        self._orders[present] = made = tuple(reversed(order))
        return made

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802 (overrides)
        if isinstance(data, util.AtomicString):
            return data
        present = 0
        for bit, string in self._triggers:
            if string in data:
                present |= bit
        order = self._orders.get(present) or self._order(present)
        patterns = self._patterns
        count = len(patterns)
        start = 0
        patternIndex = order[patternIndex]
        while patternIndex < count:
            pattern, expression, needs, excludes = patterns[patternIndex]
            if expression is None:  # an old-style pattern: the original's own step
                data, matched, start = getattr(self, "_InlineProcessor__applyPattern")(
                    pattern, data, patternIndex, start)
            else:
                if needs is not None:
                    for string in needs:
                        if string in data:
                            break
                    else:  # what the original's search finding nothing returns
                        patternIndex, start = order[patternIndex + 1], 0
                        continue
                match = expression.search(data, start)
                if match is None:
                    patternIndex, start = order[patternIndex + 1], 0
                    continue
                data, matched, start = self._apply(pattern, expression, excludes, data, patternIndex, start, match)
            if not matched:
                patternIndex = order[patternIndex + 1]
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


class _Emphasis(inlinepatterns.DelimiterProcessor):
    """Python-Markdown's emphasis (its delimiter algorithm for `*em*`, `**strong**`, `_em_` and their
    nestings), most of an inline pass: the plainest case, an opening run of one or two delimiters
    whose next delimiter is a closing run of the same character and length, is answered at once with
    what the algorithm gives for it (one `em` or `strong` around the text between); anything else
    (a run of three, nesting, a run that may open or close, another delimiter first) goes the whole way."""

    def handleMatch(self, m: re.Match[str], data: str) -> Any:  # type: ignore[override]  # noqa: N802
        # Results or a part-used run waiting from the last match (3.11.4 keeps them in `cache` and
        # `remainder`): the algorithm's own way.
        if (self.regions or self.stack or getattr(self, "cache", None) or getattr(self, "remainder", None) is not None
                or not all(len(token) == 1 for token in self.tokens)):
            return super().handleMatch(m, data)
        begin = m.start(0)
        opener = self.get_match(data, begin)
        delimiter = self.delimiters.get(data[begin])
        if (opener is None or opener.lastgroup != "start" or delimiter is None or delimiter.tag_count != 2
                or delimiter.double or any(known.stack for known in self.delimiters.values())):
            return super().handleMatch(m, data)
        length = opener.end(0) - begin
        if length > 2:
            return super().handleMatch(m, data)
        # The algorithm's search for the next delimiter, with the opener the only one waiting: a
        # run of another character that can only close is passed over.
        position = opener.end(0)
        while True:
            found = self.compiled_re.search(data, position)
            if found is None:
                return super().handleMatch(m, data)
            index = found.start(0)
            other = self.delimiters[data[index]]
            closer = other.boundary.match(data, index)
            if closer is None or (other is not delimiter and closer.lastgroup == "end"):
                position = index + 1
                continue
            break
        if other is not delimiter or closer.lastgroup != "end" or closer.end(0) - index != length:
            return super().handleMatch(m, data)
        element = etree.Element(delimiter.tags[1] if length == 1 else delimiter.tags[0])
        element.text = data[begin + length:index]
        self.reset()  # as the algorithm leaves it
        return element, begin, index + length


def _as_put_back(text: str) -> str:
    """A text without placeholders as `__processPlaceholders` puts it back."""
    return util.AtomicString(text[0:]) if isinstance(text, util.AtomicString) else text[0:]


def make_cheaper(processor: Any) -> None:
    """`processor`, an instance of Python-Markdown's own InlineProcessor, runs as `_Inline`, its
    emphasis as `_Emphasis`."""
    if type(processor) is treeprocessors.InlineProcessor:
        processor.__class__ = _Inline
        patterns: list[Any] = list(processor.inlinePatterns)
        for pattern in patterns:
            if type(pattern) is inlinepatterns.DelimiterProcessor and set(vars(pattern)) <= _EMPHASIS_STATE:
                pattern.__class__ = _Emphasis


# What the delimiter processor keeps, in the versions `_Emphasis` was checked against (3.11.3, 3.11.4):
# one that keeps more works some other way, and is left as it is.
_EMPHASIS_STATE = {"cache", "cache_index", "cache_pos", "compiled_re", "delimiters", "md", "pattern", "positions",
                   "regions", "remainder", "safe_mode", "searched", "stack", "tokens"}


_NEEDS: dict[re.Pattern[str], tuple[str, ...] | None] = {}


def needs_of(expression: re.Pattern[str]) -> tuple[str, ...] | None:
    """needed_strings(expression), read once for each expression."""
    if expression not in _NEEDS:
        needs = needed_strings(expression)
        _NEEDS[expression] = None if needs is None else tuple(sorted(needs))
    return _NEEDS[expression]


def _prepared(pattern: Any) -> Prepared:
    excludes = tuple(exclude.lower() for exclude in pattern.ANCESTOR_EXCLUDES)
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return pattern, None, None, excludes
    expression = pattern.getCompiledRegExp()
    return pattern, expression, needs_of(expression), excludes


# A placeholder (for a node put aside) is what a step adds to a text: besides it, a step only takes
# text away. So a string without any of the placeholder's characters that is not in a text at first
# never is at a later step: a pattern that needs only such strings is passed over for the whole text.
PLACEHOLDER_CHARACTERS = frozenset(util.INLINE_PLACEHOLDER % "0123456789")


def _triggers(patterns: list[Prepared]) -> tuple[tuple[tuple[int, str], ...], tuple[int | None, ...]]:
    """The strings to look for in a text, each with its bit; and for each pattern, the bits of the
    strings it needs one of (None: it is tried on every text)."""
    bits: dict[str, int] = {}
    wanted: list[int | None] = []
    for _pattern, expression, needs, _excludes in patterns:
        if needs is None or any(PLACEHOLDER_CHARACTERS.intersection(string) for string in needs):
            wanted.append(None)
        else:
            for string in needs:
                bits.setdefault(string, 1 << len(bits))
            wanted.append(sum(bits[string] for string in needs))
    if any(expression is None for _pattern, expression, _needs, _excludes in patterns):
        wanted = [None] * len(patterns)  # an old-style pattern rebuilds the text from its groups: not read here
    return tuple((bit, string) for string, bit in bits.items()), tuple(wanted)


def regex_parser() -> Any:
    """The regular-expression parser of the `re` module (private, so looked up with care)."""
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # another Python: no pattern is passed over
        return None


_SMALL_RANGE = 32
Needs = frozenset[str] | None


def needed_strings(expression: re.Pattern[str]) -> Needs:
    """Strings of which a text must hold at least one for `expression.search` to find anything in it
    (lookarounds included: they look at the same text), or None when that cannot be said.

    Read from the parsed expression: a sequence matches only when each of its items does, so what any
    one item needs serves, and a run of items that match fixed text needs that text; alternatives
    need the union of theirs; a repeat needs its body's only when it repeats at least once; a positive
    lookaround's text is in the string too. Anything else (a negative lookaround, any character, a
    class by category, case-insensitive matching) says nothing; a sequence of such items needs nothing."""
    parser = regex_parser()
    if parser is None or expression.flags & re.IGNORECASE:
        return None
    try:
        return _sequence(parser, parser.parse(expression.pattern, expression.flags))[1]
    except Exception:  # noqa: BLE001 (a form this reading does not know: search every time)
        return None


def _sequence(parser: Any, items: Any) -> tuple[str | None, Needs]:
    """The fixed text the items always match (or None), and what they need."""
    choices: list[frozenset[str]] = []
    run: list[str] = []  # fixed text matched by the latest items, one after another
    whole = True
    for op, argument in items:
        exact, needs = _item(parser, op, argument)
        if needs is not None:
            choices.append(needs)
        if exact is None:
            whole = False
            if run:
                choices.append(frozenset(("".join(run),)))
            run = []
        else:
            run.append(exact)
    if run and "".join(run):
        choices.append(frozenset(("".join(run),)))
    return ("".join(run) if whole else None), min(choices, key=_commonness, default=None)


def _commonness(strings: frozenset[str]) -> tuple[bool, int, int, int]:
    """Without a placeholder's characters (see PLACEHOLDER_CHARACTERS), fewer alternatives, longer, then
    with fewer spaces, letters and digits: the likelier to be absent from a text, and to stay so."""
    return (any(PLACEHOLDER_CHARACTERS.intersection(string) for string in strings), len(strings),
            -min(map(len, strings)),
            sum(character == " " or character.isalnum() for string in strings for character in string))


def _item(parser: Any, op: Any, argument: Any) -> tuple[str | None, Needs]:
    """The fixed text an item always matches (or None), and what it needs."""
    if op is parser.LITERAL:
        return chr(argument), frozenset(chr(argument))
    if op is parser.IN:
        characters: set[str] = set()
        for kind, value in argument:
            if kind is parser.LITERAL:
                characters.add(chr(value))
            elif kind is parser.RANGE and value[1] - value[0] < _SMALL_RANGE:
                characters.update(map(chr, range(value[0], value[1] + 1)))
            else:  # NEGATE, CATEGORY, a wide range
                return None, None
        return None, frozenset(characters)
    if op is parser.SUBPATTERN:
        _group, add_flags, _del_flags, body = argument
        return (None, None) if add_flags & re.IGNORECASE else _sequence(parser, body)
    if op is parser.ATOMIC_GROUP:
        return _sequence(parser, argument)
    if op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
        least, most, body = argument
        exact, needs = _sequence(parser, body)
        if least < 1:
            return ("" if most == 0 else None), None
        if exact is None:
            return None, needs
        return (exact * least if least == most else None), (frozenset((exact * least,)) if exact else needs)
    if op is parser.BRANCH:
        union: set[str] = set()
        for branch in argument[1]:
            needs = _sequence(parser, branch)[1]
            if needs is None:
                return None, None
            union |= needs
        return None, frozenset(union)
    if op is parser.ASSERT:
        _direction, body = argument
        return None, _sequence(parser, body)[1]
    return None, None
