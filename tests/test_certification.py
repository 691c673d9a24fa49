"""Certificate and filing numbers: extraction, part-by-part validation, the SC check digit,
and the category requirements of listings (the formats and listing duties in docs/sources.md)."""
from __future__ import annotations

import dataclasses
import functools
import gc

import pytest
from conftest import listing_findings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_guard.checks.certification import grammar, reading
from compliance_guard.checks.certification import numbers as number_checks
from compliance_guard.checks.certification.grammar import NUMBER_KINDS
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.model.finding import Severity
from compliance_guard.text.view import TextView


@pytest.fixture(scope="module")
def packset():
    return load_packs()


@pytest.fixture(scope="module")
def engine(packset):
    return Engine(packset, select=["certification"])


@pytest.fixture(scope="module")
def numbers(packset):
    """The number-format rules only (requirement rules would flag a lone 保健食品 number)."""
    ids = [r.id for r in packset.rules if r.pack == "certification" and r.check != "category-requirement"]
    return Engine(packset, select=ids)


@pytest.fixture(scope="module")
def rules(engine):
    return engine.rules


def hits(engine, text, rule=None):
    return [f for f in engine.check(text) if rule is None or f.rule == rule]


# -- ISO 7064 MOD 11,10, written independently of the module ---------------------------------

def iso7064_hybrid_valid(digits: str) -> bool:
    """ISO 7064 hybrid MOD 11,10: a number is valid when the last intermediate sum is 1 (mod 10)."""
    product = 10
    for i, ch in enumerate(digits):
        total = (product + int(ch)) % 10
        if i == len(digits) - 1:
            return total == 1
        product = ((total if total else 10) * 2) % 11
    return False


def check_digit_by_search(body: str) -> str:
    found = [c for c in "0123456789" if iso7064_hybrid_valid(body + c)]
    assert len(found) == 1  # the hybrid system has exactly one check digit per body
    return found[0]


@pytest.mark.parametrize("number", ["SC11834020305037", "SC12744040400094", "SC10737110203268"])
def test_public_valid_sc_numbers_satisfy_mod_11_10(number, engine):
    assert iso7064_hybrid_valid(number[2:])
    assert hits(engine, f"生产许可证编号：{number}") == []


@pytest.mark.parametrize("known", ["SC11834020305037", "SC12744040400094"])
def test_every_wrong_check_digit_is_a_warning_naming_the_right_digit(known, engine):
    body = known[2:15]
    right = check_digit_by_search(body)
    assert right == known[-1]
    for wrong in sorted(set("0123456789") - {right}):
        found = hits(engine, f"SC{body}{wrong}")
        assert [f.rule for f in found] == ["CERT002"], wrong
        assert found[0].severity is Severity.WARNING
        assert f"应为{right}" in found[0].message and f"此处为{wrong}" in found[0].message


def test_check_digit_of_a_number_built_from_parts(engine):
    body = "1" + "05" + "44" + "03" + "06" + "0123"  # 乳制品, 广东
    good = "SC" + body + check_digit_by_search(body)
    assert hits(engine, good) == []
    bad = "SC" + body + str((int(good[-1]) + 1) % 10)
    assert [f.rule for f in hits(engine, bad)] == ["CERT002"]


# -- valid numbers of every type: no certification finding at all --------------------------

