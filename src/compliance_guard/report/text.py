"""``--format text``: ``path:line:col severity rule message``, the line with the span
underlined (CJK counted as two columns) and the suggestion. Colour only on a TTY."""
from __future__ import annotations

import unicodedata

import click

from . import error_location, formatter, summary

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


@formatter("text")
def format_text(results, out, color: bool = False, context: bool = True, **_):
    def style(s, **kw):
        return click.style(s, **kw) if color else s

    for r in results:
        if r.error is not None:
            where, message = error_location(r.path, r.error)
            out.write(f"{where}: {style('error', fg='red', bold=True)} {message}\n")
            continue
        lines = r.text.split("\n") if (context and r.text is not None) else None
        for f in r.findings:
            sev = style(f.severity.value, fg=_COLOURS[f.severity.value], bold=True)
            out.write(f"{r.path}:{f.line}:{f.column}: {sev} {style(f.rule, bold=True)} {f.message}\n")
            if lines is not None and f.line - 1 < len(lines):
                src = lines[f.line - 1]
                end_col = f.end_column if f.end_line == f.line else len(src) + 1
                pad = display_width(src[: f.column - 1])
                width = max(1, display_width(src[f.column - 1:end_col - 1]))
                out.write(f"    {src}\n    {' ' * pad}{style('^' * width, fg=_COLOURS[f.severity.value])}\n")
            if f.suggestions:
                out.write(f"    建议: {' / '.join(f.suggestions)}\n")
            if f.source:
                out.write(f"    依据: {f.source}\n")
    s = summary(results)
    if s["findings"] or any(r.error for r in results):
        by = ", ".join(f"{n} {k}" for k, n in sorted(s["by_severity"].items()))
        out.write(f"\n{s['findings']} finding(s) in {s['files']} file(s)" + (f" ({by})" if by else "") + "\n")
