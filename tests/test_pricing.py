"""Price claims in text and listing price fields (《明码标价和禁止价格欺诈规定》)."""
from __future__ import annotations

import dataclasses

import pytest
from conftest import listing_findings, run_check
from hypothesis import given
from hypothesis import strategies as st

from compliance_guard.checks import CHECKS
from compliance_guard.checks.pricing.mentions import Mentions, find_prices, parse_price
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.model.finding import Severity
from compliance_guard.text.normalize import fold_one_to_one
from compliance_guard.text.view import TextView


@pytest.fixture(scope="module")
def packset():
    return load_packs()


@pytest.fixture(scope="module")
def engine(packset):
    return Engine(packset, select=["pricing"])


@pytest.fixture(scope="module")
def rules(engine):
    return engine.rules


@pytest.fixture(scope="module")
def opts(packset):
    """How the arithmetic rule's options find price mentions."""
    return Mentions(CHECKS["price-arithmetic"].settings(packset.rule("PRICE001").options))


def prices(text, mentions):
    return find_prices(fold_one_to_one(text), mentions)


def hits(engine, text, rule=None):
    return [f for f in engine.check(text) if rule is None or f.rule == rule]


# -- extraction --------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("原价¥199，现价99元", [("original", 199), ("sale", 99)]),
    ("到手价：59.9", [("conditional", 59.9)]),
    ("券后价 1,299 元", [("conditional", 1299)]),
    ("日常价199 直播间福利价129", [("original", 199), ("sale", 129)]),
    ("满300减50", [("full_reduction", 50)]),
    ("立减20元", [("reduction", 20)]),
    ("￥８９", [("amount", 89)]),
    ("99元包邮", [("amount", 99)]),
    ("限时三折", [("discount", 3)]),
    ("打7.5折", [("discount", 7.5)]),
    ("全场75折", [("discount", 7.5)]),
    ("八八折", [("discount", 8.8)]),
    ("第二件半价", [("discount", 5)]),
    ("1.2万元", [("amount", 12000)]),
])
def test_price_mentions(text, expected, opts):
    got = [(m.kind, m.value) for m in prices(text, opts)]
    assert got == [(k, pytest.approx(v)) for k, v in expected]
    for m in prices(text, opts):
        assert text[m.start:m.end].strip()


@pytest.mark.parametrize("text", [
    "性价比很高，价格实惠",
    "这个价格在同类商品里很常见",
    "一波三折的快递",
    "三折叠晴雨伞",
    "仅剩3件，手慢无",
    "新一级能效，省电",
    "执行标准GB/T 123",
    "领¥20无门槛券",
    "满99元包邮",
    "运费10元",
    "价值199元的赠品",
    "每天不到1元",
    "100元以内的礼物",
    "好评返现5元",
    "第2件0元", "2件99元", "每斤9.9元", "30元优惠券", "定金50元，尾款99元",
])
def test_not_price_mentions(text, opts):
    kinds = {m.kind for m in prices(text, opts)} - {"full_reduction"}
    assert not kinds & {"sale", "amount", "original", "conditional"}, prices(text, opts)
    if "折" in text:
        assert not [m for m in prices(text, opts) if m.kind == "discount"]


def test_ranged_discounts_are_marked(opts):
    for text in ("全场低至三折", "三折起", "第二件五折"):
        (m,) = [m for m in prices(text, opts) if m.kind == "discount"]
        assert m.ranged, text
    assert not prices("今天直接三折", opts)[0].ranged


@pytest.mark.parametrize("value,expected", [
    ("¥1,299.00", 1299.0), ("199元", 199.0), (" 99 ", 99.0), (59.9, 59.9), (100, 100.0), ("１２９", 129.0),
    ("免费", None), ("", None), (None, None), (True, None), ("99-129", None),
])
def test_parse_price(value, expected):
    assert parse_price(value) == expected


# -- arithmetic --------------------------------------------------------------------------

CN = "零一二三四五六七八九"


