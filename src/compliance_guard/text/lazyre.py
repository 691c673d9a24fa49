"""``regex`` patterns compiled on first use.

Compiling is most of what ``cguard check`` spends before it reads a file: a few hundred rule
and check regexes, of which a clean script needs almost none. A LazyPattern stands in for the
compiled pattern; once compiled, the pattern's own bound methods shadow the forwarding ones,
so a call costs what a call on the compiled pattern costs.
"""
from __future__ import annotations

import regex


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0, lists: dict | None = None):
        self.pattern, self.flags, self.lists, self._compiled = pattern, flags, lists or {}, None

    def compiled(self) -> regex.Pattern:
        if self._compiled is None:
            self._compiled = regex.compile(self.pattern, self.flags, **self.lists)
            self.finditer, self.search = self._compiled.finditer, self._compiled.search
        return self._compiled

    def finditer(self, *args, **kwargs):
        return self.compiled().finditer(*args, **kwargs)

    def search(self, *args, **kwargs):
        return self.compiled().search(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):  # copy/pickle probing an instance being rebuilt
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __getstate__(self):  # compiled or not, as it is: a compiled regex unpickles far faster than it compiles
        return self.pattern, self.flags, self.lists, self._compiled

    def __setstate__(self, state):
        self.pattern, self.flags, self.lists, self._compiled = state
        if self._compiled is not None:
            self.finditer, self.search = self._compiled.finditer, self._compiled.search


def compile(pattern: str, flags: int = 0) -> LazyPattern:  # noqa: A001 - mirrors regex.compile
    return LazyPattern(pattern, flags)
