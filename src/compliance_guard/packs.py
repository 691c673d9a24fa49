"""Load and validate YAML rule packs into Rule objects.

Packs are data. Loading uses ``yaml`` safe-load semantics (the C SafeLoader when available)
but keeps each mapping's line so that every validation error is one line naming
``file:line``. Example verification (bad examples must hit their rule, good ones must not)
needs the engine; it runs for user packs, in ``cguard rules test`` and in the test suite.

The built-in packs' regexes compile on first use (``lazyre``): the test suite proves they
compile. A user's pack is compiled whole at load, so a bad regex is reported at once with its
file and line.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import regex
import yaml

from .findings import Severity
from .lazyre import LazyPattern
from .normalize import fold_char_string

PACK_KEYS = {"pack", "title", "category", "source", "description", "variants", "repeatable", "rules"}
RULE_KEYS = {"slots", 
    "id", "title", "severity", "message", "source", "terms", "pattern", "triggers", "all_of", "within",
    "check", "options", "boundary", "allow", "needs_evidence", "suggest", "fix", "examples",
}
ALLOW_KEYS = {"tokens", "patterns"}
EVIDENCE_KEYS = {"patterns", "message"}
EXAMPLE_KEYS = {"bad", "good"}
MAX_VARIANTS_PER_TERM = 64
REGEX_FLAGS = regex.V0 | regex.IGNORECASE


class PackError(Exception):
    """A rule-pack problem, already formatted as ``file:line: message``."""


class _LineDict(dict):
    line = 0
    key_lines: dict


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that remembers the line of each mapping and of each of its keys."""


class _DuplicateKey(Exception):
    """A mapping key written twice (YAML would keep the last one silently)."""

    def __init__(self, key, line: int, first: int):
        super().__init__(f"duplicate key {key!r} (also on line {first})")
        self.line = line


def _construct_mapping(loader, node):
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1, seen[key])
        seen[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    d = _LineDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1
    return d


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Allow:
    tokens: list[str] = field(default_factory=list)
    patterns: list[regex.Pattern] = field(default_factory=list)


@dataclass
class Evidence:
    patterns: list[regex.Pattern]
    message: str


@dataclass(eq=False)
class Rule:
    id: str
    pack: str
    category: str
    severity: Severity
    message: str
    source: str
    title: str = ""
    terms: list[str] = field(default_factory=list)
    pattern: regex.Pattern | LazyPattern | None = None
    triggers: list[str] = field(default_factory=list)  # a pattern runs only on texts holding one
    all_of: list[list[str]] = field(default_factory=list)
    within: int | str = 20
    check: str | None = None
    options: dict = field(default_factory=dict)
    boundary: str = "none"
    allow: Allow = field(default_factory=Allow)
    needs_evidence: Evidence | None = None
    suggest: dict[str, list[str]] = field(default_factory=dict)
    fix: dict[str, str] = field(default_factory=dict)  # term -> the suggestion ``cguard fix`` applies
    examples: dict[str, list[str]] = field(default_factory=dict)
    variants: dict[str, list[str]] = field(default_factory=dict)
    width: int = 0  # the longest match of a slots rule (known from its template)
    file: str = ""
    line: int = 0

    @functools.cached_property
    def max_width(self) -> int | None:
        if self.width:
            return self.width
        """The most characters a match of ``pattern`` can span (None: no bound, or a pattern
        the analysis cannot read): the engine runs the regex on windows this much wider than
        the triggers it occurs around."""
        return pattern_width(self.pattern.pattern, self.pattern.flags) if self.pattern is not None else None

    @property
    def kind(self) -> str:
        if self.check:
            return "check"
        if self.pattern is not None:
            return "pattern"
        if self.all_of:
            return "all_of"
        return "terms"

    def suggestions_for(self, term: str) -> list[str]:
        return list(self.suggest.get(term) or self.suggest.get("*") or [])

    def fix_for(self, term: str) -> str | None:
        """The suggestion marked as the fix for ``term``: its own, else the '*' fix when the
        term takes the '*' suggestions."""
        if term in self.fix:
            return self.fix[term]
        return None if self.suggest.get(term) else self.fix.get("*")

    def term_forms(self, term: str) -> list[str]:
        """The normalised term plus its pack-declared variant spellings."""
        base = fold_char_string(term)
        choices = [[c] + [fold_char_string(v) for v in self.variants.get(c, ())] for c in base]
        forms = []
        for combo in itertools.islice(itertools.product(*choices), MAX_VARIANTS_PER_TERM):
            forms.append("".join(combo))
        return forms


@dataclass
class Pack:
    name: str
    title: str
    category: str
    source: str
    file: str
    rules: list[Rule]
    repeatable: str = ""


@dataclass
class PackSet:
    packs: list[Pack]

    @property
    def rules(self) -> list[Rule]:
        return [r for p in self.packs for r in p.rules]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id, in any case (``abs001`` is ABS001)."""
        wanted = rule_id.casefold()
        for r in self.rules:
            if r.id.casefold() == wanted:
                return r
        raise KeyError(rule_id)

    def names(self) -> set[str]:
        """Every rule id, pack name and category, casefolded: what a selector may name."""
        return {n.casefold() for r in self.rules for n in (r.id, r.pack, r.category)}


MAX_WIDTH = 1000  # a longer possible match is treated as unbounded


def pattern_width(pattern: str, flags: int = 0) -> int | None:
    """The longest match of a regex, from the standard library's parser (``\\p{…}`` read as
    one character); None when it has no bound or uses syntax only the ``regex`` module knows."""
    try:
        from re import _parser
    except ImportError:  # Python 3.10
        import sre_parse as _parser
    import re

    plain = regex.sub(r"\\[pP]\{[^}]*\}", ".", pattern)
    try:
        _, most = _parser.parse(plain, re.IGNORECASE if flags & regex.IGNORECASE else 0).getwidth()
    except Exception:  # noqa: BLE001 - any syntax re cannot parse: no bound known
        return None
    return most if most <= MAX_WIDTH else None


def builtin_rules_dir() -> Path:
    """``rules/`` inside the installed wheel, or the repository's during development."""
    here = Path(__file__).resolve().parent
    shipped = here / "rules"  # force-included into the wheel (pyproject.toml)
    return shipped if shipped.is_dir() else here.parents[1] / "rules"


