"""Load and validate YAML rule packs into Rule objects.

Packs are data. Loading uses ``yaml`` safe-load semantics (load.yamlpos, fast mode) but keeps
each mapping's line so that every validation error is one line naming ``file:line``. The keys
common to every rule are read here; each kind of rule reads its own (``engine.kinds``). Example
verification (bad examples must hit their rule, good ones must not) is ``engine.examples``.

The built-in packs' regexes compile on first use (``lazyre``): the test suite proves they
compile. A user's pack is compiled whole at load, so a bad regex is reported at once with its
file and line.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import regex

from compliance_guard.engine.examples import verify_examples
from compliance_guard.engine.kinds import KINDS
from compliance_guard.engine.source import PackError, RuleSource, error, str_list
from compliance_guard.load import word_classes, yamlpos
from compliance_guard.load.shipped import builtin_rules_dir
from compliance_guard.model.finding import Severity
from compliance_guard.model.rule import Allow, Evidence, Pack, PackSet, Rule
from compliance_guard.text.normalize import fold_term
from compliance_guard.text.wording import is_literal

__all__ = ["PackError", "load_pack", "load_packs", "pack_files"]

PACK_KEYS = {"pack", "title", "category", "source", "description", "variants", "repeatable", "rules"}
COMMON_KEYS = {"id", "title", "category", "severity", "message", "source", "boundary", "allow", "needs_evidence",
               "suggest", "fix", "examples"}
RULE_KEYS = COMMON_KEYS | {key for kind in KINDS.values() for key in kind.KEYS}
ALLOW_KEYS = {"tokens", "patterns"}
EVIDENCE_KEYS = {"patterns", "message"}
EXAMPLE_KEYS = {"bad", "good"}
_PLACEHOLDER = regex.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _check_keys(d, allowed: set[str], file: str, where: str) -> None:
    for key in d:
        if key not in allowed:
            line = d.key_lines.get(key, d.line)
            raise error(file, line, f"unknown key {key!r} in {where} (allowed: {', '.join(sorted(allowed))})")


def _parse_rule(raw: Any, pack: dict, file: str, variants: dict, lazy: bool, classes: dict) -> Rule:
    if not isinstance(raw, yamlpos.PosDict):
        raise error(file, getattr(raw, "line", 0) or pack.line, "each rule must be a mapping")
    line = raw.line
    _check_keys(raw, RULE_KEYS, file, "rule")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise error(file, line, "rule without an 'id'")
    src = RuleSource(raw, file, rid, lazy, classes)
    kinds = [name for name, kind in KINDS.items() if kind.KEYS[0] in raw]
    if len(kinds) != 1:
        raise src.error(None, f"needs exactly one of {', '.join(KINDS)} (has {kinds or 'none'})")
    try:
        severity = Severity.parse(raw.get("severity", "error"))
    except ValueError as exc:
        raise src.error("severity", str(exc)) from None
    message = raw.get("message", "「{text}」")
    if not isinstance(message, str):
        raise src.error("message", "message must be a string")
    source = str(raw.get("source") or pack.get("source") or "")
    rule = Rule(
        id=rid, pack=pack["pack"], category=str(raw.get("category") or pack.get("category", "")), severity=severity,
        message=message, source=source, title=str(raw.get("title", "")), kind=kinds[0], file=file, line=line,
        variants=variants,
    )
    KINDS[rule.kind].parse(src, rule)
    for name, kind in KINDS.items():
        for key in kind.KEYS[1:]:
            if key in raw and name != rule.kind:
                raise src.error(key, f"{key} {'apply' if key.endswith('s') else 'applies'} to {name} rules only")
    boundary = raw.get("boundary", "none")
    if boundary not in ("token", "none"):
        raise src.error("boundary", "boundary must be 'token' or 'none'")
    rule.boundary = boundary
    allow = raw.get("allow")
    if allow is not None:
        if not isinstance(allow, yamlpos.PosDict):
            raise src.error("allow", "allow must be a mapping")
        _check_keys(allow, ALLOW_KEYS, file, f"rule {rid} allow")
        rule.allow = Allow(
            tokens=[fold_term(t) for t in str_list(allow.get("tokens", []), file, allow.line, "allow.tokens")],
            patterns=[src.regex(p, "allow", f"rule {rid}: allow.patterns", allow.key_lines.get("patterns", allow.line))
                      for p in str_list(allow.get("patterns", []), file, allow.line, "allow.patterns")],
        )
    evidence = raw.get("needs_evidence")
    if evidence is not None:
        if not isinstance(evidence, yamlpos.PosDict):
            raise src.error("needs_evidence", "needs_evidence must be a mapping")
        _check_keys(evidence, EVIDENCE_KEYS, file, f"rule {rid} needs_evidence")
        pats = str_list(evidence.get("patterns", []), file, evidence.line, "needs_evidence.patterns")
        if not pats:
            raise error(file, evidence.line, f"rule {rid}: needs_evidence needs patterns")
        rule.needs_evidence = Evidence(
            patterns=[src.regex(p, "needs_evidence", f"rule {rid}: needs_evidence.patterns", evidence.line)
                      for p in pats],
            message=str(evidence.get("message") or "「{text}」需有证据支持（《广告绝对化用语执法指南》第六、七条）"),
        )
    suggest = raw.get("suggest")
    if isinstance(suggest, list):
        rule.suggest = {"*": str_list(suggest, file, src.line("suggest"), "suggest")}
    elif isinstance(suggest, dict):
        rule.suggest = {
            (k if k == "*" else fold_term(str(k))): str_list(v, file, suggest.key_lines.get(k, suggest.line),
                                                             f"suggest[{k}]")
            for k, v in suggest.items()
        }
    elif suggest is not None:
        raise src.error("suggest", "suggest must be a list or a mapping of term -> list")
    if "fix" in raw:
        rule.fix = _parse_fix(raw["fix"], rule, file, src.line("fix"))
    if not lazy:  # the built-in packs' messages are held to this by the test suite
        _check_messages(rule, raw, file)
    examples = raw.get("examples")
    if not isinstance(examples, yamlpos.PosDict):
        raise src.error(None, "no examples (each rule needs examples with bad and good)")
    _check_keys(examples, EXAMPLE_KEYS, file, f"rule {rid} examples")
    for key in ("bad", "good"):
        items = str_list(examples.get(key, []), file, examples.key_lines.get(key, examples.line), f"examples.{key}")
        if not items:
            raise error(file, examples.line, f"rule {rid}: examples need at least one '{key}' example")
        rule.examples[key] = items
    return rule


def _check_messages(rule: Rule, raw, file: str) -> None:
    """Every ``{name}`` in a rule's messages must be one the rule fills in: ``{text}``, and for
    a ``check:`` rule what that check fills (its ``fills``). A typo such as ``{txt}`` would
    otherwise be printed as it is in every finding."""

    def lines(*keys) -> int:
        d, line = raw, raw.line
        for key in keys:
            if not isinstance(d, yamlpos.PosDict) or key not in d:
                break
            line = d.key_lines.get(key, line)
            d = d[key]
        return line

    slots = [("message", rule.message, frozenset(("text",)))]
    if rule.needs_evidence:
        slots.append(("needs_evidence.message", rule.needs_evidence.message, frozenset(("text",))))
    kind_slots = getattr(KINDS[rule.kind], "message_slots", None)
    if kind_slots is not None:
        try:
            found = kind_slots(rule)
        except ValueError as exc:
            line = lines("options", "messages", *([exc.key] if hasattr(exc, "key") else []))
            raise error(file, line, f"rule {rule.id}: {exc}") from None
        slots = [(where, rule.message if template is None else template, allowed)
                 for where, template, allowed in found] + slots[1:]
    for where, template, allowed in slots:
        line = lines(*where.split("."))
        if not isinstance(template, str):
            raise error(file, line, f"rule {rule.id}: {where} must be a string")
        for name in _PLACEHOLDER.findall(template):
            if name not in allowed:
                fills = ", ".join("{" + a + "}" for a in sorted(allowed))
                raise error(file, line, f"rule {rule.id}: unknown placeholder {{{name}}} in {where} "
                                        f"(this rule fills in {fills})")


def _parse_fix(fixes: Any, rule: Rule, file: str, line: int) -> dict[str, str]:
    """``fix: {term: wording}``: one of the term's suggestions, a safe drop-in replacement."""
    if rule.kind == "check":
        raise error(file, line, f"rule {rule.id}: fix is for wording; a check rule reports values")
    if not isinstance(fixes, dict):
        raise error(file, line, f"rule {rule.id}: fix must be a mapping of term -> one of its suggestions")
    out = {}
    for key, value in fixes.items():
        term = key if key == "*" else fold_term(str(key))
        kl = fixes.key_lines.get(key, line)
        offered = rule.suggestions_for(term)
        if not isinstance(value, str) or value not in offered:
            shown = " / ".join(offered) if offered else "none"
            raise error(file, kl, f"rule {rule.id}: fix[{key}] must be one of its suggestions ({shown}), not {value!r}")
        if not is_literal(value):
            raise error(file, kl, f"rule {rule.id}: fix[{key}] {value!r} is advice to the writer, not wording to put in")
        out[term] = value
    return out


