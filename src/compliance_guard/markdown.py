"""Spans of a Markdown file that are not prose: front matter, code, URLs, link targets, HTML.

Headings, lists, tables and image alt text stay checked. Returns spans to mask; offsets are
the file's own.
"""
from __future__ import annotations

import re

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(?:\n|\Z)", re.S)
_FENCE_OPEN = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)")
_INLINE = [
    re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S),  # inline code
    re.compile(r"<!--.*?-->", re.S),  # HTML comments
    re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"),  # link / image targets: ](url "title")
    re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*\S+.*$", re.M),  # reference definitions
    re.compile(r"<(?:https?://|mailto:)[^>\s]+>"),  # autolinks
    re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"),  # HTML tags
    re.compile(r"(?:https?|ftp)://[^\s<>()（）\u3000-\u303f\uff00-\uffef]+"),  # bare URLs
]


def unchecked_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    m = _FRONT_MATTER.match(text)
    if m:
        spans.append((0, m.end()))
    pos = 0
    fence = None
    fence_start = 0
    prev_blank = True
    for line in text.split("\n"):
        end = pos + len(line)
        if pos >= (spans[0][1] if m else 0):
            if fence:
                if line.lstrip().startswith(fence):
                    spans.append((fence_start, end))
                    fence = None
            else:
                fm = _FENCE_OPEN.match(line)
                if fm:
                    fence, fence_start = fm.group(1)[0] * len(fm.group(1)), pos
                elif prev_blank and _INDENTED_CODE.match(line) and line.strip():
                    spans.append((pos, end))
                    prev_blank = False
                    pos = end + 1
                    continue
        prev_blank = not line.strip()
        pos = end + 1
    if fence:
        spans.append((fence_start, len(text)))
    for pattern in _INLINE:
        spans.extend(mt.span() for mt in pattern.finditer(text))
    return sorted(spans)
