import pytest

from compliance_guard.text.normalize import fold_term, normalize


@pytest.mark.parametrize("raw, expected", [
    ("最*好", "最好"),
    ("最 好", "最好"),
    ("最\u200b好", "最好"),
    ("最\u3000好", "最好"),
    ("最·好", "最好"),
    ("最~好", "最好"),
    ("最-好", "最好"),
    ("最.好", "最好"),
    ("最😀好", "最好"),
    ("助❤️力", "助力"),
    ("全网\n最低", "全网最低"),
    ("ＮＯ．１", "no.1"),
    ("國家級", "国家级"),
    ("TOP1", "top1"),
])
def test_evasions_normalise_to_the_plain_term(raw, expected):
    assert normalize(raw).text == expected


def test_no_global_numeral_folding():
    assert normalize("一级能效 第一").text == "一级能效第一"
    assert "1" not in normalize("一二三").text


def test_filler_only_removed_between_han():
    # spaces between Latin words and between Han and Latin survive
    assert normalize("hello world").text == "hello world"
    assert normalize("最好 ok").text == "最好 ok"


def test_repeat_collapse_only_for_declared_characters():
    assert normalize("最最最好", collapse="最").text == "最好"
    assert normalize("妈妈嘻嘻哈哈", collapse="最").text == "妈妈嘻嘻哈哈"


@pytest.mark.parametrize("raw, term", [
    ("这是最*好的", "最好"),
    ("a…b 最\u200b好!", "最好"),
    ("ＮＯ．１品质", "no.1"),
    ("前面\ufeff\u200d文字 全 网 最 低", "全网最低"),
    ("最最最好", "最好"),
])
def test_span_maps_back_to_original(raw, term):
    n = normalize(raw, collapse="最")
    i = n.text.index(term)
    s, e = n.span(i, i + len(term))
    assert normalize(raw[s:e], collapse="最").text == term
    assert raw[s] == raw[s:e][0] and raw[s:e][-1] not in " \u200b"


def test_identity_map_when_nothing_changes_length():
    raw = "全角，标点！ＡＢＣ"
    n = normalize(raw)
    assert len(n.text) == len(raw)
    assert n.span(0, len(n.text)) == (0, len(raw))


def test_fold_term_matches_first_pass():
    assert fold_term("國家級ＴＯＰ") == "国家级top"


@pytest.mark.parametrize("raw", ["最*好", "國家級ＴＯＰ１", "a…b 最\u200b最最好!", "全网\n最低", "助❤️力", ""])
def test_normalize_term_is_the_text_of_normalize(raw):
    from compliance_guard.text.normalize import normalize_term

    assert normalize_term(raw, "最") == normalize(raw, "最").text
    assert normalize_term(raw) == normalize(raw).text


def test_the_plain_view_is_normalisation_without_collapsing_whatever_the_shortcut():
    """TextView.plain reuses the collapsed form when pass 1 has no repeat to collapse."""
    from compliance_guard.text.view import TextView

    for text in ["最 最好的 SC12345678901234", "最最最好，SC1122", "全网最低价 最\u200b好", "", "好好学习 最"]:
        for repair in (None, lambda n: n):
            view = TextView(text, "最好", repair)
            expected = normalize(text, "")
            assert (view.plain.text, [view.plain.span(i, i + 1) for i in range(len(view.plain.text))]) == (
                expected.text, [expected.span(i, i + 1) for i in range(len(expected.text))]), text
