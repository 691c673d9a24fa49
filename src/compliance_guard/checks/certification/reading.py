"""Reading the certificate numbers of a text once, for every rule that reads them.

The twelve number rules and the six category requirements read the same texts (a listing's
fields, a script): each family of numbers is parsed once per text and grammar and kept in the
text's view (``TextView.memo``), and a text without a number's prefix is ruled out on pass 1 of
its normalisation, or, printable ASCII (an id, a price, a licence number), without any.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from compliance_guard.checks.certification.grammar import (
    DEFAULT_GRAMMAR,
    KNOWN_KINDS,
    NUMBER_KINDS,
    TRIGGER,
    CertNumber,
    NumberGrammar,
    parsers,
)
from compliance_guard.text import lazyre
from compliance_guard.text.normalize import FILLER_CLASS
from compliance_guard.text.view import TextView

#: What pass 1 of a text holds wherever TRIGGER matches its normalised form: pass 2 only drops
#: filler between two Han characters, which of TRIGGER's branches only 食健 and 药准 span.
_PASS1_TRIGGER = lazyre.compile(rf"(?:sc|qs|jy)\s*[:\-]?\s*[0-9]|ccc|3c|食{FILLER_CLASS}*健|妆|械|药{FILLER_CLASS}*准")
#: Every branch of it holds one of these characters: looked for first, by ``re`` (3x the regex module's speed).
_TRIGGER_CHARS = re.compile("[scqj食妆械药]").search


def first_text(view: TextView) -> str:
    """Pass 1 of the view's text. Printable ASCII (an id, a price, most licence numbers) needs
    no translate: NFKC leaves it as it is, and pass 1 drops none of it and lower-cases it."""
    text = view.original
    return text.lower() if text.isascii() and text.isprintable() else view.first_text


def plain_text(view: TextView) -> str:
    """The view's plain text; printable ASCII is its pass 1 (pass 2 drops filler between Han
    characters only), with the same offsets."""
    text = view.original
    return text.lower() if text.isascii() and text.isprintable() else view.plain.text


def may_hold_numbers(view: TextView) -> bool:
    """Whether the view's plain text holds a number's prefix (TRIGGER), once per view; most
    texts are ruled out on pass 1, without being normalised."""
    found = view.memo.get("certification.trigger")
    if found is None:
        first = first_text(view)
        found = view.memo["certification.trigger"] = (_TRIGGER_CHARS(first) is not None
                                                      and _PASS1_TRIGGER.search(first) is not None
                                                      and TRIGGER.search(plain_text(view)) is not None)
    return found


def numbers_in(view: TextView, kinds: frozenset[str] = KNOWN_KINDS,
               grammar: NumberGrammar = DEFAULT_GRAMMAR) -> list[CertNumber]:
    """Numbers of ``kinds`` in the view's plain text (offsets into it). Each family of numbers
    is parsed once per view and grammar, for all the rules that read the text (the number
    rules, the category requirements): the numbers are shared, callers must not change them."""
    if not may_hold_numbers(view):
        return []
    out: list[CertNumber] = []
    for parser in parsers(kinds):
        key = (parser, id(grammar))
        hit = view.memo.get(key)
        if hit is None or hit[0] is not grammar:
            hit = view.memo[key] = (grammar, list(parser(plain_text(view), grammar)))
        out.extend(n for n in hit[1] if n.kind in kinds)
    return sorted(out, key=lambda n: (n.start, n.end))


def find_numbers(view: TextView, kinds: Iterable[str] = NUMBER_KINDS,
                 grammar: NumberGrammar = DEFAULT_GRAMMAR) -> list[CertNumber]:
    """Numbers of ``kinds`` in a text, with ``start``/``end`` mapped to its ORIGINAL text."""
    wanted = frozenset(kinds)
    if not wanted <= KNOWN_KINDS:
        unknown = wanted - KNOWN_KINDS
        raise ValueError(f"unknown certificate kind(s): {', '.join(sorted(unknown))} (known: {', '.join(NUMBER_KINDS)})")
    found = numbers_in(view, wanted, grammar)
    if not found:
        return []
    plain = view.plain
    return [replace(n, start=s, end=e) for n in found for s, e in [plain.span(n.start, n.end)]]
