"""The file runner: check documents and paths with an engine (the library behind ``cguard check``)."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compliance_guard.engine import Engine
from compliance_guard.load.documents import DocumentError, from_text, iter_paths, read_path
from compliance_guard.model.document import Document
from compliance_guard.model.finding import Finding
from compliance_guard.model.finding import exit_status as exit_status_of
from compliance_guard.run.engines import EngineSet
from compliance_guard.text.lines import LineIndex

if TYPE_CHECKING:
    from compliance_guard.load.config import Config


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    text: str | None = None  # the decoded text, for formatters that show context
    fail_on: str | None = None  # a per-file override of --fail-on from the config
    warnings: list[str] = field(default_factory=list)  # why the file is not fully checked (exit 1)


def check_document(engine: Engine, doc: Document, errors: list[str] | None = None,
                   report_unused: bool = False) -> list[Finding]:
    """Located findings of ``doc`` with its inline suppressions applied."""
    from compliance_guard.run import suppressions

    findings = engine.check_unlocated(doc.check_text, errors)
    index = LineIndex(doc.text)
    for f in findings:
        f.text = doc.text[f.start:f.end]
        index.locate(f)
    if suppressions.mentioned(doc.text):
        skip = []
        if doc.kind == "markdown":
            from compliance_guard.load.markdown import code_spans
            from compliance_guard.text.lines import lf_text

            skip = code_spans(lf_text(doc.text))
        directives = suppressions.parse(doc.text, skip)
        findings = suppressions.apply(doc.text, findings, directives, report_unused)
    return findings


def check_paths(engine: Engine, paths: Iterable[str], stdin_name: str = "-", config: Config | None = None,
                report_unused: bool = False, matched: set[str] | None = None) -> list[FileResult]:
    """One FileResult per input file; unreadable files carry an error, files not fully checked
    (a pattern timed out) warnings, and the rest go on.

    With a ``config``: its ``include`` globs choose the files found in directories, ``exclude``
    drops files (named ones too, so pre-commit's file lists obey it) and ``per-file`` entries
    pick the rules and the fail-on level of the files they match. ``matched`` collects the
    include globs that chose a file (select_paths)."""
    from compliance_guard.load.documents import MAX_SIZE, decode, read_limited

    limit = config.max_size if config is not None else MAX_SIZE
    engines = EngineSet(engine, config)
    results: list[FileResult] = []
    for path in select_paths(paths, config, stdin_name, matched):
        file_engine, fail_on = engines.for_path(stdin_name if str(path) == "-" else path)
        try:
            if str(path) == "-":
                doc = from_text(stdin_name, decode(read_limited(sys.stdin.buffer, stdin_name, limit), stdin_name))
            else:
                doc = read_path(path, limit)
        except DocumentError as exc:
            results.append(FileResult(str(path), error=str(exc)))
            continue
        problems: list[str] = []
        findings = check_document(file_engine, doc, problems, report_unused)
        results.append(FileResult(doc.path, findings, text=doc.text, fail_on=fail_on, warnings=problems))
    return results


def select_paths(paths: Iterable[str], config: Config | None = None, stdin_name: str = "-",
                 matched: set[str] | None = None):
    """The files to check: directories expanded (by ``include`` globs when the config has
    them, else by suffix), then anything matching ``exclude`` dropped. The include globs that
    chose a file are added to ``matched``, so that a glob that matches nothing can be told."""
    want = None
    if config is not None and config.include:
        def want(path) -> bool:
            globs = config.included_by(path)
            if matched is not None:
                matched.update(globs)
            return bool(globs)

    for path in iter_paths(paths, want=want):
        name = stdin_name if str(path) == "-" else path
        if config is None or not config.excluded(name):
            yield path


def exit_status(results: list[FileResult], fail_on: str) -> int:
    """1 when a file could not be read or fully checked, or has a finding at or above its
    fail-on level (its per-file one, else ``fail_on``)."""
    failed = any(r.error or r.warnings for r in results)
    return max([exit_status_of([f.severity for f in r.findings], r.fail_on or fail_on, failed) for r in results],
               default=int(failed))
