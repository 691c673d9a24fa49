"""Project configuration: ``.cguard.yaml`` / ``cguard.yaml`` / ``[tool.cguard]`` in
``pyproject.toml``, found upward from the working directory and merged with command-line flags.

A content repository keeps its team's choices (packs, brand names, ignored paths, per-folder
leniency) in one file next to the copy, so every run -- a writer's, pre-commit's, CI's -- checks
the same way. Every problem in the file is one line naming the file, the line and the key.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compliance_guard.load.documents import MAX_SIZE, format_size

if TYPE_CHECKING:
    import pathspec

CONFIG_NAMES = (".cguard.yaml", "cguard.yaml")
BASELINE_NAME = ".cguard-baseline.json"
FAIL_ON = ("error", "warning", "info", "never")
SEVERITIES = ("error", "warning", "info")
KEYS = ("select", "ignore", "packs", "severity", "allow", "include", "exclude", "fail-on", "per-file", "baseline",
        "max-size", "profile", "scoring")
PER_FILE_KEYS = ("files", "select", "ignore", "severity", "allow", "fail-on")


class ConfigError(Exception):
    """A configuration problem, already formatted as one line (``file:line: message``)."""


@dataclass(frozen=True)
class FileSettings:
    """What applies to one file once the per-file overrides are folded in."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    allow: tuple[str, ...] = ()
    fail_on: str = "error"


@dataclass
class PerFile:
    files: tuple[str, ...]
    select: tuple[str, ...] | None = None  # replaces the global selection for these files
    ignore: tuple[str, ...] = ()  # added to the global ignores
    severity: dict[str, str] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    fail_on: str | None = None
    where: dict[str, str] = field(default_factory=dict)  # key -> "file:line"


