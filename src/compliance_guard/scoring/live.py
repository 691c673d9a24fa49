"""The sub-scores of a livestream script: structure (its phases in order), retention hooks per
hour, and whether prime time is for promotion and the morning for knowledge. Each takes the
script scorer's context (``script._Context``): the script, its lexicon matches and findings."""
from __future__ import annotations

import math

from compliance_guard.load.lexicons import Match
from compliance_guard.load.profiles import clock_minutes
from compliance_guard.scoring.model import Evidence, SubScore, clamp

INDUCED = "induced-sharing"


def hhmm(minutes: float) -> str:
    m = int(round(minutes)) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def structure(ctx) -> SubScore:
    p = ctx.profile
    section = ctx.lexicon["phases"]
    matches, voided = ctx.split(ctx.find("phases", headings=True))
    by_phase: dict[str, list[Match]] = {}
    for m in matches:
        by_phase.setdefault(m.cls, []).append(m)
    present = [c for c in section.classes if c in by_phase]
    evidence = [ctx.ev(by_phase[c][0], f"{section.entries[c].label} from line {ctx.line(by_phase[c][0].start)}")
                for c in present] + voided
    checks: list[tuple[bool, str]] = []
    order = section.classes
    first, last = order[0], order[-1]
    if first in by_phase:
        at = ctx.fraction(by_phase[first][0].start)
        checks.append((at <= p["live.opening_share"],
                       f"start with {section.entries[first].label} (it first comes at {at:.0%} of the script)"))
    if last in by_phase:
        at = ctx.fraction(by_phase[last][-1].start)
        checks.append((at >= 1 - p["live.closing_share"],
                       f"end with {section.entries[last].label} (its last mention is at {at:.0%})"))
    mids = [c for c in order[1:-1] if c in by_phase]
    for a, b in zip(mids, mids[1:]):
        ok = by_phase[a][0].start <= by_phase[b][-1].start
        checks.append((ok, f"{section.entries[a].label} should come before {section.entries[b].label}"))
    order_score = sum(ok for ok, _ in checks) / len(checks) if checks else 0.0
    score = 70 * len(present) / len(order) + 30 * order_score
    missing = [c for c in order if c not in by_phase]
    parts = []
    if missing:
        parts.append("add " + ", ".join(f"{section.entries[c].label} (e.g. {'/'.join(section.entries[c].terms[:2])})"
                                        for c in missing))
    parts += [msg for ok, msg in checks if not ok]
    return SubScore("structure", "直播结构", score, evidence=evidence, improvement="; ".join(parts),
                    source="livestream 整场脚本 practice (开场/福利预告 → 讲品 → 互动 → 促单 → 预告)",
                    facts={"phases": present, "missing": missing})


# -- live: retention hooks per hour -------------------------------------------------------------------

def retention(ctx) -> SubScore:
    p = ctx.profile
    per_hour = p["live.retention_per_hour"]
    found, voided = ctx.split(ctx.find("retention", headings=True), (INDUCED,))
    matches: list[Match] = []
    for m in found:  # 整点|抽免单: adjacent words are one hook
        if matches and m.start <= matches[-1].end + 1:
            last = matches[-1]
            matches[-1] = Match(last.cls, last.label, last.credit, last.start, m.end,
                                ctx.script.text[last.start:m.end])
        else:
            matches.append(m)
    script = ctx.script
    duration = session_minutes(ctx)
    evidence = list(voided)
    improvement = ""
    facts: dict = {"hooks": len(matches)}
    if duration is not None:
        n = max(1, round(duration / 60))
        counts = [0] * n
        for m in matches:
            minute = script.minute_at(m.start)
            if minute is None:
                continue
            counts[min(n - 1, max(0, int(minute / (duration / n))))] += 1
            when = hhmm(script.segments[0].clock_start + minute) if script.segments else f"minute {minute:.0f}"
            evidence.append(ctx.ev(m, f"{m.label} at ≈{when}"))
        score = 100 * sum(min(1.0, c / per_hour) for c in counts) / n
        empty = [i for i, c in enumerate(counts) if c < per_hour]
        facts.update(hours=n, per_hour=counts, duration_min=round(duration))
        evidence.insert(0, Evidence(f"{len(matches)} hooks over {duration:.0f} min",
                                    f"per hour: {counts}; target {per_hour:g} per hour"))
        if empty:
            improvement = (f"hour(s) {', '.join(str(i + 1) for i in empty)} of {n} have no retention hook: add 抽免单/福袋 "
                           f"each hour — with no 关注/分享 condition (WeChat bans rewards for sharing)")
    else:
        hours = max(p["live.assumed_min_hours"], script.spoken_chars / ctx.rate / 3600)
        score = clamp(100 * len(matches) / (hours * per_hour))
        facts.update(hours=round(hours, 2))
        evidence.insert(0, Evidence(f"{len(matches)} hooks",
                                    f"no times given: assumed {hours:.1f} h; target {per_hour:g} per hour"))
        evidence += [ctx.ev(m) for m in matches[:8]]
        if score < 100:
            improvement = f"plan one retention hook (抽免单, 福袋) per hour: {math.ceil(hours * per_hour)} for ≈{hours:.1f} h"
        if score >= 100 or not improvement:
            improvement = "write clock times (19:00-20:00 …) before each segment so that every hour can be checked"
    return SubScore("retention", "留存钩子/小时", score, evidence=evidence, improvement=improvement,
                    source=p.source("live.retention_per_hour"), facts=facts)


