"""``cguard scan`` on ordinary mistakes: every input is either checked right or refused clearly.

An output that is the input, a misspelt ``--map`` field, a table with no text column, two
columns of one header, a report of another catalogue given to ``--resume``: each is an exit 2
with a one-line message before any row, and nothing is written. Blank lines are no rows, and
are counted; formulas never calculated and JSONL lines that are not UTF-8 are said, not read
as empty or as mojibake.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.model.listing import FIELDS
from compliance_guard.scan.columns import ColumnMap, MappingError, parse_map_options
from compliance_guard.scan.local import ScanOptions, scan
from compliance_guard.scan.records import ScanError, read_records
from compliance_guard.scan.resume import fingerprint_path

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "corpora" / "listings" / "catalogue.csv"
CGUARD = [sys.executable, "-c", "from compliance_guard.app.cli import main; main()"]
TABLE = "商品ID,商品标题,售价\nA1,保温杯 316不锈钢,99\nA2,陶瓷碗,19\n"  # clean: exit 0


def cguard_scan(*args):
    return CliRunner().invoke(main, ["scan", "-j", "1", *map(str, args)])


def error_line(result) -> str:
    """The one line a refusal prints."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cguard: error: "), result.stderr
    return lines[0]


@pytest.fixture
def catalogue(tmp_path) -> Path:
    path = tmp_path / "cat.csv"
    path.write_bytes(CATALOGUE.read_bytes())
    return path


# -- outputs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("option", ["-o", "--html", "--summary"])
@pytest.mark.parametrize("how", ["same", "dot", "symlink", "hardlink"])
def test_an_output_that_is_the_input_is_refused(catalogue, tmp_path, monkeypatch, option, how):
    monkeypatch.chdir(tmp_path)
    target = {"same": "cat.csv", "dot": "./cat.csv", "symlink": "link.csv", "hardlink": "hard.csv"}[how]
    if how == "symlink":
        os.symlink("cat.csv", tmp_path / "link.csv")
    if how == "hardlink":
        os.link(catalogue, tmp_path / "hard.csv")
    line = error_line(cguard_scan("cat.csv", option, target, "-q"))
    assert "is the input catalogue" in line and target in line
    assert catalogue.read_bytes() == CATALOGUE.read_bytes()