@dataclass
class Config:
    path: Path | None = None  # the config file; None when running on defaults
    root: Path = field(default_factory=Path.cwd)  # globs and relative paths start here
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    packs: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = "error"
    per_file: tuple[PerFile, ...] = ()
    max_size: int = MAX_SIZE  # bytes read per document; a larger one is an error for that file
    baseline: Path | None = None  # set explicitly (config key or flag)
    baseline_off: bool = False  # ``baseline: false`` or --no-baseline
    profile: str | None = None  # scoring profile: a built-in name or a path (made absolute)
    scoring: tuple[tuple[str, Any, str], ...] = ()  # (profile key, value, "file:line") overrides
    where: dict[str, str] = field(default_factory=dict)  # key -> "file:line"
    from_cli: dict[str, frozenset] = field(default_factory=dict)  # key -> values given as flags

    # -- files ---------------------------------------------------------------------------

    def relative(self, path: str | Path) -> str | None:
        """``path`` relative to the root in POSIX form, or None when it lies outside."""
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None

    def excluded(self, path: str | Path) -> bool:
        rel = self.relative(path)
        return rel is not None and any(glob_match(g, rel) for g in self.exclude)

    def included_by(self, path: str | Path) -> list[str]:
        """The ``include`` globs that choose a file found inside a directory (none: the file
        is not checked, when the config has include globs)."""
        rel = self.relative(path)
        return [g for g in self.include if glob_match(g, rel)] if rel is not None else []

    def base_settings(self) -> FileSettings:
        return FileSettings(tuple(self.select), tuple(dict.fromkeys(self.ignore)),
                            tuple(sorted(self.severity.items())), tuple(dict.fromkeys(self.allow)), self.fail_on)

    def settings_for(self, path: str | Path) -> FileSettings:
        """The base settings with every matching ``per-file`` entry applied in order."""
        select, ignore = self.select, self.ignore
        severity, allow, fail_on = dict(self.severity), self.allow, self.fail_on
        rel = self.relative(path) if self.per_file else None
        if rel is not None:
            for entry in self.per_file:
                if not any(glob_match(g, rel) for g in entry.files):
                    continue
                if entry.select is not None:
                    select = entry.select
                ignore = ignore + entry.ignore
                severity.update(entry.severity)
                allow = allow + entry.allow
                fail_on = entry.fail_on or fail_on
        return FileSettings(tuple(select), tuple(dict.fromkeys(ignore)), tuple(sorted(severity.items())),
                            tuple(dict.fromkeys(allow)), fail_on)

    def baseline_file(self, cwd: Path | None = None) -> Path | None:
        """The baseline in force: the explicit one, else ``.cguard-baseline.json`` beside the
        config file or in the working directory, when it exists."""
        if self.baseline_off:
            return None
        if self.baseline is not None:
            return self.baseline
        places = ([self.path.parent] if self.path else []) + [cwd or Path.cwd()]
        return next((p / BASELINE_NAME for p in places if (p / BASELINE_NAME).is_file()), None)

    # -- merging ---------------------------------------------------------------------------

    def merged(self, *, select=(), ignore=(), packs=(), severity=None, allow=(), include=(), exclude=(),
               fail_on=None, baseline=None, no_baseline=False, max_size=None) -> Config:
        """Command-line flags over the file: --select, --include, --fail-on, --max-size and
        --baseline replace; --ignore, --pack, --allow and --exclude add; --severity overrides
        per rule."""
        from_cli = {"select": frozenset(select), "ignore": frozenset(ignore), "severity": frozenset(severity or {})}
        return replace(
            self,
            select=tuple(select) or self.select,
            ignore=tuple(dict.fromkeys(self.ignore + tuple(ignore))),
            packs=self.packs + tuple(str(Path(p)) for p in packs),
            severity={**self.severity, **(severity or {})},
            allow=tuple(dict.fromkeys(self.allow + tuple(allow))),
            include=tuple(include) or self.include,
            exclude=self.exclude + tuple(exclude),
            fail_on=fail_on or self.fail_on,
            max_size=self.max_size if max_size is None else max_size,
            baseline=Path(baseline) if baseline else self.baseline,
            baseline_off=no_baseline or (self.baseline_off and not baseline),
            from_cli=from_cli,
        )

    def validate_names(self, known: set[str], rule_ids: set[str]) -> None:
        """Reject selectors and severity keys that name no rule, pack or category (a typo
        would otherwise silently check everything)."""
        folded = {k.casefold() for k in known}
        ids = {r.casefold() for r in rule_ids}

        def check(values, key, where, pool, what):
            for v in values:
                if v.casefold() not in pool:
                    origin = f"--{key}" if v in self.from_cli.get(key, ()) else f"{where.get(key, '?')}: {key}"
                    raise ConfigError(f"{origin}: unknown {what} {v!r} (see `cguard rules list`)")

        for holder in (self, *self.per_file):
            check(holder.select or (), "select", holder.where, folded, "rule, pack or category")
            check(holder.ignore, "ignore", holder.where, folded, "rule, pack or category")
            check(holder.severity, "severity", holder.where, ids, "rule")

    # -- display -----------------------------------------------------------------------------

    def to_dict(self, cwd: Path | None = None) -> dict:
        """The merged configuration as ``cguard config`` prints it."""
        baseline = self.baseline_file(cwd)
        out: dict[str, Any] = {
            "select": list(self.select), "ignore": list(self.ignore), "packs": list(self.packs),
            "severity": dict(self.severity), "allow": list(self.allow), "include": list(self.include),
            "exclude": list(self.exclude), "fail-on": self.fail_on, "max-size": format_size(self.max_size),
        }
        out["per-file"] = [
            {k: v for k, v in (("files", list(p.files)), ("select", None if p.select is None else list(p.select)),
                               ("ignore", list(p.ignore)), ("severity", p.severity), ("allow", list(p.allow)),
                               ("fail-on", p.fail_on)) if v not in (None, [], {})}
            for p in self.per_file
        ]
        out["baseline"] = str(baseline) if baseline else None
        out["profile"] = self.profile
        out["scoring"] = {key: value for key, value, _ in self.scoring}
        return out

    def dump(self, cwd: Path | None = None) -> str:
        import yaml

        head = f"# config: {self.path}\n" if self.path else "# config: none found (defaults)\n"
        return head + f"# root: {self.root}\n" + yaml.safe_dump(
            self.to_dict(cwd), allow_unicode=True, sort_keys=False, default_flow_style=False)


