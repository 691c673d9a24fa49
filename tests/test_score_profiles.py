"""Scoring profiles and lexicons: every number has a source, bad files are one-line errors."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.engine.packs import load_packs, pack_files
from compliance_guard.load.lexicons import lexicon_for
from compliance_guard.load.profiles import (
    SCHEMA,
    ProfileError,
    apply_overrides,
    builtin_profiles,
    load_profile,
    parse_set_options,
    profiles_dir,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


#: The practitioner articles in ../shared/seeds, cited by their titles (docs/sources.md); 002 has
#: no title line and is cited by its first words.
SEED_TITLES = {"000": "《视频号小店怎么运营的》", "001": "《视频号电商如何发展》",
               "002": "《微信小店作为依托微信生态的电商工具…》", "003": "《微店成功运营案例拆解及关键策略》",
               "004": "《微信视频号怎么购物》"}


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_builtin_profiles_are_complete_and_every_value_names_its_source():
    assert {"default", "content-pyramid"} <= set(builtin_profiles())
    for name in builtin_profiles():
        profile = load_profile(name)
        assert set(profile.params) == {f"{s}.{k}" for s in SCHEMA for k in SCHEMA[s]}
        for key, param in profile.params.items():
            assert not param.source.startswith("set in"), f"{name}: {key} has no written source"
            assert re.search(r"heuristic|《|not used", param.source), (name, key, param.source)
            # cited by title (docs/sources.md), never by a file a user does not have
            assert not re.search(r"seed \d{3}|\.txt|REGULATIONS", param.source), (name, key, param.source)


@pytest.mark.parametrize("key, value, seed", [
    ("campaign.group_discount", [0.15, 0.20], "003"),
    ("campaign.group_over_cost_min", 0.05, "003"),
    ("campaign.threshold_ratio", [0.6, 0.7], "001"),
    ("campaign.traffic_price_max", 30, "000"),
    ("campaign.traffic_margin_min", 0.20, "000"),
    ("campaign.profit_price", [100, 200], "000"),
    ("campaign.profit_margin_min", 0.50, "000"),
    ("campaign.longtail_return_max", 0.10, "000"),
    ("campaign.main_price_band", [99, 299], "000"),
    ("campaign.safety_stock_ratio", 1.5, "002"),
    ("campaign.alert_return_rate", 0.15, "003"),
    ("campaign.alert_new_customer_share", 0.40, "003"),
    ("mix.ratio", {"product": 3, "testimonial": 5, "promotion": 2}, "001"),
    ("mix.lives_per_week", [3, 5], "000"),
    ("script.hook_seconds", 3, "000"),
    ("live.retention_per_hour", 1, "000"),
    ("live.prime_time", ["19:00", "22:00"], "000"),
    ("live.morning", ["07:00", "09:00"], "000"),
])
def test_default_profile_carries_the_seed_numbers(key, value, seed):
    param = load_profile("default").param(key)
    assert param.value == value
    assert SEED_TITLES[seed] in param.source


def test_quoted_seed_phrases_are_in_the_seed_files():
    """Each source that quotes a seed after ':' quotes it word for word."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not available")
    texts = {p.name[:3]: p.read_text(encoding="utf-8").replace(" ", "") for p in SEEDS.glob("*.txt")}
    seed_of = {title: seed for seed, title in SEED_TITLES.items()}
    checked = 0
    for name in builtin_profiles():
        for key, param in load_profile(name).params.items():
            for title, quote in re.findall(r"(《[^》]+》) ?§[^:]*: ([^;(（]+)", param.source):
                seed = seed_of[title]
                fragment = re.split(r"[,，]| — ", quote.strip())[0].strip("“”) ")
                if re.search(r"[\u4e00-\u9fff]", fragment):
                    assert fragment.replace(" ", "") in texts[seed], (key, seed, fragment)
                    checked += 1
    assert checked >= 15


def test_content_pyramid_extends_default():
    default, pyramid = load_profile("default"), load_profile("content-pyramid")
    assert pyramid["mix.non_ad_share_min"] == 0.70
    assert pyramid["mix.weekly_quota"] == {"live": 1, "knowledge": 3, "testimonial": 5}
    assert SEED_TITLES["003"] in pyramid.source("mix.weekly_quota")
    assert pyramid["campaign.group_discount"] == default["campaign.group_discount"]
    assert pyramid.source("script.hook_seconds") == default.source("script.hook_seconds")


def test_unknown_key_names_file_line_and_key(tmp_path):
    p = write(tmp_path / "mine.yaml", """
        profile: mine
        script:
          hook_seconds: 4
          hook_secs: 3
        """)
    with pytest.raises(ProfileError) as exc:
        load_profile(str(p))
    assert str(exc.value).startswith(f"{p}:4: unknown key 'script.hook_secs'")
    assert "\n" not in str(exc.value)


def test_wrong_type_names_file_line_and_key(tmp_path):
    p = write(tmp_path / "mine.yaml", """
        campaign:
          group_discount: {value: cheap, source: me}
        """)
    with pytest.raises(ProfileError, match=rf"^{re.escape(str(p))}:2: campaign.group_discount: expected a range"):
        load_profile(str(p))
    p = write(tmp_path / "frac.yaml", "campaign:\n  alert_return_rate: 15\n")
    with pytest.raises(ProfileError, match=r"frac.yaml:2: campaign.alert_return_rate: expected a fraction"):
        load_profile(str(p))
    p = write(tmp_path / "top.yaml", "scripts:\n  hook_seconds: 3\n")
    with pytest.raises(ProfileError, match=r"top.yaml:1: unknown key 'scripts'"):
        load_profile(str(p))