def test_two_outputs_that_are_one_file_are_refused(catalogue, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = error_line(cguard_scan("cat.csv", "-o", "r.json", "--summary", "./r.json", "-q"))
    assert "--out r.json and --summary ./r.json are the same file" in line
    assert not (tmp_path / "r.json").exists()


# -- --map field names --------------------------------------------------------------------------

def test_a_misspelt_map_field_is_refused_with_the_closest(catalogue):
    line = error_line(cguard_scan(catalogue, "--map", "lowest_7d_price=近7日最低价", "-q"))
    assert "unknown field 'lowest_7d_price' (did you mean lowest_price_7d?)" in line
    assert all(name in line for name in FIELDS)


@pytest.mark.parametrize("item, hint", [("Lowest_Price_7D=x", None), ("titel=x", "title"), ("name=x", "title"),
                                        ("售价=x", "price"), ("origin=x", "original_price"), ("desc=x", "description")])
def test_map_field_names(item, hint):
    """A field in any case is that field; a header of a field (``name``, ``售价``) or a name close
    to one is a mistake."""
    if hint is None:
        assert parse_map_options([item]) == {"lowest_price_7d": "x"}
        return
    with pytest.raises(MappingError, match=f"did you mean {hint}\\?"):
        parse_map_options([item])


def test_extra_fields_stay_possible_for_rule_packs():
    """A name far from every field maps a column to an extra field of that name, which a rule
    pack reads (the certification rules' ``exempt_flags: [imported]``)."""
    cmap = ColumnMap.resolve(["商品标题", "是否进口"], parse_map_options(["imported=是否进口"]))
    assert cmap.names == ("title", "imported") and cmap.describe() == "title←商品标题, imported←是否进口"


def test_a_field_or_a_column_mapped_twice_is_refused():
    with pytest.raises(MappingError, match="title is mapped twice"):
        parse_map_options(["title=A", "title=B"])
    with pytest.raises(MappingError, match="mapped to title already"):
        parse_map_options(["title=A", "description=a"])
    with pytest.raises(MappingError, match="mapped to title already"):
        ColumnMap.resolve(["A", "B"], parse_map_options(["title=A", "description=#1"]))
    # a JSONL row, which carries its own keys, is never a reason to stop: first key wins
    assert ColumnMap.resolve(["title", "Title"], {"title": "title"}, strict=False).names[:1] == ("title",)


def test_the_default_mapping_still_holds_with_the_right_name(catalogue, tmp_path):
    """The misspelt map used to take 近7日最低价 away from lowest_price_7d and every PRICE010
    finding with it; spelt right, PRICE010 is found as without any --map."""
    out = tmp_path / "r.jsonl"
    result = cguard_scan(catalogue, "--map", "lowest_price_7d=近7日最低价", "-o", out, "-q")
    assert result.exit_code == 1
    assert any(f["rule"] == "PRICE010" for r in read_records(str(out)) for f in r["findings"])


# -- tables with no text column -------------------------------------------------------------------

@pytest.mark.parametrize("name, text", [
    ("unknown.csv", "编号,文字,金额\nA1,全网最好的杯子,9\n"),
    ("script.txt", "家人们晚上好，欢迎来到直播间\n今天这款是全网最好的面膜\n"),
    ("unknown.jsonl", '{"编号": "A1", "文字": "全网最好的杯子"}\n'),
])
def test_a_table_without_a_text_column_is_refused(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    line = error_line(cguard_scan(path, "-q"))
    assert "no column feeds a text field" in line and "--map title=" in line
    assert ("文字" in line) if name != "script.txt" else ("家人们晚上好" in line and "cguard check" in line)
    mapped = cguard_scan(path, "--map", "title=文字", "-q") if name != "script.txt" else None
    assert mapped is None or mapped.exit_code == 1  # mapped, the claim is found


def test_an_xlsx_whose_first_sheet_is_notes_is_refused_with_its_sheets(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "填写说明"
    notes.append(["本表由商家后台导出，请勿修改表头"])
    goods = wb.create_sheet("商品")
    goods.append(["商品ID", "商品标题", "售价"])
    goods.append(["A1", "全网最好的保温杯", 99])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    line = error_line(cguard_scan(path, "-q"))
    assert "sheets: 填写说明, 商品" in line and "--sheet" in line
    assert cguard_scan(path, "--sheet", "商品", "-q").exit_code == 1


def test_a_parquet_without_a_text_column_is_refused(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"编号": ["A1"], "文字": ["全网最好的杯子"]}), path)
    assert "no column feeds a text field" in error_line(cguard_scan(path, "-q"))


@pytest.mark.parametrize("header, field", [
    ("宝贝标题", "title"), ("宝贝名称", "title"), ("宝贝描述", "description"), ("一口价", "price"),
    ("宝贝类目", "category"), ("商家编码", "id"), ("拼单价", "price"), ("详情页文案", "description"),
    ("Product Title", "title"), ("product-title", "title"), ("Product Description", "description"),
    ("Body (HTML)", "description"), ("Variant Compare At Price", "original_price"), ("Short description", "subtitle"),
])
def test_platform_export_headers(header, field):
    assert ColumnMap.resolve([header]).names == (field,)


@pytest.mark.parametrize("header", ["单买价", "备注"])
def test_headers_that_are_no_field_stay_unmapped(header):
    """拼多多's 单买价 is a real price for buying alone: neither the sale price nor a 划线价."""
    assert ColumnMap.resolve([header]).names == (header,)


def test_the_columns_line(tmp_path):
    path = tmp_path / "taobao.csv"
    path.write_text("宝贝标题,一口价,备注\n保温杯,99,\n", encoding="utf-8")
    result = cguard_scan(path)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == "cguard: columns: title←宝贝标题, price←一口价; not mapped: 备注"
    assert cguard_scan(path, "-q").stderr == ""


# -- duplicated headers ---------------------------------------------------------------------------

def test_two_columns_of_one_header_are_refused_unless_mapped(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("商品ID,商品描述,售价,商品描述\nA1,保温杯,99,全网最好的保温杯\n", encoding="utf-8")
    line = error_line(cguard_scan(path, "-q"))
    assert "columns 2 and 4 have the same header '商品描述'" in line and "--map description=#2" in line
    out = tmp_path / "r.jsonl"
    assert cguard_scan(path, "--map", "description=#4", "-o", out, "-q").exit_code == 1
    [record] = read_records(str(out))
    assert record["findings"] and {f["field"] for f in record["findings"]} == {"description"}


def test_duplicated_headers_of_other_formats(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["商品标题", "售价", "商品标题"])
    wb.active.append(["杯子", 9, "最好的杯子"])
    wb.save(tmp_path / "dup.xlsx")
    assert "columns 1 and 3" in error_line(cguard_scan(tmp_path / "dup.xlsx", "-q"))
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array(["杯子"]), pa.array(["最好的杯子"])], names=["商品标题", "商品标题"])
    pq.write_table(table, tmp_path / "dup.parquet")
    assert "columns 1 and 2" in error_line(cguard_scan(tmp_path / "dup.parquet", "-q"))


