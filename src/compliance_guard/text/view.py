"""One text and the forms that rule kinds and checks read, each made once.

The engine makes a TextView per text it checks and hands the same one to every rule kind and
structured check: the normalised text with its offset map (repeat characters collapsed as the
packs ask), the same without collapsing (certificate numbers), the one-for-one fold that keeps
offsets (prices), and the line index. Each is computed on first use from one pass-1
translation, so no check normalises the text again. A listing's fields get one TextView each.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from compliance_guard.text.lines import LineIndex
from compliance_guard.text.normalize import Normalized, first_pass, fold_one_to_one, normalize


class TextView:
    def __init__(self, original: str, collapse: str = "", repair: Callable[[Normalized], Normalized] | None = None):
        self.original = original
        self.collapse = collapse
        self._repair = repair  # the engine's disguise repair (text.phonetic), for what rules match
        self.memo: dict = {}  # what checks derive from this text once and share (its certificate numbers)

    @functools.cached_property
    def _first(self):
        return first_pass(self.original)

    @property
    def first_text(self) -> str:
        """Pass 1 alone (one translate): pass 2 only drops characters, so what pass 1 lacks the
        normalised forms lack too, and a check can rule a text out without normalising it."""
        return self._first[0]

    @functools.cached_property
    def _collapsed(self) -> Normalized:
        return normalize(self.original, self.collapse, self._first)

    @functools.cached_property
    def norm(self) -> Normalized:
        """Normalised, with the pack-declared repeats collapsed (最最最好 -> 最好): what rules match."""
        return self._repair(self._collapsed) if self._repair is not None else self._collapsed

    @functools.cached_property
    def plain(self) -> Normalized:
        """Normalised without collapsing repeats (a number's digits are never collapsed): the
        collapsed form itself (before repair) when pass 1 holds no repeat to collapse."""
        if not any(c + c in self._first[0] for c in self.collapse):
            return self._collapsed
        return normalize(self.original, "", self._first)

    @functools.cached_property
    def folded(self) -> str:
        """Folded one character for one: offsets and line breaks are the original's."""
        return fold_one_to_one(self.original, self._first)

    @functools.cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.original)


class FieldViews:
    """The fields of one listing, each text field viewed (once) when a check first asks."""

    def __init__(self, fields: Mapping[str, object], category: str | None = None):
        self.fields = fields
        self.category = category  # given apart from the fields (a scan's category column), or None
        self._views: dict[str, TextView] = {}
        self.memo: dict = {}  # what checks derive from the listing once (the numbers in each field)

    def view(self, name: str) -> TextView | None:
        value = self.fields.get(name)
        if not isinstance(value, str):
            return None
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = TextView(value)
        return view