# -- discovery and loading ---------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest config file in ``start`` or above it; a pyproject.toml counts only with a
    ``[tool.cguard]`` table."""
    start = start.resolve()
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\[?\s*tool\s*\.\s*cguard\b", text, re.M) is not None


def resolve(config_path: str | Path | None = None, no_config: bool = False, cwd: Path | None = None) -> Config:
    """The configuration for a run: ``--config`` if given, else the discovered file, else defaults."""
    cwd = cwd or Path.cwd()
    if no_config:
        return Config(root=cwd)
    if config_path is not None:
        path = Path(config_path)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
    else:
        path = find_config(cwd)
        if path is None:
            return Config(root=cwd)
    return load(path)


def load(path: Path) -> Config:
    from compliance_guard.load.toml import TomlError, load_toml

    try:
        raw = load_toml(path) if path.suffix == ".toml" else _load_yaml(path)
    except TomlError as exc:
        raise ConfigError(str(exc)) from None
    return _build(path, raw)


def _load_yaml(path: Path) -> dict:
    from compliance_guard.load import yamlpos

    try:
        text = yamlpos.read_text(path)
        data = yamlpos.loads(text, str(path)) if text.strip() else {}
    except yamlpos.YamlError as exc:
        raise ConfigError(str(exc)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:{getattr(data, 'line', 1)}: the config must be a mapping of keys (select, ignore, ...)")
    return data


# -- validation ------------------------------------------------------------------------------


def _build(path: Path, raw: dict) -> Config:
    from compliance_guard.load.yamlpos import line_of

    cfg = Config(path=path, root=path.parent.resolve())
    where: dict[str, str] = {}
    get: dict[str, Any] = {}
    for key in raw:
        norm = str(key).replace("_", "-")
        at = f"{path}:{line_of(raw, key)}"
        if norm not in KEYS:
            raise ConfigError(f"{at}: unknown key {key!r} (known: {', '.join(KEYS)})")
        get[norm], where[norm] = raw[key], at
    kw: dict[str, Any] = {}
    for key in ("select", "ignore", "allow", "include", "exclude"):
        if key in get:
            kw[key] = _strings(get[key], where[key], key, split=key in ("select", "ignore"))
    if "packs" in get:
        kw["packs"] = tuple(str(_relative_to(cfg.root, p)) for p in _strings(get["packs"], where["packs"], "packs"))
        for p in kw["packs"]:
            if not Path(p).exists():
                raise ConfigError(f"{where['packs']}: packs: {p} does not exist")
    if "severity" in get:
        kw["severity"] = _severities(get["severity"], path, where["severity"], "severity")
    if "fail-on" in get:
        kw["fail_on"] = _choice(get["fail-on"], where["fail-on"], "fail-on", FAIL_ON)
    if "max-size" in get:
        try:
            kw["max_size"] = parse_size(get["max-size"])
        except ValueError as exc:
            raise ConfigError(f"{where['max-size']}: max-size: {exc}") from None
    if "baseline" in get:
        value = get["baseline"]
        if value is False:
            kw["baseline_off"] = True
        elif isinstance(value, str) and value.strip():
            kw["baseline"] = _relative_to(cfg.root, value)
        else:
            raise ConfigError(f"{where['baseline']}: baseline must be a file path or false")
    if "per-file" in get:
        kw["per_file"] = _per_file(get["per-file"], path, where["per-file"])
    if "profile" in get:
        kw["profile"] = _profile(get["profile"], cfg.root, where["profile"])
    if "scoring" in get:
        kw["scoring"] = _scoring(get["scoring"], path, where["scoring"])
    return replace(cfg, where=where, **kw)


def _profile(value, root: Path, at: str) -> str:
    """A built-in profile name, or a profile file relative to the config's directory."""
    from compliance_guard.load.profiles import builtin_profiles

    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{at}: profile must be a profile name or a YAML path, not {_kind(value)}")
    if value.endswith((".yaml", ".yml")) or "/" in value or "\\" in value:
        p = _relative_to(root, value)
        if not p.is_file():
            raise ConfigError(f"{at}: profile: {p} does not exist")
        return str(p)
    if value not in builtin_profiles():
        raise ConfigError(f"{at}: profile: no built-in profile {value!r} "
                          f"(built-in: {', '.join(builtin_profiles())}; or give a YAML path)")
    return value


def _scoring(value, path: Path, at: str) -> tuple[tuple[str, Any, str], ...]:
    """``scoring:`` overrides single profile values, as ``script.hook_seconds: 5`` or nested
    ``script: {hook_seconds: 5}``, checked here so that every command reports a bad one."""
    from compliance_guard.load.profiles import SCHEMA
    from compliance_guard.load.yamlpos import line_of, plain

    if not isinstance(value, dict):
        raise ConfigError(f"{at}: scoring must map profile keys (e.g. script.hook_seconds) to values, not {_kind(value)}")
    out = []
    for key, v in value.items():
        key_at = f"{path}:{line_of(value, key) or at.rsplit(':', 1)[-1]}"
        pairs = [(f"{key}.{k}", x, f"{path}:{line_of(v, k) or key_at.rsplit(':', 1)[-1]}") for k, x in v.items()] \
            if key in SCHEMA and isinstance(v, dict) else [(str(key), v, key_at)]
        for dotted, x, origin in pairs:
            section, _, name = dotted.partition(".")
            if name not in SCHEMA.get(section, {}):
                known = ", ".join(SCHEMA) if section not in SCHEMA else ", ".join(f"{section}.{k}" for k in SCHEMA[section])
                raise ConfigError(f"{origin}: scoring: unknown profile key {dotted!r} (known: {known})")
            try:
                SCHEMA[section][name](plain(x))
            except ValueError as exc:
                raise ConfigError(f"{origin}: scoring: {dotted}: {exc}, got {x!r}") from None
            out.append((dotted, plain(x), f"{origin}: scoring"))
    return tuple(out)


