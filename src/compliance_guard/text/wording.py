"""Suggestions that are wording (replacement text) rather than advice to the writer."""
from __future__ import annotations

import re

from compliance_guard.model.finding import Finding

# Advice, placeholders and notes: a writer must act, the text cannot be pasted in.
_ADVICE = re.compile(r"[（）()「」“”\"'…\[\]【】<>]|XX|X|\.\.\.|写明|标明|注明|标示|删除|取消|改为|核对|加注|告知")


def is_literal(suggestion: str) -> bool:
    """Whether a suggestion is replacement wording rather than advice to the writer."""
    return bool(suggestion.strip()) and not _ADVICE.search(suggestion)


def literal_suggestions(f: Finding) -> list[str]:
    return [s for s in f.suggestions if is_literal(s)]


def replacement(f: Finding) -> str | None:
    """What ``cguard fix`` puts in: the pack's fix, else the only suggestion if it is wording."""
    if f.fix:
        return f.fix
    if len(f.suggestions) == 1 and is_literal(f.suggestions[0]):
        return f.suggestions[0]
    return None
