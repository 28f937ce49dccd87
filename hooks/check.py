"""`tradeguard check`: the lint entry point (also the `tradeguard-check` pre-commit hook)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lint_rules.config import ConfigError
from lint_rules.output import RENDERERS, render
from lint_rules.runner import check_paths


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in value.split(",") if code.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeguard check",
        description="Check Python files for orders sent around the gateway and other trading-safety problems.",
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[Path(".")], help="files or folders (default: .)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="output format (default: text)")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    parser.add_argument("--select", type=_codes, help="comma-separated codes or prefixes to enable (replaces `select`)")
    parser.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes to disable (adds to `ignore`)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write .tradeguard_cache/")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = check_paths(args.paths, select=args.select, ignore=args.ignore, use_cache=not args.no_cache)
    except ConfigError as error:
        print(f"tradeguard: config error: {error}", file=sys.stderr)
        return 2
    for path in result.missing_paths:
        print(f"tradeguard: error: {path}: no such file or folder", file=sys.stderr)
    report = render(result.findings, args.format)
    if args.output:
        try:
            args.output.write_text(report, encoding="utf-8")
        except OSError as error:
            print(f"tradeguard: error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(report)
    if result.missing_paths:
        return 2
    return 1 if result.findings and not args.exit_zero else 0


if __name__ == "__main__":
    raise SystemExit(main())
