"""The `tradeguard-secrets` pre-commit hook: `tradeguard secrets` on the staged files, with the
repository's secrets baseline when there is one (``.secrets.baseline`` unless ``--baseline``
names another), so credentials already reviewed into the baseline do not block every commit.

Other arguments go to `tradeguard secrets` unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tradeguard._bootstrap import load

DEFAULT_BASELINE = Path(".secrets.baseline")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tradeguard-secrets", add_help=False)
    parser.add_argument("--baseline", type=Path)
    args, forwarded = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    baseline = args.baseline or (DEFAULT_BASELINE if DEFAULT_BASELINE.is_file() else None)
    if baseline:
        forwarded = ["--baseline", str(baseline), *forwarded]
    return load("tradeguard.cli.secrets").main(forwarded)  # the command, with the hook's default


if __name__ == "__main__":
    raise SystemExit(main())
