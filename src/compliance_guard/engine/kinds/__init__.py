"""The kinds of rule a pack may hold, each a module: the pack keys it reads (``KEYS``; the
first names the kind), how it parses them into the Rule (``parse``), what ``cguard rules
list`` says of a rule (``describe``), its keys for the one automaton (``keys``), what it
prepares per engine build (``build``), its candidates from the automaton's hits
(``candidates``) and how its verified hits become findings (``findings``).
A new kind is one module and one line here."""
from __future__ import annotations

from compliance_guard.engine.kinds import all_of, check, pattern, slots, terms

KINDS = {"terms": terms, "pattern": pattern, "slots": slots, "all_of": all_of, "check": check}
