"""Scorers: script quality (``score``), content mix (``mix``) and campaign parameters
(``campaign``), each a declared plugin (scoring.model.Scorer: its command, help, options and
how it scores) from which the CLI makes its command. A new scorer is one module declaring its
SCORER and one line here."""
from __future__ import annotations

from compliance_guard.scoring import campaign, mix, script

SCORERS = {"score": script.SCORER, "mix": mix.SCORER, "campaign": campaign.SCORER}
