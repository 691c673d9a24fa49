"""Disguised spellings (text.phonetic): the shipped table, pinyin splitting, the guards that keep
ordinary words and typos from reading as banned terms, and findings over disguises."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import builtin_engine

from compliance_guard.text import phonetic, pinyin
from compliance_guard.text.normalize import normalize

REPO = Path(__file__).resolve().parents[1]


def test_the_shipped_table_is_what_pypinyin_gives():
    pytest.importorskip("pypinyin")
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from make_pinyin_table import derive
    finally:
        sys.path.pop(0)
    assert pinyin.TABLE.read_text(encoding="utf-8") == derive(), "regenerate: python tools/make_pinyin_table.py"


@pytest.mark.parametrize("run, parts", [
    ("zuihao", ["zui", "hao"]),
    ("weixin", ["wei", "xin"]),
    ("xian", ["xian"]),  # longest first
    ("jiangsangao", ["jiang", "san", "gao"]),  # no syllable after the first starts with a vowel
    ("zuiai", ["zui", "ai"]),  # ... unless nothing else reads
    ("hello", None),
    ("cctv", None),
])
def test_split_pinyin(run, parts):
    assert phonetic.split_pinyin(run) == parts


def disguises(text: str) -> list[tuple[str, str]]:
    norm = normalize(text).text
    return [(norm[d.start:d.end], d.term) for d in builtin_engine()._phonetic.find(norm)]


@pytest.mark.parametrize("text, found", [
    ("降xue压茶", ("降xue压", "降血压")),
    ("加wei信领红包", ("加wei信", "加微信")),
    ("销量di一", ("销量di一", "销量第一")),
    ("zuihao的选择", None),  # whole-word pinyin: read as 最好 (or a longer term holding it)
    ("扫个人收款马付款", ("收款马", "收款码")),
    ("美妆榜T0P1", ("t0p1", "top1")),
])
def test_disguises_are_found(text, found):
    got = disguises(text)
    assert got, text
    if found is not None:
        assert found in got


def test_a_rare_character_reads_as_a_lone_word():
    """檇 (zuì, not a pack variant) beside 中国…大 reads as the 最 the range pattern wants."""
    assert ("檇", "最") in disguises("我们是中国檇大的工厂")
    assert any(f.rule == "ABS007" for f in builtin_engine().check("我们是中国檇大的工厂"))


@pytest.mark.parametrize("text", [
    "这套机制很好",  # 机制 is a word, not a disguised 极致
    "积极治理环境",  # 极治 runs across two words
    "访问 http://zuixin.com/最好",  # pinyin inside an address
    "衣服买的最好看的一件",  # 买 mǎi is not 卖 mài: tones differ
    "这个是用来装水的",  # 是 for 使: a common character is a typo's, and the tone differs
    "最近天气很好",
    "Hello world, this is English",
])
def test_ordinary_text_has_no_disguise(text):
    assert disguises(text) == []


def test_findings_over_disguises_say_what_they_stand_for_and_point_at_them():
    text = "宝宝奶粉，全网zui低价，加wei信领红包"
    for f in builtin_engine().check(text):
        assert text[f.start:f.end] == f.text
    messages = {f.text: f.message for f in builtin_engine().check(text)}
    assert messages["全网zui低价"].startswith("「全网zui低价」疑似「全网最低价」的变体写法；")
    assert messages["加wei信"].startswith("「加wei信」疑似「加微信」的变体写法；")


def test_a_spelling_of_two_terms_tries_the_other_where_the_first_finds_nothing():
    """yangwei reads as 阳痿 (the commoner word) and 养胃; beside 小米粥 only 养胃 makes a claim."""
    found = [f for f in builtin_engine().check("小米粥yangwei又健脾") if f.text == "yangwei"]
    assert found and "「yangwei」疑似「养胃」" in found[0].message


def test_pack_variants_need_no_note():
    """蕞 is a declared variant of 最: plain matching finds 蕞好, so nothing is repaired."""
    assert all("变体写法" not in f.message for f in builtin_engine().check("蕞好的面膜") if f.text.startswith("蕞"))
