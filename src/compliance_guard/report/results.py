"""What several formats say about a run's results: the tool, the summary, where an unreadable
input's error is, the worst severity."""
from __future__ import annotations

import re
from collections import Counter

from compliance_guard import __version__
from compliance_guard.model.finding import Severity


def summary(results) -> dict:
    findings = [f for r in results for f in r.findings]
    return {
        "files": len(results),
        "findings": len(findings),
        "by_severity": dict(Counter(f.severity.value for f in findings)),
        "by_category": dict(Counter(f.category for f in findings)),
    }


def error_location(path: str, error: str) -> tuple[str, str]:
    """``(where, message)`` for an unreadable input: errors already name their file (and
    line), so text output says ``file:line: error message`` without the path twice."""
    m = re.match(rf"{re.escape(path)}(?::\d+)?: ", error)
    return (error[:m.end() - 2], error[m.end():]) if m else (path, error)


def worst_severity(results) -> Severity | None:
    return Severity.worst(f.severity for r in results for f in r.findings)


TOOL = {"tool": "compliance-guard", "version": __version__}
