"""Streaming readers for catalogue exports: CSV and JSONL here, XLSX and Parquet in workbooks.py.

Each reader yields RawRow tuples one at a time and never holds the file: a broken row
(unbalanced quote, undecodable bytes, invalid JSON) becomes a RawRow with an ``error`` and
reading goes on, so every data row of the input gives exactly one record downstream. Turning
a row's cells into a Listing (mapping, price parsing) happens later, in the worker that
checks it. CSV and JSONL are read in one pass from one open file, so a pipe works too
(``cguard scan <(zcat catalogue.csv.gz)``, ``/dev/stdin``).
"""
from __future__ import annotations

import codecs
import csv
import json
import os
from collections import deque
from itertools import chain, islice
from pathlib import Path

from compliance_guard.scan.columns import ColumnMap, MappingError
from compliance_guard.scan.source import RawRow, ReaderError, Source, require_text
from compliance_guard.scan.workbooks import open_parquet, open_xlsx

FORMATS = ("csv", "jsonl", "xlsx", "parquet")
SNIFF_BYTES = 1 << 20
#: A quoted field may span lines; one that stays open longer than this is a broken quote.
MAX_RECORD_LINES = 200
MAX_RECORD_CHARS = 1 << 20
DELIMITERS = ",\t;|"
#: JSONL rows each carry their keys: the first rows show which keys feed which field.
PREVIEW_ROWS = 100


def detect_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".json": "jsonl", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "csv")


