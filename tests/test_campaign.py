"""``cguard campaign``: each parameter against its range and source, the mechanics as compliance,
findings that point into the file, monotonicity and exit codes."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.load.profiles import apply_overrides, load_profile
from compliance_guard.scoring.campaign import score_campaign

BASE = """\
campaign: 测试活动
average_order_value: 150
products:
  - name: 尝鲜装
    role: 引流款
    price: 19.9
    cost: 13
    group_price: 16.5
    monthly_sales: 1000
    stock: 1600
  - name: 礼盒
    role: 利润款
    price: 168
    cost: 70
    group_price: 139
coupons:
  - {name: 满99减15, type: threshold, threshold: 99, discount: 15}
"""


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The campaign pack's rules only: the copy in the file is not checked by any text rule."""
    return Engine(load_packs(), select=["campaign"])


def camp(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(tmp_path, engine, text, profile=None, name="c.yaml"):
    return score_campaign(str(camp(tmp_path, text, name)), profile or load_profile(), engine)


def rules(report):
    return sorted(f.rule for f in report.findings)


def test_a_campaign_inside_every_range_scores_full(tmp_path, engine):
    r = run(tmp_path, engine, BASE)
    assert r.findings == [] and r.problems == [] and r.score == 100
    assert r.facts["parameters_checked"] >= 10


@pytest.mark.parametrize("change, rule, value, allowed, seed", [
    (("group_price: 16.5", "group_price: 13.5"), "CMP101", "32.2%", "15%–20%", "《微店成功运营案例拆解及关键策略》"),
    (("group_price: 16.5", "group_price: 13.5"), "CMP102", "3.8%", "≥ 5%", "《微店成功运营案例拆解及关键策略》"),
    (("threshold: 99", "threshold: 140"), "CMP111", "93.3%", "60%–70%", "《视频号电商如何发展》"),
    (("price: 19.9\n    cost: 13\n    group_price: 16.5", "price: 39\n    cost: 25\n    group_price: 32.5"),
     "CMP121", "39元", "≤ 30元", "《视频号小店怎么运营的》"),
    (("cost: 13", "cost: 17"), "CMP122", "14.6%", "≥ 20%", "《视频号小店怎么运营的》"),
    (("price: 168", "price: 228"), "CMP123", "228元", "100元–200元", "《视频号小店怎么运营的》"),
    (("cost: 70", "cost: 95"), "CMP124", "43.5%", "≥ 50%", "《视频号小店怎么运营的》"),
    (("average_order_value: 150", "average_order_value: 320"), "CMP131", "320元", "99元–299元", "《视频号小店怎么运营的》"),
    (("stock: 1600", "stock: 1200"), "CMP151", "1.2×", "≥ 1.5×", "《微信小店作为依托微信生态的电商工具…》"),
])
def test_each_parameter_names_value_range_and_source(tmp_path, engine, change, rule, value, allowed, seed):
    r = run(tmp_path, engine, BASE.replace(*change))
    found = [f for f in r.findings if f.rule == rule]
    assert len(found) == 1, rules(r)
    f = found[0]
    assert f.category == "campaign-parameter" and f.severity.value == "warning"
    assert value in f.message and allowed in f.message and seed in f.message and seed in f.source
    assert r.score < 100 and r.cap is None  # advice lowers the score but does not cap it


def test_longtail_and_alert_thresholds(tmp_path, engine):
    longtail = ("  - name: 长尾款A\n    role: 长尾款\n    price: 59\n    cost: 20\n"
                "    return_rate: 12%\n    search_share: 0.1\n")
    text = BASE.replace("coupons:\n", longtail + "coupons:\n") + \
        "metrics:\n  return_rate: 16%\n  new_customer_share: 0.41\n"
    r = run(tmp_path, engine, text)
    assert {"CMP125", "CMP126", "CMP161", "CMP162"} <= set(rules(r)), rules(r)
    msg = {f.rule: f.message for f in r.findings}
    assert "12%" in msg["CMP125"] and "≤ 10%" in msg["CMP125"]
    assert "10%" in msg["CMP126"] and "≥ 15%" in msg["CMP126"]
    assert "16%" in msg["CMP161"] and "质量抽检" in msg["CMP161"]
    assert "41%" in msg["CMP162"] and "老客召回" in msg["CMP162"]


def test_findings_point_at_their_value_in_the_file(tmp_path, engine):
    path = camp(tmp_path, BASE.replace("group_price: 16.5", "group_price: 13.5"))
    r = score_campaign(str(path), load_profile(), engine)
    text = path.read_text(encoding="utf-8")
    for f in r.findings:
        assert text[f.start:f.end] == f.text
        assert text.splitlines()[f.line - 1][f.column - 1:].startswith(f.text.split("\n")[0])
    assert {f.text for f in r.findings if f.rule in ("CMP101", "CMP102")} == {"13.5"}


def test_fixing_a_group_price_moves_the_score_the_right_way(tmp_path, engine):
    scores = [run(tmp_path, engine, BASE.replace("group_price: 16.5", f"group_price: {p}"), name=f"{p}.yaml").score
              for p in (11.0, 13.5, 15.0, 16.5)]
    assert scores == sorted(scores) and scores[0] < scores[-1] == 100


def test_coupons_that_stack_below_cost(tmp_path, engine):
    text = BASE + "  - {name: 无门槛5元, type: fixed, discount: 5}\n  - {name: 9折, type: percent, rate: 0.9}\n"
    exclusive = run(tmp_path, engine, text, name="a.yaml")
    stacked = run(tmp_path, engine, "coupon_stacking: true\n" + text, name="b.yaml")
    assert "CMP141" not in rules(exclusive)
    found = [f for f in stacked.findings if f.rule == "CMP141"]
    assert found and "尝鲜装" in found[0].message and "stacked" in found[0].message
    assert stacked.score < exclusive.score


@pytest.mark.parametrize("mechanic, rule, category, severity", [
    ("{type: invite, invite_count: 3, reward: 5折券}", "CMP201", "induced-sharing", "error"),
    ("{type: share, reward: 5元红包}", "CMP202", "induced-sharing", "error"),
    ("{type: follow, reward: 优惠券}", "CMP203", "induced-sharing", "error"),
    ("{type: 砍价, name: 砍价1元购}", "CMP204", "induced-sharing", "error"),
    ("{type: distribution, commission: [15%, 5%]}", "CMP205", "induced-sharing", "error"),
    ("{type: distribution, levels: 1, entry_fee: 99}", "CMP206", "induced-sharing", "error"),
    ("{type: distribution, levels: 1, per_recruit_reward: 20}", "CMP207", "induced-sharing", "error"),
    ("{type: lottery, top_prize: 50001}", "CMP211", "pricing", "error"),
    ("{type: lottery, top_prize: 500, conditions: [分享]}", "CMP212", "induced-sharing", "error"),
    ("{type: lottery, top_prize: 500, prizes_published: false}", "CMP213", "pricing", "warning"),
    ("{type: group_buy, lottery: true}", "CMP214", "induced-sharing", "error"),
])
def test_mechanics_are_judged_as_compliance(tmp_path, engine, mechanic, rule, category, severity):
    r = run(tmp_path, engine, BASE + f"mechanics:\n  - {mechanic}\n")
    found = [f for f in r.findings if f.rule == rule]
    assert len(found) == 1, rules(r)
    assert found[0].category == category and found[0].severity.value == severity
    assert found[0].source
    if severity == "error":
        assert r.cap == load_profile()["compliance.error_cap"] and r.score <= r.cap


@pytest.mark.parametrize("mechanic", [
    "{type: invite, invite_count: 3}",  # no reward
    "{type: share}",
    "{type: distribution, levels: 1, commission: 10%}",  # one level: the platform's 分享员
    "{type: lottery, top_prize: 50000, prizes_published: true, conditions: [评论]}",  # at the cap is allowed
    "{type: group_buy}",
])
def test_allowed_mechanics_give_no_finding(tmp_path, engine, mechanic):
    r = run(tmp_path, engine, BASE + f"mechanics:\n  - {mechanic}\n")
    assert r.findings == [] and r.score == 100


def test_the_seeds_own_advice_is_reported_with_the_seed(tmp_path, engine):
    r = run(tmp_path, engine, BASE + "mechanics:\n  - {type: invite, invite_count: 3, reward: 5折券}\n")
    assert "《视频号小店怎么运营的》" in r.findings[0].message and "邀请3人进群领5折券" in r.findings[0].message


def test_copy_is_checked_with_the_packs_and_placed_in_the_file(tmp_path):
    pack = tmp_path / "t.yaml"
    pack.write_text(textwrap.dedent("""\
        pack: t-share
        title: t
        category: induced-sharing
        source: test
        rules:
          - id: TSH001
            message: "「{text}」"
            all_of: [[转发, 邀请], [领, 券]]
            within: 10
            examples: {bad: [转发领券], good: [转发]}
        """), encoding="utf-8")
    engine = Engine(load_packs([pack]), select=["campaign", "t-share"])
    text = BASE + "copy: [秋季活动，转发朋友圈领券]\nmechanics:\n  - {type: invite, reward: 券, description: 邀请3人领券}\n"
    path = camp(tmp_path, text)
    r = score_campaign(str(path), load_profile(), engine)
    copy = [f for f in r.findings if f.rule == "TSH001"]
    assert len(copy) == 1  # the mechanic's own wording is not reported twice (CMP201 covers it)
    assert path.read_text(encoding="utf-8")[copy[0].start:copy[0].end] == copy[0].text == "转发朋友圈领"
    assert copy[0].message.startswith("copy:")
    assert "CMP201" in rules(r)


def test_copy_not_written_verbatim_keeps_offsets_into_the_value(tmp_path):
    pack = tmp_path / "t.yaml"
    pack.write_text("pack: t-share\ntitle: t\ncategory: induced-sharing\nsource: test\nrules:\n"
                    "  - id: TSH001\n    message: x\n    all_of: [[转发], [领]]\n    within: 10\n"
                    "    examples: {bad: [转发领券], good: [转发]}\n", encoding="utf-8")
    engine = Engine(load_packs([pack]), select=["campaign", "t-share"])
    path = camp(tmp_path, BASE + 'copy: "秋季活动，\\u8f6c发朋友圈领券"\n')
    f = next(f for f in score_campaign(str(path), load_profile(), engine).findings if f.rule == "TSH001")
    assert f.field == "copy" and "秋季活动，转发朋友圈领券"[f.start:f.end] == f.text == "转发朋友圈领"
    assert f.line == len(BASE.splitlines()) + 1


def test_unknown_keys_and_bad_values_are_problems_and_the_rest_is_judged(tmp_path, engine):
    text = BASE.replace("    cost: 70\n", "    cost: seventy\n    colour: red\n") + "typo: 1\n"
    r = run(tmp_path, engine, text)
    assert any(":14: products[1].cost: expected a number" in p for p in r.problems)
    assert any("unknown key products[1].colour" in p for p in r.problems)
    assert any("unknown key 'typo'" in p for p in r.problems)
    assert r.facts["parameters_checked"] > 0


def test_a_campaign_with_nothing_to_judge_is_an_error_not_a_full_score(tmp_path, engine):
    r = run(tmp_path, engine, "campaign: x\nproducts:\n  - {name: a, role: 引流款, price: cheap}\n")
    assert r.error is not None and "nothing to judge" in r.error
    assert any("products[0].price: expected a number" in p for p in r.problems)
    lottery_only = run(tmp_path, engine, "campaign: x\nmechanics:\n  - {type: lottery, top_prize: 80000}\n")
    assert lottery_only.error is None and rules(lottery_only) == ["CMP211"]


def test_profile_overrides_change_the_ranges(tmp_path, engine):
    text = BASE.replace("group_price: 16.5", "group_price: 15")
    assert "CMP101" in rules(run(tmp_path, engine, text))
    wider = apply_overrides(load_profile(), {"campaign.group_discount": [0.1, 0.3]})
    assert "CMP101" not in rules(run(tmp_path, engine, text, profile=wider))


def test_cli_exit_codes_and_json(tmp_path):
    runner = CliRunner()
    clean = camp(tmp_path, BASE, "clean.yaml")
    advice = camp(tmp_path, BASE.replace("group_price: 16.5", "group_price: 13.5"), "advice.yaml")
    banned = camp(tmp_path, BASE + "mechanics:\n  - {type: lottery, top_prize: 80000}\n", "banned.yaml")
    assert runner.invoke(main, ["campaign", str(clean)]).exit_code == 0
    assert runner.invoke(main, ["campaign", str(advice)]).exit_code == 0  # warnings pass --fail-on error
    assert runner.invoke(main, ["campaign", "--fail-on", "warning", str(advice)]).exit_code == 1
    assert runner.invoke(main, ["campaign", str(banned)]).exit_code == 1
    assert runner.invoke(main, ["campaign", "--min-score", "100", str(advice)]).exit_code == 1
    doc = json.loads(runner.invoke(main, ["campaign", "--format", "json", str(banned)]).stdout)
    f = doc["files"][0]["findings"][0]
    assert f["rule"] == "CMP211" and f["category"] == "pricing" and f["text"] == "80000"
    missing = runner.invoke(main, ["campaign", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "nope.yaml" in missing.output
    broken = camp(tmp_path, "products: [\n", "broken.yaml")
    out = runner.invoke(main, ["campaign", str(broken)])
    assert out.exit_code == 1 and f"{broken}:2: error malformed YAML" in out.output


# -- the CMP rules are pack rules like any other (issue 13 §3) ---------------------------------

def test_every_cmp_rule_is_in_the_campaign_pack():
    ids = {r.id for r in load_packs().rules if r.pack == "campaign"}
    assert len(ids) == 25 and {"CMP101", "CMP141", "CMP162", "CMP201", "CMP214"} <= ids


def test_rules_show_and_list_cover_cmp_rules():
    runner = CliRunner()
    shown = runner.invoke(main, ["rules", "show", "cmp201"])
    assert shown.exit_code == 0, shown.output
    assert "check:     invite-reward" in shown.output and "《微信外部链接内容管理规范》" in shown.output
    listed = runner.invoke(main, ["rules", "list"])
    assert "CMP201" in listed.output and listed.exit_code == 0


def test_config_ignore_and_severity_apply_to_cmp_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = camp(tmp_path, BASE.replace("group_price: 139", "group_price: 99")
                + "mechanics:\n  - {type: invite, invite_count: 3, reward: 5折券}\n")
    (tmp_path / ".cguard.yaml").write_text("ignore: [CMP201]\nseverity: {CMP101: error}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["campaign", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    found = {f["rule"]: f["severity"] for f in json.loads(result.output)["files"][0]["findings"]}
    assert "CMP201" not in found and found["CMP101"] == "error"


def test_sarif_rule_metadata_covers_cmp_rules(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("最好\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--no-config", "--format", "sarif", str(text)])
    ids = {r["id"] for r in json.loads(result.output)["runs"][0]["tool"]["driver"]["rules"]}
    assert {"CMP101", "CMP201"} <= ids
