"""Listing model: column mapping, price parsing, row errors, and findings located per field."""
from __future__ import annotations

import pytest
from conftest import builtin_engine
from hypothesis import given
from hypothesis import strategies as st

from compliance_guard.scan.columns import (
    ColumnMap,
    MappingError,
    RowError,
    build_listing,
    parse_map_options,
    parse_price,
)
from compliance_guard.scan.listing import ListingChecker


@pytest.fixture(scope="module")
def checker() -> ListingChecker:
    return ListingChecker(builtin_engine())


@pytest.mark.parametrize("header, field", [
    ("商品标题", "title"), ("商品名称", "title"), ("Title", "title"), ("product_name", "title"),
    ("商品描述", "description"), ("详情", "description"), ("类目", "category"), ("Category", "category"),
    ("售价", "price"), ("价格", "price"), ("售价(元)", "price"), ("售价（元）", "price"), ("原价", "original_price"),
    ("划线价", "original_price"), ("近7日最低价", "lowest_price_7d"), ("成本价", "cost"),
    ("生产许可证编号", "sc"), ("SC", "sc"), ("备案号", "registration"), ("注册证号", "registration"),
    ("备案号/注册证号", "registration"), ("商品ID", "id"), ("SKU", "id"), ("跨境", "cross_border"),
])
def test_default_headers(header, field):
    cmap = ColumnMap.resolve([header, "其他"])
    assert cmap.names[0] == field
    assert cmap.names[1] == "其他"  # unknown columns stay free extra fields under their header


def test_first_alias_wins_and_duplicates_stay_extra():
    cmap = ColumnMap.resolve(["商品标题", "商品名称", "备注", "备注"])
    assert cmap.names == ("title", "商品名称", "备注", "备注_2")


def test_map_overrides_defaults():
    """A name that is no field is an extra field a rule pack may read (``exempt_flags: [imported]``)."""
    cmap = ColumnMap.resolve(["商品标题", "商品全称", "进口"], parse_map_options(["title=商品全称", "imported=进口"]))
    assert cmap.names == ("商品标题", "title", "imported")


def test_map_errors():
    with pytest.raises(MappingError, match="no column '不存在'"):
        ColumnMap.resolve(["商品标题"], {"title": "不存在"})
    with pytest.raises(MappingError, match="FIELD=COLUMN"):
        parse_map_options(["title"])


@pytest.mark.parametrize("text, value", [("99", 99.0), ("¥1,299.00", 1299.0), ("￥88", 88.0), ("39元", 39.0),
                                         (" 12.5 ", 12.5), ("", None), ("-", None)])
def test_parse_price(text, value):
    assert parse_price(text) == value


@pytest.mark.parametrize("text", ["面议", "99-199", "abc", "-5"])
def test_parse_price_rejects(text):
    with pytest.raises(RowError):
        parse_price(text)


def test_build_listing_errors_name_the_problem():
    cmap = ColumnMap.resolve(["商品ID", "商品标题", "售价"])
    with pytest.raises(RowError, match=r"non-numeric price \(column 售价\) '面议'"):
        build_listing(1, ["A1", "保温杯", "面议"], cmap)
    with pytest.raises(RowError, match="wrong column count: expected 3, found 2"):
        build_listing(1, ["A1", "保温杯"], cmap)
    with pytest.raises(RowError, match="empty row"):
        build_listing(1, ["", " ", ""], cmap)


def test_build_listing_fields_and_id():
    cmap = ColumnMap.resolve(["商品标题", "售价", "产地"])
    listing = build_listing(7, ["保温杯", "¥59", "浙江"], cmap)
    assert listing.id == "7"  # no id column: the row number
    assert listing.title == "保温杯" and listing.fields["price"] == "¥59"
    assert listing.extra == {"产地": "浙江"}


def test_jsonl_rows_map_their_own_keys():
    listing = build_listing(1, {"title": "全网最好的面膜", "price": 59, "类目": "美妆护肤"}, None)
    assert listing.fields["title"] == "全网最好的面膜"
    assert listing.fields["price"] == "59" and listing.category == "美妆护肤"


def test_findings_carry_field_and_offsets_within_it(checker):
    cmap = ColumnMap.resolve(["商品标题", "商品描述", "类目"])
    desc = "第一行介绍\n这款面霜是全网最好的"
    listing = build_listing(1, ["保湿面霜", desc, "家居日用"], cmap)
    findings = checker.check(listing)
    hit = [f for f in findings if f.category == "absolute-claim"]
    assert hit, findings
    f = hit[0]
    assert f.field == "description"
    assert desc[f.start:f.end] == f.text
    assert (f.line, f.column) == (2, desc.split("\n")[1].index(f.text) + 1)


def test_structured_listing_checks_run(checker):
    cmap = ColumnMap.resolve(["商品标题", "类目", "售价", "划线价", "近7日最低价"])
    listing = build_listing(1, ["每日坚果 750g", "休闲食品", "59", "199", "55"], cmap)
    by_rule = {f.rule: f for f in checker.check(listing)}
    cert = [f for f in by_rule.values() if f.category == "certification"]
    price = [f for f in by_rule.values() if f.category == "pricing"]
    assert cert and cert[0].field == "category" and cert[0].text == "休闲食品"
    assert price and price[0].field == "original_price" and price[0].text == "199"


