"""``--format github``: GitHub Actions workflow commands, one annotation per finding:

    ::error file=a.md,line=3,endLine=3,col=5,endColumn=10,title=ABS001 最X 最高级::「最好」是…

Data is escaped (``%``, CR, LF) and so are properties (also ``:`` and ``,``). Columns are
UTF-16 code units, the unit GitHub's runner and pages count in.
"""
from __future__ import annotations

import os
from pathlib import Path

from compliance_guard.report import advice
from compliance_guard.report.columns import Columns

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str) -> str:
    """Paths relative to the workspace, which is what GitHub matches annotations against."""
    p = Path(path)
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if p.is_absolute() and workspace:
        try:
            return p.relative_to(Path(workspace)).as_posix()
        except ValueError:
            pass
    return p.as_posix()


def command(kind: str, message: str, **props) -> str:
    fields = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{kind}{' ' + fields if fields else ''}::{escape_data(message)}"


def write(results, out, rules=(), **_):
    titles = {r.id: r.title for r in rules or ()}
    for r in results:
        path = annotation_path(r.path)
        if r.error is not None:
            out.write(command("error", r.error, file=path, title="cguard: file not checked") + "\n")
            continue
        for w in r.warnings:
            out.write(command("warning", w, file=path, title="cguard: file not fully checked") + "\n")
        cols = Columns(r.text, "utf16")
        for f in r.findings:
            message = advice.appended(f.message, f.suggestions, f.source)
            title = f"{f.rule} {titles[f.rule]}" if titles.get(f.rule) else f.rule
            out.write(command(_COMMAND[f.severity.value], message, file=path, line=f.line, endLine=f.end_line,
                              col=cols.start(f), endColumn=cols.end(f), title=title) + "\n")
