"""`tradeguard check`: the lint entry point (also the `tradeguard-check` pre-commit hook).

Options and output follow ruff's, which most users know: findings, then a summary line
(`All checks passed!` / `Found N findings (M fixable).`), colours on a terminal unless
``NO_COLOR`` is set, `--statistics`, `--quiet`, `--show-source`, `--config`,
`--extend-exclude` and `--stdin-filename` (source on stdin with `-`).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hooks.python_secrets import secret_findings_in_files
from lint_rules.baseline import Baseline, BaselineError, load_baseline, write_baseline
from lint_rules.config import Config, ConfigError, code_problem, load_config, parse_config, with_overrides
from lint_rules.findings import Finding
from lint_rules.fixer import FixMode, FixReport, unified_diff
from lint_rules.output import BOLD, FORMATS, GREEN, RenderContext, paint, render
from lint_rules.runner import CheckResult, check_paths, display_path
from tradeguard.cli._pages import rule_pages

HELP = "check Python files for order-routing, result-shape and LIVE-safety problems"

STDIN = "-"
CONFIGURED = "the configured baseline"   # --write-baseline without FILE


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    for code in codes:
        problem = code_problem(code)
        if problem:
            raise argparse.ArgumentTypeError(problem)
    return codes


def _globs(value: str) -> tuple[str, ...]:
    return tuple(glob.strip() for glob in value.split(",") if glob.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeguard check",
        description="Check Python files for orders sent around the gateway and other trading-safety problems.",
        epilog="Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.",
    )
    add = parser.add_argument
    add("paths", nargs="*", type=Path, default=[Path(".")], help="files or folders (default: .); `-` reads the source from stdin")
    add("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add("--output", type=Path, help="write the report to this file instead of standard output")
    add("--select", type=_codes, action="extend", help="comma-separated codes or prefixes to enable (replaces `select`)")
    add("--ignore", type=_codes, action="extend", help="comma-separated codes or prefixes to disable (adds to `ignore`)")
    add("--extend-exclude", type=_globs, default=(), metavar="GLOBS", help="comma-separated globs to exclude besides `exclude`")
    add("--config", type=Path, metavar="FILE", help="use this pyproject.toml's [tool.tradeguard] for every path")
    add("--stdin-filename", metavar="NAME", help="with `-`: the path the source on stdin has in the project")
    add("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    add("--no-cache", action="store_true", help="neither read nor write .tradeguard_cache/")
    add("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    add("--diff", action="store_true", help="print the fixes as unified diffs and change nothing (exit 1 if there are any)")
    add("--unsafe-fixes", action="store_true", help="with --fix or --diff: also the fixes that change behaviour")
    add("--statistics", action="store_true", help="count the findings by code instead of listing them")
    add("--show-source", action="store_true", help="show the reported source line under each finding")
    add("-q", "--quiet", action="store_true", help="print the findings and nothing else (no summary, no notes)")
    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", type=Path, metavar="FILE",
                          help="report only findings this baseline does not record (default: `baseline` in [tool.tradeguard])")
    baseline.add_argument("--write-baseline", nargs="?", const=CONFIGURED, metavar="FILE",
                          help="record today's findings in FILE (default: the configured `baseline`) and exit 0")
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.stdin = [str(path) for path in args.paths] == [STDIN]
    args.select, args.ignore = (tuple(codes) if codes else None for codes in (args.select, args.ignore))
    if args.unsafe_fixes and not (args.fix or args.diff):
        parser.error("--unsafe-fixes goes with --fix or --diff")
    if args.diff and (args.format != "text" or args.write_baseline):
        parser.error("--diff prints unified diffs: it takes neither --format nor --write-baseline")
    if STDIN in map(str, args.paths) and not args.stdin:
        parser.error("`-` (the source on stdin) cannot be combined with other paths")
    if args.stdin_filename and not args.stdin:
        parser.error("--stdin-filename names the source read from stdin: pass `-` as the path")
    if args.stdin and (args.fix or args.diff or args.write_baseline):
        parser.error("the source on stdin is only checked: --fix, --diff and --write-baseline need files")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    thresholds = gc.get_threshold()
    _collect_seldom()
    try:
        override = parse_config(args.config) if args.config else None
        if args.stdin:
            return _check_stdin(args, override)
        return _check_files(args, override)
    except BaselineError as error:
        print(f"tradeguard: error: {error}", file=sys.stderr)
    except ConfigError as error:
        print(f"tradeguard: config error: {error}", file=sys.stderr)
    finally:
        gc.set_threshold(*thresholds)
    return 2


def _collect_seldom() -> None:
    """A run keeps what it allocates to its end (the index, the caches, each syntax tree), and
    the cyclic garbage collector, with its default thresholds, walks all of it again and again,
    and again at exit, for cycles that are rare here: 0.1 s and 0.1 s of a one-file run on a
    93 KiB file. So collect seldom (as mypy does), and not at exit, where the memory goes anyway."""
    gc.set_threshold(100_000, 50, 50)
    atexit.register(gc.freeze)


def _check_files(args: argparse.Namespace, override: Config | None) -> int:
    fix = FixMode(unsafe=args.unsafe_fixes, write=not args.diff) if args.fix or args.diff else None
    result = check_paths(
        args.paths, select=args.select, ignore=args.ignore, extend_exclude=args.extend_exclude,
        config_override=override, use_cache=not args.no_cache, fix=fix,
    )
    baselines = _Baselines.of(args, result)
    for path in result.missing_paths:
        print(f"tradeguard: error: {path}: no such file or folder", file=sys.stderr)
    for note in result.notes:  # paths skipped, caches not used
        print(f"tradeguard: {note}", file=sys.stderr)
    failed = 2 if result.missing_paths else None
    notes = _fix_notes(result.fixes, args.diff, args.quiet) if fix else []
    if args.diff:
        diffs = "".join(unified_diff(display_path(f.path), f.before, f.after) for f in result.fixes.files)
        _print_notes(notes)
        if not _emit(diffs, args.output):
            return 2
        return failed or int(bool(diffs) and not args.exit_zero)
    findings = sorted([*result.findings, *secret_findings_in_files(result.checked, not args.no_cache)], key=Finding.sort_key)
    if args.write_baseline:
        return failed or baselines.write(findings, args.quiet)
    shown = baselines.new_findings(findings)
    if not result.files_checked and not result.missing_paths and not args.quiet:
        paths = ", ".join(str(path) for path in args.paths)
        print(f"tradeguard: warning: no Python files found in {paths}: nothing was checked", file=sys.stderr)
        return 0
    outcome = _Outcome(shown, hidden=len(findings) - len(shown), notes=notes, fixing=fix is not None)
    if not _emit(_report(outcome, args, _read_lines), args.output):
        return 2
    return failed or int(bool(shown) and not args.exit_zero)


def _check_stdin(args: argparse.Namespace, override: Config | None) -> int:
    from hooks.flake8_plugin import findings_for  # what `check` reports for a text placed in the project

    name = args.stdin_filename or STDIN
    text = sys.stdin.read()
    config = with_overrides(override or load_config(Path(name).absolute()), args.select, args.ignore, args.extend_exclude)
    shown_as = Path(name).as_posix()
    findings = [_placed(finding, shown_as) for finding in findings_for(name, text, config)]
    lines = text.splitlines()
    if not _emit(_report(_Outcome(findings), args, lambda path: lines), args.output):
        return 2
    return int(bool(findings) and not args.exit_zero)


def _placed(finding: Finding, path: str) -> Finding:
    return replace(finding, path=path)


@dataclass
class _Outcome:
    findings: list[Finding]
    hidden: int = 0            # findings the baseline records, not shown
    notes: Sequence[str] = ()  # what a fix run says besides the findings
    fixing: bool = False       # a fix run: its notes say what was fixed and what was held back


def _report(outcome: _Outcome, args: argparse.Namespace, read_lines: Callable[[str], Sequence[str]]) -> str:
    """The whole report: the findings (or their statistics) in the format asked for, and in
    text the summary line and notes, coloured on a terminal."""
    colour = args.output is None and args.format == "text" and _wants_colour()
    if args.statistics:
        report = _statistics(outcome.findings, args.format)
    else:
        context = RenderContext(pages=rule_pages() if args.format == "sarif" else (), colour=colour,
                                source=read_lines if args.show_source else None)
        report = render(outcome.findings, args.format, context)
    if args.format != "text" or args.quiet:
        _print_notes(outcome.notes)
        return report
    return report + "".join(f"{line}\n" for line in (*_summary(outcome, colour), *outcome.notes))


def _summary(outcome: _Outcome, colour: bool) -> list[str]:
    findings = outcome.findings
    if not findings:
        lines = [paint("All checks passed!", BOLD, GREEN, colour=colour)]
    else:
        fixes = Counter(finding.fix for finding in findings if finding.fix)
        lines = [paint(f"Found {_count(len(findings), 'finding')} ({sum(fixes.values())} fixable).", BOLD, colour=colour)]
        hint = [f"{fixes['safe']} with --fix"] if fixes["safe"] else []
        hint += [f"{fixes['unsafe']} {'more ' if hint else ''}with --fix --unsafe-fixes"] if fixes["unsafe"] else []
        if hint and not outcome.fixing:
            lines.append(f"[*] fixable: {', '.join(hint)} (review first with --diff).")
    if outcome.hidden:
        lines.append(f"{_count(outcome.hidden, 'finding')} recorded in the baseline not shown.")
    return lines


def _statistics(findings: Sequence[Finding], fmt: str) -> str:
    """Findings counted by code, most frequent first (`[*]` marks codes with fixes), as ruff's."""
    import json

    names = {page.code: page.name for page in rule_pages()}
    counts = Counter(finding.code for finding in findings)
    fixable = {finding.code for finding in findings if finding.fix}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        table = [{"code": code, "name": names.get(code), "count": count, "fixable": code in fixable} for code, count in rows]
        return json.dumps(table, indent=2) + "\n"
    width = len(str(max(counts.values(), default=0)))
    return "".join(
        f"{count:>{width}}  {code}  {'[*] ' if code in fixable else ''}{names.get(code, '')}".rstrip() + "\n"
        for code, count in rows
    )


