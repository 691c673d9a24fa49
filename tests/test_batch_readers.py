"""Streaming readers: every data row of the input gives exactly one row out, broken or not."""
from __future__ import annotations

import csv
import os
import threading

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from compliance_guard.scan.readers import _parse, detect_encoding, open_source, sniff_delimiter
from compliance_guard.scan.source import ReaderError

HEADER = "商品ID,商品标题,商品描述,类目,售价\n"


def rows_of(path, **kw):
    source = open_source(str(path), **kw)
    try:
        return source, list(source.rows)
    finally:
        source.close()


def test_malformed_rows_each_become_one_error_row(tmp_path):
    lines = [
        'A1,保温杯,"304不锈钢, 24小时保温",家居日用,59',       # quoted comma: fine
        'A2,"限时特惠 坚果大礼包,年货送礼,休闲食品,88',           # quote never closed
        'A3,充电宝,"两行描述\n第二行",数码配件,99',               # quoted newline: fine (2 physical lines)
        "A4,蓝牙耳机,降噪",                                       # too few columns
        "",                                                       # blank line: not a row
        "A5,保温杯,24小时保温,家居日用,面议",                     # non-numeric price (caught later, in the worker)
        "A6,数据线,快充,数码配件,19,多余",                         # too many columns
        ",,,,",                                                   # only delimiters: not a row
        'A7,"引号""里面""有引号",描述,服饰,39',                   # escaped quotes: fine
        'A8,"结尾没有闭合的引号,描述,服饰,39',                     # quote never closed, on the last line
    ]
    path = tmp_path / "broken.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    source, rows = rows_of(path)
    assert [r.row for r in rows] == list(range(1, 9))
    assert [r.line for r in rows] == [2, 3, 4, 6, 8, 9, 11, 12]
    assert source.blank_lines == 2
    errors = {r.row: r.error for r in rows if r.error}
    assert set(errors) == {2, 8}
    assert "quote" in errors[2] and "quote" in errors[8]
    assert rows[0].values == ["A1", "保温杯", "304不锈钢, 24小时保温", "家居日用", "59"]
    assert rows[2].values[2] == "两行描述\n第二行"
    assert rows[6].values[1] == '引号"里面"有引号'
    assert rows[1].values[0] == "A2"  # a broken row still names its id


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b"")])
def test_encodings(tmp_path, encoding, bom):
    path = tmp_path / "c.csv"
    path.write_bytes(bom + (HEADER + "A1,美白精华液,提亮肤色,美妆护肤,99\n").encode(encoding))
    source, rows = rows_of(path)
    assert source.column_map.names[:2] == ("id", "title")
    assert rows[0].values[1] == "美白精华液"


def test_undecodable_line_is_an_error_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes((HEADER + "A1,面霜,好,美妆,1\n").encode("utf-8") + b"A2,\xff\xfe\xfa,x,y,1\nA3,\xe6\x9d\xaf,x,y,1\n")
    _, rows = rows_of(path)
    assert [r.error is None for r in rows] == [True, False, True]
    assert "cannot decode line 3" in rows[1].error


def test_detect_encoding():
    assert detect_encoding("美白".encode("gbk")) == "gb18030"
    assert detect_encoding("美白".encode()[:-1]) == "utf-8"  # a character cut by the sample is fine


@pytest.mark.parametrize("delim", ["\t", ";", "|", ","])
def test_delimiter_sniffed(tmp_path, delim):
    path = tmp_path / "c.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delim)
        w.writerow(HEADER.strip().split(","))
        w.writerow(["A1", "杯子, 大号", "描述", "家居", "9"])
        w.writerow(["A2", "碗", "陶瓷", "家居", "19"])
    source, rows = rows_of(path)
    assert source.delimiter == delim
    assert rows[0].values[1] == "杯子, 大号"


def test_delimiter_given(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("商品标题\t售价\n杯子\t9\n", encoding="utf-8")
    source, rows = rows_of(path, delimiter="\\t")
    assert rows[0].values == ["杯子", "9"]
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"


def test_jsonl_rows(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"title": "杯子", "price": 9}\n\nnot json\n[1, 2]\n{"title": "碗"}\n', encoding="utf-8")
    source, rows = rows_of(path)
    assert [r.row for r in rows] == [1, 2, 3, 4]
    assert [r.line for r in rows] == [1, 3, 4, 5] and source.blank_lines == 1
    assert rows[0].values == {"title": "杯子", "price": 9}
    assert rows[1].error.startswith("invalid JSON")
    assert "expected a JSON object" in rows[2].error


def test_xlsx_streams_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["商品ID", "商品标题", "售价"])
    ws.append(["A1", "杯子", 9.0])
    ws.append([])
    ws.append(["A3", "碗", "面议", None, "多出来"])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    source, rows = rows_of(path)
    assert source.column_map.names == ("id", "title", "price")
    assert rows[0].values == ["A1", "杯子", 9.0] and rows[0].line == 2
    assert source.blank_lines == 1  # an empty sheet row is not a row
    assert "wrong column count" in rows[1].error and rows[1].row == 2 and rows[1].line == 4


def test_parquet_rows(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"商品标题": ["杯子", None], "售价": [9.5, 3.0]}), path)
    source, rows = rows_of(path)
    assert source.total_rows == 2
    assert [r.values for r in rows] == [["杯子", 9.5], [None, 3.0]]


@given(st.text(alphabet=',;"\r\0 a杯\t', max_size=12), st.sampled_from(["\n", "\r\n", ""]), st.sampled_from(",;\t"))
def test_one_line_records_parse_as_csv_reader_does(body, end, d):
    """The split fast path for quote-free lines agrees with csv.reader, edge characters included
    (blank lines are empty rows before any parsing)."""
    line = body + end
    assume(line.strip("\r\n\t "))
    try:
        rows = list(csv.reader([line], delimiter=d, quotechar='"', strict=False))
        expected = rows[0] if len(rows) == 1 else None
    except csv.Error:
        expected = None
    assert _parse([(1, line, None)], d, '"') == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("name, text", [
    ("in.csv", HEADER + "A1,保温杯,304不锈钢,家居日用,59\nA2,杯子,描述,家居日用,9\n"),
    ("in.jsonl", '{"商品标题": "保温杯", "售价": 59}\n{"商品标题": "杯子", "售价": 9}\n'),
])
def test_a_pipe_is_read_like_a_file(tmp_path, name, text):
    """One pass over one open file: ``cguard scan <(zcat catalogue.csv.gz)`` works."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(text,), kwargs={"encoding": "utf-8"})
    writer.start()
    _, rows = rows_of(fifo)
    writer.join()
    assert [r.row for r in rows] == [1, 2] and not any(r.error for r in rows)


def test_unreadable_inputs(tmp_path):
    with pytest.raises(ReaderError, match="no such file"):
        open_source(str(tmp_path / "missing.csv"))
    with pytest.raises(ReaderError, match="is a directory"):
        open_source(str(tmp_path))
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ReaderError, match="empty file"):
        open_source(str(empty))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReaderError, match="not a readable .xlsx"):
        open_source(str(bad))
