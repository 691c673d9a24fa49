"""``cguard``: thin click commands over the library. Exit codes: 0 clean, 1 findings at or
above ``--fail-on`` (or an unreadable input), 2 usage / configuration / rule-pack error.

The options several commands share are declared once (app.options); the score, mix and
campaign commands are made from the declared scorers (scoring.SCORERS), the ``--format``
choices of check from the formatters (report.FORMATTERS). A command imports what it runs when
it runs: ``cguard check`` of one file imports neither scorers nor catalogue scans, and of the
formats only the one it writes."""
from __future__ import annotations

import gc
import sys

import click

from compliance_guard import __version__
from compliance_guard.app import options
from compliance_guard.app.options import UsageFailure, engine_for, load_config, split
from compliance_guard.load.config import FAIL_ON
from compliance_guard.report import FORMATTERS
from compliance_guard.scoring import SCORERS, scorer


class _Commands(click.Group):
    """The scorer commands are made when one is run or --help lists them."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *SCORERS})

    def get_command(self, ctx, name):
        if name in SCORERS and name not in self.commands:
            self.add_command(_scorer_command(scorer(name)))
        return super().get_command(ctx, name)

    def __call__(self, *args, **kwargs):
        """The console script (CliRunner calls ``main``): what a run made lives until it exits, so
        it leaves the garbage collector's care on the way out, or the collection at exit would
        visit every object of the engine (~10 ms of a one-file check)."""
        try:
            return super().__call__(*args, **kwargs)
        finally:
            gc.freeze()


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cguard")
def main():
    """compliance-guard: check Chinese e-commerce marketing copy against the Advertising Law,
    WeChat platform rules and pricing rules."""


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", default="auto", show_default=True,
              help=f"Output format: auto (github inside GitHub Actions, else text), {', '.join(FORMATTERS)}.")
@options.CONFIG_KEYS
@options.BASELINE
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record today's findings in this file and exit 0.")
@click.option("--report-unused-suppressions", is_flag=True, help="Warn about cguard: disable directives that suppress nothing.")
@click.option("--diff", "diff_rev", is_flag=False, flag_value="HEAD", default=None, metavar="[REV]",
              help="Only findings on lines changed since REV (default HEAD), in files of `git diff`.")
@click.option("--stdin-name", default="-", help="Path to report for text read from stdin.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: on a TTY).")
@click.option("--quiet", "-q", is_flag=True, help="No summary or notes on stderr (findings and errors still shown).")
def check(paths, fmt, config_path, no_config, select, ignore, packs, severities, allow, include, exclude, fail_on,
          max_size, baseline, no_baseline, write_baseline, report_unused_suppressions, diff_rev, stdin_name, color,
          quiet):
    """Check scripts and posts (.txt, .md, .srt, .docx; directories recurse; - reads stdin)."""
    from compliance_guard.report import formatter, pick
    from compliance_guard.run import baseline as baselines
    from compliance_guard.run.files import check_paths, exit_status

    fmt = pick(fmt)
    if fmt not in FORMATTERS:
        raise UsageFailure(f"unknown format {fmt!r} (choose from auto, {', '.join(sorted(FORMATTERS))})")
    config = load_config(config_path, no_config, select, ignore, packs, severities, allow, include, exclude,
                         fail_on, baseline, no_baseline, max_size)
    engine = engine_for(config)
    changed = None
    if diff_rev is not None:
        from compliance_guard.run import gitdiff

        try:
            changed, paths = gitdiff.changed_files(diff_rev, paths)
        except gitdiff.GitError as exc:
            raise UsageFailure(str(exc)) from None
    elif not paths:
        raise click.UsageError("Missing argument 'PATHS...'.")
    matched: set[str] = set()
    results = check_paths(engine, paths, stdin_name=stdin_name, config=config,
                          report_unused=report_unused_suppressions, matched=matched)
    _nothing_selected(paths, config, results, matched, quiet, changed is not None)
    if changed is not None:
        gitdiff.restrict(results, changed)
    if fmt != "text":  # text output shows them with their file
        for r in results:
            for message in r.warnings:
                click.echo(f"cguard: warning: {r.path}: {message}", err=True)
    try:
        if write_baseline:
            n = baselines.write(write_baseline, results)
            click.echo(f"cguard: wrote {n} finding(s) to {write_baseline}", err=True)
            sys.exit(1 if any(r.error or r.warnings for r in results) else 0)
        note = baselines.apply(results, config)
        if note:
            click.echo(f"cguard: {note}", err=True)
    except baselines.BaselineError as exc:
        raise UsageFailure(str(exc)) from None
    formatter(fmt)(results, sys.stdout, color=sys.stdout.isatty() if color is None else color, rules=engine.rules)
    clean = results and not any(r.findings or r.error or r.warnings for r in results)
    if clean and fmt == "text" and not quiet:  # a clean run says so, as ruff's "All checks passed!"
        click.echo(f"cguard: {len(results)} file{'s' if len(results) != 1 else ''} checked, no findings", err=True)
    sys.exit(exit_status(results, config.fail_on))


def _nothing_selected(paths, config, results, matched: set[str], quiet: bool, diff: bool) -> None:
    """Say so when the paths gave no file to check, or an ``include`` glob chose nothing.

    As ESLint does for a pattern that matches no file, a run in which the config's include
    globs chose nothing from the directories given, and so checked nothing, is a configuration
    error (exit 2): a stale or mistyped glob must not pass as a clean run. An include glob that
    matched nothing while others did is a warning; so is a run left with nothing to check by
    the suffixes or the exclude globs (as ruff's "No Python files found"), which pre-commit
    can cause legitimately."""
    from pathlib import Path

    dirs = [p for p in paths if p != "-" and Path(p).is_dir()]
    unmatched = [g for g in config.include if g not in matched] if dirs else []
    where = ", ".join(dirs)
    if unmatched and not results:
        raise UsageFailure(f"include {', '.join(map(repr, unmatched))} matched no file under {where}, so nothing "
                           f"was checked; fix `include:` in {config.where.get('include', 'the config')} or --include")
    if quiet:
        return
    for glob in unmatched:
        click.echo(f"cguard: warning: include {glob!r} matched no file under {where}", err=True)
    if not results:
        click.echo("cguard: warning: no file to check" + (" changed since the revision" if diff else
                   " (by suffix .txt .md .markdown .srt .docx, --include and --exclude)"), err=True)


@main.group()
def rules():
    """List, show and test the rule packs."""


@rules.command("list")
@options.PACK
def rules_list(packs):
    """Packs and rules with their term counts."""
    from compliance_guard.engine.kinds import KINDS

    engine = engine_for(packs=packs, verify_extra=False)
    for pack in engine.packset.packs:
        terms = sum(len(r.terms) + sum(len(g) for g in r.all_of) for r in pack.rules)
        click.echo(f"{pack.name}  [{pack.category}]  {pack.title}  — {len(pack.rules)} rules, {terms} terms")
        for r in pack.rules:
            click.echo(f"  {r.id:<10} {r.severity.value:<7} {r.title or ''}  ({KINDS[r.kind].describe(r)})")


@rules.command("show")
@click.argument("rule_id")
@options.PACK
def rules_show(rule_id, packs):
    """One rule: source, terms, exemptions and examples."""
    engine = engine_for(packs=packs, verify_extra=False)
    try:
        r = engine.packset.rule(rule_id)
    except KeyError:
        raise UsageFailure(f"no rule {rule_id!r} (see `cguard rules list`)") from None
    click.echo(f"{r.id}  {r.title}\n  pack:      {r.pack} ({r.file}:{r.line})\n  category:  {r.category}"
               f"\n  severity:  {r.severity.value}\n  message:   {r.message}\n  source:    {r.source}")
    if r.terms:
        click.echo(f"  terms:     {'、'.join(r.terms)}")
    if r.all_of:
        click.echo(f"  all_of (within {r.within}):")
        for g in r.all_of:
            click.echo(f"    - {'、'.join(g)}")
    if r.pattern is not None:
        click.echo(f"  pattern:   {r.pattern.pattern}")
    if r.check:
        click.echo(f"  check:     {r.check} {r.options or ''}")
    click.echo(f"  boundary:  {r.boundary}")
    if r.allow.tokens or r.allow.patterns:
        click.echo("  exemptions:")
        for t in r.allow.tokens:
            click.echo(f"    token   {t}")
        for p in r.allow.patterns:
            click.echo(f"    pattern {p.pattern}")
    if r.needs_evidence:
        click.echo("  needs evidence (warning) when:")
        for p in r.needs_evidence.patterns:
            click.echo(f"    pattern {p.pattern}")
    if r.suggest:
        click.echo("  suggest:   " + "; ".join(f"{k} → {'/'.join(v)}" for k, v in r.suggest.items()))
    for kind in ("bad", "good"):
        for ex in r.examples.get(kind, []):
            click.echo(f"  {kind:<4}  {ex}")


@rules.command("test")
@options.PACK
def rules_test(packs):
    """Run every rule's examples; exit 1 on any failure."""
    from compliance_guard.engine.examples import verify_examples

    engine = engine_for(packs=packs, verify_extra=False)
    failures = verify_examples(engine.packset)
    for line in failures:
        click.echo(line)
    total = sum(len(r.examples.get("bad", [])) + len(r.examples.get("good", [])) for r in engine.packset.rules)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


PROFILE = click.option("--profile", default=None,
                       help="Scoring profile: built-in name (default, content-pyramid) or a YAML path "
                            "[default: the config's `profile:`, else default].")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default serves this computer only.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@options.RULES
@PROFILE
@options.CONFIG_FILE
def serve(host, port, select, ignore, packs, profile, config_path, no_config):
    """Local web page: paste a script or open a .docx, see findings highlighted as you type.
    The project config (rules, allow-list, scoring profile) applies as in check and score."""
    try:
        from compliance_guard.app.server import serve as run_server
    except ImportError as exc:
        raise UsageFailure(f"cguard serve needs {exc.name}: pip install 'compliance-guard[serve]'") from None

    config, prof = _scoring_setup(config_path, no_config, profile, (), select, ignore, packs)
    try:
        run_server(engine_for(config), host, port, profile=prof, echo=click.echo)
    except OSError as exc:
        raise UsageFailure(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@main.command()
@options.RULES
@options.CONFIG_FILE
def lsp(select, ignore, packs, config_path, no_config):
    """Language server on stdio: diagnostics and quick fixes for plain text and Markdown. The
    config found from the editor's working directory applies (excludes and per-file too)."""
    try:
        from compliance_guard.app.lsp import create_server
    except ImportError as exc:
        raise UsageFailure(f"cguard lsp needs {exc.name}: pip install 'compliance-guard[lsp]'") from None
    config = load_config(config_path, no_config, select, ignore, packs)
    create_server(engine_for(config), config).start_io()


# -- scorers: one command each, made from its declaration ------------------------------------------

def _scoring_setup(config_path, no_config, profile, sets, select=(), ignore=(), packs=(), fail_on=None):
    """The config (its rules, allow-list and severities apply to the copy) and the profile:
    ``--profile`` over the config's ``profile:``, then its ``scoring:`` values, then ``--set``."""
    from compliance_guard.load.profiles import ProfileError
    from compliance_guard.scoring.model import scoring_profile

    config = load_config(config_path, no_config, select, ignore, packs, fail_on=fail_on)
    try:
        return config, scoring_profile(profile or config.profile or "default", sets, config.scoring)
    except ProfileError as exc:
        raise UsageFailure(str(exc)) from None


_RULE_OPTIONS = {
    "fail_on": click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
                            help="Lowest finding severity that makes the exit code 1 "
                                 "[default: the config's, else error]."),
    "select": options.SELECT,
    "ignore": options.IGNORE,
    "packs": options.PACK,
}


def _scorer_command(scorer) -> click.Command:
    def run(fmt, config_path, no_config, profile, sets, min_score, fail_on=None, select=(), ignore=(), packs=(),
            **given):
        from compliance_guard.load.profiles import ProfileError
        from compliance_guard.report.scores import exit_code, write
        from compliance_guard.scoring.model import OptionError

        inputs = given.pop(scorer.inputs)
        try:
            config, prof = _scoring_setup(config_path, no_config, profile, sets, select, ignore, packs, fail_on)
            engine = engine_for(config) if scorer.rule_options else None
            reports = scorer.score(inputs, prof, engine, given)
        except (ProfileError, OptionError) as exc:
            raise UsageFailure(str(exc)) from None
        if fmt == "json":  # text output lists the problems in each report already
            for problem in (p for r in reports for p in r.problems):
                click.echo(f"cguard: warning: {problem}", err=True)
        write(reports, sys.stdout, fmt, scorer.command, prof)
        sys.exit(exit_code(reports, config.fail_on if "fail_on" in scorer.rule_options else "never", min_score))

    decorators = [
        click.argument(scorer.inputs, nargs=-1, required=True),
        *(click.option(o.flag, o.name, help=o.help, metavar=o.metavar, default=o.default,
                       show_default=o.default is not None,
                       type=click.Choice(o.choices) if o.choices else None) for o in scorer.options),
        click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True),
        options.CONFIG_FILE,
        PROFILE,
        click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                     help="Override one profile value, e.g. script.hook_seconds=5 (repeatable; over the config's "
                          "`scoring:`)."),
        click.option("--min-score", type=click.IntRange(0, 100), default=None, help="Exit 1 when a score is below this."),
        *(_RULE_OPTIONS[name] for name in scorer.rule_options),
    ]
    return click.command(scorer.command, help=scorer.help)(options.stack(*decorators)(run))


