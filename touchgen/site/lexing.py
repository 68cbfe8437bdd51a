"""Pygments' regular-expression lexers made cheaper, with the same tokens.

At each position Pygments tries the rules of the current state in order until one matches: for a
line of Python some forty rules, most of which cannot match there because they start with another
character. Here each rule's possible first characters are read from its expression once (the rule
for strings starts with a quote, the one for numbers with a digit or a dot), and at a position only
the rules that may start with the character found there are tried, in the same order. A rule whose
first character cannot be told (one that may match nothing, starts with any character or with a
back-reference) is always tried. tests/test_lexing.py compares the tokens with Pygments' own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .inline import regex_parser

Rule = tuple[Callable[..., Any], Any, Any]  # (rexmatch, action, new_state), as Pygments keeps them

_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}
_KEPT_FLAGS = re.IGNORECASE | re.ASCII | re.UNICODE  # the flags that decide what a character class matches


def _character(code: int) -> str:
    return f"\\U{code:08x}"


def _class(parser: Any, items: Any) -> str | None:
    """A class as re writes it, from its parsed items; None for a form not read here."""
    parts: list[str] = []
    for op, value in items:
        if op is parser.NEGATE:
            parts.insert(0, "^")
        elif op is parser.LITERAL:
            parts.append(_character(value))
        elif op is parser.RANGE:
            parts.append(f"{_character(value[0])}-{_character(value[1])}")
        elif op is parser.CATEGORY and str(value) in _CATEGORIES:
            parts.append(_CATEGORIES[str(value)])
        else:
            return None
    return f"[{''.join(parts)}]"


def _first(parser: Any, items: Any) -> tuple[list[str] | None, bool]:
    """The classes one of which a match of `items` starts with (None: cannot be told), and whether it
    may match nothing at all."""
    classes: list[str] = []
    for op, value in items:
        if op in (parser.AT, parser.ASSERT, parser.ASSERT_NOT):  # takes no character
            continue
        if op is parser.LITERAL:
            return [*classes, f"[{_character(value)}]"], False
        if op is parser.NOT_LITERAL:
            return [*classes, f"[^{_character(value)}]"], False
        if op is parser.IN:
            made = _class(parser, value)
            return (None if made is None else [*classes, made]), False
        if op is parser.SUBPATTERN:
            _group, add_flags, del_flags, body = value
            if add_flags or del_flags:
                return None, False
            inner, empty = _first(parser, body)
        elif op is parser.ATOMIC_GROUP:
            inner, empty = _first(parser, value)
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
            least, _most, body = value
            inner, empty = _first(parser, body)
            empty = empty or least == 0
        elif op is parser.BRANCH:
            inner, empty = [], False
            for branch in value[1]:
                found, nothing = _first(parser, branch)
                if found is None:
                    return None, False
                inner += found
                empty = empty or nothing
        else:  # any character, a back-reference, a conditional: cannot be told
            return None, False
        if inner is None:
            return None, False
        classes += inner
        if not empty:
            return classes, False
    return classes, True


def first_characters(expression: re.Pattern[str] | None) -> re.Pattern[str] | None:
    """An expression matching each character a match of `expression` can start with (it may match
    others too), or None when any may start one, or none (a match of nothing)."""
    parser = regex_parser()
    if parser is None or expression is None or not isinstance(expression.pattern, str):
        return None
    try:
        parsed = parser.parse(expression.pattern, expression.flags)
        classes, empty = _first(parser, parsed)
        if classes is None or empty:
            return None
        return re.compile("|".join(classes), parsed.state.flags & _KEPT_FLAGS)
    except Exception:  # noqa: BLE001 (a form this reading does not know: the rule is always tried)
        return None


# Reading the rules' first characters takes a while (a lexer has hundreds of rules): a state is
# lexed as Pygments does until it has been at this many positions, so that highlighting a block or
# two (a rebuild after one post was edited) costs no more than before.
WARM = 1000


class _Rules:
    """A state's rules, and for each character the rules that may match at it, in their order."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.firsts: list[re.Pattern[str] | None] = []
        self.at: dict[str, list[Rule]] = {}
        self.positions = 0

    def starting_with(self, character: str) -> list[Rule]:
        found = self.at.get(character)
        if found is None:
            if self.positions < WARM:
                self.positions += 1
                return self.rules
            if not self.firsts:
                self.firsts = [first_characters(_expression_of(rexmatch)) for rexmatch, _action, _new_state in self.rules]
            found = self.at[character] = [rule for rule, first in zip(self.rules, self.firsts)
                                          if first is None or first.match(character)]
        return found


def _expression_of(rexmatch: Callable[..., Any]) -> re.Pattern[str] | None:
    """The expression of a rule's `match` (a rule may have another function: it is always tried)."""
    expression = getattr(rexmatch, "__self__", None)
    return expression if isinstance(expression, re.Pattern) and rexmatch.__name__ == "match" else None


_STATES: dict[int, tuple[list[Rule], _Rules]] = {}


def _rules(rules: list[Rule]) -> _Rules:
    known = _STATES.get(id(rules))
    if known is None or known[0] is not rules:
        known = _STATES[id(rules)] = (rules, _Rules(rules))
    return known[1]


def get_tokens_unprocessed(self: Any, text: str, stack: tuple[str, ...] = ("root",)) -> Iterator[tuple[int, Any, str]]:
    """Pygments' RegexLexer.get_tokens_unprocessed (2.19), trying at each position only the rules
    that may start with its character."""
    from pygments.token import Error, Whitespace, _TokenType  # type: ignore[import-untyped]

    pos = 0
    tokendefs = self._tokens
    statestack = list(stack)
    state = _rules(tokendefs[statestack[-1]])
    end = len(text)
    while 1:
        for rexmatch, action, new_state in (state.starting_with(text[pos]) if pos < end else state.rules):
            m = rexmatch(text, pos)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(self, m)
                pos = m.end()
                if new_state is not None:
                    if isinstance(new_state, tuple):
                        for name in new_state:
                            if name == "#pop":
                                if len(statestack) > 1:
                                    statestack.pop()
                            elif name == "#push":
                                statestack.append(statestack[-1])
                            else:
                                statestack.append(name)
                    elif isinstance(new_state, int):
                        if abs(new_state) >= len(statestack):
                            del statestack[1:]
                        else:
                            del statestack[new_state:]
                    elif new_state == "#push":
                        statestack.append(statestack[-1])
                    else:
                        raise AssertionError(f"wrong state def: {new_state!r}")
                    state = _rules(tokendefs[statestack[-1]])
                break
        else:
            try:
                if text[pos] == "\n":
                    statestack = ["root"]
                    state = _rules(tokendefs["root"])
                    yield pos, Whitespace, "\n"
                    pos += 1
                    continue
                yield pos, Error, text[pos]
                pos += 1
            except IndexError:
                break


def make_faster() -> None:
    """Pygments' regular-expression lexers use get_tokens_unprocessed above (once per process)."""
    import pygments  # type: ignore[import-untyped]
    from pygments.lexer import RegexLexer  # type: ignore[import-untyped]

    if pygments.__version__.split(".")[0] != "2":  # the loop above is that of Pygments 2
        return
    if RegexLexer.get_tokens_unprocessed is not get_tokens_unprocessed:
        RegexLexer.original_get_tokens_unprocessed = RegexLexer.get_tokens_unprocessed
        RegexLexer.get_tokens_unprocessed = get_tokens_unprocessed
