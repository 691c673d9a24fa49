"""Large inputs are checked whole or refused clearly (issue 11, items 11 and 13): pattern rules
run on bounded windows, never skipped on size; a user pattern that times out makes the run
exit 1 and says which rule and file; inputs over --max-size are an error for that file."""
from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner
from conftest import builtin_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_guard.app.cli import main
from compliance_guard.engine import Engine, automaton, verify
from compliance_guard.engine.automaton import term_forms
from compliance_guard.engine.kinds import pattern as pattern_kind
from compliance_guard.engine.packs import load_packs
from compliance_guard.load.documents import from_text
from compliance_guard.run.files import check_document
from compliance_guard.text.view import TextView

PATTERN_RULES = [r for r in builtin_engine().rules if r.kind == "pattern"]


def test_every_builtin_pattern_has_a_bounded_match_length():
    """The windows around triggers are this much wider than the trigger: a built-in pattern
    without a bound (``\\s*``, ``\\d+``) would fall back to one call over the whole text."""
    assert len(PATTERN_RULES) >= 15
    for rule in PATTERN_RULES:
        width = pattern_kind.max_width(rule)
        assert width is not None and width <= 200, rule.id


def reference_spans(rule, norm_text: str) -> list[tuple[int, int]]:
    """What one finditer over the whole text finds, for a rule the automaton triggered."""
    forms = {f for t in rule.triggers for f in term_forms(rule, t)}
    if rule.triggers and not any(f in norm_text for f in forms):
        return []
    return [m.span() for m in rule.pattern.finditer(norm_text) if m.end() > m.start()]


PIECES = [ex for r in PATTERN_RULES for ex in r.examples["bad"] + r.examples["good"]] + [
    "最", "全网", "转发", "100", "no", " ", "\n", "，", "。", "1", "3", "8", "0", "-", "qq", "电话"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=60), st.sampled_from([3, 8, 20, 64]))
def test_windowed_matches_are_those_of_one_call_over_the_whole_text(parts, window):
    """Pieces as small as a few characters, so matches straddle every kind of cut."""
    text = "".join(parts)
    engine = builtin_engine()
    view = TextView(text, engine.collapse)
    norm = view.norm
    triggers = [h for h in engine._automaton.find(norm) if h.group == automaton.TRIGGER]
    errors: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pattern_kind, "WINDOW", window)
        found = pattern_kind.candidates(PATTERN_RULES, view, triggers, errors)
    assert errors == []
    for rule in PATTERN_RULES:
        assert [(h.start, h.end) for h in found if h.rule is rule] == reference_spans(rule, norm.text), rule.id


class CallSizes:
    """A pattern stand-in that records how many characters each regex call covers."""

    def __init__(self, pattern, sizes: list[int]):
        self._pattern, self._sizes = pattern, sizes
        self.pattern, self.flags = pattern.pattern, pattern.flags

    def finditer(self, text, pos=0, endpos=None, **kwargs):
        self._sizes.append((len(text) if endpos is None else endpos) - pos)
        return self._pattern.finditer(text, pos, len(text) if endpos is None else endpos, **kwargs)


def test_a_multi_megabyte_text_is_checked_whole_in_small_regex_calls():
    packset = load_packs()
    sizes: list[int] = []
    rules = [r for r in packset.rules if r.kind == "pattern"]
    for rule in rules:
        rule.pattern = CallSizes(rule.pattern, sizes)
    engine = Engine(packset)
    rng = random.Random(11)
    filler = ["今天给大家介绍一款保温杯，容量适中。", "颜色也很好看，最近卖得不错！", "全网都在聊它。\n", "下单记得看尺码表。"]
    parts, expected, pos = [], [], 0
    while pos < 2_000_000:
        for _ in range(rng.randrange(50, 400)):
            piece = rng.choice(filler)
            parts.append(piece)
            pos += len(piece)
        rule = rules[len(expected) % len(rules)]
        example = rule.examples["bad"][len(expected) % len(rule.examples["bad"])]
        parts.append(example + "\n")
        expected.append((rule.id, pos, pos + len(example)))
        pos += len(example) + 1
    text = "".join(parts)
    errors: list[str] = []
    findings = check_document(engine, from_text("big.txt", text), errors)
    assert errors == []
    missing = [(rid, text[s:e]) for rid, s, e in expected
               if not any(f.rule == rid and s <= f.start < f.end <= e for f in findings)]
    assert missing == []
    assert max(sizes) <= pattern_kind.WINDOW + 200 + pattern_kind.LOOKAROUND
    assert len(text) > 2_000_000 and len(expected) > 2 * len(rules)


CATASTROPHIC_PACK = """\
pack: team
category: team-claim
rules:
  - id: TEAM001
    message: "「{text}」"
    pattern: '(?:a|aa)+c'
    examples:
      bad: [aac]
      good: [bbb]
"""