def _wants_colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


class _Baselines:
    """The baseline governing each finding: ``--baseline`` for all of them, else each
    configuration's own `baseline` for the files it governs."""

    def __init__(
        self, files: list[tuple[Path, set[str] | None]], *, explicit_write: Path | None = None,
        configured: bool = False, quiet: bool = False,
    ) -> None:
        self.files = files          # (baseline file, the display paths it governs; None: all)
        self.explicit_write = explicit_write
        self.configured = configured
        self.quiet = quiet

    @classmethod
    def of(cls, args: argparse.Namespace, result: CheckResult) -> _Baselines:
        if args.baseline:
            return cls([(args.baseline, None)], quiet=args.quiet)
        if args.write_baseline and args.write_baseline != CONFIGURED:
            return cls([], explicit_write=Path(args.write_baseline), quiet=args.quiet)
        governed = [
            (config.baseline_path, {display_path(path) for path in files})
            for config, files in result.checked if config.baseline
        ]
        if args.write_baseline == CONFIGURED and not governed:
            raise ConfigError("--write-baseline without FILE writes the `baseline` of [tool.tradeguard], and none is set")
        return cls(governed, configured=True, quiet=args.quiet)

    def _governed(self, findings: Sequence[Finding], paths: set[str] | None) -> list[Finding]:
        return [finding for finding in findings if paths is None or finding.path in paths]

    def new_findings(self, findings: list[Finding]) -> list[Finding]:
        kept = list(findings)
        for file, paths in self.files:
            baseline = self._load(file)
            governed = self._governed(findings, paths)
            known = set(governed) - set(baseline.new_findings(governed))
            kept = [finding for finding in kept if finding not in known]
        return kept

    def _load(self, file: Path) -> Baseline:
        if self.configured and not file.exists():  # named before it is written: it hides nothing yet
            if not self.quiet:
                print(f"tradeguard: note: the baseline {display_path(file)} named by [tool.tradeguard] does not exist yet, "
                      "so every finding is reported (write it with `tradeguard check --write-baseline`)", file=sys.stderr)
            return Baseline(file.parent, frozenset())
        return load_baseline(file)

    def write(self, findings: list[Finding], quiet: bool) -> int:
        targets = [(self.explicit_write, None)] if self.explicit_write else self.files
        for file, paths in targets:
            recorded = self._governed(findings, paths)
            try:
                write_baseline(file, recorded)
            except OSError as error:
                print(f"tradeguard: error: cannot write {file}: {error.strerror}", file=sys.stderr)
                return 2
            if not quiet:
                print(f"tradeguard: recorded {_count(len(recorded), 'finding')} in {display_path(file)}", file=sys.stderr)
        return 0


