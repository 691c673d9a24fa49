"""The sample catalogue scanned end to end against the checked-in expected report.

The expected report keeps what must not drift silently: every record's id, row, status,
error reason and findings as (rule, field, start, end, severity, text). Messages are left
out (wording is edited often). After a deliberate rule change, regenerate it with
``CGUARD_UPDATE_EXPECTED=1 python -m pytest tests/test_scan_catalogue.py`` and review the diff.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance_guard.scan.local import ScanOptions, scan
from compliance_guard.scan.records import read_records

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "corpora" / "listings" / "catalogue.csv"
CATALOGUE_GBK = REPO / "corpora" / "listings" / "catalogue_gbk.csv"
EXPECTED = REPO / "corpora" / "listings" / "catalogue.expected.jsonl"


CGUARD = [sys.executable, "-c", "from compliance_guard.app.cli import main; main()"]


def compact(record: dict) -> dict:
    out = {"id": record["id"], "row": record["row"], "status": record["status"]}
    if record["status"] == "error":
        out["error"] = record["error"]
    out["findings"] = [[f["rule"], f["field"], f["start"], f["end"], f["severity"], f["text"]]
                       for f in record["findings"]]
    return out


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    out = tmp_path_factory.mktemp("scan") / "report.jsonl"
    result = scan(ScanOptions(path=str(CATALOGUE), out=str(out), jobs=1))
    return result, list(read_records(str(out)))


def generator():
    sys.path.insert(0, str(CATALOGUE.parent))
    try:
        import make_catalogue
    finally:
        sys.path.pop(0)
    return make_catalogue


def generated_rows() -> dict[str, dict]:
    """The good listings as the generator wrote them (the ground truth), by id."""
    import random

    gen = generator()
    return {row[0]: dict(zip(gen.HEADER, row)) for row in gen.listings(random.Random(20261122))}


def physical_data_rows() -> int:
    """Data rows as a person counts them: the generator's listings plus its broken lines, but
    not its blank line nor its line of delimiters only (a spreadsheet's empty row)."""
    broken = generator().broken_lines(12).values()
    return len(generated_rows()) + sum(1 for line in broken if line.strip(", "))


def test_generator_reproduces_the_checked_in_files(tmp_path):
    import random

    gen = generator()
    text = gen.render(gen.listings(random.Random(20261122)))
    assert CATALOGUE.read_bytes() == b"\xef\xbb\xbf" + text.encode("utf-8")
    assert CATALOGUE_GBK.read_bytes() == text.encode("gbk")


def test_rows_in_equal_records_out(scanned):
    result, records = scanned
    assert len(records) == physical_data_rows() == result.summary.rows >= 200
    assert [r["row"] for r in records] == list(range(1, len(records) + 1))
    assert result.summary.blank_lines == 2 and result.summary.to_dict()["blank_lines"] == 2
    assert "2 blank lines skipped" in result.summary.text()


def test_broken_rows_are_error_records_with_reasons(scanned):
    _, records = scanned
    errors = {r["id"]: r["error"] for r in records if r["status"] == "error"}
    assert "quote" in errors["L9017"]
    assert "wrong column count: expected 12, found 3" in errors["L9048"]
    assert "non-numeric price" in errors["L9095"] and "面议" in errors["L9095"]
    assert "wrong column count: expected 12, found 14" in errors["L9171"]
    assert len(errors) == 4  # the blank line and the line of delimiters are no rows, hence no errors


def test_domain_expectations(scanned):
    _, records = scanned
    by_id = {r["id"]: r for r in records}
    rules = {i: {f["rule"] for f in r["findings"]} for i, r in by_id.items()}
    rows = generated_rows()
    assert set(rows) <= set(by_id)
    food_without_sc = [i for i, row in rows.items() if row["类目"] in ("休闲食品", "粮油米面") and not row["生产许可证编号"]
                       and "生产许可证编号" not in row["商品描述"] and i in by_id]
    assert food_without_sc and all("CERT020" in rules[i] for i in food_without_sc)
    whitening = [i for i, row in rows.items() if "美白" in row["商品标题"] and "国妆特字" not in row["备案号/注册证号"]]
    assert whitening and all("CERT023" in rules[i] for i in whitening)
    negatives = 0
    for i, row in rows.items():
        for word in ("100%纯棉", "最佳赏味期", "一级能效", "第一次穿", "最近很火"):
            pos = row["商品标题"].find(word)
            if pos != -1:
                negatives += 1
                assert not [f for f in by_id[i]["findings"] if f["field"] == "title" and f["start"] < pos + len(word)
                            and f["end"] > pos], (word, by_id[i])
    assert negatives >= 10
    for r in records:
        for f in r["findings"]:
            assert f["field"]
            if f["field"] != "listing":
                value = _field_value(rows.get(r["id"]), f["field"])
                if value is not None:
                    assert value.split("\n")[f["line"] - 1][f["column"] - 1:].startswith(f["text"].split("\n")[0])


_HEADER_OF = {"title": "商品标题", "description": "商品描述", "category": "类目", "price": "售价(元)",
              "original_price": "划线价", "lowest_price_7d": "近7日最低价", "cost": "成本价", "sc": "生产许可证编号",
              "registration": "备案号/注册证号"}


def _field_value(row, field):
    if row is None or field not in _HEADER_OF:
        return None
    return row[_HEADER_OF[field]]


def test_expected_report(scanned):
    _, records = scanned
    got = [compact(r) for r in records]
    if os.environ.get("CGUARD_UPDATE_EXPECTED"):
        EXPECTED.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8")
    expected = [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines()]
    changed = [(e, g) for e, g in zip(expected, got) if e != g]
    assert len(got) == len(expected)
    assert not changed, ("records differ from corpora/listings/catalogue.expected.jsonl (first: expected {}, got {}); "
                         "after a deliberate rule change: CGUARD_UPDATE_EXPECTED=1 python -m pytest "
                         "tests/test_scan_catalogue.py").format(*changed[0])


def test_gbk_version_gives_the_same_records(scanned, tmp_path):
    _, records = scanned
    out = tmp_path / "gbk.jsonl"
    scan(ScanOptions(path=str(CATALOGUE_GBK), out=str(out), jobs=1))
    assert list(read_records(str(out))) == records


def test_other_formats_give_the_same_records(scanned, tmp_path):
    """JSONL, XLSX and Parquet copies of the good rows give the records of the CSV."""
    openpyxl = pytest.importorskip("openpyxl")
    _, records = scanned
    header = generator().HEADER
    body = [[row[h] for h in header] for row in generated_rows().values()]
    wanted = [r for r in records if r["id"].startswith("L0")]
    assert len(body) == len(wanted)
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text("".join(json.dumps(dict(zip(header, r)), ensure_ascii=False) + "\n" for r in body), encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in body:
        ws.append(r)
    xlsx = tmp_path / "c.xlsx"
    wb.save(xlsx)
    paths = [jsonl, xlsx]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({h: [r[i] for r in body] for i, h in enumerate(header)}), tmp_path / "c.parquet")
        paths.append(tmp_path / "c.parquet")
    except ImportError:
        pass
    for path in paths:
        out = tmp_path / (path.name + ".out.jsonl")
        scan(ScanOptions(path=str(path), out=str(out), jobs=1))
        got = list(read_records(str(out)))
        for g, w in zip(got, wanted):
            assert {**g, "row": 0} == {**w, "row": 0}, path.name
        assert len(got) == len(wanted)


def test_cli_scan_csv_report_and_summary(tmp_path):
    out, summary = tmp_path / "r.csv", tmp_path / "s.json"
    proc = subprocess.run([*CGUARD, "scan", str(CATALOGUE), "-o", str(out),
                           "--summary", str(summary), "-j", "1"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr  # findings at error level, and unreadable rows
    assert proc.stdout == ""
    assert proc.stderr == ("cguard: columns: id←商品ID, title←商品标题, description←商品描述, category←类目, "
                           "price←售价(元), original_price←划线价, lowest_price_7d←近7日最低价, cost←成本价, "
                           "promotion←是否促销, sc←生产许可证编号, registration←备案号/注册证号, cross_border←跨境\n")
    data = json.loads(summary.read_text(encoding="utf-8"))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert data["rows"] == len(rows) and data["errors"] == sum(r["status"] == "error" for r in rows)
    assert data["rows_with_findings"] == sum(int(r["findings"]) > 0 for r in rows)
    assert data["findings"] == sum(int(r["findings"]) for r in rows)
    assert sum(data["by_rule"].values()) == data["findings"] == sum(data["by_category"].values())
    assert len(data["top_listings"]) == 10
    assert all("@" in r["rules"] for r in rows if r["rules"])


def test_cli_usage_errors(tmp_path):
    def run(*args):
        return subprocess.run([*CGUARD, "scan", *args], capture_output=True, text=True)

    proc = run(str(CATALOGUE), "--map", "title=没有这列", "-q")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "没有这列" in proc.stderr
    proc = run(str(tmp_path / "missing.csv"), "-q")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no such file" in proc.stderr
    proc = run(str(CATALOGUE), "--resume", "-q")
    assert proc.returncode == 2 and "--resume needs --out" in proc.stderr


def test_report_lines_are_json_dumps_of_the_records(scanned):
    """The JSONL writer encodes with one encoder for the whole scan: the same bytes as
    ``json.dumps(record, ensure_ascii=False)`` (non-ASCII kept, ``_`` keys dropped)."""
    from compliance_guard.scan.records import format_records, public

    records = [dict(r) for r in scanned[1]]
    records[0]["_texts"] = {"title": "不写出"}
    assert format_records(records, "jsonl") == "".join(json.dumps(public(r), ensure_ascii=False) + "\n" for r in records)
