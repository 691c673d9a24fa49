"""Inline suppressions: next-line, same-line and block directives, with names (rule, pack,
category) or without, in plain text and in HTML/Markdown comments, never inside Markdown code;
unused ones reported on request."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.load.documents import from_text
from compliance_guard.run.files import check_document
from compliance_guard.run.suppressions import UNUSED_RULE, parse

DATA = Path(__file__).parent / "data"
PACK = DATA / "ci-pack.yaml"


@pytest.fixture(scope="module")
def engine():
    return Engine(load_packs([PACK], builtin=False))


def found(engine, text, name="x.txt", report_unused=False):
    doc = from_text(name, text)
    return [(f.line, f.rule, f.text) for f in check_document(engine, doc, report_unused=report_unused)]


def test_without_directives_everything_is_found(engine):
    assert found(engine, "这个最好\n销量第一\n") == [(1, "CI001", "最好"), (2, "CI002", "销量第一")]


def test_disable_next_line_by_rule_pack_or_category(engine):
    text = "cguard: disable-next-line CI001\n这个最好 销量第一\n这个最好\n"
    assert found(engine, text) == [(2, "CI002", "销量第一"), (3, "CI001", "最好")]
    for name in ("ci", "ci-claim", "CI001,CI002", "ci001 ci002"):  # pack, category, ids in any case
        assert found(engine, f"cguard: disable-next-line {name}\n这个最好 销量第一\n") == []


def test_disable_next_line_without_names_covers_everything_on_that_line_only(engine):
    assert found(engine, "cguard: disable-next-line\n这个最好 销量第一\n\n这个最好\n") == [(4, "CI001", "最好")]


def test_disable_line_and_spellings(engine):
    assert found(engine, "这个最好 cguard: disable-line\n这个最好\n") == [(2, "CI001", "最好")]
    assert found(engine, "这个最好 cguard:disable-line CI001\n") == []
    assert found(engine, "这个最好 cguard-disable-line CI002\n") == [(1, "CI001", "最好")]
    assert found(engine, "这个最好 <!-- CGUARD: Disable-Line -->\n") == []
    assert found(engine, "这个最好 xcguard: disable-line\n") == [(1, "CI001", "最好")]  # not a directive


def test_names_stop_at_a_reason_or_prose(engine):
    d = parse("cguard: disable-next-line CI001, CI002 -- 已核实 销量 数据\n")[0]
    assert d.names == frozenset({"ci001", "ci002"})
    d = parse("这里 cguard: disable-line CI001 因为品牌名\n")[0]
    assert d.names == frozenset({"ci001"})
    d = parse("<!-- cguard-disable-next-line CI001 -->")[0]
    assert d.names == frozenset({"ci001"}) and d.kind == "disable-next-line"


def test_block_disable_enable(engine):
    text = ("这个最好\n"
            "cguard: disable CI001\n"
            "这个最好 销量第一\n"
            "还是最好\n"
            "cguard: enable\n"
            "最好\n")
    assert found(engine, text) == [(1, "CI001", "最好"), (3, "CI002", "销量第一"), (6, "CI001", "最好")]


def test_block_without_enable_runs_to_the_end(engine):
    assert found(engine, "这个最好\ncguard: disable\n最好\n销量第一\n") == [(1, "CI001", "最好")]


def test_enable_with_names_closes_only_matching_blocks(engine):
    text = ("cguard: disable CI001\n"
            "cguard: disable CI002\n"
            "最好 销量第一\n"
            "cguard: enable CI002\n"
            "最好 销量第一\n")
    assert found(engine, text) == [(5, "CI002", "销量第一")]


def test_markdown_comments_are_directives_but_code_is_not(engine):
    text = ("# 标题 最好\n"
            "<!-- cguard-disable-next-line CI001 -->\n"
            "这个最好\n"
            "```\n"
            "cguard: disable\n"
            "```\n"
            "`cguard: disable-line` 这个最好\n"
            "<!-- cguard: disable ci-claim -->\n"
            "- 最好\n"
            "- 销量第一\n"
            "<!-- cguard: enable -->\n"
            "| 最好 | 好 |\n")
    assert found(engine, text, "x.md") == [(1, "CI001", "最好"), (7, "CI001", "最好"), (12, "CI001", "最好")]


def test_unused_suppressions_are_reported_on_request(engine):
    text = ("cguard: disable-next-line CI002\n"  # line 2 has no CI002: unused
            "这个最好\n"
            "这个最好 cguard: disable-line\n"  # used
            "cguard: enable\n")  # closes nothing
    plain = found(engine, text)
    assert plain == [(2, "CI001", "最好")]
    reported = found(engine, text, report_unused=True)
    assert reported == [(1, UNUSED_RULE, "cguard: disable-next-line CI002"), (2, "CI001", "最好"),
                        (4, UNUSED_RULE, "cguard: enable")]


def test_unused_directive_span_in_a_comment_excludes_the_comment_markers(engine):
    doc = from_text("x.md", "<!-- cguard-disable-next-line CI001 -->\n最近\n")
    [f] = check_document(engine, doc, report_unused=True)
    assert f.rule == UNUSED_RULE and f.text == "cguard-disable-next-line CI001"
    assert doc.text[f.start:f.end] == f.text and (f.line, f.column) == (1, 6)


def test_cli_report_unused_suppressions(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("<!-- cguard-disable-next-line CI001 -->\n这个最好\n<!-- cguard-disable-next-line CI002 -->\n最近\n",
                    encoding="utf-8")
    args = ["check", "--no-config", "--pack", str(PACK), "--select", "ci", "--format", "json", str(path)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0 and json.loads(r.stdout)["files"][0]["findings"] == []
    r = CliRunner().invoke(main, args + ["--report-unused-suppressions", "--fail-on", "warning"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads((DATA / "check-output.schema.json").read_text(encoding="utf-8")))
    [f] = doc["files"][0]["findings"]
    assert (f["rule"], f["line"], f["severity"]) == (UNUSED_RULE, 3, "warning")
    assert "「cguard-disable-next-line CI002」" in f["message"]  # the rule id as written
