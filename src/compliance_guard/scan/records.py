"""Scan records: one per row (``ok`` with its findings, or ``error`` with the reason), written
as JSONL or CSV report lines and read back (tests, ``--resume``, reports)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from compliance_guard.model.finding import Severity

CSV_COLUMNS = ("id", "row", "status", "error", "category", "findings", "severity", "rules", "findings_json")
#: ``json.dumps(obj, ensure_ascii=False)`` without building an encoder per record
_to_json = json.JSONEncoder(ensure_ascii=False).encode


class ScanError(Exception):
    """The scan cannot start or continue (unreadable output to resume, bad options)."""


def public(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def output_format(path: str | None) -> str:
    return "csv" if path and Path(path).suffix.lower() == ".csv" else "jsonl"


def csv_row(record: dict) -> list[str]:
    findings = record.get("findings") or []
    worst = Severity.worst(f["severity"] for f in findings)
    rules = ";".join(f"{f['rule']}@{f.get('field') or ''}" for f in findings)

    def flat(s):
        return str(s).replace("\r", " ").replace("\n", " ")

    return [flat(record["id"]), str(record["row"]), record["status"], flat(record.get("error", "")),
            flat(record.get("category", "")), str(len(findings)), worst.value if worst else "", rules,
            _to_json(findings) if findings else ""]


def format_records(records: list[dict], fmt: str) -> str:
    """Report lines (JSONL or CSV, ``\n``-terminated) of ``records``; ``_`` keys are dropped."""
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(csv_row(r) for r in records)
        return buf.getvalue()
    return "".join(_to_json(public(r)) + "\n" for r in records)


CSV_HEADER = ",".join(CSV_COLUMNS) + "\n"


def record_from_csv(cells: list[str]) -> dict:
    rec = dict(zip(CSV_COLUMNS, cells))
    out = {"id": rec["id"], "row": int(rec["row"]), "status": rec["status"]}
    if rec["status"] == "error":
        out["error"] = rec["error"]
    out["category"] = rec["category"]
    out["findings"] = json.loads(rec["findings_json"]) if rec["findings_json"] else []
    return out


def read_records(path: str) -> Iterator[dict]:
    """The records of a scan output (JSONL or CSV), for tests, resume and reports."""
    fmt = output_format(path)
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            reader = csv.reader(fh)
            next(reader, None)
            for cells in reader:
                yield record_from_csv(cells)
        else:
            for line in fh:
                if line.strip():
                    yield json.loads(line)
