"""THE 建议 (suggested rewording) and 依据 (legal source) lines under a finding, for every
output that shows them: text, JUnit, GitHub annotations, reviewdog, SARIF, score reports, the
scan page and the language server. Each keeps its own separator (``: `` or the full-width
``：``) and indentation."""
from __future__ import annotations

from collections.abc import Iterable

SUGGESTION = "建议"
SOURCE = "依据"


def advice(suggestions: Iterable[str], source: str | None) -> list[tuple[str, str]]:
    """``(label, text)`` for the suggestions (joined with `` / ``) and the source, where given."""
    suggestions = list(suggestions)
    out = []
    if suggestions:
        out.append((SUGGESTION, " / ".join(suggestions)))
    if source:
        out.append((SOURCE, source))
    return out


def lines(suggestions: Iterable[str], source: str | None, sep: str = ": ", indent: str = "") -> list[str]:
    return [f"{indent}{label}{sep}{text}" for label, text in advice(suggestions, source)]


def appended(message: str, suggestions: Iterable[str], source: str | None, sep: str = "：") -> str:
    """``message`` with the advice lines after it (one message field: annotations, diagnostics)."""
    return "".join([message, *(f"\n{line}" for line in lines(suggestions, source, sep))])