# -- blank lines --------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, rows, blank", [
    ("c.csv", TABLE + "\n\n", 2, 2),
    ("c.csv", TABLE.replace("\nA2", "\n\n,,,,\nA2") + "\r\n", 2, 3),
    ("c.jsonl", '{"商品标题": "保温杯"}\n\n{"商品标题": "碗"}\n\n  \n', 2, 3),
])
def test_blank_lines_are_no_rows_and_are_counted(tmp_path, name, text, rows, blank):
    path, summary = tmp_path / name, tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    result = cguard_scan(path, "-o", tmp_path / "r.jsonl", "--summary", summary, "-q")
    assert result.exit_code == 0, result.stderr
    records = list(read_records(str(tmp_path / "r.jsonl")))
    assert [r["row"] for r in records] == list(range(1, rows + 1)) and all(r["status"] == "ok" for r in records)
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["rows"] == rows and data["blank_lines"] == blank


def test_empty_sheet_rows_are_no_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["商品标题", "售价"])
    ws.append(["保温杯", 99])
    ws.append([])
    ws.append(["陶瓷碗", 19])
    ws["A9"].number_format = "0.00"  # a formatted, empty cell stretches the sheet: trailing empty rows
    ws["A9"].value = None
    wb.save(tmp_path / "c.xlsx")
    result = scan(ScanOptions(path=str(tmp_path / "c.xlsx"), out=str(tmp_path / "r.jsonl"), jobs=1))
    assert result.summary.rows == 2 == result.summary.ok and result.summary.blank_lines >= 1


# -- --resume ---------------------------------------------------------------------------------

@pytest.fixture
def report(catalogue, tmp_path) -> Path:
    """A report of the catalogue cut after 50 records, as an interrupted scan leaves it."""
    out = tmp_path / "r.jsonl"
    scan(ScanOptions(path=str(catalogue), out=str(out), jobs=1))
    lines = out.read_bytes().splitlines(True)
    out.write_bytes(b"".join(lines[:50]))
    return out


def test_the_fingerprint_sits_beside_the_report(report):
    """Every line of the report is still a record; what it belongs to is in the file beside it."""
    assert all(set(json.loads(line)) >= {"id", "row", "status"} for line in report.read_text("utf-8").splitlines())
    stamp = json.loads(Path(fingerprint_path(str(report))).read_text(encoding="utf-8"))
    assert stamp["input"].endswith("cat.csv") and stamp["size"] == CATALOGUE.stat().st_size and stamp["head_sha256"]


