"""The options the commands share, each declared once, and turning them into a config and an
engine: usage, config and pack problems become one-line exit-2 errors (``UsageFailure``)."""
from __future__ import annotations

import click

from compliance_guard.load.config import FAIL_ON, SEVERITIES, ConfigError, parse_size, resolve


class UsageFailure(click.ClickException):
    """A user error reported as one line with exit code 2."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"cguard: error: {self.format_message()}", err=True)


def split(values) -> list[str]:
    """Repeated, comma-separated values (``--select a,b --select c``) as one list."""
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def stack(*options):
    """One decorator applying ``options`` in the order they are listed (as --help shows them)."""
    def deco(fn):
        for option in reversed(options):
            fn = option(fn)
        return fn

    return deco


PACK = click.option("--pack", "packs", multiple=True, type=click.Path(), help="Extra rule pack file or directory.")
SELECT = click.option("--select", multiple=True,
                      help="Only these rule ids, pack names or categories (comma-separated; replaces the config's).")
IGNORE = click.option("--ignore", multiple=True,
                      help="Skip these rule ids, pack names or categories (comma-separated; added to the config's).")
RULES = stack(SELECT, IGNORE, PACK)
CONFIG_FILE = stack(
    click.option("--config", "config_path", type=click.Path(dir_okay=False),
                 help="Config file (default: .cguard.yaml, cguard.yaml or [tool.cguard] in pyproject.toml, "
                      "searched upward from the working directory)."),
    click.option("--no-config", is_flag=True, help="Ignore any config file."),
)


def fail_on_option(default: str | None = None):
    return click.option("--fail-on", type=click.Choice(FAIL_ON), default=default, show_default=default is not None,
                        help="Lowest severity that makes the exit code 1"
                             + (" [default: the config's, else error]." if default is None else "."))


#: The configuration keys as flags, shared by check, fix and config.
CONFIG_KEYS = stack(
    SELECT, IGNORE, PACK,
    click.option("--severity", "severities", multiple=True, metavar="RULE=LEVEL",
                 help="Override a rule's severity, e.g. ABS001=warning (repeatable, comma-separated)."),
    click.option("--allow", "allow", multiple=True, metavar="TERM",
                 help="Allow-listed term, e.g. a brand name: findings inside it are dropped (repeatable)."),
    click.option("--include", multiple=True, metavar="GLOB",
                 help="Files to check inside directories (replaces the config's; default: by suffix)."),
    click.option("--exclude", multiple=True, metavar="GLOB",
                 help="Files never checked, even when named (added to the config's)."),
    fail_on_option(),
    click.option("--max-size", metavar="SIZE", default=None,
                 help="Largest document read, e.g. 50M or 500K; a larger one is an error for that file "
                      "[default: the config's, else 20M]."),
    CONFIG_FILE,
)
BASELINE = stack(
    click.option("--baseline", type=click.Path(dir_okay=False),
                 help="Only findings missing from this baseline count "
                      "[default: .cguard-baseline.json beside the config or here]."),
    click.option("--no-baseline", is_flag=True, help="Ignore any baseline."),
)


def load_config(config_path=None, no_config=False, select=(), ignore=(), packs=(), severities=(), allow=(),
                include=(), exclude=(), fail_on=None, baseline=None, no_baseline=False, max_size=None):
    """The config file merged with the flags; problems become exit-2 one-liners."""
    if max_size is not None:
        try:
            max_size = parse_size(max_size)
        except ValueError as exc:
            raise UsageFailure(f"--max-size: {exc}") from None
    severity = {}
    for item in split(severities):
        rule, sep, level = item.partition("=")
        if not sep or level.strip().lower() not in SEVERITIES:
            raise UsageFailure(f"--severity: expected RULE=error|warning|info, got {item!r}")
        severity[rule.strip()] = level.strip().lower()
    try:
        return resolve(config_path, no_config).merged(
            select=split(select), ignore=split(ignore), packs=packs, severity=severity, allow=allow,
            include=include, exclude=exclude, fail_on=fail_on, baseline=baseline, no_baseline=no_baseline,
            max_size=max_size)
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from None


def engine_for(config=None, packs=(), verify_extra=True, **selection):
    """The engine of a merged ``config`` (or of ``packs`` and a selection); pack errors and names
    that match no rule, pack or category are exit-2 one-liners."""
    from compliance_guard.engine.source import PackError
    from compliance_guard.run.engines import build_engine, config_engine

    try:
        if config is not None:
            return config_engine(config)
        return build_engine(packs, verify_extra=verify_extra, **selection)
    except (PackError, ConfigError, ValueError) as exc:
        raise UsageFailure(str(exc)) from None
