"""Spans of a Markdown file that are not prose: front matter, code, URLs, link targets, HTML
tags and comments, table pipes.

What a reader sees stays checked: headings, list items, table cells, emphasis, link text, image
alt text (also ``alt``/``title`` of HTML tags) and link titles. Returns spans to mask; offsets
are the file's own. This is a line scanner tuned to copy written in Markdown, not a full
CommonMark parser; where the two could disagree it leaves text checked rather than hide it.
"""
from __future__ import annotations

import re

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(?:\n|\Z)", re.S)
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TABLE_DELIM = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_NOT_BLANK_LINE = r"(?:(?!\n[ \t]*\n)[\s\S])"
_INLINE_CODE = re.compile(rf"(?<!`)(`+)(?!`){_NOT_BLANK_LINE}+?(?<!`)\1(?!`)")
_COMMENT = re.compile(r"<!--[\s\S]*?(?:-->|\Z)")
_RAW_ELEMENT = re.compile(r"<(script|style)\b[^>]*>[\s\S]*?</\1\s*>", re.I)
# ](destination "title") and ](<destination>): the destination and brackets, not the title
_LINK_TARGET = re.compile(r"""\]\((?:<[^>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)""")
_LINK_CLOSE = re.compile(r"""\]\((?:<[^>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"""
                         r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*(\))""")
_REF_LABEL = re.compile(r"\]\[[^\]\n]*\]")  # [text][label]
_REF_DEF = re.compile(r"""^[ ]{0,3}\[[^\]\n]+\]:[ \t]*(?:<[^>\n]*>|\S+)""", re.M)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s(?:[^<>\"']|\"[^\"]*\"|'[^']*')*)?/?>")
_SHOWN_ATTR = re.compile(r"""\s(?:alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
# URLs are ASCII (non-ASCII is percent-encoded); Chinese text right after a URL is prose
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_URL_TRAILING = ".,;:!?'*"


def unchecked_spans(text: str) -> list[tuple[int, int]]:
    """Sorted (start, end) spans of ``text`` that are not checked."""
    spans: list[tuple[int, int]] = []
    body = 0
    m = _FRONT_MATTER.match(text)
    if m:
        spans.append((0, m.end()))
        body = m.end()
    blocks = _blocks(text, body)
    spans += blocks["code"]
    spans += blocks["table"]
    inline_text = _blank(text, spans)  # inline rules never see code or front matter
    inline = _inline_code(inline_text)
    spans += inline
    inline_text = _blank(inline_text, inline)
    for mt in _COMMENT.finditer(inline_text):
        spans.append(mt.span())
    for mt in _RAW_ELEMENT.finditer(inline_text):
        spans.append(mt.span())
    for mt in _LINK_TARGET.finditer(inline_text):
        spans.append(mt.span())
    for mt in _LINK_CLOSE.finditer(inline_text):
        spans.append(mt.span(1))
    for pattern in (_REF_LABEL, _REF_DEF, _AUTOLINK):
        spans.extend(mt.span() for mt in pattern.finditer(inline_text))
    for mt in _TAG.finditer(inline_text):
        spans.extend(_tag_without_shown_attrs(mt))
    for mt in _URL.finditer(inline_text):
        s, e = mt.span()
        while e > s and (inline_text[e - 1] in _URL_TRAILING or inline_text[e - 1] == ")"
                         and inline_text[s:e].count("(") < inline_text[s:e].count(")")):
            e -= 1
        spans.append((s, e))
    return sorted(spans)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Front matter, fenced, indented and inline code: where a ``cguard:`` directive is an
    example, not an instruction."""
    m = _FRONT_MATTER.match(text)
    spans = [(0, m.end())] if m else []
    spans += _blocks(text, m.end() if m else 0)["code"]
    spans += _inline_code(_blank(text, spans))
    return sorted(spans)


def _blocks(text: str, body: int) -> dict[str, list[tuple[int, int]]]:
    """Fenced and indented code blocks, and the pipes and delimiter rows of tables."""
    code: list[tuple[int, int]] = []
    table: list[tuple[int, int]] = []
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    fence = None
    fence_start = 0
    prev_blank = True
    in_list = False
    indented_start = None
    in_table = False
    for i, line in enumerate(lines):
        pos, end = starts[i], starts[i] + len(line)
        if pos < body:
            continue
        blank = not line.strip()
        if fence:
            close = line.strip()
            if close and set(close) == {fence[0]} and len(close) >= len(fence):
                code.append((fence_start, end))
                fence = None
            continue
        if indented_start is not None:
            if blank or _INDENTED.match(line):
                if not blank:
                    code[-1] = (indented_start, end)
                continue
            indented_start = None
        fm = _FENCE_OPEN.match(line)
        if fm and not (fm.group(1)[0] == "`" and "`" in line[fm.end():]):
            fence, fence_start = fm.group(1), pos
            prev_blank = False
            continue
        if prev_blank and not in_list and not in_table and _INDENTED.match(line) and not blank:
            indented_start = pos
            code.append((pos, end))
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif not blank and not line[:1].isspace() and prev_blank:
            in_list = False
        if in_table and (blank or "|" not in line):
            in_table = False
        if not in_table and "|" in line and i + 1 < len(lines) and _is_delimiter_row(lines[i + 1]):
            in_table = True
        if in_table:
            if _is_delimiter_row(line):
                table.append((pos, end))
            else:
                table += [(pos + j, pos + j + 1) for j, c in enumerate(line)
                          if c == "|" and (j == 0 or line[j - 1] != "\\")]
        prev_blank = blank
    if fence:
        code.append((fence_start, len(text)))
    return {"code": code, "table": table}


def _is_delimiter_row(line: str) -> bool:
    return "|" in line and "-" in line and _TABLE_DELIM.match(line) is not None


def _inline_code(text: str) -> list[tuple[int, int]]:
    return [mt.span() for mt in _INLINE_CODE.finditer(text)]


def _blank(text: str, spans) -> str:
    """``text`` with ``spans`` replaced by NULs, same length, so later patterns skip them."""
    if not spans:
        return text
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            if chars[i] != "\n":
                chars[i] = "\0"
    return "".join(chars)


def _tag_without_shown_attrs(mt: re.Match) -> list[tuple[int, int]]:
    """An HTML tag's span minus the values of ``alt`` and ``title``, which readers see."""
    s, e = mt.span()
    cuts = []
    for am in _SHOWN_ATTR.finditer(mt.group(0)):
        g = 1 if am.group(1) is not None else 2
        cuts.append((s + am.start(g), s + am.end(g)))
    out, pos = [], s
    for cs, ce in cuts:
        if cs > pos:
            out.append((pos, cs))
        pos = ce
    if pos < e:
        out.append((pos, e))
    return out
