"""``--format rdjson``: reviewdog's Diagnostic Format (``reviewdog -f=rdjson``), one
DiagnosticResult with a diagnostic per finding. Columns are UTF-8 byte based, as reviewdog
expects; literal suggestions become suggested changes (advice stays in the message)."""
from __future__ import annotations

import json

from compliance_guard.report import advice
from compliance_guard.report.columns import Columns
from compliance_guard.report.results import worst_severity
from compliance_guard.text.wording import literal_suggestions

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
SOURCE = {"name": "cguard"}


def document(results) -> dict:
    diagnostics = []
    for r in results:
        if r.error is not None:
            diagnostics.append({"message": r.error, "location": {"path": r.path}, "severity": "ERROR",
                                "source": SOURCE})
            continue
        diagnostics += [{"message": w, "location": {"path": r.path}, "severity": "WARNING", "source": SOURCE}
                        for w in r.warnings]
        cols = Columns(r.text, "byte")
        for f in r.findings:
            rng = {"start": {"line": f.line, "column": cols.start(f)},
                   "end": {"line": f.end_line, "column": cols.end(f)}}
            wording = literal_suggestions(f)
            message = advice.appended(f.message, [s for s in f.suggestions if s not in wording], f.source)
            d = {"message": message, "location": {"path": r.path, "range": rng},
                 "severity": _SEVERITY[f.severity.value], "source": SOURCE, "code": {"value": f.rule}}
            suggestions = [{"range": rng, "text": s} for s in literal_suggestions(f)]
            if suggestions:
                d["suggestions"] = suggestions
            diagnostics.append(d)
    worst = worst_severity(results)
    doc = {"source": SOURCE, "diagnostics": diagnostics}
    if worst is not None:
        doc["severity"] = _SEVERITY[worst.value]
    return doc


def write(results, out, **_):
    json.dump(document(results), out, ensure_ascii=False, indent=2)
    out.write("\n")