# -- catalogues, fixes, the config -------------------------------------------------------------

@main.command()
@click.argument("listings", type=click.Path())
@click.option("--out", "-o", type=click.Path(),
              help="Report: one record per listing (.jsonl, or .csv). Default: JSONL on stdout.")
@click.option("--summary", "summary_path", type=click.Path(),
              help="Write the summary here (.json for JSON, else text) instead of stderr.")
@click.option("--html", "html_path", type=click.Path(), help="Self-contained HTML report (charts, worst listings, filters).")
@click.option("--input-format", type=click.Choice(["csv", "jsonl", "xlsx", "parquet"]), help="Default: from the file suffix.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help="Map a column (its header, or #N for the N-th) to a field: id, title, subtitle, description, category, "
                   "price, original_price, lowest_price_7d, cost, promotion, sc, jy, registration, ccc, cross_border.")
@click.option("--delimiter", help="CSV delimiter (default: sniffed; \\t for tab).")
@click.option("--encoding", help="Input encoding (default: CSV UTF-8 with or without BOM, else GB18030/GBK; JSONL UTF-8).")
@click.option("--sheet", help="XLSX sheet name (default: the first).")
@click.option("-j", "--jobs", type=click.IntRange(0), default=0, help="Worker processes (default 0: all cores).")
@click.option("--resume", is_flag=True, help="Continue an interrupted scan from the records already in --out.")
@click.option("--engine", "engine_name", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="spark: run as a PySpark job (pip install 'compliance-guard[spark]').")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on stderr.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1 (rows that cannot be read always do).")
@options.RULES
def scan(listings, out, summary_path, html_path, input_format, maps, delimiter, encoding, sheet, jobs, resume,
         engine_name, quiet, fail_on, select, ignore, packs):
    """Scan a catalogue (CSV, JSONL, XLSX, Parquet): one record per listing, and a summary."""
    from compliance_guard.load.config import Config
    from compliance_guard.scan.columns import MappingError, parse_map_options
    from compliance_guard.scan.local import ScanOptions
    from compliance_guard.scan.pool import EngineOptions
    from compliance_guard.scan.progress import progress_wanted
    from compliance_guard.scan.records import ScanError
    from compliance_guard.scan.resume import check_outputs
    from compliance_guard.scan.source import ReaderError
    from compliance_guard.scan.summary import exit_status

    # pack errors and unknown --select/--ignore names: exit 2 before any row
    engine_for(Config().merged(select=split(select), ignore=split(ignore), packs=packs))

    def opened(source):
        """Before any row: which column feeds which field (unless -q), and what reads badly."""
        if not quiet and source.describe():
            click.echo(f"cguard: {source.describe()}", err=True)
        for warning in source.warnings:
            click.echo(f"cguard: warning: {warning}", err=True)

    try:
        check_outputs(listings, {"--out": out, "--html": html_path, "--summary": summary_path})
        scan_options = ScanOptions(
            path=listings, out=out, input_format=input_format, overrides=parse_map_options(maps), encoding=encoding,
            delimiter=delimiter, sheet=sheet, resume=resume, progress=progress_wanted(quiet),
            spec=EngineOptions(tuple(packs), tuple(split(select)), tuple(split(ignore))), jobs=jobs, on_open=opened)
        if engine_name == "spark":
            from compliance_guard.scan.spark import scan_with_spark

            result = scan_with_spark(scan_options)
        else:
            from compliance_guard.scan.local import scan as run_scan

            result = run_scan(scan_options)
    except (MappingError, ScanError) as exc:
        raise UsageFailure(str(exc)) from None
    except ReaderError as exc:
        click.echo(f"cguard: error: {exc}", err=True)
        sys.exit(1)
    except ImportError as exc:
        raise UsageFailure(f"cguard scan --engine spark needs {exc.name}: pip install 'compliance-guard[spark]'") from None
    summary = result.summary
    if summary_path:
        with open(summary_path, "w", encoding="utf-8") as fh:
            if summary_path.endswith(".json"):
                import json

                json.dump(summary.to_dict(), fh, ensure_ascii=False, indent=2)
                fh.write("\n")
            else:
                fh.write(summary.text())
    elif not quiet:
        click.echo(summary.text(), err=True, nl=False)
    if html_path:
        from compliance_guard.report import scan_html

        scan_html.write(summary, html_path)
    if result.interrupted:
        click.echo(f"cguard: interrupted after {summary.rows} rows; the report is complete up to there"
                   + (f" (continue with --resume --out {out})" if out else ""), err=True)
        sys.exit(130)
    sys.exit(exit_status(summary, fail_on))


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--write", is_flag=True, help="Apply the fixes to the files instead of printing a diff.")
@options.CONFIG_KEYS
def fix(paths, write, config_path, no_config, select, ignore, packs, severities, allow, include, exclude, fail_on,
        max_size):
    """Replace each finding that has exactly one literal suggestion: print a unified diff, or
    apply it with --write. Findings with several, no or advisory suggestions are listed on
    stderr for a human. Exit 1 while anything is left to do."""
    from compliance_guard.run.fix import plan_paths

    config = load_config(config_path, no_config, select, ignore, packs, severities, allow, include, exclude, fail_on,
                         max_size=max_size)
    plans = plan_paths(engine_for(config), paths, config)
    fixed = files = 0
    for plan in plans:
        if plan.error:
            click.echo(f"cguard: error: {plan.error}", err=True)
            continue
        if plan.edits:
            if write:
                plan.write()
            else:
                click.echo(plan.diff(), nl=False)
            fixed += sum(len(e.findings) for e in plan.edits)
            files += 1
        for f, why in plan.manual:
            click.echo(f"{plan.path}:{f.line}:{f.column}: {f.rule} 「{f.text}」 needs a human: {why}", err=True)
    manual = sum(len(p.manual) for p in plans)
    verb = "fixed" if write else "fixable"
    click.echo(f"cguard: {fixed} finding(s) {verb} in {files} file(s); {manual} left for a human", err=True)
    pending = manual or any(p.error for p in plans) or (fixed and not write)
    sys.exit(1 if pending else 0)


@main.command("config")
@options.CONFIG_KEYS
@click.option("--baseline", type=click.Path(dir_okay=False), help="Baseline file to report.")
@click.option("--no-baseline", is_flag=True, help="Ignore any baseline.")
def show_config(config_path, no_config, select, ignore, packs, severities, allow, include, exclude, fail_on,
                max_size, baseline, no_baseline):
    """Print the configuration in force here (file + flags, merged) as YAML."""
    config = load_config(config_path, no_config, select, ignore, packs, severities, allow, include, exclude,
                         fail_on, baseline, no_baseline, max_size)
    engine_for(config)  # the same validation a check would do
    click.echo(config.dump(), nl=False)
