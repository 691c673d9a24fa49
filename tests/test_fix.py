"""``cguard fix``: only single literal suggestions are applied, only inside finding spans;
overlaps, advice, markup and line breaks go to a human; CRLF, BOM, GBK and UTF-16 files keep
every other byte."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.run.files import check_document
from compliance_guard.run.fix import plan_edits, plan_file
from compliance_guard.text.lines import LineIndex
from compliance_guard.text.wording import is_literal

DATA = Path(__file__).parent / "data"
PACK = DATA / "ci-pack.yaml"
OTHER = DATA / "ci-other-pack.yaml"


@pytest.fixture(scope="module")
def engine():
    return Engine(load_packs([PACK], builtin=False))


@pytest.fixture(scope="module")
def both():
    return Engine(load_packs([PACK, OTHER], builtin=False))


def fix(*args):
    return CliRunner().invoke(main, ["fix", "--no-config", "--pack", str(PACK), "--select", "ci", *args])


def plan(engine, path):
    return plan_file(path, lambda doc: check_document(engine, doc))


def outside_spans_equal(old: str, new: str, edits) -> bool:
    """Everything outside the edited spans is unchanged, in order."""
    pos, out = 0, []
    for e in sorted(edits, key=lambda e: e.start):
        out.append(old[pos:e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(old[pos:])
    return "".join(out) == new


@pytest.mark.parametrize("s, literal", [
    ("很好", True), ("好物", True), ("性价比高", True),
    ("写明具体价格和条件", False), ("到手价XX元（写明具体价格和条件）", False), ("更好（需说明比较对象）", False),
    ("第X代技术", False), ("删除“没有之一”", False), ("取消与分享挂钩的奖励", False),
    ("在显著位置加注「本品不能代替药物」", False), ("", False),
])
def test_literal_suggestions(s, literal):
    assert is_literal(s) is literal


def test_diff_replaces_only_single_literal_suggestions(tmp_path, engine):
    path = tmp_path / "a.txt"
    path.write_text("开头\n这个最好，顶级品质\n销量第一\n全网最低价\n收纳神器\n", encoding="utf-8")
    p = plan(engine, path)
    assert [(e.replacement, p.text[e.start:e.end]) for e in p.edits] == [("很好", "最好"), ("好物", "神器")]
    reasons = {f.text: why for f, why in p.manual}
    assert reasons == {"顶级": "2 suggestions: 高端 / 优质", "销量第一": "no suggestion",
                       "全网最低价": "the suggestion is advice: 写明具体价格和条件"}
    assert p.fixed_text() == "开头\n这个很好，顶级品质\n销量第一\n全网最低价\n收纳好物\n"
    assert outside_spans_equal(p.text, p.fixed_text(), p.edits)
    assert p.diff() == (
        f"--- {path}\n+++ {path}\n@@ -1,5 +1,5 @@\n 开头\n-这个最好，顶级品质\n+这个很好，顶级品质\n"
        " 销量第一\n 全网最低价\n-收纳神器\n+收纳好物\n")
    assert path.read_text(encoding="utf-8").count("最好") == 1  # planning writes nothing


def test_cli_prints_diff_lists_the_rest_and_write_applies(tmp_path):
    path = tmp_path / "a.md"
    original = "# 最好的选择\n\n- 顶级\n- 神器\n"
    path.write_text(original, encoding="utf-8")
    r = fix(str(path))
    assert r.exit_code == 1
    assert r.stdout.startswith(f"--- {path}\n+++ {path}\n")
    assert "-# 最好的选择\n+# 很好的选择\n" in r.stdout and "-- 神器\n+- 好物\n" in r.stdout
    assert f"{path}:3:3: CI001 「顶级」 needs a human: 2 suggestions: 高端 / 优质" in r.stderr
    assert path.read_text(encoding="utf-8") == original
    r = fix("--write", str(path))
    assert r.exit_code == 1  # 顶级 is still left for a human
    assert r.stdout == ""
    assert path.read_text(encoding="utf-8") == "# 很好的选择\n\n- 顶级\n- 好物\n"
    assert "2 finding(s) fixed in 1 file(s); 1 left for a human" in r.stderr
    path.write_text("# 很好\n", encoding="utf-8")
    r = fix(str(path))
    assert r.exit_code == 0 and r.stdout == ""


def test_overlapping_findings_with_different_remedies_are_left_alone(tmp_path, both):
    path = tmp_path / "a.txt"
    # 最好 (CI001 -> 很好) overlaps 最好用 (CIO001 -> 好用); 神器 (CI003 -> 好物) lies inside
    # 收纳神器 (CIO001 -> 好物) with another span; 顶级 stands alone but has two suggestions
    path.write_text("这个最好用\n收纳神器\n这个最好\n", encoding="utf-8")
    p = plan(both, path)
    assert [(p.text[e.start:e.end], e.replacement) for e in p.edits] == [("最好", "很好")]  # only line 3
    assert p.edits[0].findings[0].line == 3
    manual = sorted((f.rule, f.text, why) for f, why in p.manual)
    assert manual == [("CI001", "最好", "overlaps CIO001 with another remedy"),
                      ("CI003", "神器", "overlaps CIO001 with another remedy"),
                      ("CIO001", "收纳神器", "overlaps CI003 with another remedy"),
                      ("CIO001", "最好用", "overlaps CI001 with another remedy")]


def test_same_span_same_remedy_is_one_edit():
    def finding(rule):
        f = Finding(rule, "p", rule, Severity.ERROR, "m", "最好", 2, 4, suggestions=["很好"])
        return LineIndex("这个最好\n").locate(f)

    edits, manual = plan_edits("这个最好\n", [finding("A1"), finding("B1")])
    assert manual == [] and len(edits) == 1 and len(edits[0].findings) == 2


def test_markup_and_line_breaks_inside_a_span_need_a_human(tmp_path, engine):
    path = tmp_path / "a.md"
    path.write_text("这是**最**好\n这个最\n好\n", encoding="utf-8")
    p = plan(engine, path)
    assert p.edits == []
    assert sorted(why for _, why in p.manual) == ["spans a line break", "the span holds Markdown markup"]
    txt = tmp_path / "a.txt"  # in plain text the stars are evasion filler: replace the whole span
    txt.write_text("这是**最**好\n", encoding="utf-8")
    p = plan(engine, txt)
    assert p.fixed_text() == "这是**很好\n"


@pytest.mark.parametrize("name, raw, expected", [
    ("crlf-bom.txt", "\ufeff第一行最好\r\n第二行\r\n最好".encode("utf-8"),
     "\ufeff第一行很好\r\n第二行\r\n很好".encode("utf-8")),
    ("cr.txt", "旧 Mac\r最好\r".encode(), "旧 Mac\r很好\r".encode()),
    ("gbk.txt", "广告：这个最好\r\n".encode("gbk"), "广告：这个很好\r\n".encode("gbk")),
    ("utf16.txt", "\ufeff这个最好\r\n".encode("utf-16-le"), "\ufeff这个很好\r\n".encode("utf-16-le")),
    ("utf16be.txt", "\ufeff这个最好\n".encode("utf-16-be"), "\ufeff这个很好\n".encode("utf-16-be")),
])
def test_write_keeps_encoding_bom_and_line_endings(tmp_path, name, raw, expected):
    path = tmp_path / name
    path.write_bytes(raw)
    r = fix("--write", str(path))
    assert r.exit_code == 0, r.output
    assert path.read_bytes() == expected


def test_crlf_diff_keeps_carriage_returns(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("一\r\n最好\r\n".encode())
    r = fix(str(path))
    assert "-最好\r\n+很好\r\n".encode() in r.stdout_bytes  # .stdout would fold \r\n


def test_no_newline_at_end_of_file_is_marked(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("最好", encoding="utf-8")
    assert fix(str(path)).stdout.endswith("-最好\n\\ No newline at end of file\n+很好\n\\ No newline at end of file\n")


def test_unfixable_inputs_are_reported_not_crashed(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x00")
    (tmp_path / "ok.txt").write_text("最好\n", encoding="utf-8")
    r = fix("--write", str(tmp_path / "bin.txt"), str(tmp_path / "ok.txt"), str(tmp_path / "missing.txt"))
    assert r.exit_code == 1
    assert "binary file" in r.stderr and "missing.txt" in r.stderr
    assert (tmp_path / "ok.txt").read_text(encoding="utf-8") == "很好\n"


def test_fix_honours_config_and_suppressions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path(".cguard.yaml").write_text(f"packs: [{PACK}]\nselect: [ci]\nexclude: [drafts]\n", encoding="utf-8")
    Path("drafts").mkdir()
    Path("drafts/d.txt").write_text("最好\n", encoding="utf-8")
    Path("a.txt").write_text("最好 cguard: disable-line\n最好\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["fix", "a.txt"])
    assert r.stdout == "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n 最好 cguard: disable-line\n-最好\n+很好\n"
    r = CliRunner().invoke(main, ["fix", "--write", "."])
    assert Path("a.txt").read_text(encoding="utf-8") == "最好 cguard: disable-line\n很好\n"
    assert Path("drafts/d.txt").read_text(encoding="utf-8") == "最好\n"
    assert r.exit_code == 0


FIX_PACK = """\
pack: fx
category: fx-claim
rules:
  - id: FX1
    terms: [顶级, 全网最低价]
    suggest: {顶级: [高端, 优质], 全网最低价: [超值价, 写明具体价格和条件]}
    fix: {全网最低价: 超值价}
    examples: {bad: [顶级], good: [最近]}