def session_minutes(ctx) -> float | None:
    script = ctx.script
    if script.is_srt:
        return script.duration_ms / 60000
    if script.segments:
        first, last = script.segments[0], script.segments[-1]
        end = last.clock_end
        if end is None:
            chars = sum(1 for i in ctx.positions if last.start <= i < last.end and script.spoken[i])
            end = last.clock_start + chars / ctx.rate / 60
        return max(1.0, end - first.clock_start)
    return None


# -- live: prime time vs morning -----------------------------------------------------------------------

def timing(ctx) -> SubScore:
    p = ctx.profile
    script = ctx.script
    source = f"{p.source('live.prime_time')}; {p.source('live.morning')}"
    if not script.segments:
        return SubScore("timing", "时段匹配", None, source=source,
                        improvement="timing not scored: no clock times (write 19:00-19:30 before a segment, "
                                    "直播时间：19:00-21:00, or pass --start 19:00)")
    prime = [clock_minutes(x) for x in p["live.prime_time"]]
    morning = [clock_minutes(x) for x in p["live.morning"]]
    matches = ctx.find("timing", headings=True)
    good = bad = 0
    evidence, parts = [], []
    wrong: dict[str, list[str]] = {"prime": [], "morning": []}
    in_window = False
    for seg in script.segments:
        end = seg.clock_end if seg.clock_end is not None else seg.clock_start
        mid = ((seg.clock_start + end) / 2) % (24 * 60)
        promo = sum(1 for m in matches if seg.start <= m.start < seg.end and m.cls == "promotion")
        know = sum(1 for m in matches if seg.start <= m.start < seg.end and m.cls == "knowledge")
        topic = "promotion" if promo > know else "knowledge" if know > promo else None
        slot = "prime" if prime[0] <= mid < prime[1] else "morning" if morning[0] <= mid < morning[1] else None
        when = f"{hhmm(seg.clock_start)}-{hhmm(end)}"
        label = {"promotion": "促销", "knowledge": "知识分享", None: "mixed/neutral"}[topic]
        evidence.append(Evidence(when, f"{label} ({promo} promotion / {know} knowledge cues)"
                                       + (f", {'prime time' if slot == 'prime' else 'morning'} slot" if slot else ""),
                                 seg.start, seg.end, ctx.line(seg.start)))
        if slot:
            in_window = True
        if slot and topic:
            if (slot, topic) in (("prime", "promotion"), ("morning", "knowledge")):
                good += 1
            else:
                bad += 1
                wrong[slot].append(when)
    if wrong["prime"]:
        parts.append(f"{', '.join(wrong['prime'])}: prime time ({'-'.join(p['live.prime_time'])}) is for promotion "
                     f"(秒杀/福利/上链接); move knowledge sharing to {'-'.join(p['live.morning'])}")
    if wrong["morning"]:
        parts.append(f"{', '.join(wrong['morning'])}: the morning slot ({'-'.join(p['live.morning'])}) is for knowledge "
                     f"sharing (干货/教程); keep hard selling for {'-'.join(p['live.prime_time'])}")
    if good + bad:
        score = 100 * good / (good + bad)
    elif in_window:
        score = 70.0
        parts.append("segments in the prime-time or morning slot have no clear focus: promotion at 19:00-22:00, "
                     "knowledge at 7:00-9:00")
    else:
        score = 50.0
        parts.append(f"the live runs outside both slots: schedule promotion lives at {'-'.join(p['live.prime_time'])} "
                     f"and knowledge sessions at {'-'.join(p['live.morning'])}")
    return SubScore("timing", "时段匹配", score, evidence=evidence, improvement="; ".join(parts), source=source,
                    facts={"matched": good, "mismatched": bad})
