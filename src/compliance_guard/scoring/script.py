"""``cguard score``: how well a short-video or livestream script follows the practitioner
articles' advice (docs/sources.md).

Sub-scores (weights in the profile): length (video), hook, information density, emotional
pull, interaction guidance, and for live scripts structure, retention hooks per hour and
prime-time vs morning timing. Each names what it found and one concrete improvement.
Compliance findings from the rule packs are listed and cap the total; a hook, fact or call
to action that is itself a finding (点赞领券 is 诱导) earns nothing.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from compliance_guard.engine import Engine
from compliance_guard.load.documents import DocumentError, iter_paths, read_path
from compliance_guard.load.lexicons import Lexicon, Match, lexicon_for
from compliance_guard.load.profiles import Profile, clock_minutes, load_profile
from compliance_guard.model.document import Document
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.run.files import check_document
from compliance_guard.scoring.live import INDUCED, hhmm, retention, session_minutes, structure, timing
from compliance_guard.scoring.model import (
    Evidence,
    Option,
    OptionError,
    Scorer,
    ScoreReport,
    SubScore,
    clamp,
    compliance_subscore,
    finalize,
)
from compliance_guard.scoring.spoken import Script, read_script
from compliance_guard.text.lines import LineIndex

SCRIPT_KINDS = ("video", "live")
NEAR = 0  # characters allowed between a match and a finding that voids it (0: touching)


def score_paths(paths: Iterable[str], kind: str, profile: Profile | None, engine: Engine,
                start_clock: str | None = None) -> list[ScoreReport]:
    """One report per script; unreadable files carry an error and the rest go on."""
    profile = profile or load_profile()
    reports = []
    for path in iter_paths(paths):
        try:
            doc = read_path(path)
        except DocumentError as exc:
            reports.append(ScoreReport(str(path), kind, profile.name, error=str(exc)))
            continue
        reports.append(score_document(doc, kind, profile, engine, start_clock))
    return reports


def score_document(doc: Document, kind: str, profile: Profile | None, engine: Engine,
                   start_clock: str | None = None) -> ScoreReport:
    if kind not in SCRIPT_KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected video or live)")
    profile = profile or load_profile()
    if not doc.text.strip():
        return ScoreReport(doc.path, kind, profile.name, error=f"{doc.path}: empty; there is no script to score")
    lexicon = lexicon_for(profile)
    start = clock_minutes(start_clock) if start_clock else None
    script = read_script(doc, lexicon, start)
    findings = check_document(engine, doc)
    ctx = _Context(script, lexicon, profile, findings)
    report = ScoreReport(doc.path, kind, profile.name, findings=findings, text=doc.text)
    if script.timing_problem:
        report.problems.append(f"{doc.path}:{script.timing_problem}")
    report.facts = ctx.facts()
    if kind == "video":
        report.subscores = [_length(ctx), _hook(ctx), _density(ctx), _emotion(ctx), _interaction(ctx)]
    else:
        session = session_minutes(ctx)
        if session is not None:
            report.facts["session_min"] = round(session)
        report.subscores = [_hook(ctx), _density(ctx), _emotion(ctx), _interaction(ctx),
                            structure(ctx), retention(ctx), timing(ctx)]
    report.subscores.append(compliance_subscore(findings, profile))
    return finalize(report, profile[f"weights.{kind}"], profile)


class _Context:
    """The script plus everything the sub-scores share: lexicon matches, findings, lines."""

    def __init__(self, script: Script, lexicon: Lexicon, profile: Profile, findings: list[Finding]):
        self.script = script
        self.lexicon = lexicon
        self.profile = profile
        self.findings = findings
        self.lines = LineIndex(script.text)
        self.positions = script.counted_positions
        lo, hi = profile["script.speaking_rate"]
        lo = lo or hi or 4
        hi = hi or lo
        self.rate_band = (lo, hi)
        self.rate = (lo + hi) / 2
        from compliance_guard.text.normalize import normalize

        self.norm = normalize(script.scored)

    def find(self, section: str, headings: bool = False) -> list[Match]:
        """Matches of a lexicon section; titles count only where they name a part (``headings``)."""
        matches = self.lexicon[section].find(self.script.scored, self.norm)
        if headings or not self.script.headings:
            return matches
        return [m for m in matches if not self.script.in_heading(m.start)]

    def blocking(self, m: Match, categories: tuple[str, ...] = ()) -> Finding | None:
        """The finding that voids a match: an error over it or right next to it (转发就送|红包: a
        co-occurrence finding ends at the nearest reward word), or any finding of ``categories``."""
        for f in self.findings:
            near = f.start <= m.end + NEAR and m.start <= f.end + NEAR
            if near and (f.severity == Severity.ERROR or f.category in categories):
                return f
        return None

    def split(self, matches: list[Match], categories: tuple[str, ...] = ()) -> tuple[list[Match], list[Evidence]]:
        ok, voided, seen = [], [], set()
        for m in matches:
            f = self.blocking(m, categories)
            if f is None:
                ok.append(m)
            elif (f.start, f.end) not in seen:
                seen.add((f.start, f.end))
                voided.append(Evidence(f.text, f"no credit for 「{m.text}」: it is part of a finding "
                                               f"({f.severity.value} {f.rule} [{f.category}])", f.start, f.end,
                                       self.line(f.start)))
        return ok, voided

    def line(self, offset: int) -> int:
        return self.lines.position(offset)[0]

    def ev(self, m: Match, detail: str = "") -> Evidence:
        return Evidence(m.text, detail or m.label, m.start, m.end, self.line(m.start))

    def fraction(self, offset: int) -> float:
        """Where ``offset`` lies in the said-or-shown text, 0 (start) to 1 (end)."""
        import bisect

        if not self.positions:
            return 0.0
        return bisect.bisect_left(self.positions, offset) / len(self.positions)

    def duration_s(self) -> tuple[float, str]:
        if self.script.is_srt:
            return self.script.duration_ms / 1000, "srt"
        return self.script.spoken_chars / self.rate, "estimated"

    def facts(self) -> dict:
        dur, how = self.duration_s()
        facts = {"duration_s": round(dur, 1), "duration_from": how, "spoken_chars": self.script.spoken_chars,
                 "sentences": len(self.script.sentences())}
        if how == "srt":
            facts["speaking_rate"] = round(self._srt_rate(), 2)
        else:
            lo, hi = self.rate_band
            facts["duration_band_s"] = [round(self.script.spoken_chars / hi, 1), round(self.script.spoken_chars / lo, 1)]
        if self.script.segments:
            facts["clock"] = [hhmm(self.script.segments[0].clock_start),
                              hhmm(self.script.segments[-1].clock_end) if self.script.segments[-1].clock_end else None]
        return facts

    def _srt_rate(self) -> float:
        speech_ms = sum(max(0, e - s) for s, e, _, _ in self.script.cues_ms)
        return self.script.spoken_chars / (speech_ms / 1000) if speech_ms else 0.0

    def snippet(self, start: int, end: int, limit: int = 24) -> str:
        from compliance_guard.model.document import MASK

        s = "".join(c for c in self.script.scored[start:end] if c != MASK).strip()
        s = " ".join(s.split())
        return s if len(s) <= limit else s[:limit] + "…"



# -- video length ----------------------------------------------------------------------------

def _length(ctx: _Context) -> SubScore:
    p = ctx.profile
    lo, hi = p["script.video_length"]
    dur, how = ctx.duration_s()
    chars = ctx.script.spoken_chars
    evidence = []
    if how == "srt":
        evidence.append(Evidence(f"{dur:.1f} s", f"SRT: the last cue ends at {dur:.1f} s; {chars} spoken characters"))
    else:
        blo, bhi = ctx.rate_band
        evidence.append(Evidence(f"≈{dur:.0f} s", f"{chars} spoken characters at {ctx.rate:g} 字/秒 (between "
                                                  f"{chars / bhi:.0f} and {chars / blo:.0f} s at {blo:g}-{bhi:g} 字/秒)"))
    score = 100.0
    improvement = ""
    if hi is not None and dur > hi:
        zero_at = hi * p["script.length_zero_factor"]
        score = clamp(100 * (1 - (dur - hi) / max(1e-9, zero_at - hi)))
        cut_chars = math.ceil((dur - hi) * (ctx.rate if how == "estimated" else max(ctx._srt_rate(), 1)))
        improvement = (f"cut about {cut_chars} 字 (≈{dur - hi:.0f} s) to stay within {hi:g} s: "
                       f"keep the hook, one or two selling points and the call to action")
    elif lo is not None and dur < lo:
        score = clamp(50 + 50 * dur / lo)
        improvement = (f"at ≈{dur:.0f} s the script is shorter than {lo:g} s: add a concrete selling point "
                       f"(a number, a material, a usage scene)")
    if how == "srt":
        rate = ctx._srt_rate()
        fast = p["script.too_fast_rate"]
        if rate > fast:
            score = clamp(score - 20)
            evidence.append(Evidence(f"{rate:.1f} 字/秒", f"speech is faster than {fast:g} 字/秒 "
                                                          f"({p.source('script.too_fast_rate')})"))
            improvement = (improvement + "; " if improvement else "") + \
                f"slow down: {rate:.1f} 字/秒 is above {fast:g} 字/秒 — cut words rather than speed up"
    return SubScore("length", "时长", score, evidence=evidence, improvement=improvement,
                    source=p.source("script.video_length"), facts={"duration_s": round(dur, 1), "from": how})


# -- hook -----------------------------------------------------------------------------------

def _hook(ctx: _Context) -> SubScore:
    p = ctx.profile
    seconds, chars = p["script.hook_seconds"], p["script.hook_chars"]
    spans = ctx.script.window_spans(seconds, chars)
    window_desc = (f"first {seconds:g} s (SRT timing)" if ctx.script.is_srt else f"first {chars} characters")
    matches, voided = ctx.split(ctx.find("hook"))
    opening = "".join(ctx.snippet(s, e, 40) for s, e in spans)
    evidence = [Evidence(opening or "(empty)", f"the {window_desc}")]
    evidence += voided

    def in_window(m: Match) -> bool:
        return any(m.start < e and s < m.end for s, e in spans)

    inside = [m for m in matches if in_window(m)]
    later = [m for m in matches if not in_window(m) and (not spans or m.start >= spans[0][0])]
    if inside:
        best = max(inside, key=lambda m: m.credit)
        evidence += [ctx.ev(m, f"{m.label} in the {window_desc}") for m in inside]
        score = best.credit
        improvement = "" if best.credit >= 100 else (
            f"「{best.text}」 is a {best.label} hook; a concrete benefit point (price such as 9.9包邮, a gift, a discount) "
            f"in the {window_desc} scores full")
    elif later:
        best = max(later, key=lambda m: (m.credit, -m.start))
        score = best.credit * p["script.hook_late_credit"]
        evidence.append(ctx.ev(best, f"{best.label}, but only at line {ctx.line(best.start)}, after the {window_desc}"))
        improvement = f"move 「{best.text}」 into the {window_desc}: open with the benefit, explain after"
    else:
        score = 0.0
        improvement = (f"open with a benefit point in the {window_desc}: a price or discount (9.9包邮, 第二件半价), "
                       f"a gift, the pain point or the result first")
    if voided and not inside:
        improvement += "; the hook you have is itself a compliance finding — reword it"
    return SubScore("hook", "开头钩子", score, evidence=evidence, improvement=improvement,
                    source=p.source("script.hook_seconds"))


# -- information density -----------------------------------------------------------------------

def _density(ctx: _Context) -> SubScore:
    p = ctx.profile
    target = p["script.density_target"]
    matches, voided = ctx.split(ctx.find("density"))
    sentences = ctx.script.sentences()
    n = max(1, len(sentences))
    per = len(matches) / n
    score = clamp(100 * per / target)
    evidence = [Evidence(f"{len(matches)} facts / {len(sentences)} sentences = {per:.2f}", f"target {target:g} per sentence")]
    evidence += [ctx.ev(m) for m in matches[:8]] + voided
    improvement = ""
    if score < 100:
        bare = [s for s in sentences if not any(s[0] <= m.start < s[1] for m in matches)]
        examples = "; ".join(f"line {ctx.line(s)} 「{ctx.snippet(s, e)}」" for s, e in bare[:2])
        improvement = (f"add specifics (a number with its unit, the material, a spec, a usage scene) to sentences "
                       f"that have none, e.g. {examples}" if examples else "add specifics: numbers, materials, scenes")
    return SubScore("density", "信息密度", score, evidence=evidence, improvement=improvement,
                    source=p.source("script.density_target"), facts={"facts": len(matches), "sentences": len(sentences)})


# -- emotional pull ---------------------------------------------------------------------------

def _emotion(ctx: _Context) -> SubScore:
    p = ctx.profile
    target = p["script.emotion_target"]
    matches, voided = ctx.split(ctx.find("emotion"))
    total = max(1, len(ctx.positions))
    weighted = sum(m.credit / 100 for m in matches)
    per100 = 100 * weighted / total
    score = clamp(100 * per100 / target)
    strong = {m.cls for m in matches if m.credit >= 60}
    improvement = ""
    if not strong and matches:
        score = min(score, 60)
        improvement = "you address the viewer but show no feeling: add a sensory detail (软糯, 清爽) or a warm line (放心, 安心)"
    elif score < 100:
        improvement = "add emotional pull: a sensory detail (软糯, 清爽), empathy (姐妹们, 放心) or a moment of surprise"
    evidence = [Evidence(f"{per100:.1f} per 100 字", f"target {target:g}; {len(matches)} cues in {total} characters")]
    evidence += [ctx.ev(m) for m in matches[:8]] + voided
    return SubScore("emotion", "情绪感染力", score, evidence=evidence, improvement=improvement,
                    source=p.source("script.emotion_target"))


# -- interaction guidance -------------------------------------------------------------------------

def _interaction(ctx: _Context) -> SubScore:
    p = ctx.profile
    matches, voided = ctx.split(ctx.find("cta"), (INDUCED,))
    tail_from = 1 - p["script.cta_tail_share"]
    classes: dict[str, Match] = {}
    for m in matches:
        classes.setdefault(m.cls, m)
    points = min(100.0, sum(m.credit for m in classes.values()))
    in_tail = [m for m in matches if ctx.fraction(m.start) >= tail_from]
    evidence = [ctx.ev(m, f"{m.label}{' (closing part)' if m in in_tail else ''}") for m in matches[:8]] + voided
    score = points if in_tail or not matches else points * p["script.cta_early_credit"]
    entries = ctx.lexicon["cta"].entries
    missing = [e.label for c, e in sorted(entries.items(), key=lambda kv: -kv[1].credit)
               if c not in classes] if points < 100 else []
    parts = []
    if voided:
        parts.append("replace 「" + "」「".join(e.text for e in voided[:2]) + "」 with a reward-free prompt "
                     "(a reward for 点赞/评论/转发/关注 is 诱导, WeChat 视频号 rules)")
    if missing:
        parts.append("add " + ", ".join(missing[:2])
                     + " (e.g. 点击下方链接, 评论区告诉我你的肤质, 关注看下期) — without a reward")
    if matches and not in_tail:
        parts.append(f"put the call to action in the last {p['script.cta_tail_share']:.0%} of the script "
                     "(钩子 → 价值 → 行动号召)")
    return SubScore("interaction", "互动引导", score, evidence=evidence, improvement="; ".join(parts),
                    source=p.source("script.cta_tail_share"), facts={"classes": sorted(classes)})



def _score(paths, profile: Profile, engine: Engine, options: dict) -> list[ScoreReport]:
    start = options.get("start")
    if start:
        try:
            clock_minutes(start)
        except ValueError as exc:
            raise OptionError(f"--start: {exc}") from None
    return score_paths(paths, options["kind"], profile, engine, start)


SCORER = Scorer(
    "score", "Score short-video or livestream scripts (.txt, .md, .srt, .docx) 0-100, with sub-scores that "
             "explain themselves.", "paths", _score,
    options=(Option("--kind", "kind", "Short video or livestream script.", choices=SCRIPT_KINDS, default="video"),
             Option("--start", "start", "Clock time the live starts (when the script has none).", metavar="HH:MM")),
    rule_options=("fail_on", "select", "ignore", "packs"))