"""


def test_the_packs_fix_is_applied_where_a_term_has_several_suggestions(tmp_path):
    pack = tmp_path / "fx.yaml"
    pack.write_text(FIX_PACK, encoding="utf-8")
    path = tmp_path / "a.txt"
    path.write_text("顶级品质，全网最低价\n", encoding="utf-8")
    p = plan(Engine(load_packs([pack], builtin=False)), path)
    assert [(p.text[e.start:e.end], e.replacement) for e in p.edits] == [("全网最低价", "超值价")]
    assert [(f.text, why) for f, why in p.manual] == [("顶级", "2 suggestions: 高端 / 优质")]


@pytest.fixture(scope="module")
def builtin():
    from conftest import builtin_engine

    return builtin_engine()


def test_builtin_packs_fix_the_common_claims(tmp_path, builtin):
    """Built-in rules offer several suggestions, so `cguard fix` fixed nothing on real copy:
    the packs now mark one neutral wording per term where one is a safe drop-in."""
    path = tmp_path / "a.txt"
    path.write_text("姐妹们，这款面膜是全网最低价！\n夏日出游首选，独一无二的设计\n今天直播间最低价\n", encoding="utf-8")
    p = plan(builtin, path)
    assert p.fixed_text() == "姐妹们，这款面膜是超值价！\n夏日出游优选，独特的设计\n今天直播间优惠价\n"
    lowest = [f for e in p.edits for f in e.findings if f.text == "全网最低价"]
    assert {f.rule for f in lowest} == {"ABS007", "PRICE004"}  # two packs, one remedy: one edit


def test_claims_that_need_proof_or_rewriting_are_left_for_a_human(tmp_path, builtin):
    """历史最低价 may stand with evidence; medical and induced-sharing claims need rewriting."""
    path = tmp_path / "a.txt"
    path.write_text("近30天历史最低价\n喝了能治疗失眠\n转发到3个群截图领红包\n", encoding="utf-8")
    p = plan(builtin, path)
    assert p.edits == [] and len(p.manual) >= 3
    assert all(f.to_dict().keys() >= {"suggestions"} and "fix" not in f.to_dict() for f, _ in p.manual)