VALID = [
    # §5.2 table
    "SC11834020305037", "SC12744040400094", "SC10737110203268",
    "JY11108071215650",
    "国食健注G20250288", "食健备G202044000123", "食健备J202000001234",
    "国妆特字G20190372", "国妆特进字J20210123",
    "粤G妆网备字2019145275", "沪G妆网备字2024024096", "国妆网备进字（沪）2018001583",
    "国械注准20153460123", "粤械注准20202140567", "国械注进20192060001",
    "粤穗械备20200001", "国械备20190012",
    "国药准字H20041126", "国药准字Z11020001", "国药准字HJ20200001",
    "CCC证书编号：2016010901123456",
    # own
    "国食健注J20180012", "国妆特制字Z20200015", "国妆网备制字（粤）2021000123",
    "京械备20150003", "国械注许20203140012", "国药准字S20030004", "国药准字J20150033",
    "3C认证证书号 2020011606123456",
    "食品经营许可证：JY 1110 8071 2156 50",
    "生产许可证编号：ＳＣ１１８３４０２０３０５０３７",
    "注册证编号：国 械 注 准 2015 3460123",
    "备案编号：國妝網備進字(滬)2018001583",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_numbers_give_no_finding(text, numbers):
    assert hits(numbers, text) == []
    assert find_numbers(text), "the number must still be recognised"


# -- invalid numbers: the rule and the part that is wrong -----------------------------------

INVALID = [
    # (text, rule, words the message must contain)
    ("SC1183402030503", "CERT001", ["14位", "13位"]),
    ("SC31834020305037", "CERT001", ["第1位应为1（食品）或2（食品添加剂）", "此处为3"]),
    ("SC13534020305037", "CERT001", ["食品类别码", "01–31", "此处为35"]),
    ("SC20534020305037", "CERT001", ["食品添加剂类别码", "01–03", "此处为05"]),
    ("SC11899020305037", "CERT001", ["省级行政区划代码", "99"]),
    ("SC118340203050371", "CERT001", ["14位", "15位"]),
    ("QS110001010001", "CERT003", ["QS", "SC"]),
    ("JY1110807121565", "CERT004", ["14位", "13位"]),
    ("JY01108071215650", "CERT004", ["主体业态", "此处为0"]),
    ("国食健注G2025028", "CERT005", ["8位", "7位"]),
    ("国食健注X20250288", "CERT005", ["G（国产）或J（进口）", "此处为X"]),
    ("国食健注20250288", "CERT005", ["缺少字母"]),
    ("国食健注G20990288", "CERT005", ["年份", "2099"]),
    ("食健备G20204400012", "CERT005", ["12位", "11位"]),
    ("食健备J202044000123", "CERT005", ["应为00", "此处为44"]),
    ("食健备G202099000123", "CERT005", ["省级代码", "99"]),
    ("国食健字G20040123", "CERT006", ["旧批准文号"]),
    ("卫食健字(2001)第0123号", "CERT006", ["旧批准文号"]),
    ("国妆特字J20190372", "CERT007", ["国妆特字G", "国妆特进字J", "此处为「国妆特字J」"]),
    ("国妆特字G2019037", "CERT007", ["8位", "7位"]),
    ("粤G妆网备字20191452", "CERT007", ["10位", "8位"]),
    ("国妆网备字20260001", "CERT007", ["省份简称开头", "国妆网备进字"]),
    ("港G妆网备字2019145275", "CERT007", ["「港」不是内地省份简称"]),
    ("粤妆网备字2019145275", "CERT007", ["字母G", "缺少"]),
    ("国妆网备进字2018001583", "CERT007", ["括号注明", "省份简称"]),
    ("卫妆特字(2012)第0123号", "CERT008", ["旧版"]),
    ("国械注准20154460123", "CERT009", ["管理类别", "此处为4"]),
    ("国械注准2015346012", "CERT009", ["11位", "10位"]),
    ("国械注准20152460123", "CERT009", ["境内第三类", "应为3", "此处为2"]),
    ("粤械注准20203140567", "CERT009", ["境内第二类", "应为2", "此处为3"]),
    ("粤械注进20202140567", "CERT009", ["国械注进"]),
    ("国械注准20151460123", "CERT009", ["第一类", "备案"]),
    ("国械注准18153460123", "CERT009", ["批准年份", "1815"]),
    ("粤穗械备2020001", "CERT009", ["至少4位流水号", "7位"]),
    ("国食药监械(准)字2013第3460123号", "CERT010", ["旧版"]),
    ("国药准字X20041126", "CERT011", ["H（化学药）", "此处为「X」"]),
    ("国药准字H2004112", "CERT011", ["8位", "7位"]),
    ("国药准字20041126", "CERT011", ["此处缺少"]),
    ("CCC证书编号：201601090112345", "CERT012", ["16位", "15位"]),
    ("3C认证证书编号1999010901123456", "CERT012", ["2002年", "1999"]),
]


@pytest.mark.parametrize("text,rule,words", INVALID)
def test_invalid_numbers_say_which_part_is_wrong(text, rule, words, numbers):
    found = hits(numbers, text)
    assert [f.rule for f in found] == [rule]
    for w in words:
        assert w in found[0].message, (w, found[0].message)
    assert found[0].severity is numbers.packset.rule(rule).severity


def test_number_in_free_text_is_found_with_original_offsets(engine):
    text = "这款坚果很香，生产许可证编号SC1143306240018，欢迎选购"
    (f,) = hits(engine, text)
    assert f.rule == "CERT001" and f.text == "SC1143306240018"
    assert text[f.start:f.end] == f.text
    assert (f.line, f.column) == (1, text.index("SC") + 1)


def test_full_width_and_spaced_number_maps_back_to_the_original(engine):
    text = "编号：ＳＣ３１８ ３４０２ ０３０５ ０３７。"
    (f,) = hits(engine, text)
    assert f.rule == "CERT001" and "此处为3" in f.message
    assert f.text == "ＳＣ３１８ ３４０２ ０３０５ ０３７" == text[f.start:f.end]


def test_a_following_number_is_not_glued_to_a_short_sc_number(engine):
    (f,) = hits(engine, "SC1143306240018 2023年生产")
    assert f.text == "SC1143306240018" and "13位" in f.message


def test_several_numbers_in_one_text_each_reported(numbers):
    text = "SC31834020305037；国械注准20154460123；国药准字H20041126；食健备G20204400012"
    assert [f.rule for f in hits(numbers, text)] == ["CERT001", "CERT009", "CERT005"]


# -- hard negatives ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "新一级能效空调，省电静音",
    "这个价格很实惠，性价比高",
    "执行标准GB/T 123",
    "执行标准：GB/T 19001-2016，产品标准号Q/XYZ 0001S-2020",
    "3C数码专营店 客服电话13812345678",
    "3C数码 客服热线 400-123-4567",
    "3C配件 订单号2023112012345678",
    "已通过CCC认证，放心使用",
    "身份证号 110101199003071234 3C",
    "企业微信SCRM系统，食品类需上传SC编码",
    "QS世界大学排名2024年第50位",
    "DISC1234567890 光盘",
    "国药准字号的药品需凭处方购买",
    "械字号面膜不是化妆品",
    "SC 2023秋季新款",
])
def test_hard_negatives(text, engine):
    assert hits(engine, text) == []


