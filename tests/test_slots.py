"""Slot rules (``slots:`` templates over word classes, numbers and bounded gaps) and the word-class
files they name."""
from __future__ import annotations

import re
import textwrap

import pytest

from compliance_guard.engine import Engine
from compliance_guard.engine.kinds.slots import TemplateError, compile_template
from compliance_guard.engine.packs import PackError, load_packs

CLASSES = {"invite": ["邀请", "喊", "拉"], "people": ["好友", "朋友", "人"], "disease": ["哮喘", "鼻炎", "颈椎病"],
           "verb": ["治疗", "缓解", "预防"]}


def matches(template: str, text: str) -> list[str]:
    return [m.group() for m in compile_template(template, CLASSES).compile().finditer(text)]


@pytest.mark.parametrize("template, text, found", [
    ("{invite} {N} (个|位|名)? {people} ~6 (进群|助力|砍)", "邀请3个好友进群领券", ["邀请3个好友进群"]),
    ("{invite} {N} (个|位|名)? {people} ~6 (进群|助力|砍)", "拉两位朋友一起助力", ["拉两位朋友一起助力"]),
    ("{invite} {N} (个|位|名)? {people} ~6 (进群|助力|砍)", "邀请朋友进群", []),  # the number is required
    ("{verb} ~4 {disease}", "能够治疗多年的颈椎病", ["治疗多年的颈椎病"]),
    ("{verb} ~4 {disease}", "缓解,鼻炎", []),  # a gap stays in its clause
    ("{verb} ~~4 {disease}", "缓解,鼻炎", ["缓解,鼻炎"]),  # ~~ stays in its sentence
    ("{verb} ~~4 {disease}", "缓解。鼻炎", []),
    ("绝对 (是|的)? (正品|真品)", "绝对正品", ["绝对正品"]),  # alternatives: the longest word that fits
    ("孩子 的? {people}", "孩子朋友", ["孩子朋友"]),  # ? takes the element before it only
])
def test_templates_match(template, text, found):
    assert matches(template, text) == found


def test_triggers_are_the_words_expected_least_often_and_the_width_bounds_a_match():
    c = compile_template("{verb} ~4 {disease}", CLASSES)
    assert set(c.triggers) == set(CLASSES["disease"])  # their characters are rarer than the verbs'
    assert set(compile_template("对 ~8 {disease}", CLASSES).triggers) == set(CLASSES["disease"])  # 对 is everywhere
    assert set(compile_template("{disease} ~2 就 好了", CLASSES).triggers) == set(CLASSES["disease"])
    assert c.max_len == 2 + 4 + 3
    c = compile_template("{invite} {N} {people} 进群", CLASSES)
    assert c.triggers == ("进群",)


@pytest.mark.parametrize("template, error", [
    ("{nope} 治疗", "unknown word class {nope} (known: disease, invite, people, verb)"),
    ("(治疗|缓解", "unclosed '('"),
    ("治疗)", "unbalanced ')' at column 3"),
    ("~ 治疗", "'~' needs a number of characters at column 1"),
    ("~3", "a template needs a required word"),
    ("{N}", "a template needs a required word"),
])
def test_template_errors(template, error):
    with pytest.raises(TemplateError, match=re.escape(error)):
        compile_template(template, CLASSES)


def write(path, text: str):
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SLOT_PACK = """\
    pack: team-medical
    category: medical-claim
    rules:
      - id: TM001
        message: "「{text}」"
        slots: "{team_verbs} ~4 {team_diseases}"
        examples: {bad: [有效缓解鼻炎], good: [鼻炎患者慎用]}
"""


def test_a_pack_directory_brings_its_word_classes(tmp_path):
    write(tmp_path / "team.yaml", SLOT_PACK)
    (tmp_path / "lexicons").mkdir()
    write(tmp_path / "lexicons" / "verbs.yaml", "lexicon: team_verbs\nentries: [缓解, 治疗]\n")
    write(tmp_path / "lexicons" / "diseases.yaml", "lexicon: team_diseases\nentries: [鼻炎]\n")
    engine = Engine(load_packs([tmp_path], verify=True), select=["TM001"])
    assert [f.text for f in engine.check("喝了能缓解过敏性鼻炎")] == ["缓解过敏性鼻炎"]


