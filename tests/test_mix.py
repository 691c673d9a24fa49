"""``cguard mix``: classification, the 3:5:2 ratio, the content pyramid of
《微店成功运营案例拆解及关键策略》, cadence, bad rows."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.load.lexicons import lexicon_for
from compliance_guard.load.profiles import apply_overrides, load_profile
from compliance_guard.scoring.mix import _plans, classify, score_calendar

MONDAY = dt.date(2024, 6, 3)
TITLES = {
    "product": "新品开箱：面料细节讲解",
    "testimonial": "买家秀：粉丝真实评价",
    "promotion": "限时秒杀：满199减30",
    "knowledge": "干货：怎么选防晒衣",
    "story": "幕后：工厂探厂",
}


def calendar(tmp_path: Path, kinds_per_day: list[list[str]], lives=(), name="cal.csv") -> Path:
    """A CSV calendar from Monday 2024-06-03: day i gets the classes in ``kinds_per_day[i]``."""
    lines = ["date,title,text,type"]
    for i, kinds in enumerate(kinds_per_day):
        day = MONDAY + dt.timedelta(days=i)
        for k in kinds:
            lines.append(f"{day},{TITLES[k]},,")
        if i in lives:
            lines.append(f"{day},直播：今晚专场,,live")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sub(report, name):
    return next(s for s in report.subscores if s.name == name)


def test_classification_keywords_titles_given_types_and_lives(tmp_path):
    lexicon = lexicon_for(load_profile())
    rows = [
        {"line": 2, "date": "2024-06-03", "title": "买家秀合集", "text": "限时秒杀"},   # title counts double
        {"line": 3, "date": "2024-06-03", "title": "随便聊聊", "text": "", "type": "用户证言"},  # a label
        {"line": 4, "date": "2024-06-03", "title": "周末见", "text": "", "type": "knowledge"},
        {"line": 5, "date": "2024-06-04", "title": "直播：618专场", "text": "秒杀", "type": ""},
        {"line": 6, "date": "2024-06-04", "title": "今天天气", "text": ""},
        {"line": 7, "date": "2024-06-04", "title": "x", "text": "", "type": "vlog-ish"},
        {"line": 8, "date": "06/04", "title": "x"},
    ]
    items, problems = classify(rows, lexicon, "cal.csv")
    got = [(it.line, it.cls, it.how, it.live) for it in items]
    assert got == [(2, "testimonial", "keywords", False), (3, "testimonial", "given", False),
                   (4, "knowledge", "given", False), (5, "promotion", "keywords", True),
                   (6, "other", "none", False), (7, "other", "none", False)]
    assert problems[0].startswith("cal.csv:7: unknown type 'vlog-ish'")
    assert problems[1].startswith("cal.csv:8: bad date") and "skipped" in problems[1]


def test_exact_352_scores_full_and_skew_scores_less(tmp_path):
    week = [["product", "testimonial"], ["testimonial", "promotion"], ["product", "testimonial"],
            ["testimonial", "knowledge"], ["product", "testimonial"], [], []]
    exact = score_calendar(str(calendar(tmp_path, week, lives={0, 2, 4}, name="a.csv")))
    # knowledge counts in the promotion share (《视频号电商如何发展》: 20%福利活动 = 限时秒杀+知识科普); the lives
    # say nothing about their content, so they count for the cadence only
    assert sub(exact, "ratio").facts["counts"] == {"product": 3, "testimonial": 5, "promotion": 2}
    assert sub(exact, "ratio").score == 100 and exact.score == 100
    skew = [["promotion"] * 2] * 7
    bad = score_calendar(str(calendar(tmp_path, skew, name="b.csv")))
    assert sub(bad, "ratio").score < sub(exact, "ratio").score
    assert sub(bad, "ratio").facts["deviation"] == pytest.approx(0.8)
    assert sub(bad, "ratio").score == pytest.approx(20)


def test_ratio_plans_add_or_drop_to_reach_the_target():
    share = {"product": 0.3, "testimonial": 0.5, "promotion": 0.2}
    adds, drops = _plans({"product": 3, "testimonial": 5, "promotion": 6}, share)
    assert adds == {"product": 6, "testimonial": 10, "promotion": 0}  # 30 items at 3:5:2 keep all 6 promotions
    assert drops == {"product": 0, "testimonial": 0, "promotion": 4}  # 10 items at 3:5:2
    adds, drops = _plans({"product": 0, "testimonial": 5, "promotion": 2}, share)
    assert adds["product"] == 3 and not any(drops.values())  # an empty bucket cannot be reached by dropping


def test_drop_advice_names_items(tmp_path):
    week = [["promotion", "promotion"], ["product"], ["testimonial"]] + [[]] * 4
    r = score_calendar(str(calendar(tmp_path, week)))
    improvement = sub(r, "ratio").improvement
    assert "add" in improvement and "drop" in improvement and "限时秒杀" in improvement


def test_lives_per_week_cadence(tmp_path):
    week = [["testimonial"]] * 7
    three = score_calendar(str(calendar(tmp_path, week, lives={0, 2, 4}, name="a.csv")))
    one = score_calendar(str(calendar(tmp_path, week, lives={0}, name="b.csv")))
    six = score_calendar(str(calendar(tmp_path, week, lives={0, 1, 2, 3, 4, 5}, name="c.csv")))
    assert sub(three, "cadence").score == 100
    assert sub(one, "cadence").score == pytest.approx(100 / 3)
    assert sub(six, "cadence").score == pytest.approx(100 * 5 / 6)
    assert "add 2 live" in sub(one, "cadence").improvement and "drop 1 live" in sub(six, "cadence").improvement


def test_partial_weeks_at_the_edges_are_not_judged(tmp_path):
    days = [["testimonial"]] * 7 + [["testimonial"]]  # a full week and a Monday
    r = score_calendar(str(calendar(tmp_path, days, lives={0, 2, 4})))
    assert sub(r, "cadence").score == 100
    assert "1 partial week" in sub(r, "cadence").evidence[0].text


def test_content_pyramid_profile(tmp_path):
    week = [["knowledge", "testimonial"], ["testimonial"], ["knowledge", "testimonial"], ["testimonial"],
            ["knowledge", "testimonial"], ["promotion"], []]
    path = calendar(tmp_path, week, lives={6})
    pyramid = score_calendar(str(path), load_profile("content-pyramid"))
    assert {s.name for s in pyramid.subscores} == {"non_ad", "quota"}
    assert sub(pyramid, "quota").score == 100
    # 3 knowledge + 5 testimonial of 9 classified items (the live has no content words)
    assert sub(pyramid, "non_ad").facts == {"non_ad": 8, "classified": 9, "share": 0.889}
    assert sub(pyramid, "non_ad").score == 100
    fewer = calendar(tmp_path, [["testimonial"], ["promotion"], ["product"], [], [], [], []], name="f.csv")
    low = score_calendar(str(fewer), load_profile("content-pyramid"))
    assert sub(low, "quota").score < 50 and "add" in sub(low, "quota").improvement
    assert sub(low, "non_ad").score < 100 and "non-ad" in sub(low, "non_ad").improvement


def test_csv_jsonl_and_yaml_agree(tmp_path):
    rows = [("2024-06-03", "买家秀：粉丝返图", "live"), ("2024-06-04", "限时秒杀", ""),
            ("2024-06-05", "面料细节讲解", ""), ("2024-06-06", "用户反馈合集", "")]
    (tmp_path / "c.csv").write_text("date,title,type\n" + "".join(f"{d},{t},{k}\n" for d, t, k in rows), encoding="utf-8")
    (tmp_path / "c.jsonl").write_text("".join(json.dumps({"date": d, "title": t, "type": k}, ensure_ascii=False) + "\n"
                                              for d, t, k in rows), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("".join(f"- {{date: {d}, title: {t}, type: '{k}'}}\n" for d, t, k in rows),
                                     encoding="utf-8")
    results = [score_calendar(str(tmp_path / n)) for n in ("c.csv", "c.jsonl", "c.yaml")]
    assert len({r.score for r in results}) == 1
    assert len({json.dumps(r.facts["by_class"], sort_keys=True) for r in results}) == 1
    assert all(r.facts["lives"] == 1 for r in results)


def test_bad_rows_are_reported_and_the_rest_scored(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"date": "2024-06-03", "title": "买家秀"}\n{not json\n[1, 2]\n'
                    '{"date": "someday", "title": "x"}\n{"date": "2024-06-04", "title": "限时秒杀"}\n', encoding="utf-8")
    r = score_calendar(str(path))
    assert r.error is None and r.facts["items"] == 2
    assert [p.split(": ")[0] for p in r.problems] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    result = CliRunner().invoke(main, ["mix", str(path)])
    assert result.exit_code == 1
    assert result.stdout.count(f"{path}:2: invalid JSON") == 1 and result.stderr == ""  # listed once, in the report
    result = CliRunner().invoke(main, ["mix", "--format", "json", str(path)])
    assert result.exit_code == 1 and f"{path}:2: invalid JSON" in result.stderr  # stdout stays JSON
    assert len(json.loads(result.stdout)["files"][0]["problems"]) == 3


@pytest.mark.parametrize("name, content, expected", [
    ("cal.txt", "x", "unknown calendar format .txt"),
    ("cal.csv", "title\nfoo\n", "no date column"),
    ("cal.yaml", "a: [", "malformed YAML"),
    ("cal.csv", "date,title\nnot-a-date,x\n", "no readable items"),
])
def test_unreadable_calendars(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = score_calendar(str(path))
    assert r.error is not None and expected in r.error and str(path) in r.error


def test_cli_text_json_and_profile_errors(tmp_path):
    path = calendar(tmp_path, [["testimonial", "product"], ["promotion"]] + [[]] * 5, lives={0, 1, 2})
    runner = CliRunner()
    text = runner.invoke(main, ["mix", str(path)])
    assert text.exit_code == 0 and "内容配比 3:5:2 [ratio]" in text.output
    doc = json.loads(runner.invoke(main, ["mix", "--format", "json", str(path)]).stdout)
    assert doc["command"] == "mix" and doc["files"][0]["facts"]["items"] == 6
    assert runner.invoke(main, ["mix", "--min-score", "100", str(path)]).exit_code == 1
    bad = runner.invoke(main, ["mix", "--set", "mix.buckets={product: [products]}", str(path)])
    assert bad.exit_code == 2 and "unknown content class 'products'" in bad.output


def test_overridden_ratio_changes_the_target(tmp_path):
    path = calendar(tmp_path, [["product", "testimonial", "promotion"]] + [[]] * 6)
    even = apply_overrides(load_profile(), {"mix.ratio": {"product": 1, "testimonial": 1, "promotion": 1}})
    assert sub(score_calendar(str(path), even), "ratio").score == 100
    assert sub(score_calendar(str(path)), "ratio").score < 100


def test_following_the_add_advice_raises_the_score(tmp_path):
    days = [["promotion", "promotion", "product"]] + [[]] * 6
    before = score_calendar(str(calendar(tmp_path, days, name="a.csv")))
    adds = sub(before, "ratio").facts["add"]
    extra = [k for k, n in adds.items() for _ in range(n)]
    after = score_calendar(str(calendar(tmp_path, [days[0] + extra] + days[1:], name="b.csv")))
    assert sub(after, "ratio").score == 100 > sub(before, "ratio").score
    assert after.score > before.score
