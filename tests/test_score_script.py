"""``cguard score``: each sub-score on small scripts, monotonicity, compliance caps, the CLI."""
from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.load.documents import from_text
from compliance_guard.load.profiles import apply_overrides, load_profile
from compliance_guard.model.rule import PackSet
from compliance_guard.scoring.script import score_document

# Small packs of our own: the real induced-sharing pack is written elsewhere and may change.
PACKS = {
    "induced-sharing": """
        pack: t-induced
        title: t
        category: induced-sharing
        source: 微信外部链接内容管理规范
        rules:
          - id: TIND001
            severity: error
            message: "「{text}」以奖励诱导点赞/分享"
            all_of: [[点赞, 转发, 分享], [领, 送, 红包, 券, 抽]]
            within: 10
            examples: {bad: [点赞领券], good: [欢迎点赞]}
        """,
    "absolute": """
        pack: t-absolute
        title: t
        category: absolute-claim
        source: 广告法第九条
        rules:
          - id: TABS001
            severity: error
            message: "「{text}」绝对化"
            terms: [最好, 全网最低价]
            examples: {bad: [最好], good: [很好]}
          - id: TABS002
            severity: warning
            message: "「{text}」需有依据"
            terms: [销量领先]
            examples: {bad: [销量领先], good: [销量不错]}
        """,
}