def open_source(path: str, fmt: str | None = None, *, overrides=None, encoding: str | None = None,
                delimiter: str | None = None, sheet: str | None = None) -> Source:
    """Open ``path`` for streaming; ReaderError if it cannot be opened at all."""
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ReaderError(f"{path}: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not os.path.exists(path):
        raise ReaderError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ReaderError(f"{path}: is a directory")
    if fmt == "csv":
        return _open_csv(path, overrides, encoding, delimiter)
    if fmt == "jsonl":
        return _open_jsonl(path, overrides, encoding)
    if fmt == "xlsx":
        return open_xlsx(path, overrides, sheet)
    return open_parquet(path, overrides)


# -- encodings -------------------------------------------------------------------------------

def detect_encoding(head: bytes) -> str:
    """utf-8-sig with a BOM; utf-8 if the head decodes (a character cut at the end is fine)
    or if most of its non-ASCII lines do (a few bad lines become error rows rather than
    the whole file being read as GBK); else gb18030, a superset of GBK."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    good = bad = 0
    for line in head.split(b"\n")[:-1] or [head]:
        if not line.isascii():
            try:
                line.decode("utf-8")
                good += 1
            except UnicodeDecodeError:
                bad += 1
    return "utf-8" if good > bad else "gb18030"


def _lines(fh, encoding: str, source: Source):
    """(line number, text or None, error) per physical line; bytes split on LF, which is safe
    for UTF-8 and GB18030 (no multi-byte sequence contains 0x0A)."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    for number, raw in enumerate(fh, 1):
        source.bytes_read += len(raw)
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        try:
            yield number, raw.decode(codec), None
        except UnicodeDecodeError as exc:
            yield number, None, f"cannot decode line {number} as {encoding} (byte {exc.start})"


# -- CSV -------------------------------------------------------------------------------------

def _quote_state(line: str, in_quotes: bool, new_record: bool, d: str, q: str) -> bool:
    """Whether a quoted field is still open at the end of ``line`` (csv module semantics: a
    quote opens a field only at its start; ``""`` inside quotes is a literal quote)."""
    i, n = 0, len(line)
    while True:
        j = line.find(q, i)
        if j == -1:
            return in_quotes
        if in_quotes:
            if j + 1 < n and line[j + 1] == q:
                i = j + 2
                continue
            in_quotes = False
        elif (j == 0 and new_record) or (j > 0 and line[j - 1] == d):
            in_quotes = True
        i = j + 1


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: csv.Sniffer over a few lines, else the most frequent of
    ``, TAB ; |`` in the header line."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:20]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _open_with_head(path):
    """The file opened once, and up to SNIFF_BYTES of its start without consuming them (one
    read: all of a file's first MiB, what a pipe has so far)."""
    fh = open(path, "rb", buffering=SNIFF_BYTES)
    return fh, fh.peek(SNIFF_BYTES)[:SNIFF_BYTES]


def _open_csv(path, overrides, encoding, delimiter) -> Source:
    fh, head = _open_with_head(path)
    try:
        enc = encoding or detect_encoding(head)
        try:
            codecs.lookup(enc)
        except LookupError:
            raise ReaderError(f"{path}: unknown encoding {enc!r}") from None
        if delimiter is None:
            sample = head.decode("utf-8" if enc == "utf-8-sig" else enc, errors="replace").lstrip("\ufeff")
            delimiter = sniff_delimiter(sample.rsplit("\n", 1)[0] if "\n" in sample else sample)
        elif delimiter in ("\\t", "tab", "TAB"):
            delimiter = "\t"
        if len(delimiter) != 1:
            raise ReaderError(f"{path}: the delimiter must be one character, not {delimiter!r}")
    except ReaderError:
        fh.close()
        raise
    source = Source(path, "csv", None, iter(()), size=os.path.getsize(path), encoding=enc, delimiter=delimiter,
                    file=fh)
    width: list = [None]
    records = _csv_records(_lines(fh, enc, source), delimiter, width=width)
    header = None
    try:
        for number, cells, error in records:
            if error is not None:
                raise ReaderError(f"{path}:{number}: cannot read the header: {error}")
            if cells and any(c.strip() for c in cells):
                header = cells
                break
        if header is None:
            raise ReaderError(f"{path}: empty file (no header row)")
        source.column_map = ColumnMap.resolve(header, overrides)
        require_text(path, source.column_map, "columns")
    except (ReaderError, MappingError):
        fh.close()
        raise
    width[0] = len(header)
    source.rows = _numbered(records, fh, source)
    return source


def _csv_records(lines, d: str, q: str = '"', width: list | None = None):
    """(line, cells, error) per CSV record, (line, None, None) for a blank line; a broken
    quote spoils only the line it opens on.

    A record spanning lines is accepted only with the header's column count (``width[0]``,
    set once the header is known); otherwise its first line holds a stray quote, it becomes
    an error and the lines after it are read again as records of their own."""
    pending: deque = deque()
    it = iter(lines)

    def next_line():
        if pending:
            return pending.popleft()
        return next(it, None)

    while True:
        first = next_line()
        if first is None:
            return
        number, text, error = first
        if error is not None:
            yield number, None, error
            continue
        if not text.strip(d + "\r\n\t "):
            yield number, None, None  # a blank line, or only delimiters: not a row
            continue
        buf = [first]
        in_quotes = _quote_state(text, False, True, d, q)
        chars = len(text)
        broken = None
        while in_quotes:
            nxt = next_line()
            if nxt is None:
                broken = "unbalanced quote: a quoted field opened on this line is never closed"
                break
            if nxt[2] is not None or len(buf) >= MAX_RECORD_LINES or chars > MAX_RECORD_CHARS:
                pending.appendleft(nxt)
                broken = "unbalanced quote: a quoted field opened on this line is never closed"
                break
            buf.append(nxt)
            chars += len(nxt[1])
            in_quotes = _quote_state(nxt[1], True, False, d, q)
        if broken is None:
            cells = _parse(buf, d, q)
            if cells is not None and (len(buf) == 1 or not width or width[0] is None or len(cells) == width[0]):
                yield number, cells, None
                continue
            broken = "unbalanced quote or malformed quoting"
        yield number, text.rstrip("\r\n").split(d), broken  # cells only to name the row's id
        pending.extendleft(reversed(buf[1:]))


def _parse(buf, d, q):
    """The cells of ``buf`` if it holds exactly one well-formed record, else None. A single
    line without quote, CR or NUL is split directly: what csv.reader gives, at a third of the
    cost, for most rows of a real catalogue."""
    if len(buf) == 1:
        body = buf[0][1]
        body = body[:-1] if body.endswith("\n") else body
        body = body[:-1] if body.endswith("\r") else body
        if q not in body and "\r" not in body and "\0" not in body:
            return body.split(d)
    try:
        rows = list(csv.reader((t for _, t, _ in buf), delimiter=d, quotechar=q, strict=False))
    except csv.Error:
        return None
    if len(rows) != 1:
        return None
    return rows[0]


def _numbered(records, fh, source: Source):
    """RawRows numbered from 1; blank lines are counted, not numbered."""
    n = 0
    try:
        for line, cells, error in records:
            if cells is None and error is None:
                source.blank_lines += 1
                continue
            n += 1
            yield RawRow(n, line, cells, error)
    finally:
        fh.close()


# -- JSONL -----------------------------------------------------------------------------------

def _open_jsonl(path, overrides, encoding) -> Source:
    """JSONL is UTF-8 (RFC 8259; a BOM is tolerated) unless ``--encoding`` says otherwise: a
    line that does not decode is an error row, never a reason to read the file as GB18030."""
    fh, head = _open_with_head(path)
    enc = encoding or ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8")
    source = Source(path, "jsonl", None, iter(()), size=os.path.getsize(path), encoding=enc, file=fh)
    rows = _jsonl_rows(fh, enc, source)
    try:
        codecs.lookup(enc)
        first = list(islice(rows, PREVIEW_ROWS))
        if not first:
            raise ReaderError(f"{path}: empty file (no rows)")
        objects = [r.values for r in first if r.error is None]
        if objects:  # rows that are all unreadable are error records, not a mapping problem
            keys = list(dict.fromkeys(str(k) for obj in objects for k in obj))
            _require_keys(path, keys, overrides or {}, len(first))
            source.preview = ColumnMap.resolve(keys, overrides, strict=False)
            require_text(path, source.preview, f"keys of the first {len(first)} rows")
    except LookupError:
        fh.close()
        raise ReaderError(f"{path}: unknown encoding {enc!r}") from None
    except (ReaderError, MappingError):
        fh.close()
        raise
    source.rows = chain(first, rows)
    return source


def _require_keys(path: str, keys: list[str], overrides, n: int) -> None:
    """A ``--map`` whose key none of the first rows has is a mistake, as a missing column is."""
    from compliance_guard.scan.columns import fold_header

    folded = {fold_header(k) for k in keys}
    for name, column in overrides.items():
        if column not in keys and fold_header(column) not in folded:
            raise MappingError(f"--map {name}={column}: no key {column!r} in the first {n} rows of {path} "
                               f"(keys: {'、'.join(keys) or '(none)'})")


def _jsonl_rows(fh, enc: str, source: Source):
    with fh:
        n = 0
        for number, text, error in _lines(fh, enc, source):
            if error is None and not text.strip():
                source.blank_lines += 1
                continue
            n += 1
            if error is not None:
                yield RawRow(n, number, None, error)
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRow(n, number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                yield RawRow(n, number, None, f"expected a JSON object, found {type(obj).__name__}")
                continue
            yield RawRow(n, number, obj)
