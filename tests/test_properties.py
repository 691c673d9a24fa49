"""Property: whatever normalisation found it, every finding is a slice of the original."""
import functools

from conftest import builtin_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_guard.text.normalize import fold_term, normalize

TERMS = ["最好", "蕞好", "zui好", "最最最好", "转发到朋友圈领红包", "全网最低价", "第一", "NO.1", "國家級", "转发", "领红包",
         "加V", "根治", "特供", "顶级", "100%", "唯一"]
NOISE = [" ", "*", "\u200b", "\u3000", "·", "~", "-", "😀", "❤️", "\n", "ＡＢ", "，", "。", "\ufeff", "…", "㎏", "ﬁ", "é"]

pieces = st.lists(
    st.one_of(st.sampled_from(TERMS), st.sampled_from(NOISE), st.text(max_size=6)),
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces)
def test_findings_are_slices_of_the_original(fixture_engine, parts):
    text = "".join(parts)
    for f in builtin_engine().check(text) + fixture_engine.check(text):
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
        assert ch in fold_term(text[o])
        previous = o


# -- bad examples stay flagged in any wrapping ------------------------------------------------------

from compliance_guard.load.markdown import _URL  # noqa: E402  (what Markdown leaves unchecked)

WRAPPERS = {
    "trailing space": ("a.txt", "{} "),
    "trailing whitespace lines": ("a.txt", "{} \t\u3000\n\n"),
    "bold": ("a.md", "**{}**"),
    "underscores": ("a.md", "__{}__"),
    "strikethrough": ("a.md", "~~{}~~"),
    "emphasis then punctuation": ("a.md", "*{}*。"),
    "srt cue": ("a.srt", "1\n00:00:00,000 --> 00:00:02,000\n{} \n\n2\n00:00:02,000 --> 00:00:04,000\n下一句\n"),
    "srt cue crlf": ("a.srt", "1\r\n00:00:00,000 --> 00:00:02,000\r\n{} \r\n\r\n"),
}


@functools.lru_cache(maxsize=1)
def _pack_engines():
    """One engine per built-in pack (built once: the hypothesis tests ask for them per example)."""
    from compliance_guard.engine import Engine
    from compliance_guard.model.rule import PackSet

    return {p.name: Engine(PackSet([p])) for p in builtin_engine().packset.packs}


def _reads_text(rule) -> bool:
    """Whether the rule's examples are texts (a campaign check's are campaign files)."""
    from compliance_guard.checks import CHECKS

    return rule.kind != "check" or CHECKS[rule.check].text is not None


BAD_EXAMPLES = [(r.id, r.pack, text) for r in builtin_engine().rules if _reads_text(r) for text in r.examples["bad"]]


def _wrapped_findings(engines, pack, example, wrapper):
    from compliance_guard.load.documents import from_text
    from compliance_guard.run.files import check_document

    name, template = WRAPPERS[wrapper]
    if "\n" in example and name == "a.md":  # a listing pasted as label：value lines
        original = "\n".join(template.format(line) for line in example.split("\n"))
    else:
        original = template.format(example)
    findings = check_document(engines[pack], from_text(name, original))
    for f in findings:
        assert original[f.start:f.end] == f.text
    return findings


def _checked_in(wrapper: str, example: str) -> bool:
    """Markdown does not check URLs (link targets hold anything): a URL example is not a claim
    there, by design."""
    return not (WRAPPERS[wrapper][0] == "a.md" and _URL.search(example))


def test_every_bad_example_is_flagged_in_every_wrapping():
    """Whitespace, Markdown emphasis, masked regions and SRT cue ends are not the next word
    that an exemption (最好 + verb) looks at: 效果最好␠ and **最好** are claims."""
    engines = _pack_engines()
    missed = [f"{rule} {wrapper}: {example!r}"
              for rule, pack, example in BAD_EXAMPLES for wrapper in WRAPPERS if _checked_in(wrapper, example)
              if not any(f.rule == rule for f in _wrapped_findings(engines, pack, example, wrapper))]
    assert not missed, "\n".join(missed)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([b for b in BAD_EXAMPLES if "\n" not in b[2] and _checked_in("bold", b[2])]),
       st.sampled_from(["", "*", "_", "**", "__", "~~", "***", "**_", "~~**"]),
       st.text(alphabet=" \t\u3000\u00a0", max_size=3), st.sampled_from(["", "\n", "\r\n", "\r", "。", "！", "😀"]))
def test_bad_examples_in_markdown_emphasis_and_whitespace(example, opening, spaces, end):
    rule, pack, text = example
    original = f"{opening}{text}{opening[::-1]}{spaces}{end}"
    from compliance_guard.load.documents import from_text
    from compliance_guard.run.files import check_document

    findings = check_document(_pack_engines()[pack], from_text("a.md", original))
    assert any(f.rule == rule for f in findings), original
    for f in findings:
        assert original[f.start:f.end] == f.text