def test_user_profile_extends_default_implicitly_and_bare_values_work(tmp_path):
    p = write(tmp_path / "short.yaml", "script:\n  video_length: [10, 30]\n")
    profile = load_profile(str(p))
    assert profile["script.video_length"] == [10, 30]
    assert profile.source("script.video_length").startswith(f"set in {p}:2")
    assert profile["script.hook_seconds"] == 3


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(str(tmp_path / "a.yaml"))


def test_overrides_nested_or_dotted_and_sourced():
    base = load_profile()
    a = apply_overrides(base, {"script": {"hook_seconds": 5}}, ".cguard.yaml")
    b = apply_overrides(base, {"script.hook_seconds": 5}, ".cguard.yaml")
    assert a["script.hook_seconds"] == b["script.hook_seconds"] == 5
    assert ".cguard.yaml" in a.source("script.hook_seconds") and "《视频号小店怎么运营的》" in a.source("script.hook_seconds")
    assert base["script.hook_seconds"] == 3  # the original is untouched
    with pytest.raises(ProfileError, match=r"^\.cguard\.yaml: unknown key 'script\.hook'"):
        apply_overrides(base, {"script.hook": 5}, ".cguard.yaml")
    with pytest.raises(ProfileError, match=r"^--set: mix.lives_per_week: expected a range"):
        apply_overrides(base, {"mix.lives_per_week": "many"})


def test_set_options_parse_yaml_values():
    assert parse_set_options(["script.video_length=[10, 45]", "mix.non_ad_share_min=0.7", "x="]) == {
        "script.video_length": [10, 45], "mix.non_ad_share_min": 0.7, "x": None}
    with pytest.raises(ProfileError, match="expected key=value"):
        parse_set_options(["script.video_length"])


@pytest.mark.parametrize("args, expected", [
    (["--set", "script.nope=1"], "--set: unknown key 'script.nope'"),
    (["--set", "script.video_length=abc"], "--set: script.video_length: expected a range"),
    (["--profile", "no-such-profile"], "--profile no-such-profile: no built-in profile"),
    (["--start", "25:99", "--kind", "live"], "--start: expected a time HH:MM"),
])
def test_cli_profile_errors_exit_2_with_one_line(tmp_path, args, expected):
    script = tmp_path / "s.txt"
    script.write_text("9.9元包邮", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", *args, str(script)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0]


def test_cli_bad_profile_file_names_file_and_line(tmp_path):
    p = write(tmp_path / "bad.yaml", "mix:\n  ratio: {value: {product: x}, source: me}\n")
    cal = write(tmp_path / "c.csv", "date,title\n2024-06-03,买家秀\n")
    result = CliRunner().invoke(main, ["mix", "--profile", str(p), str(cal)])
    assert result.exit_code == 2
    assert f"{p}:2: mix.ratio: expected a mapping" in result.output


def test_lexicon_problems_name_file_line_and_key(tmp_path):
    lexicon = Path(load_profile().lexicon_base or profiles_dir()) / "lexicons" / "default.yaml"
    broken = tmp_path / "lex.yaml"
    text = lexicon.read_text(encoding="utf-8").replace("    label: 价格利益点\n", "    label: 价格利益点\n    weight: 3\n", 1)
    broken.write_text(text, encoding="utf-8")
    profile = write(tmp_path / "p.yaml", f"lexicon: {broken}\n")
    line = text.splitlines().index("    weight: 3") + 1
    with pytest.raises(ProfileError, match=rf"lex.yaml:{line}: unknown key hook.price.weight"):
        lexicon_for(load_profile(str(profile)))


def test_lexicons_are_data(tmp_path):
    """A new hook word in a user lexicon changes what counts as a hook."""
    from compliance_guard.engine import Engine
    from compliance_guard.load.documents import from_text
    from compliance_guard.model.rule import PackSet
    from compliance_guard.scoring.script import score_document

    source = (profiles_dir() / "lexicons" / "default.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "lex.yaml"
    custom.write_text(source.replace("terms: [包邮,", "terms: [闭眼入, 包邮,", 1), encoding="utf-8")
    profile = write(tmp_path / "p.yaml", f"lexicon: {custom}\n")
    doc = from_text("s.txt", "闭眼入这双袜子，面料是纯棉，冬天穿很暖和。")
    engine = Engine(PackSet([]))
    plain = score_document(doc, "video", load_profile(), engine)
    mine = score_document(doc, "video", load_profile(str(profile)), engine)
    hook_plain, hook_mine = (next(s for s in r.subscores if s.name == "hook").score for r in (plain, mine))
    assert hook_mine == 100 and hook_plain < 100


def test_pack_loader_does_not_read_profiles():
    files = pack_files()
    assert all(f.parent.name != "profiles" and "lexicons" not in f.parts for f in files)
    names = {p.name for p in load_packs().packs}
    assert not names & {"default", "content-pyramid"}