def test_drug_number_with_sc_letters_is_not_an_sc_number(engine):
    assert [n.kind for n in find_numbers("国药准字SC20180001")] == ["drug"]
    assert hits(engine, "国药准字SC20180001") == []


def test_ccc_number_needs_its_context():
    assert find_numbers("证书 2016010901123456", ["ccc"]) == []
    assert [n.value for n in find_numbers("CCC：2016010901123456", ["ccc"])] == ["2016010901123456"]


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown certificate kind"):
        find_numbers("SC11834020305037", ["sc", "nope"])


def test_every_kind_is_reachable():
    text = "；".join(VALID + [t for t, _, _ in INVALID])
    assert {n.kind for n in find_numbers(text)} == set(NUMBER_KINDS)


# -- category requirements (listing level) ---------------------------------------------

def find_numbers(text, kinds=NUMBER_KINDS):
    return reading.find_numbers(TextView(text), kinds)


def check_listing(fields, category, rules):
    return listing_findings(fields, rules, category)


def rule_ids(findings):
    return sorted(f.rule for f in findings)


def test_food_without_sc_points_at_the_category(rules):
    fields = {"title": "每日坚果混合装 750g", "category": "休闲食品>坚果"}
    found = check_listing(fields, None, rules)
    assert rule_ids(found) == ["CERT020"]
    f = found[0]
    assert f.field == "category" and (f.start, f.end) == (0, len(fields["category"])) and f.text == fields["category"]
    assert "休闲食品>坚果" in f.message


