"""The `tradeguard-fix` pre-commit hook: `tradeguard check --fix` on the files given (it names
every file it fixes), failing when any file changed, so the fixes are reviewed and staged before
the commit goes ahead (as pre-commit's own fixers do), or when findings remain.

It is `tradeguard-check` with fixes: a repository lists one of the two, so each finding is
printed once. The baseline is the one `check` uses (``baseline`` of ``[tool.tradeguard]``, or
``--baseline FILE``); TG301 is left to the `tradeguard-secrets` hook, which scans every staged
file. Arguments are those of `tradeguard check` (e.g. ``--unsafe-fixes``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from lint_rules.config import ConfigError, load_config
from lint_rules.files import iter_python_files
from tradeguard._bootstrap import load

# As the `tradeguard-check` entry: credentials are the `tradeguard-secrets` hook's to report.
HOOK_ARGUMENTS = ("--ignore", "TG301")


def _python_files(paths: list[Path]) -> list[Path]:
    """The Python files under ``paths`` that `check` looks at."""
    files: list[Path] = []
    for path in paths:
        try:
            files += iter_python_files(load_config(path), [path])[0]
        except ConfigError:
            continue  # `check` reports it
    return files


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    # The hook is the check command with --fix: it runs the command itself.
    check = load("tradeguard.cli.check")
    arguments = ["--fix", *HOOK_ARGUMENTS, *(sys.argv[1:] if argv is None else argv)]
    before = {file: _read(file) for file in _python_files(check.build_parser().parse_args(arguments).paths)}
    status = check.main(arguments)
    changed = any(_read(file) != data for file, data in before.items())
    return 1 if changed else status


if __name__ == "__main__":
    raise SystemExit(main())
