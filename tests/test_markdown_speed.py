"""touchgen's Renderer, with its cheaper parts (the inline processors of touchgen/site/inline.py, toc's
treeprocessor, the block quote and heading processors), gives the HTML of Python-Markdown as it comes,
byte for byte: tricky markdown, and 1,500 generated snippets (fixed seed), each rendered by both.
Also what `needed_strings` reads from an expression, checked against the expression itself."""

from __future__ import annotations

import random
import re

import markdown
import pytest

from touchgen.site.inline import needed_strings
from touchgen.site.markdown import Renderer, _Accessible
from touchgen.site.renderers import EXTENSION_CONFIGS, EXTENSIONS

CASES = {
    "emphasis": "***a**b* and ***a*b** and **a *b* c** and *a **b** c* and ****x**** and *a*b*c* and **a**b**",
    "underscores": "_a_b_ and snake_case_name and __dunder__ and _a __b__ c_ and a_b_ and ___x___ and _ x _",
    "unclosed": "*a and **b and _c and `d and [e and <f and &g and \\",
    "escapes": r"\*not em\* \_not\_ \`tick\` \[not link\] \\*em*\\ \# \> \! \< \& \{ \} \. \- \+",
    "code spans": "`a` ``b ` c`` ```d``` `` `e` `` \\`f` `*g*` `<b>` `&amp;` `\\` x` and ` `` ` and `a``b`",
    "autolinks": "<http://x> <https://example.com/a?b=1&c=2> <mailto:a@b.c> <a@b.c> <ftp://x/y> < http://no>",
    "raw html": 'a <b>bold</b> <span class="x">*em inside*</span> <!-- comment --> <br/> <?pi?> <![CDATA[x]]> a<b',
    "entities": "&amp; &lt; &copy; &#169; &#xA9; &nbsp; &bogus; & alone &; &#; AT&T",
    "smart quotes": """"*a*" '[x](y)' "`c`" 'quoted' "double" it's '90s rock'n'roll "a 'b' c" ''' \"\"\" """,
    "smart dashes": "a -- b --- c ---- d ... e .... f -- *em* -- `code` -- \"--\" '--'",
    "quotes by markup": """**"strong"** _'em'_ "[link](http://x)" '<b>x</b>' "&amp;" '&#8211;'x "<a@b.c>" """,
    "links": "[a](http://x \"title\") [b](<url with spaces>) [c][ref] [d][] [e] ![img](i.png) ![i][ref] [[x]](y) "
             "[a *b* `c`](d) [x](y(z)) [x](y \"t\" ) [x]( y )\n\n[ref]: http://r \"R\"\n[e]: http://e",
    "footnotes": "Text[^1] and more[^note] and [^missing] and *em[^1]*.\n\n[^1]: One *with* `code`.\n"
                 "[^note]: A note\n    on two lines with a [link](http://x).",
    "table": "| *a* | `b` | [c](d) |\n|---|:-:|--:|\n| **e** | f\\|g | \"h\" |\n| | --- | 'i' |",
    "heading code": "# Heading with `code`\n\n## *Em* & \"quotes\" -- dash\n\n### [Link](x) heading\n\n"
                    "## Heading with `code`\n\n#### <b>html</b> heading",
    "nested lists": "1. one *a*\n2. two\n    - nested `b`\n    - [c](d)\n        1. deep \"e\"\n3. three\n\n"
                    "* x\n* y\n\n    para in item\n\n- z",
    "line breaks": "line one  \nline two\\\nline three   \n*em*  \n`code`  ",
    "blockquote": "> quote *a*\n> \"b\" -- c\n>\n> > nested `d`",
    "fenced code": "```python\ndef f(x):\n    return \"*x*\" if x else '_y_'\n```\n\n~~~\n<b>raw</b> & x\n~~~",
    "mixed": "A *b* **c** `d` [e](f) <g@h.i> &j; \\k 'l' \"m\" n -- o... p_q_r *s_t* __u*v*__ ![w](x) [^1]\n\n"
             "[^1]: y",
    "toc marker": "# A\n\n[TOC]\n\n## B `c`\n\n  [TOC]  \n\nnot [TOC] alone\n\n    [TOC]\n\n> [TOC]\n\n- [TOC]\n\n# [TOC]",
    "toc marker in markup": "*[TOC]*\n\n[TOC] *x*\n\n`[TOC]`\n\n[[TOC]](x)",
    "hashes and quotes": "a # b\n#c\n\\#d\n   # e\n\n    # code\n\nx > y\n> z\n\n   > q\n    > not quote\n\n#\n\n>\n\n#######",
    "heading names": "# Same\n\n## Same\n\n### Same_1\n\n#\n\n##   \n\n## Trailing spaces   ##\n\nSetext  here\n======\n\n"
                     "## Q&A\n\n## a > b\n\n## Ünïcødé naïve café\n\n## It's \"quoted\"\n\n## back\\\\slash \\*x\\*\n\n"
                     "## tab\there\n\n## [^1] note\n\n## &copy; 2026\n\n## Same\n\n[^1]: n",
    "definitions within a paragraph": "A paragraph long enough to be more than a line of text before it,\n"
                                      "[ref]: http://r \"R\"\n[^n]: the note\nand [ref] and [x][ref] and a note[^n].\n\n"
                                      "Text then a rule\n***\n\nText then\n---\n\nA long first row of a table | b\n--- | ---\n1 | 2",
    "html blocks": "<div class=\"x\">\n*not md*\n</div>\n\ntext <b>x</b>\n\n<!-- a comment -->\n\n<p>para</p>\n\n<hr>\n\n"
                   "<script>if (a < b) {}</script>\n\n<div markdown=\"1\">*x*</div>\n\n  <section>\nindented\n</section>",
    "blank line of one space": "a\n \nb\n\n- x\n \n- y",
    "whitespace": "a  \n   \n\t\n b\r\n \r\nc \r   \n\n\x02x\x03 \\* \\_ [x](\\*y) ![\\*](z \"\\*t\") `\\*` \t \n  \n",
    "emphasis runs": "*a* **b** *c **d** e* **f *g* h** *i**j* **k*l** _m_ __n__ _o *p* q_ *r _s_ t* a*b*c "
                     "a**b**c a_b_c *x _y* z_ **x __y** z__ * a * ** b ** *a\n*b* *`c`* **[d](e)** *a*\n\n*a** "
                     "*abc_* d* e **a__** b** c",
    "an escape in code inside emphasis": "**``\\*`* ```*",
    "emphasis after a part-used run": "**__a___._***a**_ and ***a** b* c",
    "placeholder lookalikes": "\u0002klzzwxh:0000\u0003 and \u0002 and \u0003 and klzzwxh:12 *a*",
}

