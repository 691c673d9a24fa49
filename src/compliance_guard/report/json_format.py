"""``--format json``: exactly the DESIGN.md contract."""
from __future__ import annotations

import json

from compliance_guard.report.results import TOOL, summary


def document(results) -> dict:
    files = []
    for r in results:
        entry = {"path": r.path}
        if r.error is not None:
            entry["error"] = r.error
        else:
            entry["findings"] = [f.to_dict() for f in r.findings]
            if r.warnings:
                entry["warnings"] = list(r.warnings)  # not fully checked: the run exits 1
        files.append(entry)
    return {**TOOL, "files": files, "summary": summary(results)}


def write(results, out, **_):
    json.dump(document(results), out, ensure_ascii=False, indent=2)
    out.write("\n")