def _err(file: str, line: int, msg: str) -> PackError:
    return PackError(f"{file}:{line}: {msg}")


def _str_list(value: Any, file: str, line: int, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise _err(file, line, f"{what} must be a list of strings")
    if any(isinstance(v, bool) for v in value):  # YAML 1.1 reads no/yes/on/off as booleans
        raise _err(file, line, f"{what}: a bare yes/no/on/off/true/false is read as a boolean; quote it")
    return [str(v) for v in value]


def _compile(pattern: Any, file: str, line: int, what: str, lazy: bool = False) -> regex.Pattern | LazyPattern:
    if not isinstance(pattern, str) or not pattern:
        raise _err(file, line, f"{what} must be a non-empty regular expression string")
    if lazy:
        return LazyPattern(pattern, REGEX_FLAGS)
    try:
        return regex.compile(pattern, REGEX_FLAGS)
    except regex.error as exc:
        raise _err(file, line, f"invalid regex in {what} {pattern!r}: {exc}") from None


def _check_keys(d: _LineDict, allowed: set[str], file: str, where: str) -> None:
    for key in d:
        if key not in allowed:
            line = d.key_lines.get(key, d.line)
            raise _err(file, line, f"unknown key {key!r} in {where} (allowed: {', '.join(sorted(allowed))})")


def _parse_rule(raw: Any, pack: dict, file: str, variants: dict, lazy: bool, lexicons: dict) -> Rule:
    if not isinstance(raw, _LineDict):
        raise _err(file, getattr(raw, "line", 0) or pack.line, "each rule must be a mapping")
    line = raw.line
    _check_keys(raw, RULE_KEYS, file, "rule")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise _err(file, line, "rule without an 'id'")

    def kline(key: str) -> int:
        return raw.key_lines.get(key, line)

    kinds = [k for k in ("terms", "pattern", "slots", "all_of", "check") if k in raw]
    if len(kinds) != 1:
        raise _err(file, line, f"rule {rid}: needs exactly one of terms, pattern, slots, all_of, check (has {kinds or 'none'})")
    try:
        severity = Severity.parse(raw.get("severity", "error"))
    except ValueError as exc:
        raise _err(file, kline("severity"), f"rule {rid}: {exc}") from None
    message = raw.get("message", "「{text}」")
    if not isinstance(message, str):
        raise _err(file, kline("message"), f"rule {rid}: message must be a string")
    source = str(raw.get("source") or pack.get("source") or "")
    rule = Rule(
        id=rid, pack=pack["pack"], category=str(pack.get("category", "")), severity=severity,
        message=message, source=source, title=str(raw.get("title", "")), file=file, line=line,
        variants=variants,
    )
    if "terms" in raw:
        rule.terms = [t for t in _str_list(raw["terms"], file, kline("terms"), f"rule {rid}: terms") if t.strip()]
        if not rule.terms:
            raise _err(file, kline("terms"), f"rule {rid}: empty terms")
    elif "pattern" in raw:
        rule.pattern = _compile(raw["pattern"], file, kline("pattern"), f"rule {rid}: pattern", lazy)
        rule.triggers = [t for t in _str_list(raw.get("triggers", []), file, kline("triggers"), f"rule {rid}: triggers")
                         if fold_char_string(t).strip()]
        if "triggers" in raw and not rule.triggers:
            raise _err(file, kline("triggers"), f"rule {rid}: empty triggers")
    elif "slots" in raw:
        from .normalize import normalized_text
        from .slots import TemplateError, compile_template

        template = raw["slots"]
        if not isinstance(template, str) or not template.strip():
            raise _err(file, kline("slots"), f"rule {rid}: slots must be a template string")
        try:
            compiled = compile_template(template, lexicons, fold=normalized_text)
        except TemplateError as exc:
            raise _err(file, kline("slots"), f"rule {rid}: slots: {exc}") from None
        rule.pattern = LazyPattern(compiled.pattern, REGEX_FLAGS, compiled.lists)
        rule.triggers = list(compiled.triggers)
        rule.width = compiled.max_len
    elif "all_of" in raw:
        groups = raw["all_of"]
        if not isinstance(groups, list) or len(groups) < 2:
            raise _err(file, kline("all_of"), f"rule {rid}: all_of needs at least two term groups")
        rule.all_of = [_str_list(g, file, kline("all_of"), f"rule {rid}: all_of group") for g in groups]
        if any(not [t for t in g if t.strip()] for g in rule.all_of):
            raise _err(file, kline("all_of"), f"rule {rid}: empty terms in an all_of group")
        within = raw.get("within", 20)
        if not (within == "sentence" or (isinstance(within, int) and within > 0)):
            raise _err(file, kline("within"), f"rule {rid}: within must be a positive number of characters or 'sentence'")
        rule.within = within
    else:
        rule.check = str(raw["check"])
        options = raw.get("options", {})
        if not isinstance(options, dict):
            raise _err(file, kline("options"), f"rule {rid}: options must be a mapping")
        rule.options = dict(options)
    if "triggers" in raw and rule.pattern is None:
        raise _err(file, kline("triggers"), f"rule {rid}: triggers apply to pattern rules only")
    boundary = raw.get("boundary", "none")
    if boundary not in ("token", "none"):
        raise _err(file, kline("boundary"), f"rule {rid}: boundary must be 'token' or 'none'")
    rule.boundary = boundary
    allow = raw.get("allow")
    if allow is not None:
        if not isinstance(allow, _LineDict):
            raise _err(file, kline("allow"), f"rule {rid}: allow must be a mapping")
        _check_keys(allow, ALLOW_KEYS, file, f"rule {rid} allow")
        rule.allow = Allow(
            tokens=[fold_char_string(t) for t in _str_list(allow.get("tokens", []), file, allow.line, "allow.tokens")],
            patterns=[_compile(p, file, allow.key_lines.get("patterns", allow.line), f"rule {rid}: allow.patterns", lazy)
                      for p in _str_list(allow.get("patterns", []), file, allow.line, "allow.patterns")],
        )
    evidence = raw.get("needs_evidence")
    if evidence is not None:
        if not isinstance(evidence, _LineDict):
            raise _err(file, kline("needs_evidence"), f"rule {rid}: needs_evidence must be a mapping")
        _check_keys(evidence, EVIDENCE_KEYS, file, f"rule {rid} needs_evidence")
        pats = _str_list(evidence.get("patterns", []), file, evidence.line, "needs_evidence.patterns")
        if not pats:
            raise _err(file, evidence.line, f"rule {rid}: needs_evidence needs patterns")
        rule.needs_evidence = Evidence(
            patterns=[_compile(p, file, evidence.line, f"rule {rid}: needs_evidence.patterns", lazy) for p in pats],
            message=str(evidence.get("message") or "「{text}」需有证据支持（《广告绝对化用语执法指南》第六、七条）"),
        )
    suggest = raw.get("suggest")
    if isinstance(suggest, list):
        rule.suggest = {"*": _str_list(suggest, file, kline("suggest"), "suggest")}
    elif isinstance(suggest, dict):
        rule.suggest = {
            (k if k == "*" else fold_char_string(str(k))): _str_list(v, file, suggest.key_lines.get(k, suggest.line), f"suggest[{k}]")
            for k, v in suggest.items()
        }
    elif suggest is not None:
        raise _err(file, kline("suggest"), f"rule {rid}: suggest must be a list or a mapping of term -> list")
    if "fix" in raw:
        rule.fix = _parse_fix(raw["fix"], rule, file, kline("fix"))
    if not lazy:  # the built-in packs' messages are held to this by the test suite
        _check_messages(rule, raw, file)
    examples = raw.get("examples")
    if not isinstance(examples, _LineDict):
        raise _err(file, line, f"rule {rid}: no examples (each rule needs examples with bad and good)")
    _check_keys(examples, EXAMPLE_KEYS, file, f"rule {rid} examples")
    for key in ("bad", "good"):
        items = _str_list(examples.get(key, []), file, examples.key_lines.get(key, examples.line), f"examples.{key}")
        if not items:
            raise _err(file, examples.line, f"rule {rid}: examples need at least one '{key}' example")
        rule.examples[key] = items
    return rule


_PLACEHOLDER = regex.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _check_messages(rule: Rule, raw: _LineDict, file: str) -> None:
    """Every ``{name}`` in a rule's messages must be one the rule fills in: ``{text}``, and for
    a ``check:`` rule what that check fills (checks.PLACEHOLDERS). A typo such as ``{txt}``
    would otherwise be printed as it is in every finding."""
    from .checks import message_slots

    def lines(*keys) -> int:
        d, line = raw, raw.line
        for key in keys:
            if not isinstance(d, _LineDict) or key not in d:
                break
            line = d.key_lines.get(key, line)
            d = d[key]
        return line

    slots = [("message", rule.message, frozenset(("text",)))]
    if rule.needs_evidence:
        slots.append(("needs_evidence.message", rule.needs_evidence.message, frozenset(("text",))))
    if rule.check:
        try:
            found = message_slots(rule.check, rule.options)
        except ValueError as exc:
            line = lines("options", "messages", *([exc.key] if hasattr(exc, "key") else []))
            raise _err(file, line, f"rule {rule.id}: {exc}") from None
        if found is not None:
            slots = [(where, rule.message if template is None else template, allowed)
                     for where, template, allowed in found] + slots[1:]
    for where, template, allowed in slots:
        line = lines(*where.split("."))
        if not isinstance(template, str):
            raise _err(file, line, f"rule {rule.id}: {where} must be a string")
        for name in _PLACEHOLDER.findall(template):
            if name not in allowed:
                fills = ", ".join("{" + a + "}" for a in sorted(allowed))
                raise _err(file, line, f"rule {rule.id}: unknown placeholder {{{name}}} in {where} "
                                       f"(this rule fills in {fills})")


def _parse_fix(fixes: Any, rule: Rule, file: str, line: int) -> dict[str, str]:
    """``fix: {term: wording}``: one of the term's suggestions, a safe drop-in replacement."""
    from .fix import is_literal

    if rule.check:
        raise _err(file, line, f"rule {rule.id}: fix is for wording; a check rule reports values")
    if not isinstance(fixes, dict):
        raise _err(file, line, f"rule {rule.id}: fix must be a mapping of term -> one of its suggestions")
    out = {}
    for key, value in fixes.items():
        term = key if key == "*" else fold_char_string(str(key))
        kl = fixes.key_lines.get(key, line)
        offered = rule.suggestions_for(term)
        if not isinstance(value, str) or value not in offered:
            shown = " / ".join(offered) if offered else "none"
            raise _err(file, kl, f"rule {rule.id}: fix[{key}] must be one of its suggestions ({shown}), not {value!r}")
        if not is_literal(value):
            raise _err(file, kl, f"rule {rule.id}: fix[{key}] {value!r} is advice to the writer, not wording to put in")
        out[term] = value
    return out


def load_pack(path: Path, lazy: bool = False, lexicons: dict | None = None) -> Pack:
    """One pack; ``lazy`` defers regex compilation (for the tested built-in packs)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _err(file, 0, f"cannot read rule pack: {exc}") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _err(file, line, f"malformed YAML: {problem}") from None
    except _DuplicateKey as exc:
        raise _err(file, exc.line, str(exc)) from None
    if not isinstance(data, _LineDict):
        raise _err(file, 1, "a rule pack must be a mapping with pack, category and rules")
    _check_keys(data, PACK_KEYS, file, "pack")
    for key in ("pack", "category", "rules"):
        if key not in data:
            raise _err(file, data.line, f"missing required key {key!r}")
    if not isinstance(data["rules"], list) or not data["rules"]:
        raise _err(file, data.key_lines["rules"], "rules must be a non-empty list")
    variants_raw = data.get("variants") or {}
    if not isinstance(variants_raw, dict):
        raise _err(file, data.key_lines.get("variants", data.line), "variants must be a mapping of character -> list")
    variants: dict[str, list[str]] = {}
    for k, v in variants_raw.items():
        key = fold_char_string(str(k))
        if len(key) != 1:
            raise _err(file, variants_raw.key_lines.get(k, data.line), f"variants key {k!r} must be one character")
        variants[key] = _str_list(v, file, variants_raw.key_lines.get(k, data.line), f"variants[{k}]")
    repeatable = data.get("repeatable", "")
    rules = [_parse_rule(r, data, file, variants, lazy, lexicons or {}) for r in data["rules"]]
    return Pack(name=str(data["pack"]), title=str(data.get("title", "")), category=str(data["category"]),
                source=str(data.get("source", "")), file=file, rules=rules,
                repeatable=fold_char_string("".join(_str_list(repeatable, file, data.line, "repeatable"))))


def load_lexicons(extra_paths=(), builtin: bool = True) -> dict[str, list[str]]:
    """Word classes for slots rules: ``lexicons/*.yaml`` beside the built-in packs and in each
    pack directory given."""
    dirs = ([builtin_rules_dir() / "lexicons"] if builtin else []) + [Path(p) / "lexicons" for p in extra_paths if Path(p).is_dir()]
    out: dict[str, list[str]] = {}
    for d in dirs:
        for path in sorted(d.glob("*.yaml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
            name = str(data["lexicon"])
            if name in out:
                raise _err(str(path), data.line, f"duplicate lexicon {name!r}")
            out[name] = _str_list(data["entries"], str(path), data.key_lines.get("entries", data.line), "entries")
    return out


def pack_files(extra_paths: Iterable[str | Path] = (), builtin: bool = True) -> list[Path]:
    files: list[Path] = sorted(builtin_rules_dir().glob("*.yaml")) if builtin else []
    for p in extra_paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")))
        elif p.is_file():
            files.append(p)
        else:
            raise PackError(f"{p}: rule pack not found")
    return files


def load_packs(extra_paths: Iterable[str | Path] = (), verify: bool = False, builtin: bool = True) -> PackSet:
    """Load the built-in packs plus ``extra_paths`` (files or directories).

    ``verify`` runs every rule's examples through the engine (bad must hit, good must not).
    """
    extra = [Path(p) for p in extra_paths]
    packs: list[Pack] = []
    seen_ids: dict[str, str] = {}
    seen_packs: dict[str, str] = {}
    shipped = builtin_rules_dir()
    lexicons = load_lexicons(extra, builtin)
    for path in pack_files(extra, builtin):
        pack = load_pack(path, lazy=path.parent == shipped, lexicons=lexicons)
        # ids and names are case-insensitive (--select abs001), so ABS001 and abs001 clash
        if pack.name.casefold() in seen_packs:
            raise _err(pack.file, 1, f"duplicate pack name {pack.name!r} (also in {seen_packs[pack.name.casefold()]})")
        seen_packs[pack.name.casefold()] = pack.file
        for rule in pack.rules:
            if rule.id.casefold() in seen_ids:
                raise _err(pack.file, rule.line, f"duplicate rule id {rule.id!r} (also in {seen_ids[rule.id.casefold()]})")
            seen_ids[rule.id.casefold()] = f"{pack.file}:{rule.line}"
        packs.append(pack)
    packset = PackSet(packs)
    if verify:
        failures = verify_examples(packset)
        if failures:
            raise PackError(failures[0])
    return packset


def verify_examples(packset: PackSet, rules: Iterable[Rule] | None = None) -> list[str]:
    """One ``file:line: ...`` message per example that disagrees with its rule.

    A rule is judged by an engine over its own pack: a team pack that repeats a built-in term
    (最好 with its own message) is not shadowed by the built-in rule winning the overlap.
    """
    from .engine import Engine

    rules = list(rules if rules is not None else packset.rules)
    wanted = {r.pack for r in rules}
    engines = {p.name: Engine(PackSet([p])) for p in packset.packs if p.name in wanted}
    failures = []
    for rule in rules:
        engine = engines[rule.pack]
        for text in rule.examples.get("bad", []):
            if not any(f.rule == rule.id for f in engine.check(text)):
                failures.append(f"{rule.file}:{rule.line}: rule {rule.id}: bad example not flagged: {text!r}")
        for text in rule.examples.get("good", []):
            hits = [f.text for f in engine.check(text) if f.rule == rule.id]
            if hits:
                failures.append(f"{rule.file}:{rule.line}: rule {rule.id}: good example flagged ({'、'.join(hits)}): {text!r}")
    return failures
