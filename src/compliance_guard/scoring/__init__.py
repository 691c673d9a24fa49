"""Scorers: script quality (``score``), content mix (``mix``) and campaign parameters
(``campaign``), each a declared plugin (scoring.model.Scorer: its command, help, options and
how it scores) from which the CLI makes its command. SCORERS names each one's SCORER as
``module:name``, imported when its command runs (``cguard check`` imports no scorer). A new
scorer is one module declaring its SCORER and one line here."""
from __future__ import annotations

import pkgutil

SCORERS = {
    "score": "compliance_guard.scoring.script:SCORER",
    "mix": "compliance_guard.scoring.mix:SCORER",
    "campaign": "compliance_guard.scoring.campaign:SCORER",
}


def scorer(name: str):
    """The Scorer of command ``name`` (KeyError for an unknown one)."""
    return pkgutil.resolve_name(SCORERS[name])
