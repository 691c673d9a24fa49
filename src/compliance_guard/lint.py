"""Check documents and paths with an engine: the library behind ``cguard check``."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Iterable

from .documents import Document, DocumentError, from_text, iter_paths, read_path
from .engine import Engine
from .findings import Finding, LineIndex


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    text: str | None = None  # the decoded text, for formatters that show context


def check_document(engine: Engine, doc: Document, errors: list[str] | None = None) -> list[Finding]:
    findings = engine.check_unlocated(doc.check_text, errors)
    index = LineIndex(doc.text)
    for f in findings:
        f.text = doc.text[f.start:f.end]
        index.locate(f)
    return findings


def check_paths(engine: Engine, paths: Iterable[str], stdin_name: str = "-",
                errors: list[str] | None = None) -> list[FileResult]:
    """One FileResult per input file; unreadable files carry an error, the rest go on."""
    from .documents import decode

    results: list[FileResult] = []
    for path in iter_paths(paths):
        try:
            if str(path) == "-":
                doc = from_text(stdin_name, decode(sys.stdin.buffer.read(), stdin_name))
            else:
                doc = read_path(path)
        except DocumentError as exc:
            results.append(FileResult(str(path), error=str(exc)))
            continue
        results.append(FileResult(doc.path, check_document(engine, doc, errors), text=doc.text))
    return results
