"""``tradeguard secrets [PATHS...]``: find credentials committed to files or to git history.

Exit codes: 0 nothing found, 1 findings, 2 usage, configuration or internal error (a path
that does not exist or cannot be read counts: the scan could not vouch for it).

The pre-commit hook calls it with the staged files and ``--baseline .secrets.baseline``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from hooks.python_secrets import without_lint_baselined
from hooks.secrets.baseline import Baseline
from hooks.secrets.results import ExcludePatterns, ScanError
from hooks.secrets.scan import DEFAULT_MAX_BYTES, scan_paths
from lint_rules.output import FORMATS, RenderContext, render
from tradeguard.cli._pages import rule_pages

HELP = "scan files for committed credentials"

PROG = "tradeguard secrets"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find credentials (broker and exchange keys, private keys, cloud keys, passwords, "
        "webhook URLs) committed to files or to git history. Secret values are never printed.",
        epilog="A false report: add `# pragma: allowlist secret` to its line, or accept it in a baseline. "
        "Exit codes: 0 clean, 1 findings, 2 usage, configuration or read error. See docs/secrets.md.",
    )
    add = parser.add_argument
    add("paths", nargs="*", metavar="PATH", help="files and folders to scan (default: .); with --history, the repository")
    add("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add("--baseline", metavar="FILE", help="accept the secrets recorded in this detect-secrets baseline")
    add("--update-baseline", action="store_true", help="write the findings into --baseline, keeping audit labels")
    add("--history", action="store_true", help="scan every blob ever committed, naming the commit that added it")
    for what, meaning in (("files", "skip files whose path matches"), ("lines", "ignore lines that match"),
                          ("secrets", "ignore secrets that match")):
        add(f"--exclude-{what}", action="append", default=[], metavar="REGEX", help=f"{meaning} (repeatable; kept in the baseline)")
    add("--max-file-size", type=_positive, default=DEFAULT_MAX_BYTES, metavar="BYTES",
        help=f"skip larger files with a note (default: {DEFAULT_MAX_BYTES})")
    add("--jobs", type=_positive, default=None, metavar="N", help="worker processes for many files (default: CPU count)")
    add("--no-respect-gitignore", dest="respect_gitignore", action="store_false", default=None,
        help="also scan files git ignores (default: `respect-gitignore` in [tool.tradeguard], true)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.update_baseline and not args.baseline:
        return _error("--update-baseline needs --baseline FILE")
    if args.history and len(args.paths) > 1:
        return _error("--history takes at most one PATH: the repository")
    try:
        return _run(args)
    except ScanError as error:
        return _error(str(error))
    except Exception as error:  # noqa: BLE001 - the promise is one line, never a traceback
        # The message of an arbitrary exception could quote file content; the type cannot.
        return _error(f"internal error ({type(error).__name__}); please report it")


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _respect_gitignore(args: argparse.Namespace) -> bool:
    """The flag, else the `respect-gitignore` key of the config governing the working directory.
    Only folders are walked for ignored files, so a run on named files (the hook) reads no config."""
    if args.respect_gitignore is not None:
        return args.respect_gitignore
    if args.paths and not any(os.path.isdir(path) for path in args.paths):
        return True
    from lint_rules.config import ConfigError, load_config

    try:
        return load_config().respect_gitignore
    except ConfigError as error:  # one line naming the file and the key, as every config error
        raise ScanError(str(error)) from None


def _run(args: argparse.Namespace) -> int:
    baseline = None
    if args.baseline:
        new = args.update_baseline and not os.path.exists(args.baseline)
        baseline = Baseline.empty(args.baseline) if new else Baseline.load(args.baseline)
    excludes = ExcludePatterns(tuple(args.exclude_files), tuple(args.exclude_lines), tuple(args.exclude_secrets))
    if baseline is not None:
        excludes = baseline.exclude_patterns().merged(excludes)
    invalid = excludes.first_invalid()
    if invalid:
        return _error(invalid)

    if args.history:
        from hooks.secrets.history import scan_history

        report = scan_history(args.paths[0] if args.paths else ".", excludes, args.max_file_size)
    else:
        skip = [args.baseline] if args.baseline else []
        report = scan_paths(args.paths or ["."], excludes=excludes, max_bytes=args.max_file_size, jobs=args.jobs,
                            skip=skip, respect_gitignore=_respect_gitignore(args))
    for note in report.notes:
        print(f"{PROG}: {note}", file=sys.stderr)

    detections = report.detections
    if baseline is not None:
        changed = args.update_baseline and baseline.update(detections, report.scanned, excludes)
        if changed or (args.update_baseline and not os.path.exists(args.baseline)):  # an empty one is committed too
            baseline.write()
            print(f"{PROG}: wrote {args.baseline}", file=sys.stderr)
        detections = [detection for detection in detections if not baseline.silences(detection)]

    findings = [detection.finding for detection in detections]
    if not args.history:  # keys in Python files that `tradeguard check`'s baseline accepts
        findings = without_lint_baselined(findings)
    sys.stdout.write(render(findings, args.format, RenderContext(pages=rule_pages() if args.format == "sarif" else ())))
    if findings and args.format == "text":
        files = len({finding.path for finding in findings})
        print(
            f"{PROG}: {len(findings)} credential(s) in {files} file(s). Move them to the environment or a "
            "secret store and rotate them; for a false report add `# pragma: allowlist secret` to the line "
            "or accept it with --baseline/--update-baseline.",
            file=sys.stderr,
        )
    if report.has_errors:
        return 2
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