@pytest.mark.parametrize("fields", [
    {"title": "每日坚果 SC11834020305037"},
    {"title": "每日坚果", "description": "生产许可证编号：SC11834020305037"},
    {"title": "每日坚果", "sc": "SC11834020305037"},
    {"title": "每日坚果", "sc": "11834020305037"},
])
def test_food_with_sc_anywhere_is_fine(fields, rules):
    assert check_listing(fields, "休闲食品", rules) == []


def test_a_malformed_sc_still_counts_as_shown_and_is_reported_by_its_format_rule(rules, engine):
    assert check_listing({"title": "坚果 SC1143306240018"}, "休闲食品", rules) == []
    assert [f.rule for f in hits(engine, "坚果 SC1143306240018")] == ["CERT001"]


def test_bare_number_field_is_validated_with_its_prefix(rules):
    found = check_listing({"title": "每日坚果", "sc": " 31834020305037 "}, "休闲食品", rules)
    assert rule_ids(found) == ["CERT001"]
    f = found[0]
    assert f.field == "sc" and f.text == "31834020305037" and (f.start, f.end) == (1, 15)
    assert "此处为3" in f.message and "「31834020305037」" in f.message
    warn = check_listing({"sc": "11834020305038"}, None, rules)
    assert rule_ids(warn) == ["CERT002"] and warn[0].severity is Severity.WARNING


def test_bare_ccc_field_is_validated(rules):
    found = check_listing({"ccc": "1999010901123456"}, None, rules)
    assert rule_ids(found) == ["CERT012"] and found[0].field == "ccc"
    assert check_listing({"ccc": "2016010901123456"}, None, rules) == []


@pytest.mark.parametrize("category,flags", [
    ("进口食品", {}), ("生鲜水果", {}), ("茶具", {}), ("宠物食品", {}),
    ("休闲食品", {"cross_border": "是"}), ("休闲食品", {"imported": "1"}),
])
def test_food_exemptions(category, flags, rules):
    assert "CERT020" not in rule_ids(check_listing({"title": "零食", **flags}, category, rules))


def test_category_from_fields_when_not_given(rules):
    assert rule_ids(check_listing({"title": "大米", "category": "粮油米面"}, None, rules)) == ["CERT020"]
    assert check_listing({"title": "大米", "category": "粮油米面"}, "家居日用", rules) == []


def test_health_food_needs_number_and_disclaimer(rules):
    sc = "SC12744040400094"
    assert rule_ids(check_listing({"title": f"鱼油软胶囊 {sc}"}, "保健食品", rules)) == ["CERT021", "CERT022"]
    assert rule_ids(check_listing({"title": f"鱼油 {sc} 国食健注G20250288"}, "保健食品", rules)) == ["CERT022"]
    assert rule_ids(check_listing({"title": f"鱼油 {sc}", "description": "本品不能代替药物"}, "保健食品",
                                  rules)) == ["CERT021"]
    fine = {"title": f"鱼油 {sc} 食健备G202044000123", "description": "本品 不能代替药物。"}
    assert check_listing(fine, "保健食品", rules) == []


def test_health_food_number_makes_any_listing_a_health_food(rules):
    found = check_listing({"title": "鱼油 国食健注G20250288"}, "滋补营养", rules)
    assert rule_ids(found) == ["CERT022"]
    assert found[0].field == "category"


def test_cross_border_health_food_is_exempt(rules):
    assert check_listing({"title": "澳洲鱼油", "cross_border": "是",
                          "description": "商品符合原产地标准，可能与我国标准存在差异"}, "保健品", rules) == []


