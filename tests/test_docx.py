"""Word documents: paragraphs and tables read in order, findings at paragraph and character."""
from __future__ import annotations

import json

import docx
import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.load.documents import DocumentError, iter_paths, read_path
from compliance_guard.load.docx import docx_paragraphs
from compliance_guard.run.files import check_document

REAL = ["--select", "absolute-claim"]  # the shipped absolute-claims pack


def make_docx(path):
    d = docx.Document()
    d.add_paragraph("开场白：大家好")
    d.add_paragraph("这款面膜最好，全网最低价")
    table = d.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "卖点"
    table.cell(0, 1).text = "转发到群领红包"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "合并的单元格里也是最好"
    table.cell(2, 0).text = "嵌套"
    inner = table.cell(2, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "里层表格第一"
    d.add_paragraph("结尾\n软换行后最好")
    d.save(path)
    return path


@pytest.fixture
def sample(tmp_path):
    return make_docx(tmp_path / "脚本.docx")


def test_paragraphs_and_tables_in_document_order(sample):
    paragraphs = docx_paragraphs(sample.read_bytes())
    assert paragraphs[:2] == ["开场白：大家好", "这款面膜最好，全网最低价"]
    assert paragraphs.count("合并的单元格里也是最好") == 1  # a merged cell is read once
    assert paragraphs.index("卖点") < paragraphs.index("转发到群领红包") < paragraphs.index("合并的单元格里也是最好")
    assert "里层表格第一" in paragraphs
    assert paragraphs[-1] == "结尾 软换行后最好"  # a soft break does not start a new line


def test_findings_located_by_paragraph_and_character(sample, fixture_engine):
    doc = read_path(sample)
    assert doc.kind == "docx"
    paragraphs = doc.text.split("\n")
    findings = check_document(fixture_engine, doc)
    assert findings
    for f in findings:
        paragraph = paragraphs[f.line - 1]
        assert paragraph[f.column - 1:f.column - 1 + len(f.text)] == f.text
        assert doc.text[f.start:f.end] == f.text
    where = {(f.text, f.line, f.column) for f in findings}
    assert ("全网最低价", 2, 8) in where
    last = len(paragraphs)
    assert ("最好", last, paragraphs[-1].index("最好") + 1) in where
    assert any(f.rule == "S003" and f.line == paragraphs.index("转发到群领红包") + 1 for f in findings)


def test_cguard_check_reads_docx_as_json(sample):
    result = CliRunner().invoke(main, ["check", "--format", "json", *REAL, str(sample)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    findings = report["files"][0]["findings"]
    assert {"text": "全网最低价", "line": 2, "column": 8} in [
        {k: f[k] for k in ("text", "line", "column")} for f in findings]


def test_damaged_docx_is_one_error_and_others_are_still_checked(tmp_path, sample):
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = CliRunner().invoke(main, ["check", "--format", "json", *REAL, str(bad), str(sample)])
    assert result.exit_code == 1
    files = {f["path"]: f for f in json.loads(result.output)["files"]}
    assert "not a .docx" in files[str(bad)]["error"]
    assert files[str(sample)]["findings"]
    assert "Traceback" not in result.output


def test_zip_without_document_part(tmp_path):
    import zipfile

    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError, match="no word/document.xml"):
        read_path(path)


def test_directories_include_docx_but_not_word_lock_files(tmp_path, sample):
    (tmp_path / "~$脚本.docx").write_bytes(b"\x00lock")
    (tmp_path / "notes.txt").write_text("最近", encoding="utf-8")
    found = sorted(p.name for p in iter_paths([tmp_path]))
    assert found == ["notes.txt", "脚本.docx"]