def test_a_user_pattern_that_times_out_is_exit_1_naming_rule_and_file(tmp_path, monkeypatch):
    monkeypatch.setattr(verify, "REGEX_TIMEOUT", 0.2)
    pack = tmp_path / "team.yaml"
    pack.write_text(CATASTROPHIC_PACK, encoding="utf-8")
    slow = tmp_path / "slow.txt"
    slow.write_text("a" * 40 + "!\n这款最好\n", encoding="utf-8")
    fine = tmp_path / "fine.txt"
    fine.write_text("最近天气很好\n", encoding="utf-8")
    args = ["check", "--no-config", "--no-baseline", "--pack", str(pack), "--fail-on", "never"]
    r = CliRunner().invoke(main, [*args, str(slow), str(fine)])
    assert r.exit_code == 1
    assert f"{slow}: warning not fully checked for rule TEAM001 ({pack}:4): its pattern timed out" in r.output
    assert r.output.endswith("; 1 file(s) not fully checked\n")
    assert "error ABS001" in r.output  # the other rules still ran
    r = CliRunner().invoke(main, [*args, "--format", "json", str(slow), str(fine)])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    slow_entry, fine_entry = doc["files"]
    assert [f["rule"] for f in slow_entry["findings"]] == ["ABS001"]
    assert len(slow_entry["warnings"]) == 1 and "TEAM001" in slow_entry["warnings"][0]
    assert "warnings" not in fine_entry


def run_cguard(*args: str, stdin=None, timeout: float = 120):
    """cguard in a child process with its address space capped (4 GiB), so that reading an
    endless input fails fast instead of eating the machine's memory."""
    import resource
    import subprocess
    import sys

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    return subprocess.run([sys.executable, "-c", "from compliance_guard.app.cli import main; main()", *args],
                          stdin=stdin, capture_output=True,
                          timeout=timeout, preexec_fn=cap, text=True, encoding="utf-8")


@pytest.mark.skipif(not __import__("os").path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_inputs_are_refused_and_the_other_files_checked(tmp_path):
    import os
    import threading

    ok = tmp_path / "ok.txt"
    ok.write_text("这款最好\n", encoding="utf-8")
    fifo = tmp_path / "endless.txt"
    os.mkfifo(fifo)

    def feed():
        try:
            with open(fifo, "wb") as fh:
                while True:
                    fh.write(b"a" * 65536)
        except (BrokenPipeError, OSError):
            pass

    threading.Thread(target=feed, daemon=True).start()
    r = run_cguard("check", "--no-config", "--max-size", "1M", "/dev/zero", str(fifo), str(ok))
    assert r.returncode == 1, r.stderr
    assert "/dev/zero: error larger than 1 MiB; not checked" in r.stdout
    assert f"{fifo}: error larger than 1 MiB; not checked" in r.stdout
    assert f"{ok}:1:3: error ABS001" in r.stdout
    with open("/dev/zero", "rb") as zero:
        r = run_cguard("check", "--no-config", "-", stdin=zero)
    assert r.returncode == 1 and "-: error larger than 20 MiB; not checked" in r.stdout


def test_max_size_from_flag_and_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.txt").write_text("这款最好" + "。" * 300, encoding="utf-8")  # 912 bytes
    (tmp_path / "large.txt").write_text("这款最好" + "。" * 400, encoding="utf-8")  # 1212 bytes
    runner = CliRunner()
    r = runner.invoke(main, ["check", "--no-config", "--max-size", "1K", "--format", "json", "small.txt", "large.txt"])
    assert r.exit_code == 1
    small, large = json.loads(r.stdout)["files"]
    assert [f["rule"] for f in small["findings"]] == ["ABS001"]
    assert large["error"] == ("large.txt: larger than 1 KiB; not checked "
                              "(raise the limit with --max-size or max-size: in the config)")
    (tmp_path / ".cguard.yaml").write_text("max-size: 1K\n", encoding="utf-8")
    assert "larger than 1 KiB" in runner.invoke(main, ["check", "large.txt"]).output
    assert runner.invoke(main, ["check", "--max-size", "2k", "--fail-on", "never", "large.txt"]).exit_code == 0
    assert "max-size: 1 KiB" in runner.invoke(main, ["config"]).output
    (tmp_path / ".cguard.yaml").write_text("max-size: lots\n", encoding="utf-8")
    r = runner.invoke(main, ["check", "large.txt"])
    assert r.exit_code == 2 and ".cguard.yaml:1: max-size: expected a size such as 20M" in r.output


ALLOW_PACK = """\
pack: team
category: team-claim
rules:
  - id: TEAM002
    message: "「{text}」"
    terms: [特惠]
    allow:
      patterns: ['(?:a|a)+c']
    examples:
      bad: [特惠]
      good: [bbb]
"""


def test_an_exemption_pattern_that_times_out_is_reported_for_every_hit_it_could_not_judge(tmp_path, monkeypatch):
    """The clause answers are remembered (repeated copy asks the same question), the warnings
    are not: two identical lines, two hits, two notes."""
    monkeypatch.setattr(verify, "REGEX_TIMEOUT", 0.2)
    pack = tmp_path / "team.yaml"
    pack.write_text(ALLOW_PACK, encoding="utf-8")
    from compliance_guard.run.engines import build_engine

    engine = build_engine([pack], verify_extra=False)
    errors: list[str] = []
    line = "a" * 24 + "特惠" + "a" * 24
    findings = [f for f in engine.check(f"{line}\n{line}\n", errors) if f.rule == "TEAM002"]
    assert len(findings) == 2  # not judged exempt
    assert len(errors) == 2 and all("rule TEAM002" in e and "exemption pattern" in e for e in errors)