def test_cosmetic_claiming_special_efficacy_needs_special_registration(rules):
    fields = {"title": "烟酰胺美白精华液 30ml", "description": "温和不刺激"}
    found = check_listing(fields, "美妆护肤>精华", rules)
    assert rule_ids(found) == ["CERT023"]
    f = found[0]
    assert f.field == "title" and f.text == "美白" and fields["title"][f.start:f.end] == "美白"
    assert "国妆特字" in f.message
    fields["description"] = "国妆特字G20190372"
    assert check_listing(fields, "美妆护肤>精华", rules) == []


def test_ordinary_filing_with_special_claim_names_the_filing(rules):
    fields = {"title": "清爽防晒乳 SPF50+", "description": "备案编号：粤G妆网备字2019145275"}
    found = check_listing(fields, "美妆护肤", rules)
    assert rule_ids(found) == ["CERT023"]
    assert "粤G妆网备字2019145275" in found[0].message and "普通化妆品" in found[0].message


@pytest.mark.parametrize("title,category", [
    ("玻尿酸补水面膜", "美妆护肤"),
    ("氨基酸洁面乳，不含美白成分", "美妆护肤"),
    ("持妆不脱色，防脱妆粉底液", "彩妆"),
    ("冰丝防晒衣", "服饰"),
    ("烫发后修护发膜", "美发护发"),
])
def test_cosmetic_claim_negatives(title, category, rules):
    assert check_listing({"title": title}, category, rules) == []


def test_medical_device_needs_registration_or_filing(rules):
    assert rule_ids(check_listing({"title": "上臂式电子血压计"}, "医疗器械", rules)) == ["CERT024"]
    assert check_listing({"title": "电子血压计", "registration": "粤械注准20202140567"}, "医疗器械", rules) == []
    assert check_listing({"title": "医用冷敷贴", "registration": "粤穗械备20200001"}, "医疗器械", rules) == []


def test_cross_border_disclosure(rules):
    found = check_listing({"title": "澳洲奶粉", "cross_border": "是"}, "母婴", rules)
    assert rule_ids(found) == ["CERT025"] and found[0].severity is Severity.WARNING
    ok = {"title": "澳洲奶粉", "cross_border": "是",
          "description": "本商品符合原产地有关质量、安全、卫生、环保、标识等标准，可能与我国标准存在差异"}
    assert check_listing(ok, "母婴", rules) == []
    assert check_listing({"title": "澳洲奶粉", "cross_border": "否"}, "母婴", rules) == []


def test_requirements_follow_the_yaml_options(engine):
    """Category names live in YAML: a rule copy with other options behaves accordingly."""
    food = engine.packset.rule("CERT020")
    custom = dataclasses.replace(food, options={**food.options, "categories": ["宠物口粮"], "exempt_categories": []})
    assert check_listing({"title": "狗粮"}, "宠物口粮", [custom])[0].rule == "CERT020"
    assert check_listing({"title": "坚果"}, "休闲食品", [custom]) == []


def test_ignored_rules_are_not_applied(packset):
    engine = Engine(packset, ignore=["CERT020"])
    assert check_listing({"title": "坚果"}, "休闲食品", engine.rules) == []


def test_default_rules_are_the_builtin_packs():
    assert rule_ids(check_listing({"title": "坚果"}, "休闲食品", load_packs().rules)) == ["CERT020"]


# -- requirement rules on free text ----------------------------------------------------

def test_pasted_listing_with_category_line(engine):
    text = "类目：休闲食品\n标题：每日坚果混合装"
    (f,) = hits(engine, text, "CERT020")
    assert f.text == "休闲食品" and f.field is None and (f.line, f.column) == (1, 4)


def test_health_food_ad_without_disclaimer(engine):
    text = "国食健注G20250288 增强免疫力，每天两粒"
    (f,) = hits(engine, text, "CERT022")
    assert f.text == "国食健注G20250288"
    assert hits(engine, text + "。本品不能代替药物", "CERT022") == []


