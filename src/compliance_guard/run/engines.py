"""Building the engines of a run: the packs (built-in and the user's, whose examples are
verified), the selection, severities and allow-list of the config, and a variant per
``per-file`` setting. Whoever needs an engine builds one here and passes it down; an engine
built before from the same packs and options comes from the cache (``engine.cache``)."""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from compliance_guard.engine import Engine, cache

if TYPE_CHECKING:
    from compliance_guard.load.config import Config, FileSettings


def build_engine(packs=(), select=(), ignore=(), severity=None, allow_terms=(), verify_extra=True,
                 config: Config | None = None) -> Engine:
    """An engine over the built-in packs plus ``packs``. Raises PackError (a pack, or a user
    pack's examples), ConfigError (a name in ``config`` that matches no rule, pack or category)
    or ValueError (such a name given directly)."""
    verify = bool(packs) and verify_extra
    key = cache.engine_key(packs, (tuple(map(str, packs)), verify, *_options(select, ignore, severity, allow_terms)))
    engine = cache.load(key)  # kept only once built, and its user packs' examples verified
    if engine is not None:
        if config is not None:  # its per-file names too, which the key does not hold
            config.validate_names(engine.packset.names(), {r.id for r in engine.packset.rules})
        _KEYS[engine] = key
        return engine
    from compliance_guard.engine.examples import verify_examples
    from compliance_guard.engine.packs import PackError, load_packs

    packset = load_packs(packs)
    if config is not None:
        config.validate_names(packset.names(), {r.id for r in packset.rules})
    engine = Engine(packset, select=select, ignore=ignore, severity=severity, allow_terms=allow_terms)
    if verify:
        extra = {str(p) for p in packs}
        user_rules = [r for r in packset.rules if any(r.file.startswith(e) for e in extra)]
        failures = verify_examples(packset, user_rules)
        if failures:
            raise PackError(failures[0])
    cache.store(key, engine)
    if key is not None:
        _KEYS[engine] = key
    return engine


#: the cache key of each engine build_engine made, for the per-file variants of its packs
_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _options(select, ignore, severity, allow_terms) -> tuple:
    return tuple(select), tuple(ignore), tuple(sorted((severity or {}).items())), tuple(allow_terms)


def config_engine(config: Config) -> Engine:
    """The engine for a merged config (its packs, selection, severities and allow-list)."""
    return build_engine(config.packs, config.select, config.ignore, config.severity, config.allow, config=config)


class EngineSet:
    """The run's engine plus variants for files whose per-file config differs (built once each)."""

    def __init__(self, engine: Engine, config: Config | None = None):
        self.engine = engine
        self.config = config
        self._base = config.base_settings() if config else None
        self._variants: dict = {}

    def for_path(self, path: str) -> tuple[Engine, str | None]:
        if self.config is None or not self.config.per_file:
            return self.engine, None
        settings = self.config.settings_for(path)
        if settings == self._base:
            return self.engine, None
        return self._variant(settings), settings.fail_on

    def _variant(self, s: FileSettings) -> Engine:
        if s not in self._variants:
            base = _KEYS.get(self.engine)  # None for an engine not made by build_engine: nothing kept
            key = base and cache.derived_key(base, _options(s.select, s.ignore, dict(s.severity), s.allow))
            engine = cache.load(key)
            if engine is None:
                engine = Engine(self.engine.packset, select=s.select, ignore=s.ignore,
                                severity=dict(s.severity), allow_terms=s.allow)
                cache.store(key, engine)
            self._variants[s] = engine
        return self._variants[s]