def test_built_in_word_classes_serve_user_packs(tmp_path):
    pack = write(tmp_path / "p.yaml", SLOT_PACK.replace("{team_verbs}", "{efficacy_verbs}").replace(
        "{team_diseases}", "{diseases}"))
    engine = Engine(load_packs([pack], verify=True), select=["TM001"])
    assert engine.check("有效缓解鼻炎")


@pytest.mark.parametrize("files, error", [
    ({"lexicons/a.yaml": "lexicon: x\nentries: [甲]\n", "lexicons/b.yaml": "lexicon: x\nentries: [乙]\n"},
     r"b\.yaml:1: word class 'x' is also defined in .*a\.yaml"),
    ({"lexicons/a.yaml": "lexicon: x\nentries: []\n"}, r"a\.yaml:2: entries must be a non-empty list"),
    ({"lexicons/a.yaml": "lexicon: x\nentries: [甲, no]\n"}, r"a\.yaml:2: entries: False is not a word"),
    ({"lexicons/a.yaml": "lexicon: x\nterms: [甲]\nentries: [乙]\n"}, r"a\.yaml:2: unknown key 'terms' in a word class"),
    ({"lexicons/a.yaml": "lexicon: 两个词\nentries: [甲]\n"}, r"a\.yaml:1: lexicon must be a name"),
    ({"p.yaml": SLOT_PACK}, r"p\.yaml:\d+: rule TM001: slots: unknown word class \{team_verbs\}"),
])
def test_word_class_and_template_problems_name_file_and_line(tmp_path, files, error):
    (tmp_path / "lexicons").mkdir()
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(PackError, match=error):
        load_packs([tmp_path])


def test_a_word_class_file_can_be_given_by_itself(tmp_path):
    pack = write(tmp_path / "p.yaml", SLOT_PACK)
    verbs = write(tmp_path / "v.yaml", "lexicon: team_verbs\nentries: [缓解]\n")
    diseases = write(tmp_path / "d.yaml", "lexicon: team_diseases\nentries: [鼻炎]\n")
    packset = load_packs([pack, verbs, diseases], verify=True)
    assert [p.name for p in packset.packs][-1] == "team-medical"


def test_ways_to_match_list_the_words_a_match_holds():
    c = compile_template("({verb} ~4 {disease} | {disease} 好了)", CLASSES)
    ways = [[set(words) for words in way] for way in c.requires]
    assert ways == [[set(CLASSES["verb"]), set(CLASSES["disease"])], [set(CLASSES["disease"]), {"好了"}]]
    optional = compile_template("{invite} {N}? {people}", CLASSES)
    assert [[set(w) for w in way] for way in optional.requires] == [[set(CLASSES["invite"]), set(CLASSES["people"])]]


def _texts():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "corpora"
    texts = [ex for r in load_packs().rules if r.kind == "slots" for kind in ("bad", "good") for ex in r.examples.get(kind, [])]
    for path in sorted(root.rglob("*")):
        if path.suffix in {".txt", ".md", ".srt", ".tsv"}:
            lines = path.read_text(encoding="utf-8").splitlines()
            texts += [line.split("\t")[-1] for line in lines if line.strip() and not line.startswith("#")]
    shared = root.parents[1] / "shared" / "corpora"
    for name in ("ad_kobe_desc.txt", "ad_advertisegen_dev.txt"):  # real copy, when present
        if (shared / name).exists():
            texts += (shared / name).read_text(encoding="utf-8").splitlines()[:3000]
    return texts


def test_the_window_check_never_loses_a_match():
    """The slots findings with the check on are those of the regexes alone, on every example and
    every line of the project's corpora and of real ad copy when present (it only saves time)."""
    engine = Engine(load_packs(), select=[r.id for r in load_packs().rules if r.kind == "slots"])
    unchecked = Engine(load_packs(), select=[r.id for r in load_packs().rules if r.kind == "slots"])
    unchecked._kinds["slots"].requires.clear()
    texts = _texts()
    assert len(texts) > 1000
    found = 0
    for text in texts:
        with_check = [f.to_dict() for f in engine.check(text)]
        assert with_check == [f.to_dict() for f in unchecked.check(text)], text
        found += len(with_check)
    assert found > 200  # 284 from the project's own texts alone
