"""``--format text``: ``path:line:col severity rule message``, the line (a window of it around
the span) with the span underlined (CJK counted as two columns) and the suggestion. Colour only
on a TTY."""
from __future__ import annotations

import unicodedata

import click

from compliance_guard.report import advice
from compliance_guard.report.results import error_location, summary
from compliance_guard.text.lines import LineIndex

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
AROUND = 40  # characters of the line shown either side of a finding
SPAN = 80  # characters of a long finding underlined


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def write(results, out, color: bool = False, context: bool = True, **_):
    def style(s, **kw):
        return click.style(s, **kw) if color else s

    for r in results:
        if r.error is not None:
            where, message = error_location(r.path, r.error)
            out.write(f"{where}: {style('error', fg='red', bold=True)} {message}\n")
            continue
        lines = LineIndex(r.text) if (context and r.text is not None) else None
        for f in r.findings:
            sev = style(f.severity.value, fg=_COLOURS[f.severity.value], bold=True)
            out.write(f"{r.path}:{f.line}:{f.column}: {sev} {style(f.rule, bold=True)} {f.message}\n")
            if lines is not None and f.line <= len(lines):
                shown, pad, width = excerpt(lines.line(f.line), f.column - 1,
                                            f.end_column - 1 if f.end_line == f.line else None)
                out.write(f"    {shown}\n    {' ' * pad}{style('^' * width, fg=_COLOURS[f.severity.value])}\n")
            for line in advice.lines(f.suggestions, f.source, indent="    "):
                out.write(line + "\n")
        for message in r.warnings:
            out.write(f"{r.path}: {style('warning', fg='yellow', bold=True)} {message}\n")
    s = summary(results)
    if s["findings"] or any(r.error or r.warnings for r in results):
        by = ", ".join(f"{n} {k}" for k, n in sorted(s["by_severity"].items()))
        partial = sum(1 for r in results if r.warnings)
        out.write(f"\n{s['findings']} finding(s) in {s['files']} file(s)" + (f" ({by})" if by else "")
                  + (f"; {partial} file(s) not fully checked" if partial else "") + "\n")


def excerpt(line: str, start: int, end: int | None) -> tuple[str, int, int]:
    """The part of ``line`` shown under a finding at ``[start, end)`` (``end`` None: to the end
    of the line): at most ``AROUND`` characters either side and ``SPAN`` of the span itself,
    cut ends marked with …, so a long line (a one-line file of megabytes) is not printed once
    per finding. Returns the excerpt and the caret's indent and width in columns."""
    end = len(line) if end is None else min(end, len(line))
    shown_end = min(end, start + SPAN)
    lo, hi = max(0, start - AROUND), min(len(line), shown_end + AROUND)
    head = "…" if lo > 0 else ""
    tail = "…" if hi < len(line) else ""
    pad = display_width(head + line[lo:start])
    width = max(1, display_width(line[start:shown_end]))
    return head + line[lo:hi] + tail, pad, width
