"""Inline suppressions written in the copy itself.

    这款是全网最低价 cguard: disable-line ABS007
    cguard: disable-next-line ABS007, pricing -- 已核实比价截图
    <!-- cguard-disable-next-line ABS001 -->
    <!-- cguard: disable absolute-claims --> ... <!-- cguard: enable -->

``cguard:`` and ``cguard-`` spellings both work, in plain text and inside HTML/Markdown
comments. A directive names rule ids, packs or categories (none: every finding); text after
`` -- `` is a reason for the reader. ``disable-line`` covers its own line, ``disable-next-line``
the line below, ``disable``/``enable`` the text between (``enable`` with names closes only the
blocks opened with those names). Directives inside Markdown code are examples, not directives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from compliance_guard.model.finding import Finding, Severity
from compliance_guard.text.lines import LineIndex

UNUSED_RULE = "unused-suppression"
_DIRECTIVE = re.compile(
    r"(?<![\w-])cguard(?::[ \t]*|-)(disable-next-line|disable-line|disable|enable)(?![\w-])([^\r\n]*)", re.I)
_MENTION = re.compile(r"cguard", re.I)
_END = re.compile(r"-->|\*/|\s--\s|\s--$")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


@dataclass
class Directive:
    kind: str  # disable-next-line | disable-line | disable | enable
    names: frozenset[str] | None  # casefolded; None = every finding
    start: int  # span of the directive text
    end: int
    line: int
    used: int = 0
    region: tuple[int, int] | None = field(default=None)  # disable: offsets covered

    def covers(self, f: Finding) -> bool:
        return self.names is None or bool({f.rule.casefold(), f.pack.casefold(), f.category.casefold()} & self.names)


def mentioned(text: str) -> bool:
    """A cheap test before parsing: does the text name cguard at all (any case)?"""
    return _MENTION.search(text) is not None


def parse(text: str, skip: list[tuple[int, int]] = ()) -> list[Directive]:
    """Directives in ``text`` in order, ignoring those that start inside ``skip`` spans."""
    index = LineIndex(text)
    out: list[Directive] = []
    for m in _DIRECTIVE.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        rest = m.group(2)
        cut = _END.search(rest)
        end = m.start(2) + len((rest[:cut.start()] if cut else rest).rstrip())
        names = []
        for token in re.split(r"[,\s]+", rest[:cut.start()] if cut else rest):
            if not token:
                continue
            if not _NAME.fullmatch(token):
                break  # prose after the directive
            names.append(token.casefold())
        out.append(Directive(m.group(1).lower(), frozenset(names) or None, m.start(), end,
                             index.position(m.start())[0]))
    _close_blocks(out, len(text))
    return out


def _close_blocks(directives: list[Directive], length: int) -> None:
    open_blocks: list[Directive] = []
    for d in directives:
        if d.kind == "disable":
            d.region = (d.end, length)
            open_blocks.append(d)
        elif d.kind == "enable":
            closing = [b for b in open_blocks if d.names is None or (b.names is not None and b.names <= d.names)]
            for b in closing:
                b.region = (b.end, d.start)
                open_blocks.remove(b)
                d.used += 1  # an enable that closes something is in use


def apply(text: str, findings: list[Finding], directives: list[Directive], report_unused: bool = False) -> list[Finding]:
    """``findings`` without the suppressed ones; with ``report_unused``, one warning per
    directive that suppressed nothing (or an ``enable`` that closed nothing)."""
    if not directives:
        return findings
    by_line: dict[int, list[Directive]] = {}
    blocks = [d for d in directives if d.kind == "disable"]
    for d in directives:
        if d.kind == "disable-line":
            by_line.setdefault(d.line, []).append(d)
        elif d.kind == "disable-next-line":
            by_line.setdefault(d.line + 1, []).append(d)
    kept = []
    for f in findings:
        hit = next((d for d in by_line.get(f.line, ()) if d.covers(f)), None) or next(
            (d for d in blocks if d.region[0] <= f.start < d.region[1] and d.covers(f)), None)
        if hit is None:
            kept.append(f)
        else:
            hit.used += 1
    if report_unused:
        index = LineIndex(text)
        for d in directives:
            if not d.used:
                kept.append(index.locate(_unused(text, d)))
        kept.sort(key=lambda f: (f.start, f.end, f.rule))
    return kept


def _unused(text: str, d: Directive) -> Finding:
    message = ("「cguard: enable」closes no open disable block" if d.kind == "enable"
               else f"unused suppression 「{text[d.start:d.end]}」: nothing it names is found here; remove the directive")
    return Finding(rule=UNUSED_RULE, pack="cguard", category="suppression", severity=Severity.WARNING,
                   message=message, text=text[d.start:d.end], start=d.start, end=d.end,
                   source="cguard --report-unused-suppressions")