def test_scripts_without_category_line_are_not_held_to_listing_requirements(engine):
    for text in ["这款坚果每天一包，好吃不贵", "美白精华，熬夜党必备", "电子血压计，家用方便", "澳洲直邮奶粉"]:
        assert hits(engine, text) == []


# -- reading each text once (issue 14): the same numbers as parsing it rule by rule --------------

def reference_numbers(text, kinds, number_grammar):
    """Numbers as each rule found them before they were shared: its own parse of the plain text."""
    norm = TextView(text).plain
    if not grammar.TRIGGER.search(norm.text):
        return []
    found = [n for parser in dict.fromkeys(grammar._PARSERS[k] for k in kinds)
             for n in parser(norm.text, number_grammar) if n.kind in kinds]
    found.sort(key=lambda n: (n.start, n.end))
    return [dataclasses.replace(n, start=s, end=e) for n in found for s, e in [norm.span(n.start, n.end)]]


def number_grammars(packset):
    from compliance_guard.checks import CHECKS

    rules = [r for r in packset.rules if r.pack == "certification" and r.check not in (None, "category-requirement")]
    prepared = [CHECKS[r.check].prepare(CHECKS[r.check].settings(r.options)) for r in rules]
    return list({id(p.grammar): p.grammar for p in prepared}.values())


def test_shared_numbers_are_the_numbers_each_rule_parsed(all_texts, packset):
    """One view read by every kind set and grammar the rules use (its parses shared in its memo)
    finds, for each, what a parse of its own found."""
    grammars = number_grammars(packset)
    assert grammar.DEFAULT_GRAMMAR in grammars and len(grammars) == 3  # sc's tables, ccc's window, the rest
    kind_sets = [NUMBER_KINDS, *[(k,) for k in NUMBER_KINDS], ("health_reg", "health_filing", "health_legacy"),
                 ("cosmetic_special", "cosmetic_filing", "cosmetic_import_filing"), ("device_reg", "device_filing")]
    texts = [t for t in all_texts if grammar.TRIGGER.search(TextView(t).plain.text)]
    assert len(texts) > 100
    for text in texts + ["类目：保健食品 国食 健注G20250288", "国药 · 准字H20000001", "ＳＣ１１８３４０２０３０５０３７"]:
        view = TextView(text)
        for number_grammar in grammars:
            for kinds in kind_sets:
                assert reading.find_numbers(view, kinds, number_grammar) == reference_numbers(text, kinds, number_grammar)


def test_each_family_of_numbers_is_parsed_once_per_text(packset, monkeypatch):
    """The twelve number rules and the six requirement rules over one text: each family parsed
    once per grammar, not once per rule."""
    from compliance_guard.checks import CHECKS

    calls = []

    def counted(parser):
        def parse(t, number_grammar):
            calls.append((parser.__name__, id(number_grammar)))
            return parser(t, number_grammar)
        return parse

    wrapped = {p: counted(p) for p in set(grammar._PARSERS.values())}
    monkeypatch.setattr(grammar, "_PARSERS", {k: wrapped[p] for k, p in grammar._PARSERS.items()})
    monkeypatch.setattr(reading, "parsers", functools.lru_cache(maxsize=64)(grammar.parsers.__wrapped__))
    text = "类目：保健食品\n鱼油 SC12744040400094 国食健注G20250288 粤G妆网备字2019145275 国械注准20203140001"
    view = TextView(text)
    found = 0
    for rule in packset.rules:
        if rule.pack == "certification" and rule.check:
            check = CHECKS[rule.check]
            found += len(list(check.text(view, rule, check.prepare(check.settings(rule.options)))))
    assert found
    assert sorted(calls) == sorted(set(calls)), "a family parsed twice with the same grammar"
    assert len({name for name, _ in calls}) == 8


