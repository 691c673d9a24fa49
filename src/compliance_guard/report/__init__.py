"""Formatters: each turns a list of FileResults into one output format.

Every formatter has the signature ``format(results, out, **options)`` and is registered in
FORMATTERS under its ``--format`` name.
"""
from __future__ import annotations

import re
from collections import Counter

from compliance_guard import __version__
from compliance_guard.model.finding import Severity

FORMATTERS: dict = {}


def formatter(name: str):
    def deco(fn):
        FORMATTERS[name] = fn
        return fn

    return deco


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
    sevs = [f.severity for r in results for f in r.findings]
    return max(sevs, key=lambda s: s.rank) if sevs else None


TOOL = {"tool": "compliance-guard", "version": __version__}

from compliance_guard.report import github, json_format, junit, rdjson, sarif, text  # noqa: E402,F401  (register the built-in formatters)


def pick(name: str, environ=None) -> str:
    """``auto``: GitHub annotations inside GitHub Actions, else text."""
    import os

    if name != "auto":
        return name
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