def load_pack(path: Path, lazy: bool = False, classes: dict | None = None) -> Pack:
    """One pack; ``lazy`` defers regex compilation (for the tested built-in packs); ``classes``
    are the word classes its slots rules may name (default: the built-in ones)."""
    if classes is None:
        classes = load_word_classes()
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(file, 0, f"cannot read rule pack: {exc}") from None
    try:
        data = yamlpos.loads(text, file, fast=True)
    except yamlpos.YamlError as exc:
        raise PackError(str(exc)) from None
    if not isinstance(data, yamlpos.PosDict):
        raise error(file, 1, "a rule pack must be a mapping with pack, category and rules")
    _check_keys(data, PACK_KEYS, file, "pack")
    for key in ("pack", "category", "rules"):
        if key not in data:
            raise error(file, data.line, f"missing required key {key!r}")
    if not isinstance(data["rules"], list) or not data["rules"]:
        raise error(file, data.key_lines["rules"], "rules must be a non-empty list")
    variants_raw = data.get("variants") or {}
    if not isinstance(variants_raw, dict):
        raise error(file, data.key_lines.get("variants", data.line), "variants must be a mapping of character -> list")
    variants: dict[str, list[str]] = {}
    for k, v in variants_raw.items():
        key = fold_term(str(k))
        if len(key) != 1:
            raise error(file, variants_raw.key_lines.get(k, data.line), f"variants key {k!r} must be one character")
        variants[key] = str_list(v, file, variants_raw.key_lines.get(k, data.line), f"variants[{k}]")
    repeatable = data.get("repeatable", "")
    rules = [_parse_rule(r, data, file, variants, lazy, classes) for r in data["rules"]]
    return Pack(name=str(data["pack"]), title=str(data.get("title", "")), category=str(data["category"]),
                source=str(data.get("source", "")), file=file, rules=rules,
                repeatable=fold_term("".join(str_list(repeatable, file, data.line, "repeatable"))))