def test_the_pass1_trigger_holds_wherever_the_trigger_does(all_texts):
    """A text is ruled out on pass 1 only where the normalised text has no number prefix."""
    extra = ["国食 健注G20250288", "国食\u200b健注G20250288", "国药\n准字H20000001", "國藥准字Z20000001",
             "ＣＣＣ：2016010901123456", "S\u200bC11834020305037", "ⓢⓒ11834020305037"]
    held = 0
    for text in all_texts + extra:
        view = TextView(text)
        if grammar.TRIGGER.search(view.plain.text):
            held += 1
            assert reading._PASS1_TRIGGER.search(view.first_text), text
            assert reading.may_hold_numbers(view), text
        else:
            assert not reading.may_hold_numbers(view), text
    assert held > 100


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_is_its_own_pass1_and_plain_text(text):
    view = TextView(text)
    assert reading.first_text(view) == view.first_text
    assert reading.plain_text(view) == view.plain.text
    assert all(view.plain.span(i, i + 1) == (i, i + 1) for i in range(len(text)))


@given(st.text(st.sampled_from("0123456789 \t\u3000\u200b·*-坚果ＳＣ１２sc")))
def test_a_bare_number_field_reads_the_same_on_pass1(text):
    assert number_checks.is_bare(TextView(text)) == bool(grammar.BARE_DIGITS.fullmatch(TextView(text).plain.text.strip()))


@pytest.mark.parametrize("fields,expected", [
    ({"id": "SC11834020305037", "title": "每日坚果", "price": "59", "category": "休闲食品"}, []),
    ({"id": "11834020305037", "title": "每日坚果", "price": "59", "category": "休闲食品"},
     [("CERT020", "category", 0, 4, "休闲食品")]),
    ({"id": "国食健注G20250288", "title": "深海鱼油", "price": "99", "category": "服饰"},
     [("CERT022", "category", 0, 2, "服饰")]),
    ({"id": "国食健注G20250288", "title": "深海鱼油", "price": "99"}, [("CERT022", "id", 0, 13, "国食健注G20250288")]),
    ({"id": "K0001", "title": "烟酰胺美白精华", "price": "粤G妆网备字2019145275", "category": "美妆护肤"},
     [("CERT023", "title", 3, 5, "美白")]),
    ({"id": "K0002", "title": "鱼油软胶囊", "price": "SC12744040400094", "original_price": "食健备G202044000123",
      "category": "保健食品"}, [("CERT022", "category", 0, 4, "保健食品")]),
    ({"id": "K0003", "title": "血压计", "lowest_price_7d": "粤械注准20202140567", "category": "医疗器械"}, []),
    ({"id": "ＳＣ１１８３４０２０３０５０３７", "title": "坚果", "category": "休闲食品"}, []),
    ({"id": "sc\u200b11834020305037", "title": "坚果", "category": "粮油米面"}, []),
])
def test_numbers_in_id_and_price_fields_count_as_before(fields, expected, rules):
    """The requirement rules read a field only when they need to, but every field they read
    before still counts: a number in the id or a price field (findings recorded before)."""
    assert [(f.rule, f.field, f.start, f.end, f.text) for f in check_listing(fields, None, rules)] == expected
    if fields["id"] == "K0001":
        assert "「粤G妆网备字2019145275」是普通化妆品备案编号" in check_listing(fields, None, rules)[0].message


def test_requirement_checks_leave_no_reference_cycle(rules):
    """What the rules share about a listing lives in its FieldViews and must not refer back to
    it: a cycle per listing is garbage only the cyclic collector frees, row after row."""
    from compliance_guard.checks import CHECKS
    from compliance_guard.text.view import FieldViews

    checks = [(r, CHECKS[r.check].listing, CHECKS[r.check].prepare(CHECKS[r.check].settings(r.options)))
              for r in rules if r.check == "category-requirement"]
    fields = {"id": "K1", "title": "鱼油软胶囊 国食健注G20250288", "category": "保健食品", "sc": "11834020305037"}
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            views = FieldViews(fields)
            assert [f for r, run, p in checks for f in run(views, r, p)]
        del views
        assert gc.collect() == 0
    finally:
        gc.enable()
