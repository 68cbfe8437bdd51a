"""Another generator's template syntax in a post: Jekyll's Liquid ({% highlight %}, {{ page.title }})
and Hugo's shortcodes ({{< figure >}}, {{% note %}}). touchgen does not run them; it finds them, outside
code, so that a build can say where they are and the posts import can convert the common ones."""

from __future__ import annotations

import re
from collections.abc import Iterator

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(`+).+?\1")
SHORTCODE_RE = re.compile(r"\{\{[<%]\s*/?\s*([\w./-]+)[^\n]*?[>%]\}\}")
LIQUID_TAG_RE = re.compile(r"\{%-?\s*(\w+)[^\n]*?-?%\}")
# Output of Jekyll's own objects ({{ page.title }}, {{ site.baseurl }}): other braces are left alone.
LIQUID_OUTPUT_RE = re.compile(r"\{\{-?\s*((?:page|site|post|include|paginator|layout|forloop|content)\b[\w.]*)"
                              r"[^\n{}]*?-?\}\}")


def outside_code(body: str) -> Iterator[tuple[int, str]]:
    """(line number from 1, text) of each body line outside fenced code, inline code removed."""
    fence = ""
    for number, line in enumerate(body.splitlines(), start=1):
        opening = FENCE_RE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield number, INLINE_CODE_RE.sub("", line)


def foreign_syntax(body: str) -> Iterator[tuple[int, str, str]]:
    """(line, the syntax as written, what it is) for each Liquid tag or Hugo shortcode outside code."""
    if "{{" not in body and "{%" not in body:  # every kind starts so: most posts are done here
        return
    for number, line in outside_code(body):
        if "{" not in line:
            continue
        for match in SHORTCODE_RE.finditer(line):
            if re.match(r"\{\{[<%]\s*/", match.group()):  # a closing shortcode: the opening one is said
                continue
            yield number, "{{< " + match.group(1) + " >}}", "a Hugo shortcode"
        rest = SHORTCODE_RE.sub("", line)
        for match in LIQUID_TAG_RE.finditer(rest):
            if match.group(1).startswith("end"):  # the opening tag is said
                continue
            yield number, "{% " + match.group(1) + " %}", "a Liquid tag"
        for match in LIQUID_OUTPUT_RE.finditer(rest):
            yield number, "{{ " + match.group(1) + " }}", "Liquid output"
