"""Formatters: each turns a list of FileResults into one output format.

Every formatter has the signature ``write(results, out, **options)``; FORMATTERS maps each
``--format`` name to one (as ``module:function``, imported when used: a run imports only the
format it writes), and the ``--format`` choices come from it. A new format is one module with
its ``write`` and one line here.
"""
from __future__ import annotations

import os
import pkgutil

FORMATTERS = {
    "text": "compliance_guard.report.text:write",
    "json": "compliance_guard.report.json_format:write",
    "sarif": "compliance_guard.report.sarif:write",
    "github": "compliance_guard.report.github:write",
    "rdjson": "compliance_guard.report.rdjson:write",
    "junit": "compliance_guard.report.junit:write",
}


def formatter(name: str):
    """The ``write`` of format ``name`` (KeyError for an unknown one)."""
    return pkgutil.resolve_name(FORMATTERS[name])


def pick(name: str, environ=None) -> str:
    """``auto``: GitHub annotations inside GitHub Actions, else text."""
    if name != "auto":
        return name
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