@pytest.mark.parametrize("original,price", [(199, 99), (299, 199), (100, 30), (88, 66), (1299, 999)])
def test_discount_arithmetic(original, price, engine, packset):
    tolerance = packset.rule("PRICE001").options["discount_tolerance"]
    actual = price / original * 10
    for stated in range(1, 10):
        text = f"原价{original}元，现价{price}元，{CN[stated]}折"
        found = hits(engine, text, "PRICE001")
        if abs(stated - actual) <= tolerance:
            assert found == [], text
            continue
        assert len(found) == 1, text
        f = found[0]
        assert f.text == f"{CN[stated]}折" and text[f.start:f.end] == f.text
        assert f"约{round(actual, 1):g}折" in f.message
        expected = Severity.ERROR if stated < actual else Severity.WARNING
        assert f.severity is expected, text


def test_the_brief_example(engine):
    (f,) = hits(engine, "原价199现价99，今天直接三折！", "PRICE001")
    assert f.text == "三折" and "约5折" in f.message and f.severity is Severity.ERROR


@pytest.mark.parametrize("original,price,stated", [(299, 199, 150), (199, 99, 100), (59.9, 39.9, 20), (100, 60, 30)])
def test_reduction_arithmetic(original, price, stated, engine, packset):
    tolerance = packset.rule("PRICE001").options["rounding_tolerance"]
    text = f"原价{original}元，到手价{price}元，立省{stated}元"
    found = hits(engine, text, "PRICE001")
    actual = original - price
    if abs(stated - actual) <= tolerance:
        assert found == []
    else:
        (f,) = found
        assert f.text == f"立省{stated}元"
        assert f.severity is (Severity.ERROR if stated > actual else Severity.WARNING)


def test_current_price_not_below_original(engine):
    text = "原价99元，现价129元，赶紧抢"
    (f,) = hits(engine, text, "PRICE001")
    assert f.text == "原价99元，现价129元" and "不低于原价" in f.message


@pytest.mark.parametrize("text,bad", [
    ("满100减120", True), ("满100减100", True), ("满300减50", False),
    ("满300减100，相当于五折", True), ("满300减100，相当于6.7折", False), ("满300减100，全场五折起", False),
])
def test_full_reduction(text, bad, engine):
    assert bool(hits(engine, text, "PRICE001")) is bad


def test_favourable_severity_follows_yaml(packset):
    rule = packset.rule("PRICE001")
    off = dataclasses.replace(rule, options={**rule.options, "favourable_severity": "off"})

    text = "原价200元，现价100元，八折"  # real discount is deeper than stated
    assert [f.severity for f in run_check(rule, TextView(text))] == [Severity.WARNING]
    assert run_check(off, TextView(text)) == []


@pytest.mark.parametrize("text", [
    "原价199现价99，相当于五折",
    "三折叠雨伞 原价99现价59",
    "全场低至三折，原价199现价99",
    "原价199现价99，第二件五折",
    "这个故事一波三折，原价的事就别提了",
    "原价199.9元，现价99.9元，立省100元",
])
def test_arithmetic_negatives(text, engine):
    assert hits(engine, text, "PRICE001") == []


# -- time limits ------------------------------------------------------------------------

@pytest.mark.parametrize("text,bad", [
    ("限时特惠，全场五折，手慢无", True),
    ("仅限今天，到手价99元，赶紧下单", True),
    ("限时秒杀￥39.9", True),
    ("限时特惠：全场五折，11月11日0点至24点", False),
    ("限时秒杀39.9元，截止今晚24:00", False),
    ("限时五折，活动时间：2024-11-11至2024-11-13", False),
    ("限时五折，倒计时3小时", False),
    ("限时折扣、拼团激励、粉丝社群运营", False),
    ("不限时间，随时可退，99元", False),
    ("同城限时达，满99元包邮", False),
])
def test_time_limit(text, bad, engine):
    """PRICE002 (限时 beside an offer) or PRICE005 (a 限时 offer named as such) on the same words."""
    found = hits(engine, text, "PRICE002") + hits(engine, text, "PRICE005")
    assert bool(found) is bad
    for f in found:
        assert f.severity is Severity.WARNING and text[f.start:f.end] == f.text


def test_time_limit_window_comes_from_yaml(packset):

    rule = packset.rule("PRICE002")
    text = "限时五折！" + "好" * 30 + "活动截止11月11日"
    assert run_check(rule, TextView(text)) == []
    narrow = dataclasses.replace(rule, options={**rule.options, "window": 10})
    assert [f.text for f in run_check(narrow, TextView(text))] == ["限时"]


# -- price-fraud wording (terms rules) ------------------------------------------------------

