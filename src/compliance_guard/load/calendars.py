"""Content calendars: CSV/TSV, JSONL or YAML rows of date, title, text and an optional type
(Chinese headers too), each row a dict with its ``line``; a row that cannot be read is a
``file:line`` problem and the rest are read."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from compliance_guard.load import yamlpos
from compliance_guard.load.yamlpos import PosDict, PosList, YamlError

FIELDS = {
    "date": ("date", "日期", "发布日期", "时间"),
    "title": ("title", "标题", "主题"),
    "text": ("text", "正文", "内容", "文案", "body"),
    "type": ("type", "类型", "内容类型", "kind"),
}


class CalendarError(Exception):
    """The calendar as a whole cannot be read (one line, naming the file)."""


def read_calendar(path: str) -> tuple[list[dict], list[str]]:
    """Rows as dicts with ``line``; and one ``file:line: why`` per row that was skipped."""
    try:
        text = yamlpos.read_text(path)
    except YamlError as exc:
        raise CalendarError(str(exc)) from None
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _rows_csv(text, path, "\t" if suffix == ".tsv" else ",")
    if suffix in (".jsonl", ".ndjson"):
        return _rows_jsonl(text, path)
    if suffix in (".yaml", ".yml"):
        return _rows_yaml(text, path)
    raise CalendarError(f"{path}: unknown calendar format {suffix or '(none)'} (use .csv, .jsonl or .yaml)")


def _canonical(key) -> str | None:
    k = str(key).strip().lower()
    for name, aliases in FIELDS.items():
        if k in aliases:
            return name
    return None


def _rows_csv(text: str, path: str, delimiter: str):
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CalendarError(f"{path}:1: empty calendar") from None
    names = [_canonical(h) for h in header]
    if "date" not in names:
        raise CalendarError(f"{path}:1: no date column (header: {', '.join(header)})")
    rows, problems = [], []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(f"{path}:{line}: {len(cells)} cells for {len(header)} columns; row skipped")
            continue
        row = {n: c for n, c in zip(names, cells) if n}
        row["line"] = line
        rows.append(row)
    return rows, problems


def _rows_jsonl(text: str, path: str):
    rows, problems = [], []
    for i, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{i}: invalid JSON ({exc.msg}); row skipped")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}:{i}: expected a JSON object; row skipped")
            continue
        row = {_canonical(k): v for k, v in obj.items() if _canonical(k)}
        row["line"] = i
        rows.append(row)
    return rows, problems


def _rows_yaml(text: str, path: str):
    try:
        data = yamlpos.loads(text, path)
    except YamlError as exc:
        raise CalendarError(str(exc)) from None
    if isinstance(data, PosDict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, PosList):
        raise CalendarError(f"{path}:1: expected a list of items (or a mapping with items:)")
    rows, problems = [], []
    for i, obj in enumerate(data):
        line = data.item_lines[i]
        if not isinstance(obj, dict):
            problems.append(f"{path}:{line}: expected a mapping with date, title, text; item skipped")
            continue
        row = {_canonical(k): v for k, v in obj.items() if _canonical(k)}
        row["line"] = line
        rows.append(row)
    return rows, problems


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value or "").strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"bad date {value!r} (expected YYYY-MM-DD)")
