"""touchgen's lexing loop (touchgen/site/lexing.py) gives Pygments' own tokens, token for token: real
code in the languages people write about, and text that is no language at all, for every lexer of
those languages; and what `first_characters` reads from an expression, checked against the
expression on every character it could meet."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name

from touchgen.site import lexing
from touchgen.site.lexing import first_characters

REPO = Path(__file__).resolve().parents[1]

SAMPLES = {
    "python": (REPO / "touchgen/site/lexing.py").read_text(encoding="utf-8"),
    "pycon": ">>> import re\n>>> re.match(r'a+', 'aaa')\n<re.Match object; span=(0, 3), match='aaa'>\n"
             ">>> 1/0\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
             "ZeroDivisionError: division by zero\n",
    "javascript": "const a = `x ${b + 1}`; // c\nlet re = /a[b-c]+\\//g; async function f(x = {}) {\n"
                  "  return x?.y ?? [1, 2.5e3, 0x1F, 10n].map((n) => n ** 2);\n} /* end */\nclass A extends B {}\n",
    "typescript": "interface P<T> { name: string; age?: number }\nexport const f = <T,>(x: T): T[] => [x];\n"
                  "type U = 'a' | \"b\";\nenum E { A = 1 }\n@decorator() class C implements P<number> {}\n",
    "bash": "#!/bin/bash\nset -euo pipefail\nfor f in *.md; do\n  echo \"$f: ${#f} ${f%.md}\" >> out.txt\n"
            "done\ncat <<EOF\nhere $HOME\nEOF\n[[ -n $x ]] && exit 1 || true\n",
    "console": "$ pip install touchgen\nCollecting touchgen\n$ touchgen build\nBuilt 3 posts in 0.2 s\n",
    "json": '{"a": [1, -2.5e-3, true, null], "b": {"c": "d\\"e\\u00e9"}, "f": []}\n',
    "yaml": "---\ntitle: \"A post\"\ndate: 2026-11-16\ntags: [a, b]\nlist:\n  - one\n  - two: 2\nblock: |\n  text\n"
            "anchor: &x {a: 1}\nref: *x\n# comment\n",
    "toml": "[site]\ntitle = \"My Monday Letter\"\nurl = 'https://example.com/'\n[[items]]\nn = 1_000\n"
            "when = 2026-11-16T09:00:00Z\nok = true\narr = [1, 2.5, \"x\"]\n",
    "html": "<!DOCTYPE html>\n<html lang=\"en\"><head><style>p { color: red; }</style>\n"
            "<script>let x = 1 < 2 && 3 > 2;</script></head>\n<body><!-- c --><p class=x>&amp; &#169; text</p>"
            "</body></html>\n",
    "css": "@media (prefers-color-scheme: dark) {\n  :root { --bg: #111; }\n  a:hover::after { content: \"\\201C\"; "
           "margin: 0 -1.5em calc(100% - 2px); }\n}\n/* comment */\n.x > .y + .z ~ p[data-a=\"b\"] { color: rgb(1 2 3 / 50%) }\n",
    "sql": "SELECT p.email, COUNT(*) AS n FROM people p LEFT JOIN events e ON e.person = p.id\n"
           "WHERE e.kind IN ('replied', 'booked_call') AND p.created >= '2026-01-01' -- recent\n"
           "GROUP BY p.email HAVING n > 1 ORDER BY n DESC LIMIT 10;\n/* done */\n",
    "go": "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := []int{1, 2, 3}\n\tfor i, v := range x {\n"
          "\t\tfmt.Printf(\"%d: %v\\n\", i, v)\n\t}\n\tch := make(chan string, 1)\n\tgo func() { ch <- `raw` }()\n}\n",
    "rust": "fn main() {\n    let v: Vec<u32> = (1..=10).filter(|x| x % 2 == 0).collect();\n"
            "    println!(\"{:?} {}\", v, r#\"raw \"str\"\"#);\n    let c = 'a'; let l = &'static str;\n}\n"
            "#[derive(Debug)]\nstruct S<'a> { s: &'a str }\n",
    "java": "public class A<T> extends B implements C {\n  @Override\n  public static void main(String[] args) {\n"
            "    var s = \"\"\"\n      text\"\"\";\n    char c = '\\n'; long n = 10_000L; /* c */ // d\n  }\n}\n",
    "c": "#include <stdio.h>\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\nint main(void) {\n  unsigned long x = 0xFFul;\n"
         "  printf(\"%lu\\n\", x); /* c */\n  return 0;\n}\n",
    "cpp": "#include <vector>\ntemplate <typename T> auto f(T&& x) -> decltype(x) { return std::forward<T>(x); }\n"
           "int main() { std::vector<int> v{1, 2}; auto s = R\"(raw)\"; return v[0] <=> 1 == 0; }\n",
    "ruby": "class Post < Base\n  attr_reader :title\n  def initialize(title = \"x\", **opts)\n"
            "    @title = title; $g = %w[a b]; puts \"#{@title}\" if opts[:v]\n  end\nend\n=begin\nc\n=end\n",
    "php": "<?php\nnamespace App;\nfunction f(?int $x = null): string { return \"v: {$x}\" . 'y'; }\n"
           "$a = ['k' => 1, ...$rest]; echo <<<EOT\nhere $a\nEOT;\n?>\n<p>html</p>\n",
    "diff": "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n context\n-old\n+new\n",
    "docker": "FROM python:3.11-slim AS base\nRUN apt-get update && \\\n    apt-get install -y chromium\n"
              "ENV A=1 B=\"two\"\nCOPY . /app\nCMD [\"touchgen\", \"serve\"]\n",
    "ini": "[section]\nkey = value ; comment\n# other\nname=\"quoted\"\n",
    "xml": "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>A &amp; B</title>"
           "<![CDATA[<b>x</b>]]><item a='1'/></channel></rss>\n",
    "markdown": "# Title\n\nSome *em* and **strong**, `code`, [link](http://x).\n\n```python\nprint(1)\n```\n\n- a\n- b\n",
    "html+jinja": "{% extends \"base.html\" %}\n{% block main %}{{ post.title | e }}{# c #}\n"
                  "{% for t in post.tags %}<a href=\"{{ base }}{{ t.url }}\">{{ t.name }}</a>{% endfor %}{% endblock %}\n",
    "kotlin": "data class P(val n: String, var a: Int = 0)\nfun main() { val l = listOf(1, 2).map { it * 2 }; "
              "println(\"$l ${l.size}\") }\n",
    "swift": "struct P: Codable { let n: String }\nfunc f(_ x: Int...) -> [Int] { x.map { $0 * 2 } }\n"
             "let s = \"\"\"\nmulti \\(1)\n\"\"\"\n",
    "elixir": "defmodule M do\n  def f(x) when is_integer(x), do: x |> Kernel.+(1)\n  @doc ~S\"\"\"\n  doc\n  \"\"\"\nend\n",
    "haskell": "module Main where\nmain :: IO ()\nmain = mapM_ print [x * 2 | x <- [1..10], even x] -- c\n{- block -}\n",
    "lua": "local t = {a = 1, [2] = \"b\"}\nfunction t:f(...) return #t .. [[long\nstring]] end -- c\n--[[ block ]]\n",
    "r": "x <- c(1, 2.5, NA)\nf <- function(a, ...) { if (is.na(a)) NULL else a %in% x }\n# c\n",
    "perl": "my @a = (1, 2); my %h = (k => 'v');\nprint \"$a[0] $h{k}\\n\" if $x =~ /^a+$/i;\n__END__\ntext\n",
    "powershell": "$x = Get-ChildItem -Path . | Where-Object { $_.Length -gt 1kb }\n# c\n<# block #>\n",
    "text": "Just prose, with 'quotes', \"doubles\", 3.14, #hash, @at, $dollar, ~tilde, ` backtick and ünïcödé.\n",
}
NOT_A_LANGUAGE = [
    "", "\n", "\t \t\n\n", "x", "'unterminated", "\"also", "/* open", "<<<", "}}}{{{", "\\", "é日本語🙂\u200b\r\n",
    "".join(chr(code) for code in range(32, 127)), "\x00\x01\x7f\x85\u2028\u2029",
]


@pytest.fixture(autouse=True)
def warm_at_once(monkeypatch):
    """Each state is lexed by first characters from its first position (not after lexing.WARM)."""
    monkeypatch.setattr(lexing, "WARM", 0)


def test_a_state_switches_to_first_characters_once_warm_with_the_same_tokens(monkeypatch):
    monkeypatch.setattr(lexing, "WARM", 200)
    monkeypatch.setattr(lexing, "_STATES", {})
    lexer = get_lexer_by_name("python")
    text = SAMPLES["python"][:8000]
    assert tokens(lexer, text, faster=True) == tokens(lexer, text, faster=False)
    root = lexing._rules(lexer._tokens["root"])
    assert root.positions == 200 and root.firsts and root.at  # warm within the text


def tokens(lexer: Lexer, text: str, faster: bool) -> list[tuple[int, object, str]]:
    """The lexer's tokens of `text`, with Pygments' own loop or touchgen's in every regular-expression
    lexer (a console or template lexer hands parts of the text to others)."""
    lexing.make_faster()
    original = RegexLexer.original_get_tokens_unprocessed
    RegexLexer.get_tokens_unprocessed = lexing.get_tokens_unprocessed if faster else original
    try:
        return list(lexer.get_tokens_unprocessed(text))
    finally:
        RegexLexer.get_tokens_unprocessed = lexing.get_tokens_unprocessed


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_each_language_lexes_as_pygments_lexes_it(language):
    lexer = get_lexer_by_name(language)
    rng = random.Random(language)
    texts = [*SAMPLES.values(), *NOT_A_LANGUAGE]
    texts += ["".join(rng.sample(SAMPLES[language], len(SAMPLES[language]))) for _ in range(3)]  # shuffled
    texts += [SAMPLES[language][:cut] for cut in rng.sample(range(len(SAMPLES[language])), 5)]  # cut anywhere
    for text in texts:
        assert tokens(lexer, text, faster=True) == tokens(lexer, text, faster=False), (language, text[:60])


def test_the_highlighted_html_of_a_post_is_pygments_own():
    """codehilite through touchgen's Renderer, which puts the loop in place, gives the HTML it gives
    with Pygments' own loop."""
    from touchgen.site.markdown import Renderer

    renderer = Renderer()
    assert RegexLexer.get_tokens_unprocessed is lexing.get_tokens_unprocessed
    text = "".join(f"```{language}\n{code}\n```\n\n" for language, code in SAMPLES.items() if language != "text")
    faster = renderer.render(text)
    RegexLexer.get_tokens_unprocessed = RegexLexer.original_get_tokens_unprocessed
    try:
        assert faster == renderer.render(text)
    finally:
        RegexLexer.get_tokens_unprocessed = lexing.get_tokens_unprocessed
    assert faster.count('<div class="highlight">') == len(SAMPLES) - 1