def test_number_fields_are_validated(checker):
    cmap = ColumnMap.resolve(["商品标题", "类目", "生产许可证编号"])
    good = checker.check(build_listing(1, ["东北大米", "粮油米面", "SC11834020305037"], cmap))
    bad = checker.check(build_listing(2, ["东北大米", "粮油米面", "SC1183402030503"], cmap))
    assert not [f for f in good if f.category == "certification"]
    assert [f for f in bad if f.field == "sc" and f.text == "SC1183402030503"]


def test_a_check_in_the_registry_runs_on_listings(tmp_path, monkeypatch):
    """A check declared in checks.CHECKS with a listing runner runs on every listing scanned,
    named by a pack rule like any other check."""
    from compliance_guard.checks import CHECKS
    from compliance_guard.checks.base import Check, finding
    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    def cheap(fields, rule, prepared):
        yield finding(rule, fields.fields["title"], 0, 2, "m", field_name="title")

    monkeypatch.setitem(CHECKS, "test-cheap", Check("test-cheap", listing=cheap))
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\ncategory: c\nrules:\n  - id: T1\n    check: test-cheap\n"
                    "    examples: {bad: [a], good: [b]}\n", encoding="utf-8")
    checker = ListingChecker(Engine(load_packs([pack], builtin=False)))
    found = checker.check(build_listing(1, ["保温杯子"], ColumnMap.resolve(["商品标题"])))
    assert [(f.rule, f.text, f.field, f.line, f.column) for f in found] == [("T1", "保温", "title", 1, 1)]


def test_a_repeated_number_value_gives_each_listing_the_engines_findings(checker):
    """A number field's findings are worked out once per value (a catalogue repeats a few
    licence numbers), and every listing gets findings of its own, the number engine's."""
    cmap = ColumnMap.resolve(["商品标题", "类目", "生产许可证编号", "备案号"])
    first, second = (checker.check(build_listing(i, ["东北大米", "粮油米面", "SC1183402030503", "SC1183402030503"], cmap))
                     for i in (1, 2))
    expected = [(f.rule, f.start, f.end, f.text, f.message, f.line, f.column, f.suggestions)
                for f in checker.number_engine.check("SC1183402030503")]
    assert expected
    for found in (first, second):
        for field in ("sc", "registration"):
            assert [(f.rule, f.start, f.end, f.text, f.message, f.line, f.column, f.suggestions)
                    for f in found if f.field == field] == expected
    mine = next(f for f in first if f.field == "sc")
    mine.message, mine.field = "changed", "title"
    mine.suggestions.append("changed")
    again = checker.check(build_listing(3, ["东北大米", "粮油米面", "SC1183402030503", ""], cmap))
    assert [(f.rule, f.message, f.suggestions) for f in again if f.field == "sc"] == [e[:1] + e[4:5] + e[7:] for e in expected]


def test_a_number_field_without_a_number_prefix_skips_the_number_engine(monkeypatch):
    """Digits alone (or any text without SC, 国食健注, …) can hold no number the number rules
    read; the bare number is still checked as the number its field names."""
    checker = ListingChecker(builtin_engine())
    monkeypatch.setattr(checker.number_engine, "check", lambda text, errors=None: pytest.fail(f"checked {text!r}"))
    cmap = ColumnMap.resolve(["商品标题", "类目", "生产许可证编号", "备案号"])
    found = checker.check(build_listing(1, ["东北大米", "粮油米面", " 31834020305037 ", "见包装"], cmap))
    assert [(f.rule, f.field, f.text) for f in found if f.category == "certification"] == [("CERT001", "sc", "31834020305037")]


def test_other_certification_checks_read_every_number_field(tmp_path, monkeypatch):
    """The number fields skip the number engine only when all its rules are number checks."""
    from compliance_guard.checks import CHECKS
    from compliance_guard.checks.base import Check, finding
    from compliance_guard.engine import Engine
    from compliance_guard.engine.packs import load_packs

    def marked(view, rule, prepared):
        start = view.original.find("★")
        if start >= 0:
            yield finding(rule, view.original, start, start + 1, "m")

    monkeypatch.setitem(CHECKS, "test-marked", Check("test-marked", text=marked))
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\ncategory: certification\nrules:\n  - id: T1\n    check: test-marked\n"
                    "    examples: {bad: [a★], good: [b]}\n", encoding="utf-8")
    checker = ListingChecker(Engine(load_packs([pack], builtin=False)))
    found = checker.check(build_listing(1, ["保温杯", "★见包装"], ColumnMap.resolve(["商品标题", "生产许可证编号"])))
    assert [(f.rule, f.field, f.text) for f in found] == [("T1", "sc", "★")]


@given(st.text("0123456789", min_size=1, max_size=12))
def test_a_price_cell_of_ascii_digits_parses_as_any_other_cell(text):
    assert parse_price(text) == parse_price(f" {text}元 ") == float(text)
