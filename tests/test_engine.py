from compliance_guard.engine import Engine
from compliance_guard.text import segment


def rules_hit(engine, text):
    return [(f.rule, f.text) for f in engine.check(text)]


def test_term_found_at_original_offsets(fixture_engine):
    text = "第一行\n这个蕞 好的东西"
    [f] = fixture_engine.check(text)
    assert (f.rule, f.text) == ("S001", "蕞 好")
    assert text[f.start:f.end] == f.text
    assert (f.line, f.column, f.end_line, f.end_column) == (2, 3, 2, 6)
    assert f.suggestions == ["很好"]
    assert f.message == "「蕞 好」x"


def test_token_boundary_rejects_inside_words(fixture_engine):
    # 第一次 is one jieba token: 第一 does not end on a token edge
    assert rules_hit(fixture_engine, "第一次来这里") == []
    assert rules_hit(fixture_engine, "销量第一的产品") == [("S001", "第一")]


def test_allow_tokens_and_patterns_drop_candidates(fixture_engine):
    assert rules_hit(fixture_engine, "最好先量一下腰围") == []
    assert rules_hit(fixture_engine, "这款最好") == [("S001", "最好")]


def test_needs_evidence_downgrades_to_warning(fixture_engine):
    [f] = fixture_engine.check("2023年天猫第一")
    assert f.severity.value == "warning"
    assert "证据" in f.message


def test_longest_overlapping_finding_wins(fixture_engine):
    assert rules_hit(fixture_engine, "全网最低价！") == [("S001", "全网最低价")]


def test_regex_rule_runs_on_normalised_text_with_word_edges(fixture_engine):
    assert rules_hit(fixture_engine, "ＮＯ．１的品质") == [("S002", "ＮＯ．１")]
    assert rules_hit(fixture_engine, "no.10 型号") == []


def test_cooccurrence_within_a_sentence(fixture_engine):
    [f] = fixture_engine.check("快转发到朋友圈，领取红包")
    assert f.rule == "S003" and f.text.startswith("转发") and f.text.endswith("领")
    assert rules_hit(fixture_engine, "欢迎转发。明天领红包") == []


def test_variants_and_repeats(fixture_engine):
    assert rules_hit(fixture_engine, "国货zui好") == [("S001", "zui好")]
    assert rules_hit(fixture_engine, "最最最好") == [("S001", "最最最好")]


def test_select_and_ignore(fixture_engine):
    packset = fixture_engine.packset
    assert [r.id for r in Engine(packset, select=["S002"]).rules] == ["S002"]
    assert "S002" not in [r.id for r in Engine(packset, ignore=["S002"]).rules]
    assert Engine(packset, ignore=["smoke"]).rules == []


def test_severity_override_and_allow_listed_terms(fixture_engine):
    packset = fixture_engine.packset
    eng = Engine(packset, severity={"S001": "info"}, allow_terms=["最好牌"])
    assert [f.severity.value for f in eng.check("这个最好")] == ["info"]
    assert eng.check("最好牌酱油") == []


def test_empty_text(fixture_engine):
    assert fixture_engine.check("") == []


def test_clean_text_does_not_need_jieba(fixture_engine):
    # a candidate-free text never asks for token edges
    assert segment.token_edges("anything", []) == set()


def test_all_finding_texts_are_original_slices(fixture_engine):
    text = "國家級 ＮＯ．１ 最\u200b好 全\n网\n最\n低\n价 转发给好友，领红包"
    findings = fixture_engine.check(text)
    assert findings
    for f in findings:
        assert text[f.start:f.end] == f.text


def test_exemptions_look_at_the_next_real_word():
    """最好 + verb is advice; whitespace, emphasis, emoji, line ends and masked regions are not
    a next word (issue 11, item 7)."""
    from conftest import builtin_engine

    from compliance_guard.load.documents import from_text
    from compliance_guard.run.files import check_document

    def abs001(name, text):
        return [f.text for f in check_document(builtin_engine(), from_text(name, text)) if f.rule == "ABS001"]

    for name, text in [("a.txt", "效果最好 "), ("a.md", "**效果最好**"), ("a.md", "效果最好__"), ("a.md", "~~效果最好~~"),
                       ("a.txt", "效果最好 。"), ("a.txt", "效果最好😀"), ("a.txt", "效果最好\n\nok"),
                       ("a.md", "[效果最好](https://example.com)"), ("a.txt", "推荐：「效果最好」"),
                       ("a.srt", "1\n00:00:00,000 --> 00:00:02,000\n效果最好 \n\n2\n00:00:02,000 --> 00:00:04,000\n用温水\n")]:
        assert abs001(name, text) == ["最好"], (name, text)
    for name, text in [("a.txt", "最好 用温水"), ("a.md", "最好 **先量**腰围"), ("a.txt", "最好先量腰围 "),
                       ("a.md", "**最好先量腰围**"), ("a.txt", "tips: 最好的是键盘手感")]:
        assert abs001(name, text) == [], (name, text)


def test_allow_listed_terms_drop_only_the_findings_they_cover():
    """README: findings *inside* allowed terms are dropped. A term inside a finding, or one
    that merely overlaps it, drops nothing (issue 11, item 9)."""
    from compliance_guard.engine.packs import load_packs

    def texts(allow, text):
        return [f.text for f in Engine(load_packs(), allow_terms=allow).check(text) if f.category == "absolute-claim"]

    text = "全网最低价，史上最强，顶级坊的点心，No.1坊的面包，还是顶级"
    assert texts([], text) == ["全网最低价", "史上最强", "顶级", "No.1", "顶级"]
    assert texts(["最"], text) == texts([], text)
    assert texts(["最低价", "网最", "史上最强大"], text) == texts([], text)
    assert texts(["顶级坊", "ＮＯ．１坊"], text) == ["全网最低价", "史上最强", "顶级"]
