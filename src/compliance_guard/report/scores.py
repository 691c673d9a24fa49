"""Text and JSON output for score, mix and campaign reports, and their exit code."""
from __future__ import annotations

import json
from typing import TextIO

from compliance_guard import __version__
from compliance_guard.model.finding import exit_status
from compliance_guard.report import advice
from compliance_guard.report.results import error_location
from compliance_guard.scoring.model import ScoreReport

FORMATS = ("text", "json")
EVIDENCE_LINES = 4


def write(reports: list[ScoreReport], out: TextIO, fmt: str, command: str, profile) -> None:
    if fmt == "json":
        json.dump(document(reports, command, profile), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for r in reports:
            write_text(r, out)


def document(reports: list[ScoreReport], command: str, profile) -> dict:
    scored = [r for r in reports if r.error is None]
    findings = [f for r in scored for f in r.findings]
    by_sev: dict[str, int] = {}
    for f in findings:
        by_sev[f.severity.value] = by_sev.get(f.severity.value, 0) + 1
    return {
        "tool": "compliance-guard", "version": __version__, "command": command,
        "profile": {"name": profile.name, "path": profile.path},
        "files": [r.to_dict() for r in reports],
        "summary": {
            "files": len(reports),
            "scores": {r.path: r.score for r in scored},
            "min_score": min((r.score for r in scored), default=None),
            "findings": len(findings), "by_severity": by_sev,
            "problems": sum(len(r.problems) for r in reports),
        },
    }


def write_text(r: ScoreReport, out: TextIO) -> None:
    if r.error is not None:
        where, message = error_location(r.path, r.error)
        out.write(f"{where}: error {message}\n")
        return
    head = f"{r.path}: {r.score}/100  ({r.kind}, profile {r.profile}"
    if r.cap is not None:
        head += f"; craft {r.quality}, capped at {r.cap} by error findings"
    if r.penalty:
        head += f"; −{r.penalty} for warnings"
    out.write(head + ")\n")
    facts = {k: v for k, v in r.facts.items() if not isinstance(v, (list, dict))}
    if facts:
        out.write("  " + ", ".join(f"{k} {v}" for k, v in facts.items()) + "\n")
    for s in r.subscores:
        if s.name == "compliance":
            continue
        score = "  n/a" if s.score is None else f"{round(s.score):>5}"
        weight = f"×{s.weight:g}" if s.applies else ""
        out.write(f"  {s.label} [{s.name}] {score} {weight}\n")
        for e in s.evidence[:EVIDENCE_LINES]:
            where = f"line {e.line}: " if e.line else ""
            out.write(f"      · {where}{e.text}" + (f" — {e.detail}" if e.detail else "") + "\n")
        if len(s.evidence) > EVIDENCE_LINES:
            out.write(f"      · … {len(s.evidence) - EVIDENCE_LINES} more (see --format json)\n")
        if s.improvement:
            out.write(f"      → {s.improvement}\n")
    if r.findings:
        out.write(f"  findings ({len(r.findings)}):\n")
        for f in r.findings:
            where = f"{r.path}:{f.line}:{f.column}" if f.field is None else f"{r.path}:{f.line} [{f.field}]"
            out.write(f"    {where}: {f.severity.value} {f.rule} {f.message}\n")
            for line in advice.lines(f.suggestions, f.source, indent="      "):
                out.write(line + "\n")
    for note in r.notes:
        out.write(f"  note: {note}\n")
    for p in r.problems:
        out.write(f"  problem: {p}\n")


def exit_code(reports: list[ScoreReport], fail_on: str = "error", min_score: int | None = None) -> int:
    """0 clean; 1 a finding at or above ``fail_on``, a score under ``min_score``, or input that
    could not be read (a whole file, or a row or key of it)."""
    failed = any(r.error is not None or r.problems for r in reports)
    below = min_score is not None and any(r.score < min_score for r in reports)
    return exit_status([f.severity for r in reports for f in r.findings], fail_on, failed or below)
