"""The `tradeguard-artifacts` pre-commit hook: blocks staged audit logs, tradeguard state, telemetry
and trade databases, and large data dumps (see hooks/artifacts.py for what counts and why).

    - id: tradeguard-artifacts
      args: [--max-kb, "2000", --allow, "tests/fixtures/*.csv"]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from fnmatch import fnmatch

from hooks.artifacts import DEFAULT_MAX_KB, HEAD_BYTES, classify

ADVICE = ("keep them out of git: add them to .gitignore (tradeguard's state folder `.tradeguard/` "
          "with its audit log and telemetry), archive audit logs with `tradeguard archive`, and unstage "
          "with `git rm --cached FILE`")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tradeguard-artifacts", description=__doc__.splitlines()[0])
    parser.add_argument("filenames", nargs="*")
    parser.add_argument("--max-kb", type=int, default=DEFAULT_MAX_KB, help="largest data dump allowed (default 500)")
    parser.add_argument("--allow", action="append", default=[], metavar="GLOB", help="paths allowed anyway")
    args = parser.parse_args(argv)
    blocked = 0
    for name in args.filenames:
        if any(fnmatch(name, pattern) for pattern in args.allow):
            continue
        try:
            with open(name, "rb") as handle:
                head = handle.read(HEAD_BYTES)
                size = handle.seek(0, 2)
        except OSError as exc:
            print(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})", file=sys.stderr)
            blocked += 1
            continue
        found = classify(name, size, head, args.max_kb)
        if found is not None:
            print(found.describe())
            blocked += 1
    if blocked:
        print(f"tradeguard-artifacts: {blocked} file(s) should not be committed; {ADVICE}.", file=sys.stderr)
    return 1 if blocked else 0


if __name__ == "__main__":
    raise SystemExit(main())
