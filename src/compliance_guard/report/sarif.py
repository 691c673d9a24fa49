"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Rules carry their title, message, pack, category and source citation; results carry a stable
``ruleId``, columns in UTF-16 code units (``columnKind``), the matched text as snippet, a
``partialFingerprints`` entry (the baseline fingerprint, stable across line moves) and one fix
per literal suggestion. Unreadable files become tool execution notifications.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from compliance_guard import __version__
from compliance_guard.report import advice
from compliance_guard.report.columns import Columns
from compliance_guard.run.baseline import fingerprint
from compliance_guard.text.wording import literal_suggestions

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "cguard/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> dict:
    p = Path(path)
    if p.is_absolute():
        return {"uri": p.as_uri()}
    return {"uri": quote(p.as_posix()), "uriBaseId": "%SRCROOT%"}


def _tags(*names: str) -> list[str]:
    return list(dict.fromkeys(n for n in names if n))  # SARIF tags are a set


def _descriptor(rule) -> dict:
    message = rule.message.replace("{text}", "…")
    help_text = advice.lines((), rule.source, "：")[0] if rule.source else message
    examples = rule.examples.get("bad", [])[:3]
    markdown = f"{message}\n\n**{advice.SOURCE}**：{rule.source}" if rule.source else message
    if examples:
        markdown += "\n\n**例**：" + "；".join(f"`{e}`" for e in examples)
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title or rule.id},
        "fullDescription": {"text": message},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
        "properties": {"pack": rule.pack, "category": rule.category, "source": rule.source,
                       "tags": _tags(rule.category, rule.pack)},
    }


def _descriptor_from_finding(f) -> dict:
    return {
        "id": f.rule,
        "name": f.rule,
        "shortDescription": {"text": f.rule},
        "help": {"text": advice.lines((), f.source, "：")[0] if f.source else f.message},
        "defaultConfiguration": {"level": _LEVEL[f.severity.value]},
        "properties": {"pack": f.pack, "category": f.category, "source": f.source, "tags": _tags(f.category, f.pack)},
    }


def _region(f, cols: Columns) -> dict:
    return {"startLine": f.line, "startColumn": cols.start(f), "endLine": f.end_line, "endColumn": cols.end(f)}


def document(results, rules=()) -> dict:
    descriptors: list[dict] = []
    index: dict[str, int] = {}
    for rule in rules or ():
        index[rule.id] = len(descriptors)
        descriptors.append(_descriptor(rule))
    sarif_results, notifications = [], []
    for r in results:
        location = artifact_uri(r.path)
        if r.error is not None:
            notifications.append({"level": "error", "message": {"text": r.error},
                                  "locations": [{"physicalLocation": {"artifactLocation": location}}]})
            continue
        notifications += [{"level": "warning", "message": {"text": w},
                           "locations": [{"physicalLocation": {"artifactLocation": location}}]} for w in r.warnings]
        cols = Columns(r.text, "utf16")
        for f in r.findings:
            if f.rule not in index:
                index[f.rule] = len(descriptors)
                descriptors.append(_descriptor_from_finding(f))
            region = _region(f, cols)
            text = advice.appended(f.message, f.suggestions, None)
            result = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _LEVEL[f.severity.value],
                "message": {"text": text},
                "locations": [{"physicalLocation": {"artifactLocation": location,
                                                    "region": {**region, "snippet": {"text": f.text}}}}],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f, r.text)},
                "properties": {"category": f.category, "pack": f.pack, "source": f.source,
                               "suggestions": f.suggestions},
            }
            fixes = [{"description": {"text": f"改为「{s}」"},
                      "artifactChanges": [{"artifactLocation": location,
                                           "replacements": [{"deletedRegion": region, "insertedContent": {"text": s}}]}]}
                     for s in literal_suggestions(f)]
            if fixes:
                result["fixes"] = fixes
            sarif_results.append(result)
    run = {
        "tool": {"driver": {"name": "compliance-guard", "version": __version__, "semanticVersion": __version__,
                            "rules": descriptors}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "columnKind": "utf16CodeUnits",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": sarif_results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write(results, out, rules=(), **_):
    json.dump(document(results, rules), out, ensure_ascii=False, indent=2)
    out.write("\n")