GOOD = ("9.9元包邮！这双纯棉袜子先别划走。\n"
        "姐妹们，面料是精梳棉，一双只有40克，夏天穿一整天也清爽。\n"
        "袜口是双层罗纹，洗了20次还不松，上班通勤都能穿。\n"
        "点击下方小黄车就能拍，评论区告诉我你穿多大码，关注我看下期。")


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    d = tmp_path_factory.mktemp("packs")
    for name, text in PACKS.items():
        (d / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return Engine(load_packs([d], builtin=False))


@pytest.fixture(scope="module")
def empty_engine() -> Engine:
    return Engine(PackSet([]))


def score(engine, text, kind="video", name="s.txt", profile=None, **kw):
    return score_document(from_text(name, text), kind, profile or load_profile(), engine, **kw)


def sub(report, name):
    return next(s for s in report.subscores if s.name == name)


def srt(*cues) -> str:
    """SRT text from (start_s, end_s, text) cues."""
    def t(s):
        ms = int(round(s * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
    return "\n".join(f"{i}\n{t(a)} --> {t(b)}\n{text}\n" for i, (a, b, text) in enumerate(cues, 1))


# -- hook -----------------------------------------------------------------------------------------

def test_hook_in_the_first_characters_scores_full(empty_engine):
    assert sub(score(empty_engine, GOOD), "hook").score == 100


def test_hook_after_the_opening_keeps_only_the_late_share(empty_engine):
    text = "大家好，我是小美，今天随便聊聊袜子。\n现在9.9元包邮。"
    hook = sub(score(empty_engine, text), "hook")
    assert hook.score == pytest.approx(100 * load_profile()["script.hook_late_credit"])
    assert "9.9元包邮" in hook.improvement
    assert sub(score(empty_engine, "大家好，今天随便聊聊袜子。"), "hook").score == 0


def test_adding_a_hook_raises_the_score(empty_engine):
    without = score(empty_engine, GOOD.replace("9.9元包邮！", "今天聊聊，", 1))
    with_hook = score(empty_engine, GOOD)
    assert sub(with_hook, "hook").score > sub(without, "hook").score
    assert with_hook.score > without.score


@pytest.mark.parametrize("start, credited", [(2.9, True), (3.1, False)])
def test_srt_hook_uses_the_exact_first_three_seconds(empty_engine, start, credited):
    text = srt((0, start, "大家好呀朋友们"), (start, start + 3, "9.9元包邮的纯棉袜子"),
               (start + 3, 20, "面料是精梳棉，点击下方链接"))
    hook = sub(score(empty_engine, text, name="s.srt"), "hook")
    assert (hook.score == 100) is credited


def test_srt_hook_counts_only_the_share_of_a_cue_spoken_in_time(empty_engine):
    # one 8-second cue: only its first 3/8 is in the window, so a benefit at its end is late
    late = srt((0, 8, "今天给大家讲讲我们家的这双袜子现在9.9元包邮"), (8, 20, "面料是精梳棉"))
    early = srt((0, 8, "9.9元包邮今天给大家讲讲我们家的这双袜子"), (8, 20, "面料是精梳棉"))
    assert sub(score(empty_engine, late, name="a.srt"), "hook").score < 100
    assert sub(score(empty_engine, early, name="b.srt"), "hook").score == 100


def test_hook_window_follows_the_profile(empty_engine):
    text = srt((0, 3.1, "大家好呀朋友们"), (3.1, 6, "9.9元包邮的纯棉袜子"))
    wider = apply_overrides(load_profile(), {"script.hook_seconds": 5})
    assert sub(score(empty_engine, text, name="s.srt"), "hook").score < 100
    assert sub(score(empty_engine, text, name="s.srt", profile=wider), "hook").score == 100


# -- length -------------------------------------------------------------------------------------------

def test_length_from_srt_timings(empty_engine):
    r = score(empty_engine, srt((0, 5, "9.9元包邮"), (5, 90, "面料是精梳棉")), name="s.srt")
    assert r.facts["duration_s"] == 90 and r.facts["duration_from"] == "srt"
    assert sub(r, "length").score < 100 and "60" in sub(r, "length").improvement


def test_length_estimate_follows_the_speaking_rate(empty_engine):
    text = "面料是精梳棉" * 30  # 180 spoken characters
    normal = score(empty_engine, text)
    slow = score(empty_engine, text, profile=apply_overrides(load_profile(), {"script.speaking_rate": [2, 2]}))
    assert normal.facts["duration_s"] == pytest.approx(45)  # 180 / 4 字/秒
    assert normal.facts["duration_band_s"] == [36, 60]
    assert slow.facts["duration_s"] == pytest.approx(90)
    assert sub(normal, "length").score == 100 > sub(slow, "length").score


def test_shortening_an_over_long_script_raises_the_score(empty_engine):
    body = "这款保温杯是316不锈钢内胆，容量500毫升，冬天装热水12小时还有65度，上班通勤很方便。"
    long = score(empty_engine, "第二件半价！" + body * 8 + "点击下方链接，评论区告诉我你要什么颜色。")
    shorter = score(empty_engine, "第二件半价！" + body * 6 + "点击下方链接，评论区告诉我你要什么颜色。")
    assert long.facts["duration_s"] > shorter.facts["duration_s"] > 60
    assert sub(shorter, "length").score > sub(long, "length").score
    assert shorter.score > long.score


FAST = [(0, 3, "9.9元包邮三双纯棉袜子今天直接带回家不要犹豫马上拍"), (3, 6, "面料是精梳棉含棉量85%一双只有40克"),
        (6, 30, "点击下方链接")]


@pytest.mark.parametrize("cues, line, why", [
    ([(3, 0, FAST[0][2]), FAST[1], FAST[2]], 2, "the cue ends (00:00:00,000) before it starts (00:00:03,000)"),
    ([FAST[0], (30, 6, FAST[1][2]), FAST[2]], 6, "the cue ends (00:00:06,000) before it starts (00:00:30,000)"),
    ([FAST[1], FAST[0], FAST[2]], 6, "the cue starts (00:00:00,000) before the cue above it (00:00:03,000)"),
])
def test_srt_timing_that_runs_backwards_is_a_problem_not_a_length(empty_engine, cues, line, why):
    """A reversed cue made the speech last 0 s: no speaking rate, nothing too fast, length 100.
    The timing is refused, said so, and the script is timed from its characters."""
    r = score(empty_engine, srt(*cues), name="r.srt")
    assert r.problems == [f"r.srt:{line}: {why}; the SRT timing is not used, the length is estimated from the characters"]
    plain = score(empty_engine, "\n".join(text for _, _, text in cues))
    assert r.facts["duration_from"] == "estimated" and "speaking_rate" not in r.facts
    assert r.facts["duration_s"] == plain.facts["duration_s"]
    assert sub(r, "length").score == sub(plain, "length").score
    assert "spoken characters at 4 字/秒" in sub(r, "length").evidence[0].detail


def test_cli_reports_unusable_srt_timing_and_exits_1(tmp_path):
    path = tmp_path / "r.srt"
    path.write_text(srt((3, 0, FAST[0][2]), FAST[1], FAST[2]), encoding="utf-8")
    result = run("score", "--no-config", path)
    assert result.exit_code == 1
    assert f"problem: {path}:2: the cue ends (00:00:00,000) before it starts" in result.output


def test_sound_srt_timing_has_no_problem(empty_engine):
    """Overlapping cues (two speakers) and a pause between cues are ordinary timing."""
    r = score(empty_engine, srt((0, 4, FAST[0][2]), (3, 8, FAST[1][2]), (12, 30, FAST[2][2])), name="s.srt")
    assert r.problems == [] and r.facts["duration_from"] == "srt" and r.facts["duration_s"] == 30


def test_too_fast_speech_is_marked(empty_engine):
    fast = srt((0, 3, "9.9元包邮三双纯棉袜子今天直接带回家不要犹豫马上拍"), (3, 16, "面料是精梳棉"))
    r = score(empty_engine, fast, name="f.srt")
    assert r.facts["speaking_rate"] > 0
    assert any("字/秒" in e.text for e in sub(r, "length").evidence) is (r.facts["speaking_rate"] > 5.33)


def test_stage_directions_and_captions(empty_engine):
    text = ("# 脚本标题不算\n【字幕：9.9元 尝鲜装】\n【画面：草莓倒进玻璃碗，慢镜头特写三秒钟】\n"
            "主播：咬一口咔嚓响！\n画面：切到办公室\n主播：点击下方链接。")
    r = score(empty_engine, text, name="s.md")
    assert r.facts["spoken_chars"] == len("咬一口咔嚓响点击下方链接")  # captions, directions, labels, title: not said
    assert sub(r, "hook").score == 100  # the caption is seen in the opening


# -- density, emotion, interaction ----------------------------------------------------------------------

def test_density_counts_specifics_per_sentence(empty_engine):
    vague = score(empty_engine, "这双袜子很好看。穿着很舒服。大家快来买。")
    specific = score(empty_engine, "这双袜子是精梳棉。一双40克。上班通勤都能穿。")
    assert sub(vague, "density").score == 0
    assert sub(specific, "density").score == 100
    assert "line 1" in sub(vague, "density").improvement


def test_emotion_needs_feeling_not_only_address(empty_engine):
    flat = score(empty_engine, "你看这双袜子，你穿上试试，你会喜欢。")
    warm = score(empty_engine, "姐妹们，这双袜子软软的，穿上好安心！")
    assert sub(flat, "emotion").score <= 60
    assert sub(warm, "emotion").score == 100


def test_call_to_action_belongs_at_the_end(empty_engine):
    end = score(empty_engine, "9.9元包邮。面料是精梳棉，夏天穿很清爽，洗了很多次也不变形。点击下方链接，评论区告诉我尺码。")
    start = score(empty_engine, "点击下方链接，评论区告诉我尺码。9.9元包邮。面料是精梳棉，夏天穿很清爽，洗了很多次也不变形。")
    assert sub(end, "interaction").score > sub(start, "interaction").score > 0


def test_induced_call_to_action_scores_nothing_and_is_a_finding(engine, empty_engine):
    text = "9.9元包邮的纯棉袜子，面料是精梳棉。\n点赞领券！"
    plain = score(empty_engine, text)
    judged = score(engine, text)
    assert sub(plain, "interaction").score > 0  # without the rule, 点赞 is an ordinary prompt
    assert sub(judged, "interaction").score == 0
    assert any("no credit" in e.detail for e in sub(judged, "interaction").evidence)
    found = [f for f in judged.findings if f.category == "induced-sharing"]
    assert found and found[0].text == text[found[0].start:found[0].end]
    assert any(e.text == found[0].text for e in sub(judged, "compliance").evidence)


def test_a_hook_that_is_itself_an_error_earns_nothing(engine, empty_engine):
    text = "转发就送红包！这双纯棉袜子，面料是精梳棉。点击下方链接。"
    assert sub(score(empty_engine, text), "hook").score == 100
    r = score(engine, text)
    hook = sub(r, "hook")
    assert hook.score == 0 and any("no credit" in e.detail for e in hook.evidence)


# -- compliance cap ------------------------------------------------------------------------------------

def test_each_error_caps_the_score_and_warnings_cost_points(engine, empty_engine):
    p = load_profile()
    clean = score(engine, GOOD)
    one = score(engine, GOOD.replace("先别划走", "是最好的"))
    two = score(engine, GOOD.replace("先别划走", "是最好的").replace("上班通勤", "最好的上班通勤"))
    warned = score(engine, GOOD.replace("先别划走", "销量领先"))
    assert clean.cap is None and clean.score == clean.quality
    assert one.cap == p["compliance.error_cap"] and one.score <= one.cap < clean.score
    assert two.cap == p["compliance.error_cap"] - p["compliance.error_cap_step"] and two.score < one.score
    assert warned.penalty == p["compliance.warning_penalty"] and warned.score == warned.quality - warned.penalty
    assert [f.rule for f in one.findings] == ["TABS001"]


# -- live ---------------------------------------------------------------------------------------------------

LIVE = """\
19:00-19:10 开场
欢迎新进来的家人们！今晚福利是9.9元秒杀。
19:10-19:40 讲品
这款围巾面料是羊毛，长180厘米，冬天通勤很暖和。
19:40-20:00 互动
想要的扣1，评论区告诉我颜色，福袋开始了。
20:00-20:40 促单
上链接！限时价59元，库存200条，整点抽免单。
20:40-21:00 预告
感谢大家，明晚8点下一场，记得预约。
"""


def test_live_structure_all_phases_in_order(empty_engine):
    r = score(empty_engine, LIVE, kind="live")
    assert sub(r, "structure").score == 100
    no_preview = score(empty_engine, LIVE.split("20:40-21:00")[0], kind="live")
    assert sub(no_preview, "structure").score < 100
    assert "预告" in sub(no_preview, "structure").improvement


def test_retention_hooks_per_hour_of_the_clock(empty_engine):
    both = score(empty_engine, LIVE, kind="live")
    first_only = score(empty_engine, LIVE.replace("整点抽免单", "拍下就发货"), kind="live")
    assert sub(both, "retention").facts["per_hour"] == [1, 1]
    assert sub(both, "retention").score == 100
    assert sub(first_only, "retention").score == 50
    assert "hour(s) 2" in sub(first_only, "retention").improvement


def test_prime_time_promotion_vs_morning_knowledge(empty_engine):
    evening = "19:30-20:30 秒杀专场\n上链接，限时秒杀，福利价下单。\n"
    morning = "07:30-08:30 秒杀专场\n上链接，限时秒杀，福利价下单。\n"
    lesson = "07:30-08:30 护肤小课堂\n干货科普：保湿的原理和方法。\n"
    assert sub(score(empty_engine, evening, kind="live"), "timing").score == 100
    assert sub(score(empty_engine, morning, kind="live"), "timing").score == 0
    assert sub(score(empty_engine, lesson, kind="live"), "timing").score == 100
    untimed = score(empty_engine, "上链接，限时秒杀，福利价下单。", kind="live")
    assert sub(untimed, "timing").score is None and sub(untimed, "timing").weight > 0
    assert untimed.score == untimed.quality  # the weight of a sub-score that cannot apply is shared out


def test_start_option_gives_an_srt_its_clock(empty_engine):
    text = srt((0, 5, "上链接，限时秒杀，福利价下单"), (5, 3600, "继续秒杀"))
    r = score(empty_engine, text, kind="live", name="l.srt", start_clock="19:00")
    assert sub(r, "timing").score == 100
    assert sub(score(empty_engine, text, kind="live", name="l.srt"), "timing").score is None


# -- CLI --------------------------------------------------------------------------------------------------

CLI_PACK = """\
pack: t-cli
title: t
category: t-claim
source: test
rules:
  - id: TCLI001
    severity: error
    message: "「{text}」"
    terms: [宇宙第一袜]
    examples: {bad: [宇宙第一袜], good: [好袜子]}
"""


@pytest.fixture()
def files(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(GOOD.replace("先别划走", "宇宙第一袜"), encoding="utf-8")
    pack = tmp_path / "t-cli.yaml"
    pack.write_text(CLI_PACK, encoding="utf-8")
    return good, bad, pack


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_json_output(files):
    good, bad, pack = files
    result = run("score", "--format", "json", "--pack", pack, good, bad)
    doc = json.loads(result.stdout)
    assert doc["command"] == "score" and doc["profile"]["name"] == "default"
    assert [f["path"] for f in doc["files"]] == [str(good), str(bad)]
    first = doc["files"][0]
    assert {s["name"] for s in first["subscores"]} == {"length", "hook", "density", "emotion", "interaction", "compliance"}
    assert all({"score", "weight", "evidence", "improvement", "source"} <= set(s) for s in first["subscores"])
    assert doc["files"][1]["cap"] is not None
    assert any(f["rule"] == "TCLI001" for f in doc["files"][1]["findings"])
    assert result.exit_code == 1  # an error finding at the default --fail-on error


def test_cli_exit_codes(files, tmp_path):
    good, bad, pack = files
    assert run("score", "--pack", pack, good).exit_code == 0
    assert run("score", "--pack", pack, "--fail-on", "never", bad).exit_code == 0
    assert run("score", "--pack", pack, "--min-score", "101", good).exit_code == 2
    plain = tmp_path / "plain.txt"
    plain.write_text("今天聊聊这双袜子，面料是精梳棉。", encoding="utf-8")
    score_plain = json.loads(run("score", "--format", "json", plain).stdout)["files"][0]["score"]
    assert score_plain < 100
    assert run("score", "--min-score", score_plain, plain).exit_code == 0
    assert run("score", "--min-score", score_plain + 1, plain).exit_code == 1
    missing = run("score", "--format", "json", tmp_path / "missing.txt", plain)
    assert missing.exit_code == 1
    files_out = json.loads(missing.stdout)["files"]
    assert "error" in files_out[0] and files_out[1]["score"] == score_plain
    assert run("score", tmp_path / "missing.txt").output.startswith(f"{tmp_path / 'missing.txt'}: error No such file")


def test_an_empty_script_is_an_error_not_a_score(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n", encoding="utf-8")
    result = run("score", "--format", "json", empty)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["error"] == f"{empty}: empty; there is no script to score"


def test_cli_text_output_explains(files):
    good, _, _ = files
    out = run("score", good).output
    assert f"{good}: " in out and "/100" in out
    assert "开头钩子 [hook]" in out and "互动引导 [interaction]" in out
