"""Formatters: each turns a list of FileResults into one output format.

Every formatter has the signature ``write(results, out, **options)``; FORMATTERS maps each
``--format`` name to one, and the ``--format`` choices come from it. A new format is one module
with its ``write`` and one line here.
"""
from __future__ import annotations

import os

from compliance_guard.report import github, json_format, junit, rdjson, sarif, text

FORMATTERS = {
    "text": text.write,
    "json": json_format.write,
    "sarif": sarif.write,
    "github": github.write,
    "rdjson": rdjson.write,
    "junit": junit.write,
}


def pick(name: str, environ=None) -> str:
    """``auto``: GitHub annotations inside GitHub Actions, else text."""
    if name != "auto":
        return name
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