def _emit(report: str, output: Path | None) -> bool:
    if output is None:
        sys.stdout.write(report)
        return True
    try:
        output.write_text(report, encoding="utf-8")
    except OSError as error:
        print(f"tradeguard: error: cannot write {output}: {error.strerror}", file=sys.stderr)
        return False
    return True


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(note, file=sys.stderr)


def _fix_notes(fixes: FixReport, diff: bool, quiet: bool) -> list[str]:
    """What a fix run says besides the findings. Each fixed file and each file a fix had to
    leave alone is named on stderr at once (the pre-commit fix hook reads the former)."""
    for path, problem in fixes.problems:
        print(f"tradeguard: {display_path(path)}: {problem}", file=sys.stderr)
    if quiet:
        return []
    notes = []
    if not diff:
        for fixed in fixes.files:
            print(f"tradeguard: fixed {display_path(fixed.path)} ({_count(fixed.fixes, 'finding')})", file=sys.stderr)
        if fixes.files:
            notes.append(f"Fixed {_count(fixes.fixes, 'finding')} in {_count(len(fixes.files), 'file')}.")
    if fixes.unsafe_left:
        notes.append(
            f"{_count(fixes.unsafe_left, 'unsafe fix', 'unsafe fixes')} not applied (they change behaviour): "
            "review with --diff --unsafe-fixes, apply with --fix --unsafe-fixes."
        )
    return notes


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


if __name__ == "__main__":
    raise SystemExit(main())