@pytest.mark.parametrize("text,rule", [
    ("工厂直供，出厂价给到大家", "PRICE003"), ("亏本甩卖最后50件", "PRICE003"), ("老板跳楼价清仓", "PRICE003"),
    ("成本价出售，不赚钱交个朋友", "PRICE003"), ("全网最低价，错过等一年", "PRICE004"),
])
def test_price_fraud_wording_is_a_warning_citing_article_19(text, rule, engine):
    found = hits(engine, text, rule)
    assert found and all(f.severity is Severity.WARNING for f in found)
    assert "第十九条" in found[0].source


@pytest.mark.parametrize("text", [
    "拼团价格需高于成本价5%以上", "划线价为前7日内最低成交价", "携程的价格并不是最低价",
    "价格实惠，性价比高", "这件衣服价格还行", "新一级能效", "做工粗糙，成本价也就10块左右",
])
def test_price_wording_negatives(text, engine):
    assert hits(engine, text, "PRICE003") == [] and hits(engine, text, "PRICE004") == []


# -- listing fields ------------------------------------------------------------------------

def ids(findings):
    return sorted(f.rule for f in findings)


def test_original_price_above_seven_day_lowest(rules):
    fields = {"price": "99", "original_price": " ¥199 ", "lowest_price_7d": "89"}
    (f,) = listing_findings(fields, rules)
    assert f.rule == "PRICE010" and f.field == "original_price" and f.severity is Severity.ERROR
    assert f.text == "¥199" == fields["original_price"][f.start:f.end]
    assert "199" in f.message and "89" in f.message and "第十六条" in f.source


@pytest.mark.parametrize("fields", [
    {"price": 99, "original_price": 129, "lowest_price_7d": 129},
    {"price": 99, "original_price": 129, "lowest_price_7d": 139},
    {"price": 99, "original_price": 89, "lowest_price_7d": 79},  # no price comparison at all
    {"price": 99, "original_price": 199},  # 7-day price unknown
    {"price": 99, "original_price": "待定", "lowest_price_7d": 89},
    {"price": 99, "original_price": 199, "lowest_price_7d": 89, "title": "耳机（划线价为厂商建议零售价）"},
])
def test_original_price_negatives(fields, rules):
    assert "PRICE010" not in ids(listing_findings(fields, rules))


def test_original_price_tolerance_from_yaml(packset):
    rule = packset.rule("PRICE010")
    fields = {"price": 99, "original_price": 130, "lowest_price_7d": 129}
    assert ids(listing_findings(fields, [rule])) == ["PRICE010"]
    loose = dataclasses.replace(rule, options={**rule.options, "tolerance": 2})
    assert listing_findings(fields, [loose]) == []


def test_title_price_lower_than_price_field(rules):
    fields = {"title": "蓝牙耳机 仅售79元 包邮", "price": "99"}
    (f,) = listing_findings(fields, rules)
    assert f.rule == "PRICE011" and f.field == "title" and f.severity is Severity.ERROR
    assert f.text == "仅售79元" == fields["title"][f.start:f.end]
    assert "第二十条" in f.source


def test_description_price_higher_is_info(rules):
    fields = {"title": "蓝牙耳机", "description": "活动价129元", "price": 99}
    (f,) = listing_findings(fields, rules)
    assert f.rule == "PRICE011" and f.field == "description" and f.severity is Severity.INFO


@pytest.mark.parametrize("title,price", [
    ("蓝牙耳机 仅售99元", "99.5"),  # 舍零取整
    ("蓝牙耳机 领¥20无门槛券", "99"),
    ("蓝牙耳机 原价199", "99"),
    ("蓝牙耳机 满99元包邮", "129"),
    ("蓝牙耳机 券后价79元", "99"),  # conditional price, condition stated
    ("蓝牙耳机 ¥99", "99"),
    ("蓝牙耳机 第二件半价", "99"),
])
def test_title_price_negatives(title, price, rules):
    assert listing_findings({"title": title, "price": price}, rules) == []


def test_rounding_tolerance_from_yaml(packset):
    rule = packset.rule("PRICE011")
    fields = {"title": "仅售97元", "price": 99}
    assert ids(listing_findings(fields, [rule])) == ["PRICE011"]
    loose = dataclasses.replace(rule, options={**rule.options, "rounding_tolerance": 3})
    assert listing_findings(fields, [loose]) == []


