"""Catalogues read through a library rather than line by line: XLSX (openpyxl, read-only) and
Parquet (pyarrow), row by row in the same RawRows as CSV and JSONL."""
from __future__ import annotations

import os
import re

from compliance_guard.scan.columns import ColumnMap, cell_text
from compliance_guard.scan.source import RawRow, ReaderError, Source, require_text


def open_xlsx(path, overrides, sheet) -> Source:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise ReaderError(f"{path}: reading .xlsx needs openpyxl") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/XML errors of a damaged or foreign file
        raise ReaderError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        raise ReaderError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header, header_row = None, 0
    for header_row, values in enumerate(rows, 1):  # noqa: B007 - the header's row is read after the loop
        if values and any(cell_text(v).strip() for v in values):
            header = [cell_text(v) for v in values]
            break
    if header is None:
        wb.close()
        raise ReaderError(f"{path}: empty sheet {ws.title!r} (no header row)")
    while header and not header[-1].strip():
        header.pop()
    try:
        column_map = ColumnMap.resolve(header, overrides)
        require_text(path, column_map, f"columns of sheet {ws.title!r}",
                      f"; sheets: {', '.join(wb.sheetnames)} (choose one with --sheet NAME)")
        uncached = _uncached_formulas(wb, ws)
    except Exception:
        wb.close()
        raise
    width = len(header)
    total = (ws.max_row - header_row) if ws.max_row else None
    source = Source(path, "xlsx", column_map, iter(()), total_rows=total, size=os.path.getsize(path))
    fed = {}  # sheet row -> the first formula cell without a value in a column that feeds a field
    for ref, row, col in uncached:
        if row > header_row and col <= width and column_map.mapped[col - 1]:
            fed.setdefault(row, f"cell {ref} ({header[col - 1]})")
    if uncached:
        refs = ", ".join(ref for ref, _, _ in uncached[:5]) + (", …" if len(uncached) > 5 else "")
        source.warnings.append(
            f"{path}: sheet {ws.title!r} has {len(uncached)} formula cell(s) saved without a calculated value ({refs}), "
            "which read as empty" + ("; rows where one feeds a field are error records" if fed else "")
            + ": open and save the file in Excel or LibreOffice to calculate them")

    def gen():
        n = 0
        try:
            for line, values in enumerate(rows, header_row + 1):
                if line in fed:
                    n += 1
                    yield RawRow(n, line, list(values or ())[:width],
                                 f"{fed[line]} is a formula without a calculated value (the file was saved without "
                                 "calculating it)")
                    continue
                if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    source.blank_lines += 1
                    continue
                n += 1
                cells = list(values)
                extra = cells[width:]
                if any(cell_text(v).strip() for v in extra):
                    yield RawRow(n, line, None,
                                 f"wrong column count: expected {width}, found {len(cells)} (cells beyond the header)")
                    continue
                cells = (cells + [None] * width)[:width]
                yield RawRow(n, line, cells)
        finally:
            wb.close()

    source.rows = gen()
    return source


_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
                           rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_STRING_RESULT = re.compile(rb'\bt="str"')  # an empty <v></v> is a calculated empty string


def _uncached_formulas(wb, ws) -> list[tuple[str, int, int]]:
    """(reference, row, column) of the formula cells saved without a calculated value (by a
    program that writes formulas but does not calculate them): no ``<v>``, or an empty one in
    a cell not typed as a string result (Excel's ``t="str"`` with ``<v></v>`` for ``=""``).
    Reading with data_only gives None for them, as for an empty cell, so the sheet's XML is
    searched for them: one pass over its bytes, a small cost next to openpyxl's parsing."""
    from openpyxl.utils import column_index_from_string

    try:
        src = wb._archive.open(ws._worksheet_path)  # kept by openpyxl in read-only mode
    except (AttributeError, KeyError, OSError):  # pragma: no cover - another openpyxl
        return []
    found: list[tuple[str, int, int]] = []
    tail = b""
    with src:
        while True:
            chunk = src.read(1 << 20)
            buf = tail + chunk
            cut = len(buf)
            if chunk:  # keep a cell cut by the chunk's end for the next round
                start = max(buf.rfind(b"<c"), buf.rfind(b":c "), buf.rfind(b":c>"))
                cut = buf.rfind(b"<", 0, start + 1) if start >= 0 else cut
            piece, tail = buf[:cut], buf[cut:]
            if b"<f" in piece or b":f" in piece:
                for m in _FORMULA_CELL.finditer(piece):
                    ref = _CELL_REF.search(m.group(1))
                    if ref and not _STRING_RESULT.search(m.group(1)):
                        col, row = ref.group(1).decode(), int(ref.group(2))
                        found.append((f"{col}{row}", row, column_index_from_string(col)))
            if not chunk:
                return found


def open_parquet(path, overrides) -> Source:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ReaderError(f"{path}: reading Parquet needs pyarrow: pip install 'compliance-guard[parquet]'") from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # ArrowInvalid and friends for a damaged file
        raise ReaderError(f"{path}: not a readable Parquet file ({exc})") from None
    header = list(pf.schema_arrow.names)
    column_map = ColumnMap.resolve(header, overrides)
    require_text(path, column_map, "columns")

    def gen():
        n = 0
        for batch in pf.iter_batches(batch_size=2000):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for cells in zip(*columns):
                n += 1
                yield RawRow(n, None, list(cells))

    return Source(path, "parquet", column_map, gen(), total_rows=pf.metadata.num_rows, size=os.path.getsize(path))