def _per_file(value, path: Path, at: str) -> tuple[PerFile, ...]:
    from compliance_guard.load.yamlpos import line_of

    if not isinstance(value, list):
        raise ConfigError(f"{at}: per-file must be a list of entries with `files:`")
    entries = []
    for i, item in enumerate(value):
        item_at = f"{path}:{line_of(value, i)}"
        if not isinstance(item, dict):
            raise ConfigError(f"{item_at}: per-file entry must be a mapping with `files:`")
        where: dict[str, str] = {}
        kw: dict[str, Any] = {}
        for key, v in item.items():
            norm = str(key).replace("_", "-")
            key_at = f"{path}:{line_of(item, key)}"
            if norm not in PER_FILE_KEYS:
                raise ConfigError(f"{key_at}: unknown key {key!r} in per-file (known: {', '.join(PER_FILE_KEYS)})")
            where[norm] = key_at
            if norm == "files":
                kw["files"] = _strings(v, key_at, "per-file files")
            elif norm in ("select", "ignore", "allow"):
                kw[norm] = _strings(v, key_at, f"per-file {norm}", split=norm != "allow")
            elif norm == "severity":
                kw["severity"] = _severities(v, path, key_at, "per-file severity")
            else:
                kw["fail_on"] = _choice(v, key_at, "per-file fail-on", FAIL_ON)
        if not kw.get("files"):
            raise ConfigError(f"{item_at}: per-file entry needs `files:` (a glob or a list of globs)")
        entries.append(PerFile(where=where, **kw))
    return tuple(entries)


def _strings(value, at: str, key: str, split: bool = False) -> tuple[str, ...]:
    from compliance_guard.load.yamlpos import line_of

    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{at}: {key} must be a string or a list of strings, not {_kind(value)}")
    for i, v in enumerate(value):
        if not isinstance(v, str):
            item_at = f"{at.rsplit(':', 1)[0]}:{line_of(value, i)}" if line_of(value, i) else at
            shown = "" if v is None else f" ({v!r})"
            raise ConfigError(f"{item_at}: {key}: item {i + 1}{shown} is {_kind(v)}, expected a string"
                              + (" (quote it)" if isinstance(v, (bool, int, float)) else ""))
    if split:
        value = [p.strip() for v in value for p in v.split(",")]
    return tuple(v.strip() for v in value if v.strip())


def _severities(value, path: Path, at: str, key: str) -> dict[str, str]:
    from compliance_guard.load.yamlpos import line_of

    if not isinstance(value, dict):
        raise ConfigError(f"{at}: {key} must map rule ids to error, warning or info, not {_kind(value)}")
    out = {}
    for k, v in value.items():
        k_line = line_of(value, k)
        out[str(k)] = _choice(v, f"{path}:{k_line}" if k_line else at, f"{key} {k}", SEVERITIES)
    return out


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", re.I)


def parse_size(value) -> int:
    """Bytes from ``20M``, ``500k``, ``1.5 GiB`` or a plain number of bytes (K, M, G count 1024s)."""
    m = _SIZE.fullmatch(str(value)) if not isinstance(value, bool) else None
    if m is None:
        raise ValueError(f"expected a size such as 20M, 500K or a number of bytes, not {value!r}")
    size = int(float(m.group(1)) * 1024 ** " kmg".index(m.group(2).lower() or " "))
    if size < 1:
        raise ValueError(f"expected a size of at least 1 byte, not {value!r}")
    return size


def _choice(value, at: str, key: str, choices) -> str:
    if not isinstance(value, str) or value.lower() not in choices:
        raise ConfigError(f"{at}: {key} must be one of {', '.join(choices)}, not {value!r}")
    return value.lower()


def _kind(value) -> str:
    for kind, name in ((bool, "a boolean"), (dict, "a mapping"), (list, "a list"), ((int, float), "a number")):
        if isinstance(value, kind):
            return name
    return "empty" if value is None else type(value).__name__


def _relative_to(root: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else root / p


# -- globs -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _gitignore(pattern: str) -> pathspec.GitIgnoreSpec:
    import pathspec  # only a config with include, exclude or per-file globs needs it

    return pathspec.GitIgnoreSpec.from_lines([pattern.strip().removeprefix("./")])


def glob_match(pattern: str, rel: str) -> bool:
    """gitignore globs (pathspec) over a POSIX path relative to the root: ``*`` within one
    part, ``**`` across parts, a pattern without ``/`` matches a name at any depth, and a
    pattern that names a directory covers everything under it."""
    return _gitignore(pattern).match_file(rel)