def pack_files(extra_paths: Iterable[str | Path] = (), builtin: bool = True) -> list[Path]:
    """The pack files of the built-in rules and of ``extra_paths`` (word-class files aside)."""
    return _files(extra_paths, builtin)[0]


def _files(extra_paths: Iterable[str | Path], builtin: bool) -> tuple[list[Path], list[Path]]:
    """(pack files, word-class files) in the order given, built-in ones first: a directory's
    ``*.yaml`` packs and its ``lexicons/*.yaml`` classes; a file given by itself is a word class
    when it says ``lexicon:`` and holds no ``rules:``."""
    packs: list[Path] = []
    classes: list[Path] = []

    def directory(d: Path) -> None:
        packs.extend(sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")))
        classes.extend(sorted((d / "lexicons").glob("*.yaml")))

    if builtin:
        directory(builtin_rules_dir())
    for p in map(Path, extra_paths):
        if p.is_dir():
            directory(p)
        elif p.is_file():
            try:
                is_class = word_classes.is_word_class(word_classes.read(p))
            except word_classes.WordClassError:
                is_class = False  # load_pack reports the problem in a pack's own words
            (classes if is_class else packs).append(p)
        else:
            raise PackError(f"{p}: rule pack not found")
    return packs, classes


_BUILTIN_CLASSES: dict | None = None


def load_word_classes(paths: Iterable[Path] | None = None) -> dict:
    """Word classes by name: the built-in ones (loaded once), or those of ``paths``."""
    global _BUILTIN_CLASSES
    try:
        if paths is not None:
            return word_classes.load(paths)
        if _BUILTIN_CLASSES is None:
            _BUILTIN_CLASSES = word_classes.load(sorted((builtin_rules_dir() / "lexicons").glob("*.yaml")))
        return _BUILTIN_CLASSES
    except word_classes.WordClassError as exc:
        raise PackError(str(exc)) from None


def load_packs(extra_paths: Iterable[str | Path] = (), verify: bool = False, builtin: bool = True) -> PackSet:
    """Load the built-in packs plus ``extra_paths`` (files or directories).

    ``verify`` runs every rule's examples through the engine (bad must hit, good must not).
    """
    extra = [Path(p) for p in extra_paths]
    packs: list[Pack] = []
    seen_ids: dict[str, str] = {}
    seen_packs: dict[str, str] = {}
    shipped = builtin_rules_dir()
    files, class_files = _files(extra, builtin)
    classes = load_word_classes(class_files)
    for path in files:
        pack = load_pack(path, lazy=path.parent == shipped, classes=classes)
        # ids and names are case-insensitive (--select abs001), so ABS001 and abs001 clash
        if pack.name.casefold() in seen_packs:
            raise error(pack.file, 1, f"duplicate pack name {pack.name!r} (also in {seen_packs[pack.name.casefold()]})")
        seen_packs[pack.name.casefold()] = pack.file
        for rule in pack.rules:
            if rule.id.casefold() in seen_ids:
                raise error(pack.file, rule.line, f"duplicate rule id {rule.id!r} (also in {seen_ids[rule.id.casefold()]})")
            seen_ids[rule.id.casefold()] = f"{pack.file}:{rule.line}"
        packs.append(pack)
    packset = PackSet(packs)
    if verify:
        failures = verify_examples(packset)
        if failures:
            raise PackError(failures[0])
    return packset
