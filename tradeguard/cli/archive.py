"""``tradeguard archive [--to DIR|s3://bucket/prefix]``: rotated audit files into the archive.

Each rotated audit file not archived yet is compressed (gzip) with its SHA-256 in the manifest
(``<state folder>/archive/manifest.jsonl``); only then may retention delete it. The default archive
is ``<state folder>/archive/``; ``s3://`` needs the ``aws`` extra. Safe to run from cron: a file
already archived is skipped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Optional

from tradeguard.archive import ArchiveError, archive_rotated
from tradeguard.gateway import AUDIT_FILE
from tradeguard.state import HOME_ENV, NoStateFolder, command_home

HELP = "archive rotated audit files (gzip + SHA-256 manifest) before retention deletes them"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeguard archive", description=HELP)
    parser.add_argument("--to", metavar="DIR|s3://bucket/prefix", help="where the archives go (default: <state folder>/archive)")
    parser.add_argument("--home", help=f"state folder (default: ${HOME_ENV}, else .tradeguard/ in the project root)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        home = command_home(args.home)
    except NoStateFolder as exc:
        print(f"tradeguard archive: {exc}", file=sys.stderr)
        return 2
    print(f"state folder: {home}")
    if not home.is_dir():
        print(f"tradeguard archive: no state folder at {home}", file=sys.stderr)
        return 2
    try:
        done = archive_rotated(home / AUDIT_FILE, args.to)
    except ArchiveError as exc:
        print(f"tradeguard archive: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tradeguard archive: {exc.filename or home}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    for item in done:
        print(f"archived {item.name} ({item.lines} lines) -> {item.location}")
    print(f"{len(done)} file(s) archived" if done else "nothing to archive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
