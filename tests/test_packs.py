"""Pack validation: every problem is one line naming file and line."""
import textwrap

import pytest

from compliance_guard.engine.packs import PackError, load_packs

GOOD_RULE = """
  - id: T001
    terms: [最好]
    examples: {bad: [这个最好], good: [最近]}
"""


def write(tmp_path, body: str, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def one_rule(*lines: str, examples: str = "{bad: [a], good: [b]}") -> str:
    """A pack with one rule T1: its keys on lines 5 on, then its examples."""
    return "pack: p\ncategory: c\nrules:\n  - id: T1\n" + "".join(f"    {line}\n" for line in lines) + (
        f"    examples: {examples}\n")


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
    msg = load_error(tmp_path, one_rule("terms: [a]", "colour: red"))
    assert ":6: unknown key 'colour'" in msg


def test_duplicate_ids_across_packs(tmp_path):
    a = write(tmp_path, "pack: a\ncategory: c\nrules:" + GOOD_RULE, "a.yaml")
    b = write(tmp_path, "pack: b\ncategory: c\nrules:" + GOOD_RULE, "b.yaml")
    with pytest.raises(PackError, match=r"b\.yaml:4: duplicate rule id 'T001'"):
        load_packs([a, b], builtin=False)


def test_invalid_regex(tmp_path):
    msg = load_error(tmp_path, one_rule("pattern: '(unclosed'"))
    assert ":5: invalid regex" in msg


def test_empty_terms(tmp_path):
    msg = load_error(tmp_path, one_rule("terms: []"))
    assert ":5: rule T1: empty terms" in msg


def test_rule_without_examples(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [a]\n")
    assert ":4: rule T1: no examples" in msg


def test_rule_without_good_example(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    terms: [a]\n    examples: {bad: [a]}\n")
    assert "at least one 'good' example" in msg


def test_examples_that_disagree_with_the_rule(tmp_path):
    msg = load_error(tmp_path, one_rule("terms: [最好]", examples="{bad: [这个最好], good: [真的最好]}"), verify=True)
    assert ":4: rule T1: good example flagged" in msg
    msg = load_error(tmp_path, one_rule("terms: [最好]", examples="{bad: [这个很好], good: [最近]}"), verify=True)
    assert "bad example not flagged" in msg


def test_malformed_yaml(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: [unclosed\n")
    assert "malformed YAML" in msg


def test_yaml_is_loaded_safely(tmp_path):
    msg = load_error(tmp_path, "pack: !!python/object/apply:os.system ['echo hi']\ncategory: c\nrules: []\n")
    assert "malformed YAML" in msg


def test_two_rule_kinds_rejected(tmp_path):
    msg = load_error(tmp_path, one_rule("terms: [a]", "pattern: a"))
    assert "exactly one of terms, pattern, slots, all_of, check" in msg


def test_unknown_severity(tmp_path):
    msg = load_error(tmp_path, one_rule("severity: fatal", "terms: [a]"))
    assert ":5: rule T1: unknown severity" in msg


def test_yaml_booleans_in_term_lists_are_rejected(tmp_path):
    """YAML 1.1 reads a bare no/yes/on/off as a boolean: 'no' would silently become 'False'."""
    msg = load_error(tmp_path, one_rule("terms: [top, no]", examples="{bad: [top], good: [b]}"))
    assert ":5: rule T1: terms: a bare yes/no/on/off/true/false is read as a boolean; quote it" in msg


def test_triggers_belong_to_pattern_rules(tmp_path):
    msg = load_error(tmp_path, one_rule("terms: [a]", "triggers: [a]"))
    assert ":6: rule T1: triggers apply to pattern rules only" in msg
    msg = load_error(tmp_path, one_rule("pattern: 'a+'", "triggers: [' ']"))
    assert ":6: rule T1: empty triggers" in msg


def test_a_trigger_missing_from_the_text_keeps_the_pattern_from_running(tmp_path):
    """Triggers are a promise the pack makes; a bad example without one shows a broken promise."""
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    pattern: '(?:top|no)\\.?1'\n"
                     "    triggers: [top]\n    examples: {bad: [top1, no.1], good: [b]}\n", verify=True)
    assert "rule T1: bad example not flagged: 'no.1'" in msg


def test_builtin_regexes_compile_on_first_use_and_user_packs_at_load(tmp_path):
    from compliance_guard.text.lazyre import LazyPattern

    builtin = [r for r in load_packs().rules if r.pattern is not None]
    assert builtin and all(isinstance(r.pattern, LazyPattern) and r.pattern._compiled is None for r in builtin)
    for r in builtin:  # every shipped regex compiles
        assert r.pattern.compiled().pattern == r.pattern.pattern
        for p in r.allow.patterns + (r.needs_evidence.patterns if r.needs_evidence else []):
            p.compiled()
    path = write(tmp_path, one_rule("pattern: 'a+'"))
    (user,) = load_packs([path], builtin=False).rules
    assert not isinstance(user.pattern, LazyPattern)


def test_lazy_patterns_copy_and_pickle_as_they_are():
    """Uncompiled ones stay uncompiled; a compiled one arrives compiled (the engine cache keeps
    the regexes every text runs that way)."""
    import copy
    import pickle

    from compliance_guard.text.lazyre import compile as lazy

    p = lazy("最+好")
    q = pickle.loads(pickle.dumps(p))
    assert q._compiled is None and q.search("很最好").span() == (1, 3)
    assert p.search("最最好").span() == (0, 3)
    r = pickle.loads(pickle.dumps(p))
    assert r._compiled is not None and r.search("很最最好").span() == (1, 4)
    assert copy.deepcopy(lazy("好")).fullmatch("好")


def test_missing_pack_path_is_one_line(tmp_path):
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path / "nope.yaml"], builtin=False)
    assert str(exc.value) == f"{tmp_path / 'nope.yaml'}: rule pack not found"


def test_builtin_patterns_speak_the_normalised_text():
    """Patterns run on normalised text, where ， is , and 國 is 国: a pattern character that
    normalisation folds away can never match, unless its folded form is in the pattern too
    (``[^，。]`` would run straight across commas)."""
    from compliance_guard.text.normalize import fold_term

    stale = []
    for r in load_packs().rules:
        patterns = ([r.pattern] if r.pattern is not None else []) + r.allow.patterns + (
            r.needs_evidence.patterns if r.needs_evidence else [])
        for p in patterns:
            for ch in set(p.pattern):
                folded = fold_term(ch)
                if folded != ch and not ch.isupper() and folded not in p.pattern:
                    stale.append(f"{r.id}: {ch!r} (normalised: {folded!r}) in {p.pattern[:40]!r}")
    assert not stale, stale


def test_rule_ids_differing_only_in_case_clash(tmp_path):
    """Ids are case-insensitive (--select abs001), so two rules ABS001 and abs001 cannot coexist."""
    lower = write(tmp_path, "pack: lower\ncategory: c\nrules:" + GOOD_RULE.replace("T001", "abs001"), "l.yaml")
    with pytest.raises(PackError, match=r"l\.yaml:4: duplicate rule id 'abs001' \(also in .*absolute-claims\.yaml"):
        load_packs([lower])


def test_unknown_placeholders_in_messages_are_rejected_with_their_line(tmp_path):
    """{txt} for {text} was printed as it is in every finding (issue 11, small items)."""
    assert ":5: rule T1: unknown placeholder {txt} in message (this rule fills in {text})" in load_error(
        tmp_path, one_rule('message: "「{txt}」"', "terms: [最好]"))
    assert "unknown placeholder {problm} in message (this rule fills in {problem}, {text})" in load_error(
        tmp_path, one_rule('message: "「{text}」{problm}"', "check: sc-code"))
    msg = load_error(tmp_path, one_rule("check: price-arithmetic", "options:", "  messages:",
                                        '    discount: "{text} {actual}"', '    discout: "{text}"'))
    assert ":9: rule T1: options.messages: unknown message key 'discout'" in msg
    # the rule's message stands in for the keys not given, so it may use only what all of them fill
    msg = load_error(tmp_path, one_rule('message: "{text}: {actual}"', "check: price-arithmetic"))
    assert ":5: rule T1: unknown placeholder {actual} in message (this rule fills in {text})" in msg
    msg = load_error(tmp_path, one_rule("check: category-requirement", "options:", '  conflict_message: "{number} {claims}"'))
    assert ":7: rule T1: unknown placeholder {claims} in options.conflict_message" in msg
    msg = load_error(tmp_path, one_rule("terms: [最好]", "needs_evidence:", "  patterns: [奖]", '  message: "{text}{why}"'))
    assert ":8: rule T1: unknown placeholder {why} in needs_evidence.message" in msg


def test_builtin_messages_use_only_the_placeholders_their_rules_fill():
    from compliance_guard.engine.packs import load_pack, pack_files

    for path in pack_files():
        load_pack(path)  # not lazy: regexes compiled and messages checked as for a user's pack


def test_duplicate_keys_in_a_pack_are_rejected(tmp_path):
    msg = load_error(tmp_path, one_rule("terms: [最好]", 'message: "{text}"', "terms: [最佳]"))
    assert msg.endswith(":7: duplicate key 'terms' (also on line 5)")


@pytest.mark.parametrize("lines, fragment", [
    (("terms: [最好]", "suggest: {最好: [很好, 优质]}", "fix: {最好: 出色}"),
     ":7: rule T1: fix[最好] must be one of its suggestions (很好 / 优质), not '出色'"),
    (("terms: [最好]", "fix: {最好: 很好}"), ":6: rule T1: fix[最好] must be one of its suggestions (none), not '很好'"),
    (("terms: [最好]", "suggest: [很好, 写明依据]", "fix: {最好: 写明依据}"),
     ":7: rule T1: fix[最好] '写明依据' is advice to the writer, not wording to put in"),
    (("terms: [最好]", "suggest: [很好]", "fix: 很好"), ":7: rule T1: fix must be a mapping of term -> one of its suggestions"),
    (("check: sc-code", "suggest: [很好]", "fix: {'*': 很好}"), ":7: rule T1: fix is for wording; a check rule reports values"),
])
def test_a_fix_must_be_one_of_the_terms_wording_suggestions(tmp_path, lines, fragment):
    assert fragment in load_error(tmp_path, one_rule(*lines))


def test_a_fix_belongs_to_the_suggestion_entry_of_its_term(tmp_path):
    """Keys fold as suggest keys do (全網 -> 全网); a term without its own entry takes the '*' fix."""
    path = write(tmp_path, one_rule("terms: [全网最低价, 最低价, 最便宜]",
                                    "suggest: {全網最低價: [超值价, 优惠价], '*': [优惠, 实惠]}",
                                    "fix: {全網最低價: 超值价, '*': 实惠}"))
    rule = load_packs([path], builtin=False).rules[0]
    assert (rule.fix_for("全网最低价"), rule.fix_for("最便宜")) == ("超值价", "实惠")


# -- check options are declared by each check and validated when the pack loads (issue 13) --

def check_rule(*option_lines: str, check: str = "price-arithmetic") -> str:
    """A pack with one check rule T1: ``check`` on line 5, ``options:`` on line 6, its keys from line 7."""
    return ("pack: p\ncategory: c\nrules:\n  - id: T1\n" f"    check: {check}\n    options:\n"
            + "".join(f"      {line}\n" for line in option_lines) + "    examples: {bad: [a], good: [b]}\n")


def test_a_misspelt_check_option_is_an_error_naming_file_line_and_key(tmp_path):
    msg = load_error(tmp_path, check_rule("window: 30", "windw: 5"))
    assert ":8: rule T1: options: unknown key 'windw' (did you mean 'window'?)" in msg


def test_a_check_option_of_the_wrong_type_is_an_error(tmp_path):
    msg = load_error(tmp_path, check_rule('discount_tolerance: "abc"'))
    assert ":7: rule T1: options: discount_tolerance: expected a number, not 'abc'" in msg
    msg = load_error(tmp_path, check_rule("words: [限时, off]", check="time-limit"))
    assert ":7: rule T1: options: words:" in msg and "quote it" in msg
    msg = load_error(tmp_path, check_rule("require_numbers: [sc, scc]", check="category-requirement"))
    assert ":7: rule T1: options: require_numbers: 'scc' is none of sc," in msg


def test_an_unknown_check_is_an_error_when_the_pack_loads(tmp_path):
    msg = load_error(tmp_path, "pack: p\ncategory: c\nrules:\n  - id: T1\n    check: no-such-check\n"
                               "    examples: {bad: [a], good: [b]}\n")
    assert ":5: rule T1: unknown check 'no-such-check' (known: " in msg


def test_rules_test_refuses_a_pack_with_a_bad_check_option(tmp_path):
    from click.testing import CliRunner

    from compliance_guard.app.cli import main

    path = write(tmp_path, check_rule("windw: 5"))
    result = CliRunner().invoke(main, ["rules", "test", "--pack", str(path)])
    assert result.exit_code == 2
    assert f"{path}:7: rule T1: options: unknown key 'windw'" in result.output


def test_every_check_is_registered_under_its_own_name():
    from compliance_guard.checks import CHECKS

    assert all(name == check.name for name, check in CHECKS.items())
    assert all(check.inputs for check in CHECKS.values())