def test_below_cost_outside_promotion(rules):
    (f,) = listing_findings({"price": "39", "cost": "50"}, rules)
    assert f.rule == "PRICE012" and f.field == "price" and f.severity is Severity.WARNING
    for promo in ("是", "1", "true", "Yes"):
        assert listing_findings({"price": "39", "cost": "50", "promotion": promo}, rules) == []
    assert ids(listing_findings({"price": "39", "cost": "50", "promotion": "否"}, rules)) == ["PRICE012"]
    assert listing_findings({"price": "69", "cost": "50"}, rules) == []
    assert listing_findings({"price": "50", "cost": "50"}, rules) == []


def test_field_names_come_from_yaml(packset):
    rule = packset.rule("PRICE012")
    mapped = dataclasses.replace(rule, options={**rule.options, "fields": {"price": "售价", "cost": "成本价"}})
    assert ids(listing_findings({"售价": 39, "成本价": 50}, [mapped])) == ["PRICE012"]
    assert listing_findings({"price": 39, "cost": 50}, [mapped]) == []


def test_ignored_rules_are_not_applied(packset):
    engine = Engine(packset, ignore=["PRICE010"])
    fields = {"price": 99, "original_price": 199, "lowest_price_7d": 89}
    assert listing_findings(fields, engine.rules) == []


def test_default_rules_are_the_builtin_packs():
    assert ids(listing_findings({"price": 99, "original_price": 199, "lowest_price_7d": 89}, load_packs().rules)) == ["PRICE010"]


def test_pasted_listing_lines(engine):
    text = "标题：蓝牙耳机\n售价：99\n划线价：199\n近7日最低价：89"
    (f,) = hits(engine, text, "PRICE010")
    assert f.text == "199" and (f.line, f.column) == (3, 5) and f.field is None


def test_scripts_are_not_read_as_listings(engine):
    for text in ["成本50的东西卖39，亏本了", "原价199，现价99，直播间专享", "价格：99元"]:
        assert [f.rule for f in hits(engine, text) if f.rule.startswith("PRICE01")] == []


def test_backward_scans_find_what_a_forward_scan_finds(all_texts):
    """Discounts and amounts are found scanning backwards from 折/元 for speed; the plain forward
    patterns find exactly the same spans on every text the project has."""
    import regex

    from compliance_guard.checks.pricing import mentions as pricing

    num = pricing._NUM
    forward_discount = regex.compile(pricing._DISCOUNT.pattern)
    forward_amount = regex.compile(rf"(?:¥\s*{num}\s*(?:元|块钱?)?|{num}\s*(?:元|块钱?))")
    compared = 0
    for text in all_texts:
        t = fold_one_to_one(text)
        assert sorted(m.span() for m in pricing._DISCOUNT.finditer(t)) == [m.span() for m in forward_discount.finditer(t)]
        signed = list(pricing._AMOUNT_SIGN.finditer(t))
        unit = [m.span() for m in pricing._AMOUNT_UNIT.finditer(t)
                if not any(s.start() < m.end() and m.start() < s.end() for s in signed)]
        expected = [m.span() for m in forward_amount.finditer(t)]
        assert sorted([m.span() for m in signed] + unit) == expected, text
        compared += len(expected)
    assert compared > 50  # 93 amounts in the project's own texts alone


@given(st.text("0123456789", min_size=1, max_size=12))
def test_a_price_field_of_ascii_digits_needs_no_fold(text):
    """The listing checks read a price of ASCII digits as a float directly: the fold and the
    price pattern would read it the same."""
    from compliance_guard.checks.pricing.mentions import price_value

    assert price_value(fold_one_to_one(text)) == float(text)


def test_each_price_pattern_holds_the_literal_that_gates_it(all_texts):
    """find_prices scans for 满减, ¥ and 元/块 amounts and 折 only in texts holding that literal:
    every match of each pattern holds it."""
    from compliance_guard.checks.pricing import mentions

    gates = [(mentions._FULL_REDUCTION, ("满",)), (mentions._AMOUNT_SIGN, ("¥",)), (mentions._AMOUNT_UNIT, ("元", "块")),
             (mentions._DISCOUNT, ("折", "半价"))]
    matched = 0
    for text in all_texts:
        folded = fold_one_to_one(text)
        for pattern, literals in gates:
            for m in pattern.finditer(folded):
                matched += 1
                assert any(lit in m.group() for lit in literals), (pattern.pattern, m.group())
    assert matched > 100
