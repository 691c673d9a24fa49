"""Property: whatever normalisation found it, every finding is a slice of the original."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_guard.engine import default_engine
from compliance_guard.normalize import fold_char_string, normalize

TERMS = ["最好", "蕞好", "zui好", "最最最好", "转发到朋友圈领红包", "全网最低价", "第一", "NO.1", "國家級", "转发", "领红包", "加V", "根治", "特供", "顶级", "100%", "唯一"]
NOISE = [" ", "*", "\u200b", "\u3000", "·", "~", "-", "😀", "❤️", "\n", "ＡＢ", "，", "。", "\ufeff", "…", "㎏", "ﬁ", "é"]

pieces = st.lists(
    st.one_of(st.sampled_from(TERMS), st.sampled_from(NOISE), st.text(max_size=6)),
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces)
def test_findings_are_slices_of_the_original(fixture_engine, parts):
    text = "".join(parts)
    for f in default_engine().check(text) + fixture_engine.check(text):
        assert text[f.start:f.end] == f.text
        assert 0 <= f.start < f.end <= len(text)
        assert f.line >= 1 and f.column >= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_span_of_whole_normalised_text_stays_in_bounds(text):
    n = normalize(text, collapse="最")
    if n.text:
        s, e = n.span(0, len(n.text))
        assert 0 <= s <= e <= len(text)
        for i in range(len(n.text)):
            o = n.to_original(i)
            assert 0 <= o < len(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(NOISE + ["最", "好", "最最", "國"]), st.text(max_size=4)), max_size=30))
def test_offset_map_points_at_the_source_character(parts):
    """Each normalised character comes from the original character the map names, in order:
    whatever mix of dropped (zero-width), expanded (…, ㎏) and removed filler characters."""
    text = "".join(parts)
    n = normalize(text, collapse="最")
    previous = -1
    for i, ch in enumerate(n.text):
        o = n.to_original(i)
        assert o >= previous
        assert ch in fold_char_string(text[o])
        previous = o