def test_resume_refuses_the_report_of_another_input(report, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text(TABLE, encoding="utf-8")
    before = report.read_bytes()
    line = error_line(cguard_scan(other, "-o", report, "--resume", "-q"))
    assert "cannot resume" in line and "report of another input" in line and "cat.csv" in line
    assert report.read_bytes() == before


def test_resume_refuses_the_same_name_with_other_content(report, catalogue):
    """A catalogue replaced under the same name is another input: its first rows differ."""
    catalogue.write_bytes(CATALOGUE.read_bytes().replace(b"L0001", b"X0001"))
    assert "report of another input" in error_line(cguard_scan(catalogue, "-o", report, "--resume", "-q"))


def test_resume_refuses_other_options(report, catalogue):
    line = error_line(cguard_scan(catalogue, "-o", report, "--resume", "--select", "pricing", "-q"))
    assert "made with other options (select)" in line


def test_resume_goes_on_from_a_copy_of_the_input(report, catalogue, tmp_path):
    """The input is known by its content, not its path: a moved or copied catalogue resumes."""
    moved = tmp_path / "moved.csv"
    catalogue.rename(moved)
    assert cguard_scan(moved, "-o", report, "--resume", "-q").exit_code == 1
    assert len(list(read_records(str(report)))) == 244


def test_resume_refuses_a_report_without_fingerprint(report, catalogue):
    """A report of an older cguard has no fingerprint: which catalogue it belongs to is unknown."""
    Path(fingerprint_path(str(report))).unlink()
    before = report.read_bytes()
    line = error_line(cguard_scan(catalogue, "-o", report, "--resume", "-q"))
    assert "cguard-scan.json is missing" in line and "without --resume" in line
    assert report.read_bytes() == before


@pytest.mark.parametrize("name, text", [("notes.txt", "my notes\n"), ("notes.jsonl", "my notes"),
                                        ("notes2.jsonl", "第一行\n第二行\n")])
def test_resume_never_replaces_a_file_that_is_no_report(report, catalogue, tmp_path, name, text):
    """Even with a fingerprint beside it, a file whose lines are no records is left as it is."""
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    stamp = Path(fingerprint_path(str(report)))
    if stamp.exists():
        Path(fingerprint_path(str(out))).write_bytes(stamp.read_bytes())
    result = cguard_scan(catalogue, "-o", out, "--resume", "-q")
    assert out.read_text(encoding="utf-8") == text
    assert "cannot resume" in error_line(result)


def test_resume_refusals_in_the_library(report, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text(TABLE, encoding="utf-8")
    with pytest.raises(ScanError, match="another input"):
        scan(ScanOptions(path=str(other), out=str(report), jobs=1, resume=True))


# -- XLSX formulas, JSONL encodings ------------------------------------------------------------

def test_xlsx_formulas_without_a_calculated_value_are_said(tmp_path):
    """openpyxl writes formulas without cached values, as a program that does not calculate
    does: read with data_only they are None. In a column that feeds a field the row is an error
    record; elsewhere a warning names the cells."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["商品ID", "商品标题", "售价", "划线价", "备注"])
    ws.append(["A1", "保温杯", 99, "=C2*2", None])
    ws.append(["A2", "陶瓷碗", 19, None, "=LEN(B3)"])
    ws.append(["A3", "筷子", 9, None, None])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    out = tmp_path / "r.jsonl"
    result = cguard_scan(path, "-o", out, "-q")
    assert result.exit_code == 1
    records = list(read_records(str(out)))
    assert [r["status"] for r in records] == ["error", "ok", "ok"]
    assert "cell D2 (划线价) is a formula without a calculated value" in records[0]["error"]
    assert records[0]["id"] == "A1"
    [warning] = result.stderr.splitlines()  # -q: the warning only
    assert warning.startswith("cguard: warning: ") and "2 formula cell(s)" in warning and "D2, E3" in warning


def test_jsonl_is_utf8_whatever_its_first_lines(tmp_path):
    """Two GBK lines first used to make the whole file GB18030, garbling every UTF-8 line. JSONL
    is UTF-8 (RFC 8259): a line that is not is an error record of its own."""
    path = tmp_path / "mixed.jsonl"
    gbk = [json.dumps({"商品标题": t}, ensure_ascii=False).encode("gbk") + b"\n" for t in ("保温杯", "陶瓷碗")]
    good = [json.dumps({"商品标题": t}, ensure_ascii=False).encode("utf-8") + b"\n" for t in ("全网最好的面膜",)]
    path.write_bytes(b"".join(gbk + good))
    out = tmp_path / "r.jsonl"
    assert cguard_scan(path, "-o", out, "-q").exit_code == 1
    records = list(read_records(str(out)))
    assert [r["status"] for r in records] == ["error", "error", "ok"]
    assert "cannot decode line 1 as utf-8" in records[0]["error"]
    assert records[2]["findings"][0]["text"] == "全网最好"
    assert cguard_scan(path, "--encoding", "gb18030", "-o", out, "-q").exit_code == 1  # as said


# -- workers die with the parent ---------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_exit_when_the_scan_is_killed(tmp_path):
    """kill -9 of the scan: no shutdown runs in the parent, and the workers, which hold both
    ends of the pool's pipes, used to go on for minutes. They must leave within seconds."""
    lines = CATALOGUE.read_text(encoding="utf-8-sig").splitlines(True)
    big = tmp_path / "big.csv"
    big.write_text(lines[0] + "".join(lines[1:]) * 60, encoding="utf-8")
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen([*CGUARD, "scan", str(big), "-o", str(out), "-j", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (out.exists() and out.stat().st_size and len(workers) >= 2):
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert proc.poll() is None and len(workers) >= 2, "the scan did not start its workers in time"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "workers outlived the killed scan"
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()


def test_a_formula_calculated_to_an_empty_string_is_no_warning(tmp_path):
    """Excel saves ``=""`` as ``<c t="str"><f>""</f><v></v></c>``: calculated, and empty."""
    openpyxl = pytest.importorskip("openpyxl")
    import zipfile

    wb = openpyxl.Workbook()
    wb.active.append(["商品标题", "划线价"])
    wb.active.append(["保温杯", '=""'])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<c r="B2"><f>""</f><v></v></c>' in data
                data = data.replace(b'<c r="B2"><f>', b'<c r="B2" t="str"><f>')
            dst.writestr(item, data)
    result = cguard_scan(path, "-q")
    assert result.exit_code == 0 and result.stderr == ""
    assert cguard_scan(plain, "-q").exit_code == 1  # as openpyxl wrote it: never calculated
