"""Pack validation: every problem is one line naming file and line."""
import textwrap

import pytest

from compliance_guard.packs import PackError, load_packs

GOOD_RULE = """
  - id: T001
    terms: [最好]
    examples: {bad: [这个最好], good: [最近]}
"""


def write(tmp_path, body: str, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def load_error(tmp_path, body: str, verify: bool = False) -> str:
    path = write(tmp_path, body)
    with pytest.raises(PackError) as exc:
        load_packs([path], verify=verify, builtin=False)
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith(str(path) + ":")
    return message


def test_valid_pack_loads(tmp_path):
    path = write(tmp_path, "pack: p\ncategory: absolute-claim\nrules:" + GOOD_RULE)
    packset = load_packs([path], verify=True, builtin=False)
    assert [r.id for r in packset.rules] == ["T001"]


def test_unknown_key_names_its_line(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [a]\n    colour: red\n"
                     "    examples: {bad: [a], good: [b]}\n")
    assert ":6: unknown key 'colour'" in msg


def test_duplicate_ids_across_packs(tmp_path):
    a = write(tmp_path, "pack: a\ncategory: c\nrules:" + GOOD_RULE, "a.yaml")
    b = write(tmp_path, "pack: b\ncategory: c\nrules:" + GOOD_RULE, "b.yaml")
    with pytest.raises(PackError, match=r"b\.yaml:4: duplicate rule id 'T001'"):
        load_packs([a, b], builtin=False)


def test_invalid_regex(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    pattern: '(unclosed'\n"
                     "    examples: {bad: [a], good: [b]}\n")
    assert ":5: invalid regex" in msg


def test_empty_terms(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: []\n"
                     "    examples: {bad: [a], good: [b]}\n")
    assert ":5: rule T1: empty terms" in msg


def test_rule_without_examples(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [a]\n")
    assert ":4: rule T1: no examples" in msg


def test_rule_without_good_example(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [a]\n    examples: {bad: [a]}\n")
    assert "at least one 'good' example" in msg


def test_examples_that_disagree_with_the_rule(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [最好]\n"
                     "    examples: {bad: [这个最好], good: [真的最好]}\n", verify=True)
    assert ":4: rule T1: good example flagged" in msg
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [最好]\n"
                     "    examples: {bad: [这个很好], good: [最近]}\n", verify=True)
    assert "bad example not flagged" in msg


def test_malformed_yaml(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: [unclosed\n")
    assert "malformed YAML" in msg


def test_yaml_is_loaded_safely(tmp_path):
    msg = load_error(tmp_path, "pack: !!python/object/apply:os.system ['echo hi']\ncategory: c\nrules: []\n")
    assert "malformed YAML" in msg


def test_two_rule_kinds_rejected(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [a]\n    pattern: a\n"
                     "    examples: {bad: [a], good: [b]}\n")
    assert "exactly one of terms, pattern, all_of, check" in msg


def test_unknown_severity(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    severity: fatal\n    terms: [a]\n"
                     "    examples: {bad: [a], good: [b]}\n")
    assert ":5: rule T1: unknown severity" in msg


def test_builtin_packs_pass_their_examples():
    from compliance_guard.packs import verify_examples

    packset = load_packs()
    assert verify_examples(packset) == []