# Pieces that inline patterns match, half-match or are blocked by, for the generated snippets.
PIECES = ["*", "**", "***", "_", "__", "`", "``", "\\", "\\*", "\\_", "\\`", "[", "]", "(", ")", "[a]", "[a](b)",
          "![i](j)", "[^1]", "<", ">", "<b>", "</b>", "<http://x>", "<a@b.c>", "&", "&amp;", "&#8211;", "&x;", "'",
          '"', "--", "---", "...", "  \n", "\n", "\n\n", " ", " ", " ", "a", "word", "x_y", "é", "!", "|", "-", "1.",
          "#", "> ", "'s", "90s", "\t"]

# Emphasis above all: runs of both delimiters beside words, spaces, punctuation and other markup.
EMPHASIS_PIECES = ["*", "**", "***", "_", "__", "___", "a", "word", " ", " ", " ", "\n", ".", ",", "`x`", "[l](u)", "é",
                   "'", "-", "\\*", "<b>", "1"]


class Plain:
    """Python-Markdown as it comes, with touchgen's extensions and settings: none of its speedups."""

    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=[*EXTENSIONS, _Accessible()], extension_configs=EXTENSION_CONFIGS,
                                    output_format="html")
        own = [type(processor).__name__ for processor in self.md.treeprocessors
               if not type(processor).__module__.startswith("markdown.")]
        assert own == ["_HeaderCellsWithText"]  # _Accessible's, which is not a speedup

    def render(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(text)


@pytest.fixture(scope="module")
def renderers() -> tuple[Renderer, Plain]:
    cheap = Renderer()
    assert [type(processor).__name__ for processor in cheap._md.treeprocessors
            if not type(processor).__module__.startswith("markdown.")] == [
        "_Inline", "_Inline", "_Toc", "_Unescape", "_HeaderCellsWithText"]
    assert {type(processor).__name__ for processor in cheap._md.parser.blockprocessors} >= {
        "_CheaperBlockQuoteProcessor", "_CheaperHashHeaderProcessor", "_CheaperSetextHeaderProcessor",
        "_CheaperHRProcessor", "_CheaperTableProcessor", "_CheaperFootnoteBlockProcessor", "_CheaperReferenceProcessor"}
    return cheap, Plain()


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_tricky_markdown_renders_as_python_markdown_does(renderers, text):
    cheap, plain = renderers
    expected = plain.render(text)
    assert "klzzwxh" not in expected.replace("klzzwxh:0000", "").replace("klzzwxh:12", "")
    assert cheap.render(text) == expected
    assert cheap._md.toc_tokens == plain.md.toc_tokens
    if "[TOC]" in text:  # else touchgen's table is left empty (it is not used)
        assert cheap._md.toc == plain.md.toc


def test_a_processor_registered_later_is_used():
    """The processors' order is kept between documents (markdown._Kept) until a registry changes."""
    from markdown.postprocessors import Postprocessor

    class Shout(Postprocessor):
        def run(self, text: str) -> str:
            return text.upper()

    renderer = Renderer()
    assert renderer.render("*a*") == "<p><em>a</em></p>"
    renderer._md.postprocessors.register(Shout(renderer._md), "shout", 1)
    assert renderer.render("*a*") == "<P><EM>A</EM></P>"
    renderer._md.postprocessors.deregister("shout")
    assert renderer.render("*a*") == "<p><em>a</em></p>"


@pytest.mark.parametrize("seed", [20260105, 20261206])
def test_generated_markdown_renders_as_python_markdown_does(renderers, seed):
    cheap, plain = renderers
    rng = random.Random(seed)
    for _ in range(1500):
        pieces = PIECES if seed == 20260105 else EMPHASIS_PIECES
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        text += "\n\n[a]: http://a\n[^1]: note *n*\n" if rng.random() < 0.3 else ""
        assert cheap.render(text) == plain.render(text), text


@pytest.mark.parametrize("expression, needed", [
    (r"\*|_", {"*", "_"}),
    (r"(?<!\!)\[", {"["}),
    (r"\!\[", {"!["}),
    (r"  \n", {"  \n"}),
    (r"(?<!\.)\.{3}(?!\.)", {"..."}),
    (r"(?<=[^\ \t])'(?!\s)", {"'"}),
    (r"(\s|&nbsp;|--)'(?=\w)", {"'"}),
    (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", {"\\\\", "`"}),  # two backslashes before a backtick, or one
    (r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", {"<"}),  # "://" holds a placeholder's ":"
    (r"a(?:bc)d", {"abcd"}),
    (r"a(?=[x-z])", {"a"}),
    (r"(?=[x-z])\w", {"x", "y", "z"}),
    (r"x?y*", None),  # matches the empty string
    (r"[^a]b", {"b"}),
    (r"[^a]", None),
    (r".\d", None),
    (r"(?i)a", None),  # "A" matches too
    (r"(?i:a)b", {"b"}),
    (r"(?!a)b|c", {"b", "c"}),
    (r"(?!a)", None),
    (r"(a|)b", {"b"}),
    (r"(a|)", None),
    (r"(?:ab){2,}", {"abab"}),
    (r"(?:a[bc]){2}", {"a"}),
    (r"(?:ab){0,2}c", {"c"}),
    (r"a{0}b", {"b"}),
])
def test_needed_strings_are_read_from_the_expression(expression, needed):
    assert needed_strings(re.compile(expression)) == (None if needed is None else frozenset(needed))


def test_every_text_with_a_match_holds_a_needed_string():
    rng = random.Random(7)
    expressions = [re.compile(pattern) for pattern in (
        r"\*|_", r"(?<!\!)\[", r"\!\[", r"(?<=[^\ \t])'(?!\s)", r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)",
        r"(?=[x-z])\w", r"(?:ab){2,}", r"(?i:a)b", r"a(?:bc)d", r"(?<!\.)\.{3}(?!\.)", r"  \n", r"(?:a[bc]){2}")]
    pieces = [*"abcdAB*_['`\\xyz \t\n!.", "ab", "abc", "bc", "..", "  ", "\\\\", "!["]
    for expression in expressions:
        needed = needed_strings(expression)
        assert needed
        matched = 0
        for _ in range(3000):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
            if expression.search(text) is not None:
                matched += 1
                assert any(string in text for string in needed), (expression.pattern, text)
        assert matched > 10, expression.pattern  # the check above ran