EXPRESSIONS = [
    r"\d+", r"[a-z_]\w*", r"'[^']*'", r"(?i)select\b", r"(?=x)x|y", r"(?<=a)b", r"\s*x", r"a?b", r"(a|bc)+d",
    r"(?:a|)b", r"[^\n]+", r"\b(if|else)\b", r"#.*$", r"(?s).", r"(\w+)\1", r"x*", r"(?:)", r"(?i:a)b",
    r"[\W\d]", r"\\[nrt]", r"(?>ab)c", r"a++", r"[À-ÿ]+", r"(?a)\w", r"(?a)\W", r"(?a)[^\w]", r"\$\{", r"(?x) a b # comment", r"[^\S\n]+",
    r"(?!abc)\w+", r"(a)?(?(1)b|c)", r"0[xX][0-9a-fA-F]+", r"(?i)[a-c]", r"(?m)^\s*#", r"\A\w", r"\Z",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_first_characters_holds_every_character_a_match_starts_with(expression):
    compiled = re.compile(expression)
    first = first_characters(compiled)
    if compiled.match("") is not None:  # matches nothing: always tried
        assert first is None
    if first is None:
        return
    texts = [chr(code) + rest for code in [*range(0x2ff), 0x131, 0x17f, 0x212a, 0x1f642]
             for rest in ("", "abc", "x", "b", "c", "d", " x", "elect", "bc", "1", "{")]
    for text in texts:
        if compiled.match(text) is not None:
            assert first.match(text[0]) is not None, (expression, text)
